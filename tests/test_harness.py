"""The page harness bites: broken pages fail, naming the page and the line.

These tests build small throw-away pages next to a copy of the course's configuration, so
they exercise the same expansion, extraction and execution as the real pages.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from dlcourse._site.check import check_site
from dlcourse._site.pages import PageError, SnippetExpander, read_page
from dlcourse._site.paths import RECORD_DIR_ENV, Layout
from dlcourse._site.runner import code_digest, execute_page

from .conftest import ROOT


@pytest.fixture
def course(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Layout:
    """An empty course: the real mkdocs.yml, no pages, an empty snippets/ folder."""
    monkeypatch.delenv(RECORD_DIR_ENV, raising=False)
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
    _, second = _run(course, text)
    assert first.was_stale and not second.was_stale and not second.drift
    assert second.record.executed_at == first.record.executed_at


def test_a_real_page_fails_when_its_snippet_raises(tmp_path: Path, monkeypatch) -> None:
    """The platform's done-when: break a snippet that a real page includes."""
    monkeypatch.delenv(RECORD_DIR_ENV, raising=False)
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
    assert first.record.key != second.record.key and second.was_stale
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
