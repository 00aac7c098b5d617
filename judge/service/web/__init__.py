"""The web page of ``judge serve``: one static page at ``/`` over the ``/v1`` API, and its files.

The page (``index.html``, ``app.js``, ``style.css``, the vendored editor in ``vendor/``) needs no
build step at run time and makes no request beyond the service: no CDN, no web font. It is
served with a strict Content-Security-Policy (:data:`CSP`): scripts, styles and everything else
only from the service itself, no inline script, no plugin, no framing. The page signs in with a
bearer token it keeps in ``sessionStorage`` and sends in the ``Authorization`` header; it shows
everything a submission, a file name or a user name contains as text, never as HTML.

Statements are rendered here, on the server (:func:`render_statement`): Markdown with raw HTML
disabled (a statement's HTML is shown escaped), code blocks highlighted by Pygments with CSS
classes (:func:`highlight_css`; inline styles would break the CSP). Math (``$...$``) is left as
text: no statement uses it yet.

Example:
    >>> print(render_statement("Use `solve`.\\n\\n<b>bold?</b>\\n\\n```python\\nx = 1\\n```"), end="")  # doctest: +ELLIPSIS
    <p>Use <code>solve</code>.</p>
    <p>&lt;b&gt;bold?&lt;/b&gt;</p>
    <pre class="highlight"><code class="language-python"><span class="n">x</span> <span class="o">=</span> <span class="mi">1</span>
    </code></pre>
    >>> "default-src 'self'" in CSP and "unsafe-inline" not in CSP
    True
"""

from __future__ import annotations

import functools
import secrets
from pathlib import Path

from fastapi import FastAPI
from fastapi.responses import HTMLResponse, Response
from fastapi.staticfiles import StaticFiles
from markdown_it import MarkdownIt
from pygments import highlight
from pygments.formatters import HtmlFormatter
from pygments.lexers import get_lexer_by_name
from pygments.util import ClassNotFound
from starlette.types import ASGIApp, Message, Receive, Scope, Send

WEB_DIR = Path(__file__).resolve().parent
STATIC_PREFIX = "/static"
NONCE_MARK = "{{nonce}}"  # in index.html: replaced by each response's nonce
# Everything from the service itself, nothing inline, nothing framed. connect-src 'self' covers the
# API and its event streams; there is no external host the page may talk to.
CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self'; font-src 'self'; connect-src 'self'; "
       "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'")
SECURITY_HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
    "Cross-Origin-Opener-Policy": "same-origin",
}


def page_csp(nonce: str) -> str:
    """:data:`CSP` for the page itself: its editor may also add ``<style>`` elements carrying ``nonce``.

    CodeMirror builds its styles at run time and adds them as ``<style>`` elements with the nonce
    (``EditorView.cspNonce``); a fresh nonce per response keeps 'unsafe-inline' out.

    Example:
        >>> page_csp("abc").split("; ")[2]
        "style-src 'self' 'nonce-abc'"
    """
    return CSP.replace("style-src 'self'", f"style-src 'self' 'nonce-{nonce}'")


PYGMENTS_STYLE = "default"  # Pygments' default style meets WCAG AA contrast on a light background


def _highlight(code: str, lang: str, _attrs: object) -> str:
    try:
        lexer = get_lexer_by_name((lang or "text").split()[0])
    except ClassNotFound:
        return ""  # markdown-it escapes it as a plain code block
    # A whole <pre> (markdown-it keeps output that starts with one); the class names Pygments' lexer, not the author's text.
    inner = highlight(code, lexer, HtmlFormatter(nowrap=True))
    return f'<pre class="highlight"><code class="language-{lexer.aliases[0] if lexer.aliases else "text"}">{inner}</code></pre>'



@functools.lru_cache(maxsize=1)
def _markdown() -> MarkdownIt:
    # "commonmark" with html off: a statement's raw HTML is shown as text; markdown-it refuses
    # javascript:, vbscript:, file: and data: links by itself.
    return MarkdownIt("commonmark", {"html": False, "highlight": _highlight}).enable(["table", "strikethrough"])


def render_statement(markdown: str) -> str:
    """A problem statement (Markdown) as HTML safe to insert into the page."""
    return str(_markdown().render(markdown))


@functools.lru_cache(maxsize=1)
def highlight_css() -> str:
    """The CSS classes of highlighted code blocks (the Pygments installed: classes match its HTML)."""
    return str(HtmlFormatter(style=PYGMENTS_STYLE).get_style_defs(".highlight")) + "\n"


class _PageHeaders:
    """Adds :data:`SECURITY_HEADERS` to the page and its static files (not to the API or /docs)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = scope.get("path", "") if scope["type"] == "http" else ""
        if not (path == "/" or path.startswith(STATIC_PREFIX + "/")):
            await self.app(scope, receive, send)
            return

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                present = {k.decode("latin-1").lower() for k, _ in headers}  # the page sets its own CSP (with a nonce)
                headers += [(k.lower().encode(), v.encode()) for k, v in SECURITY_HEADERS.items() if k.lower() not in present]
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, with_headers)


def mount_page(app: FastAPI) -> None:
    """Serve the page at ``/`` and its files under ``/static``, with the security headers."""

    template = (WEB_DIR / "index.html").read_text(encoding="utf-8")

    @app.get("/", include_in_schema=False)
    def page() -> HTMLResponse:
        nonce = secrets.token_urlsafe(18)
        return HTMLResponse(template.replace(NONCE_MARK, nonce), headers={"Cache-Control": "no-store", "Content-Security-Policy": page_csp(nonce)})

    @app.get(f"{STATIC_PREFIX}/highlight.css", include_in_schema=False)
    def code_colours() -> Response:
        return Response(highlight_css(), media_type="text/css; charset=utf-8")

    app.mount(STATIC_PREFIX, StaticFiles(directory=WEB_DIR / "static"), name="static")
    app.add_middleware(_PageHeaders)
