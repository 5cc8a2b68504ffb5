#!/usr/bin/python3
"""API under load while cameras run: `wrk` (Debian) against GET /v1/alerts and
GET /metrics on 127.0.0.1 while K file cameras (default 4) play at their native
frame rate through `vigil run`, each analysed at 5 fps.

It measures the cameras' analysed + motion-skipped frames per second three
ways: with no HTTP load, under wrk on /v1/alerts, and under wrk on /metrics.
It prints wrk's requests/s and latency p50/p99 for each endpoint, and the
change in the cameras' analysed fps.

    benchmarks/api_load.py [--cameras 4] [--seconds 20] [--connections 16]

Needs a release build (`swift build -c release`), wrk, and ../shared/data.
"""
import argparse
import os
import re
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DATA = os.environ.get("VIGIL_SHARED_DATA", os.path.join(ROOT, "..", "shared", "data"))


def vigil_binary():
    out = subprocess.run(["swift", "build", "-c", "release", "--show-bin-path"], cwd=ROOT, capture_output=True, text=True)
    return os.path.join(out.stdout.strip(), "vigil")


def handled(db):
    """Frames analysed or skipped as still, per camera, as the daemon last reported."""
    with sqlite3.connect(db) as c:
        return {row[0]: row[1] + row[2] for row in c.execute("SELECT cameraID, framesAnalysed, motionSkipped FROM cameraStatus")}


def camera_fps(db, seconds):
    before = handled(db)
    time.sleep(seconds)
    after = handled(db)
    return {k: (after[k] - before.get(k, 0)) / seconds for k in after}


def wrk(url, token, seconds, connections):
    out = subprocess.run(["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--latency", "-H", f"Authorization: Bearer {token}", url],
                         capture_output=True, text=True, check=True).stdout
    rps = float(re.search(r"Requests/sec:\s+([0-9.]+)", out).group(1))
    def latency(p):
        value, unit = re.search(rf"\s{p}%\s+([0-9.]+)(us|ms|s)", out).groups()
        return float(value) * {"us": 0.001, "ms": 1, "s": 1000}[unit]
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    return rps, latency(50), latency(99), int(errors.group(1)) if errors else 0


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--cameras", type=int, default=4)
    parser.add_argument("--seconds", type=int, default=20)
    parser.add_argument("--connections", type=int, default=16)
    args = parser.parse_args()
    if not shutil.which("wrk"):
        sys.exit("wrk is not installed (apt-get install wrk)")
    vigil = vigil_binary()
    work = tempfile.mkdtemp(prefix="vigil-api-load-")
    try:
        os.makedirs(f"{work}/cameras")
        port = 18000 + os.getpid() % 1000
        with open(f"{work}/vigil.yaml", "w") as f:
            f.write(f"database: vigil.sqlite\nsnapshots: snapshots\nmodels: {ROOT}/models\nlog_level: warning\n"
                    f"api:\n  port: {port}\n")
        clip = f"{DATA}/video/hamilton_short_clip.mp4"
        for i in range(args.cameras):
            with open(f"{work}/cameras/cam{i}.yaml", "w") as f:
                f.write(f"id: cam{i}\nurl: {clip}\nloop: true\nanalyse_fps: 5\ncooldown: 5\nface:\n  max_side: 640\n")
        db = f"{work}/vigil.sqlite"
        env = dict(os.environ, VIGIL_DB=db, VIGIL_MODELS=f"{ROOT}/models")
        run = lambda *a: subprocess.run([vigil, *a], env=env, capture_output=True, text=True, check=True).stdout
        run("watchlist", "create", "stage")
        run("watchlist", "enroll", "stage", "--subject", "lin", f"{DATA}/faces/lin_manuel_miranda/1.png")
        token = run("tokens", "create", "load", "--role", "viewer").strip()
        daemon = subprocess.Popen([vigil, "run", "--config", f"{work}/vigil.yaml"], env=env, cwd=work,
                                  stderr=open(f"{work}/daemon.log", "w"))
        try:
            time.sleep(8)  # cameras streaming, first alerts stored
            base = f"http://127.0.0.1:{port}"
            baseline = camera_fps(db, args.seconds)
            results = []
            for path in ["/v1/alerts?limit=50", "/metrics"]:
                start = handled(db)
                rps, p50, p99, errors = wrk(base + path, token, args.seconds, args.connections)
                end = handled(db)
                fps = {k: (end[k] - start.get(k, 0)) / args.seconds for k in end}
                results.append((path, rps, p50, p99, errors, fps))
            alerts = sqlite3.connect(db).execute("SELECT COUNT(*) FROM alert").fetchone()[0]
        finally:
            daemon.terminate()
            daemon.wait(timeout=20)
        mean = lambda d: sum(d.values()) / max(1, len(d))
        print(f"{args.cameras} cameras (hamilton 640x360 at native rate, analysed at 5 fps), {alerts} alerts stored; "
              f"wrk -t2 -c{args.connections} -d{args.seconds}s")
        print(f"no HTTP load: cameras handle {mean(baseline):.2f} fps each (min {min(baseline.values()):.2f})")
        for path, rps, p50, p99, errors, fps in results:
            change = 100 * (mean(fps) - mean(baseline)) / max(0.01, mean(baseline))
            print(f"GET {path}: {rps:.0f} requests/s, latency p50 {p50:.2f} ms, p99 {p99:.2f} ms, {errors} non-2xx; "
                  f"cameras {mean(fps):.2f} fps each (min {min(fps.values()):.2f}), {change:+.0f}% against no load")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
