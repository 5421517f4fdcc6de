#!/usr/bin/env bash
# demo.sh MLEGEN SOURCE_DIR OUT_DIR - compile the bundled digits CNN with
# mlegen, build it with clang, classify the held-out digits.
set -euo pipefail
mlegen=$1 src=$2 out=$3
mkdir -p "$out"
echo "== mlegen $src/tests/models/digits.onnx -o $out/digits.c"
"$mlegen" "$src/tests/models/digits.onnx" -o "$out/digits.c" --report
echo "== clang -O2 -march=native: generated code + runtime_stub/demo_digits.c"
clang -std=c99 -O2 -march=native -Wall -Wextra -pedantic -Werror -I"$out" \
    "$out/digits.c" "$src/runtime_stub/demo_digits.c" -o "$out/demo_digits" -lm
echo "== run"
"$out/demo_digits" "$src/tests/models/digits_heldout.f32" "$src/tests/models/digits_heldout.labels" \
    "$src/tests/models/digits_heldout.expected_logits.f32"
