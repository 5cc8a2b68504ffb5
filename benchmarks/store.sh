#!/usr/bin/env bash
# The store on each backend, side by side: watchlist writes (one enrolment intent, with its audit
# lines, per transaction), matcher reloads, and alerts committed with their outbox rows, on an
# SQLite file and on a real PostgreSQL 15 (a private cluster on a loopback port, removed at the
# end). Release build; run on a quiet machine.
# Usage: bash benchmarks/store.sh [--subjects 300 --images 3 --reloads 30 --alerts 1000 --hooks 2]
set -euo pipefail
cd "$(dirname "$0")/.."
swift build -c release --product vigil-full 2>&1 | tail -n 1
VIGIL_TEST_POSTGRES_PORT=${VIGIL_BENCH_POSTGRES_PORT:-55433} source scripts/postgres.sh
trap vigil_postgres_stop EXIT
.build/release/vigil-full bench store --database "$(vigil_postgres_database vigil_bench)" "$@"
