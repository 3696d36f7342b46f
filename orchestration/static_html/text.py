"""Text from data, made inert for HTML and for spreadsheets.

Everything a page shows from extracts, checks or the warehouse is hostile until
proven otherwise. HTML escaping itself is Jinja's autoescape (`& < > " '`, in text and
in attributes alike); here, control and direction-changing characters are made visible
instead of acting on the page, and CSV cells cannot start a spreadsheet formula.
"""

from __future__ import annotations

import json
import re
from datetime import date, datetime
from decimal import Decimal

# C0 controls but tab and newline, DEL, C1 controls, zero-width and bidi controls, line
# and paragraph separators, and the BOM: they reorder or hide text, or mean nothing.
_INVISIBLE = re.compile(
    "[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff]"
)
# A cell starting with one of these is read as a formula by spreadsheet programs (OWASP,
# "CSV Injection"), also after leading spaces or line breaks, and in the full-width forms
# that some spreadsheets fold to them.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\n", "\uff1d", "\uff0b", "\uff0d", "\uff20")


def _visible(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code <= 0xFF else f"\\u{code:04x}"


def inert(text: str) -> str:
    """Text with every control or invisible formatting character spelled out (`\\x07`)."""
    return _INVISIBLE.sub(_visible, text)


def as_text(value: object) -> str:
    """A warehouse value as the text an auditor reads: null is empty, nested values JSON."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal | int | float):
        return str(value)
    if isinstance(value, bytes):
        return value.hex()
    if isinstance(value, dict | list | tuple):
        return json.dumps(value, default=str, ensure_ascii=False)
    return str(value)


def csv_cell(value: object) -> str:
    """A value for a CSV cell that a spreadsheet shows as text, never runs as a formula."""
    text = as_text(value)
    if isinstance(value, str) and (
        text.startswith(_FORMULA_START) or text.lstrip(" \t\r\n").startswith(_FORMULA_START)
    ):
        return "'" + text
    return text
