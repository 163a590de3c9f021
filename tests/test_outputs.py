"""Outputs ready to forward: readable numbers, CSV with a BOM, JSON numbers, the Excel writer,
the indicator and alert files, `jiqun alerts` options."""

import json
from decimal import Decimal

import openpyxl
import pandas as pd
import pytest
from typer.testing import CliRunner

from jiqun.cli import app
from jiqun.display import display_width, format_value
from jiqun.excel import About, Column, Sheet, write_csv, write_workbook
from jiqun.metrics.export import display_table, period_label, published, write

M = 1_000_000
BOM = b"\xef\xbb\xbf"


def test_format_value_is_readable():
    assert format_value(735_700_000, "yuan") == "7.36"                   # 亿元, not 7.357e+08
    assert format_value(1.23456e12, "yuan", with_unit=True) == "12,345.60 亿元"
    assert format_value(0.1234, "ratio") == "12.3%"
    assert format_value(1234.0, "firms") == "1,234"
    assert format_value(12.6, "persons", with_unit=True) == "13 人"
    assert format_value(0.27654, "index") == "0.277"
    assert format_value(None, "yuan") == "—" and format_value(float("nan"), "ratio") == "—"
    assert format_value(pd.NA, "firms", missing="") == ""
    assert "e+" not in format_value(7.357e15, "yuan")


def test_display_width_counts_cjk_double():
    assert display_width("abc") == 3 and display_width("营业收入") == 8 and display_width("（亿元）") == 8


def test_period_of_growth_indicators():
    assert period_label("output_growth_yoy", 2023) == "2022→2023"
    assert period_label("output_cagr", 2023, cagr_window=5) == "2018→2023"
    assert period_label("revenue", 2023) == ""


def _long(n_firms):
    return pd.DataFrame({"cluster_id": "iot", "region_code": "320200", "year": [2023, 2023, 2023],
                         "indicator": ["revenue", "cr4", "output_growth_yoy"],
                         "value": [7.357e8, 0.5, float("nan")], "n_firms": n_firms,
                         "top_firm_share": [0.4, None, 0.3]})


def test_json_numbers_are_numbers(tmp_path):
    # DuckDB sums reached pandas as Decimal objects, which to_json wrote as strings ("52").
    frame = published(_long([Decimal(52), Decimal(3), None]))
    path = write(frame, "json", tmp_path / "i.json")
    records = json.loads(path.read_text(encoding="utf-8"))
    assert [r["n_firms"] for r in records] == [3, None, 52]     # sorted by indicator: cr4, growth, revenue
    assert records[1]["value"] is None                          # NaN -> null
    assert isinstance(records[2]["value"], float)


def test_csv_files_have_a_bom(tmp_path):
    frame = published(_long([1, 2, 3]))
    path = write(frame, "csv", tmp_path / "i.csv")
    assert path.read_bytes().startswith(BOM)
    assert pd.read_csv(path, encoding="utf-8-sig").columns[0] == "cluster"
    assert write_csv(pd.DataFrame({"名称": ["苏州"]}), tmp_path / "x.csv").read_bytes().startswith(BOM)


def test_display_table_uses_units_and_periods():
    shown = display_table(published(_long([1, 2, 3])), {"iot": "物联网"}, {"320200": "无锡市"})
    row = shown.set_index("indicator 指标").loc["营业收入\nRevenue"]
    assert row["value 数值"] == "7.36" and row["unit 单位"].startswith("亿元")
    assert shown["cluster 集群"].iloc[0] == "物联网 iot"
    assert "2022→2023" in set(shown["period 期间"]) and "50.0%" in set(shown["value 数值"])


def test_excel_writer_formats_headers_and_about(tmp_path):
    frame = pd.DataFrame({"name": ["苏州市物联网集群", "x"], "revenue_yuan": [7.357e8, 2e8], "share": [0.25, None],
                          "n": [1234, 5]})
    columns = [Column("name", "名称", description="name"), Column("revenue_yuan", "营业收入", "money_yi", "revenue"),
               Column("share", "占比", "share", "share"), Column("n", "企业数", "integer", "firms")]
    path = write_workbook(tmp_path / "w.xlsx", [Sheet("数据", frame, columns)],
                          About("测试 test", vintage="2023 年报 vintage-7", store="s.duckdb",
                                definitions=[("revenue", "营业收入 Revenue", "亿元", "Main-business revenue.")]))
    wb = openpyxl.load_workbook(path)
    assert wb.sheetnames == ["数据", "说明"]
    ws = wb["数据"]
    assert [c.value for c in ws[1]] == ["名称", "营业收入（亿元）", "占比（%）", "企业数"]
    assert ws["B2"].value == pytest.approx(7.357e8 / 1e8) and ws["B2"].number_format == "#,##0.00"
    assert ws["C2"].number_format == "0.0%" and ws["C3"].value is None
    assert ws["D2"].number_format == "#,##0"
    assert ws.freeze_panes == "A2" and ws.auto_filter.ref == "A1:D3"
    assert ws.column_dimensions["A"].width >= display_width("苏州市物联网集群")
    about = [v for row in wb["说明"].iter_rows(values_only=True) for v in row if v]
    assert "2023 年报 vintage-7" in about and "s.duckdb" in about and "Main-business revenue." in about
    assert "营业收入（亿元）" in about and any(str(v).startswith("0.") for v in about)  # the jiqun version


def test_excel_writer_refuses_columns_without_headers():
    from jiqun.excel import columns_for

    with pytest.raises(ValueError, match="no Chinese header"):
        columns_for(pd.DataFrame({"a": [1], "b": [2]}), {"a": Column("a", "甲")})


def test_indicator_workbook(tmp_path):
    frame = published(_long([52, 3, None]))
    path = write(frame, "xlsx", tmp_path / "i.xlsx", {"iot": "物联网"}, {"320200": "无锡市"}, vintage="v1")
    wb = openpyxl.load_workbook(path)
    ws = wb["监测指标"]
    headers = [c.value for c in ws[1]]
    assert all(any(ord(ch) > 0x2E80 for ch in h) or h == "SHA-256" for h in headers)   # Chinese headers
    rows = {r[headers.index("指标编号")]: r for r in ws.iter_rows(min_row=2, values_only=True)}
    value = headers.index("数值")
    assert rows["revenue"][value] == pytest.approx(7.357e8 / 1e8) and rows["revenue"][headers.index("单位")] == "亿元"
    assert rows["output_growth_yoy"][headers.index("期间")] == "2022→2023"
    cells = {c.row: c for c in ws[chr(ord("A") + value)]}
    assert {cells[2].number_format, cells[4].number_format} >= {"0.0%", "#,##0.00"}
    about = [v for row in wb["说明"].iter_rows(values_only=True) for v in row if v]
    assert "v1" in about and any("Main-business revenue" in str(v) for v in about)


@pytest.fixture
def alert_store(store, store_path, make_uscc):
    """Two firms of the iot cluster in Wuxi, 2022-2023; one holds 90% of the output (dominant_firm fires)."""
    from jiqun.ingest import ingest_table

    a, b = make_uscc(1), make_uscc(2)
    ingest_table(store, pd.DataFrame({"uscc": [a, b], "name": ["甲", "乙"], "region_code": ["320205", "320211"],
                                      "industry_code": ["3983", "3983"]}), "firms")
    ingest_table(store, pd.DataFrame({"uscc": [a, b, a, b], "year": [2022, 2022, 2023, 2023],
                                      "revenue_yuan": [90 * M, 10 * M, 95 * M, 5 * M],
                                      "output_value_yuan": [90 * M, 10 * M, 95 * M, 5 * M],
                                      "employment": [100, 20, 100, 20]}), "firm_years")
    return store


def test_alert_report_years_filters_and_firm_counts(alert_store):
    from jiqun.metrics.alert_report import AlertSelectionError, select_alerts, store_alert_table

    data = store_alert_table(alert_store)
    assert data.years == [2022, 2023]
    latest = select_alerts(data)
    assert latest.years == [2023] and set(latest.alerts.year) == {2023}
    dominant = latest.alerts[latest.alerts.alert == "dominant_firm"]
    assert set(dominant.region) == {"320200", "320000"} and (dominant.n_firms == 2).all()
    assert latest.summary.set_index("alert").loc["dominant_firm", "fired"] == len(dominant)
    assert set(latest.summary.alert) >= {"dominant_firm", "suppliers_moving_out"}   # every rule, 0 included
    every = select_alerts(data, all_years=True, region="320200")
    assert set(every.alerts.year) == {2022, 2023} and set(every.alerts.region) == {"320200"}
    assert select_alerts(data, year=2022, cluster="物联网").alerts.cluster.unique().tolist() == ["iot"]
    with pytest.raises(AlertSelectionError, match="iot"):
        select_alerts(data, cluster="iott")
    with pytest.raises(AlertSelectionError, match="2022, 2023"):
        select_alerts(data, year=2019)
    with pytest.raises(AlertSelectionError, match="320200"):
        select_alerts(data, region="3202")


@pytest.mark.slow
def test_cli_alerts_formats(alert_store, store_path, tmp_path):
    alert_store.disconnect()
    runner = CliRunner()
    base = ["alerts", "--db", str(store_path)]
    shown = runner.invoke(app, base, env={"COLUMNS": "200"})
    assert shown.exit_code == 0, shown.output
    assert "dominant_firm" in shown.output and "fired 触发" in shown.output and "2023" in shown.output
    out = tmp_path / "a.xlsx"
    assert runner.invoke(app, base + ["--format", "xlsx", "--out", str(out), "--all-years"]).exit_code == 0
    wb = openpyxl.load_workbook(out)
    assert wb.sheetnames == ["预警", "规则汇总", "说明"]
    headers = [c.value for c in wb["预警"][1]]
    assert "企业数" in headers and "预警规则" in headers and wb["预警"].freeze_panes == "A2"
    summary = {r[1]: r[3] for r in wb["规则汇总"].iter_rows(min_row=2, values_only=True)}
    assert summary["dominant_firm"] == 4                       # 2 years x (city, province)
    csv_path = tmp_path / "a.csv"
    assert runner.invoke(app, base + ["--format", "csv", "--out", str(csv_path)]).exit_code == 0
    assert csv_path.read_bytes().startswith(BOM)
    records = json.loads(runner.invoke(app, base + ["--format", "json"]).output)
    assert {r["n_firms"] for r in records} == {2} and {r["cluster"] for r in records} == {"iot"}
    for bad in (["--cluster", "nope"], ["--format", "pdf"]):   # refused before anything is computed
        result = runner.invoke(app, base + bad)
        assert result.exit_code == 2 and "Traceback" not in result.output, (bad, result.output)
