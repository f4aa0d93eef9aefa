# shellcheck shell=bash disable=SC2034  # PORT and URL are for the caller
# Shell counterpart of TestServer (test_server.h) for script tests; source it.
#   start_server BIN DIR [flags...]  runs BIN -a 127.0.0.1 -p -1 -js -sd DIR/store flags, logging
#                                    to DIR/server.log; sets SERVER_PID, PORT and URL once the
#                                    server logs its port (deadline 10 s); exits 1 on failure.
#   stop_server [SIGNAL]             TERM by default; waits for the process.
# The caller's EXIT trap should `kill -9 "$SERVER_PID"` when it is set.
SERVER_PID=

start_server() {
  local bin=$1 dir=$2
  shift 2
  : >"$dir/server.log"
  "$bin" -a 127.0.0.1 -p -1 -js -sd "$dir/store" "$@" >>"$dir/server.log" 2>&1 &
  SERVER_PID=$!
  PORT=
  for _ in $(seq 1 200); do
    PORT=$(sed -n 's/.*Listening for client connections on [^ ]*:\([0-9]*\).*/\1/p' "$dir/server.log")
    [ -n "$PORT" ] && break
    kill -0 "$SERVER_PID" 2>/dev/null || { echo "server exited:"; cat "$dir/server.log"; exit 1; }
    sleep 0.05
  done
  [ -n "$PORT" ] || { echo "server did not start"; cat "$dir/server.log"; exit 1; }
  URL="nats://127.0.0.1:$PORT"
}

stop_server() {
  kill "-${1:-TERM}" "$SERVER_PID"
  wait "$SERVER_PID" 2>/dev/null || true
  SERVER_PID=
}
