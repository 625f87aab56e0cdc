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
