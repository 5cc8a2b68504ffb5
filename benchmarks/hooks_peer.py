#!/usr/bin/env python3
"""Peer for `vigil bench hooks`: the simplest signed webhook sender, as a script
beside a CCTV system would do it: sequential POSTs over one keep-alive
connection, HMAC-SHA256 signed the same way, and no outbox (nothing durable,
nothing retried). Its rate is the ceiling this receiver allows one ordered sender.
"""
import hashlib, hmac, http.client, json, sys, time, urllib.parse, uuid

url, secret, count = sys.argv[1], sys.argv[2].encode(), int(sys.argv[3])
parts = urllib.parse.urlparse(url)
connection = http.client.HTTPConnection(parts.hostname, parts.port)
start = time.time()
for n in range(count):
    event_id = "peer-" + str(uuid.uuid4())
    body = json.dumps({"version": 1, "type": "alert.created", "id": event_id, "alert": {"id": n, "camera": "bench"}},
                      sort_keys=True).encode()
    ts = str(int(time.time()))
    signature = "v1=" + hmac.new(secret, f"{event_id}.{ts}.".encode() + body, hashlib.sha256).hexdigest()
    connection.request("POST", parts.path, body, {"Content-Type": "application/json", "Vigil-Id": event_id,
                                                   "Vigil-Timestamp": ts, "Vigil-Signature": signature})
    response = connection.getresponse()
    response.read()
    if response.status != 200:
        sys.exit(f"peer: HTTP {response.status}")
elapsed = time.time() - start
print(f"peer (python http.client, sequential, no outbox): {count} posts in {elapsed:.2f} s: {count / elapsed:.0f} posts/s")
