#!/usr/bin/env bash
# Hook delivery benchmark (not part of the test suite): a receiver on 127.0.0.1
# (scripts/webhook_receiver.py, signature checked on every request), then
#  - `vigil bench hooks`: commit cost of the outbox row, backlog drain rate, and
#    commit-to-received latency at a steady alert rate;
#  - the peer: a bare Python sender (no outbox) against the same receiver, and the ratio.
set -euo pipefail
cd "$(dirname "$0")/.."
swift build -c release --product vigil 2>&1 | tail -n 1
swift build -c release --product vigil-full 2>&1 | tail -n 1   # what `vigil` runs for commands that need vision
vigil=$(swift build -c release --show-bin-path)/vigil
work=$(mktemp -d)
secret=$(python3 -c 'import secrets; print(secrets.token_hex(32))')
python3 scripts/webhook_receiver.py --secret "$secret" --log "$work/receiver.jsonl" --port-file "$work/port" &
receiver=$!
trap 'kill $receiver 2>/dev/null; rm -rf "$work"' EXIT
for _ in $(seq 50); do [ -s "$work/port" ] && break; sleep 0.1; done
url="http://127.0.0.1:$(cat "$work/port")/vigil"
out=$("$vigil" bench hooks --url "$url" --secret "$secret" --receiver-log "$work/receiver.jsonl" \
  --backlog "${BACKLOG:-2000}" --paced "${PACED:-1000}" --rate "${RATE:-50}" 2>/dev/null)
echo "$out"
peer=$(python3 benchmarks/hooks_peer.py "$url" "$secret" "${BACKLOG:-2000}")
echo "$peer"
invalid=$(grep -c '"valid": false' "$work/receiver.jsonl" || true)
echo "receiver: $(wc -l < "$work/receiver.jsonl") requests, $invalid with an invalid signature"
vigil_rate=$(echo "$out" | sed -n 's/.*: \([0-9]*\) deliveries\/s.*/\1/p')
peer_rate=$(echo "$peer" | sed -n 's/.*: \([0-9]*\) posts\/s.*/\1/p')
python3 -c "print(f'ratio vigil/peer: {$vigil_rate / $peer_rate:.2f} (vigil commits every outcome to SQLite; the peer stores nothing)')"
