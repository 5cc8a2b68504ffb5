#!/usr/bin/env bash
# The whole test suite: set up (idempotent), then swift test on real files.
# Shared test data is read from ../shared/data; under CI=true a missing file fails.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
log=$(mktemp)
# generate-manual (swift-argument-parser) makes the man page of the package the tests build.
if ! { swift build --build-tests && swift build --product generate-manual; } >"$log" 2>&1; then
  grep -E "error" "$log" | head -n 50 || tail -n 50 "$log"
  echo "test: build failed" >&2
  exit 1
fi
tail -n 1 "$log"
# One test at a time: many tests run real processes (daemons, a browser, a fuzzer) and wait on them
# synchronously, which on two cores would starve the in-process servers and timing-sensitive tests
# running beside them. Serial is slower but measures what it claims to.
# Tesseract's OpenMP threads spin against the tests' own (vigil sets this itself; the test process is not vigil).
export OMP_THREAD_LIMIT=1
swift test --skip-build --no-parallel
