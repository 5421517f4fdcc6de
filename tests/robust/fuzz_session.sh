#!/usr/bin/env bash
# fuzz_session.sh FUZZ_DIR SRC_DIR MODELS_DIR NODE_DIR SECONDS - a bounded
# libFuzzer session over the front end, seeded with every robust case's
# model, the kept crashers, the small PyTorch models, the digits demo and
# the ONNX node-test models. Crashes, leaks, timeouts (10 s) and runs over
# 2 GB of memory fail it; the reproducer is left in FUZZ_DIR/artifacts/.
set -euo pipefail
fuzz=$1 src=$2 models=$3 node=$4 secs=$5
cd "$fuzz"
rm -rf seeds corpus artifacts
mkdir -p seeds corpus artifacts
/usr/bin/python3 "$src/tests/robust/cases.py" gen seeds/cases
cp "$src"/tests/robust/crashers/* "$src/tests/models/digits.onnx" seeds/
for m in ops_misc residual cnn_small; do
  if [ -f "$models/$m/model.onnx" ]; then cp "$models/$m/model.onnx" "seeds/$m.onnx"; fi
done
if [ -d "$node" ]; then
  for d in "$node"/*/; do
    if [ -f "$d/model.onnx" ]; then cp "$d/model.onnx" "seeds/node_$(basename "$d").onnx"; fi
  done
fi
exec ./fuzz_frontend -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 -max_len=200000 \
  -print_final_stats=1 -artifact_prefix=artifacts/ corpus seeds
