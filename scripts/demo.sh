#!/usr/bin/env bash
# The main job on the demo: set up, build, import the demo watchlist into an
# embedded SQLite database in the working directory, scan the demo clip, then
# run the daemon on cameras/ (the demo clip as a looping camera) for 15 s and
# list the alerts it committed.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
swift build -c release --product vigil 2>&1 | tail -n 1
vigil=$(swift build -c release --show-bin-path)/vigil
export VIGIL_DB=${VIGIL_DB:-vigil.sqlite}
"$vigil" watchlist import watchlists/demo
"$vigil" watchlist list demo
"$vigil" scan .demo/demo.mp4 --watchlist demo
"$vigil" config check
echo "demo: running the daemon for 15 s (Ctrl-C stops it earlier)"
status=0
timeout -s INT 15 "$vigil" run --db "$VIGIL_DB" || status=$?
[ "$status" -eq 0 ] || [ "$status" -eq 124 ] || exit "$status"
"$vigil" status
"$vigil" alerts list
