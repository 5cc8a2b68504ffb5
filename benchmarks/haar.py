#!/usr/bin/python3
"""Vigil's Haar evaluator against OpenCV's, on the same frames, in one run.

`vigil bench speed --detector haar` scans each shared clip at 5 fps twice: with
the sixteen-lane evaluator (the default where the CPU has AVX-512F) and with
`VIGIL_HAAR_ENGINE=opencv` (cv::CascadeClassifier). Both find the same boxes
(HaarEngineTests asserts it), so the face counts must agree; the ratio of
detection milliseconds per frame is the evaluator's gain.

    benchmarks/haar.py

Needs a release build (`swift build -c release`) and ../shared/data.
"""
import os
import re
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DATA = os.environ.get("VIGIL_SHARED_DATA", os.path.join(ROOT, "..", "shared", "data"))
CLIPS = ["hamilton_short_clip.mp4", "pedestrians_faces_1080p.mp4", "mot20_05_crowd_overhead.mp4"]


def detect_ms(vigil, env, clip):
    out = subprocess.run([vigil, "bench", "speed", os.path.join(DATA, "video", clip), "--detector", "haar"],
                         env=env, capture_output=True, text=True, check=True).stdout
    m = re.search(r"  detect  ([\d.]+)  (\d+) analysed, (\d+) faces", out)
    if not m:
        sys.exit(f"unexpected output from vigil bench speed:\n{out}")
    return float(m.group(1)), int(m.group(2)), int(m.group(3))


def main():
    bin_path = subprocess.run(["swift", "build", "-c", "release", "--show-bin-path"], cwd=ROOT, capture_output=True, text=True)
    vigil = os.path.join(bin_path.stdout.strip(), "vigil")
    with tempfile.TemporaryDirectory() as work:
        base = dict(os.environ, VIGIL_DB=os.path.join(work, "v.sqlite"), VIGIL_MODELS=os.path.join(ROOT, "models"))
        print(f"{'clip':<32} {'frames':>6} {'faces':>11} {'OpenCV ms':>10} {'Vigil ms':>9} {'ratio':>6}")
        for clip in CLIPS:
            theirs = detect_ms(vigil, dict(base, VIGIL_HAAR_ENGINE="opencv"), clip)
            ours = detect_ms(vigil, dict(base, VIGIL_HAAR_ENGINE="vector"), clip)
            same = "same" if theirs[2] == ours[2] else "DIFFER"
            print(f"{clip:<32} {ours[1]:>6} {ours[2]:>4} ({same}) {theirs[0]:>10.1f} {ours[0]:>9.1f} {theirs[0] / ours[0]:>5.2f}x")


if __name__ == "__main__":
    main()
