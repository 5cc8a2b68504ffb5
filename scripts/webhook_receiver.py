#!/usr/bin/env python3
"""A webhook receiver for Vigil's tests and benchmarks, and the reference for
verifying Vigil-Signature in another language (see docs/integrators.md, "Alert hooks").

Every request is checked against --secret and appended to --log as one JSON
line (before the answer is sent, so anything Vigil records as delivered is in
the log). --responses scripts the answers to the first requests, for failure
tests: a comma-separated list of HTTP statuses, or `slow` (answer 200 after
--slow-seconds, past the hook's timeout), e.g. `500,500,slow,200`.
Only the standard library: it runs on a fresh Debian with python3 alone.
With --standard-secret (a whsec_ secret) it also checks the Standard Webhooks
headers with the PyPI `standardwebhooks` package, as receivers' own code would
(run it with the set-up venv's python then).
"""
import argparse
import hashlib
import hmac
import json
import os
import socket
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


def verify(secret: bytes, headers, body: bytes, tolerance: float = 300) -> bool:
    """True when Vigil-Signature matches HMAC-SHA256(secret, "id.timestamp.body") and the timestamp is fresh."""
    delivery_id = headers.get("Vigil-Id", "")
    timestamp = headers.get("Vigil-Timestamp", "")
    signatures = headers.get("Vigil-Signature", "")
    if not timestamp.isdigit() or abs(time.time() - int(timestamp)) > tolerance:
        return False  # missing, or replayed from too long ago
    message = f"{delivery_id}.{timestamp}.".encode() + body
    expected = "v1=" + hmac.new(secret, message, hashlib.sha256).hexdigest()
    return any(hmac.compare_digest(expected, s.strip()) for s in signatures.split(","))


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--port-file", help="write the bound port here once listening")
    parser.add_argument("--secret", required=True)
    parser.add_argument("--log", required=True, help="JSON lines, one per request")
    parser.add_argument("--responses", default="", help="answers to the first requests, e.g. 500,slow,410")
    parser.add_argument("--default-status", type=int, default=200)
    parser.add_argument("--retry-after", default=None, help="Retry-After header sent with 429 and 503")
    parser.add_argument("--slow-seconds", type=float, default=3.0)
    parser.add_argument("--delay-ms", type=float, default=0, help="added to every answer")
    parser.add_argument("--body-bytes", type=int, default=0, help="pad every answer's body to this many bytes")
    parser.add_argument("--standard-secret", default=None, help="whsec_ secret: verify webhook-* headers with standardwebhooks")
    args = parser.parse_args()
    standard = None
    if args.standard_secret:
        from standardwebhooks.webhooks import Webhook
        standard = Webhook(args.standard_secret)

    def standard_valid(headers, body):
        if standard is None:
            return None
        try:
            standard.verify(body, {k.lower(): v for k, v in headers.items()})
            return True
        except Exception:
            return False

    secret = args.secret.encode()
    script = [s.strip() for s in args.responses.split(",") if s.strip()]
    lock = threading.Lock()
    log = open(args.log, "a", buffering=1)
    state = {"n": 0}

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def setup(self):
            super().setup()
            # Headers and body go out in two writes: without this, Nagle and delayed ACKs add 40 ms to each answer.
            self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

        def do_POST(self):
            body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            arrived = time.time()
            with lock:
                index = state["n"]
                state["n"] += 1
            answer = script[index] if index < len(script) else str(args.default_status)
            valid = verify(secret, self.headers, body)
            try:
                event = json.loads(body)
            except ValueError:
                event = {}
            alert = event.get("alert") or {}
            record = {
                "n": index, "t": arrived, "id": self.headers.get("Vigil-Id"), "event": self.headers.get("Vigil-Event"),
                "attempt": self.headers.get("Vigil-Attempt"), "valid": valid, "answer": answer,
                "standard_valid": standard_valid(self.headers, body), "webhook_id": self.headers.get("webhook-id"),
                "body_id": event.get("id"), "type": event.get("type"), "alert_id": alert.get("id"),
                "count": alert.get("count"), "has_snapshot": bool((alert.get("snapshot") or {}).get("jpeg_base64")),
                "headers": {k: v for k, v in self.headers.items() if k.lower().startswith("x-")},
            }
            with lock:
                log.write(json.dumps(record) + "\n")
            if args.delay_ms:
                time.sleep(args.delay_ms / 1000)
            if answer == "slow":
                time.sleep(args.slow_seconds)
                answer = "200"
            if answer == "slowloris":
                # The answer's head one byte at a time, too slowly for any timeout: the sender must give up.
                for byte in b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok":
                    try:
                        self.wfile.write(bytes([byte]))
                        self.wfile.flush()
                    except OSError:
                        break
                    time.sleep(args.slow_seconds)
                self.close_connection = True
                return
            status = int(answer)
            reply = json.dumps({"ok": 200 <= status < 300, "valid_signature": valid}).encode()
            if args.body_bytes > len(reply):
                reply += b" " * (args.body_bytes - len(reply))
            self.send_response(status)
            if status in (429, 503) and args.retry_after is not None:
                self.send_header("Retry-After", args.retry_after)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(reply)))
            self.end_headers()
            self.wfile.write(reply)

        def log_message(self, *_):
            pass

    class Server(ThreadingHTTPServer):
        daemon_threads = True
        allow_reuse_address = True

    server = Server(("127.0.0.1", args.port), Handler)
    if args.port_file:
        with open(args.port_file + ".tmp", "w") as f:
            f.write(str(server.server_address[1]))
        os.replace(args.port_file + ".tmp", args.port_file)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
