#!/usr/bin/env bash
# The C++ order demo (examples/orders) end to end against a real server with JetStream on a
# random port and a fresh store. With --restart: the state must be the same after a clean
# restart, and a second demo run must resume both durable consumers from their ack floors.
# Usage: orders_demo_test.sh SERVER_BIN BIN_DIR [--restart]
#   SERVER_BIN: spate-server or nats-server; BIN_DIR: holds orders-* and orders_state
set -euo pipefail
SERVER=${1:?usage: orders_demo_test.sh SERVER_BIN BIN_DIR [--restart]}
BIN=${2:?usage: orders_demo_test.sh SERVER_BIN BIN_DIR [--restart]}
RESTART=${3:-}
HERE="$(cd "$(dirname "$0")" && pwd)"
DEMO="$HERE/../../examples/orders/run-demo.sh"
WORK=$(mktemp -d)
# shellcheck source-path=SCRIPTDIR source=../support/server.sh
. "$HERE/../support/server.sh"
cleanup() { [ -n "$SERVER_PID" ] && kill -9 "$SERVER_PID" 2>/dev/null; rm -rf "$WORK"; }
trap cleanup EXIT
start() { start_server "$SERVER" "$WORK"; }
stop() { stop_server TERM; }
state() { "$BIN/orders_state" "$URL"; }
demo() {
  "$DEMO" "$URL" "$BIN" || { echo "demo failed; server log:"; tail -50 "$WORK/server.log"; exit 1; }
}
expect() {  # $1: state text, $2: regex one of its lines must match, $3: what it means
  grep -qE "$2" <<<"$1" || { echo "FAIL: $3 (no line matches '$2') in:"; echo "$1"; exit 1; }
}

echo "server: $SERVER"
start
demo
before=$(state); echo "$before"
expect "$before" "^stream ORDERS msgs=20 " "20 messages (10 created, 10 approved)"
expect "$before" "^consumer monitor durable=monitor filter=ORDERS\.\* .*ack_floor=20/20 ack_pending=0" \
  "monitor acked all 20"
expect "$before" "^consumer order-review durable=order-review filter=ORDERS\.created .*ack_floor=10/10 ack_pending=0" \
  "order-review acked the 10 created orders"
[ "$RESTART" = --restart ] || { stop; echo "orders demo: OK"; exit 0; }

stop; start
after=$(state)
[ "$before" = "$after" ] || { echo "FAIL: state changed across a restart:"; echo "$before"; echo "---"; echo "$after"; exit 1; }
# The counts of a second run only add up when both consumers resume where they stopped.
demo
again=$(state); echo "$again"
expect "$again" "^stream ORDERS msgs=40 " "40 messages after the second run"
expect "$again" "^consumer monitor .*ack_floor=40/40 ack_pending=0" "monitor acked all 40"
expect "$again" "^consumer order-review .*ack_floor=20/[0-9]+ ack_pending=0" \
  "order-review acked the 20 created orders"
stop
echo "orders demo: OK (restart, second run resumed)"
