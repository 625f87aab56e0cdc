#!/usr/bin/env bash
# Threat-intelligence benchmark: `tocsin run` over the bench capture (HTTP, DNS, TLS and
# industrial flows from tocsin-gencap), one worker, without intelligence and with N generated
# STIX indicators (tocsin-intel-gen: IPv4/IPv6 addresses and networks, domains, URLs, file
# hashes); RUNS runs each, the median kept. Prints the load time of the indicators, inspection
# packets/s and Gbit/s as tocsin reports them (loading excluded), peak RSS, intel alerts, and the
# throughput cost of matching.
#
# usage: bench/intel.sh [BUILD_DIR]     (default: build)
# environment: RUNS (3), INDICATORS (1000000), BENCH_BYTES (300000000), BENCH_SEED (42)
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# shellcheck source=bench/common.sh
source "$repo/bench/common.sh"
build=${1:-build}
[[ $build == /* ]] || build="$repo/$build"
out="$repo/bench/out"
capture_bytes=${BENCH_BYTES:-300000000}
seed=${BENCH_SEED:-42}
pcap="$out/bench-$capture_bytes-s$seed.pcap"
meta="$out/bench-$capture_bytes-s$seed.meta"
runs=${RUNS:-3}
indicators=${INDICATORS:-1000000}
work="$out/intel"
bundle="$out/intel-$indicators-s$seed.json"

tocsin=$(find_binary "$build/tocsin" "$build/src/cli/tocsin") ||
    die "no tocsin binary in $build (configure and build it first)"
gen=$(find_binary "$build/tocsin-intel-gen" "$build/bench/tocsin-intel-gen") ||
    die "no tocsin-intel-gen in $build (build with -DTOCSIN_BENCH=ON)"
[[ -x /usr/bin/time ]] || die "needs GNU time at /usr/bin/time (Debian package \"time\")"

mkdir -p "$out" "$work"
ensure_capture "$build" "$pcap" "$meta" "$capture_bytes" "$seed"
if [[ ! -f $bundle ]]; then
    echo "generating $bundle ($indicators indicators)..."
    "$gen" "$indicators" "$bundle.partial" "$seed"
    mv "$bundle.partial" "$bundle"
fi
echo "tocsin:     $tocsin"
echo "capture:    $pcap ($(stat -c %s "$pcap") bytes), 1 worker, $runs run(s)"
echo "indicators: $bundle ($indicators, $(stat -c %s "$bundle") bytes)"
echo

declare -A rate gbps
for mode in without with; do
    args=()
    [[ $mode == with ]] && args=(--intel "$bundle")
    rates=()
    gbits=()
    loads=()
    peak=0
    for ((r = 0; r < runs; r++)); do
        rm -rf "${work:?}/$mode"
        mkdir -p "$work/$mode"
        read -r s kib cpu status < <(measure "$work/$mode.console" "$tocsin" run -r "$pcap" \
            -l "$work/$mode" --workers 1 "${args[@]}")
        ((status == 0)) || die "tocsin run failed (status $status); see $work/$mode.console"
        line=$(grep -E 'packets .* pkt/s' "$work/$mode.console" | tail -1)
        rates+=("$(sed -E 's/.*: ([0-9]+) pkt\/s.*/\1/' <<<"$line")")
        gbits+=("$(sed -E 's/.* ([0-9.]+) Gbit\/s.*/\1/' <<<"$line")")
        if [[ $mode == with ]]; then
            loads+=("$(sed -nE 's/.*indicators loaded in ([0-9.]+) s.*/\1/p' "$work/$mode.console")")
        fi
        ((kib > peak)) && peak=$kib
    done
    rate[$mode]=$(printf '%s\n' "${rates[@]}" | median)
    gbps[$mode]=$(printf '%s\n' "${gbits[@]}" | median)
    alerts=$(grep -c '"intel_id"' "$work/$mode/eve.json" || true)
    load=""
    [[ $mode == with ]] && load=", load $(printf '%s\n' "${loads[@]}" | median) s"
    printf '%-8s %10s pkt/s %6s Gbit/s  peak RSS %5d MiB  intel alerts %s%s\n' "$mode" \
        "${rate[$mode]}" "${gbps[$mode]}" $((peak / 1024)) "$alerts" "$load"
done
awk -v a="${rate[without]}" -v b="${rate[with]}" \
    'BEGIN { printf "matching %d indicators costs %.1f%% of inspection throughput\n", '"$indicators"', (a - b) * 100 / a }'
