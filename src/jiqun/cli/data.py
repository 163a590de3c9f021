"""Store and data commands: init, ingest, tables, loads, docs, settings."""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer
from rich.table import Table as RichTable

from .. import settings
from ..ingest import MODES, IngestError, ingest_file
from ..schema import LOADABLE, TABLES
from ..store import StoreError, connect
from .base import app, console, db_option, db_path, err_console, fail


@app.command()
def init(db: Optional[str] = db_option()) -> None:
    """Create (or upgrade) a store and load the shipped catalogue. 创建数据库。"""
    try:
        con = connect(db_path(db))
    except StoreError as exc:
        fail(str(exc))
    counts = {t: con.table(t).count().execute() for t in TABLES if TABLES[t].layer == "catalogue"}
    con.disconnect()
    console.print(f"store ready: {db_path(db)}")
    for name, n in counts.items():
        console.print(f"  {name}: {n} rows")


def print_refusal(exc: IngestError) -> None:
    err_console.print(f"[bold red]refused 拒绝加载:[/] {exc.file} — {exc.total} problem(s); "
                      "nothing was written 未写入任何数据")
    counts = RichTable("rule 规则", "rows 行数", title="problems per rule 各规则问题数")
    for rule, n in sorted(exc.counts.items(), key=lambda kv: -kv[1]):
        counts.add_row(rule, str(n))
    err_console.print(counts)
    first = RichTable("row 行", "column 列", "value 值", "rule 规则", "message 说明", title="first problems 前几条")
    for p in exc.problems:
        value = "" if p.value is None else (p.value if len(p.value) <= 40 else p.value[:37] + "…")
        first.add_row("" if p.row is None else str(p.row), p.column or "", value, p.rule,
                      f"{p.message_en}\n{p.message_zh}")
    err_console.print(first)
    if exc.report_path:
        err_console.print(f"full report 完整错误报告: {exc.report_path}")


def print_layout(result) -> None:
    """What was read: header row, columns → stored columns, unit line, skipped rows, accepted outliers."""
    if result.header_rows:
        rows = "-".join(str(r) for r in (result.header_rows[0], result.header_rows[-1])) \
            if len(result.header_rows) > 1 else str(result.header_rows[0])
        console.print(f"header row 表头行: {rows}")
    if result.columns_read:
        read = ", ".join(f"{header} → {column}" + (f" (×{factor:g})" if factor != 1 else "")
                         for header, column, factor in result.columns_read)
        console.print(f"columns read 读取的列: {read}")
    if result.unit_source:
        applied = ", ".join(result.unit_applied_to) or "none 无 (every money header has its own unit)"
        console.print(f"unit line 单位行: {result.unit_source} → applied to 适用于: {applied}")
    if result.skipped_rows:
        console.print(f"skipped rows 跳过的行 ({len(result.skipped_rows)}): "
                      + "; ".join(r.label for r in result.skipped_rows[:20])
                      + (" …" if len(result.skipped_rows) > 20 else ""))
    if result.accepted_outliers:
        console.print(f"[yellow]accepted outliers 已接受的异常值 ({len(result.accepted_outliers)}):[/]")
        for p in result.accepted_outliers[:20]:
            console.print(f"  row {p.row} 第{p.row}行, {p.column}: {p.message_en} / {p.message_zh}")


@app.command()
def ingest(
    file: Path = typer.Argument(..., help="CSV (UTF-8/GBK/GB18030), XLSX or Parquet file."),
    table: str = typer.Option(..., "--table", "-t", help="Target table: " + ", ".join(LOADABLE)),
    db: Optional[str] = db_option(),
    mode: str = typer.Option("upsert", help="upsert: existing keys are updated; insert: existing keys are errors."),
    quarantine: bool = typer.Option(False, "--quarantine", help="Load valid rows; put rejected rows in `quarantine`."),
    vintage: Optional[str] = typer.Option(None, help="Data vintage recorded in `loads` (e.g. '2023 yearbook')."),
    errors: Optional[Path] = typer.Option(None, "--errors", help="Path of the full error report (CSV)."),
    sheet: Optional[str] = typer.Option(None, help="Excel sheet name or index (default: the first)."),
    encoding: Optional[str] = typer.Option(None, help="Force a text encoding (default: detect UTF-8/GBK/GB18030)."),
    header_row: Optional[int] = typer.Option(None, "--header-row", min=1,
                                             help="File row of the header (default: found below title, unit "
                                                  "and blank rows). 表头所在行。"),
    accept_outliers: bool = typer.Option(False, "--accept-outliers",
                                         help="Load values that fail the magnitude checks (listed). 接受异常值。"),
) -> None:
    """Validate FILE and load it into a table, all or nothing. 校验并加载数据文件。"""
    if table not in LOADABLE:
        fail(f"unknown table {table!r}; loadable tables: {', '.join(LOADABLE)}", 2)
    if mode not in MODES:
        fail(f"--mode must be one of {', '.join(MODES)}", 2)
    try:
        con = connect(db_path(db))
    except StoreError as exc:
        fail(str(exc))
    try:
        with console.status(f"validating and loading {file} …"):
            result = ingest_file(con, file, table, mode=mode, quarantine=quarantine, vintage=vintage,
                                 report_path=errors, sheet=sheet, encoding=encoding, header_row=header_row,
                                 accept_outliers=accept_outliers)
    except IngestError as exc:
        print_refusal(exc)
        raise typer.Exit(2)
    finally:
        con.disconnect()
    print_layout(result)
    if not result.changed:
        console.print(f"no change 无变化: {file} holds the same {result.rows_in_file} rows as the store")
        return
    console.print(
        f"loaded 已加载 {file} → {table}: {result.rows_inserted} inserted, {result.rows_updated} updated, "
        f"{result.rows_unchanged} unchanged, {result.rows_rejected} rejected "
        f"({result.rows_per_second:,.0f} rows/s, load #{result.load_id})"
    )
    if result.ignored_headers:
        console.print(f"ignored columns 忽略的列: {', '.join(result.ignored_headers)}")
    if result.report_path:
        console.print(f"rejected rows report 拒绝行报告: {result.report_path}")


@app.command()
def tables(name: Optional[str] = typer.Argument(None, help="Describe one table."),
           db: Optional[str] = db_option()) -> None:
    """List the tables (with row counts if the store exists) or describe one. 数据表。"""
    if name:
        if name not in TABLES:
            fail(f"unknown table {name!r}", 2)
        t = TABLES[name]
        console.print(f"[bold]{t.name}[/] {t.zh} — {t.description}\ngrain: {t.grain}\n"
                      f"key: {', '.join(t.primary_key)}")
        out = RichTable("column", "中文", "type", "unit", "required")
        for c in t.columns:
            out.add_row(c.name, c.zh, c.type, c.unit or "", "yes" if c.required else "")
        console.print(out)
        return
    counts = {}
    path = db_path(db)
    if Path(path).exists():
        con = connect(path, read_only=True)
        counts = {t: con.table(t).count().execute() for t in TABLES}
        con.disconnect()
    out = RichTable("table", "中文", "layer", "grain", "rows")
    for t in TABLES.values():
        out.add_row(t.name, t.zh, t.layer, t.grain, f"{counts[t.name]:,}" if counts else "")
    console.print(out)


@app.command()
def loads(db: Optional[str] = db_option()) -> None:
    """Show the provenance of every load. 加载记录。"""
    try:
        con = connect(db_path(db), read_only=True)
    except StoreError as exc:
        fail(str(exc))
    frame = con.table("loads").order_by("load_id").execute()
    con.disconnect()
    out = RichTable("id", "table", "file", "rows", "ins", "upd", "rej", "loaded_at", "vintage", "sha256")
    for r in frame.itertuples():
        out.add_row(str(r.load_id), r.table_name, Path(r.source_file).name, f"{r.rows_in_file:,}",
                    f"{r.rows_inserted:,}", f"{r.rows_updated:,}", f"{r.rows_rejected:,}", str(r.loaded_at),
                    r.vintage if isinstance(r.vintage, str) else "", r.sha256[:12])
    console.print(out)


@app.command()
def docs(out: Path = typer.Option(Path("docs"), "--out", help="Folder of the generated docs.")) -> None:
    """Regenerate docs/data-model.md and docs/settings.md from the declarations. 生成文档。"""
    from ..docs import write_docs

    for path in write_docs(out):
        console.print(f"wrote {path}")


@app.command("settings")
def show_settings() -> None:
    """Show every setting, its environment variable, default and current value. 设置。"""
    out = RichTable("setting", "env", "default", "current", "help")
    for s in settings.SETTINGS:
        out.add_row(s.name, s.env, s.default, settings.get(s.name), s.help)
    console.print(out)

