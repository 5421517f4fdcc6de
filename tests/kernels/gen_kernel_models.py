#!/usr/bin/env python3
"""Single-op models for the optimized kernels (tests/kernels.cmake).

Usage: /usr/bin/python3 tests/kernels/gen_kernel_models.py OUTDIR [--list]

Each case is one operator (sometimes followed by an Add and/or an
activation so the fused epilogue runs too) on random data and on awkward
shapes: prime sizes, channel counts that are not multiples of 8/16, M, N or
K of 1, odd spatial sizes. References are computed here in numpy, in
float64, then cast to float32; nothing is taken from the compiler under
test. Layout: OUTDIR/NAME/model.onnx + test_data_set_0/{input,output}_i.pb.
--list prints the case names (CMake reads them at configure time).
All randomness is seeded per case, so the files are deterministic.
"""
import math
import os
import sys
import zlib

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

OPSET = 14

# ---------------------------------------------------------------- references


def conv_ref(x, w, b, strides, pads, dil, group):
    """Direct convolution, NCHW (rank 4) or NCW (rank 3 is lifted to 2-D)."""
    one_d = x.ndim == 3
    if one_d:
        x, w = x[:, :, None, :], w[:, :, None, :]
        strides, dil = (1, strides[0]), (1, dil[0])
        pads = (0, pads[0], 0, pads[1])
    n, c, h, wd = x.shape
    m, cg, kh, kw = w.shape
    xp = np.zeros((n, c, h + pads[0] + pads[2], wd + pads[1] + pads[3]))
    xp[:, :, pads[0]:pads[0] + h, pads[1]:pads[1] + wd] = x
    oh = (xp.shape[2] - (kh - 1) * dil[0] - 1) // strides[0] + 1
    ow = (xp.shape[3] - (kw - 1) * dil[1] - 1) // strides[1] + 1
    y = np.zeros((n, m, oh, ow))
    mg = m // group
    for g in range(group):
        xs = xp[:, g * cg:(g + 1) * cg]
        for i in range(kh):
            for j in range(kw):
                patch = xs[:, :, i * dil[0]:i * dil[0] + (oh - 1) * strides[0] + 1:strides[0],
                           j * dil[1]:j * dil[1] + (ow - 1) * strides[1] + 1:strides[1]]
                wk = w[g * mg:(g + 1) * mg, :, i, j]
                y[:, g * mg:(g + 1) * mg] += np.einsum("nchw,mc->nmhw", patch, wk)
    if b is not None:
        y += b[None, :, None, None]
    return y[:, :, 0, :] if one_d else y


def pool_ref(x, kind, k, strides, pads, ceil_mode=False, count_pad=False, dil=(1, 1)):
    n, c, h, w = x.shape

    def osize(i, kk, s, d, p0, p1):
        span = (kk - 1) * d + 1
        num = i + p0 + p1 - span
        o = (-(-num // s) if ceil_mode else num // s) + 1
        if ceil_mode and (o - 1) * s >= i + p0:
            o -= 1
        return o

    oh = osize(h, k[0], strides[0], dil[0], pads[0], pads[2])
    ow = osize(w, k[1], strides[1], dil[1], pads[1], pads[3])
    y = np.zeros((n, c, oh, ow))
    for a in range(oh):
        for b in range(ow):
            vals, cnt = [], 0
            for i in range(k[0]):
                for j in range(k[1]):
                    hh = a * strides[0] - pads[0] + i * dil[0]
                    ww = b * strides[1] - pads[1] + j * dil[1]
                    if 0 <= hh < h and 0 <= ww < w:
                        vals.append(x[:, :, hh, ww])
                        cnt += 1
                    elif count_pad and -pads[0] <= hh < h + pads[2] and -pads[1] <= ww < w + pads[3]:
                        cnt += 1
            if kind == "max":
                y[:, :, a, b] = np.max(np.stack(vals), axis=0)
            else:
                y[:, :, a, b] = np.sum(np.stack(vals), axis=0) / cnt
    return y


ACTS = {
    None: lambda v: v,
    "Relu": lambda v: np.maximum(v, 0),
    "Clip": lambda v: np.clip(v, 0.0, 6.0),
    "LeakyRelu": lambda v: np.where(v < 0, 0.1 * v, v),
    "Sigmoid": lambda v: 1 / (1 + np.exp(-v)),
    "Tanh": np.tanh,
    "HardSigmoid": lambda v: np.clip(0.2 * v + 0.5, 0, 1),
    "HardSwish": lambda v: v * np.clip(v / 6 + 0.5, 0, 1),
}


def act_node(act, x, y, inits):
    if act == "Clip":
        inits += [numpy_helper.from_array(np.array(0, np.float32), "clip_lo"),
                  numpy_helper.from_array(np.array(6, np.float32), "clip_hi")]
        return helper.make_node("Clip", [x, "clip_lo", "clip_hi"], [y])
    if act == "LeakyRelu":
        return helper.make_node("LeakyRelu", [x], [y], alpha=0.1)
    if act == "HardSigmoid":
        return helper.make_node("HardSigmoid", [x], [y], alpha=0.2, beta=0.5)
    return helper.make_node(act, [x], [y])


# ---------------------------------------------------------------- model writing


def add_tail(r, nodes, inputs, inits, y, cur, residual, act):
    """After the node writing `cur` (value y): an Add of a random same-shaped
    input s when `residual`, then activation `act`; the last node writes y.
    Returns the reference after both."""
    if residual:
        s = r.standard_normal(y.shape).astype(np.float32)
        inputs.append(("s", s))
        nodes.append(helper.make_node("Add", [cur, "s"], ["res"]))
        y, cur = y + s, "res"
    if act:
        nodes.append(act_node(act, cur, "y", inits))
        return ACTS[act](y)
    nodes[-1].output[0] = "y"
    return y


def rng_for(name):
    return np.random.default_rng(zlib.crc32(name.encode()))


def write(outdir, name, nodes, inputs, outputs, inits):
    """inputs/outputs: lists of (name, array)."""
    vi = lambda n, a: helper.make_tensor_value_info(n, TensorProto.FLOAT, list(a.shape))
    g = helper.make_graph(nodes, name, [vi(n, a) for n, a in inputs],
                          [vi(n, a) for n, a in outputs], inits)
    m = helper.make_model(g, opset_imports=[helper.make_opsetid("", OPSET)])
    m.ir_version = 8
    onnx.checker.check_model(m)
    d = os.path.join(outdir, name, "test_data_set_0")
    os.makedirs(d, exist_ok=True)
    onnx.save(m, os.path.join(outdir, name, "model.onnx"))
    for kind, lst in (("input", inputs), ("output", outputs)):
        for i, (n, a) in enumerate(lst):
            t = numpy_helper.from_array(np.asarray(a, np.float32), n)
            with open(os.path.join(d, "%s_%d.pb" % (kind, i)), "wb") as f:
                f.write(t.SerializeToString())


def case_conv(outdir, name, n, c, hw, m, k, stride=1, pad=0, dil=1, group=1, bias=True,
              act=None, residual=False):
    r = rng_for(name)
    sp = len(hw)
    x = r.standard_normal((n, c) + tuple(hw)).astype(np.float32)
    w = (r.standard_normal((m, c // group) + (k,) * sp) / np.sqrt(c // group * k**sp)).astype(
        np.float32)
    b = r.standard_normal(m).astype(np.float32) if bias else None
    strides, dils = (stride,) * sp, (dil,) * sp
    pads = tuple(pad) if isinstance(pad, tuple) else (pad,) * (2 * sp)  # ONNX order
    y = conv_ref(x.astype(np.float64), w.astype(np.float64),
                 None if b is None else b.astype(np.float64), strides, pads, dils, group)
    inits = [numpy_helper.from_array(w, "w")] + ([numpy_helper.from_array(b, "b")] if bias else [])
    nodes = [helper.make_node("Conv", ["x", "w"] + (["b"] if bias else []), ["c"],
                              strides=list(strides), pads=list(pads), dilations=list(dils),
                              group=group)]
    inputs = [("x", x)]
    y = add_tail(r, nodes, inputs, inits, y, "c", residual, act)
    write(outdir, name, nodes, inputs, [("y", y.astype(np.float32))], inits)


def case_pw_dw(outdir, name, n, c, hw, ce, k=3, stride=1, pad=1, act="Clip", act2="same",
               bias1=True, bias2=True, second_reader=False):
    """Expansion 1x1 conv (+act) then a depthwise kxk conv (+act2): the pair
    passes/fuse_pw_dw.c turns into one ConvPwDw node when the expanded
    tensor is large enough. second_reader: the expanded tensor is also a
    graph output, so the pair must stay unfused."""
    r = rng_for(name)
    act2 = act if act2 == "same" else act2
    x = r.standard_normal((n, c) + tuple(hw)).astype(np.float32)
    w1 = (r.standard_normal((ce, c, 1, 1)) / np.sqrt(c)).astype(np.float32)
    b1 = r.standard_normal(ce).astype(np.float32)
    w2 = (r.standard_normal((ce, 1, k, k)) / k).astype(np.float32)
    b2 = r.standard_normal(ce).astype(np.float32)
    f = lambda a: a.astype(np.float64)
    e = conv_ref(f(x), f(w1), f(b1) if bias1 else None, (1, 1), (0, 0, 0, 0), (1, 1), 1)
    if act:
        e = ACTS[act](e)
    y = conv_ref(e.astype(np.float32).astype(np.float64), f(w2), f(b2) if bias2 else None,
                 (stride, stride), (pad,) * 4, (1, 1), ce)
    if act2:
        y = ACTS[act2](y)
    inits = [numpy_helper.from_array(w1, "w1"), numpy_helper.from_array(w2, "w2")]
    inits += [numpy_helper.from_array(b1, "b1")] if bias1 else []
    inits += [numpy_helper.from_array(b2, "b2")] if bias2 else []
    nodes = [helper.make_node("Conv", ["x", "w1"] + (["b1"] if bias1 else []), ["c1"])]
    cur = "c1"
    if act:
        nodes.append(act_node(act, cur, "e", inits))
        cur = "e"
    nodes.append(helper.make_node("Conv", [cur, "w2"] + (["b2"] if bias2 else []), ["c2"],
                                  strides=[stride, stride], pads=[pad] * 4, group=ce))
    if act2:
        nodes.append(helper.make_node(act2, ["c2"], ["y"]) if act2 != "Clip" else
                     helper.make_node("Clip", ["c2", "clip_lo", "clip_hi"], ["y"]))
        if act2 == "Clip" and act != "Clip":
            inits += [numpy_helper.from_array(np.array(0, np.float32), "clip_lo"),
                      numpy_helper.from_array(np.array(6, np.float32), "clip_hi")]
    else:
        nodes[-1].output[0] = "y"
    outs = [("y", y.astype(np.float32))]
    if second_reader:
        outs.append((cur, e.astype(np.float32)))
    write(outdir, name, nodes, [("x", x)], outs, inits)


def case_attention(outdir, name, batch, s, d, t, dv, a_scale=None, s_scale=None, mask=None,
                   second_reader=False):
    """MatMul(a, bt) -> (scale) -> (+ mask) -> Softmax(last) -> MatMul(., v), the
    chain passes/fuse_attention.c makes one Attention node of. a_scale /
    s_scale: ("Mul" or "Div", c) on a before the product / on the scores;
    mask: "row" ([T], constant), "mat" ([S, T], a graph input) or "full"
    (the scores' shape, constant); second_reader: the probabilities are also
    a graph output, so the chain must stay unfused."""
    r = rng_for(name)
    b = tuple(batch)
    a = r.standard_normal(b + (s, d)).astype(np.float32)
    bt = r.standard_normal(b + (d, t)).astype(np.float32)
    v = r.standard_normal(b + (t, dv)).astype(np.float32)
    f = lambda x: x.astype(np.float64)
    inputs, inits, nodes = [("a", a), ("bt", bt), ("v", v)], [], []
    cur = "a"
    q = f(a)
    if a_scale:
        op, c = a_scale
        inits.append(numpy_helper.from_array(np.array(c, np.float32), "ac"))
        nodes.append(helper.make_node(op, ["a", "ac"], ["as"]))
        q = q * c if op == "Mul" else q / c
        cur = "as"
    nodes.append(helper.make_node("MatMul", [cur, "bt"], ["sc"]))
    sc = q @ f(bt)
    cur = "sc"
    if s_scale:
        op, c = s_scale
        inits.append(numpy_helper.from_array(np.array(c, np.float32), "scc"))
        nodes.append(helper.make_node(op, [cur, "scc"], ["ss"]))
        sc = sc * c if op == "Mul" else sc / c
        cur = "ss"
    if mask:
        shape = {"row": (t,), "mat": (s, t), "full": b + (s, t)}[mask]
        m = (r.standard_normal(shape) * 2).astype(np.float32)
        m[..., 0] = -1e9  # a masked-out column
        if mask == "mat":
            inputs.append(("mask", m))
        else:
            inits.append(numpy_helper.from_array(m, "mask"))
        nodes.append(helper.make_node("Add", ["mask", cur] if mask == "row" else [cur, "mask"],
                                      ["sm"]))
        sc = sc + f(m)
        cur = "sm"
    nodes.append(helper.make_node("Softmax", [cur], ["p"], axis=-1))
    e = np.exp(sc - sc.max(axis=-1, keepdims=True))
    p = e / e.sum(axis=-1, keepdims=True)
    nodes.append(helper.make_node("MatMul", ["p", "v"], ["y"]))
    outs = [("y", (p @ f(v)).astype(np.float32))]
    if second_reader:
        outs.append(("p", p.astype(np.float32)))
    write(outdir, name, nodes, inputs, outs, inits)


def case_gemm(outdir, name, m, k, n, trans_b=0, alpha=1.0, beta=1.0, bias="n", act=None,
              trans_a=0):
    r = rng_for(name)
    a = r.standard_normal((k, m) if trans_a else (m, k)).astype(np.float32)
    b = (r.standard_normal((n, k) if trans_b else (k, n)) / np.sqrt(k)).astype(np.float32)
    cshape = {"n": (n,), "1n": (1, n), "1": (1,), "mn": (m, n), None: None}[bias]
    c = r.standard_normal(cshape).astype(np.float32) if cshape else None
    a64, b64 = a.astype(np.float64), b.astype(np.float64)
    y = alpha * ((a64.T if trans_a else a64) @ (b64.T if trans_b else b64))
    if c is not None:
        y = y + beta * c.astype(np.float64)
    inits = [numpy_helper.from_array(b, "b")] + ([numpy_helper.from_array(c, "c")] if bias else [])
    nodes = [helper.make_node("Gemm", ["a", "b"] + (["c"] if bias else []), ["g"], alpha=alpha,
                              beta=beta, transA=trans_a, transB=trans_b)]
    if act:
        nodes.append(act_node(act, "g", "y", inits))
        y = ACTS[act](y)
    else:
        nodes[-1].output[0] = "y"
    write(outdir, name, nodes, [("a", a)], [("y", y.astype(np.float32))], inits)


def lstm_ref(x, w, r, b, h0, c0, lens, reverse):
    """One direction of ONNX LSTM (gates i, o, f, c), float64, x [seq, batch, in]."""
    sig = lambda v: 1.0 / (1.0 + np.exp(-v))
    seq, batch, hid = x.shape[0], x.shape[1], r.shape[1]
    y = np.zeros((seq, batch, hid))
    yh, yc = h0.copy(), c0.copy()
    for bi in range(batch):
        h, c = h0[bi].copy(), c0[bi].copy()
        steps = range(lens[bi] - 1, -1, -1) if reverse else range(lens[bi])
        for t in steps:
            g = w @ x[t, bi] + r @ h + b[:4 * hid] + b[4 * hid:]
            i, o, f, cc = (g[k * hid:(k + 1) * hid] for k in range(4))
            c = sig(f) * c + sig(i) * np.tanh(cc)
            h = sig(o) * np.tanh(c)
            y[t, bi] = h
        yh[bi], yc[bi] = h, c
    return y, yh, yc


def case_lstm(outdir, name, seq, batch, inp, hid, direction="forward", layout=0, state=False,
              lens=None):
    """LSTM with constant weights (the fast path) against lstm_ref; all three outputs."""
    r = rng_for(name)
    dirs = 2 if direction == "bidirectional" else 1
    x = r.standard_normal((seq, batch, inp)).astype(np.float32)
    w = (r.standard_normal((dirs, 4 * hid, inp)) * 0.4).astype(np.float32)
    rr = (r.standard_normal((dirs, 4 * hid, hid)) * 0.3).astype(np.float32)
    b = (r.standard_normal((dirs, 8 * hid)) * 0.3).astype(np.float32)
    h0 = r.standard_normal((dirs, batch, hid)).astype(np.float32) if state else np.zeros(
        (dirs, batch, hid), np.float32)
    c0 = r.standard_normal((dirs, batch, hid)).astype(np.float32) if state else h0
    ls = np.array(lens if lens else [seq] * batch, np.int32)
    y, yh, yc = np.zeros((seq, dirs, batch, hid)), np.zeros((dirs, batch, hid)), np.zeros(
        (dirs, batch, hid))
    f64 = lambda a: a.astype(np.float64)
    for d in range(dirs):
        rev = direction == "reverse" or d == 1
        y[:, d], yh[d], yc[d] = lstm_ref(f64(x), f64(w[d]), f64(rr[d]), f64(b[d]), f64(h0[d]),
                                         f64(c0[d]), ls, rev)
    inits = [numpy_helper.from_array(a, n) for a, n in ((w, "w"), (rr, "r"), (b, "b"))]
    inits.append(numpy_helper.from_array(ls, "lens"))
    ins = ["x", "w", "r", "b", "lens"]
    inputs = [("x", x)]
    if state:
        ins += ["h0", "c0"]
        inputs += [("h0", h0), ("c0", c0)]
    if layout:
        x_in = np.ascontiguousarray(x.transpose(1, 0, 2))
        inputs[0] = ("x", x_in)
        y = y.transpose(2, 0, 1, 3)
        yh, yc = yh.transpose(1, 0, 2), yc.transpose(1, 0, 2)
        if state:
            inputs[1] = ("h0", np.ascontiguousarray(h0.transpose(1, 0, 2)))
            inputs[2] = ("c0", np.ascontiguousarray(c0.transpose(1, 0, 2)))
    node = helper.make_node("LSTM", ins, ["y", "yh", "yc"], hidden_size=hid, direction=direction,
                            layout=layout)
    write(outdir, name, [node], inputs, [("y", y), ("yh", yh), ("yc", yc)], inits)


def case_matmul(outdir, name, ashape, bshape, const_b=True, bias=None, bias_first=False,
                residual=False, act=None):
    """MatMul, optionally followed by Add(bias of shape `bias`, a constant: the
    fuse-matmul-bias pass), Add(a run-time same-shaped tensor) and an
    activation, each a separate ONNX node as exporters write a Linear layer."""
    r = rng_for(name)
    a = r.standard_normal(ashape).astype(np.float32)
    b = (r.standard_normal(bshape) / np.sqrt(bshape[-2] if len(bshape) > 1 else 1)).astype(
        np.float32)
    y = np.matmul(a.astype(np.float64), b.astype(np.float64))
    nodes = [helper.make_node("MatMul", ["a", "b"], ["m"])]
    inputs = [("a", a)] + ([] if const_b else [("b", b)])
    inits = [numpy_helper.from_array(b, "b")] if const_b else []
    cur = "m"
    if bias is not None:
        c = r.standard_normal(bias).astype(np.float32)
        inits.append(numpy_helper.from_array(c, "c"))
        nodes.append(helper.make_node("Add", ["c", cur] if bias_first else [cur, "c"], ["mb"]))
        y, cur = y + c.astype(np.float64), "mb"
    y = add_tail(r, nodes, inputs, inits, y, cur, residual, act)
    write(outdir, name, nodes, inputs, [("y", y)], inits)


def case_chain(outdir, name, inputs, consts, steps, extra_outputs=()):
    """A chain of element-wise nodes (the fuse-elementwise pass), one ONNX node
    per step, against numpy float64. inputs/consts: {name: shape}; steps:
    (op, [operand names], {attributes}, numpy function of the operands' values);
    each step's output is named s<i> and the last is y. extra_outputs: step
    outputs that are also graph outputs (a chain must not fuse across them)."""
    r = rng_for(name)
    vals, feeds, inits = {}, [], []
    for n, shp in inputs.items():
        vals[n] = r.standard_normal(shp).astype(np.float32)
        feeds.append((n, vals[n]))
    for n, shp in consts.items():  # a shape (random values) or a number (a scalar)
        vals[n] = (np.array(shp) if isinstance(shp, float) else r.standard_normal(shp)).astype(
            np.float32)
        inits.append(numpy_helper.from_array(vals[n], n))
    v64 = {n: a.astype(np.float64) for n, a in vals.items()}
    nodes = []
    for i, (op, args, attrs, fn) in enumerate(steps):
        out = "y" if i == len(steps) - 1 else "s%d" % i
        nodes.append(helper.make_node(op, args, [out], **attrs))
        v64[out] = fn(*[v64[a] for a in args if a])
    outs = [("y", v64["y"])] + [(n, v64[n]) for n in extra_outputs]
    write(outdir, name, nodes, feeds, outs, inits)


SPECIALS = [np.nan, np.inf, -np.inf, -0.0, 0.0, 1e-30, -1e-30, 89.0, -89.0, 100.0, -100.0, 20.0,
            -20.0, 0.49, 0.51, -0.5, 3.0, -3.0, 6.0, -6.0]


def case_unary(outdir, name, op, fn, n=53, **attrs):
    """One float unary op on n values: the special ones above (NaN, infinities,
    signed zeros, exp's overflow and underflow edges, erf's branch point at
    0.5) then random ones, so the vector path's 16/8 lanes and its masked tail
    are all used. Reference: fn in float64 (numpy), NaN where numpy gives NaN."""
    r = rng_for(name)
    x = np.concatenate([SPECIALS, 4 * r.standard_normal(n - len(SPECIALS))]).astype(np.float32)
    with np.errstate(all="ignore"):
        y = fn(x.astype(np.float64))
    write(outdir, name, [helper.make_node(op, ["x"], ["y"], **attrs)], [("x", x)], [("y", y)], [])


def case_pool(outdir, name, op, shape, k, stride, pads, ceil_mode=0, count_pad=0, dil=None,
              nans=0):
    r = rng_for(name)
    x = r.standard_normal(shape).astype(np.float32)
    x.flat[r.choice(x.size, nans, replace=False)] = np.nan  # a NaN in a window wins
    attrs = dict(kernel_shape=list(k), strides=list(stride), pads=list(pads), ceil_mode=ceil_mode)
    if op == "AveragePool":
        attrs["count_include_pad"] = count_pad
    if dil:
        attrs["dilations"] = list(dil)
    y = pool_ref(x.astype(np.float64), "max" if op == "MaxPool" else "avg", k, stride, pads,
                 bool(ceil_mode), bool(count_pad), dil or (1, 1))
    write(outdir, name, [helper.make_node(op, ["x"], ["y"], **attrs)], [("x", x)], [("y", y)], [])


def case_simple(outdir, name, op, shape, **attrs):
    r = rng_for(name)
    x = r.standard_normal(shape).astype(np.float32)
    x64 = x.astype(np.float64)
    inits, ins = [], ["x"]
    if op == "GlobalAveragePool":
        y = x64.mean(axis=tuple(range(2, x.ndim)), keepdims=True)
    elif op == "GlobalMaxPool":
        y = x64.max(axis=tuple(range(2, x.ndim)), keepdims=True)
    elif op == "Softmax":
        ax = attrs.get("axis", -1)
        e = np.exp(x64 - x64.max(axis=ax, keepdims=True))
        y = e / e.sum(axis=ax, keepdims=True)
    elif op == "ReduceMean":
        y = x64.mean(axis=tuple(attrs["axes"]), keepdims=True)
    elif op == "BatchNormalization":
        c = shape[1]
        p = [r.standard_normal(c), r.standard_normal(c), r.standard_normal(c),
             r.uniform(0.5, 2.0, c)]
        p = [v.astype(np.float32) for v in p]
        for nm, v in zip(("scale", "bias", "mean", "var"), p):
            inits.append(numpy_helper.from_array(v, nm))
        ins += ["scale", "bias", "mean", "var"]
        bc = (1, c) + (1,) * (x.ndim - 2)
        s, b, mu, var = [v.astype(np.float64).reshape(bc) for v in p]
        y = (x64 - mu) / np.sqrt(var + 1e-5) * s + b
    write(outdir, name, [helper.make_node(op, ins, ["y"], **attrs)], [("x", x)], [("y", y)], inits)


# ---------------------------------------------------------------- the cases


def cases():
    C = []
    conv = lambda name, *a, **kw: C.append((name, case_conv, a, kw))
    conv("conv_3x3_s1_p1", 1, 8, (13, 11), 16, 3, pad=1)
    conv("conv_3x3_s2_p1_odd", 1, 7, (17, 19), 13, 3, stride=2, pad=1)
    conv("conv_3x3_relu_res", 1, 16, (9, 9), 24, 3, pad=1, act="Relu", residual=True)
    conv("conv_5x5_dil2", 1, 5, (15, 14), 11, 5, pad=3, dil=2, bias=False)
    conv("conv_7x7_s2_p3", 1, 3, (23, 23), 17, 7, stride=2, pad=3, act="Relu")
    # stride-2 im2col rows longer than one 32-column panel (pieces of both halves)
    conv("conv_3x3_s2_wide", 1, 3, (11, 75), 16, 3, stride=2, pad=1, act="Relu")
    conv("conv_7x7_s2_wide", 1, 3, (9, 70), 13, 7, stride=2, pad=3)
    conv("conv_1x1", 1, 37, (7, 9), 29, 1)
    conv("conv_1x1_big", 1, 96, (14, 14), 160, 1, act="Clip")
    conv("conv_1x1_res", 2, 24, (5, 7), 36, 1, residual=True)
    conv("conv_1x1_s2", 1, 12, (9, 9), 20, 1, stride=2)
    # Pointwise, column panel outer (conv_gemm.m4 PW_COLS_OUTER): a 12 + 4
    # row projection with a residual, and one with K blocks 256 + 256 + 88.
    conv("pw_proj_16_37_res", 1, 37, (23, 29), 16, 1, residual=True)
    conv("pw_proj_k600", 1, 600, (9, 11), 24, 1, act="Relu")
    # A projection whose weights pass 512 KB goes weight panels outer.
    conv("pw_proj_big_weights", 1, 600, (3, 5), 241, 1, residual=True)
    # Pointwise expansion of a large plane: weight panels outer.
    conv("pw_expand_wide", 1, 7, (97, 95), 29, 1, act="Clip")
    # A last column panel of <= 16 columns takes gemm_micro.m4's half-width
    # loop: 35 = 32 + 3 columns, K = 7 (a k tail), 13 = 12 + 1 rows.
    conv("pw_half_tail", 1, 7, (5, 7), 13, 1, act="Relu")
    # Pointwise layers on small images run transposed (conv_pw_t.m4):
    # 49 = 4 x 12 + 1 pixels with a residual and a 40 = 32 + 8 channel tail;
    # a batch of 2 with an 8-row pixel tail (AVX2: 4 + 4); a late activation
    # with 21 = 12 + 9 pixels, K % 4 = 2 and a 1-channel tail; an expansion
    # with a clip.
    conv("pw_t_proj_res", 1, 96, (7, 7), 40, 1, residual=True)
    conv("pw_t_batch2_hswish", 2, 64, (4, 5), 24, 1, act="HardSwish")
    conv("pw_t_sigmoid", 1, 50, (3, 7), 33, 1, act="Sigmoid", bias=False)
    conv("pw_t_expand_clip", 1, 24, (7, 7), 72, 1, act="Clip")
    conv("conv_1x1_pad", 1, 6, (5, 5), 7, 1, pad=1)
    conv("conv_k1_cin1", 1, 1, (31, 29), 32, 3, act="Relu")
    conv("conv_bigk", 1, 64, (6, 6), 40, 3, pad=1)  # K = 576 > one K block
    conv("conv_group2", 1, 8, (10, 10), 12, 3, pad=1, group=2, act="LeakyRelu")
    conv("conv_group3_1x1", 1, 9, (6, 5), 15, 1, group=3)
    conv("conv_batch2", 2, 4, (8, 6), 5, 3, pad=1, act="Sigmoid")
    conv("conv_1d", 1, 6, (23,), 10, 3, pad=1, stride=2)
    conv("conv_hswish", 1, 10, (6, 6), 14, 3, pad=1, act="HardSwish")
    conv("conv_tanh", 1, 4, (5, 5), 3, 3, act="Tanh")
    # Winograd F(4x4, 3x3) (stride-1 3x3 with >= 16 tiles of 4x4 outputs):
    # prime sizes, sizes not multiple of 4 or 16, 12-row panel tails,
    # pads 0-2, batch 2, epilogues, more than 16 tiles per row.
    conv("wino_23x19_p1", 1, 7, (23, 19), 13, 3, pad=1)
    conv("wino_nopad_relu", 1, 32, (26, 26), 64, 3, act="Relu")
    conv("wino_res_relu", 2, 16, (29, 17), 24, 3, pad=1, act="Relu", residual=True)
    conv("wino_wide_nobias", 1, 5, (9, 71), 11, 3, pad=1, bias=False)
    conv("wino_sigmoid", 1, 6, (20, 21), 5, 3, pad=1, act="Sigmoid")
    conv("wino_clip_res", 1, 9, (18, 18), 17, 3, pad=2, act="Clip", residual=True)
    conv("wino_k600", 1, 600, (19, 20), 12, 3, pad=1)  # Cin > one K block
    conv("wino_blocked", 1, 32, (19, 110), 32, 3, pad=1, act="Relu", residual=True)  # tile rows 2+2+1
    # Direct convolution (conv_direct.m4: tiles of output rows x columns by
    # 32-channel panels): 7x7 outputs (2x7 tiles and a 1-row tail), output
    # channels not a multiple of 16/32, column tails (61 = 4 x 13 + 9), odd
    # strides and sizes, every epilogue, batch 2, K over a thousand.
    conv("direct_7x7out_res_relu", 1, 45, (7, 7), 70, 3, pad=1, act="Relu", residual=True)
    conv("direct_s2_odd", 1, 19, (29, 31), 37, 3, stride=2, pad=1)
    conv("direct_stem_batch2", 2, 3, (37, 41), 35, 7, stride=2, pad=3, act="Relu")
    conv("direct_wide_tail_clip", 1, 5, (5, 61), 33, 3, pad=1, act="Clip")
    conv("direct_s3_sigmoid", 1, 6, (19, 17), 17, 5, stride=3, pad=2, act="Sigmoid")
    conv("direct_bigk_hswish_res", 1, 130, (9, 9), 64, 3, stride=2, pad=1, act="HardSwish",
         residual=True)
    conv("direct_dil2_leaky", 1, 7, (13, 12), 9, 3, pad=2, dil=2, act="LeakyRelu", bias=False)
    conv("dw_3x3_s1", 1, 32, (15, 15), 32, 3, pad=1, group=32, act="Clip")
    conv("dw_3x3_s2", 1, 24, (17, 16), 24, 3, stride=2, pad=1, group=24, act="Relu")
    conv("dw_3x3_s2_big", 1, 3, (112, 112), 3, 3, stride=2, pad=1, group=3)
    conv("dw_5x5_s1_res", 2, 19, (9, 11), 19, 5, pad=2, group=19, residual=True)
    # Strided planes over 32 KB, built row by row (conv_dw.m4 ROWWISE).
    conv("dw_3x3_s2_rowwise_res", 1, 5, (97, 101), 5, 3, stride=2, pad=1, group=5, act="Relu",
         residual=True)
    conv("dw_5x5_s2_rowwise", 1, 7, (90, 67), 7, 5, stride=2, pad=2, group=7, bias=False)
    conv("dw_3x3_dil2_nobias", 1, 13, (12, 12), 13, 3, pad=2, dil=2, group=13, bias=False)
    conv("dw_3x3_s3_nopad", 1, 5, (20, 22), 5, 3, stride=3, group=5, act="HardSigmoid")
    conv("dw_3x3_7x7", 1, 17, (7, 7), 17, 3, pad=1, group=17, act="Tanh")
    # The widest rows of conv_dw.m4's expand-loaded planes (W = 16, padded
    # rows of three vectors) with asymmetric padding.
    conv("dw_3x3_w16_asym", 1, 20, (5, 16), 20, 3, pad=(1, 2, 0, 1), group=20, act="Relu")
    # Expansion 1x1 -> depthwise pairs fused by passes/fuse_pw_dw.c (expanded
    # tensors >= 1 MB): 12-channel panel tails, odd sizes, stride 1 and 2,
    # 5x5, batch 2, no activation / bias; the last one must not fuse.
    pwdw = lambda name, *a, **kw: C.append((name, case_pw_dw, a, kw))
    pwdw("pwdw_s1_clip", 1, 13, (83, 89), 37)
    pwdw("pwdw_s2_relu", 1, 7, (97, 101), 29, stride=2, act="Relu")
    pwdw("pwdw_s2_even_clip", 1, 16, (64, 66), 72, stride=2)
    # even width, stride 2, 5 taps across: the parity-split planes with
    # phase offsets -1, -1, 0, 0, 1 (odd widths keep the permute path)
    pwdw("pwdw_5x5_s2_even", 1, 6, (33, 40), 26, k=5, stride=2, pad=2, act="Relu")
    pwdw("pwdw_noact_nobias", 1, 24, (81, 81), 40, act=None, bias1=False)
    pwdw("pwdw_5x5_s2_hswish", 2, 5, (61, 67), 36, k=5, stride=2, pad=2, act="HardSwish",
         act2="Relu", bias2=False)
    pwdw("pwdw_s1_nopad_lrelu", 1, 3, (90, 95), 31, pad=0, act="LeakyRelu", act2=None)
    pwdw("pwdw_two_readers", 1, 13, (83, 89), 37, second_reader=True)
    gemm = lambda name, *a, **kw: C.append((name, case_gemm, a, kw))
    attn = lambda name, *a, **kw: C.append((name, case_attention, a, kw))
    # passes/fuse_attention.c + templates/attention.m4: blocks of 8 and 4
    # query rows with row tails, T and DV past one 64-column block, masks.
    attn("attn_heads_div", (4,), 32, 32, 32, 32, a_scale=("Div", 5.656854))
    attn("attn_tails_mul_row", (3,), 13, 7, 70, 19, s_scale=("Mul", 0.125), mask="row")
    attn("attn_4d_mat_mask", (2, 3), 9, 16, 11, 67, a_scale=("Mul", 0.25), mask="mat")
    attn("attn_full_mask_div", (2,), 5, 24, 33, 8, s_scale=("Div", 3.0), mask="full")
    attn("attn_rank2", (), 17, 5, 29, 40)
    attn("attn_two_readers", (2,), 6, 8, 10, 12, second_reader=True)
    gemm("gemm_m1", 1, 97, 53)
    gemm("gemm_m1_n1", 1, 31, 1, bias="1")
    gemm("gemm_m1_k1", 1, 1, 40, act="Relu")
    gemm("gemm_m1_big_relu", 1, 784, 512, act="Relu")
    gemm("gemm_m1_n10", 1, 513, 10, trans_b=1)
    # Weights past gemm_packed.m4's GEMV_PF size: the prefetching loop, with
    # k and column tails.
    gemm("gemm_m1_prefetch_tails", 1, 601, 450, act="Relu")
    gemm("gemm_transb_alpha_beta", 13, 29, 37, trans_b=1, alpha=0.5, beta=2.0, bias="1n")
    gemm("gemm_m12", 12, 64, 32)
    gemm("gemm_m13_k1", 13, 1, 33, bias=None)
    gemm("gemm_prime", 17, 331, 71, act="Sigmoid")
    gemm("gemm_bigk", 25, 700, 65, act="LeakyRelu")
    # 4 K blocks of 250, 17 panels when one L2 block (JB) holds 16, a 7-row tail.
    gemm("gemm_kblocks_jblocks", 31, 1000, 530, act="Relu")
    # Row tails the AVX2 path splits into two blocks: 8 = 4 + 4 (a 13-column
    # last panel, K % 4 = 1), 11 = 6 + 5 (a last panel of exactly 16).
    gemm("gemm_tail_rows_8", 20, 37, 45, act="Relu")
    gemm("gemm_tail_rows_11", 23, 66, 80)
    gemm("gemm_c_full", 5, 7, 6, bias="mn")  # C not a row vector: reference path
    gemm("gemm_transa", 6, 10, 9, trans_a=1)
    mm = lambda name, *a, **kw: C.append((name, case_matmul, a, kw))
    mm("matmul_const_3d", (2, 5, 23), (23, 19))
    mm("matmul_const_m1", (1, 300), (300, 3))
    # A Linear layer as MatMul + Add(bias) [+ Add(shortcut)] [+ activation]:
    # the bias becomes the packed GEMM's (fuse-matmul-bias), then the rest fuses.
    mm("matmul_bias_relu", (2, 5, 37), (37, 29), bias=(29,), act="Relu")
    mm("matmul_bias_first_res", (13, 40), (40, 33), bias=(1, 33), bias_first=True, residual=True)
    mm("matmul_bias_m1_tanh", (1, 61), (61, 17), bias=(17,), act="Tanh")
    # Not a row: a [M, 1] column bias must stay a separate broadcasting Add.
    mm("matmul_bias_column", (7, 9), (9, 5), bias=(7, 1))
    mm("matmul_runtime_batched", (3, 4, 7), (3, 7, 5), const_b=False)
    # Float unary ops are one-step chains: the vector forms, special values.
    un = lambda name, *a, **kw: C.append((name, case_unary, a, kw))
    un("unary_relu", "Relu", lambda v: np.where(v < 0, 0.0, v))
    un("unary_leaky", "LeakyRelu", lambda v: np.where(v < 0, 0.1 * v, v), alpha=0.1)
    un("unary_exp", "Exp", np.exp)
    un("unary_sigmoid", "Sigmoid", lambda v: 1 / (1 + np.exp(-v)))
    un("unary_tanh", "Tanh", np.tanh)
    un("unary_erf", "Erf", np.vectorize(math.erf))
    un("unary_elu", "Elu", lambda v: np.where(v < 0, 0.5 * (np.exp(v) - 1), v), alpha=0.5)
    un("unary_abs_neg", "Neg", lambda v: -v, n=37)
    un("unary_sqrt", "Sqrt", np.sqrt, n=21)
    un("unary_reciprocal", "Reciprocal", lambda v: 1 / v)
    un("unary_hardswish", "HardSwish", lambda v: v * np.clip(v / 6 + 0.5, 0, 1))
    # Element-wise chains (fuse-elementwise): one loop, operands broadcast as one run.
    ch = lambda name, *a, **kw: C.append((name, case_chain, a, kw))
    erf = np.vectorize(math.erf)
    sig = lambda v: 1 / (1 + np.exp(-v))
    ch("chain_gelu", {"x": (2, 33, 65)}, {"r2": 1.4142135, "one": 1.0, "half": 0.5}, [
        ("Div", ["x", "r2"], {}, lambda a, b: a / b), ("Erf", ["s0"], {}, erf),
        ("Add", ["s1", "one"], {}, lambda a, b: a + b), ("Mul", ["x", "s2"], {}, lambda a, b: a * b),
        ("Mul", ["s3", "half"], {}, lambda a, b: a * b)])
    ch("chain_silu_channels", {"x": (1, 19, 7, 9), "b": (19, 1, 1)},
       {"sc": (19, 1, 1), "lo": -0.25, "hi": 0.75}, [
        ("Sigmoid", ["x"], {}, sig), ("Mul", ["x", "s0"], {}, lambda a, b: a * b),
        ("Mul", ["s1", "sc"], {}, lambda a, b: a * b), ("Add", ["b", "s2"], {}, lambda a, b: a + b),
        ("Clip", ["s3", "lo", "hi"], {}, lambda a, lo, hi: np.clip(a, lo, hi))])
    ch("chain_outer_bcast", {"x": (4, 1), "w": (1, 5), "z": (4, 5)}, {"k": 2.0}, [
        ("Add", ["x", "w"], {}, lambda a, b: a + b), ("LeakyRelu", ["s0"], {"alpha": 0.3},
                                                        lambda a: np.where(a < 0, 0.3 * a, a)),
        ("Sub", ["k", "s1"], {}, lambda a, b: a - b), ("Max", ["s2", "z"], {}, np.maximum),
        ("HardSigmoid", ["s3"], {"alpha": 0.25, "beta": 0.4},
         lambda a: np.clip(0.25 * a + 0.4, 0, 1)), ("Pow", ["s4", "k"], {}, np.power)])
    ch("chain_row_elu_output", {"x": (6, 37), "row": (37,)}, {}, [
        ("Add", ["x", "row"], {}, lambda a, b: a + b), ("Elu", ["s0"], {"alpha": 0.7},
                                                        lambda a: np.where(a < 0, 0.7 * (np.exp(a) - 1), a)),
        ("Tanh", ["s1"], {}, np.tanh), ("Min", ["s2", "x"], {}, np.minimum)], extra_outputs=("s1",))
    mm("matmul_runtime_bcast", (2, 1, 3, 6), (4, 6, 2), const_b=False)
    mm("matmul_runtime_1d", (9,), (9, 4), const_b=False)
    # Large enough for --blas openblas to call cblas_sgemm (M >= 16, M*N*K >= 2^21);
    # kernels.cmake runs the *_blas cases through that path too.
    gemm("gemm_blas_transb_relu", 64, 257, 131, trans_b=1, alpha=0.5, bias="1n", act="Relu")
    mm("matmul_blas_3d", (2, 40, 300), (300, 199))
    mm("matmul_runtime_tiles", (2, 37, 19), (2, 19, 45), const_b=False)  # 4-row tiles, tails
    lstm = lambda name, *a, **kw: C.append((name, case_lstm, a, kw))
    lstm("lstm_fwd", 9, 1, 40, 32)  # GP a multiple of 64, 4 steps + 1 of projection
    lstm("lstm_odd_state", 7, 2, 5, 13, state=True)  # 52 gate columns in one padded panel
    lstm("lstm_bidir_lens", 6, 3, 11, 20, direction="bidirectional", lens=[6, 2, 0])
    lstm("lstm_reverse_layout1", 5, 2, 3, 17, direction="reverse", layout=1, state=True)
    pool = lambda name, *a, **kw: C.append((name, case_pool, a, kw))
    pool("maxpool_2x2", "MaxPool", (1, 19, 12, 12), (2, 2), (2, 2), (0, 0, 0, 0))
    pool("maxpool_3x3_s2_p1", "MaxPool", (1, 5, 17, 16), (3, 3), (2, 2), (1, 1, 1, 1))
    pool("maxpool_2x2_wide_nan", "MaxPool", (1, 3, 8, 75), (2, 2), (2, 2), (0, 0, 0, 0), nans=9)
    pool("maxpool_3x3_s1_nan", "MaxPool", (1, 2, 9, 41), (3, 3), (1, 1), (1, 1, 1, 1), nans=5)
    pool("maxpool_3x3_s2_wide", "MaxPool", (1, 4, 12, 70), (3, 3), (2, 2), (1, 1, 1, 1))
    pool("maxpool_ceil", "MaxPool", (2, 3, 11, 13), (3, 3), (2, 2), (0, 0, 0, 0), ceil_mode=1)
    pool("maxpool_dil", "MaxPool", (1, 4, 10, 9), (2, 3), (1, 2), (1, 0, 1, 2), dil=(2, 1))
    pool("avgpool_3x3_pad", "AveragePool", (1, 7, 9, 10), (3, 3), (1, 1), (1, 1, 1, 1))
    pool("avgpool_countpad", "AveragePool", (1, 6, 9, 7), (3, 2), (2, 2), (1, 1, 1, 0),
         count_pad=1)
    pool("avgpool_ceil", "AveragePool", (1, 3, 10, 10), (3, 3), (3, 3), (0, 0, 0, 0),
         ceil_mode=1)
    simple = lambda name, *a, **kw: C.append((name, case_simple, a, kw))
    simple("gap_7x7", "GlobalAveragePool", (2, 37, 7, 7))
    simple("gap_1x1", "GlobalAveragePool", (1, 5, 1, 1))
    simple("gap_4x4", "GlobalAveragePool", (2, 3, 4, 4))  # exactly one vector
    simple("gap_9x11", "GlobalAveragePool", (1, 19, 9, 11))  # 6 vectors + masked 3
    simple("gmp_odd", "GlobalMaxPool", (1, 11, 5, 3))
    simple("softmax_last", "Softmax", (3, 1000))
    simple("softmax_axis1", "Softmax", (2, 7, 5), axis=1)
    simple("softmax_n1", "Softmax", (4, 1))
    simple("softmax_tail37", "Softmax", (5, 37))  # vector body + masked tail
    simple("reduce_mean_last", "ReduceMean", (6, 67), axes=[-1])  # 8 partial sums + rest
    simple("batchnorm_nchw", "BatchNormalization", (2, 13, 5, 7))
    simple("batchnorm_nc", "BatchNormalization", (3, 17))
    return C


def main():
    if len(sys.argv) > 1 and sys.argv[1] == "--list":
        print(";".join(name for name, _, _, _ in cases()), end="")
        return
    if len(sys.argv) != 2:
        sys.exit("usage: gen_kernel_models.py OUTDIR | --list")
    for name, fn, a, kw in cases():
        fn(sys.argv[1], name, *a, **kw)


if __name__ == "__main__":
    main()
