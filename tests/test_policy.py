"""The policy mix (jiqun.policy) on a hand-made registry: two departments funding the same instrument for
the same cluster (an overlap), province and city using the same instrument, a shortcoming no instrument
addresses (a gap) beside ones that are addressed, province–city alignment, budgets split over target
clusters, validity periods, keyword suggestions, the STIP taxonomy, and the `jiqun policy` JSON contract."""

from __future__ import annotations

import json

import pandas as pd
import pytest
from typer.testing import CliRunner

from jiqun.cli import app
from jiqun.policy import (gap_rules, in_force, policy_alignment, policy_budgets, policy_gaps, policy_matrix,
                          policy_overlaps, policy_targets, suggest_instrument)
from jiqun.schema.vocab import INSTRUMENTS, POLICY_THEMES


def registry() -> pd.DataFrame:
    rows = [  # id, department, level, region, clusters, nodes, instrument, group, theme, issued, to, budget
        ("P1", "江苏省工业和信息化厅", "province", "320000", "iot", None, "grants_business_rd", "sme", "innovation",
         "2022-03-01", None, 100e6),
        ("P2", "江苏省财政厅", "province", "320000", "iot;biomedicine", None, "grants_business_rd", "sme", "innovation",
         "2023-01-10", None, 80e6),
        ("P3", "无锡市工业和信息化局", "city", "320200", "iot", "iot.u1", "challenges_prizes", "all_firms", "chokepoint",
         "2023-05-01", None, None),
        ("P4", "苏州市科学技术局", "city", "320500", "new_display", None, "grants_business_rd", "sme", "innovation",
         "2023-02-01", None, 5e6),
        ("P5", "江苏省科学技术厅", "province", "320000", "iot", None, "networking_platforms", "organizations", "chain",
         "2019-01-01", "2020-12-31", None),  # expired before 2023
        ("P6", "无锡市财政局", "city", "320200", "iot", None, "grants_business_rd", "sme", "firm_growth",
         "2023-06-01", None, 10e6),
    ]
    columns = ["policy_id", "department", "level", "region_code", "target_clusters", "target_nodes", "instrument",
               "target_group", "theme", "issued_on", "effective_to", "budget_yuan"]
    frame = pd.DataFrame(rows, columns=columns)
    frame["title"] = frame.policy_id
    frame["effective_from"] = None
    for column in ("issued_on", "effective_from", "effective_to"):
        frame[column] = pd.to_datetime(frame[column])
    return frame


@pytest.fixture(scope="module")
def targets():
    return in_force(policy_targets(registry()), 2023)


def test_targets_split_budgets_and_validity(targets):
    assert set(targets.policy_id) == {"P1", "P2", "P3", "P4", "P6"}  # P5 expired in 2020
    p2 = targets[targets.policy_id == "P2"].set_index("cluster_id")
    assert p2.budget_share_yuan.to_dict() == {"iot": 40e6, "biomedicine": 40e6}
    assert in_force(policy_targets(registry()), 2020).policy_id.tolist() == ["P5"]  # in force 2019-2020 only
    assert in_force(policy_targets(registry()), 2021).empty
    matrix = policy_matrix(targets)
    cell = matrix[(matrix.department == "江苏省财政厅") & (matrix.cluster_id == "iot")].iloc[0]
    assert cell.n_policies == 1 and cell.budget_yuan == 40e6
    assert pd.isna(matrix[matrix.department == "无锡市工业和信息化局"].budget_yuan.iloc[0])  # no budget ≠ zero


def test_two_departments_funding_the_same_instrument_for_the_same_cluster(targets):
    overlaps = policy_overlaps(targets)
    horizontal = overlaps[overlaps.kind == "horizontal"]
    assert horizontal[["government", "cluster_id", "instrument", "target_group"]].values.tolist() == [
        ["320000", "iot", "grants_business_rd", "sme"]]
    assert horizontal.iloc[0].departments == "江苏省工业和信息化厅;江苏省财政厅"
    assert horizontal.iloc[0].budget_yuan == 100e6 + 40e6
    vertical = overlaps[overlaps.kind == "vertical"]
    assert vertical[["cluster_id", "instrument"]].values.tolist() == [["iot", "grants_business_rd"]]
    assert "无锡市财政局" in vertical.iloc[0].departments


def test_a_shortcoming_with_no_instrument_is_a_gap(targets):
    found = pd.DataFrame([
        ("chokepoint", "fully_dependent", "iot", "iot.u1", "320000", 2023, "进口占比85%"),     # P3 names the node
        ("chokepoint", "fully_dependent", "new_display", "nd.u2", "320000", 2023, "进口占比90%"),  # nothing: a gap
        ("weak_link", "no_local_supplier", "iot", "iot.m1", "320000", 2023, "省内无供应商"),   # no chain policy in force
        ("alert", "dominant_firm", "iot", None, "320200", 2023, "最大企业占比70%"),          # Wuxi's SME growth grants
        ("alert", "not_a_rule", "iot", None, "320200", 2023, ""),
    ], columns=["source", "kind", "cluster_id", "node_id", "region_code", "year", "evidence"])
    gaps = policy_gaps(found, targets, gap_rules()).set_index(["source", "kind", "cluster_id"])
    assert gaps.loc[("chokepoint", "fully_dependent", "iot"), "policies"] == "P3"
    assert not gaps.loc[("chokepoint", "fully_dependent", "new_display"), "addressed"]
    assert not gaps.loc[("weak_link", "no_local_supplier", "iot"), "addressed"]  # P5 (platforms) expired
    assert gaps.loc[("alert", "dominant_firm", "iot"), "policies"] == "P6"  # P1, P2 are R&D grants (innovation)
    unknown = gaps.loc[("alert", "not_a_rule", "iot")]
    assert not unknown.addressed and unknown.no_rule
    # a city's shortcoming is not addressed by another city's policy
    suzhou = pd.DataFrame([("alert", "dominant_firm", "new_display", None, "320200", 2023, "")],
                          columns=found.columns)
    assert not policy_gaps(suzhou, targets, gap_rules()).addressed.iloc[0]


def test_province_city_alignment_and_budget_by_type(targets):
    roles = pd.DataFrame({"cluster_id": ["iot", "iot", "new_display", "biomedicine"],
                          "city_code": ["320200", "320100", "320500", "321200"],
                          "role": ["core", "core", "core", "core"]})
    alignment = policy_alignment(targets, roles)
    assert alignment[["kind", "cluster_id", "city_code"]].values.tolist() == [
        ["city_only", "new_display", "320500"], ["province_only", "biomedicine", "321200"],
        ["province_only", "iot", "320100"]]
    types = pd.DataFrame({"cluster_id": ["iot", "biomedicine", "new_display"],
                          "type": ["leading", "catch_up", "catch_up"]})
    budgets = policy_budgets(targets, types).set_index(["by", "key"])
    assert budgets.loc[("cluster", "iot"), "budget_yuan"] == 100e6 + 40e6 + 10e6
    assert budgets.loc[("type", "catch_up"), "budget_yuan"] == 40e6 + 5e6
    assert budgets.loc[("type", "leading"), "share"] == pytest.approx(150 / 195)


def test_taxonomy_and_keyword_suggestions():
    assert {"grants_business_rd", "tax_relief_corporate", "loans_credits", "guarantees", "equity", "vouchers",
            "networking_platforms", "standards", "procurement_rd", "institutional_funding"} <= set(INSTRUMENTS)
    assert "subsidy" in INSTRUMENTS["grants_business_rd"]  # codes of earlier versions still read
    assert "chokepoint" in POLICY_THEMES
    suggested, score, found = suggest_instrument("关于落实企业研发费用加计扣除税收优惠政策的通知")
    assert suggested == "tax_relief_corporate" and score >= 2 and "加计扣除" in found
    assert suggest_instrument("设立集成电路产业投资基金")[0] == "equity"
    assert suggest_instrument("今天天气很好")[0] is None


def test_policy_json_contract(demo_store):
    runner = CliRunner()
    for view in ("overlaps", "gaps", "matrix"):
        result = runner.invoke(app, ["policy", "--db", str(demo_store), "--view", view, "--format", "json"])
        assert result.exit_code == 0, result.output
        records = json.loads(result.stdout)
        assert isinstance(records, list) and records, view
    gaps = json.loads(runner.invoke(app, ["policy", "--db", str(demo_store), "--view", "gaps", "--format", "json"]).stdout)
    assert {"source", "kind", "cluster_id", "addressed", "evidence"} <= set(gaps[0])
    assert any(not record["addressed"] for record in gaps) and any(record["addressed"] for record in gaps)
    refused = runner.invoke(app, ["policy", "--db", str(demo_store), "--view", "nope"])
    assert refused.exit_code == 2 and "matrix" in refused.output


def test_a_policy_workbook_with_chinese_headers_and_names_loads_and_a_bad_code_is_refused(store, tmp_path):
    """The registry comes from Excel: Chinese headers, instruments, groups and themes by their Chinese names
    (or the codes of earlier versions) load; an unknown instrument refuses the whole file, naming row,
    column, value and the valid codes."""
    from openpyxl import Workbook

    from jiqun.ingest import IngestError, ingest_file

    def workbook(rows, name):
        book = Workbook()
        sheet = book.active
        sheet.append(["政策编号", "政策名称", "发文部门", "层级", "地区", "支持集群", "支持环节", "政策工具", "支持对象",
                      "政策主题", "发布日期", "资金规模（万元）", "政策摘要"])
        for row in rows:
            sheet.append(row)
        path = tmp_path / name
        book.save(path)
        return path

    good = workbook([
        ["苏工信〔2023〕1号", "关于落实研发费用加计扣除的通知", "江苏省工业和信息化厅", "省级", "320000", "iot", "iot.u1",
         "企业研发税收优惠", "中小企业", "卡脖子", "2023-03-01", 5000, "落实研发费用加计扣除"],
        ["苏财〔2023〕2号", "专项资金管理办法", "江苏省财政厅", "省级", "320000", "iot;biomedicine", None, "subsidy",
         "全部企业", "创新研发", "2023-04-01", None, None],
    ], "policies.xlsx")
    ingest_file(store, good, "policies")
    loaded = store.table("policies").order_by("policy_id").to_pandas().set_index("policy_id")
    assert loaded.loc["苏工信〔2023〕1号", ["instrument", "target_group", "theme", "target_nodes"]].tolist() == [
        "tax_relief_corporate", "sme", "chokepoint", "iot.u1"]
    assert loaded.loc["苏工信〔2023〕1号", "budget_yuan"] == 5000 * 10_000
    assert loaded.loc["苏财〔2023〕2号", "instrument"] == "grants_business_rd"  # the earlier code still reads
    bad = workbook([["X1", "t", "d", "省级", "320000", "iot", None, "奖金", None, None, "2023-01-01", None, None]],
                   "bad.xlsx")
    with pytest.raises(IngestError) as refused:
        ingest_file(store, bad, "policies")
    problem = refused.value.problems[0]
    assert problem.column in ("instrument", "政策工具") and problem.value == "奖金"
    assert "grants_business_rd" in problem.message_en
    assert store.table("policies").count().execute() == 2  # nothing of the bad file was written


def test_gaps_without_any_monitoring_data_are_refused_not_empty(store):
    """A store holding only the registry has no shortcomings to check: the gaps view says which sources
    are missing instead of answering with an empty list; the other views work."""
    from jiqun.ingest import ingest_table
    from jiqun.policy import policy_view

    ingest_table(store, pd.DataFrame({"policy_id": ["P1"], "title": ["t"], "department": ["d"], "level": ["province"],
                                      "region_code": ["320000"], "target_clusters": ["iot"],
                                      "instrument": ["grants_business_rd"], "issued_on": [pd.Timestamp("2023-01-01").date()]}),
                 "policies")
    assert len(policy_view(store, "matrix")) == 1
    with pytest.raises(ValueError, match="no shortcomings can be found for 2023") as refused:
        policy_view(store, "gaps")
    assert "weak_link" in str(refused.value) and "jiqun indicators --save" in str(refused.value)
