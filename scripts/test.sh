#!/usr/bin/env bash
# The whole test suite: set up (idempotent), then swift test on real files.
# Shared test data is read from ../shared/data; under CI=true a missing file fails.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
swift build --build-tests 2>&1 | grep -E "error|warning: .*Vigil|Compiling|Build complete" | grep -v "^\[" || true
swift test --skip-build 2>&1
