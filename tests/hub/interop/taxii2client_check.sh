#!/usr/bin/env bash
# Interoperability: the OASIS TAXII 2.1 client (python taxii2client, from PyPI or its GitHub
# repository; not packaged by Debian) against a real `tocsin hub`, over HTTP and over HTTPS
# with the hub's certificate verified. Skipped (exit 77) when `import taxii2client` fails;
# point PYTHONPATH at a checkout of the client to run it.
#
# usage: tests/hub/interop/taxii2client_check.sh TOCSIN_BINARY
set -euo pipefail
tocsin=$1
here=$(cd "$(dirname "$0")" && pwd)
if [[ ! -x $tocsin ]]; then
    echo "skipped: no tocsin binary at $tocsin"
    exit 77
fi
if ! python3 -c 'import taxii2client.v21' 2>/dev/null; then
    echo "skipped: the python module taxii2client is not importable"
    exit 77
fi
work=$(mktemp -d)
hub_pid=
cleanup() {
    [[ -n $hub_pid ]] && kill "$hub_pid" 2>/dev/null && wait "$hub_pid" 2>/dev/null
    rm -rf "$work"
}
trap cleanup EXIT
collection=2f6a1c3e-9d41-4b8e-a0c7-5e3b9f7d1a22

# check SCHEME TLS_BLOCK [CA_FILE]
check() {
    local scheme=$1 tls=$2 ca=${3:-} port= key
    cat >"$work/hub-$scheme.yaml" <<YAML
database: $work/hub-$scheme.db
listen: {address: 127.0.0.1, port: 0}
$tls
communities: {interop: [cert-org]}
api-roots:
  - path: api1
    title: Interoperability
    collections:
      - {id: $collection, title: Shared indicators, community: interop, default-tlp: green}
YAML
    key=$("$tocsin" hub partner add cert --org cert-org --read "$collection" \
        --write "$collection" -c "$work/hub-$scheme.yaml" 2>/dev/null)
    "$tocsin" hub -c "$work/hub-$scheme.yaml" 2>"$work/hub.log" &
    hub_pid=$!
    for _ in $(seq 200); do
        port=$(sed -n 's|.*serving TAXII 2.1 at [a-z]*://[^:]*:\([0-9]*\)/taxii2/.*|\1|p' "$work/hub.log")
        [[ -n $port ]] && break
        sleep 0.05
    done
    [[ -n $port ]] || { cat "$work/hub.log"; exit 1; }
    echo "== $scheme"
    # requests lets REQUESTS_CA_BUNDLE / CURL_CA_BUNDLE override the CA the client is given.
    env -u REQUESTS_CA_BUNDLE -u CURL_CA_BUNDLE timeout 120 \
        python3 "$here/taxii2client_check.py" "$scheme://127.0.0.1:$port" cert "$key" $ca
    kill "$hub_pid" && wait "$hub_pid" 2>/dev/null || true
    hub_pid=
}

check http ""
openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=127.0.0.1 \
    -addext subjectAltName=IP:127.0.0.1 -keyout "$work/hub.key" -out "$work/hub.crt" \
    >/dev/null 2>&1
check https "tls: {certificate: $work/hub.crt, key: $work/hub.key}" "$work/hub.crt"
