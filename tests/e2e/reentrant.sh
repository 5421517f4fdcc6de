#!/usr/bin/env bash
# reentrant.sh MLEGEN MODEL.onnx SRC_DIR WORKDIR
set -euo pipefail
mlegen=$1 model=$2 src=$3 work=$4
mkdir -p "$work"
"$mlegen" "$model" -o "$work/model.c" --prefix model
clang -std=c11 -O2 -march=native -pthread -I"$work" -DMLEGEN_MODEL_HEADER='"model.h"' -DMLEGEN_PREFIX=model \
    "$work/model.c" "$src/tests/e2e/reentrant.c" -o "$work/reentrant" -lm
"$work/reentrant"
