"""The Dagster code location: it only assembles what each room of the package defines.

Loading it sets up the process as the `xla` command does (`prepare_process_environment`):
the folders dbt reads are absolute in the environment dbt inherits.
"""

from __future__ import annotations

import dagster as dg

from orchestration import jobs
from orchestration.config import prepare_process_environment
from orchestration.ingest import assets as ingest
from orchestration.publish import assets as publish
from orchestration.quality import gate
from orchestration.reference import assets as reference
from orchestration.resources import XlaRun
from orchestration.warehouse import assets as warehouse

prepare_process_environment()

defs = dg.Definitions.merge(
    reference.defs,
    ingest.defs,
    warehouse.defs,
    gate.defs,
    publish.defs,
    jobs.defs,
    dg.Definitions(resources={"xla": XlaRun()}),
)
