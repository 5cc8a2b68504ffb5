#!/usr/bin/env bash
# Face pipeline benchmark on the shared data (not part of the test suite):
#  - per-stage milliseconds (decode, detect, landmarks+encode, match) on each shared video,
#  - decode-only throughput next to `ffmpeg -benchmark` on the same file in the same run, as a ratio,
#  - identification / verification / detection accuracy on the shared face set,
#  - resident memory across repeated decodes of the 1080p clip.
set -euo pipefail
cd "$(dirname "$0")/.."
data=${VIGIL_SHARED_DATA:-../shared/data}
swift build -c release --product vigil 2>&1 | tail -n 1
swift build -c release --product vigil-full 2>&1 | tail -n 1   # what `vigil` runs for commands that need vision
vigil=$(swift build -c release --show-bin-path)/vigil
echo "== per-stage timings and decode throughput (fps ${FPS:-5}, detector ${DETECTOR:-auto})"
for detector in ${DETECTOR:-haar-verified haar hog}; do
  echo "-- detector $detector"
  "$vigil" bench speed --detector "$detector" --fps "${FPS:-5}" "$data"/video/*.mp4
done
echo "== accuracy"
"$vigil" bench faces "$data/faces"
echo "== memory across decodes"
"$vigil" bench decode --repeat 5 "$data/video/pedestrians_faces_1080p.mp4"
