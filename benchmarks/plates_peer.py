#!/usr/bin/env python3
"""The peer for benchmarks/plates.sh: Tesseract on its own (the `tesseract` CLI,
LSTM, A-Z0-9 whitelist), the way one would read plates without Vigil's
localisation and segmentation. Tight crops are read as one line (--psm 7); full
frames as sparse text (--psm 11), a plate counting as read when one of the
output's lines, spaces dropped, equals it. Prints one line per set.

usage: plates_peer.py SET_DIR [LIMIT]
"""
import csv
import os
import subprocess
import sys
import time

WHITELIST = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"


def read(path, psm):
    out = subprocess.run(["tesseract", path, "stdout", "--psm", str(psm), "-c", f"tessedit_char_whitelist={WHITELIST}"],
                         capture_output=True, text=True, env={**os.environ, "OMP_THREAD_LIMIT": "1"}).stdout
    return {"".join(line.split()) for line in out.splitlines() if line.strip()}


def main():
    directory = sys.argv[1]
    limit = int(sys.argv[2]) if len(sys.argv) > 2 else None
    rows = list(csv.DictReader(open(os.path.join(directory, "truth.csv"))))[:limit]
    crops = not rows[0].get("x")
    exact, elapsed = 0, 0.0
    for row in rows:
        start = time.perf_counter()
        lines = read(os.path.join(directory, row["file"]), 7 if crops else 11)
        elapsed += time.perf_counter() - start
        exact += row["plate"] in lines
    mode = "raw crop, --psm 7" if crops else "whole frame, --psm 11"
    print(f"peer tesseract ({mode}) {os.path.basename(directory)}: {len(rows)} images, exact {100 * exact / len(rows):.1f}%, "
          f"{1000 * elapsed / len(rows):.1f} ms/image")


if __name__ == "__main__":
    main()
