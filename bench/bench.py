#!/usr/bin/python3
"""bench.py - mlegen against ONNX Runtime and PyTorch, side by side.

Run it through bench/run.sh (which builds mlegen first); see bench/README.md.

Design. Every measured thing is a *cell*: one (model, runtime) pair that can
be asked to "run W warm-up + N timed inferences and give me the median".
mlegen cells are harness executables (runtime_stub/harness.c linked with the
generated model, one process per batch); ONNX Runtime and PyTorch cells are
long-lived worker processes (ort_bench.js, torch_bench.py) that build their
session once and then answer "run W N" on stdin, so their start-up is not
paid per batch. The machine is shared and noisy, so nothing is measured in
one block: after a one-run probe sizes each cell's batch, the bench makes
ROUNDS passes over all cells, each pass running one batch of every cell, and
reports per cell the median of its per-batch medians (and the smallest
per-batch minimum). Peak RSS comes from GNU time around each measuring
process (the max over its batches for harness cells, which start afresh).

Everything that is built (models, generated C, objects, executables) goes to
the work directory (bench/results/tmp by default, git-ignored); object files
are cached by the hash of the generated C and the compile command, so a
rerun with unchanged kernels does not pay resnet18's minute of clang again.

To add a model to the bench set, add one line to BENCH_SET. To add an mlegen
variant (a new ablation column), add one line to MLEGEN_CONFIGS.
"""
import argparse
import concurrent.futures
import datetime
import hashlib
import json
import math
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
HARNESS = os.path.join(ROOT, "runtime_stub", "harness.c")  # --src replaces it
GEN_MODELS = os.path.join(ROOT, "tests", "models", "gen_models.py")
PYTHON = "/usr/bin/python3"  # Debian's: has torch and onnx

# ---------------------------------------------------------------------------
# What is measured. One line per model: (name, made by gen_models.py, so it
# gets a PyTorch column). Models not made by gen_models.py would need a
# `source` path instead; none yet.
BENCH_SET = [
    ("mlp", True),
    ("cnn_small", True),
    ("resnet18", True),
    ("mobilenet_v2", True),
    ("transformer", True),
    ("lstm", True),
]

CFLAGS = ["-std=c99", "-O2", "-march=native"]

# One line per mlegen variant: (key, column title, mlegen flags, cc flags).
# -O1 is not a column: it currently runs exactly the passes of -O2 (every
# fusion pass has min_opt 1), so it would only repeat the first column.
MLEGEN_CONFIGS = [
    ("mlegen", "mlegen", [], CFLAGS),
    ("O0", "mlegen -O0", ["-O0"], CFLAGS),
    ("scalar", "mlegen scalar", ["--target", "generic"], CFLAGS),
    # Per-pass ablation: each column turns off one optimization of the default.
    ("nofuse", "mlegen no fusion",
     ["--disable-pass", "fuse-conv-batchnorm,fuse-layernorm,fuse-attention,fuse-matmul-bias,fuse-residual-add,fuse-activation,fuse-pw-dw,fuse-elementwise"],
     CFLAGS),
    ("noreuse", "mlegen no arena reuse", ["--plan", "naive"], CFLAGS),
]

# The GEMM microbenchmark: C[M,N] = A[M,K] (runtime) x B[K,N] (constant).
GEMM_M = GEMM_K = GEMM_N = 512
# One line per configuration: (key, title, mlegen flags, cc flags, extra environment).
# `--blas openblas` makes the generated code call cblas_sgemm (linked with
# -lopenblas), run with and without OPENBLAS_CORETYPE like the plain sgemm rows.
GEMM_CONFIGS = [
    ("mlegen_native", "mlegen, -O2 -march=native", [], ["-std=c99", "-O2", "-march=native"], {}),
    ("mlegen_avx2", "mlegen, -O2 -mavx2 -mfma", [], ["-std=c99", "-O2", "-mavx2", "-mfma"], {}),
    ("mlegen_blas", "mlegen --blas openblas (core auto-detected)", ["--blas", "openblas"],
     CFLAGS, {"OPENBLAS_NUM_THREADS": "1"}),
    ("mlegen_blas_skx", "mlegen --blas openblas, OPENBLAS_CORETYPE=SkylakeX",
     ["--blas", "openblas"], CFLAGS, {"OPENBLAS_NUM_THREADS": "1", "OPENBLAS_CORETYPE": "SkylakeX"}),
]
OPENBLAS_CONFIGS = [
    ("openblas", "OpenBLAS sgemm (core auto-detected)", {}),
    ("openblas_skx", "OpenBLAS sgemm, OPENBLAS_CORETYPE=SkylakeX", {"OPENBLAS_CORETYPE": "SkylakeX"}),
]

FULL = dict(rounds=5, budget=10.0, min_runs=10, max_runs=1000, fma_scale=0.2)
QUICK = dict(rounds=1, budget=0.5, min_runs=3, max_runs=50, fma_scale=0.05)

DTYPES = {1: "float32", 3: "int8", 2: "uint8", 6: "int32", 7: "int64"}
NP_DTYPES = {"float32": np.float32, "int8": np.int8, "uint8": np.uint8, "int32": np.int32,
             "int64": np.int64}


def log(msg):
    print("[bench] " + msg, file=sys.stderr, flush=True)


def die(msg):
    log("error: " + msg)
    sys.exit(1)


class StepError(Exception):
    """A build or measuring step failed. Fatal for shared steps; for one
    cell it only empties that cell (the shared tree may be mid-change in
    another engineer's hands: one failing model must not lose the rest)."""


def run(argv, **kw):
    """Runs a build step, failing loudly with its output."""
    p = subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, **kw)
    if p.returncode != 0:
        raise StepError("%s failed (exit %d):\n%s" % (
            " ".join(argv[:6]), p.returncode, p.stdout.decode(errors="replace")[-4000:]))
    return p.stdout.decode(errors="replace")


# Peak RSS is taken by GNU time (`/usr/bin/time -f %M`), not by wait4() here:
# Linux carries the pre-exec high-water mark of the forked (or vforked)
# parent into the child's ru_maxrss, so a 4 MiB harness started from this
# python process (which has held whole models) would report this process's
# size instead of its own.
GNU_TIME = "/usr/bin/time"


class RssProbe:
    """Wraps an argv in GNU time writing the peak RSS to a file."""

    def __init__(self):
        fd, self.path = tempfile.mkstemp(prefix="bench-rss-")
        os.close(fd)

    def wrap(self, argv):
        return [GNU_TIME, "-f", "maxrss_kb=%M", "-o", self.path] + argv

    def read(self):
        try:
            with open(self.path) as f:
                m = re.search(r"maxrss_kb=(\d+)", f.read())
            return int(m.group(1)) if m else 0
        finally:
            os.unlink(self.path)


def run_measured(argv, env=None):
    """Runs a measuring process to completion; returns (exit code, stdout,
    stderr, peak RSS in KiB)."""
    rss = RssProbe()
    p = subprocess.run(rss.wrap(argv), stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
    return (p.returncode, p.stdout.decode(errors="replace"), p.stderr.decode(errors="replace"),
            rss.read())


def nice_argv(argv):
    return ["nice", "-n", "5"] + argv


# ---------------------------------------------------------------------------
# cells
class Cell:
    """One measured configuration. Subclasses implement batch(w, n) ->
    (median_us, min_us) and may update self.rss_kb."""

    def __init__(self, key, title):
        self.key, self.title = key, title
        self.rss_kb = 0
        self.medians, self.mins = [], []
        self.per_round = self.warmup = 0
        self.error = None      # why the cell has no numbers
        self.max_abs_err = None
        # (round median us, AVX2 peak, AVX-512 peak) for the rounds whose
        # peak sample ran right after the batch: the GEMM's share of the peak
        # at that moment, when the host's clock was what it was for the batch
        self.paired = []

    def measure(self, warmup, n):
        if self.error:
            return
        try:
            med, mn = self.batch(warmup, n)
        except StepError as e:
            self.fail(e)
            return
        self.medians.append(med)
        self.mins.append(mn)

    def fail(self, e):
        self.error = str(e).strip()
        self.medians, self.mins = [], []
        log("WARNING: %s: %s" % (self.title, self.error.splitlines()[0]))

    def median(self):
        return statistics.median(self.medians) if self.medians else None

    def min(self):
        return min(self.mins) if self.mins else None

    def runs(self):
        return self.per_round * len(self.medians)

    def spread(self):
        """(max - min) of the per-round medians relative to their median."""
        if len(self.medians) < 2:
            return None
        return (max(self.medians) - min(self.medians)) / self.median()

    def close(self):
        pass


def parse_times(text, what):
    m = re.search(r"median_us=([0-9.]+) min_us=([0-9.]+)", text)
    if not m:
        raise StepError("%s printed no timing:\n%s" % (what, text[-2000:]))
    return float(m.group(1)), float(m.group(2))


class HarnessCell(Cell):
    """A built executable printing median_us/min_us (the mlegen harness, or
    sgemm_openblas); a fresh process per batch."""

    def __init__(self, key, title, argv, env=None):
        super().__init__(key, title)
        self.argv, self.env = argv, env

    def batch(self, warmup, n):
        rc, out, err, rss = run_measured(self.argv(warmup, n), self.env)
        if rc != 0:
            raise StepError("%s failed (exit %d): %s" % (self.title, rc, err[-2000:]))
        self.rss_kb = max(self.rss_kb, rss)
        self.last_out = out
        return parse_times(out, self.title)


class WorkerCell(Cell):
    """A long-lived worker speaking the run W N / quit protocol."""

    def __init__(self, key, title, argv, env=None):
        super().__init__(key, title)
        self.errfile = tempfile.TemporaryFile()
        self.rss = RssProbe()
        self.p = subprocess.Popen(self.rss.wrap(argv), stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                  stderr=self.errfile, env=env, text=True)
        self.version = None
        try:
            hello = self.reply()
        except StepError as e:
            self.fail(e)
            return
        self.max_abs_err = hello.get("max_abs_err")
        self.version = hello.get("version")

    def reply(self):
        while True:
            line = self.p.stdout.readline()
            if not line:
                self.errfile.seek(0)
                raise StepError("%s exited early:\n%s" % (
                    self.title, self.errfile.read().decode(errors="replace")[-3000:]))
            line = line.strip()
            if line.startswith("{"):
                return json.loads(line)

    def batch(self, warmup, n):
        self.p.stdin.write("run %d %d\n" % (warmup, n))
        self.p.stdin.flush()
        s = self.reply()["samples_us"]
        return statistics.median(s), min(s)

    def close(self):
        if self.p is None or self.p.returncode is not None:
            return
        try:
            self.p.stdin.write("quit\n")
            self.p.stdin.close()
        except BrokenPipeError:
            pass
        self.p.wait()
        self.rss_kb = self.rss.read()


# ---------------------------------------------------------------------------
# building
class Builder:
    def __init__(self, args):
        self.args = args
        self.work = args.work
        self.cc = args.cc
        self.cc_version = run([self.cc, "--version"]).splitlines()[0]
        os.makedirs(os.path.join(self.work, "objcache"), exist_ok=True)

    def mlegen(self, model, out_c, flags):
        prefix = os.path.splitext(os.path.basename(out_c))[0]
        run(nice_argv([self.args.mlegen, model, "-o", out_c, "--prefix", prefix] + flags))
        return prefix

    def compile(self, c_path, cflags):
        """Compiles c_path to an object, cached by content + command."""
        h = hashlib.sha256()
        for p in (c_path, os.path.splitext(c_path)[0] + ".h"):
            with open(p, "rb") as f:
                for chunk in iter(lambda: f.read(1 << 20), b""):
                    h.update(chunk)
        h.update((" ".join([self.cc_version] + cflags)).encode())
        cached = os.path.join(self.work, "objcache", h.hexdigest()[:32] + ".o")
        obj = os.path.splitext(c_path)[0] + ".o"
        if not os.path.exists(cached):
            log("compiling %s (%s)" % (os.path.relpath(c_path, self.work), " ".join(cflags)))
            t0 = time.time()
            run(nice_argv([self.cc] + cflags + ["-c", c_path, "-o", cached + ".tmp"]))
            os.replace(cached + ".tmp", cached)
            log("  compiled %s in %.0f s" % (os.path.basename(c_path), time.time() - t0))
        shutil.copyfile(cached, obj)
        return obj

    def link_harness(self, obj, prefix, cflags, libs=()):
        d = os.path.dirname(obj)
        exe = os.path.join(d, prefix)
        run([self.cc] + cflags + ["-I", d, '-DMLEGEN_MODEL_HEADER="%s.h"' % prefix,
                                  "-DMLEGEN_PREFIX=%s" % prefix, obj, HARNESS, "-o", exe]
            + list(libs) + ["-lm"])
        return exe

    def build_model(self, model_path, out_dir, name, flags, cflags):
        """mlegen + cc + size; returns a dict describing the build."""
        os.makedirs(out_dir, exist_ok=True)
        c_path = os.path.join(out_dir, name + ".c")
        prefix = self.mlegen(model_path, c_path, flags)
        obj = self.compile(c_path, cflags)
        exe = self.link_harness(obj, prefix, cflags,
                                ["-lopenblas"] if "openblas" in flags else [])
        with open(os.path.splitext(c_path)[0] + ".h") as f:
            m = re.search(r"#define %s_WORKSPACE_BYTES (\d+)" % re.escape(prefix), f.read())
        sections = {}
        for line in run(["size", "-A", obj]).splitlines():
            parts = line.split()
            if len(parts) >= 2 and parts[0].startswith(".") and parts[1].isdigit():
                sections[parts[0]] = int(parts[1])
        return dict(exe=exe, arena=int(m.group(1)) if m else None,
                    text=sum(v for k, v in sections.items() if k.startswith(".text")),
                    rodata=sum(v for k, v in sections.items() if k.startswith(".rodata")),
                    bss=sections.get(".bss", 0))

    def build_c(self, src, exe, cflags, libs=()):
        run([self.cc] + cflags + [src, "-o", exe] + list(libs))
        return exe


# ---------------------------------------------------------------------------
# models and data
def ensure_models(names, models_dir):
    missing = [n for n in names if not os.path.exists(os.path.join(models_dir, n, "model.onnx"))]
    if missing:
        log("generating %s into %s" % (", ".join(missing), models_dir))
        run(nice_argv([PYTHON, GEN_MODELS, models_dir] + missing))


def prepare_data(name, models_dir, work):
    """Writes the raw .bin inputs/expected outputs of test_data_set_0 and a
    SPEC.json the workers read; returns the spec."""
    import onnx
    from onnx import numpy_helper

    mdir = os.path.join(models_dir, name)
    ddir = os.path.join(mdir, "test_data_set_0")
    wdir = os.path.join(work, name)
    os.makedirs(wdir, exist_ok=True)
    spec = {"model": os.path.join(mdir, "model.onnx"), "inputs": [], "outputs": []}
    for kind in ("input", "output"):
        i = 0
        while os.path.exists(os.path.join(ddir, "%s_%d.pb" % (kind, i))):
            t = onnx.TensorProto()
            with open(os.path.join(ddir, "%s_%d.pb" % (kind, i)), "rb") as f:
                t.ParseFromString(f.read())
            a = numpy_helper.to_array(t)
            path = os.path.join(wdir, "%s_%d.bin" % (kind, i))
            a.astype(a.dtype.newbyteorder("<")).tofile(path)
            spec[kind + "s"].append({"name": t.name, "dtype": DTYPES.get(t.data_type, "float32"),
                                     "shape": list(a.shape), "file": path})
            i += 1
    spec_path = os.path.join(wdir, "spec.json")
    with open(spec_path, "w") as f:
        json.dump(spec, f, indent=1)
    spec["path"] = spec_path
    return spec


def prepare_torch_model(name, work):
    """The pickled PyTorch module for `name`, rebuilt when gen_models.py changes."""
    pt = os.path.join(work, name, "torch_model.pt")
    with open(GEN_MODELS, "rb") as f:
        stamp = hashlib.sha1(f.read()).hexdigest()
    try:
        with open(pt + ".stamp") as f:
            fresh = os.path.exists(pt) and f.read() == stamp
    except OSError:
        fresh = False
    if not fresh:
        log("rebuilding the PyTorch %s (gen_models.py's builders and seeds)" % name)
        run(nice_argv([PYTHON, os.path.join(HERE, "torch_bench.py"), "prepare", name, pt]))
        with open(pt + ".stamp", "w") as f:
            f.write(stamp)
    return pt


def max_abs_err(got_path, want):
    got = np.fromfile(got_path, dtype=np.float32)
    w = np.fromfile(want["file"], dtype=np.float32)
    return float(np.max(np.abs(got - w))) if got.size == w.size else float("inf")


def make_gemm_model(path):
    import onnx
    from onnx import TensorProto, helper, numpy_helper

    if os.path.exists(path):
        return
    rng = np.random.RandomState(512)
    b = (rng.standard_normal((GEMM_K, GEMM_N)) / math.sqrt(GEMM_K)).astype(np.float32)
    g = helper.make_graph(
        [helper.make_node("MatMul", ["A", "B"], ["C"], name="matmul")], "gemm",
        [helper.make_tensor_value_info("A", TensorProto.FLOAT, [GEMM_M, GEMM_K])],
        [helper.make_tensor_value_info("C", TensorProto.FLOAT, [GEMM_M, GEMM_N])],
        [numpy_helper.from_array(b, "B")])
    m = helper.make_model(g, opset_imports=[helper.make_opsetid("", 13)])
    onnx.checker.check_model(m)
    onnx.save(m, path)


# ---------------------------------------------------------------------------
def probe_and_size(cell, p):
    """One timed run to size the cell's batches: as many runs as fit the
    time budget, between min_runs and max_runs, spread over the rounds."""
    if cell.error:
        return False
    try:
        t, _ = cell.batch(0, 1)
    except StepError as e:
        cell.fail(e)
        return False
    t = max(t, 1.0)
    total = int(min(p["max_runs"], max(p["min_runs"], p["budget"] * 1e6 / t)))
    cell.per_round = max(1, -(-total // p["rounds"]))
    # Warm-up: ~20% of a batch's time, none for slow cells (the harness and
    # the workers have already run the model once before any batch).
    cell.warmup = 0 if t > 2e5 else max(1, min(50, cell.per_round // 5))
    cell.probe_us = t
    return True


def env_info(args):
    cpu = "unknown"
    with open("/proc/cpuinfo") as f:
        for line in f:
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    flags = open("/proc/cpuinfo").read()
    isa = [x for x in ("avx2", "fma", "avx512f", "avx512bw", "avx512vl", "avx512_vnni")
           if re.search(r"\b%s\b" % x, flags)]

    def git(*a):
        p = subprocess.run(["git", "-C", ROOT] + list(a), stdout=subprocess.PIPE,
                           stderr=subprocess.DEVNULL, text=True)
        return p.stdout.strip() if p.returncode == 0 else ""

    commit = git("rev-parse", "--short=12", "HEAD") or "unknown"
    dirty = git("status", "--porcelain", "--", "compiler", "templates", "runtime_stub")
    if dirty:
        diff = subprocess.run(["git", "-C", ROOT, "diff", "HEAD", "--", "compiler", "templates",
                               "runtime_stub"], stdout=subprocess.PIPE).stdout
        commit += " + uncommitted changes to %d file(s) under compiler/ templates/ " \
                  "runtime_stub/ (diff sha1 %s)" % (len(dirty.splitlines()),
                                                    hashlib.sha1(diff).hexdigest()[:10])
    return dict(cpu=cpu, isa=" ".join(isa), ncpu=os.cpu_count(), commit=commit,
                date=datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
                kernel=platform.release(), load=os.getloadavg())


def fmt_us(v):
    if v is None:
        return "n/a"
    if v >= 1e5:
        return "%.0f" % v
    if v >= 100:
        return "%.0f" % v
    return "%.1f" % v


def fmt_mb(kb):
    return "%.0f" % (kb / 1024.0) if kb else "n/a"


def fmt_bytes(b):
    if b is None:
        return "n/a"
    if b >= 1 << 20:
        return "%.1f MiB" % (b / 1048576.0)
    if b >= 1 << 10:
        return "%.1f KiB" % (b / 1024.0)
    return "%d B" % b


# ---------------------------------------------------------------------------
def main():
    ap = argparse.ArgumentParser(description="mlegen vs ONNX Runtime vs PyTorch")
    ap.add_argument("models", nargs="*", help="subset of: " + ", ".join(n for n, _ in BENCH_SET))
    ap.add_argument("--quick", action="store_true", help="one round, a few runs (smoke test)")
    ap.add_argument("--mlegen", required=True)
    ap.add_argument("--cc", default="clang")
    ap.add_argument("--out", default=os.path.join(HERE, "results"),
                    help="where latest.md/latest.png go (default bench/results)")
    ap.add_argument("--work", default=os.path.join(HERE, "results", "tmp"),
                    help="build directory (default bench/results/tmp, git-ignored)")
    ap.add_argument("--models-dir", help="reuse models generated by gen_models.py here "
                    "(default WORK/models, generated when missing)")
    ap.add_argument("--rounds", type=int, help="interleaved rounds (default 5, quick 1)")
    ap.add_argument("--budget", type=float, help="seconds of timed runs per cell")
    ap.add_argument("--no-ort", action="store_true")
    ap.add_argument("--no-torch", action="store_true")
    ap.add_argument("--no-gemm", action="store_true", help="skip the GEMM microbenchmark")
    ap.add_argument("--src", help="source tree of the measured mlegen (its runtime_stub/ "
                    "harness is used; run.sh --at REV sets it)")
    ap.add_argument("--commit-label", help="what the table names as the commit measured")
    ap.add_argument("--command", default=None, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.src:
        global HARNESS
        HARNESS = os.path.join(os.path.abspath(args.src), "runtime_stub", "harness.c")

    p = dict(QUICK if args.quick else FULL)
    if args.rounds:
        p["rounds"] = args.rounds
    if args.budget:
        p["budget"] = args.budget
    known = dict(BENCH_SET)
    names = args.models or [n for n, _ in BENCH_SET]
    for n in names:
        if n not in known:
            die("unknown model %s; the bench set is %s" % (n, ", ".join(known)))
    args.work = os.path.abspath(args.work)
    args.out = os.path.abspath(args.out)
    os.makedirs(args.work, exist_ok=True)
    os.makedirs(args.out, exist_ok=True)
    models_dir = os.path.abspath(args.models_dir or os.path.join(args.work, "models"))
    notes = []

    # Which reference runtimes are usable: a missing one is a loud note, never silent.
    ort_dir = os.path.join(HERE, "node_modules", "onnxruntime-node")
    ort_version = None
    if args.no_ort:
        notes.append("ONNX Runtime column skipped: --no-ort was given.")
    elif not os.path.isdir(ort_dir) or not shutil.which("node"):
        why = ("bench/node_modules/onnxruntime-node is missing (install it with "
               "`bash tests/setup.sh build`)" if not os.path.isdir(ort_dir)
               else "`node` is not on PATH")
        notes.append("ONNX Runtime column skipped: " + why + ".")
        log("WARNING: " + notes[-1])
    else:
        with open(os.path.join(ort_dir, "package.json")) as f:
            ort_version = json.load(f)["version"]
    use_torch = not args.no_torch
    if args.no_torch:
        notes.append("PyTorch column skipped: --no-torch was given.")
    elif subprocess.run([PYTHON, "-c", "import torch"], stderr=subprocess.DEVNULL).returncode:
        use_torch = False
        notes.append("PyTorch column skipped: %s cannot import torch." % PYTHON)
        log("WARNING: " + notes[-1])

    if not os.access(GNU_TIME, os.X_OK):
        die("%s (GNU time, Debian package `time`) is needed to measure peak RSS" % GNU_TIME)
    info = env_info(args)
    if args.commit_label:
        info["commit"] = args.commit_label
    builder = Builder(args)
    log("measuring commit %s on %s" % (info["commit"], info["cpu"]))

    # ---- build everything (two clang jobs at a time) ----
    ensure_models(names, models_dir)
    specs = {n: prepare_data(n, models_dir, args.work) for n in names}
    jobs = {}
    with concurrent.futures.ThreadPoolExecutor(max_workers=2) as pool:
        for n in names:
            for key, _, flags, cflags in MLEGEN_CONFIGS:
                jobs[(n, key)] = pool.submit(builder.build_model, specs[n]["model"],
                                             os.path.join(args.work, n, key),
                                             "%s_%s" % (n, key), flags, cflags)
        if not args.no_gemm:
            gdir = os.path.join(args.work, "gemm")
            os.makedirs(gdir, exist_ok=True)
            gemm_model = os.path.join(gdir, "gemm%d.onnx" % GEMM_M)
            make_gemm_model(gemm_model)
            for key, _, gflags, cflags, _ in GEMM_CONFIGS:
                jobs[("gemm", key)] = pool.submit(builder.build_model, gemm_model,
                                                  os.path.join(gdir, key), "gemm_" + key, gflags,
                                                  cflags)
        builds = {}
        for k, f in jobs.items():
            try:
                builds[k] = f.result()
            except StepError as e:
                builds[k] = e
                log("WARNING: building %s %s failed: %s" % (k[0], k[1], str(e).splitlines()[0]))

    # ---- cells ----
    rows = {}  # model -> {key: Cell}
    for n in names:
        spec = specs[n]
        cells = {}
        for key, title, _, _ in MLEGEN_CONFIGS:
            b = builds[(n, key)]
            if isinstance(b, StepError):
                c = Cell(key, title)
                c.fail(b)
                c.build = None
                cells[key] = c
                continue
            out_bin = os.path.join(args.work, n, key, "out.bin")
            ins = sum((["-i", i["file"]] for i in spec["inputs"]), [])

            def argv(w, k, exe=b["exe"], ins=ins, out_bin=out_bin):
                return [exe] + ins + ["-o", out_bin, "--time", str(k), "--warmup", str(w)]

            c = HarnessCell(key, title, argv)
            c.build = b
            c.out_bin = out_bin
            cells[key] = c
        if ort_version:
            log("starting ONNX Runtime session for %s" % n)
            cells["ort"] = WorkerCell("ort", "ONNX Runtime", ["node", os.path.join(HERE, "ort_bench.js"),
                                                              spec["path"]])
        if use_torch and known[n]:
            pt = prepare_torch_model(n, args.work)
            cells["torch"] = WorkerCell("torch", "PyTorch", [PYTHON, os.path.join(HERE, "torch_bench.py"),
                                                             "serve", spec["path"], pt])
        rows[n] = cells

    gemm_cells = {}
    peak = {"avx2": 0.0, "avx512": 0.0}
    if not args.no_gemm:
        gdir = os.path.join(args.work, "gemm")
        a_bin = os.path.join(gdir, "a.bin")
        np.random.RandomState(1).standard_normal((GEMM_M, GEMM_K)).astype(np.float32).tofile(a_bin)
        for key, title, _, _, genv in GEMM_CONFIGS:
            if isinstance(builds[("gemm", key)], StepError):
                gemm_cells[key] = Cell(key, title)
                gemm_cells[key].fail(builds[("gemm", key)])
                continue
            exe = builds[("gemm", key)]["exe"]
            env = dict(os.environ, **genv)
            if genv and "OPENBLAS_CORETYPE" not in genv:
                env.pop("OPENBLAS_CORETYPE", None)
            gemm_cells[key] = HarnessCell(key, title, lambda w, k, exe=exe: [
                exe, "-i", a_bin, "-o", os.path.join(gdir, "c.bin"), "--time", str(k),
                "--warmup", str(w)], env if genv else None)
        sg = builder.build_c(os.path.join(HERE, "sgemm_openblas.c"), os.path.join(gdir, "sgemm_openblas"),
                             CFLAGS, ["-lopenblas"])
        for key, title, extra in OPENBLAS_CONFIGS:
            env = dict(os.environ, OPENBLAS_NUM_THREADS="1", **extra)
            if not extra:
                env.pop("OPENBLAS_CORETYPE", None)
            gemm_cells[key] = HarnessCell(key, title, lambda w, k, sg=sg: [
                sg, str(GEMM_M), str(k), str(w)], env)
        fma = builder.build_c(os.path.join(HERE, "fma_peak.c"), os.path.join(gdir, "fma_peak"), CFLAGS)

    all_cells = [c for n in names for c in rows[n].values()] + list(gemm_cells.values())

    # ---- probe, check outputs, then interleaved rounds ----
    for n in names:
        for c in rows[n].values():
            if not probe_and_size(c, p):
                continue
            if isinstance(c, HarnessCell):
                c.max_abs_err = max_abs_err(c.out_bin, specs[n]["outputs"][0])
            log("%-13s %-14s probe %10.1f us -> %d rounds x (%d warm-up + %d runs)" % (
                n, c.title, c.probe_us, p["rounds"], c.warmup, c.per_round))
    for c in gemm_cells.values():
        probe_and_size(c, p)
    all_cells = [c for c in all_cells if not c.error]
    t_start = time.time()
    for r in range(p["rounds"]):
        log("round %d/%d" % (r + 1, p["rounds"]))
        order = all_cells[r % len(all_cells):] + all_cells[:r % len(all_cells)]
        for c in order:
            c.measure(c.warmup, c.per_round)
            # The peak is sampled after every batch (30 ~2 ms trials per ISA):
            # on a loaded shared core only many samples catch a quiet moment,
            # and the GEMM cells' best runs come from such moments too.
            if not args.no_gemm:
                rc, out, err, _ = run_measured([fma, str(p["fma_scale"])])
                m = re.search(r"avx2_gflops=([0-9.]+) avx512_gflops=([0-9.]+)", out)
                if rc == 0 and m:
                    peak["avx2"] = max(peak["avx2"], float(m.group(1)))
                    peak["avx512"] = max(peak["avx512"], float(m.group(2)))
                    peak["samples"] = peak.get("samples", 0) + 1
                    if c.medians and not c.error:
                        c.paired.append((c.medians[-1], float(m.group(1)), float(m.group(2))))
    elapsed = time.time() - t_start
    for c in all_cells:
        c.close()
    torch_version = next((c.version for n in names for c in rows[n].values()
                          if c.key == "torch"), None)

    # ---- report ----
    command = args.command or "bench/bench.py " + " ".join(sys.argv[1:])
    md = write_markdown(args, p, info, names, rows, gemm_cells, peak, notes, command,
                        ort_version, torch_version, builder.cc_version, elapsed)
    with open(os.path.join(args.out, "latest.md"), "w") as f:
        f.write(md)
    plot(args, names, rows)
    print(md)
    log("wrote %s and latest.png" % os.path.join(args.out, "latest.md"))
    failed = [c for n in names for c in rows[n].values() if c.error] + \
        [c for c in gemm_cells.values() if c.error]
    if failed:
        log("error: %d configuration(s) failed (see the notes in latest.md)" % len(failed))
        return 3
    return 0


def write_markdown(args, p, info, names, rows, gemm_cells, peak, notes, command, ort_version,
                   torch_version, cc_version, elapsed):
    cols = [k for k, _, _, _ in MLEGEN_CONFIGS] + ["ort", "torch"]
    titles = {k: t for k, t, _, _ in MLEGEN_CONFIGS}
    titles.update(ort="ORT", torch="PyTorch")
    L = []
    L.append("# mlegen benchmark: latest results\n")
    L.append("- Command: `%s`" % command)
    L.append("- Date: %s; commit measured: %s" % (info["date"], info["commit"]))
    L.append("- CPU: %s (%d logical CPUs, shared; ISA: %s); Linux %s; load average at start "
             "%.2f" % (info["cpu"], info["ncpu"], info["isa"], info["kernel"], info["load"][0]))
    L.append("- mlegen builds: `%s %s` + runtime_stub/harness.c; ONNX Runtime: onnxruntime-node "
             "%s (1 intra-op thread, 1 inter-op thread, graph optimization 'all', sequential); "
             "PyTorch %s eager (1 thread, no_grad)" % (
                 cc_version.split(" (")[0], " ".join(CFLAGS), ort_version or "n/a",
                 torch_version or "n/a"))
    L.append("- Method: %d interleaved round(s) over all configurations; each cell is the median "
             "of its per-round medians, over the number of runs given below (time budget %.1f s "
             "per cell, %d to %d runs). Timed runs took %.0f s in all." % (
                 p["rounds"], p["budget"], p["min_runs"], p["max_runs"], elapsed))
    L.append("")
    L.append("## Latency (µs, single thread, batch 1; lower is better)\n")
    hdr = ["model"] + ["%s µs" % titles[k] for k in cols] + [
        "mlegen/ORT (<1: mlegen faster)", "peak RSS MB (%s)" % " / ".join(titles[k] for k in cols),
        "arena", ".text", ".rodata"]
    L.append("| " + " | ".join(hdr) + " |")
    L.append("|" + "---|" * len(hdr))
    for n in names:
        r = rows[n]
        med = {k: (r[k].median() if k in r else None) for k in cols}
        ratio = ("%.2f" % (med["mlegen"] / med["ort"])) if med["mlegen"] and med.get("ort") \
            else "n/a"
        b = r["mlegen"].build or dict(arena=None, text=None, rodata=None)
        cells = [n] + ["failed" if k in r and r[k].error else fmt_us(med[k]) for k in cols] + [
            ratio, " / ".join(fmt_mb(r[k].rss_kb) if k in r else "n/a" for k in cols),
            fmt_bytes(b["arena"]), fmt_bytes(b["text"]), fmt_bytes(b["rodata"])]
        L.append("| " + " | ".join(cells) + " |")
    L.append("")
    L.append("Arena, .text and .rodata are those of the default (`mlegen`) build; per "
             "configuration below. RSS is the peak resident set of the measuring process "
             "(GNU time %M): the harness executable for mlegen, the node process for ORT (Node.js "
             "runtime included), the python process for PyTorch (interpreter and libtorch "
             "included). ORT and PyTorch times include the call overhead of their JavaScript / "
             "Python API, which is what their users pay per inference; mlegen's is a direct C "
             "call.\n")
    L.append("### Details per configuration\n")
    L.append("| model | configuration | median µs | min µs | runs (rounds x batch) | "
             "round-to-round spread | max abs err vs PyTorch | arena | .text | .rodata | .bss |")
    L.append("|---|---|---|---|---|---|---|---|---|---|---|")
    for n in names:
        for k in cols:
            if k not in rows[n]:
                continue
            c = rows[n][k]
            if c.error:
                L.append("| %s | %s | failed: %s |||||||||" % (
                    n, titles[k], c.error.splitlines()[-1][:200].replace("|", "/")))
                notes.append("%s / %s failed: %s" % (n, titles[k], c.error.replace("\n", " ")[:600]))
                continue
            b = getattr(c, "build", None)
            sp = c.spread()
            err = "n/a" if c.max_abs_err is None else "%.2g" % c.max_abs_err
            if c.max_abs_err is not None and c.max_abs_err > 1e-3:
                err += " (MISMATCH)"
                notes.append("%s / %s: output differs from PyTorch's by %.3g (max abs); "
                             "its time may not be comparable." % (n, titles[k], c.max_abs_err))
            L.append("| %s | %s | %s | %s | %d (%d x %d) | %s | %s | %s | %s | %s | %s |" % (
                n, titles[k], fmt_us(c.median()), fmt_us(c.min()), c.runs(), len(c.medians),
                c.per_round, "n/a" if sp is None else "%.0f%%" % (100 * sp), err,
                fmt_bytes(b["arena"]) if b else "", fmt_bytes(b["text"]) if b else "",
                fmt_bytes(b["rodata"]) if b else "", fmt_bytes(b["bss"]) if b else ""))
    L.append("")
    L.append("`mlegen -O0`: no fusion, no arena reuse, reference kernels (the ablation). "
             "`mlegen scalar`: default passes but `--target generic` (the portable scalar "
             "kernels, which clang may still auto-vectorize). `mlegen no fusion`: default but "
             "`--disable-pass fuse-conv-batchnorm,fuse-layernorm,fuse-attention,fuse-matmul-bias,fuse-residual-add,fuse-activation,fuse-pw-dw,fuse-elementwise` (every "
             "node its own kernel call and tensor). `mlegen no arena reuse`: default but "
             "`--plan naive` (every tensor its own arena slot). `-O1` currently enables exactly "
             "the passes of -O2, so it has no column. Max abs err compares each runtime's "
             "output on test_data_set_0 with PyTorch's reference output from gen_models.py.\n")
    if gemm_cells:
        flops = 2.0 * GEMM_M * GEMM_N * GEMM_K
        L.append("## GEMM %dx%dx%d (runtime A, constant B), single thread\n" % (GEMM_M, GEMM_K, GEMM_N))
        L.append("Measured peak of this core (bench/fma_peak.c, 12 independent FMA chains, best "
                 "of %d samples of 30 short trials, one after every batch of every cell): "
                 "AVX2 (ymm) %.1f GFLOP/s, "
                 "AVX-512 (zmm) %.1f GFLOP/s. The peak is a best case, so it is compared both "
                 "with the median GEMM run and with the best one (both taken in the quietest "
                 "moments of a shared vCPU; the host may also run other guests on its core). "
                 "The host's clock varies between runs and within one (bench/README.md), so the "
                 "last column also compares each "
                 "round's median GEMM time with the peak sampled right after that batch, at "
                 "the clock the batch ran at, and gives the median over rounds of that ratio.\n"
                 % (peak.get("samples", 0), peak["avx2"], peak["avx512"]))
        L.append("| configuration | median µs | min µs | GFLOP/s (median / best run) | "
                 "% of AVX2 peak (median / best run) | % of AVX-512 peak (median / best run) "
                 "| runs | % of the peak sampled right after each round, median of rounds "
                 "(AVX2 / AVX-512) |")
        L.append("|---|---|---|---|---|---|---|---|---|")
        for c in gemm_cells.values():
            core = re.search(r"core=(\S+)", getattr(c, "last_out", ""))
            if core:
                c.title += " [picked core: %s]" % core.group(1)
            if c.error:
                L.append("| %s | failed: %s ||||||||" % (
                    c.title, c.error.splitlines()[-1][:200].replace("|", "/")))
                notes.append("GEMM %s failed: %s" % (c.title, c.error.replace("\n", " ")[:600]))
                continue
            g = flops / (c.median() * 1e3)
            gb = flops / (c.min() * 1e3)
            def pct(isa):
                if not peak[isa]:
                    return "n/a"
                return "%.0f%% / %.0f%%" % (100 * g / peak[isa], 100 * gb / peak[isa])

            def paired(i):
                r = [flops / (med * 1e3) / pk[i] for med, *pk in c.paired if pk[i]]
                return "%.0f%%" % (100 * statistics.median(r)) if r else "n/a"

            L.append("| %s | %s | %s | %.1f / %.1f | %s | %s | %d | %s / %s |" % (
                c.title, fmt_us(c.median()), fmt_us(c.min()), g, gb, pct("avx2"), pct("avx512"),
                c.runs(), paired(0), paired(1)))
        L.append("")
        L.append("The `-mavx2 -mfma` build takes the AVX2 path of the same generated file (its "
                 "AVX-512 code is under `#if`). OpenBLAS is Debian's libopenblas (pthread "
                 "variant) with OPENBLAS_NUM_THREADS=1; [picked core] is the kernel set it "
                 "reports using (openblas_get_corename).\n")
    if notes:
        L.append("## Notes\n")
        for n in notes:
            L.append("- " + n)
        L.append("")
    return "\n".join(L) + "\n"


def plot(args, names, rows):
    """Grouped bar chart, log-scale latency, via gnuplot (skipped with a note
    if gnuplot is missing)."""
    cols = [(k, t) for k, t, _, _ in MLEGEN_CONFIGS] + [("ort", "ONNX Runtime"), ("torch", "PyTorch")]
    # gnuplot refuses a histogram column without a single point: leave out
    # the runtimes that have no number at all (skipped or failed everywhere).
    cols = [(k, t) for k, t in cols if any(k in rows[n] and rows[n][k].median() for n in names)]
    dat = os.path.join(args.work, "latest.dat")
    with open(dat, "w") as f:
        f.write("model " + " ".join('"%s"' % t for _, t in cols) + "\n")
        for n in names:
            vals = []
            for k, _ in cols:
                m = rows[n][k].median() if k in rows[n] else None
                vals.append("%.3f" % (m / 1000.0) if m else "NaN")
            f.write(n + " " + " ".join(vals) + "\n")
    png = os.path.join(args.out, "latest.png")
    if not shutil.which("gnuplot"):
        log("WARNING: gnuplot not found; latest.png not written")
        return
    run(["gnuplot", "-e", "datafile='%s'; outfile='%s'; ncols=%d" % (dat, png, len(cols)),
         os.path.join(HERE, "plot.gp")])


if __name__ == "__main__":
    try:
        sys.exit(main())
    except StepError as e:
        die(str(e))
