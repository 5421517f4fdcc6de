#!/usr/bin/env bash
# string_limit.sh MLEGEN PYTHON SRC WORK - an over-long input string must make
# the run function return non-zero, never overflow the workspace: the
# generated code and string_limit.c built with ASan+UBSan (and the
# sanitized mlegen, when given as MLEGEN).
set -euo pipefail
mlegen=$1 python=$2 src=$3 work=$4
mkdir -p "$work"
"$python" - "$work/model.onnx" <<'PY'
import sys
from onnx import TensorProto, helper
node = helper.make_node('StringNormalizer', ['x'], ['y'], case_change_action='UPPER')
g = helper.make_graph([node], 'g', [helper.make_tensor_value_info('x', TensorProto.STRING, [3])],
                      [helper.make_tensor_value_info('y', TensorProto.STRING, [3])])
m = helper.make_model(g, opset_imports=[helper.make_opsetid('', 10)])
m.ir_version = 8
open(sys.argv[1], 'wb').write(m.SerializeToString())
PY
"$mlegen" "$work/model.onnx" -o "$work/m.c" --max-string-bytes 8
clang -std=c99 -Wall -Wextra -pedantic -Werror -O1 -g -fsanitize=address,undefined \
    -fno-sanitize-recover=undefined -fno-omit-frame-pointer -I"$work" \
    "$work/m.c" "$src/tests/robust/string_limit.c" -o "$work/run" -lm
ASAN_OPTIONS=detect_leaks=1:abort_on_error=0 "$work/run"
