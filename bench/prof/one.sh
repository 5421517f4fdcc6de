#!/bin/bash
# bench/prof/one.sh CASE TAG: build a kernel-model case with the current mlegen into build/prof/CASE-TAG
cd "$(dirname "$0")/../.."; c=$1; D=build/prof/$c-$2; mkdir -p $D
${MLEGEN:-./build/mlegen} build/km/$c/model.onnx -o $D/m.c --prefix m && clang -std=c99 -O2 -march=native -I $D -DMLEGEN_MODEL_HEADER='"m.h"' -DMLEGEN_PREFIX=m $D/m.c runtime_stub/harness.c -o $D/m -lm && /usr/bin/python3 -c "
import onnx,numpy as np,onnx.numpy_helper as h
t=onnx.TensorProto(); t.ParseFromString(open('build/km/$c/test_data_set_0/input_0.pb','rb').read()); h.to_array(t).astype(np.float32).tofile('$D/in.bin')"
