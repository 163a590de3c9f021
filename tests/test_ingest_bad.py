"""A corpus of bad inputs: each is refused with the right rule, a full report, and an unchanged store."""

from __future__ import annotations

import csv
import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import pytest

from jiqun._duck import fetch_one, fetch_all
from jiqun.codes import uscc_check_character
from jiqun.ingest import IngestError, ingest_file, ingest_table
from jiqun.ingest.errors import REPORT_COLUMNS, RULES
from jiqun.schema import TABLES

CITY, COUNTY, DIVISION = "320200", "320281", "39"
FIRMS_HEADER = "uscc,name,region_code,industry_code"


def U(serial: int, region: str = CITY) -> str:
    """A valid unified social credit code (same recipe as the ``make_uscc`` fixture)."""
    body = f"91{region}MA{serial:07d}"[:17]
    return body + uscc_check_character(body)


def corrupt_check(code: str) -> str:
    return code[:17] + ("0" if code[17] != "0" else "1")


def fingerprint(db) -> dict[str, tuple]:
    """Row count and an order-independent hash of every row of every store table (and the meta table)."""
    out = {}
    for name in [*TABLES, "jiqun_meta"]:
        out[name] = fetch_one(db, f'SELECT count(*), sum(hash(t)::HUGEINT), bit_xor(hash(t)) FROM "{name}" t')
    return out


@dataclass(frozen=True)
class Case:
    id: str
    table: str
    filename: str
    content: str | bytes | Callable[[Path], None]
    rule: str
    row: int | None = None
    column: str | None = None
    value: str | None = None
    mode: str = "upsert"
    also: tuple[str, ...] = ()  # other rules accepted instead of ``rule``


def firms(*rows: str, header: str = FIRMS_HEADER) -> str:
    return "\n".join([header, *rows]) + "\n"


def _xlsx_with_formula_text(path: Path) -> None:
    openpyxl = pytest.importorskip("openpyxl")
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["uscc", "name", "region_code", "industry_code"])
    ws.append([U(20), "ok", CITY, DIVISION])
    ws.append([U(21), "x", CITY, DIVISION])
    ws["B3"].data_type = "s"
    ws["B3"].value = "=HYPERLINK(\"http://x\",\"y\")"
    ws["B3"].data_type = "s"  # store as text, not as a formula
    wb.save(path)


CASES = [
    Case("unterminated_quote", "firms", "f.csv", firms(f'{U(10)},"unterminated,{CITY},{DIVISION}'), "parse"),
    Case("too_many_columns", "firms", "f.csv", firms(f"{U(10)},a,{CITY},{DIVISION}",
                                                     f"{U(11)},a,{CITY},{DIVISION},extra"), "parse", row=3),
    Case("too_few_columns", "firms", "f.csv", firms(f"{U(10)},a,{CITY}"), "parse", row=2),
    Case("invalid_bytes_utf8_and_gb18030", "firms", "f.csv",
         firms(f"{U(10)},a,{CITY},{DIVISION}").encode() + f"{U(11)},".encode() + b"\x80\xff" +
         f",{CITY},{DIVISION}\n".encode(), "encoding", row=3),
    Case("text_in_number", "firm_years", "fy.csv", f"uscc,year,employment\n{U(1)},2020,abc\n", "type",
         row=2, column="employment", value="abc"),
    Case("fraction_in_integer", "firm_years", "fy.csv", f"uscc,year,employment\n{U(1)},2020,12.5\n", "type",
         row=2, column="employment", value="12.5"),
    Case("integer_overflow", "firm_years", "fy.csv", f"uscc,year,employment\n{U(1)},2020,99999999999\n", "type",
         row=2, column="employment", value="99999999999"),
    Case("nan_money", "firm_years", "fy.csv", f"uscc,year,revenue_yuan\n{U(1)},2020,NaN\n", "type",
         row=2, column="revenue_yuan", value="NaN"),
    Case("infinite_money", "firm_years", "fy.csv", f"uscc,year,revenue_yuan\n{U(1)},2020,inf\n", "type",
         row=2, column="revenue_yuan", value="inf"),
    Case("bad_date", "firms", "f.csv", firms(f"{U(10)},a,{CITY},{DIVISION},2020-13-45",
                                             header=FIRMS_HEADER + ",founded_on"), "type",
         row=2, column="founded_on", value="2020-13-45"),
    Case("bad_boolean", "firms", "f.csv", firms(f"{U(10)},a,{CITY},{DIVISION},maybe",
                                                header=FIRMS_HEADER + ",listed"), "type",
         row=2, column="listed", value="maybe"),
    Case("uscc_check_character", "firms", "f.csv", firms(f"{corrupt_check(U(10))},a,{CITY},{DIVISION}"), "uscc",
         row=2, column="uscc", value=corrupt_check(U(10))),
    *[Case(f"uscc_forbidden_{letter}", "firms", "f.csv",
           firms(f"{U(10)[:10]}{letter}{U(10)[11:]},a,{CITY},{DIVISION}"), "uscc",
           row=2, column="uscc", value=f"{U(10)[:10]}{letter}{U(10)[11:]}") for letter in "IOSVZ"],
    Case("uscc_too_short", "firms", "f.csv", firms(f"{U(10)[:17]},a,{CITY},{DIVISION}"), "uscc",
         row=2, column="uscc", value=U(10)[:17]),
    Case("unknown_region", "firms", "f.csv", firms(f"{U(10)},a,999999,{DIVISION}"), "codelist",
         row=2, column="region_code", value="999999"),
    Case("unknown_industry", "firms", "f.csv", firms(f"{U(10)},a,{CITY},9999"), "codelist",
         row=2, column="industry_code", value="9999"),
    Case("hs_chapter_77", "trade", "t.csv",
         "reporter,reporter_type,year,flow,hs6,partner_country,value_usd\n"
         f"{CITY},region,2020,export,770000,USA,5\n", "codelist", row=2, column="hs6", value="770000"),
    Case("hs6_not_digits", "trade", "t.csv",
         "reporter,reporter_type,year,flow,hs6,partner_country,value_usd\n"
         f"{CITY},region,2020,export,85A110,USA,5\n", "codelist", row=2, column="hs6", value="85A110"),
    Case("bad_ipc", "patents", "p.csv", "patent_id,application_date,ipc_main,patent_type\n"
         "CN1,2020-01-01,X99Z 1/00,invention\n", "codelist", row=2, column="ipc_main", value="X99Z 1/00"),
    Case("bad_ipc_in_list", "patents", "p.csv", "patent_id,application_date,ipc_main,ipc_all,patent_type\n"
         "CN1,2020-01-01,H01L,H01L 21/02;ZZZ,invention\n", "codelist", row=2, column="ipc_all", value="ZZZ"),
    Case("unknown_country", "trade", "t.csv",
         "reporter,reporter_type,year,flow,hs6,partner_country,value_usd\n"
         f"{CITY},region,2020,export,850110,XXX,5\n", "codelist", row=2, column="partner_country", value="XXX"),
    Case("unknown_enum", "firms", "f.csv", firms(f"{U(10)},a,{CITY},{DIVISION},火星",
                                                 header=FIRMS_HEADER + ",ownership"), "enum",
         row=2, column="ownership", value="火星"),
    Case("duplicate_key_in_file", "firms", "f.csv",
         firms(f"{U(10)},a,{CITY},{DIVISION}", f"{U(11)},b,{CITY},{DIVISION}", f"{U(10)},c,{CITY},{DIVISION}"),
         "duplicate_key_in_file", row=4, column="uscc", value=U(10)),
    Case("duplicate_key_in_store_insert_mode", "firms", "f.csv", firms(f"{U(1)},甲,{CITY},{DIVISION}"),
         "duplicate_key_in_store", row=2, column="uscc", value=U(1), mode="insert"),
    Case("missing_required_column", "firms", "f.csv", firms(f"{U(10)},a,{CITY}", header="uscc,name,region_code"),
         "missing_column", row=1, column="industry_code"),
    Case("missing_required_value", "firms", "f.csv", firms(f"{U(10)},,{CITY},{DIVISION}"), "required",
         row=2, column="name"),
    Case("negative_employment", "firm_years", "fy.csv", f"uscc,year,employment\n{U(1)},2020,-5\n", "range",
         row=2, column="employment", value="-5"),
    Case("negative_revenue_in_10k", "firm_years", "fy.csv", f"uscc,year,营业收入（万元）\n{U(1)},2020,-1\n", "range",
         row=2, column="revenue_yuan", value="-1"),
    Case("future_date", "firms", "f.csv", firms(f"{U(10)},a,{CITY},{DIVISION},2999-01-01",
                                                header=FIRMS_HEADER + ",founded_on"), "future_date",
         row=2, column="founded_on", value="2999-01-01"),
    Case("future_year", "firm_years", "fy.csv", f"uscc,year,employment\n{U(1)},2099,5\n", "rule",
         row=2, column="year", value="2099"),
    Case("year_out_of_range", "firm_years", "fy.csv", f"uscc,year,employment\n{U(1)},1800,5\n", "range",
         row=2, column="year", value="1800"),
    Case("grant_before_application", "patents", "p.csv",
         "patent_id,application_date,grant_date,ipc_main,patent_type\n"
         "CN1,2020-01-01,2019-01-01,H01L 21/02,invention\n", "rule",
         row=2, column="grant_date, application_date", value="2019-01-01 / 2020-01-01"),
    Case("rd_above_revenue", "firm_years", "fy.csv", f"uscc,year,revenue_yuan,rd_expenditure_yuan\n{U(1)},2020,1,2\n",
         "rule", row=2),
    Case("formula_hyperlink", "firms", "f.csv",
         firms(f'{U(10)},"=HYPERLINK(""http://x"",""y"")",{CITY},{DIVISION}'), "formula",
         row=2, column="name", value='=HYPERLINK("http://x","y")'),
    Case("formula_at_sum", "firms", "f.csv", firms(f"{U(10)},ok,{CITY},{DIVISION}", f"{U(11)},@SUM(A1),{CITY},{DIVISION}"),
         "formula", row=3, column="name", value="@SUM(A1)"),
    Case("formula_in_xlsx_text_cell", "firms", "f.xlsx", _xlsx_with_formula_text, "formula", row=3, column="name"),
    Case("empty_file", "firms", "f.csv", b"", "empty_file"),
    Case("blank_lines_only", "firms", "f.csv", "\n\n  \n", "empty_file"),
    Case("header_only", "firms", "f.csv", FIRMS_HEADER + "\n", "no_rows"),
    Case("huge_cell_50k", "firms", "f.csv", firms(f"{U(10)},a,{CITY},{DIVISION}," + "x" * 50_000,
                                                  header=FIRMS_HEADER + ",address"), "too_long",
         row=2, column="address"),
    Case("cell_over_2mb", "firms", "f.csv", firms(f"{U(10)},a,{CITY},{DIVISION}," + "x" * 2_200_000,
                                                  header=FIRMS_HEADER + ",address"), "parse", row=2,
         also=("too_long",)),
    Case("foreign_key_missing_firm", "firm_years", "fy.csv", f"uscc,year,employment\n{U(99)},2020,5\n",
         "foreign_key", row=2, column="uscc", value=U(99)),
    Case("wrong_unit", "firm_years", "fy.csv", f"uscc,year,营业收入（美元）\n{U(1)},2020,5\n", "unit",
         row=1, column="营业收入（美元）", value="美元"),
    Case("wrong_unit_on_count", "firm_years", "fy.csv", f"uscc,year,从业人员（万元）\n{U(1)},2020,5\n", "unit",
         row=1, column="从业人员（万元）"),
    Case("two_headers_one_column", "firm_years", "fy.csv", f"uscc,year,营业收入（万元）,revenue_yuan\n{U(1)},2020,5,6\n",
         "duplicate_column", row=1, column="revenue_yuan"),
    Case("unsupported_json", "firms", "f.json", '{"uscc": "x"}', "format"),
    Case("corrupt_xlsx", "firms", "f.xlsx", os.urandom(4096), "unreadable"),
    Case("not_parquet", "firms", "f.parquet", b"PAR1 this is not a parquet file at all", "unreadable"),
]


def _seed(store, folder: Path) -> None:
    path = folder / "seed-firms.csv"
    path.write_text(firms(f"{U(1)},甲,{COUNTY},{DIVISION}", f"{U(2)},乙,{CITY},{DIVISION}"), encoding="utf-8")
    ingest_file(store, path, "firms")
    path = folder / "seed-fy.csv"
    path.write_text(f"uscc,year,employment\n{U(1)},2020,10\n", encoding="utf-8")
    ingest_file(store, path, "firm_years")


@pytest.fixture
def seeded(store, tmp_path):
    """A store with two firms and a firm-year, so that 'unchanged' is tested on real rows."""
    _seed(store, tmp_path)
    return store


@pytest.fixture(scope="module")
def shared_seeded(_template_store, tmp_path_factory):
    """One seeded store for the whole corpus: every refusal must leave it as it was."""
    import shutil

    import jiqun

    folder = tmp_path_factory.mktemp("bad-corpus")
    shutil.copy(_template_store, folder / "store.duckdb")
    con = jiqun.connect(folder / "store.duckdb")
    _seed(con, folder)
    yield con
    con.disconnect()


def read_report(path: Path) -> list[dict]:
    with open(path, encoding="utf-8-sig", newline="") as fh:
        reader = csv.DictReader(fh)
        assert reader.fieldnames == REPORT_COLUMNS
        return list(reader)


def test_corpus_is_large_enough():
    assert len({c.rule for c in CASES}) >= 18
    assert len(CASES) >= 22


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_bad_input_is_refused(shared_seeded, tmp_path, case: Case):
    seeded = shared_seeded
    db = seeded.con
    path = tmp_path / "in" / case.filename
    path.parent.mkdir()
    if callable(case.content):
        case.content(path)
    elif isinstance(case.content, bytes):
        path.write_bytes(case.content)
    else:
        path.write_text(case.content, encoding="utf-8")
    before = fingerprint(db)
    report = tmp_path / "report.csv"

    with pytest.raises(IngestError) as info:
        ingest_file(seeded, path, case.table, mode=case.mode, report_path=report)
    err = info.value

    assert set(err.counts) & {case.rule, *case.also}, err.counts
    assert all(rule in RULES for rule in err.counts)
    assert err.total == sum(err.counts.values()) >= 1
    assert "nothing was written" in str(err)
    problem = next(p for p in err.problems if p.rule in (case.rule, *case.also))
    if case.rule in err.counts:
        if case.row is not None:
            assert problem.row == case.row
        if case.column is not None:
            assert problem.column == case.column
        if case.value is not None:
            assert problem.value == case.value
    assert problem.message_en.startswith(RULES[problem.rule][0])
    assert problem.message_zh.startswith(RULES[problem.rule][1])

    # the full report
    assert err.report_path is not None and Path(err.report_path) == report and report.exists()
    rows = read_report(report)
    assert len(rows) == err.total
    assert {r["rule"] for r in rows} == set(err.counts)
    assert all(r["file"] == str(path) for r in rows)
    assert all(r["message_en"] and r["message_zh"] for r in rows)

    # the store is untouched, and still usable
    assert fingerprint(db) == before
    assert fetch_all(db, "SELECT count(*) FROM firms") == [(2,)]


def test_wrong_encoding_reports_line(seeded, tmp_path):
    path = tmp_path / "f.csv"
    path.write_bytes(firms(f"{U(10)},a,{CITY},{DIVISION}").encode("gbk") + b"\xff\xff,x,y,z\n")
    with pytest.raises(IngestError) as info:
        ingest_file(seeded, path, "firms", report_path=tmp_path / "r.csv")
    assert info.value.counts == {"encoding": 1}
    assert "line 3" in info.value.problems[0].message_en


def test_all_problems_counted_not_just_the_first(seeded, tmp_path):
    lines = [f"{U(100 + i)},firm,{CITY},{'9999' if i % 2 else DIVISION}" for i in range(500)]
    path = tmp_path / "f.csv"
    path.write_text(firms(*lines, f"{corrupt_check(U(1))},x,{CITY},{DIVISION}"), encoding="utf-8")
    before = fingerprint(seeded.con)
    with pytest.raises(IngestError) as info:
        ingest_file(seeded, path, "firms", report_path=tmp_path / "r.csv")
    assert info.value.counts == {"codelist": 250, "uscc": 1}
    assert len(info.value.problems) <= 20  # preview only
    assert len(read_report(tmp_path / "r.csv")) == 251
    assert fingerprint(seeded.con) == before


def test_in_memory_table_refused(seeded, tmp_path):
    pa = pytest.importorskip("pyarrow")
    before = fingerprint(seeded.con)
    table = pa.table({"uscc": [U(1), U(1)], "year": [2020, 2020], "employment": [1, -1]})
    with pytest.raises(IngestError) as info:
        ingest_table(seeded, table, "firm_years", report_path=tmp_path / "r.csv")
    assert info.value.counts == {"duplicate_key_in_file": 1, "range": 1}
    assert fingerprint(seeded.con) == before


def test_missing_file_and_bad_arguments(seeded, tmp_path):
    before = fingerprint(seeded.con)
    with pytest.raises(IngestError) as info:
        ingest_file(seeded, tmp_path / "nope.csv", "firms", report_path=tmp_path / "r.csv")
    assert info.value.counts == {"unreadable": 1}
    with pytest.raises(ValueError):
        ingest_file(seeded, tmp_path / "nope.csv", "firms", mode="replace")
    with pytest.raises(ValueError):
        ingest_file(seeded, tmp_path / "nope.csv", "loads")
    with pytest.raises(KeyError):
        ingest_file(seeded, tmp_path / "nope.csv", "no_such_table")
    assert fingerprint(seeded.con) == before


def test_quarantine_loads_valid_rows(seeded, tmp_path):
    db = seeded.con
    path = tmp_path / "fy.csv"
    path.write_text(
        "uscc,year,营业收入（万元）,employment\n"
        f"{U(1)},2021,10,100\n"  # valid
        f"{corrupt_check(U(2))},2021,10,100\n"  # bad USCC (and so no firm: foreign_key is not checked on it)
        f"{U(2)},2021,5,-3\n"  # negative employment
        f"{U(2)},2022,abc,7\n"  # text in a number
        f"{U(1)},2020,100,11\n",  # valid: updates the seeded firm-year (employment 10 -> 11)
        encoding="utf-8",
    )
    loads_before = fetch_one(db, "SELECT count(*) FROM loads")[0]
    result = ingest_file(seeded, path, "firm_years", quarantine=True, report_path=tmp_path / "r.csv")
    assert (result.rows_in_file, result.rows_inserted, result.rows_updated, result.rows_rejected) == (5, 1, 1, 3)
    assert result.report_path == tmp_path / "r.csv" and result.report_path.exists()
    assert fetch_all(db, "SELECT uscc, year, revenue_yuan, employment FROM firm_years ORDER BY uscc, year") == [
        (U(1), 2020, 1_000_000.0, 11), (U(1), 2021, 100_000.0, 100)]

    assert fetch_one(db, "SELECT count(*) FROM loads")[0] == loads_before + 1
    load = fetch_one(db, "SELECT load_id, rows_in_file, rows_inserted, rows_updated, rows_unchanged, rows_rejected "
                   "FROM loads ORDER BY load_id DESC LIMIT 1")
    assert load == (result.load_id, 5, 1, 1, 0, 3)

    q = fetch_all(db, "SELECT load_id, table_name, source_file, row_number, record, rules, messages FROM quarantine "
                "ORDER BY row_number")
    assert [r[3] for r in q] == [3, 4, 5]
    assert all(r[0] == result.load_id and r[1] == "firm_years" and r[2] == str(path) for r in q)
    assert [set(r[5].split(";")) for r in q] == [{"uscc", "foreign_key"}, {"range"}, {"type"}]
    records = [json.loads(r[4]) for r in q]
    assert records[0]["uscc"] == corrupt_check(U(2))
    assert records[1]["employment"] == "-3"
    assert records[2]["revenue_yuan"] == "abc" and records[2]["year"] == "2022"
    assert "employment" in q[1][6]


def test_quarantine_still_refuses_file_level_problems(seeded, tmp_path):
    before = fingerprint(seeded.con)
    path = tmp_path / "f.csv"
    path.write_text("uscc,name\nx,y\n", encoding="utf-8")
    with pytest.raises(IngestError) as info:
        ingest_file(seeded, path, "firms", quarantine=True, report_path=tmp_path / "r.csv")
    assert set(info.value.counts) == {"missing_column"}
    assert fingerprint(seeded.con) == before


def test_row_numbers_exact_in_a_large_file(seeded, tmp_path):
    """Problems point at the right line even when the engine works on many row groups in parallel."""
    n = 125_000  # just over one DuckDB row group (122,880 rows)
    bad = {777, 123_001, n + 1}  # file lines (header = 1)
    lines = [f"{U(100 + i)},f,{'999999' if i + 2 in bad else CITY},{DIVISION}" for i in range(n)]
    path = tmp_path / "big.csv"
    path.write_text(firms(*lines), encoding="utf-8")
    with pytest.raises(IngestError) as info:
        ingest_file(seeded, path, "firms", report_path=tmp_path / "r.csv")
    assert info.value.counts == {"codelist": 3}
    assert [(p.row, p.value) for p in info.value.problems] == [(r, "999999") for r in sorted(bad)]
    assert [int(r["row"]) for r in read_report(tmp_path / "r.csv")] == sorted(bad)
    # and a valid large file keeps the file order in the store
    path.write_text(firms(*[f"{U(100 + i)},f{i},{CITY},{DIVISION}" for i in range(n)]), encoding="utf-8")
    ingest_file(seeded, path, "firms")
    names = [r[0] for r in fetch_all(seeded.con, "SELECT name FROM firms WHERE name LIKE 'f%'")]
    assert names == [f"f{i}" for i in range(n)]
