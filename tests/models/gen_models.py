#!/usr/bin/env python3
"""Generate reference ONNX models + test data for mlegen end-to-end tests.

Usage: /usr/bin/python3 tests/models/gen_models.py OUTDIR [NAME ...]

For each model NAME this writes, in the ONNX backend-test layout:
    OUTDIR/NAME/model.onnx
    OUTDIR/NAME/test_data_set_{0,1}/input_<i>.pb
    OUTDIR/NAME/test_data_set_{0,1}/output_<i>.pb
Reference outputs come from PyTorch (eval mode, no_grad) on the same inputs.
All randomness is seeded per model, so the output is deterministic.
"""
import os
import sys
import time
import warnings

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

# torch.onnx is chatty (constant-folding / tracer advice); the exports are
# checked with onnx.checker and validated against PyTorch outputs instead.
warnings.filterwarnings("ignore", category=UserWarning)
warnings.filterwarnings("ignore", category=torch.jit.TracerWarning)

OPSET = 13
SEED = 1234


# --------------------------------------------------------------------------
# model definitions
# --------------------------------------------------------------------------
class MLP(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc1 = nn.Linear(784, 512)
        self.fc2 = nn.Linear(512, 512)
        self.fc3 = nn.Linear(512, 10)

    def forward(self, x):
        x = F.relu(self.fc1(x))
        x = F.relu(self.fc2(x))
        return self.fc3(x)


class CNN(nn.Module):
    def __init__(self, batchnorm):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 32, 3)
        self.bn1 = nn.BatchNorm2d(32) if batchnorm else nn.Identity()
        self.conv2 = nn.Conv2d(32, 64, 3)
        self.pool = nn.MaxPool2d(2)
        self.fc = nn.Linear(64 * 12 * 12, 10)

    def forward(self, x):
        x = F.relu(self.bn1(self.conv1(x)))
        x = F.relu(self.conv2(x))
        x = self.pool(x)
        x = torch.flatten(x, 1)
        return self.fc(x)


class BasicBlock(nn.Module):
    def __init__(self, cin, cout, stride):
        super().__init__()
        self.conv1 = nn.Conv2d(cin, cout, 3, stride=stride, padding=1, bias=False)
        self.bn1 = nn.BatchNorm2d(cout)
        self.conv2 = nn.Conv2d(cout, cout, 3, padding=1, bias=False)
        self.bn2 = nn.BatchNorm2d(cout)
        if stride != 1 or cin != cout:
            self.shortcut = nn.Sequential(
                nn.Conv2d(cin, cout, 1, stride=stride, bias=False),
                nn.BatchNorm2d(cout))
        else:
            self.shortcut = nn.Identity()

    def forward(self, x):
        y = F.relu(self.bn1(self.conv1(x)))
        y = self.bn2(self.conv2(y))
        return F.relu(y + self.shortcut(x))


class Residual(nn.Module):
    def __init__(self):
        super().__init__()
        self.block1 = BasicBlock(16, 16, 1)   # identity shortcut
        self.block2 = BasicBlock(16, 32, 2)   # stride-2 with 1x1 conv shortcut
        self.pool = nn.AdaptiveAvgPool2d(1)
        self.fc = nn.Linear(32, 10)

    def forward(self, x):
        x = self.block2(self.block1(x))
        x = torch.flatten(self.pool(x), 1)
        return self.fc(x)


class OpsMisc(nn.Module):
    """Small grab-bag of elementwise / pooling / layout ops. Input [1,3,16,16].
    Every branch feeds the final Linear directly (no global mean) so the
    output stays sensitive to the input."""

    def __init__(self):
        super().__init__()
        self.conv_a = nn.Conv2d(3, 4, 3, padding=1)
        self.conv_b = nn.Conv2d(3, 4, 1)
        self.act_leaky = nn.LeakyReLU(0.1)
        self.relu6 = nn.ReLU6()                    # Hardtanh(0, 6) -> Clip(0, 6)
        self.hardtanh = nn.Hardtanh(-2.0, 2.0)     # -> Clip(-2, 2)
        self.pool = nn.AvgPool2d(3, stride=2, padding=1, count_include_pad=False)
        self.register_buffer("scale", torch.rand(8, 1, 1) + 0.5)
        self.register_buffer("shift", torch.randn(8, 1, 1) * 0.2)
        self.register_buffer("denom", torch.rand(8, 1, 1) + 1.0)
        self.fc = nn.Linear(512, 10)

    def forward(self, x):
        a = torch.sigmoid(self.conv_a(x))                 # Sigmoid
        b = torch.tanh(self.conv_b(x))                    # Tanh
        c = torch.cat([self.act_leaky(4.0 * a - 2.0), self.relu6(b * 8.0)], dim=1)  # Concat axis 1
        c = self.hardtanh(c)                              # Clip(-2, 2)
        c = self.pool(c)                                  # AveragePool -> [1,8,8,8]
        d = (c - self.shift) * self.scale / self.denom    # Sub/Mul/Div broadcast vs [8,1,1]
        s = torch.softmax(d * 2.0, dim=1)                 # Softmax over channels
        t = d.permute(0, 1, 3, 2)                         # Transpose
        m = torch.matmul(d, t) * 0.125                    # MatMul of two activations [1,8,8,8]
        e = s * m + d
        r = e.reshape(1, 512)                             # Reshape
        return self.fc(r)                                 # Gemm


def _torchvision(name):
    import torchvision
    ctor = getattr(torchvision.models, name)
    return ctor(weights=None)


def recalibrate_bn(model, batches=8, batch_size=8, hw=224):
    """Re-estimate BN running stats on random normal input (random-init nets
    otherwise have exploding/vanishing activations in eval mode)."""
    bns = [m for m in model.modules() if isinstance(m, nn.modules.batchnorm._BatchNorm)]
    for bn in bns:
        bn.momentum = None          # cumulative moving average
        bn.reset_running_stats()
    model.train()
    with torch.no_grad():
        for _ in range(batches):
            model(torch.randn(batch_size, 3, hw, hw))
    model.eval()


class Transformer(nn.Module):
    """2-layer transformer encoder, d=128, 4 heads, ffn 512 (issue 4's row)."""

    def __init__(self):
        super().__init__()
        # Sequence-first (batch_first=False) keeps torch off its fused fast
        # paths, which have no ONNX export (_transformer_encoder_layer_fwd,
        # _native_multi_head_attention).
        layer = nn.TransformerEncoderLayer(128, 4, dim_feedforward=512, dropout=0.0)
        self.enc = nn.TransformerEncoder(layer, 2, enable_nested_tensor=False)
        # TransformerEncoder deep-copies the layer: give each layer its own
        # weights (and non-trivial biases and norms) from the seeded RNG.
        for name, p in self.named_parameters():
            if p.dim() > 1:
                nn.init.xavier_uniform_(p)
            elif "norm" in name and name.endswith("weight"):
                nn.init.normal_(p, 1.0, 0.1)
            else:
                nn.init.normal_(p, 0.0, 0.1)

    def forward(self, x):
        return self.enc(x)


class LSTMSeq(nn.Module):
    """One LSTM layer 40 -> 128 over a sequence; returns every step's h."""

    def __init__(self):
        super().__init__()
        self.lstm = nn.LSTM(40, 128)
        # Wider than the default U(-1/sqrt(128), 1/sqrt(128)) so the gates
        # leave their linear range and the outputs are not tiny.
        for p in self.lstm.parameters():
            nn.init.uniform_(p, -0.3, 0.3)

    def forward(self, x):
        return self.lstm(x)[0]


# --------------------------------------------------------------------------
# registry: name -> (builder, input shape(s) for data, dynamic_axes or None)
# --------------------------------------------------------------------------
def build_mlp():
    return MLP(), [(1, 784)], None


def build_mlp_dynbatch():
    return MLP(), [(3, 784)], {"input": {0: "batch"}, "output": {0: "batch"}}


def build_cnn():
    return CNN(batchnorm=True), [(1, 1, 28, 28)], None


def build_cnn_small():
    return CNN(batchnorm=False), [(1, 1, 28, 28)], None


def build_residual():
    return Residual(), [(1, 16, 16, 16)], None


def build_ops_misc():
    return OpsMisc(), [(1, 3, 16, 16)], None


def build_resnet18():
    m = _torchvision("resnet18")
    recalibrate_bn(m)
    return m, [(1, 3, 224, 224)], None


def build_mobilenet_v2():
    m = _torchvision("mobilenet_v2")
    recalibrate_bn(m)
    return m, [(1, 3, 224, 224)], None


def build_transformer():
    return Transformer(), [(32, 1, 128)], None


def build_lstm():
    return LSTMSeq(), [(50, 1, 40)], None


# Models whose BatchNormalization nodes are kept in the exported graph.
# (In EVAL export mode torch folds BN into the preceding Conv, so resnet18 /
# mobilenet_v2 exercise the fused form and these two the explicit op.)
KEEP_BN = {"cnn", "residual"}

MODELS = {
    "mlp": build_mlp,
    "mlp_dynbatch": build_mlp_dynbatch,
    "cnn": build_cnn,
    "cnn_small": build_cnn_small,
    "residual": build_residual,
    "ops_misc": build_ops_misc,
    "resnet18": build_resnet18,
    "mobilenet_v2": build_mobilenet_v2,
    "transformer": build_transformer,
    "lstm": build_lstm,
}


def reinit_weights(model, gen):
    """He-normal weights so activations keep roughly unit scale through the
    small nets (PyTorch's default init shrinks them ~3x per layer, which
    would make the reference outputs tiny and the tests weak)."""
    for m in model.modules():
        if isinstance(m, (nn.Conv2d, nn.Linear)):
            fan_in = m.weight[0].numel()
            m.weight.data.copy_(torch.randn(m.weight.shape, generator=gen) * (2.0 / fan_in) ** 0.5)
            if m.bias is not None:
                m.bias.data.copy_(torch.randn(m.bias.shape, generator=gen) * 0.1)


def randomize_bn(model, gen):
    """Give small BN layers non-trivial statistics/affine params so the
    exported BatchNormalization is not an identity."""
    for m in model.modules():
        if isinstance(m, nn.modules.batchnorm._BatchNorm):
            n = m.num_features
            m.running_mean.copy_(torch.randn(n, generator=gen) * 0.1)
            m.running_var.copy_(torch.rand(n, generator=gen) * 0.5 + 0.75)
            m.weight.data.copy_(torch.rand(n, generator=gen) * 0.5 + 0.75)
            m.bias.data.copy_(torch.randn(n, generator=gen) * 0.1)


# --------------------------------------------------------------------------
def write_pb(path, arr, name):
    from onnx import numpy_helper
    t = numpy_helper.from_array(np.ascontiguousarray(arr), name=name)
    with open(path, "wb") as f:
        f.write(t.SerializeToString())


def generate(name, outdir):
    import onnx

    torch.manual_seed(SEED)
    np.random.seed(SEED)
    t0 = time.time()
    model, in_shapes, dyn = MODELS[name]()
    if name not in ("resnet18", "mobilenet_v2"):
        with torch.no_grad():
            reinit_weights(model, torch.Generator().manual_seed(SEED + 2))
            randomize_bn(model, torch.Generator().manual_seed(SEED + 1))
    model.eval()

    mdir = os.path.join(outdir, name)
    os.makedirs(mdir, exist_ok=True)
    in_names = ["input"] if len(in_shapes) == 1 else ["input_%d" % i for i in range(len(in_shapes))]
    out_names = ["output"]

    # export with data of the (possibly batched) test shape
    rng = np.random.RandomState(SEED)
    example = tuple(torch.from_numpy(rng.standard_normal(s).astype(np.float32)) for s in in_shapes)
    onnx_path = os.path.join(mdir, "model.onnx")
    with torch.no_grad():
        torch.onnx.export(model, example if len(example) > 1 else example[0], onnx_path,
                          opset_version=OPSET, do_constant_folding=True,
                          input_names=in_names, output_names=out_names,
                          dynamic_axes=dyn,
                          training=(torch.onnx.TrainingMode.PRESERVE if name in KEEP_BN
                                    else torch.onnx.TrainingMode.EVAL))
    onnx.checker.check_model(onnx.load(onnx_path))

    stds = []
    out_shape = None
    for ds in range(2):
        ddir = os.path.join(mdir, "test_data_set_%d" % ds)
        os.makedirs(ddir, exist_ok=True)
        inputs = [rng.standard_normal(s).astype(np.float32) for s in in_shapes]
        with torch.no_grad():
            out = model(*[torch.from_numpy(a) for a in inputs])
        outs = out if isinstance(out, (tuple, list)) else [out]
        for i, (a, n) in enumerate(zip(inputs, in_names)):
            write_pb(os.path.join(ddir, "input_%d.pb" % i), a, n)
        for i, (o, n) in enumerate(zip(outs, out_names)):
            o = o.detach().numpy().astype(np.float32)
            write_pb(os.path.join(ddir, "output_%d.pb" % i), o, n)
            out_shape = o.shape
            stds.append(float(o.std()))
    dt = time.time() - t0
    print("%-14s in=%-18s out=%-10s std=%.4g/%.4g  (%.1fs)" % (
        name, "x".join(map(str, in_shapes[0])), "x".join(map(str, out_shape)),
        stds[0], stds[1], dt), flush=True)
    return onnx_path


def main(argv):
    if len(argv) < 2:
        print(__doc__.strip(), file=sys.stderr)
        return 2
    outdir = argv[1]
    names = argv[2:] or list(MODELS)
    unknown = [n for n in names if n not in MODELS]
    if unknown:
        print("unknown model(s): %s; known: %s" % (", ".join(unknown), ", ".join(MODELS)),
              file=sys.stderr)
        return 2
    torch.set_num_threads(max(1, min(2, os.cpu_count() or 1)))
    os.makedirs(outdir, exist_ok=True)
    for n in names:
        generate(n, outdir)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
