# Shared by the bench scripts (sourced): error exit and binary lookup.

# die MESSAGE: print "bench/<script>: MESSAGE" and exit 1.
die() {
    echo "bench/$(basename "$0"): $*" >&2
    exit 1
}

# The first executable found among the candidates.
find_binary() {
    local candidate
    for candidate in "$@"; do
        if [[ -x $candidate ]]; then
            echo "$candidate"
            return 0
        fi
    done
    return 1
}

# measure CONSOLE COMMAND...: runs the command (stdout and stderr to CONSOLE) under GNU time and
# prints "<elapsed seconds> <peak RSS in KiB> <user + system seconds> <exit status>". CPU
# seconds say more than wall time on a machine that is busy with something else.
measure() {
    local console=$1 report status=0
    shift
    report=$(mktemp)
    /usr/bin/time -f '%e %M %U %S' -o "$report" "$@" >"$console" 2>&1 || status=$?
    echo "$(tail -n 1 "$report" | awk '{ printf "%s %s %.2f", $1, $2, $3 + $4 }') $status"
    rm -f "$report"
}

median() { sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }

# ensure_capture BUILD PCAP META BYTES SEED [GENCAP OPTION...]: makes the bench capture with
# tocsin-gencap unless it exists, under a temporary name so an interrupted run never leaves a
# truncated one.
ensure_capture() {
    local build=$1 pcap=$2 meta=$3 bytes=$4 seed=$5 gencap
    shift 5
    [[ -f $pcap ]] && return 0
    gencap=$(find_binary "$build/tocsin-gencap" "$build/bench/tocsin-gencap") ||
        die "no tocsin-gencap in $build (build with -DTOCSIN_BENCH=ON)"
    echo "generating $pcap ($bytes bytes, seed $seed${*:+, $*})..."
    "$gencap" --out "$pcap.partial" --bytes "$bytes" --seed "$seed" "$@" >"$meta.partial"
    mv "$pcap.partial" "$pcap"
    mv "$meta.partial" "$meta"
}
