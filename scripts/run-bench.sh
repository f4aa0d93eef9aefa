#!/usr/bin/env bash
# Runs the benchmarks of one build: each Google Benchmark micro bench (<build>/bin/*_bench)
# briefly, then the end-to-end A/B benchmark of <build>/bin/spate-server against nats-server.
#
#   scripts/run-bench.sh <build dir> [spate-e2e-bench options...]
#   scripts/run-bench.sh build --quick                   # smoke run, about a minute
#   scripts/run-bench.sh build --scenarios reqreply      # one scenario
#
# Environment: NATS_SERVER (default /usr/sbin/nats-server), MICRO_MIN_TIME (seconds per micro
# benchmark, default 0.05), SKIP_MICRO=1 to skip the micro benches.
# The e2e results also go to <build dir>/bench-e2e.json. See bench/README.md.
set -euo pipefail

if [ $# -lt 1 ] || [ ! -d "$1" ]; then
  echo "usage: $0 <build dir> [spate-e2e-bench options...]" >&2
  exit 2
fi
build=$(cd "$1" && pwd)
shift
bin="$build/bin"
nats_server=${NATS_SERVER:-/usr/sbin/nats-server}

status=0
if [ "${SKIP_MICRO:-0}" != 1 ]; then
  shopt -s nullglob
  for micro in "$bin"/*_bench; do
    [ -x "$micro" ] || continue
    echo "== $(basename "$micro")"
    if ! "$micro" --benchmark_min_time="${MICRO_MIN_TIME:-0.05}"; then
      echo "$(basename "$micro") FAILED" >&2
      status=1
    fi
  done
  shopt -u nullglob
fi

e2e="$bin/spate-e2e-bench"
if [ ! -x "$e2e" ]; then
  echo "$e2e not found: build with -DSPATE_BENCH=ON and libnats-dev installed" >&2
  exit 1
fi
if [ ! -x "$nats_server" ]; then
  echo "$nats_server not found: install nats-server or set NATS_SERVER" >&2
  exit 1
fi
echo "== spate-e2e-bench: spate-server vs $("$nats_server" --version 2>&1 | head -1)"
# The e2e bench exits 1 when a sample failed; its table is printed all the same.
"$e2e" --a "$bin/spate-server" --a-name spate --b "$nats_server" --b-name nats \
  --json "$build/bench-e2e.json" "$@" || status=$?
exit "$status"
