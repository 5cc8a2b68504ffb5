#!/usr/bin/env bash
# EEG analysis benchmark (not part of the test suite): seconds to read and analyse
# (all EEG channels, Welch 2 s / 50%, five bands) the 64-channel eegmmidb file and
# the 600 s generator file with `vigil eeg bands` (release build), and the same
# analysis with pyedflib + scipy.signal.welch (scripts/eeg_reference.py) in the same
# run; best of RUNS, and the ratio. Both the in-process read+analysis time (as each
# side reports it) and the whole process (start-up included) are printed.
set -euo pipefail
cd "$(dirname "$0")/.."
data=${VIGIL_SHARED_DATA:-../shared/data}/eeg
runs=${RUNS:-5}
python=.build-tools/venv/bin/python
swift build -c release --product vigil 2>&1 | tail -n 1
swift build -c release --product vigil-full 2>&1 | tail -n 1   # what `vigil` runs for commands that need vision
vigil=$(swift build -c release --show-bin-path)/vigil
best() { # command... -> best wall seconds over $runs runs
  local best=999999
  for _ in $(seq "$runs"); do
    local start end
    start=$(date +%s.%N); "$@" >/dev/null; end=$(date +%s.%N)
    best=$(python3 -c "print(min($best, $end - $start))")
  done
  echo "$best"
}
inner() { # best in-process read+analysis seconds over $runs runs, as each side reports it
  local best=999999
  for _ in $(seq "$runs"); do
    local s
    if [ "$1" = vigil ]; then s=$("$vigil" eeg bands "$2" --json --timing 2>&1 >/dev/null | sed -n 's/read+analysis \([0-9.]*\) s/\1/p')
    else s=$("$python" scripts/eeg_reference.py "$2" | tail -n 1 | sed -n 's/.*"seconds": \([0-9.e-]*\).*/\1/p'); fi
    best=$(python3 -c "print(min($best, $s))")
  done
  echo "$best"
}
for file in physionet_eegmmidb_S001R01_eyes_open.edf pyedflib_test_generator.edf physionet_eegmat_Subject00_1_rest.edf; do
  ours=$(best "$vigil" eeg bands "$data/$file" --json)
  peer=$(best "$python" scripts/eeg_reference.py "$data/$file")
  ours_in=$(inner vigil "$data/$file")
  peer_in=$(inner peer "$data/$file")
  python3 -c "print(f'$file: read+analysis vigil {$ours_in:.3f} s, pyedflib+scipy {$peer_in:.3f} s, ratio {$ours_in / $peer_in:.2f}; whole process {$ours:.2f} s vs {$peer:.2f} s')"
done
