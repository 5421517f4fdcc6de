#!/usr/bin/python3
"""Mutation test: real models truncated at many points and bit-flipped, each
mutant compiled by an ASan+UBSan build of mlegen. Every run must end with
exit status 0 or 1 and no sanitizer report, within the time limit; the
fuzz target (when given) also runs over every mutant in-process.

    mutate.py WORKDIR ASAN_MLEGEN [--fuzzer FUZZ_BIN] [--node-dir DIR] --models
              MODEL.onnx... [--per-model N] [--node-sample K]

The mutants are deterministic (fixed seeds), so a failure reproduces.
"""
import argparse
import concurrent.futures
import os
import random
import re
import shutil
import subprocess
import sys
import time

CRASH_RE = re.compile(r"Sanitizer|runtime error:|Segmentation fault|Aborted|core dumped")


def mutants(data, per_model, seed):
    """Half truncations (spread over the whole file, plus the first bytes
    where the header fields are), half flips of 1-8 random bits."""
    rng = random.Random(seed)
    n = len(data)
    half = max(1, per_model // 2)
    cuts = sorted({1, 2, 3, 5, 8, 13} | {rng.randrange(1, n) for _ in range(half)}) if n > 1 else []
    for c in cuts[:half]:
        yield f"cut{c}", data[:c]
    for k in range(per_model - half):
        b = bytearray(data)
        for _ in range(rng.randint(1, 8)):
            i = rng.randrange(n)
            b[i] ^= 1 << rng.randrange(8)
        yield f"flip{k}", bytes(b)


def run_mlegen(exe, path, outdir):
    os.makedirs(outdir, exist_ok=True)
    env = dict(os.environ, ASAN_OPTIONS="detect_leaks=1", UBSAN_OPTIONS="halt_on_error=1")
    t0 = time.time()
    try:
        p = subprocess.run([exe, path, "-o", os.path.join(outdir, "m.c")],
                           stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, timeout=120,
                           env=env)
    except subprocess.TimeoutExpired:
        return path, None, "timeout (hang?)", time.time() - t0
    shutil.rmtree(outdir, ignore_errors=True)
    return path, p.returncode, p.stderr.decode(errors="replace"), time.time() - t0


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("work")
    ap.add_argument("mlegen")
    ap.add_argument("--models", nargs="+", default=[])
    ap.add_argument("--fuzzer")
    ap.add_argument("--node-dir")
    ap.add_argument("--per-model", type=int, default=30)
    ap.add_argument("--node-sample", type=int, default=40)
    ap.add_argument("--node-per-model", type=int, default=8)
    ap.add_argument("--fuzz-extra", type=int, default=0,
                    help="more mutants per model under 256 KiB, for the fuzz target only")
    a = ap.parse_args()

    shutil.rmtree(a.work, ignore_errors=True)
    mdir = os.path.join(a.work, "mutants")
    os.makedirs(mdir)
    sources = [(m, a.per_model) for m in a.models if os.path.exists(m)]
    if a.node_dir and os.path.isdir(a.node_dir):
        cases = sorted(c for c in os.listdir(a.node_dir)
                       if os.path.exists(os.path.join(a.node_dir, c, "model.onnx")))
        step = max(1, len(cases) // max(1, a.node_sample))
        sources += [(os.path.join(a.node_dir, c, "model.onnx"), a.node_per_model)
                    for c in cases[::step][:a.node_sample]]
    files = []
    for i, (m, k) in enumerate(sources):
        data = open(m, "rb").read()
        stem = os.path.basename(os.path.dirname(m)) or f"m{i}"
        for tag, mut in mutants(data, k, seed=i):
            p = os.path.join(mdir, f"{stem}_{tag}.onnx")
            with open(p, "wb") as f:
                f.write(mut)
            files.append(p)
    print(f"{len(sources)} models, {len(files)} mutants", flush=True)

    failures = 0
    statuses = {}
    t0 = time.time()
    with concurrent.futures.ThreadPoolExecutor(max_workers=2) as pool:
        jobs = [pool.submit(run_mlegen, a.mlegen, p, os.path.join(a.work, "out", str(i)))
                for i, p in enumerate(files)]
        for j in concurrent.futures.as_completed(jobs):
            path, rc, err, dt = j.result()
            statuses[rc] = statuses.get(rc, 0) + 1
            if rc not in (0, 1) or CRASH_RE.search(err):
                failures += 1
                print(f"FAIL {path}: exit {rc}\n{err[-3000:]}", flush=True)
    print(f"mlegen (ASan+UBSan) over {len(files)} mutants in {time.time() - t0:.0f} s: "
          f"exit statuses {dict(sorted(statuses.items(), key=str))}, {failures} failures")

    if a.fuzzer:
        # The fuzz target runs each file once in-process (no mutation): fast
        # enough for many more mutants of the small models.
        xdir = os.path.join(a.work, "extra")
        os.makedirs(xdir)
        extra = []
        for i, (m, _) in enumerate(sources):
            data = open(m, "rb").read()
            if len(data) > 256 << 10:
                continue
            for tag, mut in mutants(data, a.fuzz_extra, seed=1000 + i):
                p = os.path.join(xdir, f"{i}_{tag}.onnx")
                with open(p, "wb") as f:
                    f.write(mut)
                extra.append(p)
        files += extra
        t0 = time.time()
        p = subprocess.run([a.fuzzer, "-runs=1", "-timeout=10", "-rss_limit_mb=2048"] + files,
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=600)
        out = p.stdout.decode(errors="replace")
        if p.returncode != 0:
            failures += 1
            print(f"FAIL fuzz target over the mutants:\n{out[-4000:]}")
        else:
            print(f"fuzz target (ASan+UBSan) over {len(files)} mutants in {time.time() - t0:.0f} s: "
                  "clean")
    print(f"{len(files) - failures} passed, {failures} failed")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
