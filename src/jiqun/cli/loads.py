"""Load history commands: ``jiqun loads`` (list), ``loads show ID`` and ``loads undo ID``."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Optional

import typer
from rich.table import Table as RichTable

from ..ingest.history import ChangeSummary, HistoryError, load_changes, undo_load
from ..session import connect
from ..store import StoreError
from .base import app, console, db_option, db_path, fail

loads_app = typer.Typer(help="Loads and their change history: list, show, undo. 加载记录与变更历史。",
                        add_completion=False)
app.add_typer(loads_app, name="loads")


def _open(db: Optional[str], read_only: bool):
    try:
        return connect(db_path(db), read_only=read_only, create=False)
    except StoreError as exc:
        fail(str(exc))


@loads_app.callback(invoke_without_command=True)
def loads(ctx: typer.Context, db: Optional[str] = db_option()) -> None:
    """Show the provenance of every load (without a subcommand). 加载记录。"""
    ctx.obj = db
    if ctx.invoked_subcommand is not None:
        return
    con = _open(db, read_only=True)
    frame = con.table("loads").order_by("load_id").execute()
    con.disconnect()
    import pandas as pd

    undone = {int(v): int(i) for i, v in zip(frame.load_id, frame.undoes_load_id) if pd.notna(v)}
    out = RichTable("id 编号", "table 表", "mode 模式", "file 文件", "rows 行数", "ins 新增", "upd 更新",
                    "rej 拒绝", "loaded_at 时间", "vintage 版本", "sha256", "undone 撤销")
    for load in frame.itertuples():
        mode = load.mode if load.mode != "undo" else f"undo {int(load.undoes_load_id)}"
        out.add_row(str(load.load_id), load.table_name, mode, Path(load.source_file).name, f"{load.rows_in_file:,}",
                    f"{load.rows_inserted:,}", f"{load.rows_updated:,}", f"{load.rows_rejected:,}",
                    f"{load.loaded_at:%Y-%m-%d %H:%M}",
                    load.vintage if isinstance(load.vintage, str) else "", load.sha256[:12],
                    f"by {undone[load.load_id]}" if load.load_id in undone else "")
    console.print(out)


def print_changes(summary: ChangeSummary, title: str) -> None:
    """Print a change summary: counts, changed cells per column and the first changes."""
    console.print(f"[bold]{title}[/] → {summary.table}: {summary.rows_inserted:,} inserted 新增, "
                  f"{summary.rows_updated:,} updated 更新")
    if summary.undone_by is not None:
        console.print(f"undone by load {summary.undone_by} 已被撤销（撤销记录 {summary.undone_by}）")
    if summary.cells_changed:
        counts = RichTable("column 列", "changed cells 变更单元格数", title="changes per column 各列变更数")
        for column, cells in summary.cells_changed.items():
            counts.add_row(column, f"{cells:,}")
        console.print(counts)
    if summary.first_changes:
        first = RichTable("key 行键", "change 变更", "column 列", "old 原值", "new 新值",
                          title=f"first {len(summary.first_changes)} changes 前几条变更")
        for change in summary.first_changes:
            key = ", ".join(f"{k}={v}" for k, v in change.row_key.items())
            kind = "insert 新增" if change.kind == "insert" else "update 更新"
            if change.kind == "insert":
                first.add_row(key, kind, "", "", "")
            else:
                first.add_row(key, kind, change.column or "", _cell(change.old_value), _cell(change.new_value))
        console.print(first)


def _cell(value: Optional[str]) -> str:
    return "∅ (missing 空)" if value is None else value


@loads_app.command("show")
def show(ctx: typer.Context, load_id: int = typer.Argument(..., help="Load id (see `jiqun loads`)."),
         db: Optional[str] = db_option(),
         limit: int = typer.Option(20, "--limit", min=0, help="How many changes to list."),
         fmt: str = typer.Option("table", "--format", help="table or json.")) -> None:
    """List what a load inserted and changed (old → new). 查看一次加载的变更。"""
    if fmt not in ("table", "json"):
        fail("--format must be table or json / --format 须为 table 或 json", 2)
    con = _open(db or ctx.obj, read_only=True)
    try:
        summary = load_changes(con, load_id, limit=limit)
    except HistoryError as exc:
        fail(str(exc), 2)
    finally:
        con.disconnect()
    if fmt == "json":
        print(json.dumps(summary.as_dict(), ensure_ascii=False, indent=2))
        return
    print_changes(summary, f"load {load_id} 加载 ({summary.mode}, {Path(summary.source_file or '').name})")


@loads_app.command("undo")
def undo(ctx: typer.Context, load_id: int = typer.Argument(..., help="Load id to undo (see `jiqun loads`)."),
         db: Optional[str] = db_option()) -> None:
    """Restore the store to before a load (refused if a later load changed the same rows). 撤销一次加载。"""
    con = _open(db or ctx.obj, read_only=False)
    try:
        result = undo_load(con, load_id)
    except HistoryError as exc:
        fail(str(exc), 2)
    finally:
        con.disconnect()
    console.print(f"undone 已撤销 load {result.load_id} ({result.table}): {result.rows_deleted:,} inserted rows "
                  f"deleted 删除新增行, {result.rows_restored:,} rows restored 恢复原值 "
                  f"({result.cells_restored:,} cells); recorded as load {result.undo_load_id} 记录为加载 "
                  f"{result.undo_load_id}")
