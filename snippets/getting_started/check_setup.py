"""Check that the course's code runs here: versions and the device it will use."""

import gymnasium
import torch

import dlcourse
from dlcourse.runtime import device

print(
    f"dlcourse {dlcourse.__version__}, torch {torch.__version__}, gymnasium {gymnasium.__version__}"
)
print(f"device: {device()}")
