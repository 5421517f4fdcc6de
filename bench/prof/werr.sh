#!/bin/bash
# bench/prof/werr.sh TAG CASE...: builds each kernel case with the current mlegen, runs it and prints
# max |y - ref64| / max |ref64| (ref64: the float64 reference of gen_kernel_models.py)
cd "$(dirname "$0")/../.."
for c in "${@:2}"; do D=build/prof/err-$c-$1; mkdir -p $D
${MLEGEN:-./build/mlegen} build/km/$c/model.onnx -o $D/m.c --prefix m && clang -std=c99 -O2 -march=native -I $D -DMLEGEN_MODEL_HEADER='"m.h"' -DMLEGEN_PREFIX=m $D/m.c runtime_stub/harness.c -o $D/m -lm
/usr/bin/python3 - "$c" "$D" <<'PY'
import sys, glob, subprocess, numpy as np, onnx
from onnx import numpy_helper as h
c, D = sys.argv[1], sys.argv[2]
def rd(p):
    t = onnx.TensorProto(); t.ParseFromString(open(p, "rb").read()); return h.to_array(t)
ins = sorted(glob.glob("build/km/%s/test_data_set_0/input_*.pb" % c))
args = []
for i, p in enumerate(ins):
    rd(p).astype(np.float32).tofile("%s/in%d.bin" % (D, i)); args += ["-i", "%s/in%d.bin" % (D, i)]
subprocess.run(["%s/m" % D] + args + ["-o", "%s/out.bin" % D], check=True)
ref = rd("build/km/%s/test_data_set_0/output_0.pb" % c).astype(np.float64).ravel()
y = np.fromfile("%s/out.bin" % D, np.float32).astype(np.float64)
ok = ~np.isnan(ref)
print("%-20s max|err|/max|ref| = %.2e" % (c, np.abs(y[ok] - ref[ok]).max() / np.abs(ref[ok]).max()))
PY
done
