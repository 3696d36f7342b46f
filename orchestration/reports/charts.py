"""Charts of a service review as inline SVG: no script, nothing loaded, readable in print.

Each chart is an `<svg role="img">` with a `<title>` and a `<desc>` that says in words
what it shows, labelled axes, its targets as dashed lines and a legend. Series differ
in colour and in line or marker shape, so they stay apart on a grey-scale printout.
Every piece of text is escaped (`Html.format`) and made inert; attributes hold only
numbers and fixed names. The charts draw the warehouse's figures as they are.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date

from orchestration.reports.wording import month_name, short_month
from orchestration.static_html import Html
from orchestration.static_html.text import inert

WIDTH, HEIGHT = 560, 290
LEFT, RIGHT, TOP, BOTTOM = 52, 18, 40, 56
INK, MUTED, GRID, TARGET = "#1f2328", "#57606a", "#d8dee4", "#3d444d"
HELD_FILL = "#eef1f4"


@dataclass(frozen=True)
class Style:
    """How one series is drawn: colour, dash pattern and marker shape."""

    colour: str
    dash: str = ""
    marker: str = "circle"  # circle, square, diamond


SERIES_STYLES = (
    Style("#0a5bd3"),
    Style("#b35900", "6 3", "square"),
    Style("#6f42c1", "2 3", "diamond"),
)
PRIORITY_COLOURS = {"P1": "#a40e26", "P2": "#e16f24", "P3": "#0a5bd3", "P4": "#8c959f"}


@dataclass(frozen=True)
class Series:
    """A line over the months: one value (or none) per month."""

    name: str
    values: Sequence[float | None]
    style: Style


@dataclass(frozen=True)
class TargetLine:
    """A dashed horizontal (or vertical) line at a target, with its label."""

    value: float
    label: str


def _text(value: object) -> str:
    return inert(str(value))


def _n(value: float) -> str:
    return f"{value:.1f}"


def _marker(x: float, y: float, style: Style, size: float = 4.0, title: str = "") -> Html:
    tip = Html("<title>{}</title>").format(_text(title)) if title else Html("")
    if style.marker == "square":
        return Html(
            '<rect x="{}" y="{}" width="{}" height="{}" fill="{}" stroke="#fff">{}</rect>'
        ).format(_n(x - size), _n(y - size), _n(2 * size), _n(2 * size), style.colour, tip)
    if style.marker == "diamond":
        points = f"{_n(x)},{_n(y - size - 1)} {_n(x + size + 1)},{_n(y)} "
        points += f"{_n(x)},{_n(y + size + 1)} {_n(x - size - 1)},{_n(y)}"
        return Html('<polygon points="{}" fill="{}" stroke="#fff">{}</polygon>').format(
            points, style.colour, tip
        )
    return Html('<circle cx="{}" cy="{}" r="{}" fill="{}" stroke="#fff">{}</circle>').format(
        _n(x), _n(y), _n(size), style.colour, tip
    )


def _frame(chart_id: str, title: str, desc: str, body: list[Html]) -> Html:
    head = Html(
        '<svg class="chart" id="{id}" viewBox="0 0 {w} {h}" width="{w}" height="{h}" '
        'role="img" aria-labelledby="{id}-title {id}-desc" '
        'xmlns="http://www.w3.org/2000/svg" font-family="system-ui, sans-serif" font-size="12">'
        '<title id="{id}-title">{title}</title><desc id="{id}-desc">{desc}</desc>'
    ).format(id=chart_id, w=WIDTH, h=HEIGHT, title=_text(title), desc=_text(desc))
    return head + Html("").join(body) + Html("</svg>")


def _ticks(lo: float, hi: float, count: int = 5, whole: bool = False) -> list[float]:
    """Round tick values covering lo..hi; whole numbers only for counts."""
    span = hi - lo
    raw = span / max(count - 1, 1)
    magnitude = 10 ** math.floor(math.log10(raw)) if raw > 0 else 1
    step = next(m * magnitude for m in (1, 2, 2.5, 5, 10) if m * magnitude >= raw)
    if whole:
        step = max(1, math.ceil(step))
    first = math.ceil(lo / step) * step
    found = []
    value = first
    while value <= hi + 1e-9:
        found.append(round(value, 6))
        value += step
    return found


def percent_range(values: Sequence[float | None], targets: Sequence[float]) -> tuple[float, float]:
    """A y range for percentages: down from 100 to a round value below every figure."""
    known = [v for v in values if v is not None] + list(targets)
    low = min(known, default=100.0)
    floor = min(max(0.0, math.floor((low - 5) / 10) * 10), 80.0)
    if 100 - floor > 40:
        # Ticks of 20 then: start on one, so the lowest gridline is labelled.
        floor = math.floor(floor / 20) * 20
    return (floor, 100.0)


class _Axes:
    """Month slots on x, a linear scale on y, inside the plot area."""

    def __init__(self, months: Sequence[date], lo: float, hi: float) -> None:
        self.months = list(months)
        self.lo, self.hi = lo, hi
        self.x0, self.x1 = LEFT, WIDTH - RIGHT
        self.y0, self.y1 = HEIGHT - BOTTOM, TOP
        self.slot = (self.x1 - self.x0) / max(len(self.months), 1)

    def x(self, index: int) -> float:
        return self.x0 + self.slot * (index + 0.5)

    def y(self, value: float) -> float:
        clamped = min(max(value, self.lo), self.hi)
        return self.y0 - (clamped - self.lo) / (self.hi - self.lo) * (self.y0 - self.y1)

    def grid(
        self, y_label: str, tick_format: Callable[[float], str], whole: bool = False
    ) -> list[Html]:
        parts = []
        for tick in _ticks(self.lo, self.hi, whole=whole):
            y = self.y(tick)
            parts.append(
                Html(
                    '<line x1="{}" x2="{}" y1="{y}" y2="{y}" stroke="{}" stroke-width="1"/>'
                    '<text x="{}" y="{}" text-anchor="end" fill="{}">{}</text>'
                ).format(
                    _n(self.x0), _n(self.x1), GRID, _n(self.x0 - 6), _n(y + 4), MUTED,
                    _text(tick_format(tick)), y=_n(y),
                )
            )  # fmt: skip
        parts.append(
            Html(
                '<text transform="translate(14 {}) rotate(-90)" text-anchor="middle" '
                'fill="{}">{}</text>'
            ).format(_n((self.y0 + self.y1) / 2), MUTED, _text(y_label))
        )
        return parts

    def month_labels(self, highlight: date | None, held: set[date]) -> list[Html]:
        parts = []
        for index, month in enumerate(self.months):
            x = self.x(index)
            if month in held:
                parts.append(
                    Html(
                        '<rect x="{}" y="{}" width="{}" height="{}" fill="{}"/>'
                        '<text x="{}" y="{}" text-anchor="middle" fill="{}" font-size="10">'
                        "held</text>"
                    ).format(
                        _n(x - self.slot / 2 + 1), _n(self.y1), _n(self.slot - 2),
                        _n(self.y0 - self.y1), HELD_FILL, _n(x), _n(self.y1 + 11), MUTED,
                    )
                )  # fmt: skip
            weight = "700" if month == highlight else "400"
            parts.append(
                Html(
                    '<text x="{}" y="{}" text-anchor="middle" fill="{}" font-weight="{}">{}</text>'
                ).format(_n(x), _n(self.y0 + 16), INK, weight, short_month(month))
            )
            if index == 0 or month.month == 1:
                parts.append(
                    Html('<text x="{}" y="{}" text-anchor="middle" fill="{}">{}</text>').format(
                        _n(x), _n(self.y0 + 30), MUTED, month.year
                    )
                )
        parts.append(
            Html('<line x1="{}" x2="{}" y1="{y}" y2="{y}" stroke="{}"/>').format(
                _n(self.x0), _n(self.x1), MUTED, y=_n(self.y0)
            )
        )
        return parts

    def targets(self, lines: Sequence[TargetLine]) -> list[Html]:
        """Dashed target lines, each labelled above it, or below when labels would touch."""
        parts = []
        label_ys: list[float] = []
        for line in sorted(lines, key=lambda t: -t.value):
            y = self.y(line.value)
            label_y = y - 4
            if any(abs(label_y - other) < 12 for other in label_ys):
                label_y = y + 12
            label_ys.append(label_y)
            parts.append(self.target(line, label_y))
        return parts

    def target(self, line: TargetLine, label_y: float) -> Html:
        y = self.y(line.value)
        return Html(
            '<line x1="{}" x2="{}" y1="{y}" y2="{y}" stroke="{}" stroke-width="1.5" '
            'stroke-dasharray="5 4"/>'
            '<text x="{}" y="{}" text-anchor="end" fill="{}" font-size="11">{}</text>'
        ).format(
            _n(self.x0), _n(self.x1), TARGET, _n(self.x1 - 2), _n(label_y), TARGET,
            _text(line.label), y=_n(y),
        )  # fmt: skip


def _legend(items: list[tuple[str, Html]]) -> list[Html]:
    """Legend entries (swatch and label) along the top, in as many rows as they need."""
    parts = []
    x, y = LEFT, 12.0
    for label, swatch in items:
        width = 40 + 6.6 * len(label)
        if x > LEFT and x + width > WIDTH - RIGHT:
            x, y = LEFT, y + 16
        parts.append(Html('<g transform="translate({} {})">{}</g>').format(_n(x), _n(y), swatch))
        parts.append(
            Html('<text x="{}" y="{}" fill="{}">{}</text>').format(
                _n(x + 24), _n(y + 4), INK, _text(label)
            )
        )
        x += width
    return parts


def _line_swatch(style: Style) -> Html:
    return Html(
        '<line x1="0" x2="18" y1="0" y2="0" stroke="{}" stroke-width="2.5" stroke-dasharray="{}"/>'
    ).format(style.colour, style.dash or "none") + _marker(9, 0, style, 3.5)


def _target_swatch() -> Html:
    return Html(
        '<line x1="0" x2="18" y1="0" y2="0" stroke="{}" stroke-width="1.5" stroke-dasharray="5 4"/>'
    ).format(TARGET)


def line_chart(
    chart_id: str,
    *,
    title: str,
    desc: str,
    months: Sequence[date],
    series: Sequence[Series],
    y_range: tuple[float, float],
    y_label: str,
    value_format: Callable[[float], str],
    targets: Sequence[TargetLine] = (),
    highlight: date | None = None,
    held: set[date] | None = None,
) -> Html:
    """Values per month as lines with markers, with dashed target lines."""
    axes = _Axes(months, *y_range)
    body = axes.grid(y_label, value_format)
    body += axes.month_labels(highlight, held or set())
    body += axes.targets(targets)
    for line in series:
        runs: list[list[tuple[float, float]]] = [[]]
        for index, value in enumerate(line.values):
            if value is None:
                runs.append([])
            else:
                runs[-1].append((axes.x(index), axes.y(value)))
        for run in runs:
            if len(run) > 1:
                body.append(
                    Html(
                        '<polyline points="{}" fill="none" stroke="{}" stroke-width="2.5" '
                        'stroke-dasharray="{}" stroke-linejoin="round"/>'
                    ).format(
                        " ".join(f"{_n(x)},{_n(y)}" for x, y in run),
                        line.style.colour,
                        line.style.dash or "none",
                    )
                )
        for index, value in enumerate(line.values):
            if value is not None:
                tip = f"{line.name}, {month_name(months[index])}: {value_format(value)}"
                body.append(_marker(axes.x(index), axes.y(value), line.style, title=tip))
    legend = [(s.name, _line_swatch(s.style)) for s in series]
    if targets:
        legend.append(("target", _target_swatch()))
    body += _legend(legend)
    return _frame(chart_id, title, desc, body)


def stacked_bars(
    chart_id: str,
    *,
    title: str,
    desc: str,
    months: Sequence[date],
    stacks: dict[str, Sequence[int]],
    totals: Sequence[int],
    y_label: str,
    highlight: date | None = None,
    held: set[date] | None = None,
) -> Html:
    """Counts per month, stacked by category (P1 at the bottom); `totals` are each
    month's whole stack, as the warehouse counted it."""
    top = max([*totals, 1])
    ticks = _ticks(0, top, whole=True)
    hi = ticks[-1] if ticks[-1] >= top else top
    axes = _Axes(months, 0, hi)
    body = axes.grid(y_label, lambda v: f"{v:g}", whole=True)
    body += axes.month_labels(highlight, held or set())
    width = min(axes.slot * 0.6, 36)
    for index, month in enumerate(months):
        base = 0
        for category, counts in stacks.items():
            count = counts[index]
            if not count:
                continue
            y_top, y_bottom = axes.y(base + count), axes.y(base)
            tip = f"{category}, {month_name(month)}: {count} tickets"
            body.append(
                Html(
                    '<rect x="{}" y="{}" width="{}" height="{}" fill="{}" stroke="#fff" '
                    'stroke-width="0.8"><title>{}</title></rect>'
                ).format(
                    _n(axes.x(index) - width / 2), _n(y_top), _n(width),
                    _n(max(y_bottom - y_top, 0.5)), PRIORITY_COLOURS.get(category, MUTED),
                    _text(tip),
                )
            )  # fmt: skip
            base += count
        if totals[index]:
            body.append(
                Html('<text x="{}" y="{}" text-anchor="middle" fill="{}" font-size="10">'
                       "{}</text>").format(
                    _n(axes.x(index)), _n(axes.y(totals[index]) - 4), INK, totals[index]
                )
            )  # fmt: skip
    swatch = '<rect x="0" y="-6" width="18" height="12" fill="{}"/>'
    legend = [
        (category, Html(swatch).format(PRIORITY_COLOURS.get(category, MUTED)))
        for category in stacks
    ]
    body += _legend(legend)
    return _frame(chart_id, title, desc, body)


@dataclass(frozen=True)
class QuadrantPoint:
    """One client-month in the watermelon quadrant."""

    x: float
    y: float
    label: str = ""
    tip: str = ""
    verdict: str = ""  # watermelon, healthy, struggling, other


VERDICT_STYLES = {
    "watermelon": Style("#b3261e", marker="diamond"),
    "healthy": Style("#1a7f37", marker="circle"),
    "struggling": Style("#8a5a00", marker="square"),
    "other": Style("#57606a", marker="circle"),
}
VERDICT_NAMES = {
    "watermelon": "watermelon (SLA met, XLA missed)",
    "healthy": "SLA and XLA met",
    "struggling": "SLA missed",
    "other": "not enough to judge",
}


def quadrant(
    chart_id: str,
    *,
    title: str,
    desc: str,
    peers: Sequence[tuple[float, float]],
    own: Sequence[QuadrantPoint],
    x_target: float | None,
    y_target: float | None,
    x_label: str,
    y_label: str,
) -> Html:
    """SLA attainment (x) against happiness (y): other months grey, the client's coloured."""
    x_lo, _ = percent_range(
        [p[0] for p in peers] + [p.x for p in own], [x_target] if x_target is not None else []
    )
    x0, x1, y0, y1 = LEFT, WIDTH - RIGHT, HEIGHT - BOTTOM, TOP

    def sx(value: float) -> float:
        return x0 + (min(max(value, x_lo), 100) - x_lo) / (100 - x_lo) * (x1 - x0)

    def sy(value: float) -> float:
        return y0 - (min(max(value, -100), 100) + 100) / 200 * (y0 - y1)

    body: list[Html] = []
    if x_target is not None and y_target is not None:
        # Green outside, red inside: SLA attained, experience below target.
        body.append(
            Html('<rect x="{}" y="{}" width="{}" height="{}" fill="#fdecea"/>').format(
                _n(sx(x_target)), _n(sy(y_target)), _n(x1 - sx(x_target)), _n(y0 - sy(y_target))
            )
        )
        body.append(
            Html(
                '<text x="{}" y="{}" text-anchor="end" fill="#b3261e" font-size="11">'
                "watermelon zone</text>"
            ).format(_n(x1 - 4), _n(sy(y_target) + 14))
        )
    for tick in _ticks(x_lo, 100):
        body.append(
            Html(
                '<line x1="{x}" x2="{x}" y1="{}" y2="{}" stroke="{}"/>'
                '<text x="{x}" y="{}" text-anchor="middle" fill="{}">{}</text>'
            ).format(_n(y0), _n(y1), GRID, _n(y0 + 16), MUTED, f"{tick:g} %", x=_n(sx(tick)))
        )
    for tick in (-100, -50, 0, 50, 100):
        body.append(
            Html(
                '<line x1="{}" x2="{}" y1="{y}" y2="{y}" stroke="{}"/>'
                '<text x="{}" y="{}" text-anchor="end" fill="{}">{}</text>'
            ).format(
                _n(x0), _n(x1), GRID, _n(x0 - 6), _n(sy(tick) + 4), MUTED,
                f"{tick:+g}" if tick else "0", y=_n(sy(tick)),
            )
        )  # fmt: skip
    body.append(
        Html('<text x="{}" y="{}" text-anchor="middle" fill="{}">{}</text>').format(
            _n((x0 + x1) / 2), _n(y0 + 34), MUTED, _text(x_label)
        )
    )
    body.append(
        Html(
            '<text transform="translate(14 {}) rotate(-90)" text-anchor="middle" fill="{}">'
            "{}</text>"
        ).format(_n((y0 + y1) / 2), MUTED, _text(y_label))
    )
    if x_target is not None:
        body.append(
            Html(
                '<line x1="{x}" x2="{x}" y1="{}" y2="{}" stroke="{}" stroke-width="1.5" '
                'stroke-dasharray="5 4"/>'
            ).format(_n(y0), _n(y1), TARGET, x=_n(sx(x_target)))
        )
    if y_target is not None:
        body.append(
            Html(
                '<line x1="{}" x2="{}" y1="{y}" y2="{y}" stroke="{}" stroke-width="1.5" '
                'stroke-dasharray="5 4"/>'
            ).format(_n(x0), _n(x1), TARGET, y=_n(sy(y_target)))
        )
    # Hundreds of dots a page, of numbers alone: nothing in them to escape.
    body.append(
        Html(
            "".join(
                f'<circle cx="{_n(sx(x))}" cy="{_n(sy(y))}" r="2.5" fill="#afb8c1" '
                'fill-opacity="0.7"/>'
                for x, y in peers
            )
        )
    )
    for point in own:
        style = VERDICT_STYLES.get(point.verdict, VERDICT_STYLES["other"])
        body.append(_marker(sx(point.x), sy(point.y), style, size=5.5, title=point.tip))
        if point.label:
            # Beside the point, on the side with room for it.
            right = sx(point.x) < x1 - 40
            body.append(
                Html(
                    '<text x="{}" y="{}" text-anchor="{}" fill="{}" font-size="11" '
                    'font-weight="600">{}</text>'
                ).format(
                    _n(sx(point.x) + (8 if right else -8)), _n(sy(point.y) - 6),
                    "start" if right else "end", INK, _text(point.label),
                )
            )  # fmt: skip
    shown = sorted({p.verdict or "other" for p in own}, key=list(VERDICT_STYLES).index)
    legend = [(VERDICT_NAMES[v], _marker(9, 0, VERDICT_STYLES[v], 4.5)) for v in shown]
    legend.append(("other clients' months", Html('<circle cx="9" cy="0" r="3" fill="#afb8c1"/>')))
    if x_target is not None or y_target is not None:
        legend.append(("target", _target_swatch()))
    body += _legend(legend)
    return _frame(chart_id, title, desc, body)
