#!/usr/bin/python3
"""Vigil against the Python face_recognition pipeline on the same clip, in one run.

Both analyse the shared Hamilton clip at 5 fps with Lin-Manuel Miranda and Alex
Lacamoire enrolled; both sides' matches are listed, and Vigil's analysed
frames per CPU-second are reported as a ratio to the peer's. Set up the peer
first with benchmarks/python_peer/setup.sh (never run by CI).

The peer runs with OPENBLAS_NUM_THREADS=1, as Vigil holds OpenBLAS to the calling
thread itself: dlib's idle OpenBLAS threads spin on sched_yield, which would add
CPU time to the peer that is not its pipeline's work.
"""
import json
import os
import resource
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DATA = os.environ.get("VIGIL_SHARED_DATA", os.path.join(ROOT, "..", "shared", "data"))


def child_cpu():
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def main():
    clip = os.path.join(DATA, "video", "hamilton_short_clip.mp4")
    known = {"lin_manuel_miranda": os.path.join(DATA, "faces", "lin_manuel_miranda", "1.png"),
             "alex_lacamoire": os.path.join(DATA, "faces", "alex_lacamoire", "2.png")}
    python = os.path.join(ROOT, "benchmarks", "python_peer", ".venv", "bin", "python")
    if not os.path.exists(python):
        sys.exit("run benchmarks/python_peer/setup.sh first")
    bin_path = subprocess.run(["swift", "build", "-c", "release", "--show-bin-path"], cwd=ROOT, capture_output=True, text=True)
    vigil = os.path.join(bin_path.stdout.strip(), "vigil")

    before = child_cpu()
    peer = json.loads(subprocess.run([python, os.path.join(ROOT, "benchmarks", "python_peer", "pipeline.py"), clip, "5"]
                                     + [f"{k}={v}" for k, v in known.items()], capture_output=True, text=True, check=True,
                                     env=dict(os.environ, OPENBLAS_NUM_THREADS="1")).stdout)
    peer_cpu = child_cpu() - before

    db = tempfile.mktemp(suffix=".sqlite")
    env = dict(os.environ, VIGIL_DB=db, VIGIL_MODELS=os.path.join(ROOT, "models"))
    subprocess.run([vigil, "watchlist", "create", "hamilton"], env=env, check=True, stdout=subprocess.DEVNULL)
    for subject, image in known.items():
        subprocess.run([vigil, "watchlist", "enroll", "hamilton", "--subject", subject, image], env=env, check=True,
                       stdout=subprocess.DEVNULL)
    print(f"peer (face_recognition + OpenCV Haar): {peer['frames_analysed']} frames, {peer['faces']} faces, "
          f"{len(peer['matches'])} matches, {peer_cpu:.2f} CPU s ({peer['cpu_seconds']:.2f} s in the loop), {peer['wall_seconds']:.2f} s wall")
    print("  matches:", " ".join(f"{m['t']}s:{m['subject']}({m['distance']})" for m in peer["matches"]))
    peer_fps = peer["frames_analysed"] / peer_cpu
    # The `--track` runs are the daemon's pipeline (motion regions, detection cadence, tracks): `vigil scan --track`,
    # with Vigil's Haar evaluator (the widest the CPU runs: AVX-512F or AVX2), then with OpenCV's (same boxes).
    opencv = {"VIGIL_HAAR_ENGINE": "opencv"}
    for detector, extra, pinned in [("haar", [], {}), ("haar-verified", [], {}), ("haar-verified", ["--track"], {}),
                                    ("haar-verified", ["--track"], opencv)]:
        before = child_cpu()
        out = subprocess.run([vigil, "scan", clip, "--watchlist", "hamilton", "--fps", "5", "--detector", detector, "--json"] + extra,
                             env=dict(env, **pinned), capture_output=True, text=True, check=True).stdout.splitlines()
        cpu = child_cpu() - before
        rows = [json.loads(line) for line in out]
        summary = rows[-1]["summary"]
        matched = [r for r in rows[:-1] if r.get("subject")]
        fps = summary["frames_analysed"] / cpu
        engine = f" [{pinned['VIGIL_HAAR_ENGINE']} Haar]" if pinned else ""
        print(f"vigil --detector {detector}{' ' + ' '.join(extra) if extra else ''}{engine}: {summary['frames_analysed']} frames, {summary['faces']} faces, {len(matched)} matches, "
              f"{cpu:.2f} CPU s, {summary['wall_seconds']:.2f} s wall; frames per CPU-second {fps:.1f} vs peer {peer_fps:.1f}: "
              f"ratio {fps / peer_fps:.2f}")
        print("  matches:", " ".join(f"{r['t']}s:{r['subject']}({r['distance']})" for r in matched))
    os.remove(db)


if __name__ == "__main__":
    main()
