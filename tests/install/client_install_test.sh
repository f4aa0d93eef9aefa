#!/usr/bin/env bash
# Installs the client library from a build tree into a temporary prefix and builds a program
# outside the tree against it twice: with find_package(SpateClient) and with pkg-config. Both
# builds must talk to a real spate-server. A sanitizer build tree works too: its package adds
# -fsanitize=address,undefined to the consumer's link line (src/client/package/install.cmake).
# Usage: client_install_test.sh BUILD_DIR CXX
set -euo pipefail
BUILD=${1:?usage: client_install_test.sh BUILD_DIR CXX}
CXX=${2:?usage: client_install_test.sh BUILD_DIR CXX}
HERE="$(cd "$(dirname "$0")" && pwd)"
WORK=$(mktemp -d)
# shellcheck source-path=SCRIPTDIR source=../support/server.sh
. "$HERE/../support/server.sh"
cleanup() { [ -n "$SERVER_PID" ] && kill -9 "$SERVER_PID" 2>/dev/null; rm -rf "$WORK"; }
trap cleanup EXIT
PREFIX="$WORK/prefix"

cmake --install "$BUILD" --prefix "$PREFIX" >"$WORK/install.log" || { cat "$WORK/install.log"; exit 1; }
# Only the client's files: no internal header, no server library.
for f in include/spate/client/connection.h include/spate/client/jetstream.h \
  include/spate/common/status.h lib/cmake/SpateClient/SpateClientConfig.cmake; do
  [ -f "$PREFIX/$f" ] || { echo "missing after install: $f"; find "$PREFIX"; exit 1; }
done
if find "$PREFIX" -name connection_core.h -o -name 'libspate_server*' | grep -q .; then
  echo "internal files installed:"; find "$PREFIX"; exit 1
fi
PCDIR=$(dirname "$(find "$PREFIX" -name spate-client.pc)")

# 1. CMake: find_package(SpateClient CONFIG) and Spate::client.
cmake -S "$HERE/consumer" -B "$WORK/cmake-build" -G Ninja -DCMAKE_CXX_COMPILER="$CXX" \
  -DCMAKE_PREFIX_PATH="$PREFIX" >"$WORK/cmake.log" 2>&1 || { cat "$WORK/cmake.log"; exit 1; }
cmake --build "$WORK/cmake-build" >>"$WORK/cmake.log" 2>&1 || { cat "$WORK/cmake.log"; exit 1; }

# 2. pkg-config and a bare compiler line.
read -ra FLAGS <<<"$(PKG_CONFIG_PATH="$PCDIR" pkg-config --cflags --libs spate-client)"
echo "pkg-config: ${FLAGS[*]}"
"$CXX" -std=c++20 -o "$WORK/consumer-pc" "$HERE/consumer/main.cc" "${FLAGS[@]}"

start_server "$BUILD/bin/spate-server" "$WORK"
"$WORK/cmake-build/consumer" "$URL"
"$WORK/consumer-pc" "$URL"
stop_server TERM
echo "client install: OK (find_package and pkg-config)"
