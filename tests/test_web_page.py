"""The web page of ``judge serve``: its headers and API additions in-process, then the page in a real browser.

The browser tests start a real ``judge serve`` (a free loopback port, a fresh ``--data`` folder, one
grader, the scaffold's small ``dense`` problem) and drive Debian's headless Chromium through
chromedriver (Selenium). They sign in, paste a wrong and a correct solution into the editor, watch
the cases arrive live and the verdicts the API gives, find the user on the leaderboard, check that
hostile user and file names render as text, follow an operator's rejudge, and use problem sets (an
admin creates one on the page, a learner submits to it, late marks, a hostile set title). Every browser test
ends by checking Chromium's own logs: no request left 127.0.0.1 and nothing broke the CSP.

Every wait is explicit with a deadline of minutes (the machine is shared); no sleep is an assertion.
``JUDGE_SCREENSHOTS=DIR`` also saves PNGs of the main pages at desktop and phone widths (the README's).
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient

from judge.config import Config
from judge.sandbox import bwrap_usable
from judge.service.app import create_app
from judge.service.db import Role, ServiceDB, token_hash
from judge.service.web import CSP, page_csp

REPO = Path(__file__).resolve().parent.parent
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
CHROMEDRIVER = shutil.which("chromedriver")
GRADE_S = 300.0  # a grading on a loaded machine
START_S = 120.0
UI_S = 30.0  # anything the page does without the graders
HOSTILE_NAME = "<img src=x onerror=alert(1)>"
SCREENSHOTS = os.environ.get("JUDGE_SCREENSHOTS")

WRONG = """import jax
import jax.numpy as jnp


def solve(seed, x, features):
    print("shapes", x.shape, features)
    return jnp.zeros((x.shape[0], features), dtype=jnp.float32)
"""


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def dense_problem(root: Path) -> Path:
    """The scaffold's ``dense`` problem with a finished title and statement (a code block, a table, raw HTML)."""
    from judge.authoring.scaffold import scaffold

    folder = scaffold("dense", root)
    yaml_file = folder / "problem.yaml"
    yaml_file.write_text(yaml_file.read_text().replace("TODO(author) title of dense", "A dense layer in Flax"))
    statement = (folder / "statement.md").read_text()
    head, _, rest = statement.partition("## Task")
    (folder / "statement.md").write_text(
        "# A dense layer\n\nBuild the layer every network starts with: `x @ kernel + bias`, initialised "
        "the way Flax's `nn.Dense` does.\n\n| input | shape |\n|---|---|\n| `x` | `(N, D)` |\n| `features` | an int |\n\n"
        "<b>Raw HTML in a statement is shown as text.</b>\n\n## Task" + rest)
    return folder


# -- in-process: headers and the API the page adds ---------------------------------------------------


@pytest.fixture
def app_client(tmp_path: Path, config: Config) -> Iterator[tuple[TestClient, ServiceDB]]:
    problems = tmp_path / "problems"
    dense_problem(problems)
    db = ServiceDB(tmp_path / "data")
    yield TestClient(create_app(db, config.with_overrides(problems_dir=str(problems))), raise_server_exceptions=False), db


def test_the_page_and_its_files_are_served_with_a_strict_csp(app_client: tuple[TestClient, ServiceDB]) -> None:
    client, _ = app_client
    page = client.get("/")
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    for path in ("/", "/static/app.js", "/static/style.css", "/static/highlight.css", "/static/vendor/editor.js", "/static/favicon.svg"):
        response = client.get(path)
        assert response.status_code == 200, path
        csp = response.headers.get("content-security-policy", "")
        directives = dict(d.strip().split(" ", 1) for d in csp.split(";"))
        if path == "/":  # the page's own: its editor's <style> elements carry this response's nonce
            nonce = re.fullmatch(r"'self' 'nonce-([A-Za-z0-9_-]{20,})'", directives["style-src"])
            assert nonce and f'nonce="{nonce[1]}"' in response.text and csp == page_csp(nonce[1])
        else:
            assert csp == CSP, path
            assert directives["style-src"] == "'self'"
        assert directives["default-src"] == "'self'" and directives["script-src"] == "'self'"
        assert "unsafe-inline" not in csp and "unsafe-eval" not in csp and "*" not in csp and "http" not in csp
        assert directives["frame-ancestors"] == "'none'" and directives["object-src"] == "'none'"
        assert response.headers["x-content-type-options"] == "nosniff", path
    assert client.get("/static/../app.py").status_code == 404
    assert client.get("/static/nope.js").status_code == 404
    assert client.get("/").headers["content-security-policy"] != page.headers["content-security-policy"]  # a nonce per response
    # The page itself: no inline script or style, no event-handler attribute, nothing from another host.
    html = page.text
    assert html.count("<script") == html.count('<script src="/static/')
    assert " style=" not in html and " on" not in html.replace(" one ", " ")
    assert "http://" not in html and "https://" not in html and "//" not in html.replace("<!--", "")
    # The API keeps its own headers (/docs loads Swagger UI from a CDN and would break under this CSP).
    assert "content-security-policy" not in client.get("/healthz").headers


def test_me_statement_and_queue_for_the_page(app_client: tuple[TestClient, ServiceDB]) -> None:
    client, db = app_client
    ann, root = db.create_token("ann", Role.LEARNER), db.create_token("root", Role.ADMIN)
    assert client.get("/v1/me", headers=bearer(ann)).json() == {"user": "ann", "role": "learner"}
    assert client.get("/v1/me").status_code == 401
    statement = client.get("/v1/problems/dense/statement", headers=bearer(ann)).json()
    body = statement["html"]
    assert statement["id"] == "dense" and "<h1>A dense layer</h1>" in body and "<table>" in body
    assert "&lt;b&gt;Raw HTML in a statement is shown as text.&lt;/b&gt;" in body and "<b>" not in body
    assert '<pre class="highlight"><code class="language-python">' in body and '<span class="k">def</span>' in body  # Pygments, by class
    assert " style=" not in body
    for path in ("/v1/problems/nope/statement", "/v1/problems/..%2Fdense/statement"):
        assert client.get(path, headers=bearer(ann)).status_code == 404, path
    # The queue view is an admin's: the jobs not done, running first, and the graders.
    assert client.get("/v1/queue", headers=bearer(ann)).status_code == 403
    db.add_submission("ann", 1, "dense", b"def solve(seed, x, features):\n    return x\n", "a.py", None)
    queue = client.get("/v1/queue", headers=bearer(root)).json()
    assert queue["queue"] == 1 and queue["workers"] == 0 and queue["busy"] == 0
    [job] = queue["jobs"]
    assert job["user"] == "ann" and job["problem"] == "dense" and job["status"] == "queued" and job["worker"] is None
    assert client.get("/v1/queue?limit=0", headers=bearer(root)).status_code == 422


def test_a_statement_cannot_inject_html_or_scripts(tmp_path: Path, config: Config) -> None:
    from judge.service.web import render_statement

    hostile = ('<script>alert(1)</script>\n\n[x](javascript:alert(1)) <img src=x onerror=alert(1)>\n\n'
               '```html\n<script>alert(2)</script>\n```\n\n```nolang\n<b>x</b>\n```\n')
    html = render_statement(hostile)
    assert "<script" not in html and "<img" not in html and 'href="javascript:' not in html and "<b>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


# -- the page in a real browser ---------------------------------------------------------------------

BROWSER = bool(CHROMIUM and CHROMEDRIVER)
SANDBOX = bwrap_usable()
browser = pytest.mark.skipif(not BROWSER, reason="chromium and chromedriver are not installed (make install installs them as root)")
grading = pytest.mark.skipif(not SANDBOX[0], reason=f"sandbox unusable: {SANDBOX[1]}")


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class Site:
    url: str
    port: int
    data: Path
    tokens: dict[str, str]


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory, session_cache: Path) -> Iterator[Site]:
    if not BROWSER:
        pytest.skip("chromium and chromedriver are not installed (make install installs them as root)")
    tmp = tmp_path_factory.mktemp("web-page")
    dense_problem(tmp / "problems")
    data = tmp / "data"
    db = ServiceDB(data)
    tokens = {"alice": db.create_token("alice", Role.LEARNER), "root": db.create_token("root", Role.ADMIN)}
    # A user name no `judge token create` allows (a database written by another tool, or a later
    # rule): the page must show it as text all the same.
    hostile = "jdg_hostile_" + os.urandom(8).hex()
    with contextlib.closing(sqlite3.connect(data / "judge.db")) as conn, conn:
        conn.execute("INSERT INTO tokens(user, role, token_hash, created_at) VALUES (?, 'learner', ?, ?)",
                     (HOSTILE_NAME, token_hash(hostile), time.time()))
    tokens["hostile"] = hostile
    env = {k: v for k, v in os.environ.items() if k not in ("JUDGE_CONFIG", "JUDGE_SERVER", "JUDGE_TOKEN")}
    env.update(JUDGE_CACHE_DIR=str(session_cache), JUDGE_PROBLEMS_DIR=str(tmp / "problems"), PYTHONUNBUFFERED="1")
    port = free_port()
    log = tmp / "serve.log"
    with open(log, "wb") as out:
        proc = subprocess.Popen([sys.executable, "-m", "judge", "serve", "--data", str(data), "--port", str(port), "--workers", "1"],
                                cwd=REPO, env=env, stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + START_S
        while True:
            assert proc.poll() is None, f"judge serve exited: {log.read_text()[-3000:]}"
            with contextlib.suppress(httpx.HTTPError):
                if httpx.get(f"{url}/healthz", timeout=5).status_code == 200:
                    break
            assert time.monotonic() < deadline, f"judge serve did not answer in {START_S:.0f} s: {log.read_text()[-3000:]}"
            time.sleep(0.3)
        yield Site(url, port, data, tokens)
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=30)


@pytest.fixture(scope="module")
def driver(site: Site) -> Iterator[Any]:
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service as DriverService

    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for arg in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--window-size=1280,900",
                "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--disable-default-apps", "--disable-extensions", "--lang=en-US"):
        options.add_argument(arg)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL", "performance": "ALL"})
    chrome = webdriver.Chrome(options=options, service=DriverService(executable_path=str(CHROMEDRIVER)))
    chrome.set_page_load_timeout(UI_S * 2)
    try:
        yield chrome
    finally:
        chrome.quit()


class Page:
    """The page in the browser, with explicit waits."""

    def __init__(self, driver: Any, site: Site) -> None:
        self.d = driver
        self.site = site
        self.requests: list[dict[str, Any]] = []  # every request the browser sent since the test began

    def sent(self) -> list[dict[str, Any]]:
        for entry in self.d.get_log("performance"):
            message = json.loads(entry["message"])["message"]
            if message["method"] == "Network.requestWillBeSent":
                self.requests.append(message["params"]["request"])
        return self.requests

    def wait(self, what: Callable[[], Any], timeout: float = UI_S, message: str = "") -> Any:
        from selenium.common.exceptions import NoSuchElementException, StaleElementReferenceException, TimeoutException
        from selenium.webdriver.support.ui import WebDriverWait

        try:
            return WebDriverWait(self.d, timeout, poll_frequency=0.2,
                                 ignored_exceptions=(NoSuchElementException, StaleElementReferenceException)).until(lambda _: what())
        except TimeoutException:
            errors = [e.text for e in self.all(".error") if e.is_displayed()]
            raise AssertionError(f"waited {timeout:.0f} s for {message or 'a condition'}; the page shows the errors {errors}, "
                                 f"at {self.d.execute_script('return location.hash')!r}") from None

    def css(self, selector: str) -> Any:
        from selenium.webdriver.common.by import By

        return self.d.find_element(By.CSS_SELECTOR, selector)

    def all(self, selector: str) -> list[Any]:
        from selenium.webdriver.common.by import By

        return list(self.d.find_elements(By.CSS_SELECTOR, selector))

    def visible(self, selector: str, timeout: float = UI_S) -> Any:
        return self.wait(lambda: (el := self.css(selector)).is_displayed() and el, timeout, f"{selector} visible")

    def heading(self, text: str, timeout: float = UI_S) -> None:
        self.wait(lambda: self.css("main h1").text == text, timeout, f"the heading {text!r}")

    def open(self, hash_: str = "") -> None:
        self.d.get(f"{self.site.url}/{hash_}")

    def signed_out(self) -> None:
        """A fresh page with no token (this tab's session storage emptied before the page loads: a page
        still loading with a token would send requests without it once it is gone)."""
        if not self.d.current_url.startswith(self.site.url):
            self.open()  # the first page of this browser: no token yet
        self.d.execute_script("sessionStorage.clear()")
        self.d.get("about:blank")
        self.open()
        self.visible("#token")

    def sign_in(self, token: str, user: str) -> None:
        self.signed_out()
        field = self.visible("#token")
        field.clear()
        field.send_keys(token)
        self.css("#sign-in button[type=submit]").click()
        self.wait(lambda: self.css("#who-name").text == user, message=f"signed in as {user}")
        self.heading("Problems")

    def paste(self, text: str) -> None:
        """Select all in the editor and paste ``text`` (a real paste event, as from the clipboard)."""
        from selenium.webdriver.common.keys import Keys

        content = self.visible(".cm-content")
        self.d.execute_script("arguments[0].scrollIntoView({block: 'center'}); arguments[0].focus();", content)
        content.send_keys(Keys.CONTROL, "a")
        self.d.execute_script(
            "const data = new DataTransfer(); data.setData('text/plain', arguments[1]);"
            "arguments[0].dispatchEvent(new ClipboardEvent('paste', {clipboardData: data, bubbles: true, cancelable: true}));",
            content, text)
        self.wait(lambda: self.d.execute_script("return document.getElementById('editor').judgeEditor.getValue()") == text,
                  message="the pasted text in the editor")

    def watch_cases(self) -> None:
        """Record, in order, what is added to the case list and when the result box appears."""
        self.d.execute_script("""
            window.__seen = [];
            new MutationObserver((records) => {
              for (const r of records) for (const n of r.addedNodes) {
                if (n.nodeType !== 1) continue;
                if (n.matches('li.case')) window.__seen.push('case');
                if (n.matches('#result')) window.__seen.push('result');
              }
            }).observe(document.getElementById('main'), {childList: true, subtree: true});""")

    def shot(self, name: str, *, desktop_height: int = 900, phone_height: int = 1300, phone_from: str = "") -> None:
        """With JUDGE_SCREENSHOTS=DIR: NAME-desktop.png (1280 px wide) and NAME-phone.png (390 px, a phone's
        viewport) of the page from its top (the phone's from the element ``phone_from``), at most the given heights."""
        if not SCREENSHOTS:
            return
        import base64

        folder = Path(SCREENSHOTS)
        folder.mkdir(parents=True, exist_ok=True)
        for label, width, limit, mobile in (("desktop", 1280, desktop_height, False), ("phone", 390, phone_height, True)):
            self.d.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", {"width": width, "height": 844 if mobile else 900,
                                                                           "deviceScaleFactor": 1, "mobile": mobile})
            self.d.execute_script("document.activeElement && document.activeElement.blur(); window.scrollTo(0, 0);")
            time.sleep(0.5)  # a relayout before the picture; never an assertion
            top = int(self.d.execute_script("return Math.max(0, document.querySelector(arguments[0]).getBoundingClientRect().top - 12)",
                                            phone_from)) if mobile and phone_from else 0
            height = min(int(self.d.execute_script("return document.documentElement.scrollHeight")) - top, limit)
            shot = self.d.execute_cdp_cmd("Page.captureScreenshot", {"format": "png", "captureBeyondViewport": True,
                                                                     "clip": {"x": 0, "y": top, "width": width, "height": height, "scale": 1}})
            (folder / f"{name}-{label}.png").write_bytes(base64.b64decode(shot["data"]))
        self.d.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})

    def assert_clean(self, *expected: str) -> None:
        """Since the test began: no request left the service, nothing broke the CSP, no alert ran, and no
        console error but those containing one of ``expected``."""
        from selenium.common.exceptions import NoAlertPresentException

        shown = [e.text for e in self.all("main .error") if e.is_displayed()]
        assert not any(x in t for t in shown for x in ("cannot be reached", "Cannot read", "undefined")), shown
        with pytest.raises(NoAlertPresentException):
            self.d.switch_to.alert.text  # noqa: B018 - the property access is the check
        origin = f"http://127.0.0.1:{self.site.port}/"
        # data: URLs are no request (Chromium's own date-picker icon in a datetime-local field is one).
        urls = [r["url"] for r in self.sent() if not r["url"].startswith("data:")]
        assert urls, "the performance log recorded no request"
        assert all(u.startswith(origin) for u in urls), [u for u in urls if not u.startswith(origin)]
        problems = [e["message"] for e in self.d.get_log("browser")
                    if "Content Security Policy" in e["message"] or e["level"] == "SEVERE" and not any(x in e["message"] for x in expected)]
        assert not problems, "\n".join(problems)


@pytest.fixture
def page(driver: Any, site: Site) -> Iterator[Page]:
    p = Page(driver, site)
    driver.get_log("performance")  # start each test with empty logs
    driver.get_log("browser")
    yield p


def api(site: Site, user: str, path: str) -> Any:
    response = httpx.get(f"{site.url}{path}", headers=bearer(site.tokens[user]), timeout=60)
    assert response.status_code == 200, response.text
    return response.json()


def submit_from_editor(page: Page, problem: str, source: str, filename: str = "solution.py", *, open_it: bool = True) -> str:
    """Open the problem (unless ``open_it`` is false: the page shows it already), paste ``source``, submit;
    the submission's id (from the URL it opens)."""
    if open_it:
        page.open(f"#/problems/{problem}")
    page.visible(".cm-content")
    page.paste(source)
    name = page.css("#filename")
    name.clear()
    name.send_keys(filename)
    page.watch_cases()  # before the click: #main stays the same element across views
    page.css("#submit").click()
    page.wait(lambda: page.d.execute_script("return location.hash").startswith("#/submissions/s_"), message="the submission page")
    page.heading("Submission")
    return str(page.d.execute_script("return decodeURIComponent(location.hash.split('/')[2])"))


def shown_cases(page: Page) -> list[tuple[str, str]]:
    return [(li.get_attribute("data-case"), li.find_element("css selector", ".verdict").text) for li in page.all("#cases li.case")]


def expect_graded(page: Page, site: Site, user: str, submission_id: str, verdict: str) -> dict[str, Any]:
    """Wait for the result on the page; it must show what the API's JSON report says, case by case."""
    page.visible("#result", timeout=GRADE_S)
    doc = api(site, user, f"/v1/submissions/{submission_id}")
    result = doc["result"]
    assert result["verdict"] == verdict, result
    assert page.css("#result .verdict").text.endswith(verdict.replace("_", " "))
    assert page.css("#passed").text == f"{result['passed']} of {result['total']}"
    assert page.css("#score").text == f"{round(result['score'] * 10000) / 100:g}%"
    assert [c for c, _ in shown_cases(page)] == [c["id"] for c in result["cases"]]
    assert [v.split(" ", 1)[1] for _, v in shown_cases(page)] == [c["verdict"].replace("_", " ") for c in result["cases"]]
    for li, case in zip(page.all("#cases li.case"), result["cases"], strict=True):
        text = li.get_attribute("textContent")
        for key in ("message", "hint"):
            if case.get(key):
                assert case[key] in text, (key, case)
        assert ("hidden" in li.find_element("css selector", ".case-head").text) == case["hidden"]
    if result["message"]:
        assert page.css("#result-message").text == result["message"]
    return result


@browser
def test_sign_in_refuses_a_bad_token_and_keeps_the_token_out_of_urls(page: Page, site: Site) -> None:
    page.signed_out()
    assert not page.css("#who").is_displayed() and not page.css("#nav").is_displayed()
    page.visible("#token").send_keys("jdg_not_a_token")
    page.shot("sign-in")
    page.css("#sign-in button[type=submit]").click()
    page.wait(lambda: page.css("#sign-in-error").is_displayed() and "not valid" in page.css("#sign-in-error").text, message="the refusal")
    page.sign_in(site.tokens["alice"], "alice")
    links = [a.text for a in page.all("main .problem-list a")]
    assert len(links) == 1 and "A dense layer in Flax" in links[0]
    assert page.d.execute_script("return sessionStorage.getItem('judge.token')") == site.tokens["alice"]
    assert page.d.execute_script("return localStorage.length") == 0
    assert not page.css("#nav-operator").is_displayed()  # not an admin
    # The keyboard: from the page's heading (focused on each new view), Tab reaches the first problem
    # with a visible focus outline, and Enter opens it.
    from selenium.webdriver.common.keys import Keys

    assert page.d.switch_to.active_element.tag_name == "h1"
    page.d.switch_to.active_element.send_keys(Keys.TAB)
    focused = page.d.switch_to.active_element
    assert focused.get_attribute("href").endswith("#/problems/dense")
    assert focused.value_of_css_property("outline-style") == "solid" and focused.value_of_css_property("outline-width") == "3px"
    focused.send_keys(Keys.ENTER)
    page.heading("A dense layer in Flax")
    page.css("#sign-out").click()
    page.visible("#token")
    assert page.d.execute_script("return sessionStorage.getItem('judge.token')") is None
    sent = page.sent()
    assert all(site.tokens["alice"] not in r.get("url", "") for r in sent)
    assert any(r.get("headers", {}).get("Authorization") == "Bearer " + site.tokens["alice"] for r in sent)
    page.assert_clean("/v1/me - Failed to load resource: the server responded with a status of 401")


@browser
@grading
@pytest.mark.slow
def test_a_wrong_then_a_correct_solution_graded_live_then_the_leaderboard(page: Page, site: Site) -> None:
    page.sign_in(site.tokens["alice"], "alice")
    page.open("#/problems/dense")
    page.heading("A dense layer in Flax")
    template = (Path(site.data).parent / "problems" / "dense" / "template.py").read_text()
    page.wait(lambda: page.d.execute_script("return document.getElementById('editor').judgeEditor.getValue()") == template,
              message="the template in the editor")
    assert page.all(".statement .highlight .k"), "the statement's code block is highlighted"
    assert "<b>Raw HTML in a statement is shown as text.</b>" in page.css(".statement").text
    assert [e.text for e in page.all(".case-inputs summary")] == ["worked-example", "small-batch"]  # public cases only
    assert any(s.text == "import" and "ͼ" in (s.get_attribute("class") or "") for s in page.all(".cm-content span")), \
        "the editor highlights Python"
    page.shot("problem", phone_from="#submit-form", phone_height=1000)

    wrong = submit_from_editor(page, "dense", WRONG, "zeros.py")
    result = expect_graded(page, site, "alice", wrong, "wrong_answer")
    seen = page.d.execute_script("return window.__seen")
    assert seen[0] == "case" and seen.count("case") >= result["total"] and "result" in seen, seen  # cases arrived before the result
    assert any(c["hidden"] for c in result["cases"]) and any(c.get("output") for c in result["cases"])
    page.css("#cases li.case details:has(pre.output) > summary").click()  # what the code printed, for a public case
    page.wait(lambda: "shapes" in page.css("#cases li.case pre.output").text)
    assert page.css("#submission-file").text == "zeros.py"
    page.shot("graded")

    accepted = (Path(site.data).parent / "problems" / "dense" / "solutions" / "accepted" / "example_accepted.py").read_text()
    right = submit_from_editor(page, "dense", accepted)
    expect_graded(page, site, "alice", right, "accepted")
    assert page.d.execute_script("return window.__seen")[0] == "case"

    # The submission's page is its URL: a reload shows the same result.
    page.d.refresh()
    page.visible("#result")
    assert page.css("#result .verdict").text.endswith("accepted")

    page.open("#/submissions")
    page.heading("My submissions")
    page.wait(lambda: len(page.all("#my-submissions tbody tr")) == 2)
    assert [r.find_element("css selector", ".verdict").text.split(" ", 1)[1] for r in page.all("#my-submissions tbody tr")] == \
        ["accepted", "wrong answer"]

    page.open("#/problems/dense/leaderboard")
    page.wait(lambda: any(r.find_element("css selector", "td.user").text.startswith("alice") for r in page.all("#leaderboard tbody tr")),
              message="alice on the leaderboard")
    row = next(r for r in page.all("#leaderboard tbody tr") if r.find_element("css selector", "td.user").text.startswith("alice"))
    assert "accepted" in row.text and "me" in row.get_attribute("class")
    page.shot("leaderboard")
    page.assert_clean()


@browser
@grading
@pytest.mark.slow
def test_a_hostile_user_name_and_file_name_render_as_text(page: Page, site: Site) -> None:
    page.sign_in(site.tokens["hostile"], HOSTILE_NAME)
    assert page.css("#who-name").text == HOSTILE_NAME
    sid = submit_from_editor(page, "dense", "def solve(seed, x, features)\n    return x\n", HOSTILE_NAME + ".py")
    expect_graded(page, site, "hostile", sid, "compile_error")
    assert page.css("#submission-user").text == HOSTILE_NAME
    assert page.css("#submission-file").text == HOSTILE_NAME + ".py"
    page.open("#/problems/dense/leaderboard")
    page.wait(lambda: any(HOSTILE_NAME in r.text for r in page.all("#leaderboard td.user")), message="the hostile name on the leaderboard")
    assert not page.all("img"), "an img element was created from a name"
    assert HOSTILE_NAME in page.css("#leaderboard").get_attribute("textContent")
    # The leaderboard is live: a new user's graded submission appears without a reload.
    page.d.execute_script("window.__not_reloaded = true")
    carol = ServiceDB(site.data).create_token("carol", Role.LEARNER)
    accepted = (site.data.parent / "problems" / "dense" / "solutions" / "accepted" / "example_accepted.py").read_text()
    posted = httpx.post(f"{site.url}/v1/submissions", headers=bearer(carol), json={"problem": "dense", "source": accepted}, timeout=60)
    assert posted.status_code == 202, posted.text
    page.wait(lambda: any(r.text.startswith("carol") for r in page.all("#leaderboard td.user")), timeout=GRADE_S,
              message="carol on the leaderboard, live")
    assert page.d.execute_script("return window.__not_reloaded") is True
    page.assert_clean()  # no alert ran, no request went to "x"


@browser
@grading
@pytest.mark.slow
def test_the_operator_sees_the_queue_and_follows_a_rejudge_that_changes_a_verdict(page: Page, site: Site) -> None:
    posted = httpx.post(f"{site.url}/v1/submissions", headers=bearer(site.tokens["alice"]), timeout=60,
                        json={"problem": "dense", "source": WRONG, "filename": "zeros_again.py"})
    assert posted.status_code == 202, posted.text
    wrong = posted.json()["id"]
    page.sign_in(site.tokens["root"], "root")
    assert page.css("#nav-operator").is_displayed()
    page.css("#nav-operator a").click()
    page.heading("Operator")
    page.wait(lambda: page.css("#queue-workers").text == "1", message="one worker shown")
    deadline = time.monotonic() + GRADE_S
    while api(site, "alice", f"/v1/submissions/{wrong}")["status"] != "done":  # the API, not the page, says when
        assert time.monotonic() < deadline, "the submission was not graded in time"
        time.sleep(1)
    assert api(site, "alice", f"/v1/submissions/{wrong}")["result"]["verdict"] == "wrong_answer"
    # A far looser tolerance (|got - expected| <= 0.99 + 0.99 |expected| lets zeros pass): the rejudge
    # must turn that wrong answer into an accepted one.
    problem_yaml = site.data.parent / "problems" / "dense" / "problem.yaml"
    problem_yaml.write_text(problem_yaml.read_text().replace("rtol: 1.0e-5", "rtol: 0.99").replace("atol: 1.0e-5", "atol: 0.99"))
    page.css("#start-rejudge").click()
    page.wait(lambda: page.d.execute_script("return location.hash").startswith("#/operator/rejudges/dense/r_"), message="the rejudge's page")
    page.heading("Rejudge of dense")
    rejudge = page.d.execute_script("return location.hash")
    total = len(api(site, "root", "/v1/submissions?problem=dense"))
    # The operator view meanwhile: the rejudge's jobs in the queue (unless it is already done).
    page.css("main .subtitle a").click()
    page.heading("Operator")
    page.wait(lambda: page.all("#queue-jobs tbody tr") or page.css("#queue-depth").text == "0", message="the queue shown")
    page.shot("operator")
    page.css(f"a[href='{rejudge}']").click()  # the rejudges started in this tab
    page.heading("Rejudge of dense")
    page.wait(lambda: page.css("#rejudge-progress-label").text.startswith("Done"), timeout=GRADE_S * 3, message="the rejudge done")
    assert page.css("#rejudge-progress-label").text.startswith(f"Done: {total} submission")
    assert page.css("#rejudge-progress").get_attribute("value") == str(total)
    rows = [r.text for r in page.all("#rejudge-changes tbody tr")]
    assert any(r.startswith("alice zeros_again.py") and "wrong answer" in r and "accepted" in r for r in rows), rows
    page.shot("rejudge")
    page.assert_clean()


# -- problem sets on the page -----------------------------------------------------------------------


def create_set(site: Site, body: dict[str, Any]) -> dict[str, Any]:
    response = httpx.post(f"{site.url}/v1/sets", headers=bearer(site.tokens["root"]), json=body, timeout=60)
    assert response.status_code == 201, response.text
    return dict(response.json())


def set_row(page: Page, user: str) -> Any:
    """The user's row of the set's leaderboard on the page, or None."""
    return next((r for r in page.all("#set-leaderboard tbody tr")
                 if r.find_element("css selector", "td.user").get_attribute("textContent") in (user, user + "you")), None)


def accepted_source(site: Site) -> str:
    return (site.data.parent / "problems" / "dense" / "solutions" / "accepted" / "example_accepted.py").read_text()


@browser
@grading
@pytest.mark.slow
def test_an_admin_creates_a_set_on_the_page_and_a_learner_submits_to_it_and_is_on_its_leaderboard(page: Page, site: Site) -> None:
    # The browser's time zone is India's (+05:30, no daylight saving): the deadline typed in local time
    # must reach the API as that instant in UTC, and be shown back in local time.
    page.d.execute_cdp_cmd("Emulation.setTimezoneOverride", {"timezoneId": "Asia/Kolkata"})
    try:
        page.sign_in(site.tokens["root"], "root")
        page.css("a[data-nav=sets]").click()
        page.heading("Problem sets")
        # A refusal names its field, next to the form and at the field.
        page.visible("#set-id").send_keys("Week 1!")
        page.css("#set-title").send_keys("Week 1: layers")
        page.css("#create-set").click()
        page.wait(lambda: page.css("#set-form-error").is_displayed(), message="the refusal next to the form")
        shown = page.css("#set-form-error").text  # the API's own words: both refused fields, named
        assert shown.startswith("Not created: ") and "id: String should match pattern" in shown and "problems: List should have at least 1" in shown
        assert page.css("#set-id").get_attribute("aria-invalid") == "true" and page.css("#set-problems").get_attribute("aria-invalid") == "true"
        assert page.css("#set-id-error").is_displayed() and page.css("#set-id-error").text.startswith("id: String should match pattern")
        assert page.css("#set-problems-error").text.startswith("problems: List should have at least 1")
        assert page.css("#set-title").get_attribute("aria-invalid") is None and not page.css("#set-title-error").is_displayed()
        assert page.d.switch_to.active_element == page.css("#set-id")  # the first refused field, in the form's order
        page.css("#set-id").clear()
        page.css("#set-id").send_keys("week1")
        page.css("#create-set").click()  # no problem chosen yet
        page.wait(lambda: page.css("#set-problems-error").is_displayed(), message="the problems' refusal")
        assert page.css("#set-problems-error").text.startswith("problems:") and page.css("#set-id").get_attribute("aria-invalid") is None
        assert not page.css("#set-id-error").is_displayed()
        page.css("label[for=set-problem-0]").click()
        assert page.css("#set-problem-0").get_attribute("value") == "dense" and page.css("#set-problem-0").is_selected()
        page.d.execute_script("arguments[0].value = '2999-01-01T12:00'", page.css("#set-deadline"))  # a datetime-local field's value
        page.d.execute_script("arguments[0].value = '2999-01-02T12:00'", page.css("#set-opens"))
        page.css("#create-set").click()  # opens after its deadline: the service's own check, named in its detail
        page.wait(lambda: page.css("#set-deadline-error").is_displayed(), message="the deadline's refusal")
        assert page.css("#set-deadline-error").text.startswith("deadline: 2999-01-01T06:30:00Z is not after opens_at")
        assert page.css("#set-deadline").get_attribute("aria-invalid") == "true" and page.css("#set-problems").get_attribute("aria-invalid") is None
        page.css("#set-opens").clear()
        page.css("#set-late-penalty").clear()
        page.css("#set-late-penalty").send_keys("0.25")
        page.css("#create-set").click()
        page.wait(lambda: page.d.execute_script("return location.hash") == "#/sets/week1", message="the new set's page")
        page.heading("Week 1: layers")
        created = api(site, "alice", "/v1/sets/week1")
        assert created["deadline"] == "2999-01-01T06:30:00Z" and created["opens_at"] is None, created
        assert created["late"] == {"allowed": True, "penalty": 0.25} and created["problems"] == ["dense"] and created["created_by"] == "root"
        page.wait(lambda: "1/1/2999, 12:00:00 PM" in page.css("#set-deadline-at").text, message="the deadline in local time")
        assert re.search(r"in your time zone \(Asia/(Kolkata|Calcutta)\)", page.css("#set-facts").text)
    finally:
        page.d.execute_cdp_cmd("Emulation.setTimezoneOverride", {"timezoneId": ""})

    # A learner: Sets, the set, its problem, submit; the set's leaderboard shows them.
    page.sign_in(site.tokens["alice"], "alice")
    assert not page.all("#set-form")
    page.css("a[data-nav=sets]").click()
    page.heading("Problem sets")
    page.wait(lambda: page.all("tr[data-set=week1]"), message="week1 listed")
    row = page.css("tr[data-set=week1]")
    assert row.find_element("css selector", "td.status").text == "open"
    assert not page.all("#set-form"), "a learner gets no form to create a set"
    row.find_element("css selector", "a").click()
    page.heading("Week 1: layers")
    assert page.css("#set-status").text.startswith("open")
    assert page.css("#set-late-rule").text.startswith("Late submissions are graded and marked late; they count 75%")
    page.wait(lambda: page.css("#set-problems-list a").text.startswith("A dense layer in Flax"), message="the problem's title")
    page.css("#set-problems-list a").click()
    page.heading("A dense layer in Flax")
    assert page.d.execute_script("return location.hash") == "#/sets/week1/problems/dense"
    assert "count for the set “Week 1: layers”" in page.visible("#submit-set").text
    sid = submit_from_editor(page, "dense", accepted_source(site), open_it=False)
    assert api(site, "alice", f"/v1/submissions/{sid}")["set"] == "week1"  # the page sent it
    assert page.css("#submission-set").text == "week1" and page.css("#submission-late").text == "no"
    expect_graded(page, site, "alice", sid, "accepted")
    page.css("#submission-set a").click()
    page.heading("Week 1: layers")
    page.wait(lambda: set_row(page, "alice") is not None, timeout=UI_S * 2, message="alice on the set's leaderboard")
    row = set_row(page, "alice")
    assert "me" in row.get_attribute("class")
    assert row.find_element("css selector", "td[data-problem=dense]").text == "100%"
    assert row.find_element("css selector", "td.total").text == "1 of 1"
    assert [th.text for th in page.all("#set-leaderboard th")] == ["rank", "user", "dense", "total"]
    page.shot("set", desktop_height=900, phone_height=1300)
    page.open("#/submissions")
    page.heading("My submissions")
    page.wait(lambda: any(r.find_element("css selector", "td.set").text == "week1" for r in page.all("#my-submissions tbody tr")),
              message="the submission to week1 in My submissions")
    page.assert_clean("/v1/sets - Failed to load resource: the server responded with a status of 422")  # the refusals asked for above


@browser
@grading
@pytest.mark.slow
def test_a_submission_after_the_deadline_is_marked_late_on_the_page(page: Page, site: Site) -> None:
    now = time.time()
    iso = lambda t: time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(t))  # noqa: E731
    create_set(site, {"id": "past", "title": "Last week", "problems": ["dense"], "opens_at": iso(now - 7 * 86400),
                      "deadline": iso(now - 3600), "late": {"allowed": True, "penalty": 0.5}})
    page.sign_in(site.tokens["alice"], "alice")
    page.open("#/sets/past")
    page.heading("Last week")
    assert page.css("#set-status").text.startswith("late")
    page.css("#set-problems-list a").click()
    page.heading("A dense layer in Flax")
    assert "marked late" in page.visible("#submit-set").text
    sid = submit_from_editor(page, "dense", accepted_source(site), "late.py", open_it=False)
    doc = api(site, "alice", f"/v1/submissions/{sid}")
    assert doc["set"] == "past" and doc["late"] is True
    assert page.css("#submission-late").text.startswith("late")
    expect_graded(page, site, "alice", sid, "accepted")
    page.open("#/submissions")
    page.heading("My submissions")
    page.wait(lambda: any(r.find_element("css selector", "td.set").get_attribute("textContent") == "pastlate"
                          for r in page.all("#my-submissions tbody tr")), message="the late submission (its set and late mark) in My submissions")
    page.open("#/sets/past")
    page.heading("Last week")
    page.wait(lambda: set_row(page, "alice") is not None, timeout=UI_S * 2, message="alice on the set's leaderboard")
    cell = set_row(page, "alice").find_element("css selector", "td[data-problem=dense]")
    assert cell.find_element("css selector", ".tag.late").text == "late"
    assert cell.text.startswith("50%") and "(scored 100%)" in cell.text  # the penalty on the set's total only
    assert set_row(page, "alice").find_element("css selector", "td.total").text == "0.5 of 1"
    page.assert_clean()


@browser
def test_a_hostile_set_title_renders_as_text(page: Page, site: Site) -> None:
    create_set(site, {"id": "hostile-title", "title": HOSTILE_NAME, "problems": ["dense"]})
    page.sign_in(site.tokens["alice"], "alice")
    page.css("a[data-nav=sets]").click()
    page.heading("Problem sets")
    link_ = page.wait(lambda: page.css("tr[data-set=hostile-title] a"), message="the set listed")
    assert link_.text == HOSTILE_NAME
    link_.click()
    page.heading(HOSTILE_NAME)
    assert page.d.title == HOSTILE_NAME + " · judge"
    page.css("#set-problems-list a").click()
    page.heading("A dense layer in Flax")
    assert HOSTILE_NAME in page.visible("#submit-set").text and HOSTILE_NAME in page.css("main .subtitle").text
    assert not page.all("img"), "an img element was created from a set's title"
    page.assert_clean()
