"""``jiqun policy``: the policy mix — matrix, overlaps, gaps, province–city alignment, budgets (政策组合)."""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer

from .base import app, check_output_file, console, db_option, db_path, emit_json, fail
from .chain_map import _on_store, _print

FORMATS = ("table", "xlsx", "json")


@app.command("policy")
def policy_command(
    view: str = typer.Option("matrix", "--view", help="matrix (department × cluster × instrument), overlaps (the "
                             "same instrument for the same cluster from several departments), gaps (shortcomings "
                             "no policy addresses), alignment (province vs cities), budget or suggestions "
                             "(keyword suggestions of the instrument)."),
    year: Optional[int] = typer.Option(None, "--year", help="Policies in force in this year (default: the latest "
                                       "year a policy was issued)."),
    top: int = typer.Option(30, "--top", help="Rows shown in the table view."),
    fmt: str = typer.Option("table", "--format", help="table, xlsx (every view) or json (records of the view)."),
    out: Optional[Path] = typer.Option(None, "--out", help="Output file (xlsx default: policy.xlsx)."),
    db: Optional[str] = db_option(),
) -> None:
    """The policy mix (九龙治水): who uses which instrument (OECD STIP Compass) for which cluster, overlaps
    between departments and between province and cities, shortcomings of the monitoring, chain maps and
    chokepoint inventory that no policy addresses, province–city alignment and budgets. 政策组合分析。"""
    from ..policy import VIEWS, policy_view
    from ..policy.export import COLUMNS, policy_records, write_policy_workbook

    if view not in VIEWS:
        fail(f"--view must be one of {', '.join(VIEWS)}, not {view!r}", 2)
    if fmt not in FORMATS:
        fail(f"--format must be one of {', '.join(FORMATS)} 输出格式无效", 2)
    check_output_file(out)
    views = VIEWS if fmt == "xlsx" else (view,)
    frames = _on_store(db, lambda con: {name: policy_view(con, name, year) for name in views})
    if fmt == "json":
        emit_json(policy_records(frames[view]), out, view)
        return
    if fmt == "xlsx":
        target = out or Path("policy.xlsx")
        write_policy_workbook(target, frames, int(frames[view].year.iloc[0]) if len(frames[view]) else year or 0,
                              db_path(db))
        console.print(f"wrote {', '.join(views)} to {target} 已写出")
        return
    frame = frames[view]
    if frame.empty:
        console.print(f"{view}: 无记录 none")
        return
    headers = {column.field: column.header_zh for column in COLUMNS[view]}
    shown = frame[[column for column in headers if column in frame]].head(top)
    cells = shown.map(lambda value: "—" if value is None or value != value else
                      (f"{value:,.2f}" if isinstance(value, float) else str(value)))
    _print(cells.rename(columns=headers), f"政策组合 {view} · {int(frame.year.iloc[0])}")
