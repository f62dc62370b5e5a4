"""Every page of the built site renders cleanly in a real browser.

Each HTML page of ``docs/_build/html`` (build it first: ``bash docs/build.sh``)
is opened in headless Chromium through Playwright, at 1280 x 900 pixels, from a
local HTTP server, with no other host reachable (the site must work offline:
no CDN). A page fails on

- an error on the browser's console, or an uncaught script error;
- an image that did not load (``naturalWidth`` 0);
- a code block (``pre``) wider than its column, or whose text overflows it
  (a horizontal scrollbar);
- math left as TeX (MathJax did not render it);
- a page wider than the window, or a navigation entry cut off.

Skips cleanly without Playwright (the ``docs`` extra), without a browser, or
without a built site. Playwright's own browser download is not needed: the
distribution's Chromium (``apt-get install chromium``) is used where it exists.
"""

import functools
import http.server
import shutil
import threading
from pathlib import Path

import pytest

SITE = Path(__file__).parents[2] / "docs" / "_build" / "html"
SKIP_DIRS = {"_static", "_sources", "_images", "_downloads", ".doctrees"}
PAGES = sorted(
    p.relative_to(SITE).as_posix()
    for p in SITE.rglob("*.html")
    if not SKIP_DIRS & set(p.relative_to(SITE).parts)
)
WIDTH, HEIGHT = 1280, 900
SYSTEM_CHROMIUM = ("chromium", "chromium-browser", "google-chrome")

# One script run in the page after it loaded: what a reader would see wrong.
CHECKS = """async () => {
  if (window.MathJax && MathJax.startup && MathJax.startup.promise) {
    await MathJax.startup.promise;
  }
  const problems = [];
  for (const img of document.images) {
    if (img.complete && img.naturalWidth === 0) {
      problems.push(`image not loaded: ${img.getAttribute("src")}`);
    }
  }
  for (const pre of document.querySelectorAll("pre")) {
    if (pre.offsetParent === null) continue;  // not displayed
    const box = pre.getBoundingClientRect();
    const column = (pre.closest("article, .bd-article, main") || document.body)
      .getBoundingClientRect();
    const text = pre.innerText.split("\\n")[0].slice(0, 60);
    if (box.right > column.right + 1) {
      problems.push(`code block wider than its column (${Math.round(box.width)}`
        + ` px, column ends at ${Math.round(column.right)}): ${text}`);
    } else if (pre.scrollWidth > pre.clientWidth + 1) {
      problems.push(`code block overflows (${pre.scrollWidth} > ${pre.clientWidth}`
        + ` px): ${text}`);
    }
  }
  const page = document.documentElement;
  if (page.scrollWidth > window.innerWidth + 1) {
    problems.push(`page wider than the window (${page.scrollWidth} px)`);
  }
  for (const link of document.querySelectorAll(
    ".bd-sidebar-primary a, .bd-sidebar-secondary a"
  )) {
    if (link.offsetParent !== null && link.scrollWidth > link.clientWidth + 1) {
      problems.push(`navigation entry cut off: ${link.innerText}`);
    }
  }
  const math = document.querySelectorAll("span.math, div.math");
  for (const el of math) {
    if (!el.querySelector("mjx-container")) {
      problems.push(`math not rendered: ${el.textContent.slice(0, 60)}`);
      break;
    }
  }
  return problems;
}"""


def _browser_path():
    for name in SYSTEM_CHROMIUM:
        path = shutil.which(name)
        if path:
            return path
    return None  # Playwright's own browser, if it was downloaded


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def server():
    if not (SITE / "index.html").exists():
        pytest.skip("no built site: run `bash docs/build.sh` first")
    handler = functools.partial(_QuietHandler, directory=str(SITE))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


@pytest.fixture(scope="module")
def browser():
    sync_api = pytest.importorskip("playwright.sync_api")
    # Names of other hosts do not resolve: a page that needs the network (a
    # CDN) logs a console error. Cheaper than intercepting every request.
    offline = "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1"
    with sync_api.sync_playwright() as playwright:
        try:
            browser = playwright.chromium.launch(
                executable_path=_browser_path(), args=[offline]
            )
        except Exception as exc:  # no browser installed
            pytest.skip(f"no Chromium for Playwright: {str(exc).splitlines()[0]}")
        yield browser
        browser.close()


@pytest.fixture(scope="module")
def page(browser, server):
    """One tab for every page (a new tab per page costs more than the page);
    ``page.problems`` collects its console and script errors."""
    context = browser.new_context(viewport={"width": WIDTH, "height": HEIGHT})
    page = context.new_page()
    page.problems = []

    def on_console(msg):
        if msg.type == "error":
            page.problems.append(f"console error: {msg.text}")

    page.on("console", on_console)
    page.on("pageerror", lambda exc: page.problems.append(f"script error: {exc}"))
    yield page
    context.close()


def test_the_site_has_pages():
    if not PAGES:
        pytest.skip("no built site: run `bash docs/build.sh` first")
    assert "index.html" in PAGES
    assert "api.html" in PAGES


@pytest.mark.parametrize("page_path", PAGES or [None])
def test_page_renders(page_path, page, server):
    if page_path is None:
        pytest.skip("no built site: run `bash docs/build.sh` first")
    page.problems.clear()
    page.goto(f"{server}/{page_path}", wait_until="load")
    problems = page.problems + page.evaluate(CHECKS)
    assert not problems, "\n".join(problems)
