"""Exercise: real digits of only three classes, measured like a collapsed generator."""

import os

from dlcourse.data import load_mnist, random_split
from dlcourse.gan import classifier_features, measure_quality, train_evaluator

data = load_mnist(root=os.environ.get("DLCOURSE_DATA", "data"), download=True)
gan_set, held_a, held_b = random_split(data, [5000, 2500, 2500], seed=0)
classifier = train_evaluator(gan_set.images, gan_set.labels, epochs=2, seed=0)
reference = classifier_features(classifier, held_a.images)

floor = measure_quality(classifier, held_b.images, reference)
three = held_b.images[held_b.labels <= 2]  # only 0, 1 and 2
collapsed = measure_quality(classifier, three, reference)
print(f"all ten digits: Frechet distance {floor.frechet:.2f}, entropy {floor.entropy:.2f}")
print(f"only 0, 1, 2:   Frechet distance {collapsed.frechet:.2f}, entropy {collapsed.entropy:.2f}")
assert collapsed.frechet > 10 * floor.frechet, "real digits, but missing variety: far away"
