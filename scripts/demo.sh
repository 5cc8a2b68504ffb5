#!/usr/bin/env bash
# The main job on the demo: set up, build, import the demo watchlist into an
# embedded SQLite database in the working directory, scan the demo clip.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
swift build -c release --product vigil 2>&1 | tail -n 1
vigil=$(swift build -c release --show-bin-path)/vigil
export VIGIL_DB=${VIGIL_DB:-vigil.sqlite}
"$vigil" watchlist import watchlists/demo
"$vigil" watchlist list demo
"$vigil" scan .demo/demo.mp4 --watchlist demo
