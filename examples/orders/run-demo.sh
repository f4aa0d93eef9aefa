#!/usr/bin/env bash
# Runs the order-processing demo (C++ client) against a running server with JetStream, the way
# ../../tests/seed/run-demo.sh runs the article's Go programs: orders-create, then orders-monitor
# in the background while orders-review approves the orders.
# Usage: run-demo.sh NATS_URL [BIN_DIR]    BIN_DIR: where orders-* are (default: build/bin)
# Exit 0 when: 10 orders published, 10 approved by the pull consumer, 20 seen by the push monitor
# (on a fresh stream, or on one whose durable consumers are caught up).
set -u
URL=${1:?usage: run-demo.sh NATS_URL [BIN_DIR]}
HERE="$(cd "$(dirname "$0")" && pwd)"
BIN=${2:-$HERE/../../build/bin}
OUT=$(mktemp -d); MON=
trap '[ -n "$MON" ] && kill -9 $MON 2>/dev/null; rm -rf "$OUT"' EXIT
export NATS_URL="$URL"
count() { grep -c "$1" "$2"; }

timeout 20 "$BIN/orders-create" >"$OUT/create.log" 2>&1 || { echo "orders-create failed:"; cat "$OUT/create.log"; exit 1; }
"$BIN/orders-monitor" >"$OUT/monitor.log" 2>&1 & MON=$!
timeout 20 "$BIN/orders-review" --until-idle >"$OUT/review.log" 2>&1 || { echo "orders-review failed:"; cat "$OUT/review.log"; exit 1; }
# The monitor never ends by itself: wait (up to 10 s) for the 20 events, then stop it. SIGTERM
# makes it drain, so its acks reach the server before it exits.
for _ in $(seq 1 200); do
  [ "$(count "monitor service subscribes" "$OUT/monitor.log")" -ge 20 ] && break
  kill -0 $MON 2>/dev/null || break
  sleep 0.05
done
kill -TERM $MON 2>/dev/null; wait $MON; rc=$?; MON=
[ $rc = 0 ] || { echo "orders-monitor failed ($rc):"; cat "$OUT/monitor.log"; exit 1; }
pub=$(count "has been published" "$OUT/create.log"); appr=$(count "has been approved" "$OUT/review.log")
seen=$(count "monitor service subscribes" "$OUT/monitor.log")
echo "published $pub/10, approved $appr/10, monitor saw $seen/20"
if [ "$pub" != 10 ] || [ "$appr" != 10 ] || [ "$seen" != 20 ]; then
  for f in create review monitor; do echo "--- orders-$f:"; cat "$OUT/$f.log"; done
  exit 1
fi
