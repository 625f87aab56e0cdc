#!/usr/bin/env bash
# TAXII hub benchmark: starts `tocsin hub` on loopback, seeds a collection with N indicators,
# then runs wrk (2 threads, 64 keep-alive connections, --latency) for GET objects (limit=100)
# and for POST envelopes of 100 indicators, over plain HTTP and then over TLS. Prints
# requests/s, p99 latency and the hub's peak RSS (VmHWM) for each.
#
# usage: bench/hub.sh [BUILD_DIR]      (default: build)
# environment: SEED_COUNT (10000), DURATION (15s), CONNECTIONS (64), THREADS (2), TLS (1)
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# shellcheck source=bench/common.sh
source "$repo/bench/common.sh"
build=${1:-build}
[[ $build == /* ]] || build="$repo/$build"
seed_count=${SEED_COUNT:-10000}
duration=${DURATION:-15s}
connections=${CONNECTIONS:-64}
threads=${THREADS:-2}
with_tls=${TLS:-1}
collection=91a7b528-80eb-42ed-a74d-c6fbd5a26116

tocsin=$(find_binary "$build/tocsin" "$build/src/cli/tocsin") ||
    die "no tocsin binary in $build (configure and build it first)"
command -v wrk >/dev/null || die "wrk is not installed (apt-get install wrk)"
command -v python3 >/dev/null || die "python3 is needed to seed the hub"

work=$(mktemp -d)
hub_pid=
cleanup() {
    [[ -n $hub_pid ]] && kill "$hub_pid" 2>/dev/null && wait "$hub_pid" 2>/dev/null
    rm -rf "$work"
}
trap cleanup EXIT

# write_config FILE SCHEME TLS_BLOCK: a hub on 127.0.0.1, any free port, one collection.
write_config() {
    cat >"$1" <<YAML
database: $work/hub-$2.db
listen: {address: 127.0.0.1, port: 0}
threads: 64
$3
communities: {bench: [bench-org]}
api-roots:
  - path: api1
    title: Bench
    collections:
      - id: $collection
        title: Bench indicators
        community: bench
        default-tlp: green
YAML
}

# start_hub CONFIG: starts the hub and sets hub_pid and hub_port.
start_hub() {
    "$tocsin" hub -c "$1" 2>"$work/hub.log" &
    hub_pid=$!
    for _ in $(seq 200); do
        hub_port=$(sed -n 's|.*serving TAXII 2.1 at [a-z]*://[^:]*:\([0-9]*\)/taxii2/.*|\1|p' "$work/hub.log")
        [[ -n $hub_port ]] && return 0
        kill -0 "$hub_pid" 2>/dev/null || die "the hub did not start: $(cat "$work/hub.log")"
        sleep 0.05
    done
    die "the hub did not report its port"
}

stop_hub() {
    kill "$hub_pid" && wait "$hub_pid" 2>/dev/null || true
    hub_pid=
}

peak_rss_mib() {
    awk '/^VmHWM/ { printf "%.1f", $2 / 1024 }' "/proc/$hub_pid/status"
}

# report NAME WRK_OUTPUT: one line with requests/s and p99.
report() {
    local rps p99 errors
    rps=$(awk '/^Requests\/sec:/ { print $2 }' "$2")
    p99=$(awk '$1 == "99%" { print $2 }' "$2")
    errors=$(awk '/Non-2xx or 3xx responses:/ { print $5 }' "$2")
    printf '%-28s %10s req/s   p99 %8s   non-2xx %s   hub peak RSS %s MiB\n' \
        "$1" "$rps" "$p99" "${errors:-0}" "$(peak_rss_mib)"
}

# run_scheme SCHEME TLS_BLOCK CA_FILE
run_scheme() {
    local scheme=$1 tls_block=$2 ca=$3 config="$work/hub-$1.yaml" key url auth
    write_config "$config" "$scheme" "$tls_block"
    key=$("$tocsin" hub partner add bench --org bench-org --read "$collection" \
        --write "$collection" -c "$config" 2>/dev/null)
    start_hub "$config"
    url="$scheme://127.0.0.1:$hub_port"
    auth="Authorization: Basic $(printf 'bench:%s' "$key" | base64 -w0)"
    python3 "$repo/bench/hub/seed.py" "$url" "/api1/collections/$collection/" bench "$key" \
        "$seed_count" $ca
    wrk -t"$threads" -c"$connections" -d"$duration" --latency -s "$repo/bench/hub/get.lua" \
        -H "$auth" -H "Accept: application/taxii+json;version=2.1" \
        "$url/api1/collections/$collection/objects/?limit=100" >"$work/get.out"
    report "$scheme GET objects limit=100" "$work/get.out"
    wrk -t"$threads" -c"$connections" -d"$duration" --latency -s "$repo/bench/hub/post.lua" \
        -H "$auth" -H "Accept: application/taxii+json;version=2.1" \
        -H "Content-Type: application/taxii+json;version=2.1" \
        "$url/api1/collections/$collection/objects/" >"$work/post.out"
    report "$scheme POST 100 indicators" "$work/post.out"
    # Every acknowledged POST stored 100 new versions: the database must hold them all.
    local posted stored
    posted=$(awk '/requests in/ { print $1 }' "$work/post.out")
    stored=$(sqlite3 "$work/hub-$scheme.db" 'SELECT count(*) FROM versions' 2>/dev/null || echo '?')
    echo "  stored $stored object versions: $seed_count seeded + 100 x $posted POSTs answered" \
         "($(grep -o 'Socket errors.*' "$work/post.out" || echo 'no socket errors'))"
    [[ -n ${KEEP_WRK:-} ]] && cat "$work/get.out" "$work/post.out"
    stop_hub
}

echo "tocsin hub benchmark: $seed_count seeded indicators, wrk -t$threads -c$connections -d$duration --latency"
run_scheme http "" ""
if [[ $with_tls == 1 ]] && command -v openssl >/dev/null; then
    openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=127.0.0.1 \
        -addext subjectAltName=IP:127.0.0.1 -keyout "$work/hub.key" -out "$work/hub.crt" \
        >/dev/null 2>&1
    run_scheme https "tls: {certificate: $work/hub.crt, key: $work/hub.key}" "$work/hub.crt"
fi
