"""Reports (专报): the province report and one per cluster, in HTML, PDF and XLSX, read through the
query layer.

Public API
----------
province_report, cluster_report
    Assemble a :class:`Report` (sections, tables, recommendations tied to their evidence).
write_report
    Write it as html, pdf (WeasyPrint, a CJK font required) or xlsx.
"""

from .build import cluster_report, province_report
from .content import RECOMMENDATION_RULES, Report
from .render import FORMATS, ReportError, report_html, write_report

__all__ = ["province_report", "cluster_report", "write_report", "report_html", "Report", "ReportError", "FORMATS",
           "RECOMMENDATION_RULES"]
