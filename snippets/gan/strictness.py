"""How strict is the Frechet distance? Real held-out digits, slightly damaged, measured."""

import os

from dlcourse.data import load_mnist, random_split
from dlcourse.gan import classifier_features, measure_quality, train_evaluator

data = load_mnist(root=os.environ.get("DLCOURSE_DATA", "data"), download=True)
gan_set, held_a, held_b = random_split(data, [5000, 2500, 2500], seed=0)
classifier = train_evaluator(gan_set.images, gan_set.labels, epochs=2, seed=0)
reference = classifier_features(classifier, held_a.images)
floor = measure_quality(classifier, held_b.images, reference)

# --8<-- [start:damage]
import torch
import torch.nn.functional as F

from dlcourse.gan import to_model_range

real = to_model_range(held_b.images)  # floats in [-1, 1], (2500, 1, 28, 28)
noise = torch.randn(real.shape, generator=torch.Generator().manual_seed(0))
blur = torch.tensor([[1.0, 2.0, 1.0], [2.0, 4.0, 2.0], [1.0, 2.0, 1.0]]).view(1, 1, 3, 3) / 16
damaged = {
    "unchanged (the floor)": real,
    "+ noise, std 0.1": (real + 0.1 * noise).clamp(-1, 1),
    "+ noise, std 0.2": (real + 0.2 * noise).clamp(-1, 1),
    "3x3 blur": F.conv2d(real, blur, padding=1),
    "binarized (ink or no ink)": torch.where(real > 0, 1.0, -1.0),
    "without the digit 1": real[held_b.labels != 1],
}
times_floor = {}
for name, images in damaged.items():
    q = measure_quality(classifier, images, reference)
    times_floor[name] = q.frechet / floor.frechet
    print(f"{name:28} Frechet distance {q.frechet:7.2f} = {times_floor[name]:6.1f}x floor")
assert times_floor["3x3 blur"] > 3.5 and times_floor["without the digit 1"] > 3.5, "both miss"
# --8<-- [end:damage]
