#!/usr/bin/env bash
# The Python peer for benchmarks (never run by CI): PyPI face_recognition with dlib
# built from PyPI source against OpenBLAS, and OpenCV for Haar detection, in a venv
# at benchmarks/python_peer/.venv (git-ignored). Building dlib takes ~10-20 min on 2 cores.
set -euo pipefail
cd "$(dirname "$0")"
apt-get install -y -q --no-install-recommends cmake libopenblas-dev liblapack-dev >/dev/null
[ -x .venv/bin/python ] || python3 -m venv .venv
.venv/bin/pip install --quiet --upgrade pip wheel "setuptools<81"  # face_recognition_models imports pkg_resources
.venv/bin/pip install --quiet --no-binary dlib dlib==19.24.6
# OpenCV 4.6, the version Debian 12 gives Vigil, so both sides run the same Haar code (4.14 made the peer 6% faster
# in one run); OpenCV 4.6's wheel needs numpy 1.
.venv/bin/pip install --quiet face-recognition==1.3.0 face-recognition-models==0.3.0 "opencv-python-headless==4.6.0.66" "numpy<2"
.venv/bin/python -c "import dlib, face_recognition, cv2; print('python peer ready: dlib', dlib.__version__, 'BLAS', dlib.DLIB_USE_BLAS, 'cv2', cv2.__version__)"
