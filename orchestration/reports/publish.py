"""Where the service reviews go: into each release, beside the warehouse they read."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from orchestration.config import Settings
from orchestration.publish import closed_months
from orchestration.publish.publisher import Publication, ReleaseWriter, current_release
from orchestration.reports.build import build_reports, page_name
from orchestration.reports.wording import month_key

REPORTS_FOLDER = "reports"


def report_writer(settings: Settings) -> ReleaseWriter:
    """Writes the reviews of this run's build into a release, as `<release>/reports/`.

    The review of a month already reported is the page kept when it was first reported;
    the pages of the months this publication reports first are kept from now on. A
    review whose figures are those of the published release is carried forward from it.
    """

    def write(release: Path, publication: Publication) -> str:
        closed = closed_months.history(
            settings, also=publication.run_id, also_at=publication.published_at
        )
        out = release / REPORTS_FOLDER
        previous = current_release(settings)
        reviews = build_reports(
            out,
            warehouse=settings.build_db,
            run_id=publication.run_id,
            closed=closed,
            kept_root=closed_months.folder(settings) / "pages",
            previous=previous / REPORTS_FOLDER if previous is not None else None,
        )
        first = {
            f"{month_key(date.fromisoformat(month))}/{page_name(client)}"
            for (client, month), run in closed.reported.items()
            if run == publication.run_id
        }
        closed_months.keep_pages(
            settings, publication.run_id, out, sorted(p for p in first if (out / p).exists())
        )
        return (
            f"{reviews.rendered} of {len(reviews)} reviews rendered,"
            f" {len(reviews) - reviews.rendered} carried forward unchanged"
        )

    return write
