#!/usr/bin/env bash
# Plate reading benchmark (not part of the test suite) on ../shared/data/plates:
#  - `vigil plates eval` (release build): detection recall, exact and within-one
#    reads, ms per image, end to end on every set;
#  - the peer in the same run: Tesseract alone (CLI), on the raw crops and on the
#    first LIMIT whole frames of each set, with Vigil on the same frames, and the ratios.
set -euo pipefail
cd "$(dirname "$0")/.."
data=${VIGIL_SHARED_DATA:-../shared/data}/plates
limit=${LIMIT:-20}
command -v tesseract >/dev/null || { echo "plates: the peer needs the tesseract CLI (apt-get install tesseract-ocr)" >&2; exit 1; }
swift build -c release --product vigil 2>&1 | tail -n 1
swift build -c release --product vigil-full 2>&1 | tail -n 1   # what `vigil` runs for commands that need vision
vigil=$(swift build -c release --show-bin-path)/vigil
echo "== vigil, every image"
"$vigil" plates eval "$data/us" "$data/eu" "$data/br" "$data/us_crops"
echo "== same images as the peer (first $limit of each set; crops: all)"
"$vigil" plates eval --limit "$limit" "$data/us" "$data/eu" "$data/br"
for set in us_crops us eu br; do
  if [ "$set" = us_crops ]; then python3 benchmarks/plates_peer.py "$data/$set"; else python3 benchmarks/plates_peer.py "$data/$set" "$limit"; fi
done
