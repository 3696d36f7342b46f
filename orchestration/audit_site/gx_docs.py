"""The Great Expectations Data Docs, copied into the site as static, offline HTML.

Data Docs as Great Expectations writes them load Bootstrap, jQuery, Vega and fonts from
CDNs, draw their index page with JavaScript, and put observed values into table cells
without escaping them. Copied into the site, every page is parsed and written again from
an allow-list: no script, no event handler, no element that loads anything (images,
stylesheets, frames), no link but relative and http(s) ones, no CSS `url()`; text is
escaped again. An inline stylesheet stands in for Bootstrap, and the index is a plain
list of the pages, rendered by the site's own templates.
"""

from __future__ import annotations

import html
import json
import re
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path

from orchestration.static_html import CONTENT_SECURITY_POLICY
from orchestration.static_html.text import inert

# Elements dropped together with everything inside them.
_DROP_WITH_CONTENT = frozenset(
    {
        "applet", "audio", "button", "canvas", "dialog", "embed", "form", "frame",
        "frameset", "iframe", "label", "math", "noscript", "object", "script",
        "select", "svg", "template", "textarea", "video",
    }
)  # fmt: skip
# Empty elements that load or declare something: dropped (the head gets its own meta).
_DROP_EMPTY = frozenset(
    {"area", "base", "img", "input", "link", "meta", "param", "source", "track"}
)
_ALLOWED = frozenset(
    {
        "a", "abbr", "article", "aside", "b", "blockquote", "body", "br", "caption",
        "code", "col", "colgroup", "dd", "details", "div", "dl", "dt", "em", "footer",
        "h1", "h2", "h3", "h4", "h5", "h6", "head", "header", "hr", "html", "i", "li",
        "main", "nav", "ol", "p", "pre", "section", "small", "span", "strong", "style",
        "sub", "summary", "sup", "table", "tbody", "td", "tfoot", "th", "thead", "title",
        "tr", "u", "ul",
    }
)  # fmt: skip
_VOID = frozenset({"br", "col", "hr"})
_ATTRIBUTES = frozenset({"class", "colspan", "hidden", "id", "role", "rowspan", "scope", "title"})
_SCHEME = re.compile(r"^[a-z][a-z0-9+.\-]*:", re.IGNORECASE)
_CSS_LOADS = re.compile(r"@import[^;]*;?|url\s*\([^)]*\)|expression\s*\(", re.IGNORECASE)
_STATUS = re.compile(r"Status:\s*(Succeeded|Failed)")

OFFLINE_STYLE = """
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; margin: 0;
  color: #1f2328; background: #fff; }
.xla-offline { background: #fff8e1; border-bottom: 1px solid #e0c060; padding: .5rem 1rem; }
.xla-offline a { margin-left: .75rem; }
body > nav.navbar, .sticky > .card:first-child { display: none; }
.container-fluid { padding: .5rem 1rem; }
.row { display: flex; flex-wrap: wrap; gap: 0 1rem; }
.col-12 { flex: 1 1 100%; }
.col-6 { flex: 1 1 45%; }
.col-lg-2, .col-md-2 { flex: 0 0 14rem; }
.col-lg-10, .col-md-10 { flex: 1 1 30rem; min-width: 0; }
.d-none, [hidden], .modal, .ge-walkthrough-modal { display: none; }
@media (min-width: 768px) { .d-md-block { display: block; } }
.tab-content > .tab-pane, .collapse { display: block; }
table { border-collapse: collapse; margin: .5rem 0; }
td, th { border: 1px solid #d0d7de; padding: .25rem .5rem; vertical-align: top;
  text-align: left; }
ul { padding-left: 1.25rem; }
.nav { list-style: none; padding: 0; }
.alert { background: #eef1f4; border: 1px solid #d0d7de; border-radius: 4px;
  padding: .5rem .75rem; margin: .5rem 0; }
.card { border: 1px solid #d0d7de; border-radius: 4px; margin-bottom: 1rem; }
.card-header { background: #f6f8fa; padding: .4rem .6rem; border-bottom: 1px solid #d0d7de; }
.card-body { padding: .4rem .6rem; }
.text-danger { color: #b3261e; }
.text-success { color: #1a7f37; }
.fa-times::before { content: "\\2717"; }
.fa-check::before, .fa-check-circle::before { content: "\\2713"; }
.fas, .far, .fa { font-style: normal; font-weight: bold; }
.ge-section { margin-bottom: 1.5rem; }
footer { display: none; }
"""


@dataclass(frozen=True)
class DocsPage:
    """One page of the copied Data Docs."""

    path: str  # relative to the Data Docs folder
    kind: str  # "validation" or "expectation suite"
    suite: str
    run_name: str = ""
    run_time: str = ""
    batch: str = ""
    status: str = ""  # "Succeeded", "Failed", or "" when the page does not say


class _Rewriter(HTMLParser):
    """Re-serializes a page from the allow-list, collecting its text on the way."""

    def __init__(self, head: str, banner: str) -> None:
        super().__init__(convert_charrefs=True)
        self.out: list[str] = ["<!DOCTYPE html>\n"]
        self.text: list[str] = []
        self._head = head
        self._banner = banner
        self._skipping: list[str] = []
        self._in_style = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if self._skipping:
            if tag == self._skipping[-1] and tag not in _VOID:
                self._skipping.append(tag)
            return
        if tag in _DROP_WITH_CONTENT:
            self._skipping.append(tag)
            return
        if tag in _DROP_EMPTY or tag not in _ALLOWED:
            return
        kept = "".join(
            f' {name}="{html.escape(inert(value), quote=True)}"'
            for name, value in (self._attribute(tag, n, v) for n, v in attrs)
            if name
        )
        self.out.append(f"<{tag}{kept}>")
        if tag == "head":
            self.out.append(self._head)
        elif tag == "body":
            self.out.append(self._banner)
        elif tag == "style":
            self._in_style = True

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        if tag not in _VOID:
            self.handle_endtag(tag)

    def handle_endtag(self, tag: str) -> None:
        if self._skipping:
            if tag == self._skipping[-1]:
                self._skipping.pop()
            return
        if tag in _ALLOWED and tag not in _VOID:
            self.out.append(f"</{tag}>")
            if tag == "style":
                self._in_style = False

    def handle_data(self, data: str) -> None:
        if self._skipping:
            return
        if self._in_style:
            self.out.append(_CSS_LOADS.sub("none", data).replace("<", ""))
            return
        self.text.append(data)
        self.out.append(html.escape(inert(data), quote=False))

    @staticmethod
    def _attribute(tag: str, name: str, value: str | None) -> tuple[str, str]:
        value = value or ""
        if name in _ATTRIBUTES or name.startswith("aria-"):
            return name, value
        if name == "style" and not _CSS_LOADS.search(value):
            return name, value
        if name == "href" and tag == "a":
            target = inert(value).strip()
            scheme = _SCHEME.match(target)
            if scheme is None and not target.startswith("//"):
                return name, target
            if scheme is not None and scheme.group().lower() in ("http:", "https:"):
                return name, target
        return "", ""


def rewrite_page(page: str, *, up: str) -> tuple[str, str]:
    """A Data Docs page as inert offline HTML, and the page's text.

    `up` is the relative path from the page to the Data Docs folder (`../../`).
    """
    head = (
        '<meta charset="utf-8">'
        f'<meta http-equiv="Content-Security-Policy" content="{CONTENT_SECURITY_POLICY}">'
        f"<style>{OFFLINE_STYLE}</style>"
    )
    banner = (
        '<div class="xla-offline">Great Expectations Data Docs, offline copy '
        "(scripts and remote styles removed)"
        f'<a href="{up}index.html">Data Docs index</a>'
        f'<a href="{up}../index.html">Auditors\' site</a></div>'
    )
    rewriter = _Rewriter(head, banner)
    rewriter.feed(page)
    rewriter.close()
    return "".join(rewriter.out), " ".join(rewriter.text)


def _describe(relative: Path, text: str) -> DocsPage | None:
    parts = relative.parts
    status = match.group(1) if (match := _STATUS.search(" ".join(text.split()))) else ""
    if parts[0] == "validations" and len(parts) == 5:
        _, suite, run_name, run_time, batch = parts
        return DocsPage(
            relative.as_posix(), "validation", suite, run_name, run_time, batch[:-5], status
        )
    if parts[0] == "expectations" and len(parts) >= 2:
        suite = ".".join([*parts[1:-1], relative.stem])
        return DocsPage(relative.as_posix(), "expectation suite", suite)
    return None


def copy_data_docs(source: Path, dest: Path) -> tuple[list[DocsPage], dict[str, str]]:
    """Copy every validation and suite page of `source` into `dest`, rewritten inert.

    Returns the pages copied (validations first, newest run first; each names its run
    and when it validated) and what the docs folder says about itself, for the index the
    site writes: `run_id` and `validated_at` when every result shown is of one run, and
    empty when they come from several (each page says its own).
    """
    pages = []
    for path in sorted(source.rglob("*.html")):
        relative = path.relative_to(source)
        if relative.parts[0] not in ("validations", "expectations"):
            continue
        up = "../" * (len(relative.parts) - 1)
        rewritten, text = rewrite_page(path.read_text(encoding="utf-8", errors="replace"), up=up)
        described = _describe(relative, text)
        if described is None:
            continue
        target = dest / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(rewritten, encoding="utf-8")
        pages.append(described)
    pages.sort(key=lambda p: (p.kind != "validation", _descending(p.run_time), p.suite, p.batch))
    marker = source / "xla_run.json"
    about = json.loads(marker.read_text()) if marker.exists() else {}
    said = {str(k): v for k, v in about.items() if isinstance(v, str)}
    return pages, {"run_id": "", "validated_at": "", **said}


def _descending(text: str) -> tuple[int, ...]:
    return tuple(-ord(c) for c in text)
