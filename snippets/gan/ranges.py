"""Pitfall: real images in [0, 1] for a generator whose tanh output lies in [-1, 1]."""

import os

from dlcourse import gan as setup
from dlcourse.data import load_mnist, random_split

data = load_mnist(root=os.environ.get("DLCOURSE_DATA", "data"), download=True)
gan_set, held_a, held_b = random_split(data, [5000, 2500, 2500], seed=0)
classifier = setup.train_evaluator(gan_set.images, gan_set.labels, epochs=2, seed=0)
reference = setup.classifier_features(classifier, held_a.images)
floor = setup.measure_quality(classifier, held_b.images, reference)

# --8<-- [start:train]
from dlcourse.gan import GANConfig, measure_quality, sample, train

runs = {  # the plain MLP GAN, seed 0, trained on the same images for the same steps
    "images in [0, 1]": GANConfig(epochs=15, pixel_range="[0, 1]", seed=0),
    "images in [-1, 1]": GANConfig(epochs=15, pixel_range="[-1, 1]", seed=0),
}
plain = {name: train(config, gan_set.images) for name, config in runs.items()}
plain_quality = {}
for name, result in plain.items():
    q = measure_quality(classifier, sample(result.generator, 2500, seed=1), reference)
    plain_quality[name] = q
    print(f"{name}: {len(result.loss_d)} steps of {result.config.batch_size} images")
    print(f"    Frechet distance {q.frechet:.1f} ({q.frechet / floor.frechet:.0f}x the floor)")
    print(f"    {q.digits_covered} digits predicted, entropy {q.entropy:.2f}, counts {q.counts}")
narrow, wide = plain_quality["images in [0, 1]"], plain_quality["images in [-1, 1]"]
assert min(narrow.frechet, wide.frechet) > 10 * floor.frechet, "both still far from the floor"
assert wide.frechet < narrow.frechet, "at equal steps, [-1, 1] images give the closer samples"
assert wide.digits_covered > narrow.digits_covered, "... and more kinds of digit"
for q in plain_quality.values():  # mode collapse: nearly every sample is one of a few digits
    assert sum(sorted(q.counts)[-3:]) >= 0.9 * sum(q.counts)
# --8<-- [end:train]

# --8<-- [start:mismatch]
from dlcourse.gan import to_model_range
from dlcourse.plots.gan import plot_pixel_ranges

pixels = {
    "real, ToTensor only: [0, 1]": to_model_range(gan_set.images, "[0, 1]"),
    "real, normalized to [-1, 1]": to_model_range(gan_set.images, "[-1, 1]"),
    "generated, trained on [0, 1] images": sample(
        plain["images in [0, 1]"].generator, 5000, seed=1
    ),
}
for name, x in pixels.items():
    print(f"{name:38} below 0: {(x < 0).float().mean():6.1%} of pixels")
assert (pixels["real, ToTensor only: [0, 1]"] >= 0).all()
assert (pixels["generated, trained on [0, 1] images"] < 0).any()
fig = plot_pixel_ranges(pixels)
# --8<-- [end:mismatch]

# --8<-- [start:curves]
from dlcourse.plots.gan import plot_d_outputs, plot_real_vs_fake

for name, result in plain.items():
    last = slice(-result.steps_per_epoch, None)  # the last epoch's steps
    d_real = sum(result.d_real[last]) / result.steps_per_epoch
    d_fake = sum(result.d_fake[last]) / result.steps_per_epoch
    print(f"{name}: last epoch, mean D(x) {d_real:.2f}, mean D(G(z)) {d_fake:.2f}")
    assert d_real > 0.5 > d_fake, "the discriminator wins in both runs"
plot_d_outputs(plain)
fig = plot_real_vs_fake(
    {name: sample(result.generator, 32, seed=2) for name, result in plain.items()},
    alt="Samples of the plain MLP GAN trained on images in [0, 1] and in [-1, 1]",
)
# --8<-- [end:curves]
