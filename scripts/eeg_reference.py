#!/usr/bin/env python3
"""The reference for Vigil's EEG band powers: the same analysis with a reader
and a spectrum Vigil does not share. pyedflib (PyPI) reads the file;
scipy.signal.welch computes the spectrum (Hann, nperseg = SEGMENT * fs,
50% overlap, mean detrend, density); a band's power is the sum of its bins
in [low, high) times the bin width, relative to the power between the
outer band edges. Prints one JSON object per EEG channel (the labels given,
or every channel with a voltage unit), and its own time.

usage: eeg_reference.py FILE [--channels A,B] [--segment 2]
"""
import argparse
import json
import time

import numpy as np
import pyedflib
from scipy.signal import welch

BANDS = [("delta", 0.5, 4), ("theta", 4, 8), ("alpha", 8, 13), ("beta", 13, 30), ("gamma", 30, 45)]
MICROVOLTS = {"uv": 1.0, "µv": 1.0, "mv": 1000.0, "v": 1e6}


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("file")
    parser.add_argument("--channels")
    parser.add_argument("--segment", type=float, default=2)
    parser.add_argument("--samples", type=int, help="print the first N physical samples of each channel instead")
    args = parser.parse_args()
    started = time.perf_counter()
    reader = pyedflib.EdfReader(args.file)
    labels = reader.getSignalLabels()
    wanted = args.channels.split(",") if args.channels else None
    low, high = BANDS[0][1], BANDS[-1][2]
    for i, label in enumerate(labels):
        unit = reader.getPhysicalDimension(i).strip().lower()
        if wanted is not None and label not in wanted:
            continue
        if wanted is None and (unit not in MICROVOLTS or label.lower().startswith(("ecg", "status"))):
            continue
        if args.samples:
            print(json.dumps({"channel": label, "samples": reader.readSignal(i, 0, args.samples).tolist()}))
            continue
        fs = reader.getSampleFrequency(i)
        x = reader.readSignal(i) * MICROVOLTS.get(unit, 1.0)
        f, p = welch(x, fs=fs, window="hann", nperseg=int(round(args.segment * fs)), noverlap=None, detrend="constant")
        df = f[1] - f[0]
        power = lambda lo, hi: float(p[(f >= lo) & (f < hi)].sum() * df)
        total = power(low, high)
        print(json.dumps({"channel": label, "total": total,
                          "relative": {name: power(lo, hi) / total for name, lo, hi in BANDS},
                          "absolute": {name: power(lo, hi) for name, lo, hi in BANDS}}))
    reader.close()
    print(json.dumps({"seconds": time.perf_counter() - started}))


if __name__ == "__main__":
    main()
