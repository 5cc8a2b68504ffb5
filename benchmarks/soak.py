#!/usr/bin/python3
"""Soak: 4 RTSP cameras through `vigil run` for an hour, on a bad day.

While it runs: watchlist edits every 2 minutes (a plate added and removed, a face
subject removed and enrolled again), a 5-minute outage of the webhook receiver,
every RTSP server killed and restarted every 10 minutes, and API reads every 10 s.
Every 10 s it samples the daemon's RSS, open files, threads, the database and
WAL sizes and the snapshots folder, into samples.csv (and soak.png when
matplotlib is installed).

At the end the cameras are stopped, the outbox is given time to drain, and it checks:
  * growth after warm-up: the mean of the last 10 minutes against the 10 minutes
    after warm-up, for RSS, open files, threads and WAL (must stay under 5%);
    the database and snapshots grow with alerts (reported as rates);
  * every committed alert was delivered: every outbox delivery is `delivered`,
    and the receiver logged each one's Vigil-Id with a valid signature.

    .build-tools/venv/bin/python benchmarks/soak.py [--minutes 60] [--cameras 4] [--out DIR]

(The venv's Python has matplotlib for the plot; any Python 3 runs it without the plot.)

Needs a release build (`swift build -c release`), ../shared/data, and the RTSP
server's GStreamer packages (scripts/setup.sh installs them).
"""
import argparse
import csv
import json
import os
import shutil
import signal
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DATA = os.environ.get("VIGIL_SHARED_DATA", os.path.join(ROOT, "..", "shared", "data"))
SECRET = "5f0c1d9e8b7a6f5e4d3c2b1a09f8e7d6c5b4a392817f6e5d"


def vigil_binary():
    out = subprocess.run(["swift", "build", "-c", "release", "--show-bin-path"], cwd=ROOT, capture_output=True, text=True)
    return os.path.join(out.stdout.strip(), "vigil")


def free_port():
    import socket
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(condition, timeout, step=0.2):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(step)
    return condition()


class Soak:
    def __init__(self, args):
        self.args = args
        self.work = args.out or tempfile.mkdtemp(prefix="vigil-soak-")
        os.makedirs(os.path.join(self.work, "cameras"), exist_ok=True)
        self.vigil = vigil_binary()
        self.db = os.path.join(self.work, "vigil.sqlite")
        self.env = dict(os.environ, VIGIL_DB=self.db, VIGIL_MODELS=os.path.join(ROOT, "models"), VIGIL_ACTOR="soak")
        self.rtsp = {}
        self.receiver = None
        self.receiver_port = free_port()
        self.receiver_log = os.path.join(self.work, "receiver.jsonl")
        self.events = []

    def cli(self, *arguments, check=True):
        run = subprocess.run([self.vigil, *arguments], env=self.env, capture_output=True, text=True)
        if check and run.returncode != 0:
            raise SystemExit(f"soak: vigil {' '.join(arguments)} failed: {run.stderr}")
        return run.stdout.strip()

    def log(self, what):
        stamp = time.monotonic() - self.started if hasattr(self, "started") else 0
        self.events.append((round(stamp), what))
        print(f"soak: {stamp / 60:5.1f} min  {what}", flush=True)

    # -- the parts -------------------------------------------------------------------------

    def media(self):
        clip = os.path.join(self.work, "clip.ts")
        subprocess.run(["ffmpeg", "-loglevel", "error", "-y", "-stream_loop", "3", "-i",
                        os.path.join(DATA, "video", "hamilton_short_clip.mp4"), "-an", "-c:v", "libx264",
                        "-preset", "ultrafast", "-g", "30", "-f", "mpegts", clip], check=True)
        return clip

    def start_rtsp(self, name):
        port, clip = self.rtsp[name]["port"], self.rtsp[name]["clip"]
        process = subprocess.Popen(["/usr/bin/python3", os.path.join(ROOT, "scripts", "rtsp_server.py"), str(port), name, clip],
                                   stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        line = process.stdout.readline()
        if "serving" not in line:
            raise SystemExit(f"soak: RTSP server {name} did not start: {line}")
        self.rtsp[name]["process"] = process

    def stop_rtsp(self, name):
        process = self.rtsp[name].get("process")
        if process and process.poll() is None:
            process.kill()
            process.wait()

    def start_receiver(self):
        self.receiver = subprocess.Popen(
            ["/usr/bin/python3", os.path.join(ROOT, "scripts", "webhook_receiver.py"), "--secret", SECRET, "--log", self.receiver_log,
             "--port", str(self.receiver_port)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    def stop_receiver(self):
        if self.receiver and self.receiver.poll() is None:
            self.receiver.kill()
            self.receiver.wait()

    def configure(self):
        clip = self.media()
        with open(os.path.join(self.work, "vigil.yaml"), "w") as f:
            f.write(f"""database: vigil.sqlite
snapshots: snapshots
workers: 2
log_level: info
api:
  port: 0
  failed_auth_limit: 1000000
hooks:
  - name: receiver
    type: webhook
    url: http://127.0.0.1:{self.receiver_port}/vigil
    secret: {SECRET}
delivery:
  max_age: 7200
""")
        for index in range(self.args.cameras):
            name = f"cam{index + 1}"
            self.rtsp[name] = {"port": free_port(), "clip": clip}
            with open(os.path.join(self.work, "cameras", f"{name}.yaml"), "w") as f:
                f.write(f"id: {name}\nurl: rtsp://127.0.0.1:{self.rtsp[name]['port']}/{name}\nwatchlists: [stage, plates]\n"
                        "cooldown: 20\nreconnect:\n  initial: 0.5\n  max: 4\n")
        self.cli("watchlist", "create", "stage")
        self.enrol()
        self.cli("watchlist", "create", "plates", "--kind", "plate", "--region", "any")
        self.token = self.cli("tokens", "create", "soak", "--role", "viewer")

    def enrol(self):
        self.cli("watchlist", "enroll", "stage", "--subject", "lin_manuel_miranda",
                 os.path.join(DATA, "faces", "lin_manuel_miranda", "1.png"))

    def start_daemon(self):
        self.daemon_log = open(os.path.join(self.work, "daemon.log"), "w")
        self.daemon = subprocess.Popen([self.vigil, "run", "--config", os.path.join(self.work, "vigil.yaml")], env=self.env,
                                       stdout=subprocess.DEVNULL, stderr=self.daemon_log, cwd=self.work)
        def port():
            with open(os.path.join(self.work, "daemon.log")) as f:
                for line in f:
                    if "api listening" in line:
                        return int(line.split("port=")[1].split()[0])
            return None
        if not wait_for(lambda: port() is not None, 60):
            raise SystemExit("soak: the daemon's API did not come up")
        self.api = f"http://127.0.0.1:{port()}"

    # -- measurements ----------------------------------------------------------------------

    def sample(self):
        pid = self.daemon.pid
        with open(f"/proc/{pid}/status") as f:
            status = {line.split(":")[0]: line.split(":")[1].strip() for line in f}
        size = lambda path: os.path.getsize(path) if os.path.exists(path) else 0
        snapshots = 0
        for folder, _, files in os.walk(os.path.join(self.work, "snapshots")):
            snapshots += sum(size(os.path.join(folder, name)) for name in files)
        with sqlite3.connect(f"file:{self.db}?mode=ro", uri=True) as c:
            alerts = c.execute("SELECT COUNT(*) FROM alert").fetchone()[0]
            pending = c.execute("SELECT COUNT(*) FROM delivery WHERE state = 'pending'").fetchone()[0]
            dropped = c.execute("SELECT IFNULL(SUM(framesDropped), 0), IFNULL(SUM(framesAnalysed), 0) FROM cameraStatus").fetchone()
        return {
            "t": round(time.monotonic() - self.started, 1),
            "rss_mb": int(status["VmRSS"].split()[0]) / 1024,
            "fds": len(os.listdir(f"/proc/{pid}/fd")),
            "threads": int(status["Threads"]),
            "db_mb": size(self.db) / 1e6,
            "wal_mb": size(self.db + "-wal") / 1e6,
            "snapshots_mb": snapshots / 1e6,
            "alerts": alerts,
            "pending": pending,
            "analysed": dropped[1],
            "dropped": dropped[0],
        }

    def read_api(self):
        for path in ["/v1/alerts?limit=50", "/v1/cameras", "/v1/watchlists/stage"]:
            request = urllib.request.Request(self.api + path, headers={"Authorization": f"Bearer {self.token}"})
            try:
                with urllib.request.urlopen(request, timeout=10) as response:
                    response.read()
            except Exception as error:  # noqa: BLE001 - a failed read is recorded, not fatal
                self.api_failures += 1
                self.log(f"API read {path} failed: {error}")

    def edit_watchlists(self, n):
        plate = f"SOAK{n:03d}"
        self.cli("watchlist", "add-plate", "plates", plate, "--label", "soak")
        self.cli("watchlist", "remove", "plates", "--plate", plate)
        if n % 2 == 0:
            self.cli("watchlist", "remove", "stage", "--subject", "lin_manuel_miranda")
            self.enrol()

    # -- the run ---------------------------------------------------------------------------

    def run(self):
        self.configure()
        self.start_receiver()
        for name in self.rtsp:
            self.start_rtsp(name)
        self.start_daemon()
        self.started = time.monotonic()
        self.api_failures = 0
        minutes = self.args.minutes
        outage_at, outage_len = minutes / 3 * 60, min(5 * 60, minutes * 60 / 6)
        restart_every, edit_every, step = min(600, minutes * 60 / 3), 120, 10
        samples, next_restart, next_edit, edits, restarts, outage = [], restart_every, edit_every, 0, 0, "before"
        self.log(f"{self.args.cameras} cameras, {minutes} min; work folder {self.work}")
        while (now := time.monotonic() - self.started) < minutes * 60:
            if outage == "before" and now >= outage_at:
                self.stop_receiver()
                outage = "during"
                self.log("webhook receiver down")
            elif outage == "during" and now >= outage_at + outage_len:
                self.start_receiver()
                outage = "after"
                self.log("webhook receiver back")
            if now >= next_restart:
                restarts += 1
                for name in self.rtsp:
                    self.stop_rtsp(name)
                time.sleep(2)
                for name in self.rtsp:
                    self.start_rtsp(name)
                self.log(f"RTSP servers restarted ({restarts})")
                next_restart += restart_every
            if now >= next_edit:
                edits += 1
                self.edit_watchlists(edits)
                next_edit += edit_every
            self.read_api()
            samples.append(self.sample())
            if self.daemon.poll() is not None:
                raise SystemExit(f"soak: the daemon exited ({self.daemon.returncode}); see {self.work}/daemon.log")
            time.sleep(max(0, step - (time.monotonic() - self.started - now)))
        # Drain: no new alerts, then wait for the outbox.
        for name in self.rtsp:
            self.stop_rtsp(name)
        self.log("cameras stopped; draining the outbox")
        drained = wait_for(lambda: self.sample()["pending"] == 0, 600, step=2)
        samples.append(self.sample())
        self.daemon.send_signal(signal.SIGTERM)
        self.daemon.wait(timeout=60)
        self.stop_receiver()
        return self.report(samples, drained, restarts, edits)

    def report(self, samples, drained, restarts, edits):
        path = os.path.join(self.work, "samples.csv")
        with open(path, "w", newline="") as f:
            writer = csv.DictWriter(f, fieldnames=list(samples[0].keys()))
            writer.writeheader()
            writer.writerows(samples)
        minutes = self.args.minutes
        warm = min(5 * 60, minutes * 60 / 6)
        window = min(10 * 60, minutes * 60 / 4)
        early = [s for s in samples if warm <= s["t"] < warm + window]
        late = [s for s in samples if minutes * 60 - window <= s["t"] < minutes * 60]
        print(f"\nsoak: {minutes} min, {self.args.cameras} cameras, {restarts} RTSP restarts, {edits} watchlist edits, "
              f"{len(samples)} samples, {self.api_failures} failed API reads")
        failures = []
        print(f"{'figure':<14}{'after warm-up':>15}{'last window':>14}{'growth':>9}")
        for key in ["rss_mb", "fds", "threads", "wal_mb", "db_mb", "snapshots_mb"]:
            a = statistics.mean(s[key] for s in early) if early else 0
            b = statistics.mean(s[key] for s in late) if late else 0
            growth = (b - a) / a * 100 if a else 0
            bounded = key in ("rss_mb", "fds", "threads", "wal_mb")
            mark = ("ok" if growth < 5 else "OVER 5%") if bounded else "(grows with alerts)"
            if bounded and growth >= 5:
                failures.append(f"{key} grew {growth:.1f}%")
            print(f"{key:<14}{a:>15.2f}{b:>14.2f}{growth:>8.1f}%  {mark}")
        frames = samples[-1]["analysed"] + samples[-1]["dropped"]
        print(f"frames analysed {samples[-1]['analysed']}, dropped {samples[-1]['dropped']} "
              f"({100 * samples[-1]['dropped'] / max(1, frames):.0f}%: 4 cameras on this node exceed its capacity)")
        # Every committed alert delivered: each delivery row delivered, and seen by the receiver, signed.
        with sqlite3.connect(self.db) as c:
            alerts = c.execute("SELECT COUNT(*) FROM alert").fetchone()[0]
            rows = c.execute("SELECT eventID, state FROM delivery").fetchall()
        received = {}
        with open(self.receiver_log) as f:
            for line in f:
                try:
                    entry = json.loads(line)
                except ValueError:
                    continue
                if entry.get("answer") == "200":
                    received[entry.get("id")] = received.get(entry.get("id"), False) or entry.get("valid", False)
        undelivered = [e for e, state in rows if state != "delivered"]
        unseen = [e for e, _ in rows if not received.get(e)]
        print(f"alerts committed {alerts}, deliveries {len(rows)}, delivered {len(rows) - len(undelivered)}, "
              f"received with a valid signature {len(rows) - len(unseen)}, outbox drained: {drained}")
        if undelivered or unseen or not drained:
            failures.append(f"{len(undelivered)} deliveries not delivered, {len(unseen)} not received")
        if alerts == 0:
            failures.append("no alert was committed: nothing was tested")
        self.plot(samples)
        print(f"soak: samples in {path}")
        print("soak: " + ("PASS" if not failures else "FAIL: " + "; ".join(failures)))
        return 0 if not failures else 1

    def plot(self, samples):
        try:
            import matplotlib
            matplotlib.use("Agg")
            import matplotlib.pyplot as plt
        except ImportError:
            print("soak: matplotlib not installed; plot skipped (samples.csv has every figure)")
            return
        keys = ["rss_mb", "fds", "threads", "wal_mb", "db_mb", "snapshots_mb"]
        figure, axes = plt.subplots(len(keys), 1, figsize=(9, 2 * len(keys)), sharex=True)
        minutes = [s["t"] / 60 for s in samples]
        for axis, key in zip(axes, keys):
            axis.plot(minutes, [s[key] for s in samples])
            axis.set_ylabel(key)
            for stamp, what in self.events:
                if "restarted" in what or "receiver" in what:
                    axis.axvline(stamp / 60, color="grey", alpha=0.3)
        axes[-1].set_xlabel("minutes")
        figure.tight_layout()
        figure.savefig(os.path.join(self.work, "soak.png"))
        print(f"soak: plot in {os.path.join(self.work, 'soak.png')}")


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--minutes", type=float, default=60)
    parser.add_argument("--cameras", type=int, default=4)
    parser.add_argument("--out", help="work folder (default: a new temporary folder, kept)")
    soak = Soak(parser.parse_args())
    try:
        return soak.run()
    finally:
        for name in soak.rtsp:
            soak.stop_rtsp(name)
        soak.stop_receiver()
        if getattr(soak, "daemon", None) and soak.daemon.poll() is None:
            soak.daemon.kill()


if __name__ == "__main__":
    sys.exit(main())
