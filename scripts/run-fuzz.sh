#!/usr/bin/env bash
# Runs every libFuzzer target (<bin dir>/*_fuzz) for <seconds> each, starting from a temporary
# copy of its seed corpus (tests/fuzz/corpus/<target>/), so the checked-in seeds never change, and
# with tests/fuzz/<target>.dict as dictionary when there is one.
# Exits non-zero if any target finds a crash, a leak or a timeout; the input that triggered it is
# kept in <bin dir>/../fuzz-artifacts/ and its path is printed.
# Usage: scripts/run-fuzz.sh <bin dir> <seconds>
set -euo pipefail

if [ $# -ne 2 ]; then
  echo "usage: $0 <bin dir> <seconds>" >&2
  exit 2
fi
if [ ! -d "$1" ]; then
  echo "run-fuzz: no such directory: $1 (build the fuzz targets first: make build-fuzz)" >&2
  exit 1
fi
bin_dir=$(cd "$1" && pwd)
seconds=$2
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
corpus_root="$repo/tests/fuzz/corpus"
artifacts="$bin_dir/../fuzz-artifacts"
mkdir -p "$artifacts"
artifacts=$(cd "$artifacts" && pwd)

work=$(mktemp -d "${TMPDIR:-/tmp}/spate-fuzz.XXXXXX")
trap 'rm -rf "$work"' EXIT

shopt -s nullglob
targets=()
for f in "$bin_dir"/*_fuzz; do
  [ -f "$f" ] && [ -x "$f" ] && targets+=("$f")
done
if [ ${#targets[@]} -eq 0 ]; then
  echo "run-fuzz: no *_fuzz binaries in $bin_dir" >&2
  exit 1
fi

failed=()
for target in "${targets[@]}"; do
  name=$(basename "$target")
  corpus="$work/$name"
  mkdir -p "$corpus"
  if [ -d "$corpus_root/$name" ]; then
    cp -R "$corpus_root/$name/." "$corpus/"
  else
    echo "run-fuzz: warning: no seed corpus at $corpus_root/$name" >&2
  fi
  echo "run-fuzz: $name for ${seconds}s ($(find "$corpus" -type f | wc -l) seeds)"
  log="$work/$name.log"
  extra=()
  [ -f "$repo/tests/fuzz/$name.dict" ] && extra+=(-dict="$repo/tests/fuzz/$name.dict")
  if "$target" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 "${extra[@]}" \
      -artifact_prefix="$artifacts/$name-" -print_final_stats=1 "$corpus" >"$log" 2>&1; then
    grep -E '^stat::number_of_executed_units|^#[0-9]+.*DONE' "$log" | tail -2 | sed 's/^/  /' || true
  else
    rc=$?
    echo "run-fuzz: $name FAILED (exit $rc); last lines of its log:" >&2
    tail -40 "$log" >&2
    for a in "$artifacts/$name"-*; do echo "  artifact: $a" >&2; done
    failed+=("$name")
  fi
done

if [ ${#failed[@]} -ne 0 ]; then
  echo "run-fuzz: failures: ${failed[*]}" >&2
  exit 1
fi
echo "run-fuzz: all ${#targets[@]} targets passed"
