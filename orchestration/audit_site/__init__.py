"""The auditors' site: a static website of a run's checks, flags, quarantine and Data Docs.

`build_site` writes the site of a run into a folder; `publish_site` writes it to
`published/audit/`, replacing the previous one whole.
"""

from orchestration.audit_site.publish import publish_site, site_dir
from orchestration.audit_site.site import build_site

__all__ = ["build_site", "publish_site", "site_dir"]
