"""The monthly service reviews: a client's month, written into each release.

`build_reports` writes the reviews of a built warehouse into a folder (a page per
client-month without a hold, an index per month, an index of months); `report_writer`
puts them into a release being assembled, as `<release>/reports/`, so the reviews a
reader opens always come from the warehouse published beside them.
"""

from orchestration.reports.build import build_reports
from orchestration.reports.publish import REPORTS_FOLDER, report_writer

__all__ = ["REPORTS_FOLDER", "build_reports", "report_writer"]
