#!/usr/bin/env bash
# run.sh - the benchmark in one command: mlegen (default and ablations)
# vs ONNX Runtime vs PyTorch, plus the GEMM microbenchmark.
#
# Usage: bash bench/run.sh [--quick] [MODEL...] [bench.py options]
#   e.g. bash bench/run.sh                  full run, writes bench/results/latest.{md,png}
#        bash bench/run.sh --quick mlp      smoke run
#   Options (see bench/bench.py --help): --out DIR, --work DIR, --models-dir DIR,
#   --rounds N, --budget SECONDS, --no-ort, --no-torch, --no-gemm, --mlegen PATH.
#
# Unless --mlegen PATH (or MLEGEN=PATH) is given it first builds the current
# tree's compiler into build-bench/ (incremental), so what is measured is
# always the source tree as it is now (bench.py records the commit, and
# whether compiler/ or templates/ had uncommitted changes).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
ARGS=("$@")
HAVE_MLEGEN=0
for a in "$@"; do
  if [ "$a" = "--mlegen" ]; then HAVE_MLEGEN=1; fi
done

if [ "$HAVE_MLEGEN" = 0 ]; then
  if [ -z "${MLEGEN:-}" ]; then
    echo "[bench] building mlegen into build-bench/" >&2
    cmake -S "$ROOT" -B "$ROOT/build-bench" -DCMAKE_BUILD_TYPE=Release >/dev/null
    cmake --build "$ROOT/build-bench" -j2 --target mlegen >/dev/null
    MLEGEN="$ROOT/build-bench/mlegen"
  fi
  ARGS+=(--mlegen "$MLEGEN")
fi

exec /usr/bin/python3 "$ROOT/bench/bench.py" --command "bash bench/run.sh $*" "${ARGS[@]}"
