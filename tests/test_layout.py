"""The shape of the teaching package: small modules, one meaning per name, no site machinery.

These read the source files (no imports), so they hold for every module, including the ones no
page uses.
"""

from __future__ import annotations

import ast
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "src" / "dlcourse"
MAX_LINES = 430
"""A module is one topic: about 400 lines at most."""
ENTRY_POINTS = {"main", "train"}
"""Names every method package has once, with the same meaning: its training function and its
command line (``dlcourse.dqn.train``, ``dlcourse.gan.train``; ``python -m dlcourse.dqn``)."""


def modules() -> list[Path]:
    return sorted(PACKAGE.rglob("*.py"))


def test_every_module_is_small() -> None:
    long = {
        str(p.relative_to(PACKAGE)): n
        for p in modules()
        if (n := len(p.read_text(encoding="utf-8").splitlines())) > MAX_LINES
    }
    assert not long, f"modules over {MAX_LINES} lines (split them along their seams): {long}"


def test_the_teaching_package_never_imports_the_site_machinery() -> None:
    offenders = []
    for path in modules():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            offenders += [f"{path.relative_to(PACKAGE)}: {n}" for n in names if "courseware" in n]
    assert not offenders, offenders


def test_no_public_name_is_defined_twice() -> None:
    """A public function or class name means one thing: it is defined in one module only."""
    where = defaultdict(list)
    for path in modules():
        for node in ast.parse(path.read_text(encoding="utf-8")).body:
            is_def = isinstance(node, ast.FunctionDef | ast.ClassDef)
            if is_def and not node.name.startswith("_") and node.name not in ENTRY_POINTS:
                where[node.name].append(str(path.relative_to(PACKAGE)))
    twice = {name: files for name, files in where.items() if len(files) > 1}
    assert not twice, f"names defined in more than one module: {twice}"


def test_the_layout_test_sees_the_package() -> None:
    names = {p.relative_to(PACKAGE).as_posix() for p in modules()}
    assert {"mdp/models.py", "mdp/evaluation.py", "mdp/planning.py", "gridworld.py"} <= names
