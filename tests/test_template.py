"""Excel templates (jiqun template TABLE) load back through ingest; tables NAME shows every check."""

from __future__ import annotations

import openpyxl
import pytest
from typer.testing import CliRunner

from jiqun._duck import fetch_all
from jiqun.cli import app
from jiqun.ingest import ingest_file
from jiqun.ingest.template import example_uscc, write_template
from jiqun.schema.docs import column_checks, table_rules

runner = CliRunner()


def test_templates_filled_with_the_example_row_load_back(store, tmp_path):
    firms = write_template("firms", tmp_path / "firms.xlsx")
    accounts = write_template("firm_years", tmp_path / "accounts.xlsx")
    assert ingest_file(store, firms, "firms").rows_inserted == 1
    result = ingest_file(store, accounts, "firm_years")
    assert result.rows_inserted == 1 and result.ignored_headers == []
    region, ownership = fetch_all(store.con, "SELECT region_code, ownership FROM firms")[0]
    assert (region, ownership) == ("320571", "private")  # 苏州工业园区 and 民营 as the template writes them
    revenue, employment = fetch_all(store.con, "SELECT revenue_yuan, employment FROM firm_years WHERE uscc = ?",
                              [example_uscc()])[0]
    assert (revenue, employment) == (15_000_000.0, 120)  # 1500 万元


FACT_TABLES_IN_LOAD_ORDER = ["firms", "firm_years", "firm_chain_nodes", "firm_markets", "regional_employment", "trade", "transactions",
                             "patents", "trademarks", "organizations", "organization_years", "policies",
                             "talent_moves"]


def test_every_fact_template_loads_in_order(store, tmp_path):
    from jiqun.schema import TABLES

    assert set(FACT_TABLES_IN_LOAD_ORDER) == {t.name for t in TABLES.values() if t.layer == "fact"}
    for table in FACT_TABLES_IN_LOAD_ORDER:
        path = write_template(table, tmp_path / f"{table}.xlsx")
        assert ingest_file(store, path, table, report_path=tmp_path / f"{table}.csv").rows_inserted == 1, table


def test_catalogue_templates_load_back_unchanged(store, tmp_path):
    from jiqun.catalogue import CATALOGUE_FILES

    for table, _ in CATALOGUE_FILES:
        result = ingest_file(store, write_template(table, tmp_path / f"{table}.xlsx"), table,
                             report_path=tmp_path / f"{table}.csv")
        assert not result.changed, table  # the example is the first shipped row


def test_template_layout(tmp_path):
    book = openpyxl.load_workbook(write_template("firms", tmp_path / "t.xlsx"))
    assert book.sheetnames[0] == "数据" and book["代码表"].sheet_state == "hidden" and "说明" in book.sheetnames
    data = book["数据"]
    headers = [c.value for c in data[1]]
    assert headers[:4] == ["统一社会信用代码", "企业名称", "地址", "行政区划代码"] and data.freeze_panes == "A2"
    assert "region_code" in data["D1"].comment.text and "必填" in data["D1"].comment.text
    lists = {str(v.sqref).split(":")[0]: v.formula1 for v in data.data_validations.dataValidation}
    ownership = headers.index("登记注册类型")
    letter = data.cell(1, ownership + 1).column_letter
    source = lists[f"{letter}2"].split("!")[1].replace("$", "")
    values = [c.value for row in book["代码表"][source] for c in row]
    assert values == ["民营", "国有", "外资", "港澳台", "集体", "其他"]
    regions = [c.value for c in book["代码表"]["A"][1:]]
    assert {"苏州市", "苏州工业园区", "南京市鼓楼区", "徐州市鼓楼区"} <= set(regions) and "鼓楼区" not in regions
    accounts = openpyxl.load_workbook(write_template("firm_years", tmp_path / "fy.xlsx"))
    assert "营业收入（万元）" in [c.value for c in accounts["数据"][1]]
    notes = [row for row in accounts["说明"].iter_rows(values_only=True) if row and row[1] == "revenue_yuan"]
    assert notes and notes[0][3] == "万元, 选填" and "营业收入合计" in notes[0][6]


def test_template_refuses_meta_tables(tmp_path):
    with pytest.raises(ValueError, match="written by jiqun"):
        write_template("loads", tmp_path / "x.xlsx")


def test_column_checks_and_rules():
    checks = {c.column: c for c in column_checks("firms")}
    assert checks["ownership"].allowed["private"][0] == "private" and "民营" in checks["ownership"].allowed["private"]
    assert checks["uscc"].required and "纳税人识别号" in checks["uscc"].synonyms
    assert checks["region_code"].code_list.startswith("region") and checks["founded_on"].not_future
    years = {c.column: c for c in column_checks("firm_years")}
    assert years["year"].range == "1949 – 2100" and "万元" in years["revenue_yuan"].units
    assert years["profit_yuan"].range == ""  # profit may be negative
    kinds = [k for k, _, _ in table_rules("firm_years")]
    assert kinds.count("rule") == 3 and kinds.count("foreign key") == 1


def test_cli_tables_shows_checks_and_refuses_unknown(tmp_path):
    result = runner.invoke(app, ["tables", "firm_years"], env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    for text in ("营业收入合计", "万元", "rd_not_above_revenue", "firms(uscc)", "≤ 2100"):
        assert text in result.output, text
    result = runner.invoke(app, ["tables", "firm_year"], env={"COLUMNS": "200"})
    assert result.exit_code == 2 and "firm_years" in result.output and "Traceback" not in result.output


def test_cli_template(tmp_path):
    out = tmp_path / "t.xlsx"
    result = runner.invoke(app, ["template", "firm_years", "--out", str(out)])
    assert result.exit_code == 0 and out.exists(), result.output
    for bad in (["template", "loads"], ["template", "firmz"], ["template", "firms", "--out", str(tmp_path)]):
        result = runner.invoke(app, bad, env={"COLUMNS": "200"})
        assert result.exit_code == 2 and result.exception is None or isinstance(result.exception, SystemExit), bad
        assert "Traceback" not in result.output
    assert "firms" in runner.invoke(app, ["template", "firmz"], env={"COLUMNS": "200"}).output
