#!/usr/bin/env bash
# Where threat intelligence spends the worker's time, measured inside one run: `perf record`
# (software clock, so it works where a VM has no hardware counters) samples `tocsin run` on the
# bench capture with and without the million indicators, and this prints the share of the
# worker thread's samples in intelligence matching and in file hashing (libcrypto).
#
# A share measured within one run does not move when other tenants slow the whole machine
# down, which wall-clock comparisons of separate runs do by ±20% here (bench/README.md).
# Without intelligence the worker still hashes a little (certificate fingerprints, JA3), so
# the hashing cost is the difference of the two runs' libcrypto shares.
#
# usage: bench/intel-profile.sh [BUILD_DIR]     (default: build; run bench/intel.sh first, it
#        makes the capture and the bundle)
# environment: INDICATORS (1000000), BENCH_BYTES (300000000), BENCH_SEED (42), TLS_PERCENT
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# shellcheck source=bench/common.sh
source "$repo/bench/common.sh"
build=${1:-build}
[[ $build == /* ]] || build="$repo/$build"
out="$repo/bench/out"
mix=${TLS_PERCENT:+-tls$TLS_PERCENT}
pcap="$out/bench-${BENCH_BYTES:-300000000}-s${BENCH_SEED:-42}$mix.pcap"
bundle="$out/intel-${INDICATORS:-1000000}-s${BENCH_SEED:-42}.json"
tocsin=$(find_binary "$build/tocsin" "$build/src/cli/tocsin") || die "no tocsin binary in $build"
command -v perf >/dev/null || die "needs perf (Debian package linux-perf)"
[[ -f $pcap && -f $bundle ]] || die "no $pcap or $bundle: run bench/intel.sh first"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# shares DATA: "<worker samples> <libcrypto %> <intel %>" for the busiest non-main thread.
shares() {
    perf script -i "$1" -F pid,tid,ip,sym,dso 2>/dev/null | awk '
        { split($1, pt, "/"); tid[NR] = pt[2]; text[NR] = $0; if (pt[1] != pt[2]) n[pt[2]]++ }
        END {
            for (t in n) if (worker == "" || n[t] > n[worker]) worker = t
            for (i = 1; i <= NR; i++) {
                if (tid[i] != worker) continue
                total++
                if (text[i] ~ /libcrypto/) crypto++
                else if (text[i] ~ /tocsin::intel::|match_intel|report_intel|ObservableMatcher/) intel++
            }
            printf "%d %.1f %.1f\n", total, 100 * crypto / total, 100 * intel / total
        }'
}

echo "capture: $pcap"
declare -A result
for mode in without with; do
    args=()
    [[ $mode == with ]] && args=(--intel "$bundle")
    perf record -q -e cpu-clock -F 4000 -o "$work/$mode.data" "$tocsin" run -r "$pcap" \
        -l "$work/$mode" --workers 1 "${args[@]}" >"$work/$mode.console" 2>&1 ||
        die "tocsin run failed; see $work/$mode.console"
    result[$mode]=$(shares "$work/$mode.data")
    read -r samples crypto intel <<<"${result[$mode]}"
    printf '%-8s worker samples %6d  libcrypto %5.1f%%  intelligence %5.1f%%\n' \
        "$mode" "$samples" "$crypto" "$intel"
done
read -r _ base_crypto _ <<<"${result[without]}"
read -r _ crypto intel <<<"${result[with]}"
awk -v c="$crypto" -v b="$base_crypto" -v i="$intel" 'BEGIN {
    hashing = c - b; if (hashing < 0) hashing = 0
    share = (hashing + i) / 100
    printf "with intelligence: matching %.1f%% and file hashing %.1f%% of the worker'"'"'s time; ", i, hashing
    # Without that work the worker would take (1 - share) of the time: the throughput lost.
    printf "throughput cost %.1f%%\n", share * 100
}'
