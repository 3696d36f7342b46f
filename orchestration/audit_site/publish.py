"""Write the auditors' site of a run to `published/audit/`, replacing the previous one whole."""

from __future__ import annotations

from pathlib import Path

from orchestration.audit_site.site import build_site
from orchestration.config import Settings
from orchestration.files import replace_dir
from orchestration.ingest import data_docs


def site_dir(settings: Settings) -> Path:
    return settings.published_dir / "audit"


def publish_site(settings: Settings, run_id: str, *, blocked: bool) -> Path:
    """Build the site of `run_id` beside `published/audit/` and swap it in.

    It reads the warehouse the run built (published or not) and the Data Docs of the
    latest run that validated anything, rendering them again from the audit store if
    the build folder lost them.
    """
    gx_docs = data_docs.ensure(settings)
    replace_dir(
        site_dir(settings),
        lambda out: build_site(
            out,
            settings=settings,
            warehouse=settings.build_db,
            run_id=run_id,
            gx_docs=gx_docs,
            blocked=blocked,
        ),
    )
    return site_dir(settings)
