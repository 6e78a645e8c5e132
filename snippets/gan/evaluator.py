"""A small CNN digit classifier: the instrument that measures generated images."""

import os

from dlcourse.data import load_mnist, random_split

data = load_mnist(root=os.environ.get("DLCOURSE_DATA", "data"), download=True)
gan_set, held_a, held_b = random_split(data, [5000, 2500, 2500], seed=0)

# --8<-- [start:train]
import math

import torch

from dlcourse.gan import accuracy, classifier_features, measure_quality, train_evaluator

classifier = train_evaluator(gan_set.images, gan_set.labels, epochs=2, seed=0)
held_images = torch.cat([held_a.images, held_b.images])
held_labels = torch.cat([held_a.labels, held_b.labels])
held_accuracy = accuracy(classifier, held_images, held_labels)
print(f"classifier accuracy on the {len(held_labels)} held-out images: {held_accuracy:.1%}")

reference = classifier_features(classifier, held_a.images)  # what generated images are compared to
floor = measure_quality(classifier, held_b.images, reference)  # real vs real: the best possible
print(f"real vs real (B vs A): Frechet distance {floor.frechet:.2f}, entropy {floor.entropy:.3f}")
print(f"entropy if all ten digits were equally frequent: ln 10 = {math.log(10):.3f}")
# --8<-- [end:train]

# --8<-- [start:untrained]
from dlcourse.gan import GANConfig, build_models, sample
from dlcourse.runtime import seed_everything

seed_everything(0)
untrained_generator, _ = build_models(GANConfig())
untrained = measure_quality(classifier, sample(untrained_generator, 2500, seed=1), reference)
print(f"untrained generator: Frechet distance {untrained.frechet:.1f}", end=", ")
print(f"entropy {untrained.entropy:.3f}")
print(f"predicted digits: {untrained.counts}")
# --8<-- [end:untrained]
