"""scikit-learn's DBSCAN over haversine distance, the reference Vigil's DBSCAN is tested
against: reads `latitude,longitude` rows (degrees) from a CSV, prints one label per line.

    .build-tools/venv/bin/python scripts/dbscan_reference.py points.csv --eps-metres 150 --min-samples 25
"""
import argparse

import numpy as np
from sklearn.cluster import DBSCAN

EARTH_RADIUS = 6_371_008.8

parser = argparse.ArgumentParser()
parser.add_argument("points")
parser.add_argument("--eps-metres", type=float, required=True)
parser.add_argument("--min-samples", type=int, required=True)
args = parser.parse_args()
points = np.radians(np.loadtxt(args.points, delimiter=",", ndmin=2))
labels = DBSCAN(eps=args.eps_metres / EARTH_RADIUS, min_samples=args.min_samples, metric="haversine",
                algorithm="ball_tree").fit_predict(points)
print("\n".join(str(label) for label in labels))
