"""The page harness bites: broken pages fail, naming the page and the line.

These tests build small throw-away pages next to a copy of the course's configuration, so
they exercise the same expansion, extraction and execution as the real pages.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from courseware.site.check import check_site
from courseware.site.pages import PageError, SnippetExpander, read_page
from courseware.site.paths import Layout
from courseware.site.runner import code_digest, execute_page

from .conftest import ROOT


@pytest.fixture
def course(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Layout:
    """An empty course: the real mkdocs.yml, no pages, an empty snippets/ folder."""
    monkeypatch.setenv("DLCOURSE_DEVICE", "cpu")
    shutil.copy(ROOT / "mkdocs.yml", tmp_path / "mkdocs.yml")
    for folder in ("docs", "snippets", "src/dlcourse"):
        (tmp_path / folder).mkdir(parents=True)
    return Layout(tmp_path)


def _expander(layout: Layout) -> SnippetExpander:
    return SnippetExpander({"base_path": [str(layout.root)], "check_paths": True})


def _page(layout: Layout, text: str, name: str = "page.md") -> Path:
    path = layout.docs / name
    path.write_text(text)
    return path


def _run(layout: Layout, text: str):
    page = read_page(_page(layout, text), _expander(layout), layout)
    return page, execute_page(page, layout)


def test_a_raising_snippet_fails_naming_page_and_snippet_line(course: Layout) -> None:
    (course.root / "snippets" / "boom.py").write_text("x = 1\nraise RuntimeError('boom')\n")
    text = '# T\n\nIntro.\n\n```python\n--8<-- "snippets/boom.py"\n```\n'
    with pytest.raises(PageError) as err:
        _run(course, text)
    message = str(err.value)
    assert "docs/page.md" in message
    assert "line 5" in message  # the fence's line in the page
    assert "snippets/boom.py:2" in message
    assert "RuntimeError: boom" in message


def test_every_kind_of_python_fence_is_run(course: Layout) -> None:
    text = """# T

~~~python
seen = ["tilde"]
~~~

```py
seen.append("py")
```

```python title="with a title"
seen.append("title")
```

!!! note "An admonition"

    ```python
    seen.append("admonition")
    ```

=== "A tab"

    ```python3
    seen.append("tab")
    ```

??? success "A folded solution"

    ```{.python .annotate}
    seen.append("folded")
    print(seen, __name__)
    ```
"""
    page, run = _run(course, text)
    assert len(page.blocks) == 6
    assert run.record.blocks[-1].stdout == (
        "['tilde', 'py', 'title', 'admonition', 'tab', 'folded'] __main__\n"
    )


def test_missing_snippet_names_the_file(course: Layout) -> None:
    path = _page(course, '# T\n\n```python\n--8<-- "snippets/nowhere.py"\n```\n')
    with pytest.raises(PageError, match=r"docs/page.md.*snippets/nowhere.py"):
        read_page(path, _expander(course), course)


def test_missing_snippet_section_is_an_error(course: Layout) -> None:
    (course.root / "snippets" / "a.py").write_text(
        "# --8<-- [start:one]\nx = 1\n# --8<-- [end:one]\n"
    )
    path = _page(course, '# T\n\n```python\n--8<-- "snippets/a.py:two"\n```\n')
    with pytest.raises(PageError, match=r"docs/page\.md"):
        read_page(path, _expander(course), course)


def test_unknown_marker_is_an_error_not_a_silent_skip(course: Layout) -> None:
    path = _page(course, "# T\n\n<!--pytest-codeblocks:skipp-->\n```python\nx = 1\n```\n")
    with pytest.raises(PageError, match="bad pytest-codeblocks marker"):
        read_page(path, _expander(course), course)


def test_skip_needs_a_written_reason(course: Layout) -> None:
    with pytest.raises(PageError, match="needs a written reason"):
        _run(course, "# T\n\n<!--pytest.mark.skip-->\n```python\nx = 1\n```\n")
    _, run = _run(
        course, '# T\n\n<!--pytest.mark.skip(reason="needs a display")-->\n```python\n1/0\n```\n'
    )
    assert run.record.blocks[0].skipped == "needs a display"


def test_importorskip_skips_with_the_module_named(course: Layout) -> None:
    _, run = _run(
        course,
        "# T\n\n<!--pytest-codeblocks:importorskip(no_such_module_xyz)-->\n```python\n1/0\n```\n",
    )
    assert "no_such_module_xyz" in run.record.blocks[0].skipped


def test_expected_output_is_checked(course: Layout) -> None:
    good = "# T\n\n```python\nprint(6 * 7)\n```\n\n<!--pytest-codeblocks:expected-output-->\n```\n42\n```\n"
    _run(course, good)
    with pytest.raises(PageError, match="printed something other than the output shown"):
        _run(course, good.replace("42", "41"))


def test_xfail_block_must_raise(course: Layout) -> None:
    with pytest.raises(PageError, match="marked xfail"):
        _run(
            course, '# T\n\n<!--pytest.mark.xfail(reason="shows a bug")-->\n```python\nx = 1\n```\n'
        )
    _, run = _run(
        course, '# T\n\n<!--pytest.mark.xfail(reason="shows a bug")-->\n```python\n1/0\n```\n'
    )
    assert run.record.blocks[0].xfail.startswith("ZeroDivisionError")


def test_blocks_share_one_namespace_in_page_order(course: Layout) -> None:
    _, run = _run(course, "# T\n\n```python\nx = 2\n```\n\n```python\nprint(x * 21)\n```\n")
    assert run.record.blocks[1].stdout == "42\n"


def test_figures_are_recorded(course: Layout) -> None:
    text = "# T\n\n```python\nimport matplotlib.pyplot as plt\nfig, ax = plt.subplots()\nax.plot([1, 2])\nfig.set_label('a line')\n```\n"
    _, run = _run(course, text)
    (figure,) = run.record.blocks[0].figures
    assert figure["alt"] == "a line"
    assert (course.records / figure["path"]).read_bytes().startswith(b"\x89PNG")


def test_same_code_same_record(course: Layout) -> None:
    text = "# T\n\n```python\nprint('stable')\n```\n"
    _, first = _run(course, text)
    written = (course.records / "page.json").read_text()
    _, second = _run(course, text)
    assert first.verdict == "stale" and second.verdict == "reproduced"
    assert not second.machine and not second.drift
    assert (course.records / "page.json").read_text() == written  # not rewritten


# --- the drift policy ----------------------------------------------------------------------


def _check(layout: Layout, text: str):
    """Run a page the way test_pages does: against its record, writing nothing."""
    page = read_page(_page(layout, text), _expander(layout), layout)
    return execute_page(page, layout, write=False)


def _edit_record(layout: Layout, change) -> None:
    path = layout.records / "page.json"
    data = json.loads(path.read_text())
    change(data)
    path.write_text(json.dumps(data))


def test_a_typed_number_fails_on_the_same_machine(course: Layout) -> None:
    text = "# T\n\n```python\nprint(6 * 7)\n```\n"
    _run(course, text)
    _edit_record(course, lambda d: d["blocks"][0].update(stdout="41\n"))
    run = _check(course, text)
    assert run.verdict == "drift"
    assert "-41" in run.drift[0] and "+42" in run.drift[0]


def test_a_nondeterministic_block_fails_on_the_same_machine(course: Layout) -> None:
    text = "# T\n\n```python\nimport random\nprint(random.random())\n```\n"
    _run(course, text)
    assert _check(course, text).verdict == "drift"


def test_a_changed_figure_fails_on_the_same_machine(course: Layout) -> None:
    text = "# T\n\n```python\nimport matplotlib.pyplot as plt\nplt.plot([1, 2])\n```\n"
    _run(course, text)
    assert _check(course, text).verdict == "reproduced"
    (course.records / "page" / "block01-1.png").write_bytes(b"\x89PNG edited")
    run = _check(course, text)
    assert run.verdict == "drift" and "figures differ: block01-1.png" in run.drift[0]


def test_on_another_machine_differences_are_reported_not_failed(course: Layout) -> None:
    text = "# T\n\n```python\nprint(6 * 7)\n```\n"
    _run(course, text)

    def elsewhere(data: dict) -> None:
        data["environment"]["cpu_family"] = "not this one"
        data["blocks"][0]["stdout"] = "42.000001\n"

    _edit_record(course, elsewhere)
    run = _check(course, text)
    assert run.verdict == "differs-elsewhere"
    assert any(change.startswith("cpu_family: not this one ->") for change in run.machine)
    assert (course.records / "page.json").read_text().count("42.000001") == 1  # not rewritten


def test_executing_on_another_machine_restamps_the_record(course: Layout) -> None:
    text = "# T\n\n```python\nprint(6 * 7)\n```\n"
    _run(course, text)
    _edit_record(course, lambda d: d["environment"].update(cpu_model="another"))
    _, run = _run(course, text)  # what `nox -s execute -- page.md` does
    assert run.verdict == "reproduced" and run.machine == [
        f"cpu_model: another -> {run.record.environment['cpu_model']}"
    ]
    stored = json.loads((course.records / "page.json").read_text())
    assert stored["environment"]["cpu_model"] == run.record.environment["cpu_model"]


def test_a_reproduced_record_is_kept_unless_refreshed(course: Layout) -> None:
    text = "# T\n\n```python\nprint(6 * 7)\n```\n"
    _run(course, text)
    _edit_record(course, lambda d: d.update(executed_at="2000-01-01 00:00 UTC", duration_s=99.0))
    _, run = _run(course, text)
    kept = json.loads((course.records / "page.json").read_text())
    assert run.verdict == "reproduced" and kept["duration_s"] == 99.0  # unchanged: not rewritten
    page = read_page(_page(course, text), _expander(course), course)
    execute_page(page, course, refresh=True)
    fresh = json.loads((course.records / "page.json").read_text())
    assert fresh["executed_at"] != "2000-01-01 00:00 UTC" and fresh["duration_s"] < 99.0
    assert fresh["blocks"] == kept["blocks"]


def test_a_record_without_a_fingerprint_counts_as_another_machine(course: Layout) -> None:
    _run(course, "# T\n\n```python\nx = 1\n```\n")
    _edit_record(course, lambda d: d.update(environment={"device": "cpu"}))
    run = _check(course, "# T\n\n```python\nx = 1\n```\n")
    assert "cpu_family: not recorded -> " + run.record.environment["cpu_family"] in run.machine


def test_asserts_are_enforced_on_another_machine(
    course: Layout, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A claim that holds where the record was written and fails here (as a learning claim
    # could on another CPU): the record is current, the machine differs, the assert still bites.
    text = (
        "# T\n\n```python\nimport os\nassert os.environ.get('CLAIM') != 'fails', 'the claim'\n```\n"
    )
    _run(course, text)
    _edit_record(course, lambda d: d["environment"].update(cpu_model="another"))
    monkeypatch.setenv("CLAIM", "fails")
    with pytest.raises(PageError, match="AssertionError: the claim"):
        _check(course, text)


def test_a_stale_record_is_reported_as_stale(course: Layout) -> None:
    _run(course, "# T\n\n```python\nx = 1\n```\n")
    run = _check(course, "# T\n\n```python\nx = 2\n```\n")
    assert run.verdict == "stale" and not run.drift


def test_a_real_page_fails_when_its_snippet_raises(tmp_path: Path, monkeypatch) -> None:
    """The platform's done-when: break a snippet that a real page includes."""
    root = tmp_path / "course"
    for name in ("docs", "snippets"):
        shutil.copytree(ROOT / name, root / name)
    (root / "src" / "dlcourse").mkdir(parents=True)
    shutil.copy(ROOT / "mkdocs.yml", root)
    layout = Layout(root)
    snippet = root / "snippets" / "getting_started" / "random_cartpole.py"
    text = snippet.read_text().replace(
        "env.close()\n", "env.close()\nraise RuntimeError('inserted by the test')\n"
    )
    snippet.write_text(text)
    page = read_page(layout.docs / "getting-started.md", _expander(layout), layout)
    with pytest.raises(
        PageError, match=r"docs/getting-started.md.*RuntimeError: inserted by the test"
    ):
        execute_page(page, layout, write=False)


def test_coverage_check_catches_an_unexecuted_block(course: Layout, tmp_path: Path) -> None:
    _run(course, "# T\n\n```python\nx = 1\n```\n")
    site = tmp_path / "site" / "page"
    site.mkdir(parents=True)
    html = (
        '<div class="language-python highlight"><pre><code>x = 1\n</code></pre></div>'
        '<div class="language-python highlight"><pre><code><span>y</span> = 2\n</code></pre></div>'
        '<div class="doc"><div class="language-python highlight"><pre><code>api = 1'
        "</code></pre></div></div>"
    )
    (site / "index.html").write_text(html)
    report = check_site(tmp_path / "site", course)
    assert report.checked == 2
    assert len(report.problems) == 1 and "'y = 2'" in report.problems[0]


def test_record_key_changes_with_the_code(course: Layout) -> None:
    _, first = _run(course, "# T\n\n```python\nx = 1\n```\n")
    _, second = _run(course, "# T\n\n```python\nx = 2\n```\n")
    assert first.record.key != second.record.key and second.verdict == "stale"
    data = json.loads((course.records / "page.json").read_text())
    assert data["blocks"][0]["code_sha256"] == code_digest("x = 2\n")


def test_animations_written_by_a_block_are_recorded(course: Layout) -> None:
    text = (
        "# T\n\n```python\nfrom PIL import Image\n"
        "frames = [Image.new('RGB', (8, 8), (i * 40, 0, 0)) for i in range(3)]\n"
        "frames[0].save('anim.gif', save_all=True, append_images=frames[1:])\n"
        "open('model.pt', 'wb').close()\n```\n"
    )
    _, run = _run(course, text)
    (media,) = run.record.blocks[0].figures
    assert media["path"].endswith("block01-anim.gif")
    assert (course.records / media["path"]).read_bytes().startswith(b"GIF8")
