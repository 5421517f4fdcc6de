#!/usr/bin/env bash
# determinism.sh MLEGEN MODEL.onnx WORKDIR - identical input gives
# byte-identical OUT.c and OUT.h: twice in a row, and from a copy of the
# model in another folder (nothing may depend on paths or run order).
set -euo pipefail
mlegen=$1 model=$2 work=$3
mkdir -p "$work/a" "$work/b" "$work/copy"
cp "$model" "$work/copy/model.onnx"
name=$(basename "$model")
"$mlegen" "$model" -o "$work/a/m.c"
"$mlegen" "$model" -o "$work/b/m.c"
cmp "$work/a/m.c" "$work/b/m.c"
cmp "$work/a/m.h" "$work/b/m.h"
# The copy has another name; the file name is the only thing allowed to differ.
"$mlegen" "$work/copy/model.onnx" -o "$work/copy/m.c"
sed "s/model\.onnx/$name/" "$work/copy/m.c" | cmp - "$work/a/m.c"
sed "s/model\.onnx/$name/" "$work/copy/m.h" | cmp - "$work/a/m.h"
echo "identical: $(wc -c < "$work/a/m.c") bytes"
