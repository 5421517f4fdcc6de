#!/usr/bin/python3
"""Runs a model's generated code under valgrind memcheck.

    valgrind_model.py MLEGEN RUNTIME_DIR MODEL_DIR WORKDIR [CFLAGS...]

Compiles MODEL_DIR/model.onnx, builds OUT.c with runtime_stub/harness.c at
-O1 -g (plus CFLAGS, e.g. -mavx2 -mfma for the AVX2 paths; valgrind does
not decode AVX-512), feeds it test_data_set_0's inputs under
`valgrind --error-exitcode=1 --track-origins=yes` and compares the outputs
with the expected ones, so an uninitialized read, an out-of-bounds access or
a leak in the generated code fails the test.
"""
import os
import shutil
import subprocess
import sys

import numpy as np
from onnx import TensorProto, numpy_helper


def load_pb(path):
    t = TensorProto()
    with open(path, "rb") as f:
        t.ParseFromString(f.read())
    return numpy_helper.to_array(t)


def main():
    mlegen, runtime, mdir, work = sys.argv[1:5]
    cflags = sys.argv[5:]
    shutil.rmtree(work, ignore_errors=True)
    os.makedirs(work)
    data = os.path.join(mdir, "test_data_set_0")
    ins = sorted(f for f in os.listdir(data) if f.startswith("input_"))
    outs = sorted(f for f in os.listdir(data) if f.startswith("output_"))
    arrays = [load_pb(os.path.join(data, f)) for f in ins]
    # Fix the input shapes from the data (binds symbolic dims).
    import onnx
    m = onnx.load(os.path.join(mdir, "model.onnx"), load_external_data=False)
    inits = {i.name for i in m.graph.initializer}
    names = [i.name for i in m.graph.input if i.name not in inits]
    shape_args = []
    for n, a in zip(names, arrays):
        shape_args += ["--shape", f"{n}=" + "x".join(str(d) for d in a.shape)]
    c = os.path.join(work, "model.c")
    subprocess.run([mlegen, os.path.join(mdir, "model.onnx"), "-o", c, "--prefix", "model"]
                   + shape_args, check=True)
    exe = os.path.join(work, "run")
    subprocess.run(["cc", "-std=c99", "-O1", "-g"] + cflags +
                   ["-I", work, '-DMLEGEN_MODEL_HEADER="model.h"', "-DMLEGEN_PREFIX=model",
                    c, os.path.join(runtime, "harness.c"), "-o", exe, "-lm"], check=True)
    argv = ["valgrind", "-q", "--error-exitcode=1", "--track-origins=yes", "--leak-check=full",
            "--errors-for-leak-kinds=definite", exe]
    for i, a in enumerate(arrays):
        p = os.path.join(work, f"in_{i}.bin")
        np.ascontiguousarray(a).tofile(p)
        argv += ["-i", p]
    for i in range(len(outs)):
        argv += ["-o", os.path.join(work, f"out_{i}.bin")]
    r = subprocess.run(argv)
    if r.returncode != 0:
        print(f"FAIL: valgrind reported errors (exit {r.returncode})")
        return 1
    bad = 0
    for i, f in enumerate(outs):
        want = load_pb(os.path.join(data, f))
        got = np.fromfile(os.path.join(work, f"out_{i}.bin"), dtype=want.dtype)
        if got.size != want.size or not np.allclose(got, want.ravel(), rtol=1e-3, atol=1e-4):
            print(f"FAIL: output {i} differs from the expected values")
            bad += 1
    print(f"{os.path.basename(mdir)} {' '.join(cflags)}: valgrind clean, outputs "
          f"{'match' if not bad else 'DIFFER'}")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
