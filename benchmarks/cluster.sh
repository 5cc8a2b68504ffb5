#!/usr/bin/env bash
# Scale-out costs on a real PostgreSQL 15 (a private cluster on a loopback port, removed at the end):
# lease renewal latency with several nodes, fail-over time after a crash, change-feed latency.
# Release build; run on a quiet machine. Usage: bash benchmarks/cluster.sh [--nodes 3 --cameras 24 ...]
set -euo pipefail
cd "$(dirname "$0")/.."
swift build -c release --product vigil-full 2>&1 | tail -n 1
VIGIL_TEST_POSTGRES_PORT=${VIGIL_BENCH_POSTGRES_PORT:-55433} source scripts/postgres.sh
trap vigil_postgres_stop EXIT
.build/release/vigil-full bench cluster --database "$(vigil_postgres_database vigil_bench)" "$@"
