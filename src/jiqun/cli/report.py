"""``jiqun report``: the province report or a cluster's report (专报) as HTML, PDF or XLSX."""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer

from .base import app, check_output_file, console, db_option, db_path, fail


@app.command("report")
def report_command(
    cluster: Optional[str] = typer.Option(None, "--cluster", help="Cluster id or name: that cluster's report."),
    province: bool = typer.Option(False, "--province", help="The province report (the default without --cluster)."),
    year: Optional[int] = typer.Option(None, "--year", help="Year (default: the latest with results)."),
    lang: str = typer.Option("zh", "--lang", help="zh (default) or en."),
    fmt: str = typer.Option("pdf", "--format", help="html, pdf (A4, contents and page numbers) or xlsx."),
    out: Optional[Path] = typer.Option(None, "--out", help="Output file (default report.<format>)."),
    db: Optional[str] = db_option(),
) -> None:
    """Write a report in the form a research office circulates (专报): summary, indicators, evaluation
    and type with explanation, weak links, the chokepoint list and recommendations, each tied to the
    finding behind it. 生成监测专报。"""
    from ..names import resolve_cluster
    from ..query import NotFound, Query
    from ..reports import FORMATS, ReportError, cluster_report, province_report, write_report
    from ..store import StoreError

    if fmt not in FORMATS:
        fail(f"--format must be one of {', '.join(FORMATS)} 输出格式无效", 2)
    if lang not in ("zh", "en"):
        fail(f"--lang must be zh or en, not {lang!r}", 2)
    if cluster and province:
        fail("give --cluster or --province, not both", 2)
    check_output_file(out)
    target = out or Path(f"report.{fmt}")
    try:
        query = Query(db_path(db))
        if cluster:
            from ..store import connect

            con = connect(db_path(db), create=False, read_only=True)
            try:
                cluster_id = resolve_cluster(con, cluster)
            finally:
                con.disconnect()
            report = cluster_report(query, cluster_id, year, lang)
        else:
            report = province_report(query, year, lang)
        write_report(report, fmt, target)
    except NotFound as exc:
        fail(str(exc), 2)
    except (ReportError, StoreError) as exc:
        fail(str(exc), 2)
    console.print(f"wrote {target} ({report.title}) 已写出")
