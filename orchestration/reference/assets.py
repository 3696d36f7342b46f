"""The first step of every run: the MSP's reference data, checked and snapshotted
(`check.py`). A refusal ends the run as bad configuration (exit 2 from `xla run`)."""

import dagster as dg
from dagster import AssetExecutionContext

from orchestration import locking
from orchestration.reference.check import ReferenceRefused, check
from orchestration.resources import XlaRun, say

REFERENCE_KEY = dg.AssetKey(["reference", "snapshot"])
# The CLI's exit code for a refused run: bad configuration.
REFUSED_EXIT = 2


@dg.asset(
    key=REFERENCE_KEY,
    group_name="reference",
    kinds={"csv"},
    description="The MSP's reference files (clients, calendars, policies, value map, ...), "
    "validated and written as the snapshot this run builds from.",
)
def reference_snapshot(context: AssetExecutionContext, xla: XlaRun) -> dg.MaterializeResult:
    settings = xla.settings()
    # Held until the run's process ends: the steps of one run never interleave with
    # another's, however it was launched.
    locking.acquire(settings)
    try:
        taken = check(settings, context.run.run_id, lambda message: say(context, message))
    except ReferenceRefused as refused:
        raise dg.Failure(
            description=str(refused),
            metadata={"exit_code": REFUSED_EXIT, "problems": len(refused.validation.problems)},
            allow_retries=False,
        ) from None
    return dg.MaterializeResult(metadata={"snapshot": taken.digest, "files": len(taken.sources)})


defs = dg.Definitions(assets=[reference_snapshot])
