#!/bin/bash
# bench/prof/kc.sh REGEX: mlegen check of build/km cases on native/avx2/scalar/O0
cd "$(dirname "$0")/../.."; W="-Wall -Wextra -pedantic -Werror"
for c in $(ls build/km | grep -E "$1"); do for cf in "-O2 -march=native" "-O2 -mavx2 -mfma" "-O2" "O0"; do
 if [ "$cf" = O0 ]; then r=$(${MLEGEN:-./build/mlegen} check -O0 build/km/$c/model.onnx build/km/$c/test_data_set_0 2>&1 | tail -3 | tr '\n' ' ');
 else r=$(${MLEGEN:-./build/mlegen} check build/km/$c/model.onnx build/km/$c/test_data_set_0 --cflags "$cf $W" 2>&1 | tail -3 | tr '\n' ' '); fi
 echo "$c [$cf]: ${r:0:250}"; done; done
