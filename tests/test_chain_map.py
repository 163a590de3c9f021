"""The chain map (产业链图谱) and its weak links (短板) against values worked out by hand on a small store.

The store (cluster iot, years 2022-2023; M = 1 million yuan):

firms   A Wuxi 320281 (iot 3983, private)  serves m1 (primary)    output 90 / 100
        B Wuxi 320205 (iot 3983, private)  serves d1 (primary)    output 10 / 20
        C Suzhou 320506 (iot, foreign, branch) serves u1, u2 (both primary) output 40 / 20
        D Nanjing 320102 (textiles 1711, private) serves u1 (not primary) output 30 / 30
        E Wuxi 320211 (textiles, hmt), F Suzhou 320506 (textiles): sellers only
2022    u1: C→A 40, E→A 10, JPN→A 30, (no USCC, 310000)→B 20; u2: F→A 25; m1: A→B 60, A→DEU buyer 15;
        u3: USA→B 6, DEU→B 1, (no USCC, 310000)→B 3; m2: C→B 9, E→B 3
2023    u1: C→A 50; u2: F (now selling from Shanghai 310000)→A 20; m1: A→B 70
patents A G01D (u1, m1) 2022; C B81B (u1) 2022; E G06K (u3) 2022; B H04W (u2, m2, d2) 2023; a foreign one
"""

import json

import pandas as pd
import pytest
from typer.testing import CliRunner

from jiqun.chains import chain_graph, chain_map, chain_tables, evaluate_weak_links, picture_frames, weak_links
from jiqun.chains.weak import load_rules, parse_rules
from jiqun.cli import app
from jiqun.codes import uscc_check_character
from jiqun.ingest import ingest_table

M = 1e6
runner = CliRunner()


def uscc(serial: int, region: str = "320200") -> str:
    body = f"91{region}MA{serial:07d}"[:17]
    return body + uscc_check_character(body)


A, B, C, D, E, F = (uscc(i) for i in range(1, 7))


@pytest.fixture(scope="module")
def hand_path(tmp_path_factory, _template_store):
    import shutil

    import jiqun

    path = tmp_path_factory.mktemp("chain") / "chain.duckdb"
    shutil.copy(_template_store, path)
    con = jiqun.connect(path)
    ingest_table(con, pd.DataFrame({
        "uscc": [A, B, C, D, E, F], "name": ["甲", "乙", "丙", "丁", "戊", "己"],
        "region_code": ["320281", "320205", "320506", "320102", "320211", "320506"],
        "industry_code": ["3983", "3983", "3983", "1711", "1711", "1711"],
        "ownership": ["private", "private", "foreign", "private", "hmt", "private"],
        "is_branch": [False, False, True, False, False, False],
    }), "firms")
    ingest_table(con, pd.DataFrame({
        "uscc": [A, B, C, D, E, F] * 2, "year": [2022] * 6 + [2023] * 6,
        "revenue_yuan": [100 * M] * 12,
        "output_value_yuan": [90 * M, 10 * M, 40 * M, 30 * M, 110 * M, 5 * M,
                              100 * M, 20 * M, 20 * M, 30 * M, 110 * M, 5 * M],
        "employment": [10] * 12,
    }), "firm_years")
    ingest_table(con, pd.DataFrame({"uscc": [A, B, C, C, D], "node_id": ["iot.m1", "iot.d1", "iot.u1", "iot.u2", "iot.u1"],
                                    "is_primary": [True, True, True, True, False]}), "firm_chain_nodes")
    rows = [
        # year, seller, seller region, seller country, buyer, buyer region, buyer country, node, amount (M)
        (2022, C, "320506", "CHN", A, "320281", "CHN", "iot.u1", 40),
        (2022, E, "320211", "CHN", A, "320281", "CHN", "iot.u1", 10),
        (2022, None, None, "JPN", A, "320281", "CHN", "iot.u1", 30),
        (2022, None, "310000", "CHN", B, "320205", "CHN", "iot.u1", 20),
        (2022, F, "320506", "CHN", A, "320281", "CHN", "iot.u2", 25),
        (2022, A, "320281", "CHN", B, "320205", "CHN", "iot.m1", 60),
        (2022, A, "320281", "CHN", None, None, "DEU", "iot.m1", 15),
        (2022, None, None, "USA", B, "320205", "CHN", "iot.u3", 6),
        (2022, None, None, "DEU", B, "320205", "CHN", "iot.u3", 1),
        (2022, None, "310000", "CHN", B, "320205", "CHN", "iot.u3", 3),
        (2022, C, "320506", "CHN", B, "320205", "CHN", "iot.m2", 9),
        (2022, E, "320211", "CHN", B, "320205", "CHN", "iot.m2", 3),
        (2023, C, "320506", "CHN", A, "320281", "CHN", "iot.u1", 50),
        (2023, F, "310000", "CHN", A, "320281", "CHN", "iot.u2", 20),
        (2023, A, "320281", "CHN", B, "320205", "CHN", "iot.m1", 70),
    ]
    tx = pd.DataFrame(rows, columns=["year", "seller_uscc", "seller_region_code", "seller_country", "buyer_uscc",
                                     "buyer_region_code", "buyer_country", "node_id", "amount_yuan"])
    tx.insert(0, "transaction_id", [f"t{i}" for i in range(len(tx))])
    tx["amount_yuan"] = tx.amount_yuan * M
    ingest_table(con, tx, "transactions")
    ingest_table(con, pd.DataFrame({
        "patent_id": ["p1", "p2", "p3", "p4", "p5"], "applicant_uscc": [A, C, E, B, None],
        "applicant_country": ["CHN", "CHN", "CHN", "CHN", "JPN"],
        "applicant_region_code": ["320281", "320506", "320211", "320205", None],
        "application_date": pd.to_datetime(["2022-03-01", "2022-04-01", "2022-05-01", "2023-06-01",
                                            "2022-07-01"]).date,
        "ipc_main": ["G01D 5/00", "B81B 7/02", "G06K 19/00", "H04W 4/70", "B81B 7/02"],
        "patent_type": ["invention"] * 5,
    }), "patents")
    con.disconnect()
    return path


@pytest.fixture(scope="module")
def hand(hand_path):
    import jiqun

    con = jiqun.connect(hand_path, read_only=True)
    yield con
    con.disconnect()


@pytest.fixture(scope="module")
def tables(hand):
    """The province map of iot, all years, as pandas frames."""
    return {name: t.execute() for name, t in chain_tables(hand, ["iot"]).items() if name != "template_links"}


def seg(tables, node, year):
    s = tables["segments"]
    rows = s[(s.node_id == f"iot.{node}") & (s.year == year)]
    assert len(rows) == 1
    return rows.iloc[0]


def test_every_template_node_and_year_has_a_row(tables):
    s = tables["segments"]
    assert len(s) == 9 * 2 and set(s.year) == {2022, 2023}
    assert set(tables["stages"].segment) == {"upstream", "midstream", "downstream"} and len(tables["stages"]) == 6


def test_purchases_by_origin_and_local_rates(tables):
    u1 = seg(tables, "u1", 2022)
    assert u1.purchases_yuan == pytest.approx(100 * M)
    assert (u1.purchases_same_city_yuan, u1.purchases_other_city_yuan, u1.purchases_other_province_yuan,
            u1.purchases_abroad_yuan) == pytest.approx((10 * M, 40 * M, 20 * M, 30 * M))
    assert u1.local_supporting_rate_city == pytest.approx(0.1)
    assert u1.local_supporting_rate_province == pytest.approx(0.5)
    assert u1.import_share == pytest.approx(0.3)
    assert (u1.top_import_country, u1.top_import_country_share, u1.top_import_country_share_of_imports) == \
        ("JPN", pytest.approx(0.3), pytest.approx(1.0))


def test_supplier_concentration_foreign_and_branch_shares(tables):
    u1 = seg(tables, "u1", 2022)
    # sellers C 40, E 10, JPN (one per country) 30, the USCC-less Shanghai seller 20
    assert u1.n_suppliers == 4
    assert u1.supplier_hhi == pytest.approx(0.4 ** 2 + 0.1 ** 2 + 0.3 ** 2 + 0.2 ** 2)
    assert u1.top_supplier_share == pytest.approx(0.4)
    assert u1.foreign_invested_share == pytest.approx(0.5)  # C foreign 40 + E hmt 10
    assert u1.branch_share == pytest.approx(0.4)  # C
    u3 = seg(tables, "u3", 2022)
    assert u3.supplier_hhi == pytest.approx(0.6 ** 2 + 0.1 ** 2 + 0.3 ** 2)
    assert (u3.import_share, u3.top_import_country, u3.top_import_country_share) == \
        (pytest.approx(0.7), "USA", pytest.approx(0.6))
    assert seg(tables, "m2", 2022).branch_share == pytest.approx(0.75)
    d1 = seg(tables, "d1", 2022)  # nobody buys d1 goods
    assert d1.purchases_yuan == 0 and d1.n_suppliers == 0 and pd.isna(d1.supplier_hhi)
    assert pd.isna(d1.local_supporting_rate_city)


def test_local_firms_capacity_and_growth(tables):
    u1, u2 = seg(tables, "u1", 2022), seg(tables, "u2", 2022)
    assert u1.n_local_firms == 2 and u1.capacity_yuan == pytest.approx(20 * M)  # C (half) and D (not primary)
    assert u2.n_local_firms == 1 and u2.capacity_yuan == pytest.approx(20 * M)
    assert seg(tables, "m1", 2022).capacity_yuan == pytest.approx(90 * M)
    assert seg(tables, "u3", 2022).n_local_firms == 0
    assert seg(tables, "u1", 2023).capacity_growth == pytest.approx(10 / 20 - 1)
    assert seg(tables, "m1", 2023).capacity_growth == pytest.approx(100 / 90 - 1)
    assert pd.isna(seg(tables, "m1", 2022).capacity_growth)  # no previous year
    assert pd.isna(seg(tables, "u3", 2023).capacity_growth)  # no capacity the year before


def test_local_sales_by_destination(tables):
    u1 = seg(tables, "u1", 2022)  # C (Suzhou) -> A (Wuxi) 40, E (Wuxi) -> A 10; the USCC-less seller is not local
    assert (u1.sales_yuan, u1.sales_same_city_yuan, u1.sales_other_city_yuan) == pytest.approx((50 * M, 10 * M, 40 * M))
    m1 = seg(tables, "m1", 2022)
    assert (m1.sales_yuan, m1.sales_same_city_yuan, m1.sales_abroad_yuan) == pytest.approx((75 * M, 60 * M, 15 * M))
    assert seg(tables, "u2", 2023).sales_yuan == 0  # F sold from Shanghai


def test_patents_in_the_segments_ipc_classes(tables):
    assert seg(tables, "u1", 2022).n_patents == 2  # A's G01D, C's B81B; not the foreign B81B
    assert seg(tables, "m1", 2022).n_patents == 1
    assert seg(tables, "u3", 2022).n_patents == 1  # E is a local firm too
    assert [seg(tables, n, 2023).n_patents for n in ("u2", "m2", "d2", "u1")] == [1, 1, 1, 0]


def test_suppliers_moved_out(tables):
    u2 = seg(tables, "u2", 2023)
    assert u2.n_suppliers_moved_out == 1 and u2.moved_out_share == pytest.approx(1.0)
    assert seg(tables, "u1", 2023).n_suppliers_moved_out == 0


def test_stage_rollup(tables):
    st = tables["stages"]
    up = st[(st.segment == "upstream") & (st.year == 2022)].iloc[0]
    assert up.purchases_yuan == pytest.approx(135 * M)
    assert up.purchases_abroad_yuan == pytest.approx(37 * M)
    assert up.n_suppliers == 7  # the USCC-less Shanghai seller of u1 and u3 is one supplier
    assert up.supplier_hhi == pytest.approx((40 ** 2 + 10 ** 2 + 30 ** 2 + 23 ** 2 + 25 ** 2 + 6 ** 2 + 1) / 135 ** 2)
    assert up.n_local_firms == 2 and up.capacity_yuan == pytest.approx(40 * M)
    assert up.n_patents == 3 and up.sales_yuan == pytest.approx(75 * M)
    up23 = st[(st.segment == "upstream") & (st.year == 2023)].iloc[0]
    assert up23.n_suppliers_moved_out == 1 and up23.moved_out_share == pytest.approx(25 / 135)


def test_completeness(tables):
    comp = tables["completeness"].set_index("year")
    assert comp.loc[2022, "completeness_unweighted"] == pytest.approx(4 / 9)  # u1, u2, m1, d1
    assert comp.loc[2022, "completeness_weighted"] == pytest.approx((100 + 25 + 60) / (100 + 25 + 10 + 60 + 12))
    assert comp.loc[2023, "completeness_weighted"] == pytest.approx(1.0)


def test_unweighted_completeness_is_the_engines_segment_coverage(hand, tables):
    from jiqun.metrics import compute_indicators

    got = compute_indicators(hand, indicators=["chain_segment_coverage"]).execute()
    province = got[(got.cluster_id == "iot") & (got.region_code == "320000")].set_index("year").value
    comp = tables["completeness"].set_index("year").completeness_unweighted
    assert province.to_dict() == pytest.approx(comp.to_dict())


def test_leading_suppliers_and_link_flows(tables):
    lead = tables["leaders"]
    u1 = lead[(lead.node_id == "iot.u1") & (lead.year == 2022)].sort_values("rank")
    assert list(u1.seller_id) == [C, "country:JPN", "region:310000"]
    assert list(u1.share) == pytest.approx([0.4, 0.3, 0.2])
    flows = tables["link_flows"].set_index(["from_node_id", "to_node_id", "year"]).amount_yuan
    assert flows[("iot.u1", "iot.m1", 2022)] == pytest.approx(80 * M)  # A serves m1 and bought 40 + 10 + 30
    assert flows[("iot.m1", "iot.d1", 2023)] == pytest.approx(70 * M)
    assert flows[("iot.u3", "iot.d1", 2022)] == pytest.approx(10 * M)
    assert ("iot.u1", "iot.m2", 2022) not in flows.index  # nobody serves m2


def test_city_scope(hand):
    t = chain_tables(hand, ["iot"], scope="320200")["segments"].execute()
    u1 = t[(t.node_id == "iot.u1") & (t.year == 2022)].iloc[0]
    assert u1.n_local_firms == 0 and u1.purchases_yuan == pytest.approx(100 * M)  # A and B are in Wuxi
    assert u1.sales_yuan == pytest.approx(10 * M)  # only E sells from Wuxi
    assert u1.n_patents == 1  # A's
    suzhou = chain_tables(hand, ["iot"], scope="320500")["segments"].execute()
    assert suzhou.purchases_yuan.sum() == 0 and suzhou[suzhou.node_id == "iot.u1"].n_local_firms.tolist() == [1, 1]


def test_materialised_and_plain_expressions_agree(hand, tables):
    plain = chain_tables(hand, ["iot"], materialise=False)["segments"].execute()
    cols = list(plain.columns)
    key = ["node_id", "year"]
    pd.testing.assert_frame_equal(plain.sort_values(key)[cols].reset_index(drop=True),
                                  tables["segments"].sort_values(key)[cols].reset_index(drop=True))


EXPECTED_WEAK = {
    2022: {("iot.u3", "no_local_supplier"), ("iot.m2", "no_local_supplier"), ("iot.m3", "no_local_supplier"),
           ("iot.d2", "no_local_supplier"), ("iot.d3", "no_local_supplier"),
           ("iot.u2", "single_supplier"), ("iot.m1", "single_supplier"),
           ("iot.u3", "import_dominant"), ("iot.u3", "one_country_dominant"), ("iot.m2", "branch_dominant")},
    2023: {("iot.u3", "no_local_supplier"), ("iot.m2", "no_local_supplier"), ("iot.m3", "no_local_supplier"),
           ("iot.d2", "no_local_supplier"), ("iot.d3", "no_local_supplier"),
           ("iot.u1", "single_supplier"), ("iot.u2", "single_supplier"), ("iot.m1", "single_supplier"),
           ("iot.u1", "branch_dominant"), ("iot.u1", "capacity_shrinking"), ("iot.u2", "capacity_shrinking"),
           ("iot.u2", "suppliers_relocating")},
}


def test_every_weak_link_reason(hand):
    found = weak_links(hand, "iot", all_years=True)
    for year, expected in EXPECTED_WEAK.items():
        got = found[found.year == year]
        assert set(zip(got.node_id, got.rule)) == expected, year
    rules = {r.id for r in load_rules()}
    assert rules == {rule for pairs in EXPECTED_WEAK.values() for _n, rule in pairs}


def test_weak_link_evidence_values_and_firms(hand):
    found = weak_links(hand, "iot", year=2022).set_index(["node_id", "rule"])
    imp = found.loc[("iot.u3", "import_dominant")]
    assert imp.value == pytest.approx(0.7) and imp.threshold == 0.5 and imp.n_firms == 3
    assert "70.0%" in imp.evidence_zh and "50.0%" in imp.evidence_en
    country = found.loc[("iot.u3", "one_country_dominant")]
    assert "USA" in country.evidence_zh and "60.0%" in country.evidence_zh
    single = found.loc[("iot.u2", "single_supplier")]
    assert single.n_firms == 1 and "己" in single.evidence_zh  # the supplier's name
    moved = weak_links(hand, "iot", year=2023).set_index(["node_id", "rule"]).loc[("iot.u2", "suppliers_relocating")]
    assert moved.value == 1 and "100.0%" in moved.evidence_zh
    shrink = weak_links(hand, "iot", year=2023).set_index(["node_id", "rule"]).loc[("iot.u1", "capacity_shrinking")]
    assert shrink.value == pytest.approx(-0.5) and "-50.0%" in shrink.evidence_zh and shrink.n_firms == 2


def test_chain_map_weakness_graph_and_picture_frames(hand):
    chain = chain_map(hand, "物联网", year=2023)
    assert chain.year == 2023 and chain.scope == "320000" and len(chain.segments) == 9
    w = chain.segments.set_index("node_id")
    assert w.loc["iot.u2", "weakness"] == 3 and w.loc["iot.d1", "weakness"] == 0
    assert w.loc["iot.u2", "weakness_severity"] == 2 and "迁出" in w.loc["iot.u2", "reasons"]
    assert w.loc["iot.u1", "top_supplier"] == "丙"
    graph = json.loads(json.dumps(chain_graph(chain)))  # JSON-serialisable
    assert len(graph["nodes"]) == 9 and len(graph["links"]) == 13
    node = next(n for n in graph["nodes"] if n["node_id"] == "iot.u1")
    assert node["stage"] == "upstream" and node["metrics"]["purchases_yuan"] == pytest.approx(50 * M)
    assert set(node["reasons"]) == {"single_supplier", "branch_dominant", "capacity_shrinking"}
    link = next(x for x in graph["links"] if (x["from"], x["to"]) == ("iot.u1", "iot.m1"))
    assert link["amount_yuan"] == pytest.approx(50 * M)
    assert graph["completeness"]["completeness_weighted"] == pytest.approx(1.0)
    nodes, links = picture_frames(chain)
    assert list(nodes.columns) == ["node_id", "segment", "name_zh", "weakness", "reasons"]
    assert list(links.columns) == ["from_node_id", "to_node_id", "amount_yuan"] and len(links) == 13


def test_rules_are_validated():
    good = {"id": "x", "name_zh": "甲", "name_en": "x", "metric": "import_share", "comparison": "above",
            "threshold": 0.5, "n_firms": "n_suppliers", "explanation_zh": "{value_pct}", "explanation_en": "{value_pct}"}
    cols = {"import_share", "n_suppliers"}
    assert parse_rules({"weak_links": [good]}, cols)[0].fires(0.6)
    for bad, message in [({"comparison": "bigger"}, "comparison"), ({"metric": "nope"}, "metric"),
                         ({"explanation_en": "{nope}"}, "placeholder"), ({"threshold": "half"}, "threshold")]:
        with pytest.raises(ValueError, match=message):
            parse_rules({"weak_links": [{**good, **bad}]}, cols)
    with pytest.raises(ValueError, match="duplicate"):
        parse_rules({"weak_links": [good, good]}, cols)
    assert evaluate_weak_links(pd.DataFrame({"cluster_id": ["c"], "node_id": ["c.u1"], "segment": ["upstream"],
                                             "year": [2022], "import_share": [None], "n_suppliers": [0]}),
                               parse_rules({"weak_links": [good]}, cols)).empty  # null never fires


def test_unknown_names_are_refused_with_the_choices(hand):
    from jiqun.names import NameNotFound

    with pytest.raises(NameNotFound, match="iot"):
        chain_map(hand, "no such cluster")
    with pytest.raises(NameNotFound, match="2022"):
        chain_map(hand, "iot", year=1999)
    with pytest.raises(ValueError, match="prefecture city"):
        chain_map(hand, "iot", region="320281")


def test_cli_map_formats(hand_path, tmp_path):
    db = ["--db", str(hand_path)]
    result = runner.invoke(app, ["chain", "map", "--cluster", "iot", "--year", "2023", *db], env={"COLUMNS": "250"})
    assert result.exit_code == 0, result.output
    assert "MEMS" in result.output and "完整度" in result.output
    out = tmp_path / "map.json"
    result = runner.invoke(app, ["chain", "map", "--cluster", "物联网", "--format", "json", "--out", str(out), *db])
    assert result.exit_code == 0, result.output
    graph = json.loads(out.read_text(encoding="utf-8"))
    assert graph["year"] == 2023 and len(graph["nodes"]) == 9
    xlsx = tmp_path / "map.xlsx"
    result = runner.invoke(app, ["chain", "map", "--cluster", "iot", "--format", "xlsx", "--out", str(xlsx), *db])
    assert result.exit_code == 0 and xlsx.stat().st_size > 0
    sheets = pd.read_excel(xlsx, sheet_name=None)
    assert {"环节", "短板", "说明"} <= set(sheets) and "本地配套率（市）（%）" in sheets["环节"].columns


def test_cli_weak_links_formats(hand_path, tmp_path):
    db = ["--db", str(hand_path)]
    out = tmp_path / "w.csv"
    result = runner.invoke(app, ["chain", "weak-links", "--cluster", "iot", "--year", "2022", "--format", "csv",
                                 "--out", str(out), *db])
    assert result.exit_code == 0, result.output
    assert out.read_bytes().startswith(b"\xef\xbb\xbf")
    got = pd.read_csv(out, encoding="utf-8-sig")
    assert set(zip(got.node_id, got.rule)) == EXPECTED_WEAK[2022]
    js = tmp_path / "w.json"
    result = runner.invoke(app, ["chain", "weak-links", "--format", "json", "--out", str(js), *db])
    records = json.loads(js.read_text(encoding="utf-8"))
    assert result.exit_code == 0 and isinstance(records[0]["value"], (int, float)) and records[0]["year"] == 2023
    result = runner.invoke(app, ["chain", "weak-links", *db], env={"COLUMNS": "250"})
    assert result.exit_code == 0 and "短板" in result.output


def test_cli_writes_the_chain_picture(hand_path, tmp_path):
    import xml.etree.ElementTree as ElementTree

    pytest.importorskip("matplotlib")
    from jiqun.pictures.fonts import CJKFontMissing, cjk_font_family
    try:
        cjk_font_family()
    except CJKFontMissing as exc:
        pytest.skip(str(exc))
    svg, png = tmp_path / "iot.svg", tmp_path / "iot.png"
    for fmt, path in (("svg", svg), ("png", png)):
        result = runner.invoke(app, ["chain", "map", "--cluster", "iot", "--format", fmt, "--out", str(path),
                                     "--db", str(hand_path)])
        assert result.exit_code == 0, result.output
    text = svg.read_text(encoding="utf-8")
    ElementTree.fromstring(text)  # well-formed
    assert "上游" in text and "短板" in text
    assert png.read_bytes().startswith(b"\x89PNG")


def test_cli_refuses_bad_arguments(hand_path, tmp_path):
    db = ["--db", str(hand_path)]
    for args, words in [(["map", "--cluster", "nosuch"], "iot"), (["map", "--cluster", "iot", "--year", "1999"], "2022"),
                        (["map", "--cluster", "iot", "--format", "pdf"], "--format"),
                        (["map", "--cluster", "iot", "--region", "320281"], "prefecture"),
                        (["weak-links", "--format", "svg"], "--format"),
                        (["map", "--cluster", "iot", "--format", "json", "--out", str(tmp_path)], "folder")]:
        result = runner.invoke(app, ["chain", *args, *db])
        assert result.exit_code == 2, (args, result.output)
        assert "Traceback" not in result.output and words in result.output, (args, result.output)


def test_national_import_dependence_from_the_io_table(tables):
    from jiqun.io import default_import_dependence

    dependence = default_import_dependence()
    # u1 is served by C (division 39) and D (17): the tie goes to the smaller code; u3 has no firm.
    for node, division in (("u1", "17"), ("u2", "39"), ("m1", "39"), ("d1", "39")):
        row = seg(tables, node, 2022)
        assert row.division == division and row.io_sector == dependence.loc[division, "io_sector"]
        assert row.national_import_dependence == pytest.approx(dependence.loc[division, "direct_share"], rel=1e-12)
        assert row.national_import_dependence_total == pytest.approx(dependence.loc[division, "total_share"], rel=1e-12)
    assert pd.isna(seg(tables, "u3", 2022).national_import_dependence)
    # The stage: purchase-weighted over its nodes with a value (u1 100 M, u2 25 M; u3 has none).
    st = tables["stages"]
    up = st[(st.segment == "upstream") & (st.year == 2022)].iloc[0]
    expected = (100 * dependence.loc["17", "direct_share"] + 25 * dependence.loc["39", "direct_share"]) / 125
    assert up.national_import_dependence == pytest.approx(expected, rel=1e-12)
    # Downstream nodes have no purchases: the plain mean of d1's value (the only one).
    down = st[(st.segment == "downstream") & (st.year == 2022)].iloc[0]
    assert down.national_import_dependence_total == pytest.approx(dependence.loc["39", "total_share"], rel=1e-12)


def test_every_clusters_map_in_one_pass_equals_each_map_alone(hand):
    from jiqun.chains import chain_maps

    maps = chain_maps(hand)
    assert "iot" in maps and len(maps) == 14
    for cluster_id in ("iot", "biomedicine"):
        alone = chain_map(hand, cluster_id)
        for part in ("segments", "stages", "completeness", "weak_links", "leaders", "import_countries", "links"):
            pd.testing.assert_frame_equal(getattr(maps[cluster_id], part), getattr(alone, part), check_dtype=False)
        assert (maps[cluster_id].year, maps[cluster_id].scope) == (alone.year, alone.scope)
