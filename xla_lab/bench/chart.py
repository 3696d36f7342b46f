"""The benchmark's chart: run time and peak memory against scale factor, as SVG.

Two panels side by side, the scale factor across on a log scale: wall seconds of the
floor, the full run and the one-day incremental run; peak memory (GB) of the full and
the incremental run. Each point is labelled with its value, so the chart reads without
the table beside it.
"""

from __future__ import annotations

import math
from html import escape

WIDTH, HEIGHT = 880, 340
PANEL_WIDTH = 400
MARGIN_LEFT, MARGIN_RIGHT, MARGIN_TOP, MARGIN_BOTTOM = 60, 20, 50, 60
# (label, stroke, dash) per series
STYLES = {
    "floor": ("floor (DuckDB loads the CSV)", "#8c959f", "2 4"),
    "full": ("full run", "#0969da", ""),
    "incremental": ("one-day incremental run", "#bc4c00", "6 4"),
}

Points = dict[str, list[tuple[float, float]]]  # series -> (scale, value)


def _nice_top(value: float) -> float:
    """A round number at or above `value` for the top of an axis."""
    if value <= 0:
        return 1.0
    step = 10 ** math.floor(math.log10(value))
    for multiple in (1, 2, 2.5, 5, 10):
        if value <= multiple * step:
            return multiple * step
    return 10 * step


def _panel(
    left: float, title: str, unit: str, points: Points, scales: list[float], fmt: str
) -> list[str]:
    plot_w = PANEL_WIDTH - MARGIN_LEFT - MARGIN_RIGHT
    plot_h = HEIGHT - MARGIN_TOP - MARGIN_BOTTOM
    values = [v for series in points.values() for _, v in series]
    top = _nice_top(max(values, default=1.0))
    low, high = math.log10(min(scales)), math.log10(max(scales))
    span = (high - low) or 1.0

    def x(scale: float) -> float:
        if high == low:
            return left + MARGIN_LEFT + plot_w / 2
        return left + MARGIN_LEFT + (math.log10(scale) - low) / span * plot_w

    def y(value: float) -> float:
        return MARGIN_TOP + plot_h - value / top * plot_h

    out = [
        f'<text x="{left + PANEL_WIDTH / 2:.1f}" y="24" text-anchor="middle" '
        f'font-weight="600">{escape(title)}</text>',
        f'<line x1="{left + MARGIN_LEFT}" y1="{MARGIN_TOP + plot_h}" '
        f'x2="{left + MARGIN_LEFT + plot_w}" y2="{MARGIN_TOP + plot_h}" stroke="#57606a"/>',
        f'<line x1="{left + MARGIN_LEFT}" y1="{MARGIN_TOP}" x2="{left + MARGIN_LEFT}" '
        f'y2="{MARGIN_TOP + plot_h}" stroke="#57606a"/>',
    ]
    for i in range(5):
        value = top * i / 4
        out.append(
            f'<line x1="{left + MARGIN_LEFT}" y1="{y(value):.1f}" '
            f'x2="{left + MARGIN_LEFT + plot_w}" y2="{y(value):.1f}" stroke="#d0d7de" '
            'stroke-width="0.5"/>'
            f'<text x="{left + MARGIN_LEFT - 6}" y="{y(value) + 4:.1f}" text-anchor="end" '
            f'font-size="11">{value:{fmt}}</text>'
        )
    for scale in scales:
        out.append(
            f'<text x="{x(scale):.1f}" y="{MARGIN_TOP + plot_h + 16}" text-anchor="middle" '
            f'font-size="11">SF{scale:g}</text>'
        )
    out.append(
        f'<text x="{left + MARGIN_LEFT + plot_w / 2:.1f}" y="{HEIGHT - 28}" '
        'text-anchor="middle" font-size="11">scale factor (log scale)</text>'
        f'<text transform="translate({left + 14},{MARGIN_TOP + plot_h / 2:.1f}) rotate(-90)" '
        f'text-anchor="middle" font-size="11">{escape(unit)}</text>'
    )
    for name, series in points.items():
        if not series:
            continue
        _, stroke, dash = STYLES[name]
        path = " ".join(
            f"{'M' if i == 0 else 'L'}{x(s):.1f},{y(v):.1f}" for i, (s, v) in enumerate(series)
        )
        dashed = f' stroke-dasharray="{dash}"' if dash else ""
        out.append(f'<path d="{path}" fill="none" stroke="{stroke}" stroke-width="2"{dashed}/>')
        for s, v in series:
            out.append(
                f'<circle cx="{x(s):.1f}" cy="{y(v):.1f}" r="3" fill="{stroke}"/>'
                f'<text x="{x(s) + 5:.1f}" y="{y(v) - 6:.1f}" font-size="10" '
                f'fill="{stroke}">{v:{fmt}}</text>'
            )
    return out


def render(seconds: Points, peak_gb: Points) -> str:
    """The chart of `seconds` and `peak_gb` by series and scale, as one SVG document."""
    scales = sorted({s for points in (seconds, peak_gb) for p in points.values() for s, _ in p})
    if not scales:
        scales = [1.0]
    legend = []
    for i, name in enumerate(STYLES):
        label, stroke, dash = STYLES[name]
        lx = 80 + i * 250
        dashed = f' stroke-dasharray="{dash}"' if dash else ""
        legend.append(
            f'<line x1="{lx}" y1="{HEIGHT - 10}" x2="{lx + 24}" y2="{HEIGHT - 10}" '
            f'stroke="{stroke}" stroke-width="2"{dashed}/>'
            f'<text x="{lx + 30}" y="{HEIGHT - 6}" font-size="11">{escape(label)}</text>'
        )
    body = [
        *_panel(0, "Wall time", "seconds", seconds, scales, ".0f"),
        *_panel(PANEL_WIDTH + 40, "Peak memory", "GB (process tree)", peak_gb, scales, ".2f"),
        *legend,
    ]
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" '
        f'width="{WIDTH}" height="{HEIGHT}" font-family="system-ui, sans-serif" '
        'role="img" aria-labelledby="title desc">'
        '<title id="title">XLA Warehouse benchmark: run time and peak memory by scale '
        "factor</title>"
        '<desc id="desc">Wall seconds of the floor, the full run and the one-day '
        "incremental run, and peak memory of the full and incremental runs, against the "
        "scale factor.</desc>"
        '<rect width="100%" height="100%" fill="#ffffff"/>' + "".join(body) + "</svg>\n"
    )
