#!/usr/bin/env bash
# Configures and builds Tocsin in release mode into build/ (extra CMake options pass through).
set -euo pipefail
cd "$(dirname "$0")/.."
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=Release -DTOCSIN_WERROR="${TOCSIN_WERROR:-OFF}" "$@" >/dev/null
cmake --build build --parallel "$(nproc)"
