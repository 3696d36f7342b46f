"""The auditors' site: a static website of a run's checks, flags, quarantine and Data Docs.

`build_site` writes the site of a run into a folder; `release_site_writer` puts it into
a release (published as `published/audit/`); `write_latest_site` keeps the latest run's
site, published or blocked, in `audit/site/`.
"""

from orchestration.audit_site.publish import (
    latest_site_dir,
    release_site_writer,
    write_latest_site,
)
from orchestration.audit_site.site import build_site

__all__ = ["build_site", "latest_site_dir", "release_site_writer", "write_latest_site"]
