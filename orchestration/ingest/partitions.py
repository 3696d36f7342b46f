"""Daily partitions of the ingest: one per extract date, the `<YYYYMMDD>` of a file's name.

A run for a partition, or a range of them, takes only the files of those extract dates;
a run without one takes every file waiting, whatever its date. The first date is
`XLA_PARTITIONS_START` when set; otherwise the earliest extract date the data folder
holds (an archived or a waiting landing file), so that the partitions are the dates of
the MSP's own history, not years before it; today when it holds none yet. Today's date
is a partition too, since an extract is usually named after the day it is exported.
"""

import os
from datetime import UTC, date, datetime
from pathlib import Path

import dagster as dg

from orchestration.config import ConfigError
from orchestration.ingest.reader import classify

START_VARIABLE = "XLA_PARTITIONS_START"
KEY_FORMAT = "%Y-%m-%d"
ARCHIVE_FOLDER = "archive"
LANDING_FOLDER = "landing"


def earliest_extract_date(data_dir: Path) -> date | None:
    """The earliest extract date of the files archived (`archive/<YYYYMMDD>/`) or waiting
    in `landing/` of a data folder; None when it holds none."""
    found: list[date] = []
    archive = data_dir / ARCHIVE_FOLDER
    if archive.is_dir():
        for folder in archive.iterdir():
            try:
                found.append(datetime.strptime(folder.name, "%Y%m%d").date())
            except ValueError:
                continue
    landing = data_dir / LANDING_FOLDER
    if landing.is_dir():
        found += [f.extract_date for p in landing.iterdir() if (f := classify(p)) is not None]
    return min(found, default=None)


def partitions_start(data_dir: Path | None = None) -> date:
    """The first extract date that has a partition: `XLA_PARTITIONS_START`, else the
    earliest extract date in the data folder (`XLA_DATA_DIR`), else today (UTC)."""
    value = os.environ.get(START_VARIABLE, "").strip()
    if value:
        try:
            return date.fromisoformat(value)
        except ValueError:
            raise ConfigError(f"{START_VARIABLE} {value!r} is not a date (YYYY-MM-DD)") from None
    folder = data_dir or Path(os.environ.get("XLA_DATA_DIR") or "data").expanduser()
    return earliest_extract_date(folder) or datetime.now(UTC).date()


extract_dates = dg.DailyPartitionsDefinition(
    start_date=partitions_start().isoformat(), end_offset=1, fmt=KEY_FORMAT
)


def partition_key(day: date) -> str:
    return day.strftime(KEY_FORMAT)


def has_partition(day: date) -> bool:
    """Whether an extract date is one of the partitions (neither before the start nor future)."""
    return extract_dates.has_partition_key(partition_key(day))


def run_dates(context: dg.AssetExecutionContext) -> tuple[date, date] | None:
    """The first and last extract date of a partitioned run; None for a run of everything."""
    if context.has_partition_key:
        day = date.fromisoformat(context.partition_key)
        return day, day
    if context.has_partition_key_range:
        keys = context.partition_key_range
        return date.fromisoformat(keys.start), date.fromisoformat(keys.end)
    return None


def range_tags(first: date, last: date) -> dict[str, str]:
    """The run tags that make a run cover the extract dates `first`..`last`."""
    return {
        "dagster/asset_partition_range_start": partition_key(first),
        "dagster/asset_partition_range_end": partition_key(last),
    }
