"""The measurements behind the chapter's improvements: one change at a time, seed 0.

Not run on the page (it trains eight GANs, about 15 minutes on 2 CPU cores); run it
yourself: ``python snippets/gan/ablation.py``.
"""

import os
import time

from dlcourse.data import load_mnist, random_split
from dlcourse.gan import (
    GANConfig,
    classifier_features,
    measure_quality,
    sample,
    train,
    train_evaluator,
)

data = load_mnist(root=os.environ.get("DLCOURSE_DATA", "data"), download=True)
gan_set, held_a, held_b = random_split(data, [5000, 2500, 2500], seed=0)
classifier = train_evaluator(gan_set.images, gan_set.labels, epochs=2, seed=0)
reference = classifier_features(classifier, held_a.images)
floor = measure_quality(classifier, held_b.images, reference)

steps = {
    "original, 5 epochs": GANConfig(epochs=5),
    "+ batch norm in G, 5 epochs": GANConfig(epochs=5, g_batchnorm=True),
    "+ batch norm in G, 20 epochs": GANConfig(epochs=20, g_batchnorm=True),
    "+ dropout 0.3 in D, labels 0.9": GANConfig(
        epochs=20, g_batchnorm=True, d_dropout=0.3, real_label=0.9
    ),
    "+ batch 32": GANConfig(
        epochs=20, g_batchnorm=True, d_dropout=0.3, real_label=0.9, batch_size=32
    ),
    "+ 40 epochs": GANConfig(
        epochs=40, g_batchnorm=True, d_dropout=0.3, real_label=0.9, batch_size=32
    ),
    "+ 80 epochs (the chapter's model)": GANConfig(
        epochs=80, g_batchnorm=True, d_dropout=0.3, real_label=0.9, batch_size=32
    ),
    "DCGAN (width 32), 5 epochs": GANConfig(arch="dcgan", epochs=5),
}
print(f"real vs real floor: {floor.frechet:.2f}")
for name, config in steps.items():
    start = time.perf_counter()
    generator = train(config, gan_set.images).generator
    seconds = time.perf_counter() - start
    q = measure_quality(classifier, sample(generator, 2500, 1), reference)
    print(
        f"{name:34} FD {q.frechet:7.1f} ({q.frechet / floor.frechet:5.0f}x)  "
        f"digits {q.digits_covered:2d}  entropy {q.entropy:.2f}  {seconds:4.0f} s"
    )
