"""The chain picture (jiqun.pictures.chain_picture): SVG and PNG, colours by weakness, catalogue chains."""

from __future__ import annotations

import struct
import xml.etree.ElementTree as ET
from importlib import resources

import pandas as pd
import pytest

from jiqun.pictures import CJKFontMissing, chain_picture
from jiqun.pictures.chain import WEAKNESS_COLOURS, WEAKNESS_LABELS, weakness_colour, wrap_text

SVG = "{http://www.w3.org/2000/svg}"


def _font_or_skip():
    from jiqun.pictures import cjk_font_family

    try:
        return cjk_font_family()
    except CJKFontMissing as exc:  # the set-up installs fonts-noto-cjk; say so when it did not
        pytest.skip(str(exc))


def small_chain():
    nodes = pd.DataFrame({
        "node_id": ["u1", "m1", "m2", "d1"],
        "segment": ["upstream", "midstream", "midstream", "downstream"],
        "name_zh": ["功率半导体", "变压器与电抗器", "高端处理器芯片（CPU/GPU/FPGA）", "智能电网"],
        "weakness": [0, 1, 3, 5],
        "reasons": ["", None, "单一供应商", "无本地供应商"],
    })
    links = pd.DataFrame({"from_node_id": ["u1", "u1", "m1", "m2", "m1"],
                          "to_node_id": ["m1", "m2", "d1", "d1", "m2"],
                          "amount_yuan": [10.0, 1.0, 5.0, 2.0, 0.5]})
    return nodes, links


def _group_text(root, gid):
    group = next(el for el in root.iter(f"{SVG}g") if el.get("id") == gid)
    return "".join(t.text or "" for t in group.iter(f"{SVG}text"))


def _group_fill(root, gid):
    group = next(el for el in root.iter(f"{SVG}g") if el.get("id") == gid)
    path = next(group.iter(f"{SVG}path"))
    style = dict(part.split(":", 1) for part in path.get("style").replace(" ", "").split(";") if part)
    return style["fill"]


def test_svg_parses_names_legend_and_colours():
    _font_or_skip()
    nodes, links = small_chain()
    svg = chain_picture(nodes, links, fmt="svg", title="测试链")
    root = ET.fromstring(svg)
    for row in nodes.itertuples():
        assert _group_text(root, f"label-{row.node_id}") == row.name_zh.replace(" ", "")
        assert _group_fill(root, f"node-{row.node_id}") == weakness_colour(row.weakness)
    text = svg.decode("utf-8")
    assert "短板程度" in text and "测试链" in text and "上游" in text and "下游" in text
    for label in WEAKNESS_LABELS:
        assert label in text
    assert _group_fill(root, "node-d1") == WEAKNESS_COLOURS[-1]  # level 5 takes the last colour
    assert _group_fill(root, "node-u1") != _group_fill(root, "node-m1")
    assert "单一供应商" in _group_text(root, "reasons-m2")
    assert sum(1 for el in root.iter(f"{SVG}g") if (el.get("id") or "").startswith("link-")) == len(links)


def test_output_is_deterministic_and_png_plausible():
    _font_or_skip()
    nodes, links = small_chain()
    assert chain_picture(nodes, links) == chain_picture(nodes, links)
    png = chain_picture(nodes, links, fmt="png")
    assert png == chain_picture(nodes, links, fmt="png")
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", png[16:24])
    assert width == 1800 and 400 < height < 4000
    assert 20_000 < len(png) < 2_000_000


def test_bad_tables_are_refused():
    nodes, links = small_chain()
    with pytest.raises(ValueError, match="format"):
        chain_picture(nodes, links, fmt="pdf")
    with pytest.raises(ValueError, match="segment"):
        chain_picture(nodes.assign(segment="side"), links)
    with pytest.raises(ValueError, match="not in nodes"):
        chain_picture(nodes, pd.DataFrame({"from_node_id": ["u1"], "to_node_id": ["zz"]}))
    with pytest.raises(ValueError, match="weakness"):
        chain_picture(nodes.assign(weakness=[0, 1.5, 2, 3]), links)
    with pytest.raises(ValueError, match="lack columns"):
        chain_picture(nodes.drop(columns="reasons"), links)


def test_missing_font_gives_one_clear_message(monkeypatch, tmp_path):
    nodes, links = small_chain()
    monkeypatch.setenv("JIQUN_CJK_FONT", str(tmp_path / "none.ttf"))
    with pytest.raises(CJKFontMissing, match="JIQUN_CJK_FONT"):
        chain_picture(nodes, links)


def test_wrap_keeps_words_and_punctuation():
    assert wrap_text("高端处理器芯片（CPU/GPU/FPGA）", 20) == ["高端处理器芯片（CPU/", "GPU/FPGA）"]
    lines = wrap_text("无本地供应商；单一供应商；七成以上进口（日本、德国）", 24)
    assert all(not line.startswith(("、", "；", "）")) for line in lines)
    assert "".join(lines) == "无本地供应商；单一供应商；七成以上进口（日本、德国）"
    assert wrap_text("一二三四五六七八九十", 4, max_lines=2)[-1].endswith("…")


def test_every_catalogue_chain_draws():
    _font_or_skip()
    data = resources.files("jiqun.catalogue") / "data"
    all_nodes = pd.read_csv(data / "chain_nodes.csv")
    all_links = pd.read_csv(data / "chain_links.csv")
    assert all_nodes["cluster_id"].nunique() == 14
    for index, (cluster, nodes) in enumerate(all_nodes.groupby("cluster_id")):
        nodes = nodes.assign(weakness=[(i + index) % 5 for i in range(len(nodes))],
                             reasons=["无本地供应商；单一供应商" if (i + index) % 5 > 2 else "" for i in range(len(nodes))])
        links = all_links[all_links["cluster_id"] == cluster]
        root = ET.fromstring(chain_picture(nodes, links, fmt="svg", title=cluster))
        for row in nodes.itertuples():
            assert _group_text(root, f"label-{row.node_id}") == row.name_zh.replace(" ", "")
            assert _group_fill(root, f"node-{row.node_id}") == weakness_colour(row.weakness)
        if index == 0:
            assert chain_picture(nodes, links, fmt="png")[:8] == b"\x89PNG\r\n\x1a\n"
