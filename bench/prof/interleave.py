#!/usr/bin/python3
"""bench/prof/interleave.py ROUNDS TAG1 TAG2 ...: per model (cnn_small, resnet18,
mobilenet_v2) runs build/prof/TAG/MODEL harness batches and ORT
(bench/ort_bench.js, one long-lived worker per model) interleaved, rotating
the start each round; prints median of per-round medians and overall min."""
import json, statistics, subprocess, sys, os
os.chdir(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "build", "prof"))
rounds, tags = int(sys.argv[1]), sys.argv[2:]
N = {"cnn_small": 400, "resnet18": 12, "mobilenet_v2": 60}
models = [m for m in N if all(os.path.exists("%s/%s" % (t, m)) for t in tags)]
ort = {}
for m in models:
    p = subprocess.Popen(["node", "../../bench/ort_bench.js", "ort_%s.json" % m], stdin=subprocess.PIPE,
                         stdout=subprocess.PIPE, text=True)
    json.loads(p.stdout.readline())
    ort[m] = p
res = {(m, c): [] for m in models for c in tags + ["ORT"]}
mins = dict.fromkeys(res, 1e18)
for r in range(rounds):
    cells = [(m, c) for m in models for c in tags + ["ORT"]]
    k = r % len(cells)
    for m, c in cells[k:] + cells[:k]:
        if c == "ORT":
            ort[m].stdin.write("run %d %d\n" % (max(1, N[m] // 10), N[m])); ort[m].stdin.flush()
            s = json.loads(ort[m].stdout.readline())["samples_us"]
            med, mn = statistics.median(s), min(s)
        else:
            out = subprocess.run(["./%s/%s" % (c, m), "-i", "in_%s.bin" % m, "-o", "/tmp/il.bin",
                                  "--time", str(N[m]), "--warmup", str(max(1, N[m] // 10))],
                                 capture_output=True, text=True).stdout
            d = dict(kv.split("=") for kv in out.split())
            med, mn = float(d["median_us"]), float(d["min_us"])
        res[(m, c)].append(med)
        mins[(m, c)] = min(mins[(m, c)], mn)
for m in models:
    o = statistics.median(res[(m, "ORT")])
    for c in tags + ["ORT"]:
        md = statistics.median(res[(m, c)])
        print("%-13s %-6s median %9.0f us  min %9.0f us  ratio-to-ORT(median) %.2f  rounds %s" % (
            m, c, md, mins[(m, c)], md / o, " ".join("%.0f" % v for v in res[(m, c)])))
for p in ort.values():
    p.stdin.write("quit\n"); p.stdin.flush()
