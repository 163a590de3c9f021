"""``jiqun talent``: talent flows between cities and firms, poaching pairs, communities, alerts (人才流动)."""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer

from .base import app, check_output_file, console, db_option, db_path, emit_json, fail
from .chain_map import _on_store, _print

FORMATS = ("table", "xlsx", "json")


def _compute(con, view, cluster, year, level, staff, min_moves, any_city=False):
    from .. import talent
    from ..names import resolve_cluster

    cluster_id = resolve_cluster(con, cluster) if cluster else None
    if view == "flows":
        return talent.talent_flows(con, year, cluster_id, level, staff, min_moves)
    if view == "pairs":
        return talent.talent_pairs(con, year, cluster_id, level, staff, min_moves, same_city=not any_city)
    if view == "communities":
        return talent.talent_communities(con, year, cluster_id, staff, min_moves)
    return talent.talent_alerts(con, year, cluster_id, level, None, min_moves)


@app.command("talent")
def talent_command(
    view: str = typer.Option("flows", "--view", help="flows (inflow, outflow, net per city or firm), pairs "
                             "(poaching between two cities, or two firms of one city), communities (firms "
                             "exchanging staff) or alerts (a unit losing its senior staff to one rival)."),
    level: str = typer.Option("city", "--level", help="city or firm."),
    staff: str = typer.Option("all", "--staff", help="all, senior (executives and senior engineers) or technical."),
    cluster: Optional[str] = typer.Option(None, "--cluster", help="Cluster id or name (default: all cluster firms)."),
    year: Optional[int] = typer.Option(None, "--year", help="A year with moves (default: the latest)."),
    min_moves: Optional[int] = typer.Option(None, "--min-moves", help="Blank counts below this (default: the "
                                            "talent_min_moves setting, 5)."),
    any_city: bool = typer.Option(False, "--any-city", help="Pairs of firms in any two cities (the firm-to-firm "
                                  "flow network), not only rivals of the same city."),
    top: int = typer.Option(20, "--top", help="Rows shown in the table view."),
    fmt: str = typer.Option("table", "--format", help="table, xlsx (every view) or json (records of the view)."),
    out: Optional[Path] = typer.Option(None, "--out", help="Output file (xlsx default: talent.xlsx)."),
    db: Optional[str] = db_option(),
) -> None:
    """Talent flows and poaching (人才流动与互挖墙角) between the cluster firms of the province: inflow, outflow,
    net flow per 1,000 employees, churn, brain-gain ratio; pairs poaching from each other; communities of
    firms exchanging staff; alerts. Small cells are blanked."""
    from ..talent.export import VIEWS, talent_records, write_talent_workbook
    from ..talent.store import LEVELS, min_moves_setting
    from ..talent.flows import ROLE_GROUPS

    for name, value, choices in (("--view", view, VIEWS), ("--level", level, LEVELS), ("--staff", staff, ROLE_GROUPS),
                                 ("--format", fmt, FORMATS)):
        if value not in choices:
            fail(f"{name} must be one of {', '.join(choices)}, not {value!r}", 2)
    if min_moves is not None and min_moves < 1:
        fail(f"--min-moves must be 1 or more, not {min_moves}", 2)
    check_output_file(out)
    views = VIEWS if fmt == "xlsx" else (view,)
    frames = _on_store(db, lambda con: {name: _compute(con, name, cluster, year, level, staff, min_moves, any_city)
                                        for name in views})
    if fmt == "json":
        emit_json(talent_records(frames[view]), out, view)
        return
    if fmt == "xlsx":
        target = out or Path("talent.xlsx")
        write_talent_workbook(target, frames, min_moves_setting(min_moves), db_path(db))
        console.print(f"wrote {', '.join(views)} to {target} 已写出")
        return
    frame = frames[view]
    if frame.empty:
        console.print(f"{view}: 无记录 none")
        return
    from ..talent.export import COLUMNS

    headers = {column.field: column.header_zh for column in COLUMNS[view]}
    shown = frame.drop(columns=[c for c in ("cluster_id", "level", "staff", "suppressed", "firm", "unit_a", "unit_b",
                                            "rule") if c in frame]).head(top)
    cells = shown.map(lambda value: "—" if value is None or value != value else
                      (f"{value:.2f}" if isinstance(value, float) else str(value)))
    _print(cells.rename(columns=headers), f"人才流动 {view} · {level} · {staff}（少于阈值的人数已隐去）")
