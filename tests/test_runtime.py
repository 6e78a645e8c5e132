import pytest
import torch

from dlcourse.runtime import DEVICE_ENV, device, seed_everything


def test_device_follows_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(DEVICE_ENV, "cpu")
    assert device() == torch.device("cpu")
    monkeypatch.setenv(DEVICE_ENV, "auto")
    assert device().type == ("cuda" if torch.cuda.is_available() else "cpu")


def test_unknown_device_is_a_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(DEVICE_ENV, "tpu")
    with pytest.raises(ValueError, match="'tpu' is not a device"):
        device()


@pytest.mark.skipif(torch.cuda.is_available(), reason="checks the error raised without a GPU")
def test_cuda_without_a_gpu_is_a_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(DEVICE_ENV, "cuda")
    with pytest.raises(RuntimeError, match="is_available"):
        device()


def test_seed_everything_repeats_draws() -> None:
    seed_everything(3)
    a = torch.rand(4)
    seed_everything(3)
    assert torch.equal(a, torch.rand(4))


@pytest.mark.parametrize("seed", [-1, 1.5, True, "0"])
def test_bad_seed(seed) -> None:
    with pytest.raises(ValueError, match="non-negative int"):
        seed_everything(seed)
