#!/usr/bin/env bash
# cli.sh MLEGEN MODELS_DIR WORKDIR [NODE_DIR] - the command-line contract:
# exit statuses, --dim/--shape/--seq binding, the generated API, and what
# generated code must not contain.
set -uo pipefail
mlegen=$1 models=$2 work=$3 node=${4:-}
mkdir -p "$work"
fails=0 passes=0
expect() { # expect STATUS PATTERN -- command...
    local want=$1 pat=$2; shift 3
    local out status
    out=$("$@" 2>&1); status=$?
    if [ "$status" -ne "$want" ] || ! grep -qE -- "$pat" <<<"$out"; then
        echo "FAIL: $* -> status $status (want $want), output:"; echo "$out" | head -5
        fails=$((fails + 1))
    else
        passes=$((passes + 1))
    fi
}
dyn=$models/mlp_dynbatch/model.onnx
expect 0 "usage: mlegen" -- "$mlegen" --help
expect 0 "^mlegen [0-9]" -- "$mlegen" --version
expect 2 "usage" -- "$mlegen"
expect 2 "unknown option '--frobnicate'" -- "$mlegen" --frobnicate "$dyn" -o "$work/x.c"
expect 2 "no output file" -- "$mlegen" "$dyn"
expect 2 "--target must be any, generic, avx2, avx512 or native" -- "$mlegen" "$dyn" -o "$work/x.c" --target sse9
# --target native names what this machine has (/proc/cpuinfo's flags).
want=generic
grep -qw avx2 /proc/cpuinfo && grep -qw fma /proc/cpuinfo && want=avx2
grep -qw avx512f /proc/cpuinfo && grep -qw fma /proc/cpuinfo && want=avx512
expect 0 "" -- "$mlegen" "$dyn" -o "$work/nat.c" --dim batch=2 --target native
expect 0 "^/\* --target $want( |\*)" -- cat "$work/nat.c"
expect 2 "needs NAME=VALUE" -- "$mlegen" "$dyn" -o "$work/x.c" --dim batch
expect 1 "input 'input': dimension 0 \('batch'\) is unbound; pass --dim batch=N" -- "$mlegen" "$dyn" -o "$work/x.c"
[ ! -e "$work/x.c" ] && [ ! -e "$work/x.h" ] && passes=$((passes + 1)) || { echo "FAIL: output left behind"; fails=$((fails + 1)); }
expect 1 "not a valid C identifier" -- "$mlegen" "$dyn" -o "$work/x.c" --dim batch=2 --prefix 9lives
expect 1 "no input of that name" -- "$mlegen" "$dyn" -o "$work/x.c" --shape nosuch=1x784
expect 0 "" -- "$mlegen" "$dyn" -o "$work/my-model.c" --dim batch=5
expect 0 "" -- "$mlegen" "$dyn" -o "$work/s.c" --shape input=7x784
# The header: prefix from the file stem, the uniform API and macros.
for pat in "int my_model_run\(const void \*const inputs\[\], void \*const outputs\[\]\);" \
           "int my_model_run_with\(void \*workspace," "#define my_model_NUM_INPUTS 1" \
           "#define my_model_INPUT_0_SHAPE \{5, 784\}" "#define my_model_OUTPUT_0_SIZE 50" \
           "#define my_model_WORKSPACE_BYTES [0-9]+"; do
    expect 0 "$pat" -- cat "$work/my-model.h"
done
expect 0 "#define s_INPUT_0_SHAPE \{7, 784\}" -- cat "$work/s.h"
# Generated code: standard headers only, no malloc, no stdio, nodes named.
expect 1 "" -- grep -E "malloc|calloc|printf|FILE \*" "$work/my-model.c"
includes=$(grep -E "^#include" "$work/my-model.c" | sort -u | tr '\n' ' ')
want='#include "my-model.h" #include <immintrin.h> #include <math.h> #include <stdint.h> #include <string.h> '
[ "$includes" = "$want" ] && passes=$((passes + 1)) || { echo "FAIL: includes: $includes"; fails=$((fails + 1)); }
expect 0 "/\* node '.*' \(Gemm\) \+ '.*' \(Relu\) \*/" -- cat "$work/my-model.c"
# Ablation: a disabled pass leaves its nodes unfused; unknown or required
# passes are usage errors that name the optional ones.
expect 0 "" -- "$mlegen" "$dyn" -o "$work/nofuse.c" --dim batch=5 --disable-pass fuse-activation
expect 1 "" -- grep -E "/\* node '.*' \(Gemm\) \+ '.*' \(Relu\) \*/" "$work/nofuse.c"
expect 0 "/\* node '.*' \(Relu\) \*/" -- cat "$work/nofuse.c"
expect 2 "'fold-constants' is not an optional pass; one of: fuse-conv-batchnorm fuse-layernorm fuse-attention fuse-matmul-bias fuse-residual-add fuse-activation fuse-pw-dw fuse-elementwise" -- \
    "$mlegen" "$dyn" -o "$work/x.c" --dim batch=5 --disable-pass fuse-activation,fold-constants
expect 2 "'nosuch' is not an optional pass" -- "$mlegen" "$dyn" -o "$work/x.c" --disable-pass nosuch
# Sequences flattened at the API: --seq names the elements, --shape sizes them.
ins=${node:+$node/test_sequence_insert_at_front/model.onnx}
if [ -n "$ins" ] && [ -e "$ins" ]; then
    expect 1 "input 'sequence' is a sequence: pass --seq sequence=N" -- \
        "$mlegen" "$ins" -o "$work/q.c"
    expect 1 "--seq nosuch: the model has no sequence or optional input of that name" -- \
        "$mlegen" "$ins" -o "$work/q.c" --seq nosuch=2
    expect 0 "" -- "$mlegen" "$ins" -o "$work/q.c" --seq sequence=2 --shape sequence.0=4 \
        --shape sequence.1=2x2 --shape tensor=3 --shape position=1 --const position=$(dirname "$ins")/test_data_set_0/input_2.pb
    for pat in '#define q_NUM_INPUTS 4' '#define q_INPUT_0_NAME "sequence.0"' \
               '#define q_INPUT_1_SHAPE \{2, 2\}' '#define q_NUM_OUTPUTS 3' \
               '#define q_OUTPUT_0_NAME "output_sequence.0"' '#define q_OUTPUT_0_SHAPE \{3\}' \
               '#define q_INPUT_3_UNREAD 1'; do
        expect 0 "$pat" -- cat "$work/q.h"
    done
fi
expect 2 "--blas must be none or openblas" -- "$mlegen" "$dyn" -o "$work/x.c" --blas mkl
echo "$passes passed, $fails failed"
[ "$fails" -eq 0 ]
