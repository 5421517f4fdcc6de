#!/usr/bin/env bash
# generated.sh MLEGEN SOURCE_DIR WORKDIR [--write] - generated/ holds example
# outputs of mlegen, committed so a reader can see what the compiler emits.
# This regenerates each from its model and requires byte-identical output
# (so a change to the compiler or templates shows up in review as a diff of
# generated/); --write refreshes them.
set -euo pipefail
mlegen=$1 src=$2 work=$3 mode=${4:-check}
mkdir -p "$work"
fail=0
# name:model (paths relative to the source tree)
for entry in digits:tests/models/digits.onnx; do
    name=${entry%%:*} model=$src/${entry#*:}
    "$mlegen" "$model" -o "$work/$name.c"
    for ext in c h; do
        if [ "$mode" = --write ]; then
            cp "$work/$name.$ext" "$src/generated/$name.$ext"
        elif ! cmp -s "$work/$name.$ext" "$src/generated/$name.$ext"; then
            echo "generated/$name.$ext differs from what mlegen emits now:"
            diff "$src/generated/$name.$ext" "$work/$name.$ext" | head -20 || true
            echo "(if the change is intended: bash tests/e2e/generated.sh $mlegen $src $work --write)"
            fail=1
        fi
    done
done
[ "$fail" -eq 0 ] && [ "$mode" != --write ] && echo "generated/ matches mlegen's output"
exit $fail
