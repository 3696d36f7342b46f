"""Freshness of the extracts: has each one arrived recently enough?

An extract is stale when the newest file of it that was ingested is dated (by the
`<YYYYMMDD>` of its name) more than `XLA_FRESHNESS_DAYS` days (default 3) before the
day the run is judged on: today, or the day of the run's `--as-of` when it has one (a
run replaying the past, such as the demo's, is judged on its own "now"). Stale is a
`warn`: it is published for review and never blocks. An extract never delivered at all
is not judged (not every MSP delivers every extract, e.g. ServiceNow).
"""

import os
from datetime import UTC, date, datetime

from orchestration.config import ConfigError, Settings
from orchestration.contract import LANDING_EXTRACTS
from orchestration.ingest import ledger
from orchestration.quality.results import CheckResult

DAYS_VARIABLE = "XLA_FRESHNESS_DAYS"
DEFAULT_DAYS = 3
CHECK_NAME = "freshness"


def freshness_days() -> int:
    """How many days an extract may go without a new file before its check warns."""
    value = os.environ.get(DAYS_VARIABLE) or str(DEFAULT_DAYS)
    try:
        days = int(value)
    except ValueError:
        days = -1
    if days < 0:
        raise ConfigError(f"{DAYS_VARIABLE} {value!r} is not a whole number of days >= 0")
    return days


def judged_on(as_of: str) -> date:
    """The day freshness is judged on: the UTC day of the run's `--as-of`, else today."""
    if as_of:
        return datetime.fromisoformat(as_of).astimezone(UTC).date()
    return datetime.now(UTC).date()


def freshness_results(settings: Settings, today: date, days: int) -> list[CheckResult]:
    """One `warn` check per extract: its newest file is at most `days` days older than today."""
    newest: dict[str, date] = {}
    for entry in ledger.load(settings).values():
        dated = date.fromisoformat(entry.extract_date)
        if entry.extract not in newest or dated > newest[entry.extract]:
            newest[entry.extract] = dated
    found = []
    for name, extract in LANDING_EXTRACTS.items():
        latest = newest.get(name)
        if latest is None:
            passed, detail = True, "never delivered; not judged"
        else:
            age = (today - latest).days
            passed = age <= days
            detail = (
                f"newest file dated {latest.isoformat()}, {age} days before {today.isoformat()}"
                f" (stale after {days})"
            )
        found.append(
            CheckResult(
                check_name=CHECK_NAME,
                target=extract.asset_key,
                severity="warn",
                passed=passed,
                detail=detail,
            )
        )
    return found
