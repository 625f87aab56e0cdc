#!/usr/bin/env bash
# Runs the whole test suite: install dependencies, build (with tests), run CTest.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
scripts/build.sh -DBUILD_TESTING=ON
ctest --test-dir build --output-on-failure --parallel "$(nproc)" "$@"
