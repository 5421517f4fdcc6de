#!/usr/bin/env bash
# run.sh - the benchmark in one command: mlegen (default and ablations)
# vs ONNX Runtime vs PyTorch, plus the GEMM microbenchmark.
#
# Usage: bash bench/run.sh [--quick] [--at REV] [MODEL...] [bench.py options]
#   e.g. bash bench/run.sh                  full run, writes bench/results/latest.{md,png}
#        bash bench/run.sh --quick mlp      smoke run
#        bash bench/run.sh --at HEAD        measure a clean snapshot of a commit
#   Options (see bench/bench.py --help): --out DIR, --work DIR, --models-dir DIR,
#   --rounds N, --budget SECONDS, --no-ort, --no-torch, --no-gemm, --mlegen PATH.
#
# By default it measures the working tree as it is: it first builds the
# current sources' mlegen into build-bench/ (incremental), and bench.py
# records the commit plus whether compiler/, templates/ or runtime_stub/ had
# uncommitted changes. With --at REV it exports REV with `git archive` into
# bench/results/tmp/src-HASH, builds mlegen there and measures that (compiler,
# templates and harness all from REV): reproducible even while others edit
# the tree. --mlegen PATH (or MLEGEN=PATH) skips building altogether.
# Exit status: 0 if every configuration was measured, 3 if some failed (the
# table is still written, with the failures in its notes), 1 on fatal errors.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
ARGS=()
AT=""
HAVE_MLEGEN=0
while [ $# -gt 0 ]; do
  case "$1" in
    --at) AT="$2"; shift 2; continue ;;
    --mlegen) HAVE_MLEGEN=1 ;;
  esac
  ARGS+=("$1")
  shift
done
COMMAND="bash bench/run.sh${AT:+ --at $AT}${ARGS[*]:+ ${ARGS[*]}}"

if [ -n "$AT" ]; then
  HASH="$(git -C "$ROOT" rev-parse --short=12 "$AT^{commit}")"
  SRC="$ROOT/bench/results/tmp/src-$HASH"
  if [ ! -f "$SRC/.complete" ]; then
    echo "[bench] exporting $AT ($HASH) into $SRC" >&2
    rm -rf "$SRC" && mkdir -p "$SRC"
    git -C "$ROOT" archive "$HASH" | tar -x -C "$SRC"
    touch "$SRC/.complete"
  fi
  echo "[bench] building mlegen at $HASH" >&2
  cmake -S "$SRC" -B "$SRC/build" -DCMAKE_BUILD_TYPE=Release >/dev/null
  nice cmake --build "$SRC/build" -j2 --target mlegen >/dev/null
  ARGS+=(--mlegen "$SRC/build/mlegen" --src "$SRC"
         --commit-label "$HASH (clean snapshot: git archive $AT)")
elif [ "$HAVE_MLEGEN" = 0 ]; then
  if [ -z "${MLEGEN:-}" ]; then
    echo "[bench] building mlegen into build-bench/" >&2
    cmake -S "$ROOT" -B "$ROOT/build-bench" -DCMAKE_BUILD_TYPE=Release >/dev/null
    nice cmake --build "$ROOT/build-bench" -j2 --target mlegen >/dev/null
    MLEGEN="$ROOT/build-bench/mlegen"
  fi
  ARGS+=(--mlegen "$MLEGEN")
fi

exec /usr/bin/python3 "$ROOT/bench/bench.py" --command "$COMMAND" "${ARGS[@]}"
