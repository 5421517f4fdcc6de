#!/usr/bin/env python3
"""Train the demo CNN on scikit-learn's 8x8 digits and export it to ONNX.

Usage: /usr/bin/python3 tests/models/train_digits.py [OUTDIR]
(OUTDIR defaults to the directory of this script, i.e. tests/models/)

Writes:
  digits.onnx                        opset 13, input "image" [1,1,8,8] float32
                                     (pixels / 16.0), output "logits" [1,10]
  digits_heldout.f32                 100 x 64 float32 LE, already scaled
  digits_heldout.labels              100 uint8
  digits_heldout.expected_logits.f32 100 x 10 float32 LE, PyTorch outputs
The held-out set is the last 100 samples of load_digits(); it is never
trained on.
"""
import os
import sys
import time
import warnings

import numpy as np
import torch
import torch.nn as nn
from sklearn.datasets import load_digits

warnings.filterwarnings("ignore", category=UserWarning)

SEED = 20240
EPOCHS = 30
BATCH = 32
HELDOUT = 100


class DigitsCNN(nn.Module):
    def __init__(self):
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv2d(1, 16, 3, padding=1),
            nn.ReLU(),
            nn.Conv2d(16, 32, 3, padding=1),
            nn.BatchNorm2d(32),
            nn.ReLU(),
            nn.MaxPool2d(2),            # -> 32 x 4 x 4
        )
        self.classifier = nn.Sequential(
            nn.Flatten(),
            nn.Linear(32 * 4 * 4, 64),
            nn.ReLU(),
            nn.Linear(64, 10),
        )

    def forward(self, x):
        return self.classifier(self.features(x))


def main(argv):
    outdir = argv[1] if len(argv) > 1 else os.path.dirname(os.path.abspath(__file__))
    os.makedirs(outdir, exist_ok=True)
    torch.manual_seed(SEED)
    np.random.seed(SEED)
    torch.set_num_threads(max(1, min(2, os.cpu_count() or 1)))
    t0 = time.time()

    digits = load_digits()
    x = (digits.data.astype(np.float32) / 16.0).reshape(-1, 1, 8, 8)
    y = digits.target.astype(np.int64)
    x_train, y_train = x[:-HELDOUT], y[:-HELDOUT]
    x_test, y_test = x[-HELDOUT:], y[-HELDOUT:]

    model = DigitsCNN()
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    loss_fn = nn.CrossEntropyLoss()
    xt, yt = torch.from_numpy(x_train), torch.from_numpy(y_train)
    gen = torch.Generator().manual_seed(SEED)
    for epoch in range(EPOCHS):
        model.train()
        perm = torch.randperm(len(xt), generator=gen)
        total = 0.0
        for i in range(0, len(xt), BATCH):
            idx = perm[i:i + BATCH]
            opt.zero_grad()
            loss = loss_fn(model(xt[idx]), yt[idx])
            loss.backward()
            opt.step()
            total += loss.item() * len(idx)
        if epoch % 10 == 9 or epoch == EPOCHS - 1:
            print("epoch %2d  train loss %.4f" % (epoch + 1, total / len(xt)), flush=True)

    model.eval()
    with torch.no_grad():
        logits = model(torch.from_numpy(x_test)).numpy().astype(np.float32)
        train_acc = (model(xt).argmax(1).numpy() == y_train).mean()
    acc = float((logits.argmax(1) == y_test).mean())

    onnx_path = os.path.join(outdir, "digits.onnx")
    with torch.no_grad():
        torch.onnx.export(model, torch.from_numpy(x_test[:1]), onnx_path,
                          opset_version=13, do_constant_folding=True,
                          input_names=["image"], output_names=["logits"])
    import onnx
    onnx.checker.check_model(onnx.load(onnx_path))

    x_test.astype("<f4").tofile(os.path.join(outdir, "digits_heldout.f32"))
    y_test.astype(np.uint8).tofile(os.path.join(outdir, "digits_heldout.labels"))
    logits.astype("<f4").tofile(os.path.join(outdir, "digits_heldout.expected_logits.f32"))

    print("train accuracy %.4f  held-out accuracy %.4f (%d samples)  %.1fs"
          % (train_acc, acc, HELDOUT, time.time() - t0))
    if acc <= 0.9:
        print("WARNING: held-out accuracy is not above 0.9", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
