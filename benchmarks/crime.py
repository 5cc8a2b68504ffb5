"""Crime severity benchmark (not part of the test suite): Vigil against scikit-learn in
the same run, on the same split, folds and encoded features.

For each shared dataset (LA West LA 2020, Chicago May 2025 sample):
  1. `vigil crime import` into a fresh database, then `vigil crime train --json`
     (XGBoost, grid search by 5-fold CV on the stratified 80%): training wall time and
     the best grid point's mean 5-fold macro-F1, and the held-out 20% macro-F1;
  2. `vigil crime export-features` writes the very rows, folds and encoding Vigil used;
     scikit-learn's RandomForestClassifier and HistGradientBoostingClassifier (ordinal
     codes, and HGB with the categorical columns declared) are cross-validated on the
     same folds and fitted once on the 80% for the held-out 20%;
  3. (LA) the model is promoted, the daemon serves `services: [crime]`, and 500 single
     incidents are scored through POST /v1/crime/score one at a time: p50/p99 latency,
     against scikit-learn's HistGradientBoosting served by Python's http.server (JSON of
     the already-encoded row in, probability out) and its predict_proba in-process.
Both sides use one thread (OMP_NUM_THREADS=1; Vigil's XGBoost has nthread=1).

    .build-tools/venv/bin/python benchmarks/crime.py
"""
import json
import os

# One thread on both sides: Vigil's XGBoost runs with nthread=1 (OMP_THREAD_LIMIT=1).
os.environ.setdefault("OMP_NUM_THREADS", "1")
import http.server
import threading
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request

import numpy as np
from sklearn.ensemble import HistGradientBoostingClassifier, RandomForestClassifier
from sklearn.metrics import f1_score

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DATA = os.environ.get("VIGIL_SHARED_DATA", os.path.join(ROOT, "..", "shared", "data"))
CATEGORICAL = {"grid_cell", "area", "category", "code", "premise", "weapon", "victim_sex", "victim_descent"}
DATASETS = [("la_westla_2020.csv", "lapd"), ("chicago_2025_05_sample.csv", "chicago")]


def vigil_binary():
    subprocess.run(["swift", "build", "-c", "release", "--product", "vigil"], cwd=ROOT, check=True, capture_output=True)
    path = subprocess.run(["swift", "build", "-c", "release", "--show-bin-path"], cwd=ROOT, check=True,
                          capture_output=True, text=True).stdout.strip()
    return os.path.join(path, "vigil")


def load(path):
    with open(path) as f:
        header = f.readline().strip().split(",")
        rows = [line.rstrip("\n").split(",") for line in f]
    n = len(header) - 3
    x = np.array([[float(v) if v else np.nan for v in r[:n]] for r in rows], dtype=np.float64)
    y = np.array([int(r[n]) for r in rows])
    split = np.array([r[n + 1] for r in rows])
    fold = np.array([int(r[n + 2]) for r in rows])
    return header[:n], x, y, split, fold


def peers(columns):
    categorical = [i for i, c in enumerate(columns) if c in CATEGORICAL]
    return [
        ("RandomForest (300 trees)", lambda: RandomForestClassifier(n_estimators=300, random_state=0, n_jobs=1)),
        ("HistGradientBoosting", lambda: HistGradientBoostingClassifier(random_state=0)),
        ("HistGradientBoosting (categorical)", lambda: HistGradientBoostingClassifier(random_state=0, categorical_features=categorical)),
    ]


def evaluate(make, x, y, split, fold):
    train, test = split == "train", split == "test"
    xt, yt, ft = x[train], y[train], fold[train]
    scores = []
    for k in sorted(set(ft)):
        model = make().fit(xt[ft != k], yt[ft != k])
        scores.append(f1_score(yt[ft == k], model.predict(xt[ft == k]), average="macro"))
    start = time.perf_counter()
    model = make().fit(xt, yt)
    fit_seconds = time.perf_counter() - start
    held = f1_score(y[test], model.predict(x[test]), average="macro")
    return float(np.mean(scores)), held, fit_seconds, model


def main():
    vigil = vigil_binary()
    work = tempfile.mkdtemp(prefix="vigil-crime-bench-")
    try:
        for name, mapping in DATASETS:
            db = f"{work}/{mapping}.sqlite"
            env = dict(os.environ, VIGIL_DB=db)
            run = lambda *a: subprocess.run([vigil, *a], env=env, capture_output=True, text=True, check=True).stdout
            run("crime", "import", f"{DATA}/crime/{name}", "--mapping", mapping)
            start = time.perf_counter()
            trained = json.loads(run("crime", "train", "--json"))
            train_seconds = time.perf_counter() - start
            report = trained["report"]
            grid_fits = len(report["grid"]) * 5 + 1
            run("crime", "export-features", "--out", f"{work}/{mapping}.csv")
            columns, x, y, split, fold = load(f"{work}/{mapping}.csv")
            ours = report["cross_validation"]["mean_macro_f1"]
            print(f"{name}: {report['rows']} labelled incidents, {len(columns)} features ({','.join(report['features'])}), "
                  f"5-fold CV on the {report['training_rows']}-row training split")
            print(f"  vigil xgboost ({report['parameters']['values']}): CV macro-F1 {ours:.4f}, held-out {report['holdout']['macro_f1']:.4f}; "
                  f"one fit {report['fit_seconds']:.2f} s; grid search + final fit ({grid_fits} fits) + forward evaluation {train_seconds:.1f} s")
            best = 0
            for label, make in peers(columns):
                cv, held, fit_seconds, model = evaluate(make, x, y, split, fold)
                best = max(best, cv)
                print(f"  scikit-learn {label}: CV macro-F1 {cv:.4f}, held-out {held:.4f}; one fit {fit_seconds:.2f} s")
            print(f"  vigil - best scikit-learn = {ours - best:+.4f} macro-F1 ({'within 0.02 or better' if ours >= best - 0.02 else 'MORE than 0.02 worse'})")
            if mapping == "lapd":
                latency(vigil, work, env, trained["id"], x, y, split, columns)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def latency(vigil, work, env, model_id, x, y, split, columns):
    run = lambda *a: subprocess.run([vigil, *a], env=env, capture_output=True, text=True, check=True).stdout
    run("crime", "promote", str(model_id))
    token = run("tokens", "create", "bench", "--role", "viewer").strip()
    os.makedirs(f"{work}/cameras", exist_ok=True)
    port = 18500 + os.getpid() % 400
    with open(f"{work}/vigil.yaml", "w") as f:
        f.write(f"database: {env['VIGIL_DB']}\nmodels: {ROOT}/models\nlog_level: warning\nservices: [crime]\napi:\n  port: {port}\n")
    daemon = subprocess.Popen([vigil, "run", "--config", f"{work}/vigil.yaml"], env=env, cwd=work, stderr=open(f"{work}/daemon.log", "w"))
    try:
        base = f"http://127.0.0.1:{port}"
        for _ in range(100):
            try:
                urllib.request.urlopen(base + "/readyz", timeout=1)
                break
            except Exception:
                time.sleep(0.1)
        incidents = sample_incidents(env["VIGIL_DB"], 500)
        times = []
        for body in incidents:
            request = urllib.request.Request(base + "/v1/crime/score", data=json.dumps(body).encode(), method="POST",
                                             headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"})
            start = time.perf_counter()
            with urllib.request.urlopen(request) as answer:
                answer.read()
            times.append(time.perf_counter() - start)
        ours = np.percentile(np.array(times[20:]) * 1000, [50, 99])
    finally:
        daemon.terminate()
        daemon.wait(timeout=20)
    train = split == "train"
    model = HistGradientBoostingClassifier(random_state=0).fit(x[train], y[train])
    rows = x[~train][:500]
    peer = []
    for row in rows:
        start = time.perf_counter()
        model.predict_proba(row.reshape(1, -1))
        peer.append(time.perf_counter() - start)
    theirs = np.percentile(np.array(peer[20:]) * 1000, [50, 99])
    served = served_latency(model, rows)
    print(f"  single-incident scoring through HTTP on loopback: vigil p50 {ours[0]:.2f} ms p99 {ours[1]:.2f} ms; scikit-learn HistGradientBoosting "
          f"behind http.server p50 {served[0]:.2f} ms p99 {served[1]:.2f} ms; ratio p50 {ours[0] / served[0]:.2f}")
    print(f"  (480 requests after 20 warm-up each; vigil's include token check, JSON validation and encoding; "
          f"scikit-learn predict_proba alone, in-process: p50 {theirs[0]:.2f} ms p99 {theirs[1]:.2f} ms)")


def served_latency(model, rows):
    """The peer as a service: a JSON row in, the probability out, over HTTP on loopback."""
    class Handler(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_POST(self):
            row = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
            p = float(model.predict_proba(np.array([row], dtype=np.float64))[0][1])
            body = json.dumps({"probability": p}).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_address[1]}/score"
    times = []
    try:
        for row in rows:
            data = json.dumps([None if np.isnan(v) else float(v) for v in row]).encode()
            request = urllib.request.Request(url, data=data, method="POST", headers={"Content-Type": "application/json"})
            start = time.perf_counter()
            with urllib.request.urlopen(request) as answer:
                answer.read()
            times.append(time.perf_counter() - start)
    finally:
        server.shutdown()
    return np.percentile(np.array(times[20:]) * 1000, [50, 99])


def sample_incidents(db, count):
    import sqlite3
    rows = sqlite3.connect(db).execute(
        "SELECT occurredAt, latitude, longitude, area, premise, weapon, victimAge, victimSex, victimDescent, domestic "
        "FROM incident ORDER BY id DESC LIMIT ?", (count,)).fetchall()
    out = []
    for r in rows:
        out.append({"occurred_at": r[0][:16].replace(" ", "T"), "latitude": r[1], "longitude": r[2], "area": r[3], "premise": r[4],
                    "weapon": r[5], "victim_age": r[6], "victim_sex": r[7], "victim_descent": r[8],
                    "domestic": None if r[9] is None else bool(r[9])})
    return out


if __name__ == "__main__":
    sys.exit(main())
