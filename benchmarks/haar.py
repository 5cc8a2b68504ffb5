#!/usr/bin/python3
"""Vigil's Haar evaluators against OpenCV's, on the same frames, in one run.

`vigil bench speed --detector haar` scans each shared clip at 5 fps under
`VIGIL_HAAR_ENGINE=opencv` (cv::CascadeClassifier), `avx2` (Vigil's, eight
windows at a time) and `avx512` (sixteen). All find the same boxes
(HaarEngineTests asserts it), so the face counts must agree; the ratios of
detection milliseconds per frame are the evaluators' gains. An engine the CPU
lacks falls back to the next narrower one, and the line says so.

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
        print(f"{'clip':<32} {'frames':>6} {'faces':>11} {'OpenCV ms':>10} {'AVX2 ms':>8} {'ratio':>6} {'AVX-512 ms':>10} {'ratio':>6}")
        for clip in CLIPS:
            runs = {engine: detect_ms(vigil, dict(base, VIGIL_HAAR_ENGINE=engine), clip) for engine in ["opencv", "avx2", "avx512"]}
            same = "same" if len({r[2] for r in runs.values()}) == 1 else "DIFFER"
            base_ms = runs["opencv"][0]
            print(f"{clip:<32} {runs['opencv'][1]:>6} {runs['opencv'][2]:>4} ({same}) {base_ms:>10.1f} "
                  f"{runs['avx2'][0]:>8.1f} {base_ms / runs['avx2'][0]:>5.2f}x {runs['avx512'][0]:>10.1f} {base_ms / runs['avx512'][0]:>5.2f}x")

if __name__ == "__main__":
    main()
