#!/usr/bin/env bash
# Industrial-protocol benchmark: `tocsin run` over the industrial captures of
# ../shared/corpora (ics-captures: Modbus, DNP3, S7comm, IEC 104, IEC 61850 MMS and GOOSE,
# EtherNet/IP, OPC UA, BACnet; ICSNPP's traces), all in one run, one worker, with the
# application layer off and on; RUNS runs each, the median kept. Most of these captures start
# mid-stream and were taken with checksum offload, so the runs pass -k none and
# stream.midstream=true. Prints time, packets/s, Gbit/s, peak RSS, the industrial records
# written, and the cost of parsing them as a share of the no-app-layer throughput.
#
# usage: bench/ics.sh [BUILD_DIR]     (default: build)
# environment: RUNS (1)
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# shellcheck source=bench/common.sh
source "$repo/bench/common.sh"
build=${1:-build}
[[ $build == /* ]] || build="$repo/$build"
corpora="$repo/../shared/corpora"
runs=${RUNS:-1}
work="$repo/bench/out/ics"

tocsin=$(find_binary "$build/tocsin" "$build/src/cli/tocsin") ||
    die "no tocsin binary in $build (configure and build it first)"
[[ -x /usr/bin/time ]] || die "needs GNU time at /usr/bin/time (Debian package \"time\")"
[[ -d $corpora/ics-captures ]] || die "needs ../shared/corpora/ics-captures"

inputs=()
while IFS= read -r -d '' f; do inputs+=(-r "$f"); done < <(
    find "$corpora/ics-captures" "$corpora/icsnpp" -type f \
        \( -name '*.pcap' -o -name '*.pcapng' \) -print0 | sort -z)
bytes=$(find "$corpora/ics-captures" "$corpora/icsnpp" -type f \
    \( -name '*.pcap' -o -name '*.pcapng' \) -printf '%s\n' | awk '{ s += $1 } END { print s }')
mkdir -p "$work"
echo "tocsin:  $tocsin"
echo "input:   $((${#inputs[@]} / 2)) captures, $bytes bytes, 1 worker, $runs run(s)"
echo

declare -A seconds cpu_seconds
types='"event_type":"(modbus|dnp3|enip|iec104|s7comm|mms|bacnet|goose|opcua)"'
for mode in off on; do
    enabled=no
    [[ $mode == on ]] && enabled=yes
    times=()
    cpus=()
    peak=0
    for ((r = 0; r < runs; r++)); do
        rm -rf "${work:?}/$mode"
        mkdir -p "$work/$mode"
        read -r s kib cpu status < <(measure "$work/$mode.console" "$tocsin" run "${inputs[@]}" \
            -l "$work/$mode" -k none --set stream.midstream=true \
            --set "app-layer.enabled=$enabled" --workers 1)
        # Exit 1: a few corpus captures have link types Tocsin does not read (Zigbee, ...).
        ((status <= 1)) || die "tocsin run failed (status $status); see $work/$mode.console"
        times+=("$s")
        cpus+=("$cpu")
        ((kib > peak)) && peak=$kib
    done
    med=$(printf '%s\n' "${times[@]}" | median)
    seconds[$mode]=$med
    cpu_seconds[$mode]=$(printf '%s\n' "${cpus[@]}" | median)
    packets=$(sed -n 's/^tocsin: \([0-9]*\) packets.*/\1/p' "$work/$mode.console" | tail -1)
    records=$(grep -c -E "$types" "$work/$mode/eve.json" || true)
    awk -v m="$mode" -v s="$med" -v p="$packets" -v b="$bytes" -v k="$peak" -v n="$records" \
        -v c="${cpu_seconds[$mode]}" \
        'BEGIN { printf "app-layer %-3s  %6.2f s (cpu %5.2f s)  %9.0f packets/s  %6.2f Gbit/s  peak %5.0f MiB  industrial records %d\n",
                 m, s, c, p / s, b * 8 / s / 1e9, k / 1024, n }'
done
awk -v off="${seconds[off]}" -v on="${seconds[on]}" -v coff="${cpu_seconds[off]}" \
    -v con="${cpu_seconds[on]}" \
    'BEGIN { printf "industrial parsing cost: %.1f%% of the no-app-layer throughput (wall time), %.1f%% (cpu time)\n",
             (1 - off / on) * 100, (1 - coff / con) * 100 }'
