"""Exercise: the minimax generator loss against the non-saturating one, one short epoch each."""

import os

from dlcourse.data import load_mnist
from dlcourse.gan import GANConfig, train

data = load_mnist(root=os.environ.get("DLCOURSE_DATA", "data"), download=True)
images = data.images[:2000]
for loss in ("minimax", "non-saturating"):
    result = train(GANConfig(epochs=1, g_loss=loss, seed=0), images)
    last = result.d_fake[-10:]
    print(f"{loss:>15}: mean D(G(z)) over the last 10 steps {sum(last) / len(last):.3f}")
