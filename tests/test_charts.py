"""Plain-SVG charts (pictures.charts): points where the numbers put them."""

from __future__ import annotations

import re

from jiqun.pictures.charts import bubble_chart_svg, line_chart_svg, radar_svg, score_bars_svg


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


def test_score_bars_are_as_long_as_the_scores():
    svg = score_bars_svg([{"label": "甲", "value": 1.0, "note": "第1位"}, {"label": "乙", "value": 0.25},
                          {"label": "丙", "value": None}], "得分", lambda v: f"{v:.2f}", width=640)
    widths = [float(w) for w in re.findall(r'<rect x="170" y="[^"]+" width="([^"]+)"', svg)]
    assert widths == [640 - 170 - 150, (640 - 170 - 150) / 4]  # no bar for a missing score
    assert "1.00 第1位" in svg


def test_bubbles_sit_at_their_values_and_grow_with_their_size():
    svg = bubble_chart_svg([{"label": "甲", "x": 0.0, "y": 1.0, "size": 100}, {"label": "乙", "x": 1.0, "y": 3.0,
                            "size": 25}], "组合", "增速", "区位商", width=520, height=360)
    circles = {label: (float(cx), float(cy), float(r)) for cx, cy, r, label in re.findall(
        r'<circle class="bubble" cx="([^"]+)" cy="([^"]+)" r="([^"]+)"[^>]*><title>([^:]+):', svg)}
    assert circles["甲"][0] < circles["乙"][0] and circles["甲"][1] > circles["乙"][1]   # right and up
    assert circles["甲"][2] == 4 + 22 and circles["乙"][2] == 4 + 22 * 0.5           # area by size
    # the reference lines: growth 0 through 甲's centre, LQ 1 through it too
    assert f'x1="{circles["甲"][0]:.1f}"' in svg and f'y1="{circles["甲"][1]:.1f}"' in svg
