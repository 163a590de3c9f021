"""The city map (pictures.citymap): shipped outlines of the 13 cities, quantile colours by hand."""

from __future__ import annotations

import re

from jiqun.pictures.citymap import NO_VALUE, PALETTE, _classes, city_map_svg, city_outlines

CITIES = [f"32{n:02d}00" for n in range(1, 14)]


def test_outlines_ship_for_the_13_cities_inside_jiangsu():
    outlines = city_outlines()
    assert sorted(outlines) == CITIES
    for polygons in outlines.values():
        for polygon in polygons:
            for lon, lat in polygon[0]:
                assert 116.3 < lon < 121.99 and 30.7 < lat < 35.2   # Jiangsu's extent


def test_quantile_classes_and_colours_by_hand():
    # 13 values 1..13: upper bounds at ceil(13 k / 5): 3, 6, 8, 11, 13
    assert _classes([float(v) for v in range(1, 14)]) == [3.0, 6.0, 8.0, 11.0, 13.0]
    values = {code: float(n) for n, code in enumerate(CITIES, start=1)}
    values["321300"] = None
    svg = city_map_svg(values, {code: code for code in CITIES}, "测试", shown=lambda v: f"{v:g}")
    fills = dict(re.findall(r'data-city="(\d+)" d="[^"]+" fill="(#[0-9a-f]+)"', svg))
    assert len(fills) == 13 and fills["321300"] == NO_VALUE
    # 12 values 1..12: bounds 3, 5, 8, 10, 12
    assert fills["320100"] == PALETTE[0] and fills["320400"] == PALETTE[1] and fills["321200"] == PALETTE[4]
    assert "<script" not in svg and 'id="city-map"' in svg and "<title>测试</title>" in svg
