"""Bad input at the edges: checkpoints that are not ours, and bad values on the command line."""

from __future__ import annotations

import dataclasses
import subprocess
import sys
from pathlib import Path

import pytest
import torch

from dlcourse import dqn, gan
from dlcourse.checkpoint import read_checkpoint
from dlcourse.dqn import cli as dqn_cli
from dlcourse.gan import cli as gan_cli


@dataclasses.dataclass
class _Anything:
    x: int = 1


@pytest.fixture(params=["text", "pickled-object", "other-dict"])
def not_a_checkpoint(request: pytest.FixtureRequest, tmp_path: Path) -> tuple[Path, str]:
    path = tmp_path / "file.pt"
    if request.param == "text":
        path.write_text("hello, not a tensor file\n")
        return path, r"weights_only=True\) cannot read it"
    if request.param == "pickled-object":
        torch.save({"format": 1, "obj": _Anything()}, path)
        return path, "it holds Python objects, not only tensors and plain data"
    torch.save({"weights": torch.zeros(2)}, path)
    return path, r"in format {format} \(found format none\)"  # the reader's own format


def test_dqn_refuses_a_file_it_did_not_write(not_a_checkpoint: tuple[Path, str]) -> None:
    path, why = not_a_checkpoint
    with pytest.raises(ValueError, match=why.format(format=dqn.CHECKPOINT_FORMAT)) as err:
        dqn.load_checkpoint(path)
    assert f"{path} is not a checkpoint written by dlcourse.dqn" in str(err.value)
    assert "In PyTorch 2.6" not in str(err.value)


def test_gan_refuses_a_file_it_did_not_write(not_a_checkpoint: tuple[Path, str]) -> None:
    path, why = not_a_checkpoint
    why = why.format(format=gan.CHECKPOINT_FORMAT)
    with pytest.raises(ValueError, match=f"not a checkpoint written by dlcourse.gan.*{why}"):
        read_checkpoint(path, kind="dlcourse.gan", format=gan.CHECKPOINT_FORMAT)


def test_a_missing_checkpoint_is_named(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match=r"no dlcourse\.dqn checkpoint at .*nowhere\.pt"):
        dqn.load_checkpoint(tmp_path / "nowhere.pt")


@pytest.mark.parametrize(
    ("module", "argv", "message"),
    [
        (dqn_cli, ["--total-steps", "-5"], "total_steps must be >= 1, got -5"),
        (dqn_cli, ["--gamma", "1.5"], "gamma must be >= 0.0 and <= 1.0, got 1.5"),
        (dqn_cli, ["--eval-final", "0"], "--eval-final must be >= 1"),
        (dqn_cli, ["--resume", "nowhere.pt"], "no dlcourse.dqn checkpoint at nowhere.pt"),
        (gan_cli, ["--epochs", "-1"], "epochs must be >= 1, got -1"),
        (gan_cli, ["--limit", "0"], "--limit must be >= 1"),
        (gan_cli, ["--g-loss", "wasserstein"], "'wasserstein' is not one of"),
        (
            gan_cli,
            ["--data-root", "/nonexistent/mnist"],
            "data root /nonexistent/mnist does not exist",
        ),
    ],
)
def test_cli_reports_bad_values_as_usage_errors(
    module, argv: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exit_:
        module.main(argv)
    assert exit_.value.code == 2
    err = capsys.readouterr().err
    command = module.__name__.removesuffix(".cli")  # python -m dlcourse.X runs its cli module
    assert err.startswith(f"usage: python -m {command}")
    assert message in err and "Traceback" not in err


@pytest.mark.parametrize("module", ["dlcourse.dqn", "dlcourse.gan"])
def test_the_real_command_prints_one_error_line_and_exits_2(module: str) -> None:
    flag = "--total-steps" if module == "dlcourse.dqn" else "--epochs"
    proc = subprocess.run(
        [sys.executable, "-m", module, flag, "-5"], capture_output=True, text=True, check=False
    )
    assert proc.returncode == 2, proc.stderr
    assert "Traceback" not in proc.stderr
    error_lines = [line for line in proc.stderr.splitlines() if "error:" in line]
    assert len(error_lines) == 1 and error_lines[0].startswith(f"python -m {module}: error:")
