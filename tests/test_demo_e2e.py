"""`jiqun demo` end to end at small scale: files → validated ingest → analyses → outputs."""

import csv

import pytest
from typer.testing import CliRunner

import jiqun
from jiqun.cli import app


@pytest.fixture(scope="module")
def demo_run(tmp_path_factory):
    out = tmp_path_factory.mktemp("demo")
    result = CliRunner().invoke(app, ["demo", "--out", str(out), "--seed", "7"], env={"COLUMNS": "200"})
    return out, result


def test_demo_command_succeeds_and_labels_synthetic(demo_run):
    out, result = demo_run
    assert result.exit_code == 0, result.output
    assert "SYNTHETIC" in result.output
    assert "SYNTHETIC" in (out / "README.txt").read_text(encoding="utf-8")
    assert "SYNTHETIC" in (out / "outputs" / "README.txt").read_text(encoding="utf-8")
    for name in ("cluster_city_year.csv", "city_year.csv", "loads.csv", "jiqun-demo-summary.xlsx"):
        assert (out / "outputs" / name).stat().st_size > 0


def test_demo_writes_a_chain_map_for_every_cluster(demo_run):
    import pandas as pd

    out, _ = demo_run
    segments = pd.read_csv(out / "outputs" / "chain_segments.csv", encoding="utf-8-sig")
    con = jiqun.connect(out / "jiqun.duckdb", read_only=True)
    try:
        clusters = set(con.table("clusters").cluster_id.execute())
        nodes = con.table("chain_nodes").count().execute()
    finally:
        con.disconnect()
    assert set(segments.cluster_id) == clusters and len(segments) == nodes  # every segment, latest year
    weak = pd.read_csv(out / "outputs" / "chain_weak_links.csv", encoding="utf-8-sig")
    assert len(weak) > 0 and set(weak.node_id) <= set(segments.node_id)
    pictures = sorted((out / "outputs" / "chains").glob("*.svg"))
    assert len(pictures) == len(clusters) or (out / "outputs" / "chains" / "README.txt").exists()


def test_demo_writes_a_shock_example(demo_run):
    import pandas as pd

    out, _ = demo_run
    ranking = pd.read_csv(out / "outputs" / "chain_esri_iot.csv", encoding="utf-8-sig", dtype={"uscc": str})
    assert 0 < len(ranking) <= 50 and ranking.esri.is_monotonic_decreasing
    assert ranking.esri.between(0, 1).all() and (ranking.esri >= ranking[["esri_down", "esri_up"]].max(axis=1) - 1e-12).all()
    countries = ranking[ranking.kind == "country"]
    assert len(countries) and countries.name.str.endswith("（进口）").all()  # named, not country:ISO3
    sheets = pd.read_excel(out / "outputs" / "chain_shock_iot.xlsx", sheet_name=None, engine="openpyxl")
    assert {"概要", "环节", "城市", "集群", "受冲击最大企业", "替代供应商", "说明"} <= set(sheets)
    summary = sheets["概要"].iloc[0]
    assert summary["冲击情景"] == countries.uscc.iloc[0]  # the top-ranked country's imports are cut
    assert 0 < summary["系统性风险指数ESRI"] < 1 and summary["冲击比例ψ（%）"] == 0.5


def test_demo_writes_a_network_example(demo_run):
    import pandas as pd

    out, _ = demo_run
    sheets = pd.read_excel(out / "outputs" / "chain_network_iot.xlsx", sheet_name=None, engine="openpyxl")
    assert {"概要", "关键企业", "企业社群", "龙头企业供应基础", "桥接企业", "说明"} <= set(sheets)
    firms = sheets["关键企业"]
    assert 0 < len(firms) <= 50 and firms["排名"].tolist() == list(range(1, len(firms) + 1))
    assert firms.filter(like="供应商重要性").iloc[:, 0].is_monotonic_decreasing
    assert sheets["概要"].iloc[0]["集群编号"] == "iot" and len(sheets["龙头企业供应基础"]) == 10


def test_demo_writes_the_chokepoint_inventory(demo_run):
    import json

    import pandas as pd

    out, _ = demo_run
    records = json.loads((out / "outputs" / "chokepoints.json").read_text(encoding="utf-8"))
    assert records and {"cluster", "product", "class", "priority", "window_years", "evidence"} <= set(records[0])
    assert {r["class"] for r in records} <= {"fully_dependent", "lagging", "rd_base"}
    assert all(r["evidence"]["rule_with_values"] for r in records)
    sheets = pd.read_excel(out / "outputs" / "chokepoints.xlsx", sheet_name=None, engine="openpyxl")
    assert list(sheets)[0] == "全省" and len(sheets["全省"]) == len(records) and "分类依据" in sheets["全省"].columns


#: The demo's key components and the class each is built to land in (docs/demo.md, "Chokepoint
#: components 卡脖子环节"; seed 7 as in demo_run).
EXPECTED_CLASSES = {
    "integrated_circuits.u1": "fully_dependent",    # EDA (no HS6: one item, origins of its purchases)
    "software_it_services.u3": "fully_dependent",   # industrial software CAD/CAE/EDA
    "integrated_circuits.u3": "fully_dependent",    # lithography and metrology equipment
    "high_end_equipment.u1": "lagging",             # CNC systems
    "high_end_equipment.u2": "lagging",             # servo motors and drives
    "high_end_equipment.u3": "lagging",             # precision reducers
    "new_power_equipment.u3": "lagging",            # electrical test and measuring instruments
    "core_it.u1": "lagging",                        # high-end processors
    "engineering_machinery.u2": "rd_base",          # high-end hydraulics
    "engineering_machinery.u3": "rd_base",          # construction-machinery engines
    "iot.u1": "rd_base",                            # MEMS sensor chips
}


def test_demo_key_components_land_in_their_classes_with_evidence(demo_run):
    import json

    out, _ = demo_run
    records = json.loads((out / "outputs" / "chokepoints.json").read_text(encoding="utf-8"))
    by_node = {}
    for record in records:
        by_node.setdefault(record["node_id"], []).append(record)
    for node, expected in EXPECTED_CLASSES.items():
        assert node in by_node, f"{node} is not in the inventory"
        assert {r["class"] for r in by_node[node]} == {expected}, (node, [r["rule_text"] for r in by_node[node]])
        for record in by_node[node]:
            evidence = record["evidence"]
            assert evidence["class"] == expected and evidence["rule_with_values"] == record["rule_text"]
            assert evidence["technology"]["n_region_patents_3y"] is not None
            # relatedness among the demo's provinces × WIPO fields: the segment's fields and density
            assert evidence["relatedness"]["tech_fields"] and 0 <= evidence["relatedness"]["tech_density"] <= 1
    eda = by_node["integrated_circuits.u1"][0]
    assert eda["product"] is None and eda["origin_basis"] == "purchases" and eda["top_origin"] == "USA"
    assert eda["import_share"] >= 0.8 and eda["n_region_patents_3y"] <= 1      # 国产化率 11.5% (2020)
    reducers = by_node["high_end_equipment.u3"]
    assert all(r["top_origin"] == "JPN" and r["top_origin_share"] >= 0.8 for r in reducers)  # Nabtesco, HD
    for node, low, high in (("high_end_equipment.u1", 0.6, 0.95), ("high_end_equipment.u2", 0.65, 0.9),
                            ("new_power_equipment.u3", 0.7, 0.9)):                # 90% (2014), 75%, 80%
        assert all(low <= r["import_share"] <= high for r in by_node[node]), node
    hydraulics = by_node["engineering_machinery.u2"][0]
    assert 0.3 <= hydraulics["import_share"] < 0.7 and hydraulics["rta"] >= 1
    assert all(r["product"] and len(r["product"]) == 6 for r in records if r["origin_basis"] == "customs")


def test_demo_writes_the_province_report_and_one_per_cluster(demo_run):
    out, _ = demo_run
    reports = out / "outputs" / "reports"
    clusters = sorted(p.stem for p in reports.glob("*.html") if p.stem != "province")
    assert len(clusters) == 14 and "iot" in clusters
    assert "江苏省重点产业集群监测专报" in (reports / "province.html").read_text(encoding="utf-8")
    assert (reports / "province.pdf").exists() or "CJK" in (reports / "README.txt").read_text(encoding="utf-8")


def test_demo_store_loaded_through_validated_ingest(demo_run):
    out, _ = demo_run
    con = jiqun.connect(out / "jiqun.duckdb", read_only=True)
    try:
        loads = con.table("loads").execute()
        facts = loads[loads.vintage.str.startswith("synthetic demo")]
        assert len(facts) == 13 and (facts.rows_rejected == 0).all()  # one load per fact table
        assert (facts.rows_inserted == facts.rows_in_file).all()
        assert con.table("firms").count().execute() == facts[facts.table_name == "firms"].rows_in_file.iloc[0]
        assert con.table("quarantine").count().execute() == 0
    finally:
        con.disconnect()


def test_demo_cities_rank_like_real_economies(demo_run):
    out, _ = demo_run
    with open(out / "outputs" / "city_year.csv", encoding="utf-8-sig") as fh:
        rows = [r for r in csv.DictReader(fh) if r["year"] == "2023"]
    ranking = [r["region"] for r in sorted(rows, key=lambda r: -float(r["revenue_yuan"]))]
    assert len(ranking) == 13
    assert ranking[0] == "320500"                                  # Suzhou largest
    assert set(ranking[-3:]) & {"321300", "320700"}                # Suqian / Lianyungang among the smallest


def test_demo_rerun_replaces_only_a_demo_store(demo_run, tmp_path):
    out, _ = demo_run
    foreign = tmp_path / "mine.duckdb"
    con = jiqun.connect(foreign)
    con.disconnect()
    result = CliRunner().invoke(app, ["demo", "--out", str(tmp_path / "o"), "--db", str(foreign)])
    assert result.exit_code == 1 and "not a demo store" in result.output


def test_demo_stores_reproducible_evaluation(demo_run):
    out, result = demo_run
    assert "引领型" in result.output and "赶超型" in result.output
    con = jiqun.connect(out / "jiqun.duckdb", read_only=True)
    try:
        results = con.table("evaluation_results").execute()
        schemes = con.table("evaluation_schemes").execute()
    finally:
        con.disconnect()
    province = results[results.region_code == "320000"]
    assert len(province) == 14 and sorted(province["rank"]) == list(range(1, 15))
    # seed 7: 3 leading (closest margins 0.024 and 0.04 above their thresholds), breakthrough and catch-up
    assert set(province.type) == {"leading", "breakthrough", "catch_up"}
    assert (province.type == "leading").sum() >= 2
    assert (province.sort_values("rank").type.iloc[-4:] == "catch_up").all()       # bottom third never lead
    assert set(results.type) == {"leading", "breakthrough", "catch_up"}          # over cluster × city
    assert results.explanation_zh.str.len().min() > 0 and results.explanation_en.str.len().min() > 0
    assert set(results.scheme_sha256) == set(schemes.scheme_sha256) and len(schemes) == 1
    assert "dimensions" in schemes.scheme_text.iloc[0]
    assert results.vintage.str.contains("synthetic demo").all()
    assert (out / "outputs" / "evaluation_province.csv").exists()


def test_demo_summary_returns_the_printed_figures(demo_run):
    from jiqun.demo import demo_summary

    out, result = demo_run
    con = jiqun.connect(out / "jiqun.duckdb", read_only=True)
    try:
        summary = demo_summary(con)
        firm_years = con.table("firm_years").execute()
        firms = con.table("firms").select("uscc", "region_code").execute()
        results = con.table("evaluation_results").execute()
        names = dict(con.table("regions").select("region_code", "name_zh").execute().values.tolist())
    finally:
        con.disconnect()
    latest = int(firm_years.year.max())
    assert summary["year"] == latest
    facts = firm_years[firm_years.year == latest].merge(firms, on="uscc")
    by_city = facts.groupby(facts.region_code.str[:4] + "00").revenue_yuan.sum().sort_values(ascending=False)
    assert list(summary["cities"].city_code) == list(by_city.index)
    assert summary["cities"].revenue_yuan.tolist() == pytest.approx(by_city.tolist(), rel=1e-12)
    assert summary["cities"].name_zh.iloc[0] == names["320500"] == "苏州市"
    assert list(summary["clusters"].columns) == ["cluster_id", "name_zh", "n_firms", "revenue_yuan"]
    assert summary["clusters"].revenue_yuan.is_monotonic_decreasing and len(summary["clusters"]) == 14
    province = results[(results.region_code == "320000") & (results.year == results.year.max())]
    assert summary["evaluation_year"] == int(province.year.max())
    assert summary["evaluation"]["rank"].tolist() == list(range(1, 15))
    expected = province.sort_values("rank")
    assert summary["evaluation"].cluster_id.tolist() == expected.cluster_id.tolist()
    cities = results[results.region_code != "320000"].type.value_counts()
    assert summary["city_types"] == {kind: int(cities.get(kind, 0)) for kind in ("leading", "breakthrough", "catch_up")}
    assert sum(summary["city_types"].values()) == len(results) - len(results[results.region_code == "320000"])
    # the CLI prints these figures
    assert f"cities by revenue, {latest}" in result.output
    assert f"{summary['cities'].revenue_yuan.iloc[0] / 1e8:,.1f}" in result.output


def test_write_evaluation_results_is_idempotent(demo_run, tmp_path):
    import shutil

    from jiqun.evaluation.scheme import load_scheme
    from jiqun.evaluation.store import evaluate_store, write_evaluation_results

    out, _ = demo_run
    path = tmp_path / "copy.duckdb"
    shutil.copy(out / "jiqun.duckdb", path)
    con = jiqun.connect(path)
    try:
        before = con.table("evaluation_results").count().execute()
        scheme = load_scheme()
        evaluations, units = evaluate_store(con, scheme, "province", draws=0)
        assert write_evaluation_results(con, evaluations, scheme, units) == 14
        assert con.table("evaluation_results").count().execute() == before
        assert con.table("evaluation_schemes").count().execute() == 1
    finally:
        con.disconnect()


def test_demo_writes_firms_organisations_policies_and_talent_with_evidence(demo_run):
    import json

    out, _ = demo_run
    outputs = out / "outputs"
    firms = json.loads((outputs / "firms.json").read_text(encoding="utf-8"))
    assert firms and all(record["criteria"] for record in firms)
    assert {"innovative_sme", "srdi_sme"} <= {record["tier"] for record in firms}
    organizations = json.loads((outputs / "organizations.json").read_text(encoding="utf-8"))
    assert organizations and all(record["rule"] for record in organizations)
    assert len({record["tier"] for record in organizations}) >= 2
    overlaps = json.loads((outputs / "policy_overlaps.json").read_text(encoding="utf-8"))
    assert any(record["kind"] == "horizontal" and record["n_departments"] >= 2 for record in overlaps)
    gaps = json.loads((outputs / "policy_gaps.json").read_text(encoding="utf-8"))
    assert any(not record["addressed"] for record in gaps) and all(record["evidence"] for record in gaps)
    talent = json.loads((outputs / "talent.json").read_text(encoding="utf-8"))
    assert talent and any(record["net"] is not None for record in talent)
    for workbook in ("firms.xlsx", "organizations.xlsx", "policy.xlsx", "talent.xlsx"):
        assert (outputs / workbook).stat().st_size > 0
