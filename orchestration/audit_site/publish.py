"""Where the auditors' site of a run is written.

- Into each release, beside the warehouse it describes (`published/audit/` once the
  release is published), so the published site and the published tables always agree.
- Into `audit/site/`, for every run that reached the gate, published or blocked, and
  every run refused for its reference data: the auditors' view of the latest run, which
  for a blocked or refused run is exactly why. Publishing nothing changes nothing under
  `published/`.
"""

from __future__ import annotations

from pathlib import Path

from orchestration.audit_site.site import build_site
from orchestration.config import Settings
from orchestration.files import replace_dir
from orchestration.ingest import data_docs
from orchestration.publish.publisher import Publication, ReleaseWriter

SITE_FOLDER = "audit"


def latest_site_dir(settings: Settings) -> Path:
    return settings.audit_dir / "site"


def _build(
    settings: Settings,
    out: Path,
    run_id: str,
    *,
    blocked: bool,
    refused: bool = False,
    publishing: Publication | None = None,
) -> None:
    build_site(
        out,
        settings=settings,
        warehouse=settings.build_db,
        run_id=run_id,
        gx_docs=data_docs.ensure(settings),
        blocked=blocked,
        refused=refused,
        publishing=publishing,
    )


def release_site_writer(settings: Settings, run_id: str) -> ReleaseWriter:
    """Writes the run's site into a release being assembled, as `<release>/audit/`: the
    site states the release's own publication, recorded only once the release is out."""

    def write(release: Path, publication: Publication) -> None:
        _build(settings, release / SITE_FOLDER, run_id, blocked=False, publishing=publication)

    return write


def write_latest_site(
    settings: Settings, run_id: str, *, blocked: bool, refused: bool = False
) -> Path:
    """Build the site of `run_id` beside `audit/site/` and swap it in whole.

    It reads the warehouse the run built (published or not) and the Data Docs of the
    latest run that validated anything, rendering them again from the audit store if
    the build folder lost them.
    """
    replace_dir(
        latest_site_dir(settings),
        lambda out: _build(settings, out, run_id, blocked=blocked, refused=refused),
    )
    return latest_site_dir(settings)
