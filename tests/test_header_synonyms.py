"""Header synonyms as data (schema/data/header_synonyms.csv): valid, unambiguous, used by ingest."""

from __future__ import annotations

from collections import defaultdict

import pytest

from jiqun._duck import fetch_all
from jiqun.ingest import ingest_file
from jiqun.ingest.headers import _names, normalize
from jiqun.schema import TABLES
from jiqun.schema.synonyms import column_synonyms, header_synonyms, synonym_rows


def test_every_synonym_names_a_declared_column():
    rows = synonym_rows()
    assert len(rows) > 50
    for row in rows:
        assert row.table in TABLES and row.column in TABLES[row.table].column_names, row
        assert row.synonym and row.note, row
        col = TABLES[row.table].column(row.column)
        declared = {normalize(n) for n in (col.name, col.zh, *col.aliases)}
        assert normalize(row.synonym) not in declared, f"{row} repeats a declared name"


def test_no_synonym_is_ambiguous_within_a_table():
    """A spelling maps to one column of a table: no synonym is shared by two columns, and none is a
    name, Chinese name or alias of another column of the same table."""
    for table in TABLES.values():
        owners = defaultdict(set)
        for col in table.input_columns:
            for name in _names(col):
                owners[name].add(col.name)
        clashes = {name: cols for name, cols in owners.items() if len(cols) > 1}
        assert not clashes, (table.name, clashes)


@pytest.mark.parametrize("table,column,spellings", [
    ("firm_years", "uscc", ("社会信用代码", "统一代码", "信用代码", "纳税人识别号")),
    ("firm_years", "revenue_yuan", ("主营业务收入", "营业收入合计")),
    ("firm_years", "year", ("年度", "统计年度", "报告期")),
    ("firms", "name", ("单位名称", "企业(单位)名称")),
    ("firm_years", "output_value_yuan", ("工业总产值(当年价格)",)),
    ("firm_years", "employment", ("从业人员期末人数", "平均用工人数")),
    ("firm_years", "rd_expenditure_yuan", ("研究与试验发展经费支出", "R&D经费内部支出")),
])
def test_statistics_office_spellings_are_accepted(table, column, spellings):
    names = _names(TABLES[table].column(column))
    for spelling in spellings:
        assert normalize(spelling) in names, spelling


def test_header_synonyms_by_table():
    synonyms = header_synonyms("firm_years")
    assert "纳税人识别号" in synonyms["uscc"] and list(synonyms)[0] == "uscc"
    assert header_synonyms("countries") == {}
    # identity, not equality: equal declarations in two tables keep their own synonyms
    assert column_synonyms(TABLES["firm_years"].column("year")) == synonyms["year"]


def test_file_with_statistics_headers_loads(store, tmp_path, make_uscc):
    firms = tmp_path / "firms.csv"
    firms.write_text("社会信用代码,企业(单位)名称,所在地区代码,行业小类代码\n"
                     f"{make_uscc(1)},甲公司,320281,3973\n", encoding="utf-8")
    assert ingest_file(store, firms, "firms").rows_inserted == 1
    accounts = tmp_path / "accounts.csv"
    accounts.write_text("纳税人识别号,统计年度,营业收入合计（万元）,工业总产值（当年价格）（万元）,从业人员期末人数,"
                        "R&D经费内部支出（万元）\n"
                        f"{make_uscc(1)},2022,1500,1400,120,30\n", encoding="utf-8")
    result = ingest_file(store, accounts, "firm_years")
    assert result.rows_inserted == 1 and result.ignored_headers == []
    row = fetch_all(store.con, "SELECT year, revenue_yuan, output_value_yuan, employment, rd_expenditure_yuan "
                         "FROM firm_years")[0]
    assert row == (2022, 15_000_000.0, 14_000_000.0, 120, 300_000.0)
