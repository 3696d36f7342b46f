"""The check every run starts with: the MSP's reference data, validated and snapshotted.

Nothing is ingested, built or published from reference data with a problem in it: the
run is refused, every problem is said as one line naming the file, line, column and
reason, the refusal is recorded in the audit history (a `reference_file_valid` check per
file) and the auditors' site of the latest run shows it. What is published stays as it
was. The job's first step runs it, and `xla run` runs it before it launches the job, so
a refusal costs no more than reading the files.
"""

from __future__ import annotations

from collections.abc import Callable

from orchestration.config import ConfigError, Settings
from orchestration.quality import results
from orchestration.reference import snapshot
from orchestration.reference.spec import REFERENCE
from orchestration.reference.validate import Validation, validate_folder

STAGE = "reference"
CHECK_NAME = "reference_file_valid"
# Problems kept per file in the audit store (the console and the site show them all).
SAMPLE_PROBLEMS = 100


class ReferenceRefused(ConfigError):
    """The reference data has problems: nothing was ingested, built or published."""

    def __init__(self, settings: Settings, validation: Validation) -> None:
        self.validation = validation
        super().__init__(
            f"the reference data in {settings.seeds_dir} has {len(validation.problems)} "
            "problem(s); nothing was ingested, built or published"
        )


def reference_results(validation: Validation) -> list[results.CheckResult]:
    """One `error` check per reference file: it can be built from."""
    found = []
    for name, spec in REFERENCE.items():
        lines = [str(p) for p in sorted(validation.problems) if p.file == spec.file_name]
        table = validation.tables[name]
        found.append(
            results.CheckResult(
                check_name=CHECK_NAME,
                target=f"reference/{name}",
                severity="error",
                passed=not lines,
                failing_count=len(lines),
                sample_keys=tuple(lines[:SAMPLE_PROBLEMS]),
                detail=(
                    f"{len(lines)} problem(s); first: {lines[0]}"
                    if lines
                    else f"{len(table.rows)} rows"
                    if table.sha256 is not None
                    else "not delivered; no rows"
                ),
            )
        )
    return found


def refuse(
    settings: Settings, run_id: str, validation: Validation, say: Callable[[str], None]
) -> ReferenceRefused:
    """Say and record why the run is refused; the exception to end it with."""
    from orchestration.audit_site import write_latest_site

    lines = validation.lines()
    say(f"The reference data in {settings.seeds_dir} has {len(lines)} problem(s):")
    for line in lines:
        say(f"  {line}")
    try:
        site = write_latest_site(settings, run_id, blocked=True, refused=True)
        say(f"Auditors' site of this run: {site / 'index.html'} (refused)")
    except Exception as error:  # the refusal stands whether or not its page is written
        say(f"Auditors' site not written: {type(error).__name__}: {error}")
    return ReferenceRefused(settings, validation)


def check(
    settings: Settings,
    run_id: str,
    say: Callable[[str], None],
    *,
    record_passed: bool = True,
) -> snapshot.Snapshot:
    """Validate the reference folder; refuse the run (`ReferenceRefused`) on any problem,
    else write and record the run's snapshot. A refusal is always recorded in the audit
    store; a pass only with `record_passed` (a check made before the run proper records
    nothing, so that the run's own check is its only record)."""
    say(f"Checking the reference data in {settings.seeds_dir}")
    validation = validate_folder(settings.seeds_dir)
    if not validation.ok or record_passed:
        results.record(settings, run_id, STAGE, reference_results(validation))
    if not validation.ok:
        raise refuse(settings, run_id, validation, say)
    taken = snapshot.write(validation, run_id)
    snapshot.record(settings, taken)
    rows = sum(len(t.rows) for t in validation.tables.values())
    say(f"Reference data: {len(taken.sources)} files, {rows} rows, all valid ({taken.digest})")
    return taken
