"""Where the service reviews go: into each release, beside the warehouse they read."""

from __future__ import annotations

from pathlib import Path

from orchestration.config import Settings
from orchestration.publish import closed_months
from orchestration.publish.publisher import Publication, ReleaseWriter
from orchestration.reports.build import build_reports, page_name

REPORTS_FOLDER = "reports"


def report_writer(settings: Settings) -> ReleaseWriter:
    """Writes the reviews of this run's build into a release, as `<release>/reports/`.

    The review of a month already reported is the page kept when it was first reported;
    the pages of the months this publication reports first are kept from now on."""

    def write(release: Path, publication: Publication) -> None:
        closed = closed_months.history(
            settings, also=publication.run_id, also_at=publication.published_at
        )
        out = release / REPORTS_FOLDER
        build_reports(
            out,
            warehouse=settings.build_db,
            run_id=publication.run_id,
            closed=closed,
            kept_root=closed_months.folder(settings) / "pages",
        )
        first = {
            f"{month[:7]}/{page_name(client)}"
            for (client, month), run in closed.reported.items()
            if run == publication.run_id
        }
        closed_months.keep_pages(
            settings, publication.run_id, out, sorted(p for p in first if (out / p).exists())
        )

    return write
