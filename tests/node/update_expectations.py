#!/usr/bin/env python3
"""Rewrites tests/node/expectations.txt from the outcomes of a node run.

Usage: update_expectations.py BUILD_DIR REGEX

After `ctest -R node_` in BUILD_DIR, each case left BUILD_DIR/node_results/
NAME holding "pass" or "fail REASON". For the cases whose name matches
REGEX (and that have a result), this drops the entries of cases that pass
and adds the failing ones, or refreshes their reason, with the reason
recorded by the latest run (the first unsupported op or diagnostic), except
a hand-written reason that starts with one of the categories in MANUAL,
which is kept as long as the case fails. Entries outside REGEX are left
alone, so several engineers can each update the cases of their own operators from their own
build trees without undoing each other. Plain Python 3, no packages.
"""
import os
import re
import sys

if len(sys.argv) != 3:
    sys.exit("usage: update_expectations.py BUILD_DIR REGEX")
build, pattern = sys.argv[1], re.compile(sys.argv[2])
# Hand-written reasons start with a category and a colon.
MANUAL = re.compile(r"^(random|training|strings|sequences|ONNX test bug|not planned):")
path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "expectations.txt")
results = os.path.join(build, "node_results")

header, entries = [], {}
with open(path) as f:
    for line in f:
        if line.startswith("#") or not line.strip():
            if not entries:
                header.append(line.rstrip("\n"))
            continue
        name, _, reason = line.strip().partition(" ")
        entries[name] = reason.strip()

added = removed = 0
for name in sorted(os.listdir(results)):
    if not pattern.search(name):
        continue
    with open(os.path.join(results, name)) as f:
        outcome = f.read().strip()
    if outcome == "pass":
        if name in entries:
            del entries[name]
            removed += 1
    elif outcome.startswith("fail"):
        if name not in entries:
            added += 1
        if MANUAL.match(entries.get(name, "")):
            continue  # a hand-written category stays
        reason = re.sub(r"^/\S*: ", "", outcome[4:].strip())
        entries[name] = reason or "fails"

with open(path + ".tmp", "w") as f:
    for line in header:
        f.write(line + "\n")
    for name in sorted(entries):
        f.write(name + "  " + entries[name] + "\n")
os.replace(path + ".tmp", path)
print(f"expectations.txt: {len(entries)} entries ({added} added, {removed} removed)")
