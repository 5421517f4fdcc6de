#!/usr/bin/python3
"""Writes extra element-wise cases in the backend-test layout for the types
the ONNX node tests leave out: the unary math ops on double and float16
(float16 is computed on as float by templates/half.m4).

Usage: /usr/bin/python3 gen_dtype_cases.py OUT_DIR

Each case OUT_DIR/dtype_<Op>_<type>/ holds model.onnx and test_data_set_0
with numpy's result, computed in double and rounded to the type.
"""
import os
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

OPS = {
    "Abs": np.abs,
    "Neg": np.negative,
    "Exp": np.exp,
    "Log": lambda x: np.log(np.abs(x) + 0.5),
    "Sqrt": lambda x: np.sqrt(np.abs(x) + 0.5),
    "Sigmoid": lambda x: 1 / (1 + np.exp(-x)),
    "Tanh": np.tanh,
    "Floor": np.floor,
    "Round": np.round,  # half to even, like ONNX
    "Sin": np.sin,
    "Softsign": lambda x: x / (1 + np.abs(x)),
    "Relu": lambda x: np.maximum(x, 0),
}

if len(sys.argv) != 2:
    sys.exit("usage: gen_dtype_cases.py OUT_DIR")
out = sys.argv[1]
rng = np.random.RandomState(0)
for onnx_type, np_type in ((TensorProto.DOUBLE, np.float64), (TensorProto.FLOAT16, np.float16)):
    for op, ref in OPS.items():
        nodes, x = [], "x"
        if op in ("Log", "Sqrt"):  # keep the argument positive
            nodes.append(helper.make_node("Abs", ["x"], ["ax"]))
            nodes.append(helper.make_node("Add", ["ax", "half"], ["px"]))
            x = "px"
        nodes.append(helper.make_node(op, [x], ["y"]))
        inits = [numpy_helper.from_array(np.array(0.5, dtype=np_type), "half")]
        graph = helper.make_graph(
            nodes, "g", [helper.make_tensor_value_info("x", onnx_type, [3, 4])],
            [helper.make_tensor_value_info("y", onnx_type, [3, 4])], inits)
        model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)])
        xv = (rng.randn(3, 4) * 2).astype(np_type)
        xv[0, 0], xv[0, 1], xv[0, 2] = 2.5, -0.5, 1.5  # Round's ties
        yv = ref(xv.astype(np.float64)).astype(np_type)
        case = os.path.join(out, "dtype_%s_%s" % (op, np.dtype(np_type).name))
        os.makedirs(os.path.join(case, "test_data_set_0"), exist_ok=True)
        onnx.save(model, os.path.join(case, "model.onnx"))
        with open(os.path.join(case, "test_data_set_0", "input_0.pb"), "wb") as f:
            f.write(numpy_helper.from_array(xv, "x").SerializeToString())
        with open(os.path.join(case, "test_data_set_0", "output_0.pb"), "wb") as f:
            f.write(numpy_helper.from_array(yv, "y").SerializeToString())
