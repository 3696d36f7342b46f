"""What every static HTML page of the product shares: the auditors' site, the reports.

Pages are rendered by Jinja with autoescape on, so every value from data is escaped in
text and attributes alike (`& < > " '`); before escaping, text is made inert (control
and direction-changing characters spelled out) and null shown as empty. Every page
carries `CONTENT_SECURITY_POLICY`: no script, no request for anything, only inline
styles; should escaping ever fail, a browser would still refuse to run or load anything.
"""

from __future__ import annotations

from pathlib import Path

import jinja2
from markupsafe import Markup, escape

from orchestration.static_html.text import inert

CONTENT_SECURITY_POLICY = "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'"


def _finalize(value: object) -> object:
    # Runs on every {{ expression }} before autoescape: text made inert, null empty.
    if value is None:
        return ""
    if isinstance(value, str) and not isinstance(value, Markup):
        return inert(value)
    return value


class Html(Markup):
    """Markup whose `format` escapes each argument once, then formats as `str` does.

    The same result as `Markup.format` for plain `{}` fields, without its per-field
    formatter machinery, which dominated the time of drawing thousands of charts.
    Format specs (`{:g}`) are not supported: format numbers before passing them.
    """

    __slots__ = ()

    def format(self, *args: object, **kwargs: object) -> Html:
        return Html(
            str.format(
                self,
                *[escape(value) for value in args],
                **{name: escape(value) for name, value in kwargs.items()},
            )
        )


def jinja_environment(templates_dir: Path) -> jinja2.Environment:
    """A Jinja environment for the templates in `templates_dir` that escapes every value."""
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(templates_dir),
        autoescape=True,
        finalize=_finalize,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )


__all__ = ["CONTENT_SECURITY_POLICY", "Html", "inert", "jinja_environment"]
