"""The site and every part's /docs, as a reader sees them: in a real browser.

The site is built once with `mkdocs build --strict`, served from a local
folder, and every page is opened in headless Chromium. Each part's real
server is started and its Swagger UI opened offline: the browser's requests
to the CDN are answered from the files of the swagger-ui-bundle-v2 package.
One browser serves the whole module.
"""

import functools
import inspect
import os
import re
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import unquote, urlsplit

import httpx
import pytest
import swagger_ui_bundle
from fastapi.openapi.docs import get_swagger_ui_html
from playwright.sync_api import Browser, Page, Route, sync_playwright
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from tests.serving import ROOT
from tests.site.servers import PARTS, Servers, docs_command

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    *("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic"),
    *("--no-first-run", "--disable-background-networking"),
    *("--disable-component-update", "--disable-sync"),
]
ARTIFACTS = ROOT / "artifacts"
SCREENSHOTS = {"": "home.png", "part2/": "part2.png"}


# --- The built site, served locally ------------------------------------------


@dataclass
class Build:
    folder: Path
    log: str


@pytest.fixture(scope="module")
def build(tmp_path_factory: pytest.TempPathFactory) -> Build:
    folder = tmp_path_factory.mktemp("site")
    mkdocs = Path(sys.executable).with_name("mkdocs")
    completed = subprocess.run(
        [str(mkdocs), "build", "--strict", "--site-dir", str(folder)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    log = completed.stdout + completed.stderr
    if completed.returncode != 0:
        pytest.fail(f"mkdocs build --strict failed:\n{log}", pytrace=False)
    return Build(folder, log)


class QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture(scope="module")
def site_url(build: Build) -> Iterator[str]:
    handler = functools.partial(QuietHandler, directory=str(build.folder))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()
    server.server_close()
    thread.join()


# --- One browser for the module ----------------------------------------------


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    if not Path(CHROMIUM).is_file():
        message = (
            f"Chromium not found at {CHROMIUM}: install Debian's chromium "
            "package, or set CHROMIUM to the path of a Chromium or Chrome"
        )
        if os.environ.get("CI"):
            pytest.fail(message, pytrace=False)
        pytest.skip(message)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, args=CHROMIUM_ARGS
        )
        yield browser
        browser.close()


# An answer for a request that leaves the local server, or None to refuse it.
Offsite = Callable[[str], Path | None]


@dataclass
class Tab:
    """A browser page that records everything that goes wrong on it."""

    page: Page
    problems: list[str] = field(default_factory=list)


# Material puts each diagram in a closed shadow root; open it so that the
# test can see the drawing.
OPEN_SHADOW_ROOTS = """
const attachShadow = Element.prototype.attachShadow;
Element.prototype.attachShadow = function (init) {
    return attachShadow.call(this, { ...init, mode: "open" });
};
"""
ALL_DIAGRAMS_DRAWN = """() =>
    document.querySelectorAll("pre.mermaid").length === 0 &&
    [...document.querySelectorAll("div.mermaid")].every(
        (diagram) => diagram.shadowRoot?.querySelector("svg")
    )
"""


def open_tab(browser: Browser, origin: str, offsite: Offsite | None = None) -> Tab:
    tab = Tab(browser.new_page(viewport={"width": 1280, "height": 900}))
    tab.page.add_init_script(OPEN_SHADOW_ROOTS)
    problems = tab.problems

    def route(route: Route) -> None:
        url = route.request.url
        if url.startswith(origin):
            route.continue_()
            return
        local_copy = offsite(url) if offsite else None
        if local_copy is None:
            problems.append(f"request outside {origin}: {url}")
            route.abort()
        else:
            route.fulfill(path=local_copy)

    tab.page.route("**/*", route)
    page, note = tab.page, problems.append
    page.on(
        "console", lambda m: None if m.type != "error" else note(f"console: {m.text}")
    )
    page.on("pageerror", lambda error: note(f"script error: {error}"))
    page.on("requestfailed", lambda r: note(f"failed: {r.url} {r.failure}"))
    page.on(
        "response",
        lambda r: None if r.status < 400 else note(f"HTTP {r.status}: {r.url}"),
    )
    return tab


# --- Every page of the site --------------------------------------------------


def site_pages(folder: Path) -> list[str]:
    """The URL path of every built page, the home page first."""
    pages = [
        path.relative_to(folder).as_posix().removesuffix("index.html")
        for path in folder.rglob("*.html")
    ]
    return sorted(pages, key=lambda page: (page != "", page))


# Every link of the page, with whether its anchor exists in the live page.
# The numbered markers of Material's annotations open a tooltip by script and
# point at no element: they are not links a reader follows.
LINKS = """() => [...document.querySelectorAll("a[href]:not(.md-annotation__index)")]
.map((a) => ({
    href: a.href,
    here: a.origin + a.pathname === location.origin + location.pathname,
    anchorFound:
        !a.hash || !!document.getElementById(decodeURIComponent(a.hash.slice(1))),
}))"""


def link_problem(href: str, site_url: str, folder: Path) -> str | None:
    """Why a link into the site leads nowhere, or None when it is fine."""
    if not href.startswith(site_url):
        return None  # another site: not reachable from here, not checked
    parts = urlsplit(href)
    path = unquote(parts.path).lstrip("/")
    target = folder / path
    if path == "" or path.endswith("/"):
        target = target / "index.html"
    if not target.is_file():
        return f"broken link: {href}"
    anchor = unquote(parts.fragment)
    if anchor and f'id="{anchor}"' not in target.read_text(errors="replace"):
        return f"broken anchor: {href}"
    return None


def test_site_builds_strictly_without_warnings(build: Build) -> None:
    warnings = [line for line in build.log.splitlines() if line.startswith("WARNING")]
    assert not warnings and (build.folder / "index.html").is_file(), warnings


def test_every_page_renders_cleanly(
    build: Build, site_url: str, browser: Browser
) -> None:
    pages = site_pages(build.folder)
    # The nav of mkdocs.yml: a page per part, testing and troubleshooting.
    for page in ("", "part1/", "part2/", "part5/", "testing/", "troubleshooting/"):
        assert page in pages
    ARTIFACTS.mkdir(exist_ok=True)
    problems: list[str] = []
    tab = open_tab(browser, site_url)
    for page in pages:
        response = tab.page.goto(site_url + page, wait_until="load")
        if response is None or not response.ok:
            tab.problems.append("the page did not load")
        elif not tab.page.locator("article h1").first.inner_text().strip():
            tab.problems.append("no title: the page did not render")
        try:
            tab.page.wait_for_function(ALL_DIAGRAMS_DRAWN, timeout=10_000)
        except PlaywrightTimeout:
            tab.problems.append("a diagram was not drawn")
        broken_images = tab.page.eval_on_selector_all(
            "img", "images => images.filter(i => !i.naturalWidth).map(i => i.src)"
        )
        tab.problems.extend(f"missing image: {src}" for src in broken_images)
        for link in tab.page.evaluate(LINKS):
            if link["here"]:
                if not link["anchorFound"]:
                    tab.problems.append(f"broken anchor: {link['href']}")
            elif problem := link_problem(link["href"], site_url, build.folder):
                tab.problems.append(problem)
        if page in SCREENSHOTS:  # build artefacts, for a person to look at
            tab.page.screenshot(path=ARTIFACTS / SCREENSHOTS[page])
        problems += [f"/{page}: {problem}" for problem in tab.problems]
        tab.problems.clear()
    tab.page.close()
    assert not problems, "\n".join(problems)
    for name in SCREENSHOTS.values():
        assert (ARTIFACTS / name).stat().st_size > 10_000


# Each folded "What changed" box, and each Answer box, as laid out on the page.
BOXES = """() => ({
    diffs: [...document.querySelectorAll("details.what-changed")].map((box) => {
        const closed = !box.open;
        box.open = true;
        const code = box.querySelector("pre > code");
        return {
            closed,
            summary: box.querySelector("summary").innerText,
            boxWidth: box.getBoundingClientRect().width,
            codeWidth: code.getBoundingClientRect().width,
            scrolls: code.scrollWidth > code.clientWidth,
        };
    }),
    answers: [...document.querySelectorAll(".language-text pre > code")].map(
        (code) => code.scrollWidth <= code.clientWidth + 1
    ),
})"""


def test_diffs_open_folded_and_long_lines_stay_inside_their_boxes(
    site_url: str, browser: Browser
) -> None:
    tab = open_tab(browser, site_url)
    # A phone-sized window: there, every diff has lines longer than the box.
    tab.page.set_viewport_size({"width": 400, "height": 800})
    boxes = {}
    for page in ("part2/", "part3/", "part4/", "part5/"):
        tab.page.goto(site_url + page, wait_until="load")
        boxes[page] = tab.page.evaluate(BOXES)
    tab.page.close()
    assert boxes["part2/"]["diffs"] == []  # Part 1 and 2 are different apps
    for page in ("part3/", "part4/", "part5/"):
        (diff,) = boxes[page]["diffs"]
        assert diff["closed"], page
        assert re.fullmatch(
            r"From \S+/ to \S+/: \d+ files? changed.*, \d+ lines? added, "
            r"\d+ lines? removed",
            diff["summary"],
        ), diff["summary"]
        # The diff's long lines scroll inside the box instead of widening it.
        assert diff["codeWidth"] <= diff["boxWidth"], page
        assert diff["scrolls"], page
    for page, found in boxes.items():
        assert found["answers"] and all(found["answers"]), f"{page}: {found}"


# --- Every part's /docs, offline ---------------------------------------------

# FastAPI's /docs page loads these from a CDN: answer them from the package.
SWAGGER_DEFAULTS = inspect.signature(get_swagger_ui_html).parameters
SWAGGER_FILES = {
    SWAGGER_DEFAULTS["swagger_js_url"].default: "swagger-ui-bundle.js",
    SWAGGER_DEFAULTS["swagger_css_url"].default: "swagger-ui.css",
    SWAGGER_DEFAULTS["swagger_favicon_url"].default: "favicon-32x32.png",
}


def swagger_ui_copy(url: str) -> Path | None:
    name = SWAGGER_FILES.get(url)
    return Path(swagger_ui_bundle.swagger_ui_path) / name if name else None


# Part 1's chapter opens /docs on its first app before main.py exists.
FIRST_APP = "uvicorn part1_hello.first_app:app --reload"


@pytest.mark.parametrize("command", [*map(docs_command, PARTS), FIRST_APP])
def test_swagger_ui_shows_every_operation_offline(
    command: str, servers: Servers, browser: Browser
) -> None:
    # Each part's real server on fresh storage, started as its chapter does.
    base_url = servers.get(command).base_url
    schema = httpx.get(base_url + "/openapi.json").json()
    expected = {
        (method.upper(), path)
        for path, operations in schema["paths"].items()
        for method in operations
    }
    assert expected, "the OpenAPI document lists no operation"
    tab = open_tab(browser, base_url, offsite=swagger_ui_copy)
    tab.page.goto(base_url + "/docs")
    tab.page.locator(".opblock").first.wait_for(timeout=15_000)
    shown = {
        (
            block.locator(".opblock-summary-method").inner_text().strip(),
            block.locator(".opblock-summary-path").get_attribute("data-path"),
        )
        for block in tab.page.locator(".opblock").all()
    }
    assert shown == expected
    assert schema["info"]["title"] in tab.page.locator(".info .title").inner_text()
    assert not tab.problems, "\n".join(tab.problems)
    tab.page.close()


def test_link_problem_finds_missing_pages_and_anchors(build: Build) -> None:
    site = "http://127.0.0.1:1/"
    assert link_problem(site + "part1/#your-first-app", site, build.folder) is None
    assert link_problem(site + "nowhere/", site, build.folder)
    assert link_problem(site + "part1/#no-such-heading", site, build.folder)
    assert link_problem("https://example.org/", site, build.folder) is None


def test_swagger_ui_copy_answers_only_the_cdn_files() -> None:
    for url in SWAGGER_FILES:
        copy = swagger_ui_copy(url)
        assert copy is not None and copy.is_file()
    assert swagger_ui_copy("https://cdn.jsdelivr.net/npm/other.js") is None
    assert re.search(r"swagger-ui-5\.", str(swagger_ui_bundle.swagger_ui_path))
