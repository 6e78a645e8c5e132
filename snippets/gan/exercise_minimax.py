"""Exercise: the minimax generator loss against the non-saturating one, one short epoch each."""

import os

from dlcourse.data import load_mnist
from dlcourse.gan import GANConfig, train

data = load_mnist(root=os.environ.get("DLCOURSE_DATA", "data"), download=True)
images = data.images[:2000]
end = {}
for loss in ("minimax", "non-saturating"):
    result = train(GANConfig(epochs=1, g_loss=loss, seed=0), images)
    end[loss] = sum(result.d_fake[-10:]) / 10
    print(f"{loss:>15}: {len(result.d_fake)} steps, mean D(G(z)) over the last 10 {end[loss]:.3f}")
assert abs(end["minimax"] - end["non-saturating"]) < 0.02, "practically the same"
assert all(0.3 < d < 0.7 for d in end.values()), "D(G(z)) near the middle, far from 0"
