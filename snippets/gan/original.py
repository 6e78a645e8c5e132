"""The original lesson's MLP GAN, with and without the [0, 1] vs [-1, 1] mismatch."""

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

runs = {
    "original, images in [0, 1]": GANConfig(epochs=15, pixel_range="[0, 1]"),
    "original, images in [-1, 1]": GANConfig(epochs=15),
}
original = {name: train(config, gan_set.images) for name, config in runs.items()}
for name, result in original.items():
    q = measure_quality(classifier, sample(result.generator, 2500, seed=1), reference)
    print(f"{name}: Frechet distance {q.frechet:.1f} ({q.frechet / floor.frechet:.0f}x the floor)")
    print(f"    {q.digits_covered} digits predicted, entropy {q.entropy:.2f}, counts {q.counts}")
# --8<-- [end:train]

# --8<-- [start:mismatch]
from dlcourse.gan import to_model_range
from dlcourse.plots.gan import plot_pixel_ranges

fig = plot_pixel_ranges(
    {
        "real, as the lesson fed them (ToTensor only)": to_model_range(gan_set.images, "[0, 1]"),
        "real, normalized to [-1, 1]": to_model_range(gan_set.images, "[-1, 1]"),
        "generator trained on [0, 1] images": sample(
            original["original, images in [0, 1]"].generator, 5000, seed=1
        ),
    }
)
# --8<-- [end:mismatch]

# --8<-- [start:curves]
from dlcourse.plots.gan import plot_d_outputs, plot_real_vs_fake

plot_d_outputs(original)
fig = plot_real_vs_fake(
    {name: sample(result.generator, 32, seed=2) for name, result in original.items()},
    alt="Samples of the original GAN trained on images in [0, 1] and in [-1, 1]",
)
# --8<-- [end:curves]
