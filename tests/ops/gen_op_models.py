#!/usr/bin/env python3
"""Operator tests beyond the ONNX node suite: one model per case, with
inputs and numpy reference outputs in the backend-test layout
(DIR/NAME/model.onnx, DIR/NAME/test_data_set_0/{input,output}_K.pb).

Usage: gen_op_models.py DIR [NAME...]

They cover what ONNX 1.12's node tests do not: LpPool, GlobalLpPool,
LpNormalization, MaxRoiPool, RoiAlign's max mode, opset 18's Split num_outputs and Pad axes,
ConvTranspose with groups/output_padding/bias, 3-D MaxPool with dilations
and Indices, Resize/Tile/OneHot with their shape operands stored as
initializers (the compile-time path, not check's --const binding), and the
sequence ops the node suite leaves out (SplitToSequence, SequenceErase,
ConcatFromSequence, SequenceAt with a negative position).
Deterministic (fixed seed); needs Debian's python3 with onnx and numpy.
"""
import os
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

rng = np.random.default_rng(1234)
CASES = {}


def case(fn):
    CASES[fn.__name__] = fn
    return fn


def vi(name, arr):
    return helper.make_tensor_value_info(name, helper.np_dtype_to_tensor_dtype(arr.dtype)
                                         if hasattr(helper, 'np_dtype_to_tensor_dtype')
                                         else onnx.mapping.NP_TYPE_TO_TENSOR_TYPE[arr.dtype], arr.shape)


def save(out, name, node, ins, outs, opset=13, inits=None):
    d = os.path.join(out, name)
    os.makedirs(os.path.join(d, 'test_data_set_0'), exist_ok=True)
    inits = inits or {}
    graph = helper.make_graph([node], name, [vi(k, v) for k, v in ins.items()],
                              [vi(k, v) for k, v in outs.items()],
                              [numpy_helper.from_array(v, k) for k, v in inits.items()])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid('', opset)])
    model.ir_version = 8
    onnx.save(model, os.path.join(d, 'model.onnx'))
    for kind, tensors in (('input', ins), ('output', outs)):
        for i, (k, v) in enumerate(tensors.items()):
            with open(os.path.join(d, 'test_data_set_0', f'{kind}_{i}.pb'), 'wb') as f:
                f.write(numpy_helper.from_array(v, k).SerializeToString())


def f32(*shape):
    return rng.standard_normal(shape).astype(np.float32)


@case
def lppool(out):
    x = f32(2, 3, 5, 6)
    xp = np.pad(x, ((0, 0), (0, 0), (1, 1), (1, 1)))
    oh, ow = 5 + 2 - 2 + 1, (6 + 2 - 3) // 2 + 1
    y = np.zeros((2, 3, oh, ow), np.float32)
    for i in range(oh):
        for j in range(ow):
            y[:, :, i, j] = np.sqrt((xp[:, :, i:i + 2, 2 * j:2 * j + 3] ** 2).sum(axis=(2, 3)))
    node = helper.make_node('LpPool', ['x'], ['y'], kernel_shape=[2, 3], strides=[1, 2],
                            pads=[1, 1, 1, 1], p=2)
    save(out, 'lppool', node, {'x': x}, {'y': y})


@case
def globallppool(out):
    x = f32(2, 3, 4, 5, 2)
    y = ((np.abs(x) ** 3).sum(axis=(2, 3, 4), keepdims=True) ** (1 / 3)).astype(np.float32)
    save(out, 'globallppool', helper.make_node('GlobalLpPool', ['x'], ['y'], p=3), {'x': x},
         {'y': y})


@case
def lpnormalization(out):
    x = f32(2, 3, 4, 5)
    y = (x / np.sqrt((x ** 2).sum(axis=1, keepdims=True))).astype(np.float32)
    save(out, 'lpnormalization_p2', helper.make_node('LpNormalization', ['x'], ['y'], axis=1, p=2),
         {'x': x}, {'y': y})
    y = (x / np.abs(x).sum(axis=-1, keepdims=True)).astype(np.float32)
    save(out, 'lpnormalization_p1', helper.make_node('LpNormalization', ['x'], ['y'], axis=-1, p=1),
         {'x': x}, {'y': y})


@case
def maxroipool(out):
    x = f32(2, 3, 8, 9)
    rois = np.array([[0, 0, 0, 7, 7], [1, 2, 1, 6, 8], [0, 1.4, 2.6, 3.5, 5.2], [1, 0, 0, 0, 0]],
                    np.float32)
    ph, pw, sc = 3, 2, np.float32(0.5)

    def rnd(v):  # half away from zero, as C's roundf
        return int(np.floor(v + 0.5)) if v >= 0 else -int(np.floor(-v + 0.5))

    y = np.zeros((4, 3, ph, pw), np.float32)
    for r, (b, x1, y1, x2, y2) in enumerate(rois):
        sw, sh, ew, eh = rnd(x1 * sc), rnd(y1 * sc), rnd(x2 * sc), rnd(y2 * sc)
        bh = np.float32(max(eh - sh + 1, 1)) / np.float32(ph)
        bw = np.float32(max(ew - sw + 1, 1)) / np.float32(pw)
        for i in range(ph):
            for j in range(pw):
                hs = min(max(int(np.floor(np.float32(i) * bh)) + sh, 0), 8)
                he = min(max(int(np.ceil(np.float32(i + 1) * bh)) + sh, 0), 8)
                ws = min(max(int(np.floor(np.float32(j) * bw)) + sw, 0), 9)
                we = min(max(int(np.ceil(np.float32(j + 1) * bw)) + sw, 0), 9)
                if he > hs and we > ws:
                    y[r, :, i, j] = x[int(b), :, hs:he, ws:we].max(axis=(1, 2))
    node = helper.make_node('MaxRoiPool', ['x', 'rois'], ['y'], pooled_shape=[ph, pw],
                            spatial_scale=float(sc))
    save(out, 'maxroipool', node, {'x': x, 'rois': rois}, {'y': y})


@case
def split_num_outputs(out):
    x = f32(2, 7, 3)
    node = helper.make_node('Split', ['x'], ['a', 'b', 'c'], axis=1, num_outputs=3)
    save(out, 'split_num_outputs', node, {'x': x},
         {'a': x[:, 0:3], 'b': x[:, 3:6], 'c': x[:, 6:7]}, opset=18)


@case
def pad_axes(out):
    x = f32(2, 3, 4, 5)
    pads = np.array([2, 1, 3, 2], np.int64)  # axes 1 and 3: begin 2, 1; end 3, 2
    axes = np.array([1, -1], np.int64)
    y = np.pad(x, ((0, 0), (2, 3), (0, 0), (1, 2)), mode='reflect')
    node = helper.make_node('Pad', ['x', 'pads', '', 'axes'], ['y'], mode='reflect')
    save(out, 'pad_axes_reflect', node, {'x': x}, {'y': y}, opset=18,
         inits={'pads': pads, 'axes': axes})
    pads = np.array([0, -1, 1, 2, 0, 1, -2, 0], np.int64)  # negative pads crop
    v = np.array(1.5, np.float32)
    node = helper.make_node('Pad', ['x', 'pads', 'v'], ['y'], mode='constant')
    ref = np.full((2, 3 - 1 + 1, 4 + 1 - 2, 5 + 2 + 0), 1.5, np.float32)
    src = x[:, 1:, :, :]          # begin -1 on axis 1 crops one
    src = src[:, :, :4 - 2, :]    # end -2 on axis 2 crops two
    ref[:, 0:2, 1:3, 2:7] = src
    save(out, 'pad_negative_constant', node, {'x': x}, {'y': ref}, opset=13,
         inits={'pads': pads, 'v': v})


@case
def convtranspose_groups(out):
    x, w, b = f32(1, 4, 3, 4), f32(4, 3, 3, 2), f32(6)
    group, s, op, p = 2, (2, 3), (1, 2), (1, 0, 0, 1)
    cg, mg = 2, 3
    full = (s[0] * 2 + 3 + op[0], s[1] * 3 + 2 + op[1])
    acc = np.zeros((1, 6) + full, np.float64)
    for c in range(4):
        g = c // cg
        for m in range(mg):
            for i in range(3):
                for j in range(4):
                    acc[0, g * mg + m, i * s[0]:i * s[0] + 3, j * s[1]:j * s[1] + 2] += x[0, c, i, j] * w[c, m]
    y = acc[:, :, p[0]:full[0] - p[2], p[1]:full[1] - p[3]] + b.reshape(1, 6, 1, 1)
    node = helper.make_node('ConvTranspose', ['x', 'w', 'b'], ['y'], group=group, strides=list(s),
                            output_padding=list(op), pads=list(p))
    save(out, 'convtranspose_groups', node, {'x': x, 'w': w, 'b': b}, {'y': y.astype(np.float32)})


@case
def maxpool_3d_indices(out):
    x = f32(1, 2, 5, 6, 7)
    k, d, s = (2, 2, 3), (2, 1, 2), (1, 2, 2)
    o = [(n - ((kk - 1) * dd + 1)) // ss + 1 for n, kk, dd, ss in zip(x.shape[2:], k, d, s)]
    y = np.zeros((1, 2) + tuple(o), np.float32)
    ix = np.zeros(y.shape, np.int64)
    for c in range(2):
        for a in range(o[0]):
            for b_ in range(o[1]):
                for e in range(o[2]):
                    best, bi = None, 0
                    for u in range(k[0]):
                        for v in range(k[1]):
                            for t in range(k[2]):
                                p = (a * s[0] + u * d[0], b_ * s[1] + v * d[1], e * s[2] + t * d[2])
                                val = x[0, c][p]
                                if best is None or val > best:
                                    best, bi = val, c * 5 * 6 * 7 + (p[0] * 6 + p[1]) * 7 + p[2]
                    y[0, c, a, b_, e], ix[0, c, a, b_, e] = best, bi
    node = helper.make_node('MaxPool', ['x'], ['y', 'i'], kernel_shape=list(k), dilations=list(d),
                            strides=list(s))
    save(out, 'maxpool_3d_indices', node, {'x': x}, {'y': y, 'i': ix}, opset=12)


@case
def resize_const(out):
    from onnx.backend.test.case.node.resize import interpolate_nd, linear_coeffs
    x = f32(1, 2, 4, 5)
    scales = np.array([1, 1, 1.5, 0.8], np.float32)
    y = interpolate_nd(x, linear_coeffs, scale_factors=scales).astype(np.float32)
    node = helper.make_node('Resize', ['x', '', 'scales'], ['y'], mode='linear')
    save(out, 'resize_const_scales', node, {'x': x}, {'y': y}, inits={'scales': scales})


@case
def tile_onehot_const(out):
    x = f32(2, 3)
    reps = np.array([2, 3], np.int64)
    save(out, 'tile_const', helper.make_node('Tile', ['x', 'r'], ['y']), {'x': x},
         {'y': np.tile(x, (2, 3))}, inits={'r': reps})
    idx = np.array([[1, -1, 3], [0, 4, 2]], np.int64)
    depth, vals = np.array(4, np.int64), np.array([-2.0, 5.0], np.float32)
    y = np.full((2, 4, 3), -2.0, np.float32)
    for a in range(2):
        for b in range(3):
            v = idx[a, b] + (4 if idx[a, b] < 0 else 0)
            if 0 <= v < 4:
                y[a, v, b] = 5.0
    node = helper.make_node('OneHot', ['i', 'depth', 'vals'], ['y'], axis=1)
    save(out, 'onehot_const', node, {'i': idx}, {'y': y}, opset=11,
         inits={'depth': depth, 'vals': vals})


@case
def roialign_max(out):
    # mode max is onnxruntime's: per sample, the max of the four weighted
    # corner values; per bin, the max over samples.
    x = f32(2, 3, 10, 12)
    rois = np.array([[0, 0, 9, 9], [1.5, 2.2, 8.7, 6.1], [-2, -1, 4, 3], [5, 1, 30, 11]], np.float32)
    bi = np.array([0, 1, 1, 0], np.int64)
    oh, ow, scale, H, W = 3, 4, 0.8, 10, 12
    y = np.zeros((4, 3, oh, ow), np.float32)
    for r in range(4):
        sw, sh = rois[r, 0] * scale - 0.5, rois[r, 1] * scale - 0.5
        rw, rh = rois[r, 2] * scale - 0.5 - sw, rois[r, 3] * scale - 0.5 - sh
        bh, bw = rh / oh, rw / ow
        gh, gw = int(np.ceil(rh / oh)), int(np.ceil(rw / ow))
        for c in range(3):
            img = x[bi[r], c].astype(np.float64)
            for ph in range(oh):
                for pw in range(ow):
                    best = None
                    for iy in range(gh):
                        yy = sh + ph * bh + (iy + 0.5) * bh / gh
                        for ix in range(gw):
                            xx = sw + pw * bw + (ix + 0.5) * bw / gw
                            if yy < -1 or yy > H or xx < -1 or xx > W:
                                m = 0.0
                            else:
                                fy, fx = max(yy, 0.0), max(xx, 0.0)
                                y0, x0 = int(fy), int(fx)
                                if y0 >= H - 1:
                                    y0 = y1 = H - 1
                                    fy = y0
                                else:
                                    y1 = y0 + 1
                                if x0 >= W - 1:
                                    x0 = x1 = W - 1
                                    fx = x0
                                else:
                                    x1 = x0 + 1
                                ly, lx = fy - y0, fx - x0
                                m = max((1 - ly) * (1 - lx) * img[y0, x0], (1 - ly) * lx * img[y0, x1],
                                        ly * (1 - lx) * img[y1, x0], ly * lx * img[y1, x1])
                            best = m if best is None else max(best, m)
                    y[r, c, ph, pw] = best
    node = helper.make_node('RoiAlign', ['x', 'rois', 'bi'], ['y'], mode='max', output_height=oh,
                            output_width=ow, spatial_scale=scale)
    save(out, 'roialign_max', node, {'x': x, 'rois': rois, 'bi': bi}, {'y': y}, opset=16)


@case
def sequence_ops(out):
    # Split x into rows [1, 2, 3], erase the middle part, insert z there,
    # concatenate back; split into columns without keepdims and stack them.
    x, z = f32(6, 4), f32(2, 4)
    inits = {'split': np.array([1, 2, 3], dtype=np.int64), 'm2': np.array(-2, dtype=np.int64),
             'one': np.array(1, dtype=np.int64), 'm1': np.array(-1, dtype=np.int32)}
    nodes = [helper.make_node('SplitToSequence', ['x', 'split'], ['rows'], axis=0),
             helper.make_node('SequenceErase', ['rows', 'm2'], ['kept']),
             helper.make_node('SequenceInsert', ['kept', 'z', 'one'], ['mixed']),
             helper.make_node('ConcatFromSequence', ['mixed'], ['cat'], axis=0),
             helper.make_node('SequenceAt', ['mixed', 'm1'], ['last']),
             helper.make_node('SequenceLength', ['mixed'], ['len']),
             helper.make_node('SplitToSequence', ['x'], ['cols'], axis=1, keepdims=0),
             helper.make_node('ConcatFromSequence', ['cols'], ['stacked'], axis=0, new_axis=1)]
    outs = {'cat': np.concatenate([x[0:1], z, x[3:6]], axis=0), 'last': x[3:6],
            'len': np.array(3, dtype=np.int64), 'stacked': np.stack([x[:, j] for j in range(4)])}
    d = os.path.join(out, 'sequence_ops')
    os.makedirs(os.path.join(d, 'test_data_set_0'), exist_ok=True)
    graph = helper.make_graph(nodes, 'sequence_ops', [vi('x', x), vi('z', z)],
                              [vi(k, v) for k, v in outs.items()],
                              [numpy_helper.from_array(v, k) for k, v in inits.items()])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid('', 13)])
    model.ir_version = 8
    onnx.save(model, os.path.join(d, 'model.onnx'))
    for kind, tensors in (('input', {'x': x, 'z': z}), ('output', outs)):
        for i, (k, v) in enumerate(tensors.items()):
            with open(os.path.join(d, 'test_data_set_0', f'{kind}_{i}.pb'), 'wb') as f:
                f.write(numpy_helper.from_array(v, k).SerializeToString())


def main():
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    out = sys.argv[1]
    names = sys.argv[2:] or list(CASES)
    for n in names:
        CASES[n](out)


if __name__ == '__main__':
    main()
