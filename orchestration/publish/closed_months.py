"""Closed months stay as reported: the figures first published for a closed client-month,
and every later change to them as a restatement.

A client-month closes some business days after it ends (`fct_client_month_closes`). The
first publication after that records the month's figures as reported: every column of
`fct_client_months` and the SLA attainment of each policy. A later publication whose
figures for it differ still goes out with the new figures, and records one restatement
per changed figure: the value the month stood at and the publication that stated it,
the new value, and what changed in between (landing files, reference files, code). A
column added to `fct_client_months` since a month was reported is reported with the
next publication, not restated.

The record lives with the audit history (`<audit>/closed_months/`), not in the build: a
full refresh or a backfill rebuilds the marts, never what was reported. Each publication
writes one file, `<run_id>.json`, before its release becomes visible; a file whose run
has no publication record (a publication killed half-way) is not history and is
ignored. The review page a month was first reported with is kept beside it, and every
later release carries that page unchanged.
"""

from __future__ import annotations

import csv
import json
import math
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, field
from datetime import date, datetime
from functools import cached_property
from pathlib import Path
from typing import Any

import pyarrow as pa

from orchestration import engine
from orchestration.config import Settings
from orchestration.files import write_atomic
from orchestration.quality import results
from orchestration.reference.spec import MSP_SETTINGS

CHECK_NAME = "restatements_within_threshold"
CHECK_TARGET = "reported_client_months"
# Columns of fct_client_months that say whether a review is published, not what it
# reports: a month is reported once it is closed and not held.
NOT_FIGURES = frozenset({"client_id", "month", "is_held", "held_reason"})
POLICY_FIGURE = "sla_policy_attainment_pct[{priority} {metric}]"
POLICY_PREFIX = POLICY_FIGURE.split("[", 1)[0] + "["

_CLOSED_FIGURES = """
    select months.*
    from fct_client_months as months
    inner join fct_client_month_closes as closes
        on months.client_id = closes.client_id and months.month = closes.month
    where closes.is_closed and not months.is_held
    order by months.client_id, months.month
"""
_CLOSED_POLICIES = """
    select policies.client_id, policies.month, policies.priority, policies.metric,
        policies.attainment_pct
    from fct_client_month_sla_policies as policies
    inner join fct_client_month_closes as closes
        on policies.client_id = closes.client_id and policies.month = closes.month
    where closes.is_closed
    order by 1, 2, 3, 4
"""

# How a restatement names a figure to a reader of the review.
SPOKEN = {
    "sla_attainment_pct": "SLA attainment",
    "first_response_attainment_pct": "first-response SLA attainment",
    "resolution_attainment_pct": "resolution SLA attainment",
    "first_contact_resolution_pct": "first-contact resolution",
    "reopen_rate_pct": "reopen rate",
    "median_business_resolution_minutes": "median resolution time (business minutes)",
    "avg_lost_time_minutes": "average lost time (minutes)",
    "negative_follow_up_pct": "negative responses followed up on time",
}

# The figures a client's review tells restatements of, one by one; the others (counts
# behind them, per-policy attainment) are summed up in one line, and are all in the
# warehouse's `restatements`.
HEADLINE = (
    "tickets_opened",
    "first_response_attainment_pct",
    "resolution_attainment_pct",
    "sla_attainment_pct",
    "sla_met",
    "happiness",
    "nps",
    "avg_lost_time_minutes",
    "negative_follow_up_pct",
    "xla_status",
    "is_watermelon",
)

ClientMonth = tuple[str, str]  # (client_id, YYYY-MM-DD of the month's first day)


def text(value: Any) -> str | None:
    """A figure as recorded: exact, so that equal builds record equal text."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return None if math.isnan(value) else repr(value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    return str(value)


def _number(value: str | None) -> float | None:
    if value is None or value in ("true", "false"):
        return None
    try:
        return float(value)
    except ValueError:
        return None


def spoken_figure(figure: str) -> str:
    if figure.startswith("sla_policy_attainment_pct["):
        return f"{figure.removeprefix('sla_policy_attainment_pct[').rstrip(']')} SLA attainment"
    return SPOKEN.get(figure, figure.replace("_", " ").removesuffix(" pct"))


def spoken_value(figure: str, value: str | None) -> str:
    if value is None:
        return "no figure"
    number = _number(value)
    if number is None:
        return value
    if figure.endswith("_pct") or figure.startswith("sla_policy_attainment_pct["):
        return f"{number:.1f}%"
    return f"{number:.1f}".removesuffix(".0")


@dataclass(frozen=True)
class Restatement:
    """One changed figure of a closed, reported month."""

    client_id: str
    month: str
    figure: str
    reported_value: str | None
    reported_run_id: str
    new_value: str | None
    run_id: str = ""
    cause: str = ""
    change_pct: float | None = None
    is_large: bool = False
    is_approved: bool = False

    @property
    def key(self) -> str:
        return f"{self.client_id} {self.month[:7]} {self.figure}"

    def sentence(self) -> str:
        """`March 2026: resolution SLA attainment restated from 96.1% to 94.8% after
        holidays.csv changed`."""
        month = date.fromisoformat(self.month)
        return (
            f"{month:%B %Y}: {spoken_figure(self.figure)} restated from "
            f"{spoken_value(self.figure, self.reported_value)} to "
            f"{spoken_value(self.figure, self.new_value)}"
            + (f" after {self.cause}" if self.cause else "")
        )


@dataclass
class Record:
    """What one publication recorded: the months it reported, the figures it restated,
    and the review pages it kept."""

    run_id: str
    reported: list[dict[str, Any]] = field(default_factory=list)
    restatements: list[dict[str, Any]] = field(default_factory=list)
    pages: list[str] = field(default_factory=list)


def folder(settings: Settings) -> Path:
    return settings.audit_dir / "closed_months"


def pages_folder(settings: Settings, run_id: str) -> Path:
    return folder(settings) / "pages" / run_id


def _published_order(settings: Settings) -> dict[str, tuple[int, str]]:
    from orchestration.publish.publisher import publications

    return {p.run_id: (i, p.published_at) for i, p in enumerate(publications(settings))}


@dataclass
class History:
    """Every record of the publications made so far, oldest first, and what follows."""

    records: list[Record]
    published_at: dict[str, str]

    @cached_property
    def reported(self) -> dict[ClientMonth, str]:
        """Each reported client-month: the run that first reported it (read once: a
        history's records do not change)."""
        found: dict[ClientMonth, str] = {}
        for record in self.records:
            for row in record.reported:
                found.setdefault((row["client_id"], row["month"]), record.run_id)
        return found

    def stated(self) -> dict[tuple[str, str, str], tuple[str | None, str]]:
        """Each figure of a reported month as it stands now, and the run that stated it."""
        found: dict[tuple[str, str, str], tuple[str | None, str]] = {}
        for record in self.records:
            for row in record.reported:
                found[(row["client_id"], row["month"], row["figure"])] = (
                    row["value"],
                    record.run_id,
                )
            for row in record.restatements:
                found[(row["client_id"], row["month"], row["figure"])] = (
                    row["new_value"],
                    record.run_id,
                )
        return found

    def restatements(self) -> list[Restatement]:
        return [Restatement(**row) for record in self.records for row in record.restatements]

    def kept_pages(self) -> dict[str, Path]:
        """Each kept review page, by its path under the reports folder, and where it is."""
        return {
            page: Path(record.run_id) / page for record in self.records for page in record.pages
        }


def told(restatements: Iterable[Restatement]) -> list[str]:
    """Restatements as a review tells them: each headline figure in a sentence, in the
    order they were made, then how many other figures of the month changed with them."""
    lines: list[str] = []
    others: dict[str, int] = {}
    for r in restatements:
        if r.figure in HEADLINE:
            lines.append(r.sentence())
        else:
            others[r.month] = others.get(r.month, 0) + 1
    for month, count in sorted(others.items()):
        lines.append(
            f"{date.fromisoformat(month):%B %Y}: {count} more figure{'s' if count != 1 else ''} "
            "restated with them (the warehouse's restatements list each)"
        )
    return lines


def history(settings: Settings, also: str | None = None, also_at: str = "") -> History:
    """The records of every publication made so far, oldest first; with `also`, that
    run's record too (the publication being made, at `also_at`)."""
    order = _published_order(settings)
    if also is not None and also not in order:
        order[also] = (len(order), also_at)
    records = []
    for path in sorted(folder(settings).glob("*.json")):
        data = json.loads(path.read_text())
        if data["run_id"] in order or data["run_id"] == also:
            records.append(Record(**data))
    records.sort(key=lambda r: order[r.run_id])
    return History(records, {run: at for run, (_, at) in order.items()})


def closed_figures(reader: engine.Reader) -> dict[ClientMonth, dict[str, str | None]]:
    """The figures of every closed client-month without a hold, as recorded."""
    tables = reader.tables()
    needed = {"fct_client_months", "fct_client_month_closes", "fct_client_month_sla_policies"}
    if not needed <= tables:
        return {}
    columns, rows = reader.query_named(_CLOSED_FIGURES)
    found: dict[ClientMonth, dict[str, str | None]] = {}
    for row in rows:
        values = dict(zip(columns, row, strict=True))
        key = (str(values["client_id"]), text(values["month"]) or "")
        found[key] = {c: text(v) for c, v in values.items() if c not in NOT_FIGURES}
    for client, month, priority, metric, attainment in reader.query(_CLOSED_POLICIES):
        key = (str(client), text(month) or "")
        if key in found:
            figure = POLICY_FIGURE.format(priority=priority, metric=metric)
            found[key][figure] = text(attainment)
    return found


@dataclass(frozen=True)
class Rules:
    """How large a restatement may be before it is checked, and how strictly."""

    threshold_pct: float
    severity: str
    close_business_days: int
    # (client_id, YYYY-MM, figure) an auditor approved.
    approved: frozenset[tuple[str, str, str]]


def rules(reference: Path | None) -> Rules:
    """The restatement settings and approvals of a run's reference snapshot; without
    one (a run refused for its reference data), the defaults."""
    settings = {name: setting.default for name, setting in MSP_SETTINGS.items() if setting.default}
    if reference is None:
        return Rules(
            float(settings["restatement_threshold_pct"]),
            settings["restatement_severity"],
            int(settings["period_close_business_days"]),
            frozenset(),
        )
    settings.update({row["setting"]: row["value"] for row in _csv(reference / "msp_settings.csv")})
    approved = frozenset(
        (row["client_id"], row["month"][:7], row["figure"])
        for row in _csv(reference / "restatement_approvals.csv")
    )
    return Rules(
        float(settings["restatement_threshold_pct"]),
        settings["restatement_severity"],
        int(settings["period_close_business_days"]),
        approved,
    )


def _csv(path: Path) -> list[dict[str, str]]:
    if not path.exists():
        return []
    with path.open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def _change(old: str | None, new: str | None) -> float | None:
    """The change in percent of the value reported; None when it is not a number."""
    before, after = _number(old), _number(new)
    if before is None or after is None:
        return None
    if before == 0:
        return 0.0 if after == 0 else math.inf
    return abs(after - before) / abs(before) * 100


@dataclass
class Comparison:
    """A build's closed months against what was reported for them."""

    reported: list[dict[str, Any]]
    restatements: list[Restatement]

    @property
    def unapproved_large(self) -> list[Restatement]:
        return [r for r in self.restatements if r.is_large and not r.is_approved]


def compare(
    current: Mapping[ClientMonth, Mapping[str, str | None]], past: History, rules: Rules
) -> Comparison:
    """The months first reported now, and the figures that changed since they were."""
    reported_by = past.reported
    stated = past.stated()
    # The figures stated of each client-month, found once rather than per month.
    stated_names: dict[ClientMonth, set[str]] = {}
    for c, m, f in stated:
        stated_names.setdefault((c, m), set()).add(f)
    first: list[dict[str, Any]] = []
    changed: list[Restatement] = []
    for (client, month), figures in sorted(current.items()):
        if (client, month) not in reported_by:
            first.extend(
                {"client_id": client, "month": month, "figure": name, "value": value}
                for name, value in figures.items()
            )
            continue
        known = stated_names.get((client, month), set())
        # A column of fct_client_months that no record of the month states was added to
        # the warehouse since the month was reported: reported now, not restated. A policy
        # absent before is a figure that was empty (its clocks came later): restated.
        first.extend(
            {"client_id": client, "month": month, "figure": name, "value": value}
            for name, value in sorted(figures.items())
            if name not in known and not name.startswith(POLICY_PREFIX)
        )
        names = {n for n in figures if n in known or n.startswith(POLICY_PREFIX)} | known
        for name in sorted(names):
            old, old_run = stated.get((client, month, name), (None, reported_by[(client, month)]))
            new = figures.get(name)
            if old == new:
                continue
            change = _change(old, new)
            large = change is None or change > rules.threshold_pct
            changed.append(
                Restatement(
                    client_id=client,
                    month=month,
                    figure=name,
                    reported_value=old,
                    reported_run_id=old_run,
                    new_value=new,
                    change_pct=None if change is None or math.isinf(change) else change,
                    is_large=large,
                    is_approved=(client, month[:7], name) in rules.approved,
                )
            )
    return Comparison(first, changed)


def check(comparison: Comparison, rules: Rules) -> results.CheckResult:
    """`restatements_within_threshold`: no restatement beyond the threshold that an
    auditor has not approved. `warn` unless the MSP made it `error`."""
    beyond = comparison.unapproved_large
    months = {(r.client_id, r.month) for r in comparison.restatements}
    detail = (
        f"{len(comparison.restatements)} figures of {len(months)} closed client-months "
        f"restated; {len(beyond)} by more than {rules.threshold_pct:g}% and not approved "
        "in restatement_approvals.csv"
        if comparison.restatements
        else "no figure of a reported month changed"
    )
    return results.CheckResult(
        CHECK_NAME,
        CHECK_TARGET,
        rules.severity,
        not beyond,
        failing_count=len(beyond),
        sample_keys=tuple(r.key for r in beyond[:5]),
        detail=detail,
    )


def evaluate(settings: Settings, reference: Path) -> results.CheckResult:
    """The gate's check of this build against what was reported."""
    with engine.current(settings).reader() as build:
        current = closed_figures(build)
    found = rules(reference)
    return check(compare(current, history(settings), found), found)


def cause(before: Mapping[str, Any] | None, after: Mapping[str, Any]) -> str:
    """What changed between two publications, as far as the warehouse can tell: landing
    files delivered, reference files changed, the code."""
    if before is None:
        return ""
    seen = {str(f["sha256"]) for f in before["inputs"]}
    delivered = sorted(str(f["file"]) for f in after["inputs"] if str(f["sha256"]) not in seen)
    old_seeds, new_seeds = before["seeds"], after["seeds"]
    changed = sorted(
        name
        for name in set(old_seeds) | set(new_seeds)
        if old_seeds.get(name) != new_seeds.get(name)
    )
    parts = []
    if delivered:
        shown = ", ".join(delivered[:3]) + (
            f" and {len(delivered) - 3} more" if len(delivered) > 3 else ""
        )
        parts.append(f"{shown} arrived")
    if changed:
        parts.append(f"{', '.join(changed)} changed")
    if before["code_version"] != after["code_version"]:
        parts.append(f"the code changed ({before['code_version']} to {after['code_version']})")
    return "; ".join(parts) or "nothing recorded changed"


def record(settings: Settings, publication: Any, reference: Path, build: engine.Reader) -> History:
    """Record what this publication reports and restates, before its release is visible;
    return the history including it."""
    from orchestration.publish.publisher import publications

    past = history(settings)
    comparison = compare(closed_figures(build), past, rules(reference))
    now = asdict(publication)
    # The figure stood at its stated value in every publication since the one that
    # stated it (else that publication would have restated it): it changed after the
    # latest one, so the cause is what changed since then.
    earlier = publications(settings)
    before = asdict(earlier[-1]) if earlier else None
    restated = [
        Restatement(**{**asdict(r), "run_id": publication.run_id, "cause": cause(before, now)})
        for r in comparison.restatements
    ]
    mine = Record(
        publication.run_id,
        reported=comparison.reported,
        restatements=[asdict(r) for r in restated],
    )
    _write(settings, mine)
    return history(settings, also=publication.run_id, also_at=publication.published_at)


def _write(settings: Settings, mine: Record) -> None:
    write_atomic(
        folder(settings) / f"{mine.run_id}.json",
        json.dumps(asdict(mine), indent=1, sort_keys=True).encode(),
    )


def keep_pages(settings: Settings, run_id: str, reports: Path, pages: Iterable[str]) -> None:
    """Keep the review pages of the months this publication first reports, as written."""
    found = history(settings, also=run_id)
    mine = next(r for r in found.records if r.run_id == run_id)
    for page in sorted(pages):
        write_atomic(pages_folder(settings, run_id) / page, (reports / page).read_bytes())
        mine.pages.append(page)
    _write(settings, mine)


def forget_unpublished(settings: Settings) -> list[str]:
    """Remove the records of publications that never happened (killed before their
    release became visible)."""
    order = _published_order(settings)
    done = []
    for path in sorted(folder(settings).glob("*.json")):
        if path.stem not in order:
            path.unlink(missing_ok=True)
            done.append(f"removed the closed-month record of {path.stem}, never published")
    return done


def tables(found: History) -> dict[str, pa.Table]:
    """The BI file's `reported_client_months` and `restatements`."""
    at = found.published_at
    reported = [
        {**row, "run_id": record.run_id} for record in found.records for row in record.reported
    ]
    restated = found.restatements()
    return {
        "reported_client_months": pa.table(
            {
                "client_id": [r["client_id"] for r in reported],
                "month": pa.array([date.fromisoformat(r["month"]) for r in reported], pa.date32()),
                "figure": [r["figure"] for r in reported],
                "value": pa.array([r["value"] for r in reported], pa.string()),
                "value_number": pa.array([_number(r["value"]) for r in reported], pa.float64()),
                "run_id": [r["run_id"] for r in reported],
                "reported_at": _instants([at.get(r["run_id"]) for r in reported]),
            }
        ),
        "restatements": pa.table(
            {
                "client_id": [r.client_id for r in restated],
                "month": pa.array([date.fromisoformat(r.month) for r in restated], pa.date32()),
                "figure": [r.figure for r in restated],
                "reported_value": pa.array([r.reported_value for r in restated], pa.string()),
                "reported_run_id": [r.reported_run_id for r in restated],
                "reported_at": _instants([at.get(r.reported_run_id) for r in restated]),
                "new_value": pa.array([r.new_value for r in restated], pa.string()),
                "run_id": [r.run_id for r in restated],
                "restated_at": _instants([at.get(r.run_id) for r in restated]),
                "change_pct": pa.array([r.change_pct for r in restated], pa.float64()),
                "is_large": pa.array([r.is_large for r in restated], pa.bool_()),
                "is_approved": pa.array([r.is_approved for r in restated], pa.bool_()),
                "cause": [r.cause for r in restated],
                "statement": [r.sentence() for r in restated],
            }
        ),
    }


def _instants(values: list[str | None]) -> pa.Array:
    return pa.array(
        [datetime.fromisoformat(v) if v else None for v in values], pa.timestamp("us", tz="UTC")
    )
