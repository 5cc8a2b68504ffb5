#!/usr/bin/python3
"""RTSP reconnects: the camera's server is killed and started again N times (default 100);
each time, how long after the server accepts connections again until `vigil run` is
streaming (its first decoded frame). Reports every cycle recovered or not, and p50/p99/max.

    benchmarks/rtsp_reconnect.py [--cycles 100] [--down 2] [--initial 1] [--max 30]

`--down` is how long the server stays dead; `--initial`/`--max` are the camera's reconnect
back-off (the defaults are Vigil's). The latency is measured from the moment the restarted
server prints that it is serving to the moment the daemon logs `streaming` (read every 20 ms),
so it includes the back-off wait, RTSP set-up and the first key frame.

Needs a release build (`swift build -c release`), ../shared/data and the RTSP server's
GStreamer packages.
"""
import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DATA = os.environ.get("VIGIL_SHARED_DATA", os.path.join(ROOT, "..", "shared", "data"))


def free_port():
    import socket
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--cycles", type=int, default=100)
    parser.add_argument("--down", type=float, default=2)
    parser.add_argument("--initial", type=float, default=1)
    parser.add_argument("--max", type=float, default=30)
    args = parser.parse_args()
    out = subprocess.run(["swift", "build", "-c", "release", "--show-bin-path"], cwd=ROOT, capture_output=True, text=True)
    vigil = os.path.join(out.stdout.strip(), "vigil")
    work = tempfile.mkdtemp(prefix="vigil-rtsp-")
    clip = os.path.join(work, "clip.ts")
    subprocess.run(["ffmpeg", "-loglevel", "error", "-y", "-stream_loop", "5", "-i", os.path.join(DATA, "video", "hamilton_short_clip.mp4"),
                    "-an", "-c:v", "libx264", "-preset", "ultrafast", "-g", "15", "-f", "mpegts", clip], check=True)
    port = free_port()
    os.makedirs(os.path.join(work, "cameras"))
    with open(os.path.join(work, "vigil.yaml"), "w") as f:
        f.write("database: vigil.sqlite\nsnapshots: snapshots\nworkers: 1\nlog_level: info\napi:\n  enabled: false\n")
    with open(os.path.join(work, "cameras", "cam.yaml"), "w") as f:
        f.write(f"id: cam\nurl: rtsp://127.0.0.1:{port}/cam\nreconnect:\n  initial: {args.initial}\n  max: {args.max}\n")

    def start_server():
        process = subprocess.Popen(["/usr/bin/python3", os.path.join(ROOT, "scripts", "rtsp_server.py"), str(port), "cam", clip],
                                   stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        if "serving" not in process.stdout.readline():
            raise SystemExit("rtsp_reconnect: the RTSP server did not start")
        return process, time.monotonic()

    log_path = os.path.join(work, "daemon.log")
    server, _ = start_server()
    log = open(log_path, "w")
    daemon = subprocess.Popen([vigil, "run", "--config", os.path.join(work, "vigil.yaml")], cwd=work, stdout=subprocess.DEVNULL,
                              stderr=log, env=dict(os.environ, VIGIL_MODELS=os.path.join(ROOT, "models")))
    reader = open(log_path)

    def wait_streaming(timeout):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            line = reader.readline()
            if not line:
                time.sleep(0.02)
                continue
            if line.rstrip().endswith("] streaming"):
                return time.monotonic()
        return None

    latencies, failures = [], 0
    try:
        if wait_streaming(60) is None:
            raise SystemExit("rtsp_reconnect: the camera never streamed")
        for cycle in range(args.cycles):
            time.sleep(1.5)                      # streaming for a moment
            server.kill()
            server.wait()
            time.sleep(args.down)
            server, accepting = start_server()
            seen = wait_streaming(60)
            if seen is None:
                failures += 1
                print(f"cycle {cycle + 1}: not recovered within 60 s", flush=True)
                continue
            latencies.append(seen - accepting)
            if (cycle + 1) % 10 == 0:
                print(f"cycle {cycle + 1}: last {latencies[-1]:.2f} s, p50 so far {statistics.median(latencies):.2f} s", flush=True)
    finally:
        server.kill()
        daemon.terminate()
        daemon.wait(timeout=30)
    latencies.sort()
    p99 = latencies[min(len(latencies) - 1, int(0.99 * len(latencies) + 0.5) - 1)] if latencies else float("nan")
    print(f"\nrtsp_reconnect: {args.cycles} cycles, server down {args.down} s each, back-off {args.initial}-{args.max} s")
    print(f"recovered {len(latencies)}/{args.cycles}; reconnect after the server accepts: "
          f"p50 {statistics.median(latencies):.2f} s, p99 {p99:.2f} s, max {latencies[-1]:.2f} s")
    print(f"goal p99 <= 3 s: {'met' if p99 <= 3 and not failures else 'MISSED'}")
    return 0 if not failures else 1


if __name__ == "__main__":
    sys.exit(main())
