"""The demo's reports (专报): the province report (HTML, and PDF when the machine has a CJK font) and one
HTML report per cluster, written after the store is closed (they read it through the query layer)."""

from __future__ import annotations

from pathlib import Path


def write_demo_reports(db_path: Path, out_dir: Path) -> list[Path]:
    """Write ``reports/province.html`` (+ ``province.pdf``) and ``reports/<cluster>.html``; return the files.
    Without a CJK font the PDF is left out and ``reports/README.txt`` says why."""
    from ..query import Query
    from ..reports import cluster_report, province_report, write_report
    from ..reports.render import cjk_families

    folder = Path(out_dir) / "reports"
    query = Query(db_path)
    province = province_report(query)
    written = [write_report(province, "html", folder / "province.html")]
    if cjk_families():
        written.append(write_report(province, "pdf", folder / "province.pdf"))
    else:
        note = folder / "README.txt"
        note.write_text("province.pdf not written: no CJK font on this machine (apt-get install fonts-noto-cjk), "
                        "then: jiqun report --province --format pdf --out province.pdf\n", encoding="utf-8")
        written.append(note)
    for cluster_id in query.cluster_ids():
        written.append(write_report(cluster_report(query, cluster_id), "html", folder / f"{cluster_id}.html"))
    return written
