"""Daily partitions of the ingest: one per extract date, the `<YYYYMMDD>` of a file's name.

A run for a partition, or a range of them, takes only the files of those extract dates;
a run without one takes every file waiting, whatever its date. The first date is
`XLA_PARTITIONS_START` (default 2016-01-01, before the oldest sample data); today's date
is a partition too, since an extract is usually named after the day it is exported.
"""

import os
from datetime import date

import dagster as dg

from orchestration.config import ConfigError

START_VARIABLE = "XLA_PARTITIONS_START"
DEFAULT_START = "2016-01-01"
KEY_FORMAT = "%Y-%m-%d"


def partitions_start() -> date:
    """The first extract date that has a partition."""
    value = os.environ.get(START_VARIABLE) or DEFAULT_START
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise ConfigError(f"{START_VARIABLE} {value!r} is not a date (YYYY-MM-DD)") from None


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
