#!/usr/bin/python3
"""PyTorch eager worker for bench/bench.py (run with Debian's /usr/bin/python3).

  torch_bench.py prepare NAME OUT.pt
      Rebuilds model NAME exactly as tests/models/gen_models.py does before
      exporting it (same seeds, hence the same weights; the builders and
      weight initialisers are imported from it, not copied) and pickles the
      eval-mode module to OUT.pt. This runs in its own process so that the
      measuring process below does not carry the memory peak of building
      (resnet18/mobilenet_v2 re-estimate BatchNorm statistics in train mode
      on random batches) in its peak RSS.

  torch_bench.py serve SPEC.json OUT.pt
      Loads OUT.pt, sets torch.set_num_threads(1), runs once under
      torch.no_grad() and prints {"ready": true, "max_abs_err": E} (against
      the expected output in SPEC.json, see ort_bench.js for its format),
      then serves "run W N" / "quit" on stdin like ort_bench.js: W warm-up
      calls, N calls each timed with time.perf_counter_ns() around
      model(*inputs), answered as {"samples_us": [...]}. The timed region
      includes the Python call overhead a PyTorch user pays.
"""
import json
import os
import sys

import numpy as np
import torch

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "tests", "models"))
import gen_models  # noqa: E402

TORCHVISION = ("resnet18", "mobilenet_v2")


def prepare(name, out_path):
    """The model-building steps of gen_models.generate(), in the same order
    (seeding, builder, re-initialisation of the small nets, eval mode)."""
    torch.set_num_threads(max(1, min(2, os.cpu_count() or 1)))
    torch.manual_seed(gen_models.SEED)
    np.random.seed(gen_models.SEED)
    model, _, _ = gen_models.MODELS[name]()
    if name not in TORCHVISION:
        with torch.no_grad():
            gen_models.reinit_weights(model, torch.Generator().manual_seed(gen_models.SEED + 2))
            gen_models.randomize_bn(model, torch.Generator().manual_seed(gen_models.SEED + 1))
    model.eval()
    torch.save(model, out_path)
    return 0


def say(obj):
    sys.stdout.write(json.dumps(obj) + "\n")
    sys.stdout.flush()


def serve(spec_path, model_path):
    torch.set_num_threads(1)
    torch.set_num_interop_threads(1)
    spec = json.load(open(spec_path))
    model = torch.load(model_path)
    model.eval()
    dtypes = {"float32": np.float32, "int64": np.int64, "int32": np.int32}
    inputs = [torch.from_numpy(np.fromfile(i["file"], dtype=dtypes[i["dtype"]]).reshape(i["shape"]))
              for i in spec["inputs"]]
    with torch.no_grad():
        out = model(*inputs)
        out0 = (out[0] if isinstance(out, (tuple, list)) else out).numpy()
        want = np.fromfile(spec["outputs"][0]["file"], dtype=np.float32)
        err = float(np.max(np.abs(out0.reshape(-1) - want))) if out0.size == want.size else float("inf")
        say({"ready": True, "max_abs_err": err, "version": torch.__version__})
        clock = __import__("time").perf_counter_ns
        for line in sys.stdin:
            words = line.split()
            if not words or words[0] == "quit":
                break
            if words[0] != "run":
                continue
            warmup, n = int(words[1]), int(words[2])
            for _ in range(warmup):
                model(*inputs)
            samples = []
            for _ in range(n):
                t0 = clock()
                model(*inputs)
                samples.append((clock() - t0) / 1e3)
            say({"samples_us": samples})
    return 0


def main(argv):
    if len(argv) == 4 and argv[1] == "prepare":
        return prepare(argv[2], argv[3])
    if len(argv) == 4 and argv[1] == "serve":
        return serve(argv[2], argv[3])
    print(__doc__.strip(), file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
