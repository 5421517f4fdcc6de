#!/usr/bin/env bash
# determinism.sh MLEGEN MODEL.onnx WORKDIR - identical input gives
# byte-identical OUT.c and OUT.h, whatever the output directory.
set -euo pipefail
mlegen=$1 model=$2 work=$3
mkdir -p "$work/a" "$work/b"
"$mlegen" "$model" -o "$work/a/m.c"
"$mlegen" "$model" -o "$work/b/m.c"
cmp "$work/a/m.c" "$work/b/m.c"
cmp "$work/a/m.h" "$work/b/m.h"
echo "identical: $(wc -c < "$work/a/m.c") bytes"
