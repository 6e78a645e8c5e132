import pytest
import torch

from dlcourse.returns import discounted_return, returns_to_go
from dlcourse.runtime import device


def test_hand_computed_returns() -> None:
    rewards = torch.tensor([1.0, 0.0, 2.0], device=device())
    assert discounted_return(rewards, 0.5).item() == pytest.approx(1.0 + 0.25 * 2.0)
    assert returns_to_go(rewards, 0.5).tolist() == pytest.approx([1.5, 1.0, 2.0])


def test_forms_agree_and_first_return_to_go_is_the_return() -> None:
    g = torch.Generator().manual_seed(0)
    rewards = torch.randn(50, generator=g, dtype=torch.float64)
    for gamma in (0.0, 0.9, 1.0):
        assert returns_to_go(rewards, gamma)[0].item() == pytest.approx(
            discounted_return(rewards, gamma).item()
        )


@pytest.mark.parametrize(
    ("rewards", "gamma", "match"),
    [
        (torch.zeros(2, 2), 0.9, "1-D tensor"),
        ([1.0, 2.0], 0.9, "1-D tensor"),
        (torch.tensor([1, 2]), 0.9, "floating-point"),
        (torch.zeros(3), 1.5, r"gamma must lie in \[0, 1\]"),
    ],
)
def test_bad_input(rewards, gamma, match) -> None:
    with pytest.raises(ValueError, match=match):
        discounted_return(rewards, gamma)
