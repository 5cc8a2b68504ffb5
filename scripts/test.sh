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
# A private PostgreSQL on a loopback port for the scale-out tests (VIGIL_TEST_POSTGRES), removed on exit.
source scripts/postgres.sh
trap vigil_postgres_stop EXIT
# The whole suite, one test target at a time (fast unit targets first), with each target's wall time.
# `swift test --filter VigilPlatesTests` runs one of them alone.
targets=(VigilCoreTests VigilPlatesTests VigilAnalysisTests VigilBehaviourTests VigilMediaTests VigilHooksTests VigilStoreTests VigilClusterTests VigilAPITests VigilEEGTests
         VigilCrimeTests VigilPlatesIntegrationTests VigilVisionTests VigilDaemonTests)
for directory in Tests/Vigil*Tests; do
  [[ " ${targets[*]} " == *" $(basename "$directory") "* ]] || { echo "test: $(basename "$directory") is not in scripts/test.sh's target list" >&2; exit 1; }
done
summary=() failed=0
for target in "${targets[@]}"; do
  start=$(date +%s)
  status=0
  swift test --skip-build --no-parallel --filter "^$target\." || status=$?
  seconds=$(( $(date +%s) - start ))
  summary+=("$(printf '%-18s %5d s  %s' "$target" "$seconds" "$([ "$status" -eq 0 ] && echo passed || echo FAILED)")")
  [ "$status" -eq 0 ] || failed=1
done
echo "test: wall time per target"
printf '  %s\n' "${summary[@]}"
exit "$failed"
