"""Every maintainer command: `nox -s docs`, `nox -s tests`, `nox -s lint`, `nox -s serve`.

nox gives each session its own virtualenv, which would install PyTorch (gigabytes) once per
session. Instead every session here runs in one shared venv, `.venv`, which this file creates
and keeps up to date (a stamp holds the hash of pyproject.toml). KaTeX comes from the npm
registry into `.cache/npm` (from the lock file in src/courseware/site/npm).
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
from pathlib import Path

import nox

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
BIN = VENV / "bin"
PY = BIN / "python"
STAMP = VENV / ".dlcourse-stamp"
NPM_SRC = ROOT / "src" / "courseware" / "site" / "npm"
NPM_DIR = ROOT / ".cache" / "npm"

nox.options.sessions = ["lint", "tests"]
nox.options.default_venv_backend = "none"
nox.options.error_on_missing_interpreters = True


def _digest(*paths: Path) -> str:
    h = hashlib.sha256()
    for path in paths:
        h.update(path.read_bytes())
    return h.hexdigest()


def ensure_venv(session: nox.Session) -> None:
    """Create `.venv` with the course package and its docs/test extras, once."""
    want = _digest(ROOT / "pyproject.toml")
    if STAMP.is_file() and STAMP.read_text().strip() == want and PY.is_file():
        return
    if not PY.is_file():
        base = os.environ.get(
            "DLCOURSE_BASE_PYTHON", "python3.11" if shutil.which("python3.11") else sys.executable
        )
        session.run(base, "-m", "venv", str(VENV), external=True)
    session.run(str(PY), "-m", "pip", "install", "--quiet", "--upgrade", "pip", external=True)
    session.run(
        str(PY), "-m", "pip", "install", "--quiet", "-e", ".[docs,test,bench]", external=True
    )
    STAMP.write_text(want + "\n")


def ensure_npm(session: nox.Session) -> None:
    """Install the site's front-end assets (KaTeX) from the lock file, once."""
    want = _digest(NPM_SRC / "package.json", NPM_SRC / "package-lock.json")
    stamp = NPM_DIR / ".stamp"
    if stamp.is_file() and stamp.read_text().strip() == want:
        return
    NPM_DIR.mkdir(parents=True, exist_ok=True)
    for name in ("package.json", "package-lock.json"):
        shutil.copy(NPM_SRC / name, NPM_DIR / name)
    with session.chdir(NPM_DIR):
        session.run(
            "npm",
            "ci",
            "--ignore-scripts",
            "--no-audit",
            "--no-fund",
            "--loglevel=error",
            external=True,
        )
    stamp.write_text(want + "\n")


def _data_env() -> dict[str, str]:
    """Point the pages at the offline MNIST copy beside the repository, when there is one."""
    shared = ROOT.parent / "shared" / "data"
    if "DLCOURSE_DATA" in os.environ or not shared.is_dir():
        return {}
    return {"DLCOURSE_DATA": str(shared)}


THREADS = {"OMP_NUM_THREADS": "2", "MKL_NUM_THREADS": "2", "OMP_WAIT_POLICY": "PASSIVE"}
"""Float results depend on the thread count, so records and tests use the same one; passive
waiting keeps OpenMP threads from spinning when the two cores are shared."""


def _run(session: nox.Session, *args: str, env: dict[str, str] | None = None) -> None:
    session.run(
        str(PY),
        *args,
        external=True,
        env={"NO_MKDOCS_2_WARNING": "1", **THREADS, **_data_env(), **(env or {})},
    )


@nox.session
def docs(session: nox.Session) -> None:
    """Build the site strictly into site/ (executing stale pages first) and check coverage."""
    ensure_venv(session)
    ensure_npm(session)
    cpu = {"DLCOURSE_DEVICE": "cpu", "CUDA_VISIBLE_DEVICES": ""}
    _run(session, "-m", "courseware.site", "execute", "--stale", env=cpu)
    _run(session, "-m", "mkdocs", "build", "--strict", "--clean", env=cpu)
    _run(session, "-m", "courseware.site", "check", "site")


@nox.session
def execute(session: nox.Session) -> None:
    """Re-execute pages and rewrite their records: `nox -s execute -- page.md ...` (all if none)."""
    ensure_venv(session)
    _run(
        session,
        "-m",
        "courseware.site",
        "execute",
        *session.posargs,
        env={"DLCOURSE_DEVICE": "cpu", "CUDA_VISIBLE_DEVICES": ""},
    )


@nox.session
def serve(session: nox.Session) -> None:
    """Live preview on http://127.0.0.1:8000 (stale pages show a warning instead of failing)."""
    ensure_venv(session)
    ensure_npm(session)
    _run(
        session,
        "-m",
        "mkdocs",
        "serve",
        "--dev-addr",
        "127.0.0.1:8000",
        *session.posargs,
        env={"DLCOURSE_ALLOW_STALE": "1", "DLCOURSE_DEVICE": "cpu"},
    )


@nox.session
@nox.parametrize("device", ["cpu", "cuda"])
def tests(session: nox.Session, device: str) -> None:
    """Unit tests, every page's code, the site build and the browser check, on one device."""
    ensure_venv(session)
    ensure_npm(session)
    env = {"DLCOURSE_DEVICE": device}
    if device == "cpu":
        env["CUDA_VISIBLE_DEVICES"] = ""
    else:
        probe = subprocess.run(
            [str(PY), "-c", "import torch; print(torch.cuda.is_available())"],
            capture_output=True,
            text=True,
            check=True,
        )
        if probe.stdout.strip() != "True":
            session.skip("device='cuda': torch.cuda.is_available() is False on this machine")
    if device == "cpu" and os.environ.get("CI", "").lower() != "true":
        # The tests never write records; here a maintainer's stale pages are executed first.
        # CI skips this, so there a stale committed record fails test_pages.
        _run(session, "-m", "courseware.site", "execute", "--stale", env=env)
    # Two workers, one test file each at a time (pages share state within a file): the suite's
    # Python-bound tests overlap with the heavy training ones. `-- -n 0` runs in one process.
    xdist = ["-n", "2", "--dist", "loadfile"]
    _run(session, "-m", "pytest", *xdist, "--durations=12", *session.posargs, env=env)


@nox.session
def bench(session: nox.Session) -> None:
    """Run every benchmark side by side with its peer; results feed the Performance page.

    `nox -s bench -- --quick` runs tiny sizes (a smoke test, not a measurement).
    """
    ensure_venv(session)
    _run(
        session,
        "-m",
        "courseware.bench",
        *session.posargs,
        env={"DLCOURSE_DEVICE": "cpu", "CUDA_VISIBLE_DEVICES": ""},
    )
    probe = subprocess.run(
        [str(PY), "-c", "import torch; print(torch.cuda.is_available())"],
        capture_output=True,
        text=True,
        check=True,
    )
    if probe.stdout.strip() == "True":
        _run(session, "-m", "courseware.bench", *session.posargs, env={"DLCOURSE_DEVICE": "cuda"})
    else:
        session.log("no CUDA device: GPU benchmarks skipped")


@nox.session
def lint(session: nox.Session) -> None:
    """ruff check and ruff format --check over src, tests, snippets and the noxfile."""
    ensure_venv(session)
    targets = ["src", "tests", "snippets", "noxfile.py"]
    session.run(str(BIN / "ruff"), "check", *targets, external=True)
    session.run(str(BIN / "ruff"), "format", "--check", *targets, external=True)
