"""Measuring generated digits: a digit classifier, Frechet distance in its features, coverage.

:func:`train_evaluator` fits a small CNN digit classifier on real images; :func:`measure_quality`
reports, for generated images, the Frechet distance between the classifier's features of
generated and held-out real images (the idea of FID, Heusel et al., 2017, with an MNIST
classifier instead of Inception) and the histogram of predicted digits with its entropy
(``ln 10`` when all ten are equally frequent).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from dlcourse import runtime
from dlcourse.gan.models import to_model_range

__all__ = [
    "DigitClassifier",
    "QualityReport",
    "accuracy",
    "classifier_features",
    "frechet_distance",
    "measure_quality",
    "train_evaluator",
]


class DigitClassifier(nn.Module):
    """A small CNN: two conv blocks, a 128-d feature layer, 10 logits."""

    def __init__(self, features: int = 128) -> None:
        super().__init__()
        self.body = nn.Sequential(
            nn.Conv2d(1, 16, 3, padding=1),
            nn.ReLU(),
            nn.MaxPool2d(2),
            nn.Conv2d(16, 32, 3, padding=1),
            nn.ReLU(),
            nn.MaxPool2d(2),
            nn.Flatten(),
            nn.Linear(32 * 7 * 7, features),
            nn.ReLU(),
        )
        self.head = nn.Linear(features, 10)

    def features(self, x: Tensor) -> Tensor:
        """The ``features``-dimensional representation the Frechet distance compares."""
        return self.body(x)

    def forward(self, x: Tensor) -> Tensor:
        return self.head(self.body(x))


def train_evaluator(
    images: Tensor,
    labels: Tensor,
    *,
    epochs: int = 2,
    batch_size: int = 64,
    lr: float = 1e-3,
    seed: int = 0,
) -> DigitClassifier:
    """Fit a :class:`DigitClassifier` on real ``uint8`` images ``(N, 28, 28)`` and labels.

    Adam on the cross-entropy ``-log softmax(f(x))_y``, shuffled batches, ``epochs`` passes.
    """
    if len(images) != len(labels) or len(images) < batch_size:
        raise ValueError(f"need matching images and labels, at least {batch_size} of them")
    runtime.seed_everything(seed)
    dev = runtime.device()
    x, y = to_model_range(images).to(dev), labels.to(dev)
    model = DigitClassifier().to(dev)
    opt = torch.optim.Adam(model.parameters(), lr=lr)
    order_rng = torch.Generator().manual_seed(seed)
    for _ in range(epochs):
        order = torch.randperm(len(x), generator=order_rng).to(dev)
        for i in range(0, len(x) - batch_size + 1, batch_size):
            idx = order[i : i + batch_size]
            loss = F.cross_entropy(model(x[idx]), y[idx])
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
    return model.eval()


@torch.no_grad()
def _apply(
    model: DigitClassifier,
    x: Tensor,
    fn: Literal["forward", "features"],
    batch_size: int = 1000,
) -> Tensor:
    """``model.fn(x)`` in batches on the model's device, in eval mode; the result on CPU."""
    dev = next(model.parameters()).device
    model.eval()
    method = getattr(model, fn)
    return torch.cat(
        [method(x[i : i + batch_size].to(dev)).cpu() for i in range(0, len(x), batch_size)]
    )


def accuracy(model: DigitClassifier, images: Tensor, labels: Tensor) -> float:
    """Fraction of ``uint8`` images ``(N, 28, 28)`` classified correctly."""
    pred = _apply(model, to_model_range(images), "forward").argmax(1)
    return float((pred == labels.cpu()).float().mean())


def classifier_features(model: DigitClassifier, x: Tensor) -> Tensor:
    """Features of images ``x`` in ``[-1, 1]`` (``(N, 1, 28, 28)``; ``uint8`` is converted)."""
    if x.dtype == torch.uint8:
        x = to_model_range(x)
    return _apply(model, x, "features").double()


def frechet_distance(a: Tensor, b: Tensor) -> float:
    """Frechet distance between Gaussians fitted to feature sets ``a`` and ``b`` (rows).

    ``||mu_a - mu_b||^2 + Tr(S_a + S_b - 2 (S_a S_b)^(1/2))``, computed in float64 with
    symmetric eigendecompositions (``Tr (S_a S_b)^(1/2)`` equals the trace of the square root
    of the symmetric ``S_a^(1/2) S_b S_a^(1/2)``).
    """
    if a.ndim != 2 or b.ndim != 2 or a.shape[1] != b.shape[1] or min(len(a), len(b)) < 2:
        raise ValueError(f"need two (N, d) feature sets with N >= 2, got {a.shape}, {b.shape}")
    a, b = a.double(), b.double()
    mu_a, mu_b = a.mean(0), b.mean(0)
    cov_a, cov_b = torch.cov(a.T), torch.cov(b.T)
    w, v = torch.linalg.eigh(cov_a)
    root_a = (v * w.clamp(min=0).sqrt()) @ v.T  # S_a^(1/2)
    cross = torch.linalg.eigvalsh(root_a @ cov_b @ root_a).clamp(min=0).sqrt().sum()
    value = (mu_a - mu_b).square().sum() + cov_a.trace() + cov_b.trace() - 2 * cross
    return max(float(value), 0.0)


@dataclass
class QualityReport:
    """How good a set of images is, as seen by the digit classifier."""

    frechet: float
    """Frechet distance to the reference images' features (lower is better)."""
    counts: list[int]
    """How many images the classifier assigns to each digit 0-9."""
    entropy: float
    """Entropy ``-sum p_k ln p_k`` (nats) of the predicted-digit histogram; ``ln 10`` is uniform."""

    @property
    def digits_covered(self) -> int:
        """Number of digits predicted at least once."""
        return sum(c > 0 for c in self.counts)


def measure_quality(model: DigitClassifier, images: Tensor, reference: Tensor) -> QualityReport:
    """Frechet distance of ``images`` to ``reference`` features, and predicted-digit coverage.

    ``images`` are floats in ``[-1, 1]`` ``(N, 1, 28, 28)`` (or ``uint8`` ``(N, 28, 28)``);
    ``reference`` is :func:`classifier_features` of held-out real images.
    """
    feats = classifier_features(model, images)
    pred = model.head(feats.float().to(next(model.parameters()).device)).argmax(1).cpu()
    counts = torch.bincount(pred, minlength=10)
    p = counts.double() / counts.sum()
    entropy = float(-(p[p > 0] * p[p > 0].log()).sum()) + 0.0  # + 0.0: no "-0.0"
    return QualityReport(frechet_distance(feats, reference), counts.tolist(), entropy)
