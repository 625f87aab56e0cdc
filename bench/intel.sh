#!/usr/bin/env bash
# Threat-intelligence benchmark: `tocsin run` over the bench capture (HTTP, DNS, TLS and
# industrial flows from tocsin-gencap), one worker, without intelligence and with N generated
# STIX indicators (tocsin-intel-gen: IPv4/IPv6 addresses and networks, domains, URLs, file
# hashes); RUNS runs each, the median kept. Prints the load time of the indicators, inspection
# packets/s and Gbit/s as tocsin reports them (loading excluded), peak RSS, intel alerts, and the
# throughput cost of matching.
#
# The cost is decomposed, because file-hash indicators make every file be hashed: the same
# bundle without its file hashes (matching alone), with only its SHA-256 hashes, and file
# hashing alone (force-hash all digests / sha256) without intelligence. The runs of all modes
# are interleaved, so a slow spell of the machine touches every mode alike. Each loss is given
# in wall-clock throughput and in CPU time per packet (inspection only, every thread), which
# other tenants of a shared machine disturb far less.
#
# The capture's share of cleartext HTTP decides what file hashing costs: the classic mix has
# half its bytes in HTTP bodies; TLS_PERCENT=96 makes 96% of web flows TLS, the encrypted share
# of web traffic Google reports (transparencyreport.google.com, "HTTPS encryption on the web").
#
# usage: bench/intel.sh [BUILD_DIR]     (default: build)
# environment: RUNS (3), INDICATORS (1000000), BENCH_BYTES (300000000), BENCH_SEED (42),
#              TLS_PERCENT (unset: the classic mix), MODES (default: all of them; e.g.
#              MODES="without with")
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# shellcheck source=bench/common.sh
source "$repo/bench/common.sh"
build=${1:-build}
[[ $build == /* ]] || build="$repo/$build"
out="$repo/bench/out"
capture_bytes=${BENCH_BYTES:-300000000}
seed=${BENCH_SEED:-42}
tls_percent=${TLS_PERCENT:-}
mix=${tls_percent:+-tls$tls_percent}
pcap="$out/bench-$capture_bytes-s$seed$mix.pcap"
meta="$out/bench-$capture_bytes-s$seed$mix.meta"
runs=${RUNS:-3}
indicators=${INDICATORS:-1000000}
work="$out/intel$mix"
bundle="$out/intel-$indicators-s$seed.json"

tocsin=$(find_binary "$build/tocsin" "$build/src/cli/tocsin") ||
    die "no tocsin binary in $build (configure and build it first)"
gen=$(find_binary "$build/tocsin-intel-gen" "$build/bench/tocsin-intel-gen") ||
    die "no tocsin-intel-gen in $build (build with -DTOCSIN_BENCH=ON)"
[[ -x /usr/bin/time ]] || die "needs GNU time at /usr/bin/time (Debian package \"time\")"

mkdir -p "$out" "$work"
ensure_capture "$build" "$pcap" "$meta" "$capture_bytes" "$seed" \
    ${tls_percent:+--tls-percent "$tls_percent"}
if [[ ! -f $bundle ]]; then
    echo "generating $bundle ($indicators indicators)..."
    "$gen" "$indicators" "$bundle.partial" "$seed"
    mv "$bundle.partial" "$bundle"
fi
echo "tocsin:     $tocsin"
echo "capture:    $pcap ($(stat -c %s "$pcap") bytes), 1 worker, $runs run(s)"
echo "indicators: $bundle ($indicators, $(stat -c %s "$bundle") bytes)"
echo

# Bundles derived from the generated one: no file hashes; file hashes only as SHA-256.
nohash="$out/intel-$indicators-s$seed-nohash.json"
sha256only="$out/intel-$indicators-s$seed-sha256.json"
[[ -f $nohash ]] || grep -v "file:hashes" "$bundle" | sed '2s/^,//' >"$nohash"
[[ -f $sha256only ]] || grep -v "file:hashes.MD5\|file:hashes.'SHA-1'" "$bundle" | sed '2s/^,//' >"$sha256only"

declare -A mode_args=(
    [without]=""
    [with]="--intel $bundle"
    [no-hashes]="--intel $nohash"
    [sha256-only]="--intel $sha256only"
    [hash-all]="--set outputs.eve.fileinfo.force-hash=yes"
    [hash-sha256]="--set outputs.eve.fileinfo.force-hash=sha256"
)
read -r -a modes <<<"${MODES:-without with no-hashes sha256-only hash-all hash-sha256}"
declare -A rates gbits cpus loads peak
for ((r = 0; r < runs; r++)); do
    for mode in "${modes[@]}"; do
        read -r -a args <<<"${mode_args[$mode]}"
        rm -rf "${work:?}/$mode"
        mkdir -p "$work/$mode"
        read -r s kib cpu status < <(measure "$work/$mode.console" "$tocsin" run -r "$pcap" \
            -l "$work/$mode" --workers 1 "${args[@]}")
        ((status == 0)) || die "tocsin run failed (status $status); see $work/$mode.console"
        line=$(grep -E 'packets .* pkt/s' "$work/$mode.console" | tail -1)
        rates[$mode]+="$(sed -E 's/.*: ([0-9]+) pkt\/s.*/\1/' <<<"$line") "
        gbits[$mode]+="$(sed -E 's/.* ([0-9.]+) Gbit\/s.*/\1/' <<<"$line") "
        cpus[$mode]+="$(sed -E 's/.*\(CPU ([0-9.]+) s\).*/\1/' <<<"$line") "
        loads[$mode]+="$(sed -nE 's/.*indicators loaded in ([0-9.]+) s.*/\1/p' "$work/$mode.console") "
        ((kib > ${peak[$mode]:-0})) && peak[$mode]=$kib
    done
done

# The median of the non-empty lines read ("" when there are none).
median_of_words() { awk 'NF' | median; }

declare -A rate
for mode in "${modes[@]}"; do
    rate[$mode]=$(tr ' ' '\n' <<<"${rates[$mode]}" | median_of_words)
    gbps=$(tr ' ' '\n' <<<"${gbits[$mode]}" | median_of_words)
    alerts=$(grep -c '"intel_id"' "$work/$mode/eve.json" || true)
    load=$(tr ' ' '\n' <<<"${loads[$mode]}" | median_of_words)
    [[ -n $load ]] && load=", load $load s"
    cpu=$(tr ' ' '\n' <<<"${cpus[$mode]}" | median_of_words)
    printf '%-12s %10s pkt/s %6s Gbit/s  CPU %5s s  peak RSS %5d MiB  intel alerts %s%s   (runs: %s)\n' \
        "$mode" "${rate[$mode]}" "$gbps" "$cpu" $((peak[$mode] / 1024)) "$alerts" "$load" \
        "${rates[$mode]% }"
done
# What file hashing has to digest: the files of the capture (fileinfo of the last run).
last_eve="$work/${modes[0]}/eve.json"
if [[ -f $last_eve ]]; then
    grep '"event_type":"fileinfo"' "$last_eve" | grep -o '"size":[0-9]*' | cut -d: -f2 |
        awk -v total="$(sed -n 's/^bytes: //p' "$meta")" \
            '{ n++; b += $1 } END { printf "files: %d, %.1f MB, %.1f%% of the capture'"'"'s packet bytes\n", n, b / 1e6, total ? b * 100 / total : 0 }'
fi
# cost MODE WHAT: the throughput MODE loses against "without", as the median over the rounds of
# the loss within each round (runs of one round are seconds apart, so drift cancels), as the
# loss between the two medians, and as the paired loss of packets per CPU-second.
cost() {
    [[ -n ${rate[without]:-} && -n ${rate[$1]:-} ]] || return 0
    local cpu_loss
    cpu_loss=$(paste -d' ' <(tr ' ' '\n' <<<"${cpus[without]}" | awk 'NF') \
        <(tr ' ' '\n' <<<"${cpus[$1]}" | awk 'NF') |
        awk '{ print (1 - $1 / $2) * 100 }' | median)
    paste -d' ' <(tr ' ' '\n' <<<"${rates[without]}" | awk 'NF') \
        <(tr ' ' '\n' <<<"${rates[$1]}" | awk 'NF') |
        awk '{ print (1 - $2 / $1) * 100 }' | median |
        awk -v a="${rate[without]}" -v b="${rate[$1]}" -v what="$2" -v cpu="$cpu_loss" \
            '{ printf "%-58s %5.1f%% (paired), %5.1f%% (medians), %5.1f%% (CPU, paired)\n",
                      what, $1, (a - b) * 100 / a, cpu }'
}
echo
cost with "$indicators indicators (hashes: MD5, SHA-1, SHA-256)"
cost no-hashes "the same without file-hash indicators (matching alone)"
cost sha256-only "the same with SHA-256 file hashes only"
cost hash-all "no intelligence, every file hashed (MD5, SHA-1, SHA-256)"
cost hash-sha256 "no intelligence, every file hashed (SHA-256)"
