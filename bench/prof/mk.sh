#!/bin/bash
# bench/prof/mk.sh MODEL TAG [mlegen flags...]: builds build/prof/TAG/MODEL (harness exe) + input.bin
set -e
cd "$(dirname "$0")/../.."
M=$1; T=$2; shift 2
D=build/prof/$T; mkdir -p $D
${MLEGEN:-./build/mlegen} build/models/$M/model.onnx -o $D/$M.c --prefix $M "$@"
nice clang -std=c99 -O2 -march=native -g -c $D/$M.c -o $D/$M.o
clang -std=c99 -O2 -march=native -I $D -DMLEGEN_MODEL_HEADER="\"$M.h\"" -DMLEGEN_PREFIX=$M $D/$M.o runtime_stub/harness.c -o $D/$M -lm
/usr/bin/python3 -c "
import onnx,numpy as np,onnx.numpy_helper as h,sys
t=onnx.TensorProto(); t.ParseFromString(open('build/models/$M/test_data_set_0/input_0.pb','rb').read())
h.to_array(t).astype(np.float32).tofile('build/prof/in_$M.bin')
o=onnx.TensorProto(); o.ParseFromString(open('build/models/$M/test_data_set_0/output_0.pb','rb').read())
h.to_array(o).astype(np.float32).tofile('build/prof/ref_$M.bin')"
