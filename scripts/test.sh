#!/usr/bin/env bash
# The whole test suite: set up (idempotent), then swift test on real files.
# Shared test data is read from ../shared/data; under CI=true a missing file fails.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
log=$(mktemp)
if ! swift build --build-tests >"$log" 2>&1; then
  grep -E "error" "$log" | head -n 50 || tail -n 50 "$log"
  echo "test: build failed" >&2
  exit 1
fi
tail -n 1 "$log"
swift test --skip-build
