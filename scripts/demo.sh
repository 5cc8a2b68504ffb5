#!/usr/bin/env bash
# The main job on the demo: set up, build, import the demo watchlist into an
# embedded SQLite database in the working directory (and the demo plate
# deny-list), scan the demo clip, then
# run the daemon on cameras/ (the demo clip as a looping camera) for 15 s and
# list the alerts it committed.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
swift build -c release --product vigil 2>&1 | tail -n 1
swift build -c release --product vigil-full 2>&1 | tail -n 1   # what `vigil` runs for commands that need vision
vigil=$(swift build -c release --show-bin-path)/vigil
export VIGIL_DB=${VIGIL_DB:-vigil.sqlite}
"$vigil" watchlist import watchlists/demo
"$vigil" watchlist list demo
"$vigil" scan .demo/demo.mp4 --watchlist demo
# A plate deny-list from its importable definition (CSV, all or nothing).
"$vigil" watchlist list demo-plates >/dev/null 2>&1 || "$vigil" watchlist create demo-plates --kind plate --region any
"$vigil" watchlist import-plates demo-plates watchlists/demo-plates.csv
"$vigil" config check
token=$("$vigil" tokens create "demo-$(date +%s)" --role operator 2>/dev/null)
seconds=${DEMO_SECONDS:-15}
echo "demo: running the daemon for $seconds s (DEMO_SECONDS=600 for longer; Ctrl-C stops it earlier)"
echo "demo: control-room page at http://127.0.0.1:8080/ -- sign in with this operator token: $token"
status=0
timeout -s INT "$seconds" "$vigil" run --db "$VIGIL_DB" || status=$?
[ "$status" -eq 0 ] || [ "$status" -eq 124 ] || exit "$status"
"$vigil" status
"$vigil" alerts list
"$vigil" watchlist audit --limit 5
