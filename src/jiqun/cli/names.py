"""Catalogue listings: clusters and regions (the ids and names that other commands accept)."""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer
from rich.table import Table as RichTable

from ..names import list_clusters, list_regions
from ..session import connect
from .base import app, console, db_option, db_path, err_console, fail, no_rows_message

FORMATS = ("table", "csv", "json")


def _open_catalogue(db: Optional[str]):
    """The store to read the names from (read-only), or None for the shipped catalogue."""
    path = db_path(db)
    if db or Path(path).exists():  # an explicit --db must be a store
        return connect(path, create=False, read_only=True)
    err_console.print(f"no store at {path} (nor a demo store): listing the shipped catalogue 未找到数据库，显示内置目录",
                      soft_wrap=True)
    return None


def _emit(frame, fmt: str, title: str, headers: dict[str, str]) -> None:
    if fmt == "csv":
        typer.echo(frame.to_csv(index=False), nl=False)
        return
    if fmt == "json":
        typer.echo(frame.to_json(orient="records", force_ascii=False, indent=1))
        return
    table = RichTable(*headers.values(), title=title)
    for row in frame[list(headers)].itertuples(index=False):
        table.add_row(*[str(v) for v in row])
    console.print(table)


@app.command()
def clusters(db: Optional[str] = db_option(),
             fmt: str = typer.Option("table", "--format", help="table, csv or json (to standard output).")) -> None:
    """List the clusters: id, Chinese and English name, core cities. 重点集群列表。

    Any of the id, the Chinese or the English name is accepted by --cluster (e.g. iot or 物联网).
    """
    if fmt not in FORMATS:
        fail(f"--format must be one of {', '.join(FORMATS)}", 2)
    con = _open_catalogue(db)
    try:
        frame = list_clusters(con)
    finally:
        if con is not None:
            con.disconnect()
    _emit(frame, fmt, f"clusters 重点集群 ({len(frame)})",
          {"cluster_id": "id", "name_zh": "中文名称", "name_en": "name", "core_cities_zh": "核心城市 core cities"})


@app.command()
def regions(db: Optional[str] = db_option(),
            level: Optional[str] = typer.Option(None, "--level", help="Only this level: province (省), city (市, "
                                                "prefecture), county (县/区) or nation."),
            parent: Optional[str] = typer.Option(None, "--parent", help="Only the divisions of this region "
                                                 "(code or name, e.g. 320500 or 苏州)."),
            fmt: str = typer.Option("table", "--format", help="table, csv or json (to standard output).")) -> None:
    """List the regions: code, Chinese and English name, level and parent. 行政区划列表。

    Any of the code, the Chinese name (with or without 市/区/县) or the English name is accepted by
    --region (e.g. 320500, 苏州市, 苏州, Suzhou; province or 全省 for Jiangsu as a whole).
    """
    if fmt not in FORMATS:
        fail(f"--format must be one of {', '.join(FORMATS)}", 2)
    con = _open_catalogue(db)
    try:
        frame = list_regions(con, level=level, parent=parent)
    finally:
        if con is not None:
            con.disconnect()
    if frame.empty:
        fail(no_rows_message("regions", level=level, parent=parent), 1)
    _emit(frame, fmt, f"regions 行政区划 ({len(frame)})",
          {"region_code": "code 代码", "name_zh": "中文名称", "name_en": "name", "level": "level 级别",
           "parent_code": "parent 上级", "parent_zh": "上级名称"})
