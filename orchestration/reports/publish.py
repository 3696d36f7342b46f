"""Where the service reviews go: into each release, beside the warehouse they read."""

from __future__ import annotations

from pathlib import Path

from orchestration.config import Settings
from orchestration.publish.publisher import Publication, ReleaseWriter
from orchestration.reports.build import build_reports

REPORTS_FOLDER = "reports"


def report_writer(settings: Settings) -> ReleaseWriter:
    """Writes the reviews of this run's build into a release, as `<release>/reports/`."""

    def write(release: Path, publication: Publication) -> None:
        build_reports(
            release / REPORTS_FOLDER, warehouse=settings.build_db, run_id=publication.run_id
        )

    return write
