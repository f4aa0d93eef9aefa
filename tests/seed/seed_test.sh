#!/usr/bin/env bash
# The user's scenario end to end: the seed demo (tests/seed, a copy of ../shared/seed) against a
# real spate-server with JetStream, then the same state after a clean restart and after kill -9,
# and the demo again on the restored state (its counts only add up if both durable consumers
# resume from their ack floors).
# Usage: seed_test.sh SERVER_BIN [GOCACHE_DIR]
set -euo pipefail
BIN=${1:?usage: seed_test.sh SERVER_BIN}
HERE="$(cd "$(dirname "$0")" && pwd)"
WORK=$(mktemp -d)
export GOCACHE="${2:-$WORK/gocache}" GOPATH=/usr/share/gocode GO111MODULE=off GOFLAGS=
PID=
cleanup() { [ -n "$PID" ] && kill -9 "$PID" 2>/dev/null; rm -rf "$WORK"; }
trap cleanup EXIT

start() {
  : >"$WORK/server.log"
  "$BIN" -a 127.0.0.1 -p -1 -js -sd "$WORK/store" >>"$WORK/server.log" 2>&1 &
  PID=$!
  for _ in $(seq 1 200); do
    PORT=$(sed -n 's/.*Listening for client connections on [^ ]*:\([0-9]*\).*/\1/p' "$WORK/server.log")
    [ -n "$PORT" ] && break
    kill -0 "$PID" 2>/dev/null || { echo "server exited:"; cat "$WORK/server.log"; exit 1; }
    sleep 0.05
  done
  [ -n "$PORT" ] || { echo "server did not start"; cat "$WORK/server.log"; exit 1; }
  URL="nats://127.0.0.1:$PORT"
}
stop() {  # $1: TERM or KILL
  kill "-$1" "$PID"; wait "$PID" 2>/dev/null || true; PID=
}
state() { (cd "$HERE/jsstate" && go run . "$URL"); }
expect_same() {
  if [ "$1" != "$2" ]; then
    echo "state changed across $3:"; echo "before:"; echo "$1"; echo "after:"; echo "$2"
    cat "$WORK/server.log"; exit 1
  fi
}

demo() {
  "$HERE/run-demo.sh" "$URL" || { echo "demo failed; server log:"; tail -50 "$WORK/server.log"; exit 1; }
}

start
demo
before=$(state); echo "$before"
grep -q "msgs=20 " <<<"$before" || { echo "expected 20 messages"; exit 1; }
grep -q "consumer monitor durable=monitor .*ack_floor=20/20 .*ack_pending=0" <<<"$before" || { echo "monitor not fully acked"; exit 1; }
grep -q "consumer order-review durable=order-review .*ack_floor=10/" <<<"$before" || { echo "order-review not at 10"; exit 1; }

stop TERM; start
after=$(state); expect_same "$before" "$after" "a clean restart"
demo
before=$(state); echo "$before"
grep -q "msgs=40 " <<<"$before" || { echo "expected 40 messages"; exit 1; }

stop KILL; start
after=$(state); expect_same "$before" "$after" "kill -9"
demo
state
echo "seed demo: OK (3 runs, clean restart and kill -9)"
