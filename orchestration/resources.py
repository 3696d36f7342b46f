"""Run-level settings every asset reads: the folders and the `as_of` instant."""

from __future__ import annotations

import logging

import dagster as dg
from dagster import AssetExecutionContext

from orchestration.config import Settings, settings

progress_log = logging.getLogger("xla")


class XlaRun(dg.ConfigurableResource):
    """Settings of one run. `as_of` (ISO 8601) overrides the instant taken from the data.

    `full_refresh` rebuilds every table of the warehouse from the whole lake instead of
    recomputing only what the files ingested since the last build touch.
    """

    as_of: str = ""
    full_refresh: bool = False
    # Keep dbt's own console narration out of the terminal (it goes to build/dbt.log).
    quiet_dbt: bool = False

    def settings(self) -> Settings:
        return settings()


def say(context: AssetExecutionContext, message: str) -> None:
    """Report progress both to Dagster's event log and to the `xla` command's console."""
    context.log.info(message)
    progress_log.info(message)
