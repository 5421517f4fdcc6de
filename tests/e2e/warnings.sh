#!/usr/bin/env bash
# warnings.sh MLEGEN MODEL.onnx WORKDIR - the generated C must compile
# warning-free as strict C99 under clang and gcc, for every instruction-set
# path (AVX-512, AVX2+FMA, scalar) and for --target generic.
set -euo pipefail
mlegen=$1 model=$2 work=$3
mkdir -p "$work"
strict=(-std=c99 -Wall -Wextra -pedantic -Werror -O1 -c)
"$mlegen" "$model" -o "$work/m.c"
"$mlegen" "$model" -o "$work/g.c" --target generic
for cc in clang gcc; do
    for isa in "-march=skylake-avx512" "-mavx2 -mfma" ""; do
        # shellcheck disable=SC2086
        $cc "${strict[@]}" $isa "$work/m.c" -o "$work/m.o"
        echo "ok: $cc $isa"
    done
    $cc "${strict[@]}" "$work/g.c" -o "$work/g.o"
    echo "ok: $cc --target generic"
done
