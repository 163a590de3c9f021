"""Store and data commands: init, ingest, tables, docs, settings (the load history is in :mod:`.loads`)."""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer
from rich.table import Table as RichTable

from .. import settings
from ..ingest import MODES, IngestError, ingest_file
from ..ingest.load import normalize_mode
from ..schema import LOADABLE, TABLES
from ..session import connect
from ..store import StoreError
from .base import (app, check_encoding, check_input_file, check_output_file, console, db_option, db_path,
                   discard_new_store, err_console, fail, is_new_store)


@app.command()
def init(db: Optional[str] = db_option()) -> None:
    """Create (or upgrade) a store and load the shipped catalogue. 创建数据库。"""
    try:
        con = connect(db_path(db, demo_fallback=False))
    except StoreError as exc:
        fail(str(exc))
    counts = {t: con.table(t).count().execute() for t in TABLES if TABLES[t].layer == "catalogue"}
    con.disconnect()
    console.print(f"store ready: {db_path(db, demo_fallback=False)}")
    for name, rows in counts.items():
        console.print(f"  {name}: {rows} rows")


def print_refusal(exc: IngestError) -> None:
    err_console.print(f"[bold red]refused 拒绝加载:[/] {exc.file} — {exc.total} problem(s); "
                      "nothing was written 未写入任何数据")
    counts = RichTable("rule 规则", "rows 行数", title="problems per rule 各规则问题数")
    for rule, rows in sorted(exc.counts.items(), key=lambda rule_and_rows: -rule_and_rows[1]):
        counts.add_row(rule, str(rows))
    err_console.print(counts)
    first = RichTable("row 行", "column 列", "value 值", "rule 规则", "message 说明", title="first problems 前几条")
    for problem in exc.problems:
        value = problem.value
        value = "" if value is None else (value if len(value) <= 40 else value[:37] + "…")
        first.add_row("" if problem.row is None else str(problem.row), problem.column or "", value, problem.rule,
                      f"{problem.message_en}\n{problem.message_zh}")
    err_console.print(first)
    if exc.report_path:
        err_console.print(f"full report 完整错误报告: {exc.report_path}")
    if exc.report_note:
        err_console.print(f"note 提示: {exc.report_note}")


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
        for outlier in result.accepted_outliers[:20]:
            console.print(f"  row {outlier.row} 第{outlier.row}行, {outlier.column}: "
                          f"{outlier.message_en} / {outlier.message_zh}")


@app.command()
def ingest(
    file: Path = typer.Argument(..., help="CSV (UTF-8/GBK/GB18030), XLSX or Parquet file."),
    table: str = typer.Option(..., "--table", "-t", help="Target table: " + ", ".join(LOADABLE)),
    db: Optional[str] = db_option(),
    mode: str = typer.Option("upsert", help="upsert: existing keys get the file's columns, the columns the file "
                             "lacks keep their stored values; replace-rows: existing rows are replaced whole "
                             "(absent columns become empty or their default); insert: existing keys are errors."),
    quarantine: bool = typer.Option(False, "--quarantine", help="Load valid rows; put rejected rows in `quarantine`."),
    vintage: Optional[str] = typer.Option(None, help="Data vintage recorded in `loads` (e.g. '2023 yearbook')."),
    report: Optional[Path] = typer.Option(None, "--report", "--errors",
                                          help="Path of the full error report (CSV); default: beside FILE "
                                               "(the temp folder when that folder is not writable). 错误报告路径。"),
    sheet: Optional[str] = typer.Option(None, help="Excel sheet name or index (default: the first)."),
    encoding: Optional[str] = typer.Option(None, help="Force a text encoding (default: detect UTF-8/GBK/GB18030)."),
    dry_run: bool = typer.Option(False, "--dry-run", help="Validate and show what the load would insert and "
                                 "change (as `jiqun loads show`), writing nothing."),
    header_row: Optional[int] = typer.Option(None, "--header-row", min=1,
                                             help="File row of the header (default: found below title, unit "
                                                  "and blank rows). 表头所在行。"),
    accept_outliers: bool = typer.Option(False, "--accept-outliers",
                                         help="Load values that fail the magnitude checks (listed). 接受异常值。"),
) -> None:
    """Validate FILE and load it into a table, all or nothing. 校验并加载数据文件。"""
    if table not in LOADABLE:
        fail(f"unknown table {table!r}; loadable tables: {', '.join(LOADABLE)}", 2)
    mode = normalize_mode(mode)
    if mode not in MODES:
        fail(f"--mode must be one of upsert, replace-rows, insert / --mode 须为 upsert、replace-rows 或 insert", 2)
    check_input_file(file)
    check_encoding(encoding)
    if sheet is not None and file.suffix.lower() not in (".xlsx", ".xlsm", ".xls"):
        fail(f"--sheet applies to Excel workbooks only, and {file.name} is not one (.xlsx) "
             "--sheet 仅适用于 Excel 文件", 2)
    check_output_file(report)
    store = db_path(db, demo_fallback=False)
    new_store = is_new_store(store)
    try:
        con = connect(store, create=not dry_run)  # a dry run does not create a store
    except StoreError as exc:
        fail(str(exc))
    result = None
    try:
        with console.status(f"validating and loading {file} …"):
            result = ingest_file(con, file, table, mode=mode, quarantine=quarantine, vintage=vintage,
                                 report_path=report, sheet=sheet, encoding=encoding, header_row=header_row,
                                 accept_outliers=accept_outliers, dry_run=dry_run)
    except IngestError as exc:
        print_refusal(exc)
        raise typer.Exit(2)
    finally:
        con.disconnect()
        if new_store and (result is None or dry_run):  # a refused first load or a dry run leaves no store behind
            discard_new_store(store)
    print_layout(result)
    if dry_run:
        print_dry_run(file, result)
        return
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
    if result.report_note:
        console.print(f"note 提示: {result.report_note}")


def print_dry_run(file: Path, result) -> None:
    """What a dry run found: the would-be counts and changes, and that nothing was written."""
    from .loads import print_changes

    console.print(f"dry run 试运行: {file} — {result.rows_inserted} would be inserted 将新增, {result.rows_updated} "
                  f"updated 将更新, {result.rows_unchanged} unchanged 不变, {result.rows_rejected} rejected 拒绝; "
                  "nothing was written 未写入任何数据")
    if result.changes is not None and result.changed:
        print_changes(result.changes, f"would load 将加载 {file.name} ({result.changes.mode})")
    if result.ignored_headers:
        console.print(f"ignored columns 忽略的列: {', '.join(result.ignored_headers)}")


@app.command()
def tables(name: Optional[str] = typer.Argument(None, help="Describe one table: its columns' checks and allowed values."),
           db: Optional[str] = db_option()) -> None:
    """List the tables (with row counts if the store exists) or describe one. 数据表。"""
    if name:
        describe_table(name)
        return
    counts = {}
    path = db_path(db)
    if db or Path(path).exists():  # an explicit --db must be a store; the default may not exist yet
        con = connect(path, read_only=True)
        counts = {t: con.table(t).count().execute() for t in TABLES}
        con.disconnect()
    out = RichTable("table", "中文", "layer", "grain", "rows")
    for table in TABLES.values():
        out.add_row(table.name, table.zh, table.layer, table.grain, f"{counts[table.name]:,}" if counts else "")
    console.print(out)


def unknown_table_message(name: str) -> str:
    """One bilingual line refusing an unknown table name, with the valid names and the closest one."""
    import difflib

    close = difflib.get_close_matches(name, list(TABLES), n=1, cutoff=0.5)
    hint = f" Did you mean {close[0]}? 是否指 {close[0]}？" if close else ""
    return (f"unknown table {name!r} 未知数据表;{hint} valid tables 可用数据表: {', '.join(TABLES)}")


def describe_table(name: str) -> None:
    """Print a table's grain, key, every column's checks and allowed values, its rules and foreign keys."""
    from ..schema.docs import column_checks, table_rules

    if name not in TABLES:
        fail(unknown_table_message(name), 2)
    spec = TABLES[name]
    console.print(f"[bold]{spec.name}[/] {spec.zh} — {spec.description}\ngrain 粒度: {spec.grain}\n"
                  f"key 主键: {', '.join(spec.primary_key) or '—'}")
    out = RichTable(title="columns and checks 列与校验")
    for heading in ("column 列", "type 类型", "unit 单位", "required 必填", "checks 校验", "allowed values 允许值",
                    "also accepted headers 其他表头"):
        out.add_column(heading, overflow="fold")
    for check in column_checks(spec):
        chinese_units = ", ".join(header for header in check.units if not header.isascii())
        unit = check.unit + (f" (headers 表头: {chinese_units})" if check.units else "")
        allowed = "; ".join(f"{value} = {'/'.join(spelling for spelling in spellings if spelling != value)}"
                            .rstrip(" =") for value, spellings in check.allowed.items())
        out.add_row(f"{check.column}\n{check.zh}", check.type, unit, "yes 是" if check.required else "", check.checks,
                    allowed, ", ".join((*check.aliases, *check.synonyms)))
    console.print(out)
    rules = table_rules(spec)
    if rules:
        table = RichTable("kind 类别", "rule 规则", "meaning 说明", title="cross-field rules and foreign keys 跨字段规则与外键")
        for kind, rule, meaning in rules:
            table.add_row(kind, rule, meaning)
        console.print(table)


@app.command()
def docs(out: Path = typer.Option(Path("docs"), "--out", help="Folder of the generated docs.")) -> None:
    """Regenerate docs/data-model.md and docs/settings.md from the declarations. 生成文档。"""
    from ..docs import write_docs
    from .base import CLI_NOTES

    if out.exists() and not out.is_dir():
        fail(f"--out {out} is a file; the docs are written into a folder — give a folder name 输出路径须为文件夹", 2)
    for path in write_docs(out, cli_app=app, cli_notes=CLI_NOTES):
        console.print(f"wrote {path}")


@app.command("settings")
def show_settings() -> None:
    """Show every setting, its environment variable, default and current value. 设置。"""
    out = RichTable("setting", "env", "default", "current", "help")
    for setting in settings.SETTINGS:
        out.add_row(setting.name, setting.env, setting.default, settings.get(setting.name), setting.help)
    console.print(out)

