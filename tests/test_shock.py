"""Shock scenarios (冲击模拟) and the ESRI ranking of a cluster's suppliers against values worked out by
hand on a small store (cluster iot, year 2023, M = 1 million yuan):

firms   A Nanjing 320102 (3983, div 39) serves u1   output 100
        B Suzhou  320506 (3962, div 39) serves u1   output 50
        C Nanjing 320104 (4016, div 40) serves m1   output 200
        D Wuxi    320205 (4016, div 40) serves m1   output 80
        E Nanjing 320102 (3983, div 39) serves u2   output 20
flows   A→C 30 (u1), JPN→D 40 (u1), B→D 5 (u1), D→C 10 (m1), E→Shanghai buyer without USCC 2 (u2)
essentiality: inputs from division 39 are essential (2) to division 40, every other pair non-essential (1).
JPN's sector is the division of iot.u1, the chain node it sells on (39: A and B serve it).
ESRI weights: out-strength A 30, B 5, D 10, JPN 40, E 2 (sum 87).

Hand results (synchronous cascade, Diem et al. 2022):
- firm:A → h_down C = 0 (its only essential supplier); loss A, C = 1; ESRI 30/87; at risk 300 of 450.
- country:JPN ψ=0.5 → h_down D = 1 − (40/45)·0.5 = 5/9; C = 1 − (10/40)·(4/9) = 8/9; ESRI (20 + 40/9)/87.
- city:320100 (A, C, E) → upstream: D sells only to C, B and JPN only to D, so all fail; ESRI 1.
- segment:iot.u1 (A, B) → C = 0; D = 1 − 5/45 = 8/9; ESRI (35 + 10/9)/87; alternatives by class and
  division (E), none by segment (both u1 firms are down).
"""

from __future__ import annotations

import json
import shutil

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from jiqun.chains.scenarios import ScenarioError
from jiqun.chains.simulation import cluster_esri, shock_scenario
from jiqun.cli import app
from jiqun.codes import uscc_check_character
from jiqun.ingest import ingest_table

M = 1e6
runner = CliRunner()


def uscc(serial: int, region: str) -> str:
    body = f"91{region}MA{serial:07d}"[:17]
    return body + uscc_check_character(body)


A, B, C, D, E = uscc(1, "320102"), uscc(2, "320506"), uscc(3, "320104"), uscc(4, "320205"), uscc(5, "320102")
ESSENTIALITY = pd.DataFrame([[1, 2], [1, 1]], index=["39", "40"], columns=["39", "40"])


@pytest.fixture(scope="module")
def shock_path(tmp_path_factory, _template_store):
    import jiqun

    path = tmp_path_factory.mktemp("shock") / "shock.duckdb"
    shutil.copy(_template_store, path)
    con = jiqun.connect(path)
    ingest_table(con, pd.DataFrame({
        "uscc": [A, B, C, D, E], "name": ["甲", "乙", "丙", "丁", "戊"],
        "region_code": ["320102", "320506", "320104", "320205", "320102"],
        "industry_code": ["3983", "3962", "4016", "4016", "3983"],
        "ownership": ["private"] * 5, "is_branch": [False] * 5,
    }), "firms")
    ingest_table(con, pd.DataFrame({
        "uscc": [A, B, C, D, E], "year": [2023] * 5, "revenue_yuan": [100 * M] * 5,
        "output_value_yuan": [100 * M, 50 * M, 200 * M, 80 * M, 20 * M], "employment": [10] * 5,
    }), "firm_years")
    ingest_table(con, pd.DataFrame({"uscc": [A, B, C, D, E],
                                    "node_id": ["iot.u1", "iot.u1", "iot.m1", "iot.m1", "iot.u2"],
                                    "is_primary": [True] * 5}), "firm_chain_nodes")
    rows = [(A, "320102", "CHN", C, "320104", "CHN", "iot.u1", 30),
            (None, None, "JPN", D, "320205", "CHN", "iot.u1", 40),
            (B, "320506", "CHN", D, "320205", "CHN", "iot.u1", 5),
            (D, "320205", "CHN", C, "320104", "CHN", "iot.m1", 10),
            (E, "320102", "CHN", None, "310000", "CHN", "iot.u2", 2)]
    tx = pd.DataFrame(rows, columns=["seller_uscc", "seller_region_code", "seller_country", "buyer_uscc",
                                     "buyer_region_code", "buyer_country", "node_id", "amount_yuan"])
    tx.insert(0, "year", 2023)
    tx.insert(0, "transaction_id", [f"t{i}" for i in range(len(tx))])
    tx["amount_yuan"] = tx.amount_yuan * M
    ingest_table(con, tx, "transactions")
    con.disconnect()
    return path


@pytest.fixture(scope="module")
def con(shock_path):
    import jiqun

    connection = jiqun.connect(shock_path, read_only=True)
    yield connection
    connection.disconnect()


def loss_of(run) -> dict:
    nodes = run.result.network.nodes
    return dict(zip(nodes["node"], run.result.loss))


def test_one_firm_fails(con):
    run = shock_scenario(con, "iot", "firm:" + A, essentiality=ESSENTIALITY)
    summary = run.tables["summary"].iloc[0]
    assert summary.esri == pytest.approx(30 / 87) and summary.esri_down == pytest.approx(30 / 87)
    assert summary.esri_up == pytest.approx(30 / 87)
    assert summary.output_at_risk_yuan == pytest.approx(300 * M) and summary.output_yuan == pytest.approx(450 * M)
    assert summary.firms_shocked == 1 and summary.firms_hit == 2
    loss = loss_of(run)
    assert loss[A] == 1 and loss[C] == 1 and loss[B] == loss[D] == loss[E] == 0
    by_city = run.tables["by_city"].set_index("city_code")
    assert by_city.loc["320100", "output_at_risk_yuan"] == pytest.approx(300 * M)
    assert by_city.loc["320100", "output_yuan"] == pytest.approx(320 * M)
    assert by_city.loc["320500", "output_at_risk_yuan"] == 0
    by_segment = run.tables["by_segment"].set_index("node_id")
    assert by_segment.loc["iot.u1", "output_at_risk_yuan"] == pytest.approx(100 * M)
    assert by_segment.loc["iot.m1", "output_at_risk_yuan"] == pytest.approx(200 * M)
    alternatives = run.tables["alternatives"]
    assert alternatives[["lost_uscc", "uscc", "match", "location", "capacity"]].values.tolist() == [
        [A, B, "segment", "province", "full"]]
    assert alternatives.capacity_ratio.iloc[0] == pytest.approx(50 / 30)
    assert run.tables["hardest_hit"].uscc.tolist()[:2] == [C, A]


def test_partial_import_shock_from_a_country(con):
    run = shock_scenario(con, "物联网", "country:jpn", share=0.5, essentiality=ESSENTIALITY)
    nodes = run.result.network.nodes.set_index("node")
    h_down = dict(zip(nodes.index, run.result.h_down))
    assert h_down[D] == pytest.approx(5 / 9) and h_down[C] == pytest.approx(8 / 9)
    assert h_down["country:JPN"] == pytest.approx(0.5) and nodes.loc["country:JPN", "sector"] == "39"
    summary = run.tables["summary"].iloc[0]
    assert summary.esri == pytest.approx((20 + 40 / 9) / 87) and summary.esri_up == pytest.approx(20 / 87)
    assert summary.output_at_risk_yuan == pytest.approx(520 / 9 * M)
    by_city = run.tables["by_city"].set_index("city_code")
    assert by_city.loc["320200", "output_at_risk_yuan"] == pytest.approx(320 / 9 * M)
    alternatives = run.tables["alternatives"]
    assert alternatives[["lost_uscc", "rank", "uscc", "match", "location"]].values.tolist() == [
        ["country:JPN", 1, A, "segment", "province"], ["country:JPN", 2, B, "segment", "province"]]
    assert alternatives.lost_sales_yuan.tolist() == pytest.approx([20 * M, 20 * M])
    assert alternatives.capacity_ratio.tolist() == pytest.approx([5.0, 2.5])


def test_a_city_fails_and_the_shock_runs_upstream(con):
    run = shock_scenario(con, "iot", "city:南京", essentiality=ESSENTIALITY)
    assert sorted(run.result.scenario.positions) == sorted(
        run.result.network.position(u) for u in (A, C, E))
    loss = loss_of(run)
    assert all(loss[u] == pytest.approx(1) for u in (A, B, C, D, E)) and loss["country:JPN"] == pytest.approx(1)
    summary = run.tables["summary"].iloc[0]
    assert summary.esri == pytest.approx(1) and summary.esri_down == pytest.approx(30 / 87 + 2 / 87 + 0)
    assert summary.output_at_risk_share == pytest.approx(1)


def test_a_segments_local_capacity_fails(con):
    run = shock_scenario(con, "iot", "segment:iot.u1", essentiality=ESSENTIALITY)
    loss = loss_of(run)
    assert (loss[A], loss[B], loss[C]) == (1, 1, 1) and loss[D] == pytest.approx(1 / 9) and loss[E] == 0
    summary = run.tables["summary"].iloc[0]
    assert summary.esri == pytest.approx((35 + 10 / 9) / 87)
    assert summary.output_at_risk_yuan == pytest.approx((350 + 80 / 9) * M)
    alternatives = run.tables["alternatives"]
    assert alternatives[["lost_uscc", "uscc", "match", "location", "capacity"]].values.tolist() == [
        [A, E, "class", "same_city", "partial"], [B, E, "division", "province", "full"]]
    assert alternatives.capacity_ratio.tolist() == pytest.approx([20 / 30, 20 / 5])


def test_province_scope_and_combined_shocks(con):
    province = shock_scenario(con, "iot", ["firm:" + A, "country:JPN"], essentiality=ESSENTIALITY, scope="province")
    assert province.scope == "province" and province.result.scenario.kind == "firm+country"
    # JPN fails wholly: D = 1/9, C = 0 (A is gone too); weights of A and JPN and D's loss.
    assert province.tables["summary"].esri.iloc[0] == pytest.approx((30 + 40 + 10 * 8 / 9) / 87)


def test_esri_ranks_the_clusters_suppliers(con):
    ranking = cluster_esri(con, "iot", essentiality=ESSENTIALITY)
    table = ranking.ranking
    assert table.uscc.tolist() == [D, "country:JPN", A, B]
    assert table.esri.tolist() == pytest.approx([55 / 87, 440 / 783, 30 / 87, 55 / 783])
    assert table.esri_down.iloc[0] == pytest.approx(10 / 87) and table.esri_up.iloc[0] == pytest.approx(55 / 87)
    assert table.sales_to_cluster_yuan.tolist() == pytest.approx([10 * M, 40 * M, 30 * M, 5 * M])
    assert table.kind.tolist() == ["firm", "country", "firm", "firm"] and ranking.candidates == 4
    assert cluster_esri(con, "iot", top=2, candidates=2, essentiality=ESSENTIALITY).ranking.uscc.tolist() == [
        "country:JPN", A]


@pytest.mark.parametrize("kwargs, words", [
    ({"remove": "firm:91320000MA00000000"}, "is not in the cluster:iot network"),
    ({"remove": "country:DEU"}, "JPN"),
    ({"remove": "segment:iot.x9"}, "iot.u1"),
    ({"remove": "city:苏州", "share": 0}, "(0, 1]"),
    ({"remove": "planet:mars"}, "KIND:VALUE"),
    ({"remove": "city:连云港"}, "320100"),
    ({"remove": "firm:" + A, "scope": "world"}, "cluster, province"),
    ({"remove": "firm:" + A, "essentiality": "/no/such.csv"}, "neither linear"),
])
def test_refusals_name_the_choices(con, kwargs, words):
    with pytest.raises(ScenarioError) as caught:
        shock_scenario(con, "iot", **kwargs)
    assert words in str(caught.value)


def test_cli_shock_and_esri(shock_path, tmp_path):
    db = ["--db", str(shock_path)]
    result = runner.invoke(app, ["chain", "shock", "--cluster", "iot", "--remove", "firm:" + A, *db],
                           env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    assert "ESRI 0.3448" in result.output and "乙" in result.output  # B, the alternative supplier
    out = tmp_path / "shock.json"
    result = runner.invoke(app, ["chain", "shock", "--cluster", "iot", "--remove", "country:JPN", "--share", "0.5",
                                 "--essentiality", "leontief", "--format", "json", "--out", str(out), *db])
    assert result.exit_code == 0, result.output
    payload = json.loads(out.read_text(encoding="utf-8"))
    assert set(payload) == {"summary", "by_segment", "by_city", "by_cluster", "hardest_hit", "alternatives"}
    assert isinstance(payload["summary"][0]["esri"], float) and payload["summary"][0]["essentiality"] == "leontief"
    xlsx = tmp_path / "shock.xlsx"
    result = runner.invoke(app, ["chain", "shock", "--cluster", "iot", "--remove", "segment:iot.u1",
                                 "--format", "xlsx", "--out", str(xlsx), *db])
    assert result.exit_code == 0, result.output
    assert pd.ExcelFile(xlsx, engine="openpyxl").sheet_names[:6] == ["概要", "环节", "城市", "集群", "受冲击最大企业", "替代供应商"]
    csv = tmp_path / "esri.csv"
    result = runner.invoke(app, ["chain", "esri", "--cluster", "iot", "--top", "3", "--format", "csv",
                                 "--out", str(csv), *db])
    assert result.exit_code == 0, result.output
    assert csv.read_bytes().startswith(b"\xef\xbb\xbf") and len(pd.read_csv(csv, encoding="utf-8-sig")) == 3
    result = runner.invoke(app, ["chain", "esri", "--cluster", "iot", *db], env={"COLUMNS": "200"})
    assert result.exit_code == 0 and "系统重要性供应商" in result.output


@pytest.mark.parametrize("args, words", [
    (["shock", "--cluster", "iot", "--remove", "country:DEU"], "JPN"),
    (["shock", "--cluster", "iotx", "--remove", "country:JPN"], "iot"),
    (["shock", "--cluster", "iot", "--remove", "country:JPN", "--year", "2019"], "2023"),
    (["shock", "--cluster", "iot", "--remove", "country:JPN", "--format", "pdf"], "--format"),
    (["esri", "--cluster", "iot", "--top", "0"], "positive"),
])
def test_cli_refusals_are_one_line(shock_path, args, words):
    result = runner.invoke(app, ["chain", *args, "--db", str(shock_path)], env={"COLUMNS": "300"})
    assert result.exit_code == 2, result.output
    assert words in result.output and "Traceback" not in result.output
    assert len([line for line in result.output.splitlines() if line.strip()]) <= 2


def test_weights_match_out_strength(con):
    run = shock_scenario(con, "iot", "firm:" + B, essentiality=ESSENTIALITY)
    nodes = run.result.network.nodes
    assert nodes.out_strength.sum() == pytest.approx(87 * M)
    assert np.isclose(run.tables["summary"].esri.iloc[0], 55 / 783)
