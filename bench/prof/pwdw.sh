#!/bin/bash
# bench/prof/pwdw.sh [ROUNDS]: mobilenet_v2's fused expansion 1x1 -> depthwise blocks alone
# (tests/kernels/gen_kernel_models.py case_pw_dw at their real sizes, Clip on both),
# fused vs --disable-pass fuse-pw-dw, interleaved; prints median and min per block (us).
cd "$(dirname "$0")/../.."; R=${1:-5}; D=build/prof/pwdw; mkdir -p $D
/usr/bin/python3 - $D <<'P'
import sys; sys.path.insert(0, "tests/kernels")
import numpy as np, gen_kernel_models as g
B = {"f2": (16, (112, 112), 96, 2), "f3": (24, (56, 56), 144, 1), "f4": (24, (56, 56), 144, 2)}
for k, (c, hw, ce, s) in B.items():
    g.case_pw_dw(sys.argv[1], k, 1, c, hw, ce, stride=s)
    g.rng_for(k).standard_normal((1, c) + hw).astype(np.float32).tofile("%s/%s/in.bin" % (sys.argv[1], k))
P
for m in f2 f3 f4; do for t in fused unfused; do
  f=; [ $t = unfused ] && f="--disable-pass fuse-pw-dw"
  ${MLEGEN:-./build/mlegen} $D/$m/model.onnx -o $D/$m/$t.c --prefix m $f
  clang -std=c99 -O2 -march=native -I $D/$m -DMLEGEN_MODEL_HEADER="\"$t.h\"" -DMLEGEN_PREFIX=m $D/$m/$t.c runtime_stub/harness.c -o $D/$m/$t -lm
done; done
for r in $(seq $R); do for m in f2 f3 f4; do for t in fused unfused; do
  echo "$m $t $($D/$m/$t -i $D/$m/in.bin -o /tmp/pwdw.bin --time 100 --warmup 10)"; done; done; done |
/usr/bin/python3 -c "
import sys, collections, statistics
d = collections.defaultdict(list)
for l in sys.stdin:
    m, t, a, b, _ = l.split(); d[(m, t)].append((float(a[10:]), float(b[7:])))
for k, v in sorted(d.items()):
    print(*k, 'median %.0f min %.0f' % (statistics.median(x for x, _ in v), min(y for _, y in v)))"
