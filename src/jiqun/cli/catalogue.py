"""Catalogue and template commands: template."""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer

from ..schema import LOADABLE, TABLES
from .base import app, console, fail
from .data import unknown_table_message


@app.command()
def template(table: str = typer.Argument(..., help="Table to write a template for: " + ", ".join(LOADABLE)),
             out: Optional[Path] = typer.Option(None, "--out", "-o",
                                                help="Excel file to write (default: TABLE_template.xlsx).")) -> None:
    """Write an Excel template for loading TABLE (headers, units, drop-down lists, an example row). 生成导入模板。"""
    from ..ingest.template import write_template

    if table not in TABLES:
        fail(unknown_table_message(table), 2)
    if table not in LOADABLE:
        fail(f"table {table} is written by jiqun itself and has no template 该表由jiqun生成，无导入模板; "
             f"loadable tables 可导入的表: {', '.join(LOADABLE)}", 2)
    path = out or Path(f"{table}_template.xlsx")
    if path.exists() and path.is_dir():
        fail(f"--out {path} is a folder; give a file name such as {path / (table + '_template.xlsx')} "
             f"--out 是文件夹，请给出文件名", 2)
    try:
        written = write_template(table, path)
    except OSError as exc:
        fail(f"cannot write {path}: {exc.strerror or exc} 无法写入文件; choose another --out", 1)
    console.print(f"wrote 已生成 {written}: sheet 数据 (fill in, then `jiqun ingest {written} --table {table}`), "
                  "sheet 说明 (every column's checks)")
