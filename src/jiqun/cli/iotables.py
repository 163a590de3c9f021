"""``jiqun io …``: input–output tables (投入产出表)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Optional

import typer
from rich.markup import escape

from .base import app, check_input_file, check_output_file, console, fail

io_app = typer.Typer(help="Input–output tables: multipliers, linkages, import dependence. 投入产出分析。",
                     no_args_is_help=True)
app.add_typer(io_app, name="io")

FORMATS = ("table", "csv", "xlsx", "json")


def _load(path: Path):
    from ..io import IOTableError, read_io_table

    check_input_file(path)
    try:
        return read_io_table(path)
    except IOTableError as exc:
        fail(f"{exc} — see docs/io.md for the layout 投入产出表格式不符", 2)


@io_app.command("summary")
def summary(path: Path = typer.Argument(..., help="IO table in NBS layout (CSV or XLSX). 投入产出表文件"),
            domestic: bool = typer.Option(False, "--domestic", help="Use the domestic Leontief inverse. 国内模型"),
            fmt: str = typer.Option("table", "--format", help="table, csv, xlsx or json."),
            out: Optional[Path] = typer.Option(None, "--out", help="Output file (csv/xlsx/json).")) -> None:
    """Multipliers, linkages, key sectors and import dependence per sector. 乘数、关联与进口依存度。"""
    from ..excel import About, Column, Sheet, write_csv, write_workbook
    from ..io import IOTableError, sector_summary
    from ..io.summary import SUMMARY_LABELS

    if fmt not in FORMATS:
        fail(f"--format {fmt!r} is not one of {', '.join(FORMATS)} 输出格式无效", 2)
    check_output_file(out)
    if fmt == "xlsx" and out is None:
        fail("--format xlsx needs --out FILE.xlsx 请用 --out 指定输出文件", 2)
    table = _load(path)
    try:
        frame = sector_summary(table, domestic=domestic)
    except IOTableError as exc:
        fail(str(exc), 2)
    if fmt == "csv":
        labelled = frame.rename(columns=SUMMARY_LABELS)
        if out is None:
            typer.echo(labelled.to_csv(index=False), nl=False)
        else:
            write_csv(labelled, out)
    elif fmt == "json":
        text = json.dumps(json.loads(frame.to_json(orient="records", force_ascii=False)), ensure_ascii=False, indent=1)
        if out is None:
            typer.echo(text)
        else:
            out.write_text(text, encoding="utf-8")
    elif fmt == "xlsx":
        kinds = {"sector": "code", "name_zh": "text", "x": "decimal", "key": "flag", "kind": "text",
                 "direct_share": "share"}
        columns = [Column(c, SUMMARY_LABELS[c], kinds.get(c, "score"), c) for c in frame.columns]
        write_workbook(out, [Sheet("部门", frame, columns)],
                       About(title=f"投入产出分析 Input–output summary: {path.name}", notes=table.notes))
    else:
        typer.echo(frame.rename(columns=SUMMARY_LABELS).to_string(index=False))
    if out is not None:
        console.print(f"wrote {escape(str(out))}")


@io_app.command("extract")
def extract(path: Path = typer.Argument(..., help="IO table in NBS layout (CSV or XLSX). 投入产出表文件"),
            sector: str = typer.Option(..., "--sector", help="Sector code to extract. 抽取的部门代码"),
            domestic: bool = typer.Option(False, "--domestic", help="Use the domestic flows. 国内模型")) -> None:
    """Hypothetical extraction of one sector: total, backward and forward output loss. 假设抽取法。"""
    from ..io import IOTableError

    table = _load(path)
    try:
        result = table.extraction(sector, domestic=domestic)
    except IOTableError as exc:
        fail(str(exc), 2)
    total = float(table.x.sum())
    console.print(f"sector {result['sector']} {escape(str(table.names.at[result['sector'], 'name_zh']))}")
    for kind, zh in (("total", "完全抽取"), ("backward", "后向抽取"), ("forward", "前向抽取")):
        console.print(f"{kind:9} {zh}: output loss {result[kind]:,.1f} ({result[kind] / total:.2%} of gross output)")
