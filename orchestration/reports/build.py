"""The monthly service reviews: one self-contained HTML page per client-month.

`build_reports` reads a built warehouse (read-only) and writes

- `<out_dir>/<YYYY-MM>/<client_id>.html`: the review of a client-month without a hold;
- `<out_dir>/<YYYY-MM>/index.html`: every client of the month, published or held (with
  the reasons from `publication_holds`);
- `<out_dir>/index.html`: the months;
- `<out_dir>/pages.json`: the key of every review, a digest of what it shows.

A review is a function of its figures: given the reviews of the previous release, one
whose key did not change is carried forward (hard-linked, else copied) instead of being
rendered again, so a nightly run renders the pages of the months it changed. The run
that published a release is named in its indexes and its `publication.json`, not in the
reviews.

Pages need no network, no script and nothing beside themselves: charts are inline SVG,
styles inline, and a Content-Security-Policy refuses anything else. Every figure is a
`<data>` element holding the warehouse's exact value and naming its column.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import cache
from pathlib import Path
from typing import Any

from markupsafe import Markup

from orchestration.files import link_or_copy
from orchestration.publish import closed_months
from orchestration.reports import charts
from orchestration.reports.facts import ClientMonth, Facts, Row, read_facts
from orchestration.reports.wording import (
    NO_FIGURE,
    breach_reason,
    day_and_time,
    duration,
    hours,
    local,
    long_date,
    metric_name,
    month_key,
    month_name,
    number,
    percent,
    score,
    short_day_and_time,
    short_month,
)
from orchestration.static_html import CONTENT_SECURITY_POLICY, Html, jinja_environment

TEMPLATES_DIR = Path(__file__).parent / "templates"
# The key of every review of a release, beside its pages.
PAGES_MANIFEST = "pages.json"
TREND_MONTHS = 12
PRIORITIES = ("P1", "P2", "P3", "P4")
METRICS = ("first_response", "resolution")
XLA_METRICS = (
    # metric of xla_targets.csv, label, value column, status column, responses column
    ("happiness", "Happiness (csat)", "happiness", "happiness_target_status", "csat_responses"),
    ("nps", "Net promoter score", "nps", "nps_target_status", "nps_responses"),
    (
        "avg_lost_time_minutes",
        "Average time lost per ticket (minutes)",
        "avg_lost_time_minutes",
        "lost_time_target_status",
        "csat_responses",
    ),
    (
        "negative_follow_up_pct",
        "Negative answers followed up in time",
        "negative_follow_up_pct",
        "follow_up_target_status",
        "negative_responses",
    ),
)
COMPARATORS = {">=": "≥", "<=": "≤"}
# Each XLA metric's low-confidence flag in `fct_client_months`, and the survey whose
# response rate it was judged on.
LOW_CONFIDENCE = {
    "happiness": ("happiness_is_low_confidence", "csat"),
    "nps": ("nps_is_low_confidence", "nps"),
    "avg_lost_time_minutes": ("lost_time_is_low_confidence", "csat"),
    "negative_follow_up_pct": ("follow_up_is_low_confidence", "csat"),
}
# The metrics a review compares with the tier's other clients: metric of
# `fct_client_month_peer_benchmarks`, label, and how its value reads.
BENCHMARKS = "fct_client_month_peer_benchmarks"
BENCHMARK_METRICS: tuple[tuple[str, str, Callable[[float | None], str]], ...] = (
    ("happiness", "Happiness (csat)", score),
    ("nps", "Net promoter score", score),
    ("avg_lost_time_minutes", "Average time lost per ticket (minutes)", number),
    ("sla_attainment_pct", "SLA attainment, all clocks", percent),
)


def page_name(client_id: str) -> str:
    """A client's file name: its id, with anything but letters, digits, `_` and `-`
    spelled out (`~2e` for `.`), so an id can never leave its month's folder."""
    return re.sub(r"[^A-Za-z0-9_-]", lambda m: f"~{ord(m.group()):02x}", client_id) + ".html"


@dataclass(frozen=True)
class Figure:
    """A number as the page shows it, with the warehouse's exact value and its source."""

    value: Any
    text: str
    source: str

    @classmethod
    def of(cls, row: Row, table: str, column: str, fmt: Callable[[Any], str]) -> Figure:
        """`row[column]` of `table`, shown with `fmt`."""
        return cls(row[column], fmt(row[column]), f"{table}.{column}")

    def __html__(self) -> str:
        exact = "" if self.value is None else repr(self.value)
        return str(
            Html('<data value="{}" data-source="{}" title="{}">{}</data>').format(
                exact, self.source, self.source, self.text
            )
        )


@dataclass
class MonthStatus:
    """One client in a month's index."""

    client: Row
    row: Row
    page: str | None
    holds: list[Row] = field(default_factory=list)
    # The local date the month's figures were first reported (its page is kept as it
    # was then), and the restatements of them since, in words.
    reported_on: str | None = None
    restated: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Trend:
    """A client's months up to a review's month, as its charts show them."""

    client_id: str
    month: date
    months: list[date]
    held: set[date]
    rows: list[Row | None]  # None for a held month: its figures are not shown
    span: str

    def series(self, column: str) -> list[float | None]:
        return [None if row is None else row[column] for row in self.rows]

    def spoken(self, values: list[float | None], fmt: Callable[[float | None], str]) -> str:
        """The values in words, for a chart's description."""
        return ", ".join(
            f"{short_month(m)} {m.year} {'held' if m in self.held else fmt(v)}"
            for m, v in zip(self.months, values, strict=True)
        )


def _trend_months(facts: Facts, client_id: str, month: date) -> list[date]:
    """The months of the client up to `month`, at most TREND_MONTHS, oldest first."""
    found: list[date] = []
    candidate = month
    while len(found) < TREND_MONTHS and (client_id, candidate) in facts.client_months:
        found.append(candidate)
        candidate = (candidate - timedelta(days=1)).replace(day=1)
    return found[::-1]


# A negative response's follow-up (`fct_survey_follow_ups.follow_up_state`): what the
# review says of it, and how it is marked.
FOLLOW_UP_STATES = {
    "in_time": ("in time", "met"),
    "late": ("late", "missed"),
    "still_due": ("not yet, still due", "open"),
    "not_followed_up": ("not followed up", "missed"),
}


def hotspot_group(dimension: str, value: str | None) -> str:
    """A hotspot's group of tickets in words: `category network`, `priority P2`, `team
    service desk`, `no team`."""
    if value is None or value == "(none)":
        return f"no {dimension}"
    return f"{dimension} {value.replace('_', ' ')}"


def _minutes(value: float | None) -> str:
    """Minutes as hours and minutes, a dash for none."""
    return NO_FIGURE if value is None else duration(value)


def page_counts(statuses: list[MonthStatus]) -> dict[str, int]:
    """A month's clients by what their review page is: published, held, month to date."""
    return {
        "published": len([s for s in statuses if s.page]),
        "held": len([s for s in statuses if not s.page]),
        "month_to_date": len([s for s in statuses if not s.row["is_month_complete"]]),
        "reported": len([s for s in statuses if s.reported_on]),
    }


class ReportBuilder:
    """Renders the pages of one build's facts."""

    def __init__(
        self, facts: Facts, run_id: str | None, closed: closed_months.History | None = None
    ) -> None:
        self.facts = facts
        self.run_id = run_id
        self.closed = closed
        self.env = jinja_environment(TEMPLATES_DIR)
        self.peers = self._quadrant_points()
        self._peer_digests: dict[tuple[str, date], str] = {}
        # The restatements by client, and each publication's place in the history: read
        # once, not for every page.
        self._order = {r.run_id: i for i, r in enumerate(closed.records)} if closed else {}
        self._restated: dict[str, list[closed_months.Restatement]] = defaultdict(list)
        for restatement in closed.restatements() if closed else []:
            self._restated[restatement.client_id].append(restatement)

    def _quadrant_points(self) -> dict[tuple[str, date], list[tuple[str, float, float]]]:
        """Every client-month without a hold that has an SLA attainment and a happiness,
        by contract tier and month."""
        found: dict[tuple[str, date], list[tuple[str, float, float]]] = defaultdict(list)
        for (client_id, month), row in self.facts.client_months.items():
            x, y = row.get("sla_attainment_pct"), row["happiness"]
            if x is None or y is None or self.facts.is_held(client_id, month):
                continue
            found[(row["contract_tier"], month)].append((client_id, x, y))
        return found

    # --- figures ------------------------------------------------------------------

    def _sla_targets(self, tier: str) -> dict[str, list[float]]:
        return {metric: self.facts.sla_targets.get((tier, metric), []) for metric in METRICS}

    def _sla_target_text(self, targets: list[float]) -> str:
        if not targets:
            return "no policy"
        if len(targets) == 1:
            return f"target {percent(targets[0])}"
        return f"targets {number(targets[0])} to {percent(targets[-1])} by priority"

    def _headline(self, row: Row, tier: str) -> dict[str, Any]:
        targets = self._sla_targets(tier)
        sla = [
            {
                "metric": metric_name(metric).capitalize(),
                "attainment": Figure(
                    row[f"{metric}_attainment_pct"],
                    percent(row[f"{metric}_attainment_pct"]),
                    f"fct_client_months.{metric}_attainment_pct",
                ),
                "met": Figure(
                    row[f"{metric}_clocks_met"],
                    str(row[f"{metric}_clocks_met"]),
                    f"fct_client_months.{metric}_clocks_met",
                ),
                "stopped": Figure(
                    row[f"{metric}_clocks_stopped"],
                    str(row[f"{metric}_clocks_stopped"]),
                    f"fct_client_months.{metric}_clocks_stopped",
                ),
                "target": self._sla_target_text(targets[metric]),
            }
            for metric in METRICS
        ]
        xla = []
        for metric, label, value_column, status_column, responses_column in XLA_METRICS:
            target = self.facts.xla_targets.get((tier, metric))
            value = row[value_column]
            shown = (
                percent(value)
                if metric == "negative_follow_up_pct"
                else score(value)
                if metric in ("happiness", "nps")
                else number(value)
            )
            xla.append(
                {
                    "label": label,
                    "value": Figure(value, shown, f"fct_client_months.{value_column}"),
                    "target": (
                        f"{COMPARATORS.get(target['comparator'], target['comparator'])} "
                        f"{number(float(target['target']))}"
                        if target
                        else None
                    ),
                    "responses": Figure(
                        row[responses_column],
                        str(row[responses_column]),
                        f"fct_client_months.{responses_column}",
                    ),
                    "min_responses": target["min_responses"] if target else None,
                    "status": row[status_column] or "no target",
                    **self._confidence(row, metric),
                }
            )
        return {"sla": sla, "xla": xla, "surveys": self._surveys(row)}

    def _confidence(self, row: Row, metric: str) -> dict[str, Any]:
        """The response rate an XLA metric was judged on, and whether it is too low to
        trust the verdict (`fct_client_months.<metric>_is_low_confidence`)."""
        flag_column, survey = LOW_CONFIDENCE[metric]
        rate_column = f"{survey}_response_rate_pct"
        if rate_column not in row:
            return {"rate": None, "low_confidence": False}
        return {
            "rate": Figure.of(row, "fct_client_months", rate_column, percent),
            "low_confidence": bool(row.get(flag_column)),
        }

    def _surveys(self, row: Row) -> dict[str, Any] | None:
        """The month's surveys sent and answered, in all and per type; None when the
        build has no response rates."""
        if "surveys_sent" not in row:
            return None

        def figure(column: str, fmt: Callable[[Any], str]) -> Figure:
            return Figure.of(row, "fct_client_months", column, fmt)

        return {
            "sent": figure("surveys_sent", str),
            "answered": figure("surveys_answered", str),
            "rate": figure("response_rate_pct", percent),
            "by_type": [
                {
                    "name": survey,
                    "sent": figure(f"{survey}_surveys_sent", str),
                    "answered": figure(f"{survey}_surveys_answered", str),
                }
                for survey in ("csat", "nps")
                if row[f"{survey}_surveys_sent"]
            ],
            "low_confidence_below": self.facts.settings.get("low_confidence_response_rate_pct"),
        }

    def _policies(self, key: ClientMonth) -> list[dict[str, Any]]:
        return [
            {
                "priority": policy["priority"],
                "metric": metric_name(policy["metric"]),
                "stopped": Figure(
                    policy["clocks_stopped"],
                    str(policy["clocks_stopped"]),
                    "fct_client_month_sla_policies.clocks_stopped",
                ),
                "met": Figure(
                    policy["clocks_met"],
                    str(policy["clocks_met"]),
                    "fct_client_month_sla_policies.clocks_met",
                ),
                "attainment": Figure(
                    policy["attainment_pct"],
                    percent(policy["attainment_pct"]),
                    "fct_client_month_sla_policies.attainment_pct",
                ),
                "target": percent(policy["attainment_target_pct"]),
                "attained": policy["is_attained"],
            }
            for policy in sorted(
                self.facts.sla_policies.get(key, []),
                key=lambda p: (METRICS.index(p["metric"]) if p["metric"] in METRICS else 9,
                               p["priority"] or ""),
            )
        ]  # fmt: skip

    # --- charts -------------------------------------------------------------------

    def _trend(self, client_id: str, month: date) -> Trend:
        months = _trend_months(self.facts, client_id, month)
        held = {m for m in months if self.facts.is_held(client_id, m)}
        span = (
            f"{month_name(months[0])} to {month_name(months[-1])}"
            if len(months) > 1
            else f"{month_name(month)}, the first month of the client in the warehouse"
        )
        return Trend(
            client_id=client_id,
            month=month,
            months=months,
            held=held,
            rows=[None if m in held else self.facts.client_months[(client_id, m)] for m in months],
            span=span,
        )

    def _sla_chart(self, trend: Trend, tier: str) -> Markup:
        targets = sorted({t for ts in self._sla_targets(tier).values() for t in ts})
        first = trend.series("first_response_attainment_pct")
        resolution = trend.series("resolution_attainment_pct")
        return charts.line_chart(
            "chart-sla",
            title=f"SLA attainment per month, {trend.span}",
            desc=(
                f"Share of SLA clocks met of those stopped each month. First response: "
                f"{trend.spoken(first, percent)}. Resolution: "
                f"{trend.spoken(resolution, percent)}. "
                f"{self._sla_target_text(targets).capitalize()}."
            ),
            months=trend.months,
            series=[
                charts.Series("first response", first, charts.SERIES_STYLES[0]),
                charts.Series("resolution", resolution, charts.SERIES_STYLES[1]),
            ],
            y_range=charts.percent_range(first + resolution, targets),
            y_label="clocks met (%)",
            value_format=percent,
            targets=[charts.TargetLine(t, f"target {percent(t)}") for t in targets],
            highlight=trend.month,
            held=trend.held,
        )

    def _experience_chart(self, trend: Trend, tier: str) -> Markup:
        happiness, nps = trend.series("happiness"), trend.series("nps")
        lines = []
        for metric in ("happiness", "nps"):
            target = self.facts.xla_targets.get((tier, metric))
            if target:
                value = float(target["target"])
                lines.append(charts.TargetLine(value, f"{metric} target {score(value)}"))
        return charts.line_chart(
            "chart-experience",
            title=f"Happiness and net promoter score per month, {trend.span}",
            desc=(
                f"Scores from -100 to +100 (share of 9-10 minus share of 0-6). Happiness: "
                f"{trend.spoken(happiness, score)}. Net promoter score: "
                f"{trend.spoken(nps, score)}. "
                + " ".join(f"{line.label.capitalize()}." for line in lines)
            ),
            months=trend.months,
            series=[
                charts.Series("happiness", happiness, charts.SERIES_STYLES[0]),
                charts.Series("nps", nps, charts.SERIES_STYLES[1]),
            ],
            y_range=(-100, 100),
            y_label="score",
            value_format=score,
            targets=lines,
            highlight=trend.month,
            held=trend.held,
        )

    def _volume(self, trend: Trend) -> dict[str, list[int]]:
        """Tickets opened per priority and month (none shown for a held month)."""
        counts = [
            {} if m in trend.held else self.facts.tickets_by_priority.get((trend.client_id, m), {})
            for m in trend.months
        ]
        others = sorted({p for month in counts for p in month if p not in PRIORITIES})
        return {p: [month.get(p, 0) for month in counts] for p in (*PRIORITIES, *others)}

    def _volume_chart(self, trend: Trend, volume: dict[str, list[int]]) -> Markup:
        spoken = "; ".join(
            f"{short_month(m)} {m.year} "
            + (
                "held"
                if m in trend.held
                else ", ".join(f"{p} {counts[i]}" for p, counts in volume.items() if counts[i])
                or "none"
            )
            for i, m in enumerate(trend.months)
        )
        return charts.stacked_bars(
            "chart-volume",
            title=f"Tickets opened per month by priority, {trend.span}",
            desc=f"Tickets opened each month: {spoken}.",
            months=trend.months,
            stacks=volume,
            totals=[int(row["tickets_opened"]) if row else 0 for row in trend.rows],
            y_label="tickets opened",
            highlight=trend.month,
            held=trend.held,
        )

    def _quadrant_chart(self, trend: Trend, tier: str) -> Markup:
        own = [
            charts.QuadrantPoint(
                row["sla_attainment_pct"],
                row["happiness"],
                label=short_month(m) if m == trend.month else "",
                tip=(
                    f"{month_name(m)}: SLA attainment {percent(row['sla_attainment_pct'])}, "
                    f"happiness {score(row['happiness'])}"
                ),
                verdict=self.facts.reviews.get((trend.client_id, m), {}).get(
                    "review_verdict", "other"
                ),
            )
            for m, row in zip(trend.months, trend.rows, strict=True)
            if row is not None
            and row["sla_attainment_pct"] is not None
            and row["happiness"] is not None
        ]
        peers = [
            (x, y)
            for m in trend.months
            for other, x, y in self.peers.get((tier, m), [])
            if other != trend.client_id
        ]
        sla_targets = [t for ts in self._sla_targets(tier).values() for t in ts]
        happiness_target = self.facts.xla_targets.get((tier, "happiness"))
        return charts.quadrant(
            "chart-quadrant",
            title=f"Watermelon quadrant: SLA attainment and happiness, {trend.span}",
            desc=(
                f"Each dot is a client-month of the {tier} tier: SLA attainment (share of "
                f"clocks met) across, happiness up. This client's months are coloured; "
                f"{len(peers)} months of other clients are grey. Bottom right, shaded, is "
                f"the watermelon zone: SLA attained but happiness below target. "
                + "; ".join(p.tip for p in own)
                + "."
            ),
            peers=peers,
            own=own,
            x_target=max(sla_targets) if sla_targets else None,
            y_target=float(happiness_target["target"]) if happiness_target else None,
            x_label="SLA attainment, all clocks stopped in the month (%)",
            y_label="happiness",
        )

    def _charts(self, client_id: str, month: date, tier: str) -> dict[str, Any]:
        trend = self._trend(client_id, month)
        volume = self._volume(trend)
        return {
            "sla": self._sla_chart(trend, tier),
            "experience": self._experience_chart(trend, tier),
            "volume": self._volume_chart(trend, volume),
            "quadrant": self._quadrant_chart(trend, tier),
            "table": [
                {
                    "month": m,
                    "held": m in trend.held,
                    "row": row,
                    "tickets": row["tickets_opened"] if row else 0,
                }
                for m, row in zip(trend.months, trend.rows, strict=True)
            ],
            "span": trend.span,
        }

    # --- sections -----------------------------------------------------------------

    def _breaches(self, key: ClientMonth, timezone: str | None) -> dict[str, list[Row]]:
        counted, running = [], []
        for clock in self.facts.breaches.get(key, []):
            item = {
                "ticket_id": clock["ticket_id"],
                "priority": clock["priority"],
                "subject": clock["subject"],
                "metric": metric_name(clock["metric"]),
                "reason": breach_reason(clock, self.facts.as_of),
                "breached": short_day_and_time(clock["breached_at"], timezone),
            }
            (counted if clock["stopped_at"] is not None else running).append(item)
        return {"counted": counted, "running": running}

    def _hotspots(self, key: ClientMonth) -> list[dict[str, Any]]:
        """The groups of tickets where the experience hurt most this month, worst first."""

        def figure(spot: Row, column: str, fmt: Callable[[Any], str]) -> Figure:
            return Figure.of(spot, "fct_xla_hotspots", column, fmt)

        return [
            {
                "group": hotspot_group(spot["dimension"], spot["dimension_value"]),
                "responses": figure(spot, "csat_responses", str),
                "happiness": figure(spot, "happiness", score),
                "target": score(spot["happiness_target"]),
                "has_target": spot["happiness_target"] is not None,
                "gap": figure(spot, "happiness_gap", number),
                "impact": figure(spot, "happiness_impact", number),
                "lost": figure(spot, "lost_minutes", duration),
                "lost_responses": spot["lost_time_responses"],
                "average": figure(spot, "avg_lost_time_minutes", _minutes),
            }
            for spot in self.facts.hotspots.get(key, [])
        ]

    def _concentration(self, key: ClientMonth) -> dict[str, Any]:
        """The share of the month's lost time its worst 10 % of tickets carried, for the
        client and over every client of the MSP."""

        def read(row: Row | None) -> dict[str, Any] | None:
            if row is None or not row["answered_tickets"]:
                return None

            def figure(column: str, fmt: Callable[[Any], str]) -> Figure:
                return Figure.of(row, "fct_lost_time_concentration", column, fmt)

            return {
                "tickets": figure("answered_tickets", str),
                "worst": figure("worst_tickets", str),
                "lost": figure("lost_minutes", duration),
                "worst_lost": figure("worst_lost_minutes", duration),
                "share": figure("worst_share_pct", percent),
                "any_lost": row["worst_share_pct"] is not None,
            }

        return {
            "client": read(self.facts.concentration.get(key)),
            "msp": read(self.facts.msp_concentration.get(key[1])),
        }

    def _benchmarks(self, key: ClientMonth, tier: str) -> list[dict[str, Any]]:
        """Each compared metric's percentile among the tier's clients that month, or why
        there is none."""
        rows = self.facts.benchmarks.get(key, {})
        found = []
        for metric, label, fmt in BENCHMARK_METRICS:
            row = rows.get(metric)
            if row is None:
                continue
            peers = int(row["peers"])
            percentile = row["percentile"]
            if row["metric_value"] is None:
                standing = "no figure this month"
            elif percentile is None:
                standing = (
                    f"too few peers: {peers} {tier} client{'s' if peers != 1 else ''} with a "
                    f"figure, {row['peer_min_clients']} needed"
                )
            else:
                standing = None
            found.append(
                {
                    "label": label,
                    "value": Figure.of(row, BENCHMARKS, "metric_value", fmt),
                    "percentile": Figure.of(row, BENCHMARKS, "percentile", percent),
                    "peers": Figure.of(row, BENCHMARKS, "peers", str),
                    "others": peers - 1,
                    "standing": standing,
                }
            )
        return found

    def _negatives(self, key: ClientMonth, timezone: str | None) -> list[dict[str, Any]]:
        found = []
        for response in self.facts.negatives.get(key, []):
            status, verdict = FOLLOW_UP_STATES[response["follow_up_state"]]
            found.append(
                {
                    **response,
                    "responded": short_day_and_time(response["responded_at"], timezone),
                    "followed": short_day_and_time(response["follow_up_at"], timezone),
                    "due": short_day_and_time(response["follow_up_due_at"], timezone),
                    "status": status,
                    "verdict": verdict,
                }
            )
        return found

    def _effort(self, key: ClientMonth) -> dict[str, Any]:
        totals = self.facts.reviews.get(key)

        def figure(column: str, fmt: Any) -> Figure:
            value = totals[column] if totals else 0
            return Figure(value, fmt(value), f"fct_client_month_reviews.{column}")

        return {
            "hours_worked": figure("hours_worked", hours),
            "hours_billed": figure("hours_billed", hours),
            "billable_hours_billed": figure("billable_hours_billed", hours),
            "tickets": figure("effort_tickets", str),
            "timeslips": figure("timeslips", str),
            "top": [
                {**t, "worked": hours(t["hours_worked"]), "billed": hours(t["hours_billed"])}
                for t in self.facts.effort_tickets.get(key, [])
            ],
        }

    def _history_note(self, month: date, timezone: str | None) -> str | None:
        start = self.facts.history_start
        if start is None:
            return None
        wall = local(start, timezone)
        if (wall.year, wall.month) == (month.year, month.month) and (
            wall.day,
            wall.hour,
            wall.minute,
        ) != (1, 0, 0):
            return (
                f"The warehouse's records begin on {day_and_time(start, timezone)}: this "
                "month holds only what happened since."
            )
        return None

    def _restatement_notes(self, client_id: str, month: date) -> list[str]:
        """The restatements of the client's earlier months that its next review reports:
        those made since the month before this one was reported (every one, if it was
        not), so each is told in one review, the first one after it."""
        if self.closed is None:
            return []
        order = self._order
        previous = (month.replace(day=1) - timedelta(days=1)).replace(day=1).isoformat()
        reported_by = self.closed.reported.get((client_id, previous))
        since = order.get(reported_by, -1) if reported_by else -1
        return closed_months.told(
            r
            for r in self._restated.get(client_id, [])
            if r.month < month.isoformat() and order.get(r.run_id, -1) >= since
        )

    def _as_of_text(self, timezone: str | None) -> str:
        as_of = self.facts.as_of
        if as_of is None:
            return "unknown"
        wall = local(as_of, timezone)
        text = f"{long_date(wall.date())} {wall.year} {wall:%H:%M}"
        return text if timezone else f"{text} UTC"

    # --- keys ---------------------------------------------------------------------

    def page_key(self, client_id: str, month: date) -> str:
        """A digest of everything the review of a client-month shows: its rows and its
        trend's, the client, its tier's targets and peers, its breaches, answers, effort,
        hotspots, lost-time concentration (its own and the MSP's) and standing among its
        peers, its restatements, and the code that draws it. `as_of` counts only where the page
        tells it as part of a figure: a month still running, or a clock still running."""
        key = (client_id, month)
        row = self.facts.client_months[key]
        client = self.facts.clients.get(client_id)
        tier = row["contract_tier"] or (client or {}).get("contract_tier") or ""
        months = _trend_months(self.facts, client_id, month)
        breaches = self.facts.breaches.get(key, [])
        tells_as_of = not row["is_month_complete"] or any(
            clock["stopped_at"] is None for clock in breaches
        )
        inputs = {
            "code": _code_digest(),
            "client": client,
            "tier": tier,
            "trend": [
                [
                    m,
                    self.facts.client_months[(client_id, m)],
                    self.facts.is_held(client_id, m),
                    self.facts.tickets_by_priority.get((client_id, m)),
                    self.facts.reviews.get((client_id, m)),
                    # Every point of the tier's month, the client's own among them (the
                    # page leaves it out; the row above holds it): one digest per month
                    # and tier, shared by the tier's pages.
                    self._peers_digest(tier, m),
                ]
                for m in months
            ],
            "sla_targets": self._sla_targets(tier),
            "xla_targets": [self.facts.xla_targets.get((tier, m[0])) for m in XLA_METRICS],
            "policies": self.facts.sla_policies.get(key, []),
            "breaches": breaches,
            "negatives": self.facts.negatives.get(key, []),
            "effort_tickets": self.facts.effort_tickets.get(key, []),
            "hotspots": self.facts.hotspots.get(key, []),
            "concentration": self.facts.concentration.get(key),
            "msp_concentration": self.facts.msp_concentration.get(month),
            "benchmarks": self.facts.benchmarks.get(key, {}),
            "low_confidence_below": self.facts.settings.get("low_confidence_response_rate_pct"),
            "history_start": self.facts.history_start,
            "as_of": self.facts.as_of if tells_as_of else None,
            "restatements": self._restatement_notes(client_id, month),
        }
        text = json.dumps(inputs, sort_keys=True, default=repr, separators=(",", ":"))
        return hashlib.sha256(text.encode()).hexdigest()

    def _peers_digest(self, tier: str, month: date) -> str:
        found = self._peer_digests.get((tier, month))
        if found is None:
            text = json.dumps(self.peers.get((tier, month), []), default=repr)
            found = self._peer_digests[(tier, month)] = hashlib.sha256(text.encode()).hexdigest()
        return found

    # --- pages --------------------------------------------------------------------

    def report(self, client_id: str, month: date) -> str:
        """The review of one client-month."""
        key = (client_id, month)
        row = self.facts.client_months[key]
        client = self.facts.clients.get(client_id, {"client_id": client_id})
        timezone = client.get("timezone")
        tier = row["contract_tier"] or client.get("contract_tier") or ""
        return self.env.get_template("report.html.j2").render(
            csp=CONTENT_SECURITY_POLICY,
            client=client,
            month=month,
            month_title=month_name(month),
            row=row,
            tier=tier,
            timezone=timezone or "UTC",
            month_to_date=not row["is_month_complete"],
            as_of_text=self._as_of_text(timezone),
            history_note=self._history_note(month, timezone),
            restatements=self._restatement_notes(client_id, month),
            headline=self._headline(row, tier),
            policies=self._policies(key),
            charts=self._charts(client_id, month, tier),
            breaches=self._breaches(key, timezone),
            negatives=self._negatives(key, timezone),
            effort=self._effort(key),
            hotspots=self._hotspots(key),
            concentration=self._concentration(key),
            benchmarks=self._benchmarks(key, tier),
            fmt={"percent": percent, "score": score, "month": month_name},
        )

    def month_index(self, month: date, statuses: list[MonthStatus]) -> str:
        """Every client of a month: its review, or why it is held."""
        return self.env.get_template("month_index.html.j2").render(
            csp=CONTENT_SECURITY_POLICY,
            month=month,
            month_title=month_name(month),
            statuses=statuses,
            **page_counts(statuses),
            as_of_text=self._as_of_text(None),
            run_id=self.run_id,
        )

    def top_index(self, months: list[dict[str, Any]]) -> str:
        """The months with reviews."""
        return self.env.get_template("index.html.j2").render(
            csp=CONTENT_SECURITY_POLICY,
            months=months,
            as_of_text=self._as_of_text(None),
            run_id=self.run_id,
        )


class Reviews(list[Path]):
    """The reviews `build_reports` wrote, and how many of them it rendered: the others
    were kept pages or carried forward from the previous release."""

    def __init__(self, pages: Iterable[Path], rendered: int) -> None:
        super().__init__(pages)
        self.rendered = rendered


def build_reports(
    out_dir: Path,
    *,
    warehouse: Path,
    months: Iterable[date] | None = None,
    run_id: str | None = None,
    closed: closed_months.History | None = None,
    kept_root: Path | None = None,
    previous: Path | None = None,
) -> Reviews:
    """Write the service reviews of a built warehouse into `out_dir`; return the reviews.

    `months` are first days of months; without them, every month of
    `fct_client_months` (which ends at the month of `as_of`). For each month, every
    client with a row: a review when the client-month has no hold, and a line in the
    month's index either way. `warehouse` is opened read-only and closed before the
    pages are written; `run_id` names the run on the indexes.

    With `previous` (the reviews folder of the release before), a review whose key
    (`ReportBuilder.page_key`) equals the one recorded there is that release's page,
    linked rather than rendered; `pages.json` records every review's key.

    With `closed` (the record of closed months), the review of a month already reported
    is the page kept when it was first reported (under `kept_root`), byte for byte; the
    month's index says when it was reported and lists its restatements beside it.
    """
    facts = read_facts(warehouse)
    wanted = sorted(set(months)) if months is not None else facts.months()
    builder = ReportBuilder(facts, run_id, closed)
    kept = closed.kept_pages() if closed is not None and kept_root is not None else {}
    reported = closed.reported if closed is not None else {}
    restated: dict[tuple[str, str], list[closed_months.Restatement]] = defaultdict(list)
    for restatement in closed.restatements() if closed is not None else []:
        restated[(restatement.client_id, restatement.month)].append(restatement)
    out_dir.mkdir(parents=True, exist_ok=True)
    by_month: dict[date, list[str]] = defaultdict(list)
    for client_id, month in facts.client_months:
        by_month[month].append(client_id)
    written: list[Path] = []
    summary = []
    keys: dict[str, str] = {}
    earlier_keys = _page_keys(previous) if previous is not None else {}
    rendered = 0
    for month in wanted:
        folder = out_dir / month_key(month)
        folder.mkdir(parents=True, exist_ok=True)
        statuses = []
        for client_id in sorted(by_month.get(month, [])):
            row = facts.client_months[(client_id, month)]
            client = facts.clients.get(client_id, {"client_id": client_id, "client_name": None})
            holds = facts.holds.get((client_id, month), [])
            page = None
            key = (client_id, month.isoformat())
            first_run = reported.get(key)
            if not holds or first_run:
                page = page_name(client_id)
                path = folder / page
                relative = f"{month_key(month)}/{page}"
                if relative in kept and kept_root is not None:
                    _carry(kept_root / kept[relative], path)
                else:
                    keys[relative] = builder.page_key(client_id, month)
                    unchanged = earlier_keys.get(relative) == keys[relative]
                    if not (unchanged and previous and _carry(previous / relative, path)):
                        path.write_text(builder.report(client_id, month), encoding="utf-8")
                        rendered += 1
                written.append(path)
            statuses.append(
                MonthStatus(
                    client=client,
                    row=row,
                    page=page,
                    holds=holds,
                    reported_on=(
                        closed.published_at.get(first_run, "")[:10] or "now"
                        if closed is not None and first_run
                        else None
                    ),
                    restated=closed_months.told(restated.get(key, [])),
                )
            )
        (folder / "index.html").write_text(builder.month_index(month, statuses), encoding="utf-8")
        summary.append(
            {
                "month": month,
                "title": month_name(month),
                "href": f"{month_key(month)}/index.html",
                "clients": len(statuses),
                **page_counts(statuses),
            }
        )
    (out_dir / "index.html").write_text(
        builder.top_index(sorted(summary, key=lambda m: m["month"], reverse=True)),
        encoding="utf-8",
    )
    (out_dir / PAGES_MANIFEST).write_text(
        json.dumps({"pages": keys}, indent=1, sort_keys=True), encoding="utf-8"
    )
    return Reviews(written, rendered=rendered)


def _page_keys(folder: Path) -> dict[str, str]:
    """The keys of the reviews in a reviews folder; none when it has no readable record."""
    try:
        pages = json.loads((folder / PAGES_MANIFEST).read_text(encoding="utf-8"))["pages"]
    except (OSError, ValueError, KeyError, TypeError):
        return {}
    return {str(k): str(v) for k, v in pages.items()} if isinstance(pages, dict) else {}


def _carry(source: Path, path: Path) -> bool:
    """Put `source` at `path` as it is: a hard link when the file system allows, else a
    copy. False when there is no `source` to carry."""
    if not source.is_file():
        return False
    link_or_copy(source, path)
    return True


@cache
def _code_digest() -> str:
    """A digest of the code that draws a review: this package's modules and templates
    and the shared page helpers."""
    digest = hashlib.sha256()
    for root in (Path(__file__).parent, Path(__file__).parent.parent / "static_html"):
        for path in sorted(root.rglob("*")):
            if path.is_file() and path.suffix in (".py", ".j2"):
                digest.update(path.relative_to(root.parent).as_posix().encode())
                digest.update(path.read_bytes())
    return digest.hexdigest()
