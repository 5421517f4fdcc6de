#!/usr/bin/env python3
"""String-tensor tests beyond the ONNX node suite, in the backend-test
layout (DIR/NAME/model.onnx, DIR/NAME/test_data_set_0/{input,output}_K.pb).

Usage: gen_string_models.py DIR [NAME...]

The references are Python's and numpy's own string handling, never mlegen's:
- str_cast_format: float32, float64 and int64 to string across magnitudes
  and special values, against numpy's str() (what ONNX's reference uses);
- str_cast_lifetime: Cast's text still intact after later ops reused the
  arena, when Gather copies its pointers to the output;
- str_cast_parse: strings to float32 and float64, against Python's float();
- str_movement: string tensors through Concat (with a string initializer
  holding quotes, backslashes, trigraph-like ?? and UTF-8), Transpose,
  Reshape, Gather, Slice, Unsqueeze, Squeeze, Flatten, Identity, Shape,
  Split, Expand and Tile, against
  numpy on object arrays;
- str_normalizer_lower / _upper: StringNormalizer on Latin-1 and other
  scripts with case-insensitive stopwords, against str.lower()/str.upper()
  (inputs avoid the letters whose Unicode case mapping changes length).
Deterministic (fixed seed); needs Debian's python3 with onnx and numpy.
"""
import os
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

rng = np.random.default_rng(4321)
CASES = {}


def case(fn):
    CASES[fn.__name__] = fn
    return fn


def strs(values, shape=None):
    a = np.array(values, dtype=object)
    return a.reshape(shape) if shape else a


def vi(name, arr):
    dt = TensorProto.STRING if arr.dtype == object else \
        onnx.mapping.NP_TYPE_TO_TENSOR_TYPE[arr.dtype]
    return helper.make_tensor_value_info(name, dt, arr.shape)


def save(out, name, nodes, ins, outs, inits=None, opset=13):
    d = os.path.join(out, name)
    os.makedirs(os.path.join(d, 'test_data_set_0'), exist_ok=True)
    inits = inits or {}
    graph = helper.make_graph(nodes, name, [vi(k, v) for k, v in ins.items()],
                              [vi(k, v) for k, v in outs.items()],
                              [numpy_helper.from_array(v, k) for k, v in inits.items()])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid('', opset)])
    model.ir_version = 8
    onnx.checker.check_model(model)
    onnx.save(model, os.path.join(d, 'model.onnx'))
    for kind, tensors in (('input', ins), ('output', outs)):
        for i, (k, v) in enumerate(tensors.items()):
            with open(os.path.join(d, 'test_data_set_0', f'{kind}_{i}.pb'), 'wb') as f:
                f.write(numpy_helper.from_array(v, k).SerializeToString())


def special_floats(dtype):
    fi = np.finfo(dtype)
    vals = [0.0, -0.0, np.nan, np.inf, -np.inf, 1.0, -1.0, 0.5, 100.0, 1e-4, 9.999e-5, 1e16,
            9.99e15, 123456789.0, 1.5e-5, 3.0e20, fi.max, fi.tiny, fi.tiny / 8, -fi.max]
    mags = rng.standard_normal(44) * 10.0 ** rng.integers(-12, 22, 44)
    return np.array(vals + list(mags), dtype=dtype)


@case
def str_cast_format(out):
    f = special_floats(np.float32)
    d = special_floats(np.float64)
    i = np.array([0, -1, 7, 2**31, -2**63, 2**63 - 1], dtype=np.int64)
    nodes = [helper.make_node('Cast', [x], [x + '_s'], to=TensorProto.STRING) for x in 'fdi']
    save(out, 'str_cast_format', nodes, {'f': f, 'd': d, 'i': i},
         {'f_s': strs([str(v) for v in f]), 'd_s': strs([str(v) for v in d]),
          'i_s': strs([str(v) for v in i])})


@case
def str_cast_parse(out):
    texts = ['3.14', '1e-5', '1E8', '-0.5', '100', '+2.5', '.25', '6.02214076e23', 'NaN', 'nan',
             'INF', 'inf', '+INF', '-INF', '-Inf', '1e-40', '3.4028235e38', '0', '-0']
    x = strs(texts, (len(texts),))
    nodes = [helper.make_node('Cast', ['x'], ['f'], to=TensorProto.FLOAT),
             helper.make_node('Cast', ['x'], ['d'], to=TensorProto.DOUBLE)]
    save(out, 'str_cast_parse', nodes, {'x': x},
         {'f': np.array([np.float32(float(t)) for t in texts], dtype=np.float32),
          'd': np.array([float(t) for t in texts], dtype=np.float64)})


@case
def str_movement(out):
    x = strs(['alpha', 'beta', 'gamma', 'delta', '', 'zeta'], (2, 3))
    c = strs(['say "hi"\\n', 'why??= \u00e9t\u00e9 \u65e5\u672c'], (2, 1))
    idx = np.array([7, 0, -3], dtype=np.int64)
    nodes = [helper.make_node('Concat', ['x', 'c'], ['cat'], axis=1),
             helper.make_node('Transpose', ['cat'], ['tr'], perm=[1, 0]),
             helper.make_node('Reshape', ['tr', 'shape8'], ['flat']),
             helper.make_node('Gather', ['flat', 'idx'], ['g']),
             helper.make_node('Slice', ['g', 'st', 'en'], ['sl']),
             helper.make_node('Unsqueeze', ['sl', 'ax0'], ['un']),
             helper.make_node('Squeeze', ['un', 'ax0'], ['sq']),
             helper.make_node('Flatten', ['tr'], ['fl'], axis=1),
             helper.make_node('Identity', ['x'], ['id']),
             helper.make_node('Shape', ['x'], ['shp']),
             helper.make_node('Split', ['x', 'parts'], ['s0', 's1'], axis=1),
             helper.make_node('Expand', ['c', 'shape23'], ['ex']),
             helper.make_node('Tile', ['x', 'reps'], ['ti'])]
    cat = np.concatenate([x, c], axis=1)
    tr = cat.T.copy()
    flat = tr.reshape(8)
    g = flat[[7, 0, 5]]
    sl = g[1:3]
    save(out, 'str_movement', nodes, {'x': x},
         {'sq': sl.copy(), 'fl': tr.reshape(4, 2), 'id': x.copy(), 'g': g.copy(),
          'shp': np.array(x.shape, dtype=np.int64), 's0': x[:, :1].copy(), 's1': x[:, 1:].copy(),
          'ex': np.broadcast_to(c, (2, 3)).copy(), 'ti': np.tile(x, (1, 2))},
         inits={'c': c, 'idx': idx, 'shape8': np.array([8], dtype=np.int64),
                'st': np.array([1], dtype=np.int64), 'en': np.array([3], dtype=np.int64),
                'ax0': np.array([0], dtype=np.int64), 'parts': np.array([1, 2], dtype=np.int64),
                'shape23': np.array([2, 3], dtype=np.int64),
                'reps': np.array([1, 2], dtype=np.int64)})


@case
def str_cast_lifetime(out):
    # The text of Cast's strings must outlive its node: float tensors planned
    # after it would otherwise reuse those bytes before Gather copies the
    # pointers out.
    x = (rng.standard_normal(64) * 1000).astype(np.float32)
    idx = np.arange(63, -1, -1, dtype=np.int64)
    nodes = [helper.make_node('Cast', ['x'], ['s'], to=TensorProto.STRING),
             helper.make_node('Add', ['x', 'x'], ['a']),
             helper.make_node('Mul', ['a', 'a'], ['b']),
             helper.make_node('Sub', ['b', 'a'], ['c']),
             helper.make_node('Gather', ['s', 'idx'], ['g'])]
    a = x + x
    save(out, 'str_cast_lifetime', nodes, {'x': x},
         {'c': a * a - a, 'g': strs([str(v) for v in x[::-1]])}, inits={'idx': idx})


def normalizer(out, name, action, words, stop):
    x = strs(words, (len(words),))
    keep = [w for w in words if w.lower() not in {s.lower() for s in stop}]
    change = {'LOWER': str.lower, 'UPPER': str.upper}[action]
    y = strs([change(w) for w in keep] or [''], (max(len(keep), 1),))
    node = helper.make_node('StringNormalizer', ['x'], ['y'], case_change_action=action,
                            is_case_sensitive=0, stopwords=stop)
    save(out, name, [node], {'x': x}, {'y': y}, opset=10)


@case
def str_normalizer_lower(out):
    normalizer(out, 'str_normalizer_lower', 'LOWER',
               ['\u00c9COLE', 'Stra\u00dfe', 'STOP', 'na\u00efve', 'sToP', '\u65e5\u672c',
                '\u00c0 LA CARTE \u00d7 2', '\u00c9t\u00e9'], ['stop', '\u00e9T\u00c9'])


@case
def str_normalizer_upper(out):
    normalizer(out, 'str_normalizer_upper', 'UPPER',
               ['\u00e9cole', 'na\u00efve', 'Stop', 'a \u00f7 b', '\u00dcber', 'mixed Case 42',
                '\u0441\u043b\u043e\u0432\u043e'.upper()], ['STOP'])


def main():
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    out = sys.argv[1]
    for n in sys.argv[2:] or list(CASES):
        CASES[n](out)


if __name__ == '__main__':
    main()
