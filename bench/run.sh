#!/usr/bin/env bash
# End-to-end throughput benchmark: runs `tocsin run` over a generated 1 GB capture with 1 and 2
# workers, three times each, and prints the median time, packet and bit rates and peak memory.
#
# usage: bench/run.sh [BUILD_DIR]     (default: build)
# environment: RUNS (3), WORKERS ("1 2"), BENCH_BYTES (1000000000), BENCH_SEED (42)
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# shellcheck source=bench/common.sh
source "$repo/bench/common.sh"
build=${1:-build}
[[ $build == /* ]] || build="$repo/$build"
out="$repo/bench/out"
pcap="$out/bench.pcap"
meta="$out/bench.meta"
runs=${RUNS:-3}
workers_list=${WORKERS:-"1 2"}
capture_bytes=${BENCH_BYTES:-1000000000}
seed=${BENCH_SEED:-42}



tocsin=$(find_binary "$build/tocsin" "$build/src/cli/tocsin") ||
    die "no tocsin binary in $build (configure and build it first)"

# --- the capture -------------------------------------------------------------------------------

mkdir -p "$out"
if [[ ! -f $pcap ]]; then
    gencap=$(find_binary "$build/tocsin-gencap" "$build/bench/tocsin-gencap") ||
        die "no tocsin-gencap in $build (build with -DTOCSIN_BENCH=ON)"
    echo "generating $pcap ($capture_bytes bytes, seed $seed)..."
    # Written under a temporary name so an interrupted run never leaves a truncated capture.
    "$gencap" --out "$pcap.partial" --bytes "$capture_bytes" --seed "$seed" >"$meta.partial"
    mv "$pcap.partial" "$pcap"
    mv "$meta.partial" "$meta"
fi

# Packet and byte counts come from the generator's summary, or from capinfos for a capture
# that was put there by hand; either way they are computed once and kept in bench.meta.
meta_value() { awk -v key="$1:" '$1 == key { print $2 }' "$meta" 2>/dev/null || true; }
packets=$(meta_value packets)
bytes=$(meta_value bytes)
if [[ -z $packets || -z $bytes ]]; then
    command -v capinfos >/dev/null || die "no counts in $meta and capinfos is not installed"
    info=$(capinfos -M -c -d "$pcap")
    packets=$(awk -F': *' '/^Number of packets/ { print $2 }' <<<"$info")
    bytes=$(awk -F': *' '/^Data size/ { sub(/ bytes/, "", $2); print $2 }' <<<"$info")
    printf 'packets: %s\nbytes: %s\n' "$packets" "$bytes" >>"$meta"
fi

# --- timing ------------------------------------------------------------------------------------

# measure CONSOLE COMMAND...: runs the command with its output sent to CONSOLE and prints
# "<elapsed seconds> <peak RSS in KiB>".
if /usr/bin/time -f '%e %M' true >/dev/null 2>&1; then
    measure() {
        local console=$1 report status=0
        shift
        report=$(mktemp)
        /usr/bin/time -f '%e %M' -o "$report" "$@" >"$console" 2>&1 || status=$?
        tail -n 1 "$report"
        rm -f "$report"
        return "$status"
    }
else
    # No GNU time (Debian package "time"): bash's clock, and VmHWM sampled from /proc while
    # the process runs.
    measure() {
        local console=$1 start end pid peak=0 hwm status=0
        shift
        start=$(date +%s.%N)
        "$@" >"$console" 2>&1 &
        pid=$!
        while kill -0 "$pid" 2>/dev/null; do
            hwm=$(awk '/^VmHWM:/ { print $2 }' "/proc/$pid/status" 2>/dev/null || true)
            if [[ -n $hwm ]] && ((hwm > peak)); then peak=$hwm; fi
            sleep 0.05
        done
        wait "$pid" || status=$?
        end=$(date +%s.%N)
        echo "$(awk -v a="$start" -v b="$end" 'BEGIN { printf "%.2f", b - a }') $peak"
        return "$status"
    }
fi

median() { sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
maximum() { sort -n | tail -n 1; }

echo "capture: $pcap  packets=$packets  bytes=$bytes"
printf '%-8s %10s %14s %9s %12s\n' workers median_s packets/s Gbit/s peak_rss_MB
for workers in $workers_list; do
    times=()
    rss=()
    for ((run = 1; run <= runs; ++run)); do
        logdir="$out/w$workers"
        rm -rf "$logdir"
        mkdir -p "$logdir"
        console="$out/w$workers.run$run.console"
        result=$(measure "$console" "$tocsin" run -r "$pcap" -l "$logdir" --workers "$workers") ||
            die "tocsin failed with $workers worker(s); see $console"
        read -r seconds peak_kib <<<"$result"
        times+=("$seconds")
        rss+=("$peak_kib")
    done
    elapsed=$(printf '%s\n' "${times[@]}" | median)
    peak=$(printf '%s\n' "${rss[@]}" | maximum)
    awk -v w="$workers" -v t="$elapsed" -v p="$packets" -v b="$bytes" -v m="$peak" 'BEGIN {
        if (t <= 0) t = 0.001
        printf "%-8s %10.2f %14.0f %9.3f %12.1f\n", w, t, p / t, b * 8 / t / 1e9, m / 1024
    }'
done
