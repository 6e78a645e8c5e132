"""Load MNIST (downloading it if needed) and split it into the parts this chapter uses."""

# --8<-- [start:load]
import os

from dlcourse.data import load_mnist, random_split

data = load_mnist(root=os.environ.get("DLCOURSE_DATA", "data"), download=True)
print(f"MNIST {data.split} split: {len(data)} images of {tuple(data.images.shape[1:])} pixels")
gan_set, held_a, held_b = random_split(data, [5000, 2500, 2500], seed=0)
print(f"GAN and classifier training: {len(gan_set)} images")
print(f"held-out reference A: {len(held_a)}, held-out reference B: {len(held_b)}")
# --8<-- [end:load]

# --8<-- [start:show]
from dlcourse.plots.gan import plot_samples

fig = plot_samples(gan_set.images[:32], title="32 real training images")
# --8<-- [end:show]
