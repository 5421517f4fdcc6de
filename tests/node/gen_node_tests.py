#!/usr/bin/python3
"""Writes the ONNX backend node tests (model.onnx + test_data_set_0/*.pb).

Usage: /usr/bin/python3 gen_node_tests.py OUT_DIR

Debian's python3-onnx 1.12 ships the test-case generators but not their
data. They still use numpy aliases that numpy >= 1.24 removed (np.float,
np.int, np.bool, np.object, ...), so we restore those as the builtins they
always were, then run onnx's own `generate-data` command. The cases land
in OUT_DIR/node/test_*; onnx's 'real' model cases (downloads) are skipped.
"""
import sys

import numpy as np

for alias, builtin in (("float", float), ("int", int), ("bool", bool), ("object", object),
                       ("complex", complex), ("str", str), ("long", int)):
    if alias not in np.__dict__:
        setattr(np, alias, builtin)

import onnx.backend.test.case.model as model_test  # noqa: E402
from onnx.backend.test import cmd_tools  # noqa: E402

if len(sys.argv) != 2:
    sys.exit("usage: gen_node_tests.py OUT_DIR")
# Only node tests: the model cases are URLs of models we never download.
model_test.collect_testcases = lambda *a, **k: []
sys.argv = [sys.argv[0], "generate-data", "-o", sys.argv[1]]
cmd_tools.main()
