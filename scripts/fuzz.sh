#!/usr/bin/env bash
# Coverage-guided fuzzing with libFuzzer and AddressSanitizer: one harness per input
# Vigil takes from outside (Sources/VigilFuzz). Not part of the test suite (it runs for minutes);
# the inputs it finds are replayed by FuzzRegressionTests.
#
#   bash scripts/fuzz.sh TARGET [SECONDS]     TARGET: edf incidents config watchlists multipart image video, or all
#
# Seeds come from ../shared/data and the repository's examples (made under .build/fuzz-corpus,
# never committed). Prints executions, coverage and whether anything crashed, leaked or tripped ASan.
set -euo pipefail
cd "$(dirname "$0")/.."
target=${1:?usage: fuzz.sh TARGET [SECONDS]}
seconds=${2:-600}
data=${VIGIL_SHARED_DATA:-../shared/data}
build=.build/fuzz
targets=(edf incidents config watchlists multipart image video)
if [[ $target == all ]]; then
  failed=0
  for t in "${targets[@]}"; do bash "$0" "$t" "$seconds" || failed=1; done
  exit $failed
fi
[[ " ${targets[*]} " == *" $target "* ]] || { echo "fuzz: unknown target '$target' (${targets[*]})" >&2; exit 2; }

# Every Swift module is built with AddressSanitizer and libFuzzer's coverage (8-bit counters, PC
# table, comparisons), and linked with libFuzzer without its `main`: SwiftPM makes the module's
# own entry point `main`, and that hands over to libFuzzer (Sources/vigil-fuzz). This is what
# `-sanitize=fuzzer` does, minus the second `main`. (If the flags change, delete .build/fuzz:
# SwiftPM does not rebuild every object for a flag change.)
runtime=$(dirname "$(readlink -f "$(command -v swift)")")/../lib/clang
fuzzer=$(ls "$runtime"/*/lib/linux/libclang_rt.fuzzer_no_main-x86_64.a | head -n 1)
flags=(-Xswiftc -sanitize=address -Xswiftc -sanitize-coverage=edge,inline-8bit-counters,pc-table,trace-cmp
       -Xlinker "$fuzzer" -Xlinker -lstdc++)
log=$(mktemp)
if ! VIGIL_FUZZ=1 swift build --build-path "$build" --product vigil-fuzz "${flags[@]}" >"$log" 2>&1; then
  grep -E "error" "$log" | grep -v "Cannot export" | head -n 30 || tail -n 30 "$log"
  echo "fuzz: build failed" >&2
  exit 1
fi
binary=$(VIGIL_FUZZ=1 swift build --build-path "$build" --product vigil-fuzz "${flags[@]}" --show-bin-path)/vigil-fuzz

corpus=.build/fuzz-corpus/$target
seeds=$corpus/seeds
found=$corpus/found
artifacts=$corpus/artifacts
mkdir -p "$seeds" "$found" "$artifacts"
prefixed() { # prefixed BYTE SOURCE NAME: the harness's first byte chooses the parser
  { printf "\\x$1"; cat "$2"; } >"$seeds/$3"
}
small_video() { # small_video SECONDS OUTPUT [ffmpeg output options]
  local out=$2; shift 2
  ffmpeg -loglevel error -y -t 0.6 -i "$data/video/hamilton_short_clip.mp4" -vf scale=96:-2 -an "$@" "$out"
}
case $target in
  edf) cp "$data"/eeg/*.edf "$data"/eeg/*.bdf "$seeds/" ;;
  incidents)
    for f in "$data"/crime/*.csv; do head -c 20000 "$f" >"$seeds/.tmp"; prefixed 01 "$seeds/.tmp" "$(basename "$f")"; done
    for f in Sources/VigilCrime/Resources/mappings/*.yaml; do prefixed 00 "$f" "$(basename "$f")"; done
    rm -f "$seeds/.tmp" ;;
  config)
    for f in cameras/*.yaml; do prefixed 01 "$f" "camera-$(basename "$f")"; done
    printf 'database: vigil.sqlite\nsnapshots: snapshots\nworkers: 2\napi:\n  port: 0\n  trusted_proxies: [127.0.0.1, 10.0.0.0/8]\nhooks:\n  - name: siem\n    type: webhook\n    url: https://siem.example/in\n    secret: 0123456789abcdef0123456789abcdef\n' >"$seeds/.tmp"
    prefixed 00 "$seeds/.tmp" vigil.yaml; rm -f "$seeds/.tmp" ;;
  watchlists)
    prefixed 00 watchlists/demo-plates.csv plates.csv
    prefixed 01 watchlists/demo/watchlist.yaml watchlist.yaml ;;
  multipart)
    printf 'b0undary\n--b0undary\r\nContent-Disposition: form-data; name="display_name"\r\n\r\nAda\r\n--b0undary\r\nContent-Disposition: form-data; name="image"; filename="a.png"\r\nContent-Type: image/png\r\n\r\n\x89PNG\r\n--b0undary--\r\n' >"$seeds/form" ;;
  image)
    n=0
    for f in "$data"/faces/obama/1.jpg "$data"/faces/lin_manuel_miranda/1.png "$data"/faces/biden/1.jpg; do
      n=$((n + 1))
      for ext in jpg png bmp webp; do ffmpeg -loglevel error -y -i "$f" -vf scale=48:-2 -frames:v 1 "$seeds/face$n.$ext"; done
    done ;;
  video)
    small_video 0.6 "$seeds/clip.mp4" -c:v libx264 -preset ultrafast
    small_video 0.6 "$seeds/clip.ts" -c:v libx264 -preset ultrafast -f mpegts
    small_video 0.6 "$seeds/clip.mkv" -c:v libx264 -preset ultrafast
    small_video 0.6 "$seeds/clip.h264" -c:v libx264 -preset ultrafast -f h264
    small_video 0.6 "$seeds/clip.avi" -c:v mjpeg
    small_video 0.6 "$seeds/clip.webm" -c:v libvpx -deadline realtime ;;
esac

echo "fuzz: $target for ${seconds}s ($(ls "$seeds" | wc -l) seeds)"
earlier=$(ls "$artifacts" | wc -l)
out=$(mktemp)
status=0
VIGIL_FUZZ_TARGET=$target ASAN_OPTIONS=detect_leaks=1:allocator_may_return_null=1 \
  LSAN_OPTIONS=suppressions=$PWD/scripts/lsan.supp:print_suppressions=0 OMP_THREAD_LIMIT=1 \
  "$binary" "$found" "$seeds" -max_total_time="$seconds" -max_len=65536 -rss_limit_mb=2048 -timeout=20 \
  -print_final_stats=1 -artifact_prefix="$artifacts/" >"$out" 2>&1 || status=$?
execs=$(grep -oE "stat::number_of_executed_units: *[0-9]+" "$out" | grep -oE "[0-9]+$" || echo 0)
cov=$(grep -oE "cov: [0-9]+" "$out" | tail -1 | grep -oE "[0-9]+" || echo 0)
crashes=$(( $(ls "$artifacts" | wc -l) - earlier ))
echo "fuzz: $target: $execs executions in ${seconds}s, coverage $cov edges, corpus $(ls "$found" | wc -l), findings $crashes, exit $status"
if [[ $status -ne 0 || $crashes -ne 0 ]]; then
  grep -E "ERROR|SUMMARY|==[0-9]+==|Fatal|panic|crash" "$out" | head -n 20
  echo "fuzz: findings in $artifacts: copy each to Tests/VigilCoreTests/FuzzRegressions/$target/ and fix" >&2
  exit 1
fi
