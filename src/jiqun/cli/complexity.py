"""``jiqun complexity``: economic complexity and relatedness (经济复杂度与关联度) — a province's technology
fields from the store's patents, or any long table (countries × products) from a file."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Optional

import pandas as pd
import typer

from ..schema.vocab import HOME_PROVINCE_CODE
from .base import app, check_input_file, check_output_file, console, db_option, db_path, fail
from .chain_map import _on_store, _print

FORMATS = ("table", "csv", "xlsx", "json")


def _read_table(path: Path) -> pd.DataFrame:
    check_input_file(path)
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return pd.read_csv(path, encoding=encoding, dtype=str)
        except UnicodeDecodeError:
            continue
        except pd.errors.ParserError as exc:
            fail(f"--table {path}: not a readable CSV ({str(exc).splitlines()[0]})", 2)
    fail(f"--table {path}: neither UTF-8 nor GBK text — save it as CSV (UTF-8)", 2)


def _profile_view(frame: pd.DataFrame) -> pd.DataFrame:
    return pd.DataFrame({
        "领域 field": frame.field_nr.astype(str) + " " + frame.field_name_zh.astype(str),
        "专利 patents": frame.n.map(lambda v: f"{int(v):,}"),
        "RTA": frame.rca.map(lambda v: "—" if pd.isna(v) else f"{v:.2f}"),
        "优势 M": frame.mcp.map(lambda v: "✓" if v else ""),
        "关联密度 density": frame.density.map(lambda v: "—" if pd.isna(v) else f"{v:.2f}"),
        "复杂度 PCI": frame.pci.map(lambda v: "—" if pd.isna(v) else f"{v:+.2f}"),
        "机会收益 COG": frame.cog.map(lambda v: "—" if pd.isna(v) else f"{v:.2f}"),
    })


def _emit(frame: pd.DataFrame, fmt: str, out: Optional[Path], notes: list[str], store: str = "") -> bool:
    """Write or print ``frame`` for csv/xlsx/json; False for the table view."""
    if fmt == "json":
        text = frame.to_json(orient="records", force_ascii=False, indent=1)
        if out is None:
            sys.stdout.write(text + "\n")
        else:
            out.parent.mkdir(parents=True, exist_ok=True)
            out.write_text(text, encoding="utf-8")
            console.print(f"wrote {len(frame):,} rows to {out} 已写出")
        return True
    if fmt in ("csv", "xlsx"):
        from ..chokepoints.export import write_relatedness
        from ..excel import write_csv

        target = out or Path(f"complexity.{fmt}")
        if target.suffix.lower() != f".{fmt}":
            fail(f"--out {target}: give a .{fmt} file for --format {fmt}", 2)
        if "field_name_zh" in frame.columns:
            write_relatedness(frame, target, notes, store)
        else:
            write_csv(frame, target) if fmt == "csv" else frame.to_excel(target, index=False)
        console.print(f"wrote {len(frame):,} rows to {target} 已写出")
        return True
    return False


@app.command("complexity")
def complexity_command(
    region: str = typer.Option(HOME_PROVINCE_CODE, "--region", help="Province by name or code (default 江苏 Jiangsu)."),
    year: Optional[int] = typer.Option(None, "--year", help="Year (default: the latest with measures)."),
    window: int = typer.Option(3, "--window", help="Years of patents pooled per year."),
    include_foreign: bool = typer.Option(False, "--include-foreign", help="Count applicants from abroad as "
                                         "locations (one per country)."),
    threshold: float = typer.Option(1.0, "--rca-threshold", help="M = 1 where RCA (RTA) ≥ this."),
    table: Optional[Path] = typer.Option(None, "--table", help="A long CSV (e.g. countries × products exports) "
                                         "instead of the store's patents; needs --loc, --prod and --val."),
    loc: Optional[str] = typer.Option(None, "--loc", help="Location column of --table."),
    prod: Optional[str] = typer.Option(None, "--prod", help="Product column of --table."),
    val: Optional[str] = typer.Option(None, "--val", help="Value column of --table."),
    time: Optional[str] = typer.Option(None, "--time", help="Period column of --table (each period on its own)."),
    fmt: str = typer.Option("table", "--format", help="table, csv (BOM, Chinese headers), xlsx or json."),
    out: Optional[Path] = typer.Option(None, "--out", help="Output file (default complexity.csv / .xlsx; json "
                                       "is printed without it)."),
    db: Optional[str] = db_option(),
) -> None:
    """Economic complexity and relatedness: RCA, ECI/PCI, density, COI and COG. Without --table, a
    province's WIPO technology fields from the store's patents (provinces × fields): which fields it
    leads, which lie within reach (density) and which would raise its complexity (COG).
    经济复杂度与技术关联度。"""
    if fmt not in FORMATS:
        fail(f"--format must be one of {', '.join(FORMATS)} 输出格式无效", 2)
    check_output_file(out)
    if table is not None:
        _table_command(table, loc, prod, val, time, threshold, fmt, out)
        return
    from ..chokepoints.inventory import region_technology_profile

    profile = _on_store(db, lambda con: region_technology_profile(con, region, year, window, include_foreign,
                                                                  threshold))
    notes = [f"地区 region: {profile.region.iloc[0]} {profile.region_zh.iloc[0]}; 年份 year: {profile.year.iloc[0]}; "
             f"专利窗口 window: {window} 年; 阈值 RTA threshold: {threshold}; 境外申请人 foreign applicants: "
             f"{'计入 included' if include_foreign else '不计 left out'}"]
    if _emit(profile, fmt, out, notes, db_path(db)):
        return
    head = profile.iloc[0]
    eci = "ECI 无定义 undefined" if pd.isna(head.eci) else (
        f"ECI {head.eci:+.2f}（{int(head.n_regions)} 个地区中第 {int(head.eci_rank)}）")
    _print(_profile_view(profile), f"{head.region_zh} 技术领域 · {int(head.year)} · {eci} · "
           f"优势领域 {int(head.diversity)} 个")


def _table_command(path, loc, prod, val, time, threshold, fmt, out) -> None:
    from ..complexity import ComplexityError, compute

    missing = [name for name, given in (("--loc", loc), ("--prod", prod), ("--val", val)) if not given]
    if missing:
        fail(f"--table needs {', '.join(missing)}: name the location, product and value columns of {path}", 2)
    frame = _read_table(path)
    try:
        result = compute(frame, loc, prod, val, time, threshold)
    except ComplexityError as exc:
        fail(f"{path}: {exc}", 2)
    if _emit(result, fmt, out, []):
        return
    by_location = result.drop_duplicates([c for c in (time, loc) if c]).sort_values("eci", ascending=False)
    _print(pd.DataFrame({"地区 location": by_location[loc].astype(str),
                         **({"时期 period": by_location[time].astype(str)} if time else {}),
                         "ECI": by_location.eci.map(lambda v: "—" if pd.isna(v) else f"{v:+.3f}"),
                         "优势产品数 diversity": by_location.diversity.astype(int).astype(str)}).head(20),
           f"经济复杂度 ECI · {path.name} (前20 top 20)")
