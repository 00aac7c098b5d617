"""Make untrusted text (learners' messages, file and user names, case ids) safe to show.

Everything the judge prints or writes for people passes through one of these, chosen by where the
text lands: a terminal or plain text (:func:`visible`, :func:`block`), a Markdown table
(:func:`md_cell`), a CSV file opened in a spreadsheet (:func:`csv_cell`), an HTML page
(:func:`html_text`), or JSON (:func:`strict_json`).

The goal is that such text can never act on what displays it: no terminal escape sequence (clear
screen, window title, OSC 52 clipboard write), no bidi override reordering what is shown, no forged
table row, no raw HTML, no spreadsheet formula. Control characters are *shown*, not dropped, so a
reader sees that something odd was there. A backslash is left as it is, so the visible form is
for reading, not for decoding back.

Example:
    >>> visible("ok\\x1b]0;pwned\\x07 \\u202egnp.py")
    'ok\\\\x1b]0;pwned\\\\x07 \\\\u202egnp.py'
    >>> print(visible("two\\nlines"))
    two\\nlines
    >>> print(block("boom\\nVerdict: accepted", "  | "))
      | boom
      | Verdict: accepted
    >>> md_cell("<img src=x onerror=alert(1)>|x")
    '&lt;img src=x onerror=alert(1)&gt;\\\\|x'
    >>> csv_cell("=HYPERLINK(\\"http://evil\\")")
    '\\'=HYPERLINK("http://evil")'
    >>> strict_json({"got": [1.0, float("nan")]})
    '{"got": [1.0, "NaN"]}'
    >>> is_safe_name("alice/attempt1.py"), is_safe_name("bob\\n1.py")
    (True, False)
"""

from __future__ import annotations

import html
import json
import math
import re
from typing import Any

_SHORT = {"\t": "\\t", "\n": "\\n", "\r": "\\r"}


def _shown(code: int) -> str:
    char = chr(code)
    if char in _SHORT:
        return _SHORT[char]
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def _unsafe_codes() -> list[int]:
    codes = list(range(0x00, 0x20))  # C0: ESC starts every terminal sequence; CR, BS overwrite
    codes.append(0x7F)  # DEL
    codes += range(0x80, 0xA0)  # C1: 0x9b is a one-byte CSI, 0x9d a one-byte OSC on some terminals
    codes += [0x061C, 0x200E, 0x200F]  # bidi marks
    codes += range(0x202A, 0x202F)  # bidi embeddings and overrides (the "Trojan Source" trick)
    codes += range(0x2066, 0x206A)  # bidi isolates
    codes += [0x2028, 0x2029]  # line and paragraph separators: line breaks to some renderers
    codes += range(0xD800, 0xE000)  # lone surrogates: undecodable bytes of a file name; unprintable
    return codes


_ONE_LINE = {code: _shown(code) for code in _unsafe_codes()}
_MULTI_LINE = {code: shown for code, shown in _ONE_LINE.items() if code != ord("\n")}


def visible(text: str, *, newlines: bool = False) -> str:
    """``text`` with every control, bidi-override and line-separator character shown as an escape.

    ``newlines=True`` keeps ``\\n`` (and turns ``\\r\\n`` into it) for text meant to span lines;
    the caller must then make its continuation lines distinguishable (see :func:`block`).
    """
    if newlines:
        return text.replace("\r\n", "\n").translate(_MULTI_LINE)
    return text.translate(_ONE_LINE)


def block(text: str, prefix: str = "    ") -> str:
    """Multi-line untrusted text with every line behind ``prefix``.

    The judge's own lines (``Verdict: ...``) start at column 0, so a learner's message printed this
    way can never pass for one of them, however it is worded.
    """
    return "\n".join(prefix + line for line in visible(text, newlines=True).split("\n"))


def is_safe_name(name: str) -> bool:
    """Whether a file or user name can be shown as it is: printable (no control, format or
    separator characters, no undecodable bytes) and valid UTF-8."""
    return name.isprintable() and visible(name) == name


_MD_PUNCT = {c: "\\" + c for c in "\\`*_[]|#!~"}
_MD_PUNCT.update({"<": "&lt;", ">": "&gt;", "&": "&amp;"})
_MD_TABLE = str.maketrans(_MD_PUNCT)


def md_cell(text: str) -> str:
    """One Markdown (GFM) table cell: one line, no markup, no raw HTML, no column break."""
    return visible(text).translate(_MD_TABLE)


_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


_AFTER_SEPARATOR = re.compile(r"([;,|] *)([=+\-@])")


def csv_cell(text: str) -> str:
    """One CSV cell that a spreadsheet shows as text, never evaluates (OWASP CSV injection).

    A cell that starts with ``= + - @``, tab or CR (also after leading spaces, which some
    spreadsheets skip) gets a leading apostrophe, and so does every such character that follows
    a separator a spreadsheet might split on (``;`` in many locales, ``,``, ``|``): a reader
    that splits the cell still finds no formula. Quoting is left to the ``csv`` module.

    >>> csv_cell("pwn;=2+5;@SUM(1+9)")
    "pwn;'=2+5;'@SUM(1+9)"
    """
    risky = text.startswith(_FORMULA_START) or text.lstrip(" ").startswith(_FORMULA_START)
    shown = _AFTER_SEPARATOR.sub(r"\1'\2", visible(text))
    return "'" + shown if risky else shown


def html_text(text: str) -> str:
    """Text for an HTML element or attribute value: escaped, control characters visible."""
    return html.escape(visible(text), quote=True)


def finite_json(value: Any) -> Any:
    """``value`` with every NaN or infinite float replaced by ``"NaN"``, ``"Infinity"`` or
    ``"-Infinity"`` (the strings protobuf's JSON mapping uses), so it can be written as strict JSON.
    """
    if isinstance(value, float) and not math.isfinite(value):
        return "NaN" if math.isnan(value) else ("Infinity" if value > 0 else "-Infinity")
    if isinstance(value, dict):
        return {key: finite_json(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [finite_json(item) for item in value]
    return value


def strict_json(value: Any, **kwargs: Any) -> str:
    """``json.dumps`` that only ever writes strict JSON (RFC 8259): non-finite floats become
    strings (see :func:`finite_json`) instead of the ``NaN`` / ``Infinity`` tokens that Python writes
    by default and other parsers reject. Non-ASCII is escaped, so no control character survives."""
    return json.dumps(finite_json(value), allow_nan=False, ensure_ascii=True, **kwargs)
