"""Plain-SVG charts (pictures.charts): points where the numbers put them."""

from __future__ import annotations

import re

from jiqun.pictures.charts import line_chart_svg, radar_svg


def test_line_chart_breaks_at_a_missing_year_and_labels_the_last_value():
    svg = line_chart_svg([(2019, 1.0), (2020, 2.0), (2021, None), (2022, 4.0)], "产值", lambda v: f"{v:g}亿元")
    lines = re.findall(r'<polyline points="([^"]+)"', svg)
    assert len(lines) == 2 and len(lines[0].split()) == 2 and len(lines[1].split()) == 1
    assert ">4亿元</text>" in svg and "<title>2019: 1亿元</title>" in svg
    assert "—" in line_chart_svg([(2020, None)], "空", str)


def test_radar_puts_a_score_of_one_on_the_outer_ring():
    svg = radar_svg(["甲", "乙", "丙", "丁"], [("本集群", [1.0, 0.5, 0.0, 0.25]), ("全省最高", [1, 1, 1, 1])], "维度",
                    size=320)
    corners = re.search(r'data-series="本集群" points="([^"]+)"', svg).group(1).split()
    x0, y0 = map(float, corners[0].split(","))
    centre_x, centre_y, radius = (320 + 180) / 2, 160, 160 - 58
    assert (x0, y0) == (centre_x, centre_y - radius)          # axis 1 straight up, at full score
    x1, _ = map(float, corners[1].split(","))
    assert abs(x1 - (centre_x + radius / 2)) < 0.1            # axis 2 to the right, half way
    assert 'stroke-dasharray="4 3"' in svg and svg.count("<polygon data-series") == 2
