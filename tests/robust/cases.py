#!/usr/bin/python3
"""Hostile and broken models for mlegen: each case builds a bad model and
states what mlegen must answer (exit status, diagnostics matching patterns,
no output file left behind, no crash or sanitizer report).

    cases.py list                         names of all cases
    cases.py run NAME WORKDIR MLEGEN...   build case NAME under WORKDIR and
                                          check it against each mlegen binary
    cases.py gen DIR                      write every case's model to DIR
                                          (fuzzer seeds)

Models are made here at test time with onnx.helper or as raw bytes; the
small ones are also what the fuzzer starts from.
"""
import os
import random
import re
import resource
import shutil
import subprocess
import sys

from onnx import TensorProto, TypeProto, helper, numpy_helper  # noqa: F401

import numpy as np

CASES = {}

# Text a crash or sanitizer leaves on stderr.
CRASH_RE = re.compile(r"Sanitizer|runtime error:|Segmentation fault|Aborted|core dumped"
                      r"|stack-overflow|heap-use-after-free")


def case(name, patterns, status=1, args=(), cmd="compile", first=None, mem_mb=None):
    """Registers a builder. patterns: regexes that must all occur in the
    output; first: one the first diagnostic line must match; mem_mb: an
    address-space limit for the (unsanitized) compiler, proving a claim was
    refused before anything was allocated."""
    def wrap(fn):
        CASES[name] = dict(build=fn, patterns=patterns, status=status, args=list(args), cmd=cmd,
                           first=first, mem_mb=mem_mb)
        return fn
    return wrap


# ---------------------------------------------------------------- helpers

def vi(name, shape, dtype=TensorProto.FLOAT):
    return helper.make_tensor_value_info(name, dtype, shape)


def model(nodes, inputs, outputs, inits=(), opset=13, ir=8, domains=()):
    g = helper.make_graph(nodes, "g", inputs, outputs, initializer=list(inits))
    ops = [helper.make_opsetid("", opset)] + [helper.make_opsetid(d, 1) for d in domains]
    m = helper.make_model(g, opset_imports=ops, producer_name="robust")
    m.ir_version = ir
    return m.SerializeToString()


def relu_model():
    return model([helper.make_node("Relu", ["x"], ["y"], name="relu")], [vi("x", [1, 4])],
                 [vi("y", [1, 4])])


def gemm_model():
    w = numpy_helper.from_array(np.arange(12, dtype=np.float32).reshape(3, 4), "w")
    b = numpy_helper.from_array(np.ones(3, dtype=np.float32), "b")
    return model([helper.make_node("Gemm", ["x", "w", "b"], ["h"], name="fc", transB=1),
                  helper.make_node("Relu", ["h"], ["y"], name="relu")],
                 [vi("x", [1, 4])], [vi("y", [1, 3])], [w, b])


def raw_tensor(name, dtype, dims, raw=None, floats=None):
    """A TensorProto built field by field: onnx.helper refuses the
    inconsistent ones these cases need."""
    t = TensorProto()
    t.name = name
    t.data_type = dtype
    t.dims.extend(dims)
    if raw is not None:
        t.raw_data = raw
    if floats is not None:
        t.float_data.extend(floats)
    return t


def varint(n):
    out = bytearray()
    while True:
        b = n & 0x7F
        n >>= 7
        out.append(b | (0x80 if n else 0))
        if not n:
            return bytes(out)


def field(num, payload):
    """A length-delimited protobuf field."""
    return varint(num << 3 | 2) + varint(len(payload)) + payload


def write(d, name, data):
    p = os.path.join(d, name)
    with open(p, "wb") as f:
        f.write(data)
    return p


# ---------------------------------------------------------------- file-level

@case("empty", [r"model\.onnx: the file is empty"])
def _(d):
    return write(d, "model.onnx", b"")


@case("random_bytes", [r"model\.onnx: (byte \d+: |not)"])
def _(d):
    return write(d, "model.onnx", random.Random(7).randbytes(4096))


@case("lfs_pointer", [r"Git LFS pointer file, not the model: run 'git lfs pull'"])
def _(d):
    return write(d, "model.onnx", b"version https://git-lfs.github.com/spec/v1\n"
                 b"oid sha256:4d7a214614ab2935c943f9e0ff69d22eadbb8f32b1258daaa5e2ca24d17e2393\n"
                 b"size 46748530\n")


@case("tensor_proto", [r"model\.onnx: (byte \d+: .*)?not (an )?ONNX"])
def _(d):
    t = numpy_helper.from_array(np.ones((2, 3), dtype=np.float32), "t")
    return write(d, "model.onnx", t.SerializeToString())


@case("missing_file", [r"cannot open: No such file"])
def _(d):
    return os.path.join(d, "no_such_model.onnx")


@case("directory", [r"not a regular file"])
def _(d):
    p = os.path.join(d, "dir.onnx")
    os.makedirs(p, exist_ok=True)
    return p


@case("no_graph", [r"the model has no graph"])
def _(d):
    m = helper.make_model(helper.make_graph([], "g", [], []))
    m.ClearField("graph")
    m.ir_version = 8
    return write(d, "model.onnx", m.SerializeToString())


@case("no_outputs", [r"the graph has no outputs"])
def _(d):
    return write(d, "model.onnx", model([helper.make_node("Relu", ["x"], ["y"])],
                                        [vi("x", [1, 4])], []))


@case("ir_version_old", [r"IR version 2 is not supported \(3 to 10 are\)"])
def _(d):
    return write(d, "model.onnx", model([helper.make_node("Relu", ["x"], ["y"])],
                                        [vi("x", [1, 4])], [vi("y", [1, 4])], ir=2))


@case("ir_version_new", [r"IR version 99 is not supported"])
def _(d):
    return write(d, "model.onnx", model([helper.make_node("Relu", ["x"], ["y"])],
                                        [vi("x", [1, 4])], [vi("y", [1, 4])], ir=99))


@case("opset_new", [r"opset 99 of the default domain is newer than mlegen supports"])
def _(d):
    return write(d, "model.onnx", model([helper.make_node("Relu", ["x"], ["y"])],
                                        [vi("x", [1, 4])], [vi("y", [1, 4])], opset=99))


@case("opset_missing", [r"imports no version of the default ONNX opset"])
def _(d):
    g = helper.make_graph([helper.make_node("Relu", ["x"], ["y"])], "g", [vi("x", [1, 4])],
                          [vi("y", [1, 4])])
    m = helper.make_model(g, opset_imports=[helper.make_opsetid("com.example", 1)])
    m.ir_version = 8
    return write(d, "model.onnx", m.SerializeToString())


@case("truncated", [])
def _(d):
    # Checked point by point in run_truncated.
    return write(d, "model.onnx", gemm_model())


# ---------------------------------------------------------------- support

def unsupported_model():
    # Three unsupported operators (an unknown one, one in a custom domain,
    # an ONNX-ML one) and, before them in the graph, a shape error that must
    # not be reported first.
    nodes = [helper.make_node("Add", ["x", "z"], ["a"], name="bad_add"),
             helper.make_node("FooBar", ["a"], ["b"], name="foo"),
             helper.make_node("Custom", ["b"], ["c"], name="custom", domain="com.example"),
             helper.make_node("TreeEnsembleClassifier", ["c"], ["y"], name="trees",
                              domain="ai.onnx.ml")]
    return model(nodes, [vi("x", [2, 3]), vi("z", [4])], [vi("y", None)],
                 domains=["com.example", "ai.onnx.ml"])


UNSUPPORTED = [r"node 'foo' \(FooBar\): operator FooBar \(domain 'ai\.onnx', opset 13\) is not "
               r"supported",
               r"node 'custom' \(com\.example\.Custom\): operator com\.example\.Custom \(domain "
               r"'com\.example', opset 1\) is not supported",
               r"node 'trees' \(ai\.onnx\.ml\.TreeEnsembleClassifier\): operator "
               r"ai\.onnx\.ml\.TreeEnsembleClassifier \(domain 'ai\.onnx\.ml', opset 1\) is not "
               r"supported"]


@case("unsupported_ops", UNSUPPORTED, first=r"is not supported")
def _(d):
    return write(d, "model.onnx", unsupported_model())


@case("support_command", [r"UNSUPPORTED  FooBar \(domain 'ai\.onnx', opset 13\)",
                          r"UNSUPPORTED  com\.example\.Custom \(domain 'com\.example', opset 1\)",
                          r"supported    Add \(opset 13\)", r"3 unsupported operators"],
      cmd="support")
def _(d):
    return write(d, "model.onnx", unsupported_model())


@case("list_unsupported", [r"UNSUPPORTED  FooBar", r"3 unsupported operators"],
      args=["--list-unsupported"])
def _(d):
    return write(d, "model.onnx", unsupported_model())


# ---------------------------------------------------------------- graph structure

@case("undefined_input", [r"node 'add' \(Add\): input 'ghost' is not a graph input, an initializer "
                          r"or any node's output",
                          r"node 'mul' \(Mul\): input 'phantom' is not"])
def _(d):
    return write(d, "model.onnx", model(
        [helper.make_node("Add", ["x", "ghost"], ["a"], name="add"),
         helper.make_node("Mul", ["a", "phantom"], ["y"], name="mul")],
        [vi("x", [1, 4])], [vi("y", [1, 4])]))


@case("cycle", [r"node '(add|r1|r2)' \((Add|Relu)\): is part of a cycle"])
def _(d):
    return write(d, "model.onnx", model(
        [helper.make_node("Add", ["x", "b"], ["a"], name="add"),
         helper.make_node("Relu", ["a"], ["b0"], name="r1"),
         helper.make_node("Relu", ["b0"], ["b"], name="r2"),
         helper.make_node("Relu", ["a"], ["y"], name="out")],
        [vi("x", [1, 4])], [vi("y", [1, 4])]))


@case("duplicate_output", [r"node 'second' \(Relu\): output 'y' is already produced elsewhere"])
def _(d):
    return write(d, "model.onnx", model(
        [helper.make_node("Relu", ["x"], ["y"], name="first"),
         helper.make_node("Relu", ["x"], ["y"], name="second")],
        [vi("x", [1, 4])], [vi("y", [1, 4])]))


@case("duplicate_initializer", [r"tensor 'w': is defined by two initializers"])
def _(d):
    w = numpy_helper.from_array(np.ones(4, dtype=np.float32), "w")
    return write(d, "model.onnx", model(
        [helper.make_node("Add", ["x", "w"], ["y"], name="add")],
        [vi("x", [1, 4])], [vi("y", [1, 4])], [w, w]))


@case("duplicate_input", [r"tensor 'x': is listed twice as a graph input"])
def _(d):
    return write(d, "model.onnx", model([helper.make_node("Relu", ["x"], ["y"], name="r")],
                                        [vi("x", [1, 4]), vi("x", [1, 4])], [vi("y", [1, 4])]))


@case("output_shadows_input", [r"node 'r' \(Relu\): output 'x' is already produced elsewhere"])
def _(d):
    return write(d, "model.onnx", model([helper.make_node("Relu", ["x"], ["x"], name="r")],
                                        [vi("x", [1, 4])], [vi("x", [1, 4])]))


# ---------------------------------------------------------------- tensors

@case("initializer_length", [r"tensor 'w': raw_data has 12 bytes, its shape \[4\] of float "
                             r"needs 16"])
def _(d):
    w = raw_tensor("w", TensorProto.FLOAT, [4], raw=b"\0" * 12)
    return write(d, "model.onnx", model([helper.make_node("Add", ["x", "w"], ["y"])],
                                        [vi("x", [1, 4])], [vi("y", [1, 4])], [w]))


@case("initializer_count", [r"tensor 'w': has 3 values, its shape \[2x2\] needs 4"])
def _(d):
    w = raw_tensor("w", TensorProto.FLOAT, [2, 2], floats=[1.0, 2.0, 3.0])
    return write(d, "model.onnx", model([helper.make_node("Add", ["x", "w"], ["y"])],
                                        [vi("x", [2, 2])], [vi("y", [2, 2])], [w]))


@case("dims_overflow", [r"tensor 'w': shape: the product of its dimensions overflows"])
def _(d):
    w = raw_tensor("w", TensorProto.FLOAT, [1 << 40, 1 << 40], raw=b"")
    return write(d, "model.onnx", model([helper.make_node("Add", ["x", "w"], ["y"])],
                                        [vi("x", [1, 4])], [vi("y", [1, 4])], [w]))


@case("negative_dims", [r"tensor 'w': shape has negative dimension -1",
                        r"tensor 'x': has negative dimension -3"])
def _(d):
    w = raw_tensor("w", TensorProto.FLOAT, [-1, 4], raw=b"")
    return write(d, "model.onnx", model([helper.make_node("Add", ["x", "w"], ["y"])],
                                        [vi("x", [-3, 4])], [vi("y", [1, 4])], [w]))


@case("zero_dim_kernel", [r"node 'n' \(Conv\): kernel.*must be positive"])
def _(d):
    # Empty tensors are legal in ONNX, a zero-sized convolution window is not.
    w = raw_tensor("w", TensorProto.FLOAT, [2, 3, 0, 3], raw=b"")
    return write(d, "model.onnx", one_op("Conv", [vi("x", [1, 3, 8, 8])], [vi("y", None)], [w]))


@case("zero_stride", [r"node 'n' \(Conv\): .*stride"])
def _(d):
    w = numpy_helper.from_array(np.ones((2, 3, 3, 3), dtype=np.float32), "w")
    return write(d, "model.onnx", one_op("Conv", [vi("x", [1, 3, 8, 8])], [vi("y", None)], [w],
                                         strides=[0, 1]))


@case("absurd_dims", [r"tensor 'w': shape \[1000000x1000000\] needs 4000000000000 bytes, over the "
                      r"limit of \d+ bytes \(raise it with --max-tensor-bytes\)"], mem_mb=400)
def _(d):
    w = raw_tensor("w", TensorProto.FLOAT, [1000000, 1000000], raw=b"\0" * 4)
    return write(d, "model.onnx", model([helper.make_node("Add", ["x", "w"], ["y"])],
                                        [vi("x", [1, 4])], [vi("y", [1, 4])], [w]))


@case("big_claim_tiny_data", [r"tensor 'w': raw_data has 4 bytes, its shape \[100000x2000\] of "
                              r"float needs 800000000"], mem_mb=400)
def _(d):
    # 800 MB is under the default 1 GiB tensor limit: the data length must
    # be checked before the buffer is allocated (mem_mb proves it).
    w = raw_tensor("w", TensorProto.FLOAT, [100000, 2000], raw=b"\0" * 4)
    return write(d, "model.onnx", model([helper.make_node("Add", ["x", "w"], ["y"])],
                                        [vi("x", [1, 4])], [vi("y", [1, 4])], [w]))


@case("big_claim_no_typed_data", [r"tensor 'w': has 0 values, its shape \[100000x2000\] needs "
                                  r"200000000"], mem_mb=400)
def _(d):
    w = raw_tensor("w", TensorProto.FLOAT, [100000, 2000])
    return write(d, "model.onnx", model([helper.make_node("Add", ["x", "w"], ["y"])],
                                        [vi("x", [1, 4])], [vi("y", [1, 4])], [w]))


@case("huge_intermediate", [r"node 'cos' \(ConstantOfShape\): .*(too large|over the limit)"],
      mem_mb=400)
def _(d):
    s = numpy_helper.from_array(np.array([100000, 100000, 100], dtype=np.int64), "s")
    return write(d, "model.onnx", model(
        [helper.make_node("ConstantOfShape", ["s"], ["big"], name="cos"),
         helper.make_node("Add", ["x", "big"], ["y"], name="add")],
        [vi("x", [1, 4])], [vi("y", None)], [s]))


@case("string_raw_data", [r"tensor 'w': string tensors must use string_data, not raw or external "
                          r"data"])
def _(d):
    # Strings are supported, but only as string_data: raw bytes have no
    # element boundaries.
    w = helper.make_tensor("w", TensorProto.STRING, [2], [b"a", b"b"])
    w.raw_data = b"ab"
    del w.string_data[:]
    return write(d, "model.onnx", model([helper.make_node("Identity", ["w"], ["y"])],
                                        [], [vi("y", [2], TensorProto.STRING)], [w]))


@case("string_count", [r"tensor 'w': has 2 strings, its shape needs 3"])
def _(d):
    w = helper.make_tensor("w", TensorProto.STRING, [3], [b"a", b"b", b"c"])
    del w.string_data[2:]
    return write(d, "model.onnx", model([helper.make_node("Identity", ["w"], ["y"], name="id")],
                                        [], [vi("y", [3], TensorProto.STRING)], [w]))


@case("map_input", [r"tensor 'x': is not a tensor, a sequence of tensors or an optional of "
                    r"either \(map and sparse values are not supported\)"])
def _(d):
    t = TypeProto()  # onnx 1.12's helper has no map type builder
    t.map_type.key_type = TensorProto.INT64
    t.map_type.value_type.CopyFrom(helper.make_tensor_type_proto(TensorProto.FLOAT, [2]))
    return write(d, "model.onnx", model([helper.make_node("Identity", ["x"], ["y"], name="id")],
                                        [helper.make_value_info("x", t)], [vi("y", [2])]))


# ---------------------------------------------------------------- op checks

def one_op(op, inputs, outputs, inits=(), name="n", **attrs):
    return model([helper.make_node(op, [i.name for i in inputs] + [t.name for t in inits],
                                   ["y"], name=name, **attrs)],
                 inputs, outputs, inits)


@case("wrong_dtype", [r"node 'n' \(Conv\): .*(type int64|int64).*"])
def _(d):
    w = numpy_helper.from_array(np.ones((2, 3, 3, 3), dtype=np.int64), "w")
    return write(d, "model.onnx", one_op("Conv", [vi("x", [1, 3, 8, 8], TensorProto.INT64)],
                                         [vi("y", None)], [w]))


@case("wrong_rank", [r"node 'n' \(Conv\): .*rank"])
def _(d):
    w = numpy_helper.from_array(np.ones((2, 3, 3, 3), dtype=np.float32), "w")
    return write(d, "model.onnx", one_op("Conv", [vi("x", [3, 8])], [vi("y", None)], [w]))


@case("reshape_mismatch", [r"node 'n' \(Reshape\): .*"])
def _(d):
    s = numpy_helper.from_array(np.array([4, 2], dtype=np.int64), "s")
    return write(d, "model.onnx", one_op("Reshape", [vi("x", [2, 3])], [vi("y", None)], [s]))


@case("gemm_mismatch", [r"node 'n' \(Gemm\): .*"])
def _(d):
    w = numpy_helper.from_array(np.ones((5, 6), dtype=np.float32), "w")
    return write(d, "model.onnx", one_op("Gemm", [vi("x", [2, 3])], [vi("y", None)], [w]))


@case("concat_mismatch", [r"node 'n' \(Concat\): .*"])
def _(d):
    return write(d, "model.onnx", one_op("Concat", [vi("a", [2, 3]), vi("b", [2, 4])],
                                         [vi("y", None)], axis=0))


@case("broadcast_mismatch", [r"node 'n' \(Add\): cannot broadcast 'a' \[2x3\] with 'b' \[4\]"])
def _(d):
    return write(d, "model.onnx", one_op("Add", [vi("a", [2, 3]), vi("b", [4])], [vi("y", None)]))


@case("unbound_dim", [r"input 'x': dimension 0 \('batch'\) is unbound; pass --dim batch=N"])
def _(d):
    return write(d, "model.onnx", model([helper.make_node("Relu", ["x"], ["y"], name="r")],
                                        [vi("x", ["batch", 4])], [vi("y", ["batch", 4])]))


@case("attr_wrong_type", [r"node 'n' \(Conv\): attribute 'strides' has type float, expected ints"])
def _(d):
    w = numpy_helper.from_array(np.ones((2, 3, 3, 3), dtype=np.float32), "w")
    return write(d, "model.onnx", one_op("Conv", [vi("x", [1, 3, 8, 8])], [vi("y", None)], [w],
                                         strides=1.5))


@case("attr_wrong_type_int", [r"node 'n' \(Concat\): attribute 'axis' has type string, "
                              r"expected int"])
def _(d):
    return write(d, "model.onnx", one_op("Concat", [vi("a", [2, 3]), vi("b", [2, 3])],
                                         [vi("y", None)], axis="zero"))


@case("constant_no_value", [r"node 'k' \(Constant\): Constant needs exactly one value attribute, "
                            r"has 0"])
def _(d):
    return write(d, "model.onnx", model(
        [helper.make_node("Constant", [], ["c"], name="k"),
         helper.make_node("Add", ["x", "c"], ["y"], name="add")],
        [vi("x", [1, 4])], [vi("y", [1, 4])]))


@case("many_errors", [r"input 'g1' is not", r"input 'g2' is not", r"input 'g3' is not",
                      r"tensor 'w': raw_data has"])
def _(d):
    # Every problem of a model is reported in one run.
    w = raw_tensor("w", TensorProto.FLOAT, [4], raw=b"\0" * 3)
    return write(d, "model.onnx", model(
        [helper.make_node("Add", ["x", "g1"], ["a"], name="a1"),
         helper.make_node("Add", ["a", "g2"], ["b"], name="a2"),
         helper.make_node("Add", ["b", "g3"], ["y"], name="a3")],
        [vi("x", [1, 4])], [vi("y", [1, 4])], [w]))


# ---------------------------------------------------------------- nesting

def nested_graph_bytes(depth):
    """A graph whose one node is an If whose then_branch is such a graph,
    `depth` times, encoded by hand (protobuf libraries refuse to build it).
    GraphProto.node = 1, NodeProto.attribute = 5, op_type = 4,
    AttributeProto.name = 1, g = 6, type = 20 (GRAPH = 5)."""
    g = field(2, b"leaf")  # GraphProto.name
    for _ in range(depth):
        attr = field(1, b"then_branch") + field(6, g) + varint(20 << 3) + varint(5)
        node = field(4, b"If") + field(1, b"c") + field(5, attr)
        g = field(1, node) + field(2, b"g")
    return g


def wrap_model(graph):
    # ModelProto: ir_version = 1 (varint), graph = 7, opset_import = 8 {version = 2}.
    return varint(1 << 3) + varint(8) + field(8, varint(2 << 3) + varint(13)) + field(7, graph)


@case("deep_subgraphs", [r"byte \d+: messages are nested more than 100 deep"])
def _(d):
    return write(d, "model.onnx", wrap_model(nested_graph_bytes(3000)))


@case("deep_types", [r"byte \d+: messages are nested more than 100 deep"])
def _(d):
    # TypeProto.sequence_type (4) > Sequence.elem_type (1) > TypeProto ...
    t = b""
    for _ in range(5000):
        t = field(4, field(1, t))
    vinfo = field(1, b"x") + field(2, t)
    graph = field(11, vinfo) + field(2, b"g")
    return write(d, "model.onnx", wrap_model(graph))


@case("shallow_subgraphs", [], status=0)
def _(d):
    # Nesting within the limit: parsed, and the nested Ifs inlined (the
    # condition is a graph input, frozen by neither side: both branches are
    # the same leaf, so any value gives the same program).
    inner = helper.make_graph([helper.make_node("Identity", ["x"], ["t0"])], "leaf", [],
                              [vi("t0", [1, 4])])
    for k in range(5, 0, -1):
        node = helper.make_node("If", ["c"], [f"t{k}"], name=f"if{k}", then_branch=inner,
                                else_branch=inner)
        inner = helper.make_graph([node], f"g{k}", [], [vi(f"t{k}", [1, 4])])
    g = helper.make_graph(inner.node, "g", [vi("c", [], TensorProto.BOOL), vi("x", [1, 4])],
                          [vi("t1", [1, 4])])
    m = helper.make_model(g, opset_imports=[helper.make_opsetid("", 13)])
    m.ir_version = 8
    return write(d, "model.onnx", m.SerializeToString())


@case("many_tiny_messages", [r"byte \d+: loading this file would need over \d+ MiB of memory"])
def _(d):
    # 20 MB of empty NodeProtos: each 2 bytes on disk, a ~100-byte struct
    # when unpacked, so protobuf-c would need over 1 GB.
    graph = (varint(1 << 3 | 2) + varint(0)) * 10_000_000
    return write(d, "model.onnx", wrap_model(graph))


@case("many_nodes", [], status=0)
def _(d):
    # 20000 independent nodes: the front end must stay near-linear (the
    # support report and the topological sort were quadratic). The runner's
    # 120 s timeout turns a stall into a failure.
    n = 20000
    nodes = [helper.make_node("Relu", ["x"], [f"r{i}"], name=f"n{i}") for i in range(n)]
    return write(d, "model.onnx", model(nodes, [vi("x", [1, 4])],
                                        [vi(f"r{i}", [1, 4]) for i in range(n)]))


@case("many_tiny_nodes", [r"byte \d+: loading this file would need over \d+ MiB of memory"],
      mem_mb=600)
def _(d):
    # 4 million 14-byte nodes (56 MB): each costs ~240 bytes unpacked (struct
    # and three strings), so it is refused before protobuf-c allocates.
    node = field(4, b"Relu") + field(1, b"x") + field(2, b"y")
    return write(d, "model.onnx", wrap_model(field(1, node) * 4_000_000))


# ---------------------------------------------------------------- external data

def external_model(location, offset=None, length=None, nbytes=16):
    w = TensorProto()
    w.name = "w"
    w.data_type = TensorProto.FLOAT
    w.dims.extend([nbytes // 4])
    w.data_location = TensorProto.EXTERNAL
    for k, v in (("location", location), ("offset", offset), ("length", length)):
        if v is not None:
            e = w.external_data.add()
            e.key, e.value = k, str(v)
    return model([helper.make_node("Add", ["x", "w"], ["y"], name="add")],
                 [vi("x", [nbytes // 4])], [vi("y", [nbytes // 4])], [w])


@case("external_ok", [], status=0)
def _(d):
    write(d, "weights.bin", b"\0" * 8 + np.ones(4, dtype=np.float32).tobytes())
    return write(d, "model.onnx", external_model("weights.bin", offset=8, length=16))


@case("external_missing", [r"tensor 'w': external data file 'nope\.bin' cannot be opened"])
def _(d):
    return write(d, "model.onnx", external_model("nope.bin"))


@case("external_out_of_range", [r"tensor 'w': external data range \[100, 116\) is outside "
                                r"'weights\.bin' \(16 bytes\)"])
def _(d):
    write(d, "weights.bin", b"\0" * 16)
    return write(d, "model.onnx", external_model("weights.bin", offset=100))


@case("external_bad_length", [r"tensor 'w': external data length 8 does not match"])
def _(d):
    write(d, "weights.bin", b"\0" * 16)
    return write(d, "model.onnx", external_model("weights.bin", length=8))


@case("external_absolute", [r"tensor 'w': external data location '/etc/passwd' is absolute: "
                            r"refused"])
def _(d):
    return write(d, "model.onnx", external_model("/etc/passwd"))


@case("external_escape", [r"tensor 'w': external data location '\.\./secret\.bin' leaves the "
                          r"model's folder: refused"])
def _(d):
    sub = os.path.join(d, "m")
    os.makedirs(sub, exist_ok=True)
    write(d, "secret.bin", b"\0" * 16)
    return write(sub, "model.onnx", external_model("../secret.bin"))


@case("external_symlink", [r"tensor 'w': external data file 'link\.bin' resolves outside the "
                           r"model's folder: refused"])
def _(d):
    sub = os.path.join(d, "m")
    os.makedirs(sub, exist_ok=True)
    write(d, "secret.bin", b"\0" * 16)
    link = os.path.join(sub, "link.bin")
    if os.path.lexists(link):
        os.unlink(link)
    os.symlink(os.path.join(d, "secret.bin"), link)
    return write(sub, "model.onnx", external_model("link.bin"))


@case("external_dir_symlink", [r"resolves outside the model's folder: refused"])
def _(d):
    # A symlinked folder inside the model's folder, pointing out of it.
    sub = os.path.join(d, "m")
    os.makedirs(sub, exist_ok=True)
    os.makedirs(os.path.join(d, "outside"), exist_ok=True)
    write(os.path.join(d, "outside"), "w.bin", b"\0" * 16)
    link = os.path.join(sub, "data")
    if os.path.lexists(link):
        os.unlink(link)
    os.symlink(os.path.join(d, "outside"), link)
    return write(sub, "model.onnx", external_model("data/w.bin"))


@case("external_bad_offset", [r"tensor 'w': external data offset '-5' is not a non-negative "
                              r"integer"])
def _(d):
    write(d, "weights.bin", b"\0" * 16)
    return write(d, "model.onnx", external_model("weights.bin", offset=-5))


# ---------------------------------------------------------------- sequences

def seq_vi(name, shape, dtype=TensorProto.FLOAT):
    return helper.make_tensor_sequence_value_info(name, dtype, shape)


def seq_model(nodes, inputs, output, inits=()):
    """A model reading sequence `s` (given with --seq) and returning tensor `y`."""
    return model(nodes, inputs, [vi(output, None)], inits, opset=17)


def pos(v):
    return numpy_helper.from_array(np.array(v, dtype=np.int64), "p")


@case("seq_at_out_of_range",
      [r"node 'at' \(SequenceAt\): position 5 is out of range for a sequence of 2 elements"],
      args=["--seq", "s=2", "--shape", "s.0=3", "--shape", "s.1=3"])
def _(d):
    return write(d, "model.onnx", seq_model(
        [helper.make_node("SequenceAt", ["s", "p"], ["y"], name="at")], [seq_vi("s", [3])], "y",
        [pos(5)]))


@case("seq_erase_empty",
      [r"node 'erase' \(SequenceErase\): cannot erase from the empty sequence 'e'"])
def _(d):
    return write(d, "model.onnx", model(
        [helper.make_node("SequenceEmpty", [], ["e"], name="empty"),
         helper.make_node("SequenceErase", ["e"], ["e2"], name="erase"),
         helper.make_node("SequenceLength", ["e2"], ["n"], name="len"),
         helper.make_node("Cast", ["n"], ["c"], name="cast", to=TensorProto.FLOAT),
         helper.make_node("Add", ["x", "c"], ["y"], name="add")],
        [vi("x", [2])], [vi("y", [2])], opset=17))


@case("seq_position_not_constant",
      [r"node 'at' \(SequenceAt\): position 'p' must be a compile-time constant"],
      args=["--seq", "s=2", "--shape", "s.0=3", "--shape", "s.1=3"])
def _(d):
    return write(d, "model.onnx", seq_model(
        [helper.make_node("SequenceAt", ["s", "p"], ["y"], name="at")],
        [seq_vi("s", [3]), vi("p", [], TensorProto.INT64)], "y"))


@case("seq_input_unbound",
      [r"input 's' is a sequence: pass --seq s=N \(its elements become the inputs s\.0"])
def _(d):
    return write(d, "model.onnx", seq_model(
        [helper.make_node("SequenceAt", ["s", "p"], ["y"], name="at")], [seq_vi("s", [3])], "y",
        [pos(0)]))


@case("seq_into_tensor_op",
      [r"node 'relu' \(Relu\): input 's' is a sequence value; Relu takes tensors"],
      args=["--seq", "s=1", "--shape", "s.0=3"])
def _(d):
    return write(d, "model.onnx", seq_model(
        [helper.make_node("Relu", ["s"], ["y"], name="relu")], [seq_vi("s", [3])], "y"))


@case("seq_bad_usage", [r"--seq needs INPUT=N \(a length\)"], status=2, args=["--seq", "s=two"])
def _(d):
    return write(d, "model.onnx", relu_model())


# ---------------------------------------------------------------- strings

@case("string_numeric_op", [r"node 'add' \(Add\): input 'a' is a string tensor; Add does not "
                            r"support strings"])
def _(d):
    # Only ops that copy string elements whole may see one; Add would read
    # the pointers as numbers.
    n = helper.make_node("Add", ["a", "b"], ["y"], name="add")
    return write(d, "model.onnx", model([n], [vi("a", [2], TensorProto.STRING),
                                              vi("b", [2], TensorProto.STRING)],
                                        [vi("y", [2], TensorProto.STRING)]))


@case("string_nul_byte", [r"tensor 'c': string 1 holds a NUL byte, which C strings cannot"])
def _(d):
    c = helper.make_tensor("c", TensorProto.STRING, [2], [b"ok", b"a\0b"])
    n = helper.make_node("Identity", ["c"], ["y"], name="id")
    return write(d, "model.onnx", model([n], [], [vi("y", [2], TensorProto.STRING)], [c]))


@case("string_cast_bool", [r"node 'c' \(Cast\): cast from string to bool is not supported"])
def _(d):
    n = helper.make_node("Cast", ["x"], ["y"], name="c", to=TensorProto.BOOL)
    return write(d, "model.onnx", model([n], [vi("x", [2], TensorProto.STRING)],
                                        [vi("y", [2], TensorProto.BOOL)]))


@case("string_max_bytes_usage", [r"--max-string-bytes needs a byte count from 1 to 1048576"],
      status=2, args=["--max-string-bytes", "0"])
def _(d):
    return write(d, "model.onnx", relu_model())


# ---------------------------------------------------------------- limits and usage

@case("max_model_bytes", [r"file is \d+ bytes, over the limit of 100 bytes \(raise it with "
                          r"--max-model-bytes\)"], args=["--max-model-bytes", "100"])
def _(d):
    return write(d, "model.onnx", gemm_model())


@case("max_tensor_bytes", [r"tensor 'w': shape \[3x4\] needs 48 bytes, over the limit of 32 bytes"
                           r" \(raise it with --max-tensor-bytes\)"],
      args=["--max-tensor-bytes", "32"])
def _(d):
    return write(d, "model.onnx", gemm_model())


@case("max_tensor_bytes_intermediate",
      [r"node 'grow' \(Expand\): output 'y' of shape \[256x256\] would be 262144 bytes, over the "
       r"limit of 65536 \(raise it with --max-tensor-bytes\)"],
      args=["--max-tensor-bytes", "65536"])
def _(d):
    # Every inferred tensor is held to the limit, not just initializers.
    s = numpy_helper.from_array(np.array([256, 256], dtype=np.int64), "s")
    return write(d, "model.onnx", model([helper.make_node("Expand", ["x", "s"], ["y"], name="grow")],
                                        [vi("x", [1, 1])], [vi("y", None)], [s]))


@case("bad_usage_size", [r"--max-model-bytes needs a byte count"], status=2,
      args=["--max-model-bytes", "lots"])
def _(d):
    return write(d, "model.onnx", relu_model())


@case("bad_usage_no_output", [r"no output file: pass -o OUT\.c"], status=2, cmd="no-output")
def _(d):
    return write(d, "model.onnx", relu_model())


@case("output_c_unwritable", [r"cannot write .*out\.c"], cmd="out-is-dir")
def _(d):
    # OUT.c is a directory: the rename fails after OUT.h's temp file was
    # written. Neither file may be left behind.
    return write(d, "model.onnx", relu_model())


# ---------------------------------------------------------------- runner

def run_one(exe, model_path, c, work, outdir):
    argv = [exe]
    if c["cmd"] == "support":
        argv += ["support", model_path]
    else:
        argv += [model_path]
        if c["cmd"] != "no-output":
            argv += ["-o", os.path.join(outdir, "out.c")]
    argv += c["args"]
    limit = None
    if c["mem_mb"] and "asan" not in os.path.basename(os.path.dirname(exe)):
        mb = c["mem_mb"]

        def limit():
            resource.setrlimit(resource.RLIMIT_AS, (mb << 20, mb << 20))
    env = dict(os.environ, ASAN_OPTIONS="detect_leaks=1:abort_on_error=0",
               UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1")
    p = subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=120,
                       preexec_fn=limit, env=env)
    return argv, p.returncode, p.stdout.decode(errors="replace"), p.stderr.decode(errors="replace")


def check(name, exe, model_path, c, work):
    outdir = os.path.join(work, "out")
    shutil.rmtree(outdir, ignore_errors=True)
    os.makedirs(outdir)
    if c["cmd"] == "out-is-dir":
        os.makedirs(os.path.join(outdir, "out.c"))
    argv, rc, out, err = run_one(exe, model_path, c, work, outdir)
    text = out + err
    problems = []
    if rc != c["status"]:
        problems.append(f"exit status {rc}, expected {c['status']}")
    if CRASH_RE.search(text):
        problems.append("crash or sanitizer report")
    for pat in c["patterns"]:
        if not re.search(pat, text):
            problems.append(f"no diagnostic matches /{pat}/")
    if c["first"]:
        lines = [ln for ln in err.splitlines() if ln.strip()]
        if not lines or not re.search(c["first"], lines[0]):
            problems.append(f"first diagnostic does not match /{c['first']}/")
    if c["status"] != 0:
        left = sorted(f for f in os.listdir(outdir) if not (c["cmd"] == "out-is-dir" and f == "out.c"))
        if left:
            problems.append(f"output files left behind: {left}")
    print(f"$ {' '.join(argv)}\n-> exit {rc}\n{text.strip()[:3000]}")
    for p in problems:
        print(f"FAIL {name}: {p}")
    return not problems


def run_truncated(exe, model_path, work):
    """The valid model cut at many points: every prefix must be refused
    cleanly (exit 1, a diagnostic, no output)."""
    data = open(model_path, "rb").read()
    cuts = sorted(set(list(range(1, 64)) + list(range(64, len(data), max(1, len(data) // 60)))))
    bad = 0
    p = os.path.join(work, "cut.onnx")
    for n in cuts:
        with open(p, "wb") as f:
            f.write(data[:n])
        c = dict(args=[], cmd="compile", mem_mb=None)
        outdir = os.path.join(work, "out")
        shutil.rmtree(outdir, ignore_errors=True)
        os.makedirs(outdir)
        argv, rc, out, err = run_one(exe, p, c, work, outdir)
        ok = rc == 1 and not CRASH_RE.search(err) and re.search(r"cut\.onnx: ", err) \
            and not os.listdir(outdir)
        if not ok:
            bad += 1
            print(f"FAIL truncated at {n}/{len(data)}: exit {rc}\n{err[:2000]}")
    print(f"truncated: {len(cuts)} cut points, {bad} failed ({exe})")
    return bad == 0


def main():
    if len(sys.argv) >= 2 and sys.argv[1] == "list":
        print("\n".join(CASES))
        return 0
    if len(sys.argv) == 3 and sys.argv[1] == "gen":
        for name, c in CASES.items():
            d = os.path.join(sys.argv[2], name)
            os.makedirs(d, exist_ok=True)
            if name in ("many_tiny_messages", "many_tiny_nodes", "deep_types", "deep_subgraphs",
                        "many_nodes"):
                continue  # too big for fuzzer seeds
            c["build"](d)
        return 0
    if len(sys.argv) < 5 or sys.argv[1] != "run":
        print(__doc__, file=sys.stderr)
        return 2
    name, work, exes = sys.argv[2], sys.argv[3], sys.argv[4:]
    c = CASES[name]
    work = os.path.join(work, name)
    shutil.rmtree(work, ignore_errors=True)
    os.makedirs(work)
    model_path = c["build"](work)
    ok = True
    for exe in exes:
        if name == "truncated":
            ok &= run_truncated(exe, model_path, work)
        else:
            ok &= check(name, exe, model_path, c, work)
    print(f"{name}: {'PASS' if ok else 'FAIL'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
