"""The built site: strict build, every python block executed, notebooks, a real browser.

The site is built from the committed execution records, exactly as ``nox -s docs`` builds it,
so the browser sees what readers will. No test writes to ``docs/``, so this file does not
depend on ``test_pages.py`` or on the order the tests run in.
"""

from __future__ import annotations

import functools
import http.server
import json
import os
import shutil
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlparse

import nbformat
import pytest

from courseware.site.check import check_site
from courseware.site.pages import SnippetExpander, read_page
from courseware.site.paths import Layout

from .conftest import ROOT

ARTIFACTS = ROOT / "test-artifacts"
LIGHT_PAGES = ("getting-started.md", "notation.md")
"""Pages whose generated notebooks the tests execute with a Jupyter kernel (seconds each)."""

pytestmark = pytest.mark.skipif(
    os.environ.get("DLCOURSE_DEVICE") == "cuda",
    reason="the site shows the CPU records; the device='cpu' run builds and checks it",
)


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("site") / "site"
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1", "DLCOURSE_DEVICE": "cpu"}
    env.pop("DLCOURSE_ALLOW_STALE", None)
    proc = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(out)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    log = proc.stdout + proc.stderr
    assert proc.returncode == 0, f"mkdocs build --strict failed:\n{log}"
    assert "WARNING" not in log, f"the build printed warnings:\n{log}"
    return out


def test_every_python_block_in_the_site_was_executed(site: Path, layout: Layout) -> None:
    report = check_site(site, layout)
    assert not report.problems, "\n".join(report.problems)
    assert report.checked > 0


def test_pages_show_outputs_figures_and_stamp(site: Path) -> None:
    html = (site / "getting-started" / "index.html").read_text()
    assert "Reproducibility" in html and "torch" in html
    assert "identical after reseeding: True" in html
    assert 'src="../_executed/getting-started/block04-1.png"' in html


def test_notebooks_match_their_pages(site: Path, layout: Layout, expander: SnippetExpander) -> None:
    for path in layout.pages():
        page = read_page(path, expander, layout)
        notebook = site / "notebooks" / (page.name[: -len(".md")] + ".ipynb")
        if not page.blocks:
            assert not notebook.exists()
            continue
        nb = nbformat.read(notebook, as_version=4)
        nbformat.validate(nb)
        code = [c.source for c in nb.cells if c.cell_type == "code"]
        assert code == [b.code.rstrip("\n") for b in page.blocks], f"{notebook} != docs/{page.name}"


@pytest.mark.parametrize("name", LIGHT_PAGES)
def test_generated_notebook_runs_on_its_own(site: Path, name: str, tmp_path: Path) -> None:
    from nbclient import NotebookClient

    nb = nbformat.read(site / "notebooks" / name.replace(".md", ".ipynb"), as_version=4)
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.outputs = []
    NotebookClient(
        nb, timeout=600, kernel_name="python3", resources={"metadata": {"path": str(tmp_path)}}
    ).execute()
    assert any(c.get("outputs") for c in nb.cells if c.cell_type == "code")


# --- a real browser -----------------------------------------------------------------------

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
    "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
]


@pytest.fixture(scope="module")
def server(site: Path) -> Iterator[str]:
    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args: object) -> None:
            pass

    httpd = http.server.ThreadingHTTPServer(
        ("127.0.0.1", 0), functools.partial(Quiet, directory=str(site))
    )
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}/"
    httpd.shutdown()


@pytest.fixture(scope="module")
def browser():
    if not Path(CHROMIUM).exists():
        message = f"no Chromium at {CHROMIUM}: `apt-get install chromium` to run the browser test"
        if os.environ.get("DLCOURSE_REQUIRE_BROWSER") == "1":
            pytest.fail(message)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield b
        b.close()


def _site_pages(site: Path) -> list[str]:
    pages = []
    for html in sorted(site.rglob("index.html")):
        rel = html.relative_to(site).as_posix()
        pages.append(rel[: -len("index.html")])
    return pages


def test_every_page_in_a_real_browser(site: Path, server: str, browser) -> None:
    shots = ARTIFACTS / "screenshots"
    shots.mkdir(parents=True, exist_ok=True)
    problems: list[str] = []
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    current = {"url": ""}

    def route(r) -> None:
        host = urlparse(r.request.url).hostname
        if r.request.url.startswith(("data:", "blob:")) or host == "127.0.0.1":
            r.continue_()
        else:
            problems.append(f"{current['url']}: request to another host: {r.request.url}")
            r.abort()

    page.route("**/*", route)
    page.on(
        "console",
        lambda m: (
            m.type == "error" and problems.append(f"{current['url']}: console error: {m.text}")
        ),
    )
    page.on("pageerror", lambda e: problems.append(f"{current['url']}: page error: {e}"))
    page.on("requestfailed", lambda r: problems.append(f"{current['url']}: failed request {r.url}"))
    page.on(
        "response",
        lambda r: r.status >= 400 and problems.append(f"{current['url']}: HTTP {r.status} {r.url}"),
    )

    for rel in _site_pages(site):
        current["url"] = url = server + rel
        page.goto(url, wait_until="networkidle")
        # Figures load lazily: make them load now, as scrolling would, and wait for them.
        page.evaluate(
            "document.querySelectorAll('img[loading=lazy]').forEach(i => i.loading = 'eager')"
        )
        page.wait_for_function("Array.from(document.images).every(i => i.complete)", timeout=15_000)
        broken = page.evaluate(
            "Array.from(document.images).filter(i => !i.complete || i.naturalWidth === 0).map(i => i.src)"
        )
        problems += [f"{url}: image did not load: {src}" for src in broken]
        math = page.evaluate(
            """() => ({
                 formulas: document.querySelectorAll('.arithmatex').length,
                 rendered: document.querySelectorAll('.arithmatex .katex').length,
                 errors: document.querySelectorAll('.katex-error').length,
                 raw: Array.from(document.querySelectorAll('.md-content p, .md-content td, .md-content li'))
                        .some(e => /\\$\\$|\\\\\\(|\\\\\\[/.test(e.innerText)) })"""
        )
        if math["formulas"] and (
            math["rendered"] < math["formulas"] or math["errors"] or math["raw"]
        ):
            problems.append(f"{url}: math not rendered: {math}")
        name = rel.strip("/").replace("/", "_") or "index"
        page.screenshot(path=str(shots / f"{name}.png"), full_page=True)
    context.close()
    assert not problems, "\n".join(problems)


def test_math_is_rendered_by_katex(site: Path, server: str, browser) -> None:
    page = browser.new_page()
    page.goto(server + "notation/", wait_until="networkidle")
    assert page.locator(".arithmatex .katex").count() >= 10
    assert page.locator(".katex-display").count() >= 2
    page.close()


def test_search_finds_a_known_word(server: str, browser) -> None:
    page = browser.new_page()
    page.goto(server, wait_until="networkidle")
    search = page.locator("input.md-search__input")
    search.click()
    search.press_sequentially("gymnasium", delay=30)  # the theme searches on key events
    results = page.locator(".md-search-result__item")
    results.first.wait_for(timeout=15_000)
    assert results.count() > 0
    page.close()


def test_dark_mode_toggle(server: str, browser) -> None:
    page = browser.new_page(color_scheme="light")
    page.goto(server, wait_until="networkidle")
    scheme = lambda: page.evaluate("document.body.getAttribute('data-md-color-scheme')")  # noqa: E731
    assert scheme() == "default"
    page.locator("form[data-md-component='palette'] label:visible").first.click()
    page.wait_for_function("document.body.getAttribute('data-md-color-scheme') === 'slate'")
    page.screenshot(path=str(ARTIFACTS / "screenshots" / "dark-mode.png"))
    page.close()


def test_notebook_download_link_returns_a_notebook(server: str, browser) -> None:
    page = browser.new_page()
    page.goto(server + "getting-started/", wait_until="networkidle")
    link = page.locator("a[href$='.ipynb']").first
    href = link.get_attribute("href")
    assert href and link.get_attribute("download") is not None
    response = page.request.get(server + "getting-started/" + href)
    assert response.ok
    nb = nbformat.reads(response.text(), as_version=4)
    nbformat.validate(nb)
    assert any(c.cell_type == "code" for c in nb.cells)
    assert json.loads(response.text())["nbformat"] == 4
    page.close()
