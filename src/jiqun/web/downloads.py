"""Downloads of the pages (下载): every table as CSV (UTF-8 with BOM, Chinese headers with units) or
formatted XLSX (:mod:`jiqun.excel`), every chart as SVG or PNG (rendered here from the same SVG by
CairoSVG, with the CJK font of :mod:`jiqun.pictures.fonts`) — ready to forward."""

from __future__ import annotations

import tempfile
from pathlib import Path
from urllib.parse import quote

import pandas as pd
from fastapi.responses import Response

from ..excel import About, Column, Sheet, shown_frame, write_workbook

TABLE_FORMATS = ("csv", "xlsx")
CHART_FORMATS = ("svg", "png")
_TYPES = {"csv": "text/csv; charset=utf-8", "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
          "svg": "image/svg+xml", "png": "image/png"}


def _attachment(body: bytes, fmt: str, name: str) -> Response:
    filename = f"{name}.{fmt}"
    return Response(body, media_type=_TYPES[fmt],
                    headers={"Content-Disposition": f"attachment; filename*=UTF-8''{quote(filename)}"})


def check_format(fmt: str, formats: tuple[str, ...]) -> str:
    """``fmt`` when it is one of ``formats`` (else a ValueError naming them: a 422)."""
    if fmt not in formats:
        raise ValueError(f"format must be one of {', '.join(formats)}, not {fmt!r}")
    return fmt


def table_download(frame: pd.DataFrame, columns: list[Column], fmt: str, name: str, title: str,
                   notes: list[str] = ()) -> Response:
    """A table as a CSV or XLSX attachment named ``name``.``fmt``."""
    check_format(fmt, TABLE_FORMATS)
    if fmt == "csv":
        return _attachment(shown_frame(frame, columns).to_csv(index=False).encode("utf-8-sig"), fmt, name)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "table.xlsx"
        write_workbook(path, [Sheet(title[:31], frame, columns, title)], About(title, notes=list(notes)))
        return _attachment(path.read_bytes(), fmt, name)


def svg_to_png(svg: str, scale: float = 2.0) -> bytes:
    """A PNG of an SVG chart on a white ground, its text in the installed CJK font."""
    import cairosvg

    from ..pictures.fonts import cjk_font_family

    family = cjk_font_family()
    # The charts name no font file; the PNG renderer takes the family given on the root element.
    themed = svg.replace("<svg ", f'<svg font-family="{family}" ', 1) if "font-family" not in svg[:200] else svg
    return cairosvg.svg2png(bytestring=themed.encode("utf-8"), scale=scale, background_color="white")


def chart_download(svg: str, fmt: str, name: str) -> Response:
    """A chart as an SVG or PNG attachment named ``name``.``fmt``."""
    check_format(fmt, CHART_FORMATS)
    if fmt == "svg":
        body = svg if svg.startswith("<?xml") else '<?xml version="1.0" encoding="UTF-8"?>\n' + svg
        return _attachment(body.encode("utf-8"), fmt, name)
    return _attachment(svg_to_png(svg), fmt, name)
