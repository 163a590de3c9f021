"""Messy government files: a corpus generated here (openpyxl XLSX with merged cells, GBK CSVs).

Title, unit and blank rows above the header, two-row headers, unit lines, total rows and notes,
missing-value markers, full-width digits, unit suffixes, outliers: each case loads with exactly
the values meant, or is refused naming the row and column.
"""

from __future__ import annotations

import csv
import io

import pytest

from jiqun._duck import fetch_one, fetch_all
from jiqun.ingest import IngestError, ingest_file

REGION = "320281"  # 江阴市
DIVISION = "39"
TITLE = "2023年规模以上工业企业主要指标"


@pytest.fixture
def firms3(store, tmp_path, make_uscc):
    """A store holding three firms (serials 1-3)."""
    path = tmp_path / "firms.csv"
    path.write_text("uscc,name,region_code,industry_code\n"
                    + "".join(f"{make_uscc(i)},企业{i},{REGION},{DIVISION}\n" for i in (1, 2, 3)), encoding="utf-8")
    ingest_file(store, path, "firms")
    return store


def write_xlsx(path, rows, merges=()):
    openpyxl = pytest.importorskip("openpyxl")
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(list(row))
    for cells in merges:
        sheet.merge_cells(cells)
    workbook.save(path)
    return path


def write_csv(path, rows, encoding="gbk"):
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerows([["" if v is None else v for v in row] for row in rows])
    path.write_bytes(buffer.getvalue().encode(encoding))
    return path


def write(kind, path_stem, rows, merges=()):
    """Write ``rows`` as XLSX (with ``merges``) or as a GBK CSV (merged cells become blanks)."""
    if kind == "xlsx":
        return write_xlsx(path_stem.with_suffix(".xlsx"), rows, merges)
    return write_csv(path_stem.with_suffix(".csv"), rows, "utf-8" if kind == "csv-utf8" else "gbk")


def firm_year(store, uscc, year, columns="revenue_yuan, profit_yuan, rd_expenditure_yuan, employment"):
    return fetch_one(store.con, f"SELECT {columns} FROM firm_years WHERE uscc = ? AND year = ?", [uscc, year])


def refusal(store, path, rule, **kwargs) -> IngestError:
    with pytest.raises(IngestError) as info:
        ingest_file(store, path, "firm_years", **kwargs)
    assert rule in info.value.counts, info.value.counts
    return info.value


# ------------------------------------------------------------------ 1. header row found automatically
@pytest.mark.parametrize("kind", ["xlsx", "csv"])
def test_header_below_title_unit_and_blank_rows(firms3, tmp_path, make_uscc, kind):
    rows = [[TITLE], ["单位：万元"], [], ["统一社会信用代码", "年份", "营业收入", "从业人员", "备注栏"],
            [make_uscc(1), 2022, 1500, 100, "x"], [make_uscc(2), 2022, "2,500.5", 50, ""]]
    path = write(kind, tmp_path / "title", rows)
    result = ingest_file(firms3, path, "firm_years")
    assert result.header_row == 4 and result.header_rows == [4]
    assert result.columns_read == [("统一社会信用代码", "uscc", 1.0), ("年份", "year", 1.0),
                                   ("营业收入", "revenue_yuan", 10_000.0), ("从业人员", "employment", 1.0)]
    assert result.ignored_headers == ["备注栏"]
    assert result.unit_source == "row 2: 单位：万元" and result.unit_applied_to == ["revenue_yuan"]
    assert (result.rows_inserted, result.rows_rejected) == (2, 0)
    assert firm_year(firms3, make_uscc(1), 2022) == (15_000_000.0, None, None, 100)
    assert firm_year(firms3, make_uscc(2), 2022) == (25_005_000.0, None, None, 50)


@pytest.mark.parametrize("kind", ["xlsx", "csv"])
def test_error_rows_are_file_rows(firms3, tmp_path, make_uscc, kind):
    rows = [[TITLE], [], ["统一社会信用代码", "年份", "从业人员"], [make_uscc(1), 2022, 10], [make_uscc(2), 2022, "abc"]]
    err = refusal(firms3, write(kind, tmp_path / "rows", rows), "type")
    assert [(p.row, p.column, p.value) for p in err.problems] == [(5, "employment", "abc")]


def test_header_row_option_overrides(firms3, tmp_path, make_uscc):
    # Row 1 names two columns as well (a stray copy of the header): detection takes the better row 3,
    # and --header-row picks a row explicitly.
    rows = [["年份", "说明"], ["单位：万元"], ["统一社会信用代码", "年份", "营业收入"], [make_uscc(1), 2022, 7]]
    path = write_xlsx(tmp_path / "override.xlsx", rows)
    assert ingest_file(firms3, path, "firm_years").header_row == 3
    assert ingest_file(firms3, path, "firm_years", header_row=3).header_row == 3
    err = refusal(firms3, path, "missing_column", header_row=1)
    assert {p.row for p in err.problems} == {1}
    err = refusal(firms3, path, "no_rows", header_row=9)
    assert "--header-row 9" in err.problems[0].message_en


def test_header_row_option_on_parquet_is_refused(firms3, tmp_path, make_uscc):
    pq = pytest.importorskip("pyarrow.parquet")
    pa = pytest.importorskip("pyarrow")
    path = tmp_path / "fy.parquet"
    pq.write_table(pa.table({"uscc": [make_uscc(1)], "year": [2022]}), path)
    err = refusal(firms3, path, "format", header_row=2)
    assert "--header-row" in err.problems[0].message_en


@pytest.mark.parametrize("kind", ["xlsx", "csv"])
def test_header_row_option_beyond_the_scanned_rows(firms3, tmp_path, make_uscc, kind):
    rows = [[f"说明第{i}行"] for i in range(40)] + [["统一社会信用代码", "年份", "从业人员"], [make_uscc(1), 2022, 10]]
    path = write(kind, tmp_path / "deep", rows)
    result = ingest_file(firms3, path, "firm_years", header_row=41)
    assert (result.header_row, result.rows_inserted) == (41, 1)


def test_nothing_like_a_header_is_refused_listing_what_was_found(firms3, tmp_path):
    path = write_csv(tmp_path / "nohead.csv", [[TITLE], ["社会信用码", "企业名称", "年度"], ["x", "y", "2022"]])
    err = refusal(firms3, path, "missing_column")
    assert {p.row for p in err.problems} == {2}  # the widest row is taken as the header
    uscc = next(p for p in err.problems if p.column == "uscc")
    assert "found: 社会信用码, 企业名称, 年度" in uscc.message_en
    assert "closest in the file: 社会信用码" in uscc.message_en and "统一社会信用代码" in uscc.message_en
    assert "社会信用码" in uscc.message_zh


# ------------------------------------------------------------------ 2. merged two-row headers
TWO_ROW = [[TITLE], ["统一社会信用代码", "年份", "主要经济指标（万元）", None, None],
           [None, None, "营业收入", "利润总额", "研发经费"]]


@pytest.mark.parametrize("kind", ["xlsx", "csv"])
def test_two_row_header_carries_the_parent_unit(firms3, tmp_path, make_uscc, kind):
    rows = TWO_ROW + [[make_uscc(1), 2022, 1500, -20.5, 30], [make_uscc(2), 2022, 800, 10, 0]]
    path = write(kind, tmp_path / "two", rows, merges=("A1:E1", "C2:E2", "A2:A3", "B2:B3"))
    result = ingest_file(firms3, path, "firm_years")
    assert result.header_rows == [2, 3]
    assert [(c, f) for _, c, f in result.columns_read] == [
        ("uscc", 1.0), ("year", 1.0), ("revenue_yuan", 10_000.0), ("profit_yuan", 10_000.0),
        ("rd_expenditure_yuan", 10_000.0)]
    assert result.columns_read[2][0] == "主要经济指标（万元） / 营业收入"
    assert firm_year(firms3, make_uscc(1), 2022) == (15_000_000.0, -205_000.0, 300_000.0, None)
    assert firm_year(firms3, make_uscc(2), 2022) == (8_000_000.0, 100_000.0, 0.0, None)


def test_two_row_header_with_repeated_parent_and_own_unit(firms3, tmp_path, make_uscc):
    # CSV exports repeat a merged parent; a child's own unit wins over the parent's; 从业人员 / 平均人数 join.
    rows = [["统一社会信用代码", "年份", "主要指标（万元）", "主要指标（万元）", "从业人员"],
            ["", "", "营业收入", "研发经费（元）", "平均人数"], [make_uscc(1), 2022, 2, 500, 9]]
    result = ingest_file(firms3, write_csv(tmp_path / "repeat.csv", rows), "firm_years")
    assert [c for _, c, _ in result.columns_read] == ["uscc", "year", "revenue_yuan", "rd_expenditure_yuan",
                                                      "employment"]
    assert firm_year(firms3, make_uscc(1), 2022) == (20_000.0, None, 500.0, 9)


@pytest.mark.parametrize("kind", ["xlsx", "csv"])
def test_parent_header_without_its_child_row_is_refused(firms3, tmp_path, make_uscc, kind):
    """Regression (issue 13, defect 2): deleting the child row loaded every money column NULL."""
    rows = [TWO_ROW[1], [make_uscc(1), 2022, 1500, -20, 30]]
    path = write(kind, tmp_path / "nochild", rows, merges=("C1:E1",))
    with pytest.raises(IngestError) as info:
        ingest_file(firms3, path, "firm_years")
    err = info.value
    assert set(err.counts) == {"blank_header"}
    assert [p.column for p in err.problems] == ["column D", "column E"]
    assert all("主要经济指标（万元）" in p.message_en and p.row == 1 for p in err.problems)
    assert fetch_one(firms3.con, "SELECT count(*) FROM firm_years")[0] == 0


def test_repeated_parent_header_without_its_child_row_is_refused(firms3, tmp_path, make_uscc):
    rows = [["统一社会信用代码", "年份"] + ["主要经济指标（万元）"] * 3, [make_uscc(1), 2022, 1500, -20, 30]]
    err = refusal(firms3, write_csv(tmp_path / "spread.csv", rows), "blank_header")
    assert [p.column for p in err.problems] == ["columns C-E"]


# ------------------------------------------------------------------ 3. unit line above the header
@pytest.mark.parametrize("line, factor", [
    ("单位：万元", 10_000), ("计量单位：万元", 10_000), ("(单位:亿元)", 100_000_000), ("金额单位：千元", 1_000),
    ("（单位：万元）", 10_000), (TITLE + "（单位：万元）", 10_000)])
@pytest.mark.parametrize("kind", ["xlsx", "csv"])
def test_unit_line_above_the_header(firms3, tmp_path, make_uscc, line, factor, kind):
    """Regression (issue 13, defect 3): the unit line was ignored, values stored 10,000x too small."""
    rows = [[TITLE], [None, None, line], ["统一社会信用代码", "年份", "营业收入", "利润总额（元）"],
            [make_uscc(1), 2022, 3, 40]]
    result = ingest_file(firms3, write(kind, tmp_path / "unit", rows), "firm_years")
    assert firm_year(firms3, make_uscc(1), 2022)[:2] == (3.0 * factor, 40.0)  # the header's own unit wins
    assert result.unit_applied_to == ["revenue_yuan"] and line in result.unit_source


def test_reporting_office_is_not_a_unit_line(firms3, tmp_path, make_uscc):
    rows = [["填报单位：元和街道统计站"], ["统一社会信用代码", "年份", "营业收入"], [make_uscc(1), 2022, 3e6]]
    result = ingest_file(firms3, write_csv(tmp_path / "office.csv", rows), "firm_years")
    assert firm_year(firms3, make_uscc(1), 2022)[0] == 3e6 and result.unit_source is None


def test_unit_in_the_title(firms3, tmp_path, make_uscc):
    rows = [["主要指标（单位：万元）"], ["统一社会信用代码", "年份", "营业收入"], [make_uscc(1), 2022, 3]]
    result = ingest_file(firms3, write_csv(tmp_path / "t.csv", rows, "utf-8"), "firm_years")
    assert firm_year(firms3, make_uscc(1), 2022)[0] == 30_000.0
    assert result.unit_source == "row 1: 主要指标（单位：万元）"


# ------------------------------------------------------------------ 4. magnitude checks
@pytest.fixture
def history(firms3, tmp_path, make_uscc):
    """Firm 1 with revenue 50-60 million yuan and 100 employees in 2019-2021."""
    rows = [["uscc", "year", "revenue_yuan", "employment"]] + [
        [make_uscc(1), year, value, 100] for year, value in ((2019, 5e7), (2020, 5.5e7), (2021, 6e7))]
    ingest_file(firms3, write_csv(tmp_path / "history.csv", rows, "utf-8"), "firm_years")
    return firms3


def test_value_far_off_the_firms_other_years_is_refused(history, tmp_path, make_uscc):
    """Regression (issue 13, defect 3): a 万元 file read as 元 loaded 10,000x too small, silently."""
    path = write_csv(tmp_path / "fy2022.csv", [["统一社会信用代码", "年份", "营业收入"], [make_uscc(1), 2022, 5800]])
    err = refusal(history, path, "outlier")
    problem = err.problems[0]
    assert (problem.row, problem.column, problem.value) == (2, "revenue_yuan", "5800")
    assert "median of the firm's other years (55000000 yuan, 3 year(s))" in problem.message_en
    assert "中位数" in problem.message_zh and "--accept-outliers" in problem.message_en
    assert firm_year(history, make_uscc(1), 2022) is None

    result = ingest_file(history, path, "firm_years", accept_outliers=True)
    assert result.rows_inserted == 1 and [p.row for p in result.accepted_outliers] == [2]
    assert result.accepted_outliers[0].file == str(path)
    assert firm_year(history, make_uscc(1), 2022)[0] == 5800.0


def test_outliers_go_to_quarantine(history, tmp_path, make_uscc):
    rows = [["uscc", "year", "revenue_yuan"], [make_uscc(1), 2022, 5800], [make_uscc(1), 2023, 6.2e7]]
    result = ingest_file(history, write_csv(tmp_path / "q.csv", rows, "utf-8"), "firm_years", quarantine=True,
                         report_path=tmp_path / "q-report.csv")
    assert (result.rows_inserted, result.rows_rejected) == (1, 1)
    assert fetch_all(history.con, "SELECT row_number, rules FROM quarantine") == [(2, "outlier")]


def test_outlier_within_the_file(firms3, tmp_path, make_uscc):
    rows = [["uscc", "year", "营业收入（万元）"]] + [[make_uscc(2), y, v] for y, v in
                                                  ((2019, 800), (2020, 900), (2021, 9_000_000), (2022, 950))]
    err = refusal(firms3, write_csv(tmp_path / "in-file.csv", rows, "utf-8"), "outlier")
    assert [(p.row, p.column) for p in err.problems] == [(4, "revenue_yuan")]


def test_revenue_per_employee_out_of_range(history, tmp_path, make_uscc):
    # 44 yuan per worker (the case: 万元 values read as 元), with employment from the store.
    path = write_csv(tmp_path / "rpe.csv", [["uscc", "year", "employment", "revenue_yuan"],
                                            [make_uscc(2), 2022, 1000, 44_000], [make_uscc(3), 2022, 1, 2e9]])
    err = refusal(history, path, "outlier")
    assert [(p.row, p.column) for p in err.problems] == [(2, "revenue_yuan, employment"),
                                                         (3, "revenue_yuan, employment")]
    assert "revenue per employee 44 yuan" in err.problems[0].message_en
    path = write_csv(tmp_path / "emp.csv", [["uscc", "year", "employment"], [make_uscc(1), 2021, 1_000_000]])
    err = refusal(history, path, "outlier")  # 60 yuan per person with the stored revenue
    assert err.problems[0].row == 2


# ------------------------------------------------------------------ 5. missing-value markers, formulas
MARKERS = ["-", "--", "—", "——", "－", "/", "／", "…", "...", "无", "N/A", "n/a", "#N/A", "NULL", "空"]


@pytest.mark.parametrize("marker", MARKERS)
def test_missing_markers_load_as_missing(firms3, tmp_path, make_uscc, marker):
    """Regression (issue 13, defect 4): ``--`` was formula injection and the others type errors."""
    rows = [["统一社会信用代码", "年份", "营业收入（万元）", "从业人员", "利润总额"], [make_uscc(1), 2022, marker, marker, 5]]
    ingest_file(firms3, write_csv(tmp_path / "m.csv", rows, "utf-8"), "firm_years")
    assert firm_year(firms3, make_uscc(1), 2022) == (None, 5.0, None, None)


@pytest.mark.parametrize("payload", ["=SUM(A1)", "=1+2", "@cmd", "+cmd|' /C calc'!A0", "-2+3", "-cmd|x"])
def test_real_formulas_are_still_refused(firms3, tmp_path, make_uscc, payload):
    path = write_csv(tmp_path / "f.csv", [["uscc", "year", "profit_yuan"], [make_uscc(1), 2022, payload]], "utf-8")
    err = refusal(firms3, path, "formula")
    assert err.problems[0].value == payload


def test_signed_numbers_are_numbers(firms3, tmp_path, make_uscc):
    rows = [["uscc", "year", "profit_yuan", "revenue_yuan"], [make_uscc(1), 2022, -5, 10], [make_uscc(2), 2022, "-1.5e3", 10],
            [make_uscc(3), 2022, "+1,234.5", 10_000]]
    ingest_file(firms3, write_csv(tmp_path / "s.csv", rows, "utf-8"), "firm_years")
    got = fetch_all(firms3.con, "SELECT profit_yuan FROM firm_years WHERE year = 2022 ORDER BY uscc")
    assert got == [(-5.0,), (-1500.0,), (1234.5,)]


# ------------------------------------------------------------------ 6. values
def test_full_width_separators_and_unit_suffixes(firms3, tmp_path, make_uscc):
    rows = [["统一社会信用代码", "年份", "营业收入（万元）", "利润总额（万元）", "研发经费", "从业人员"],
            [make_uscc(1), "２０２２", "１２３４．５", "1,234,567.5", "150.00万", "１２０"],
            [make_uscc(2), 2022, "3.2亿", "800元", "1.5万元", "1,200"]]
    ingest_file(firms3, write_csv(tmp_path / "v.csv", rows), "firm_years")
    assert firm_year(firms3, make_uscc(1), 2022) == (12_345_000.0, 12_345_675_000.0, 1_500_000.0, 120)
    assert firm_year(firms3, make_uscc(2), 2022) == (320_000_000.0, 800.0, 15_000.0, 1200)



def test_full_width_codes_are_the_codes_they_spell(store, tmp_path, make_uscc):
    """USCC, region and industry codes typed in full-width forms (as on a Chinese keyboard) load as ASCII
    codes; the firm's registered name keeps its full-width brackets."""
    def wide(text):
        return "".join(chr(ord(ch) + 0xFEE0) if "!" <= ch <= "~" else ch for ch in text)

    uscc = make_uscc(7)
    rows = [["统一社会信用代码", "企业名称", "行政区划代码", "行业代码"],
            [wide(uscc), "无锡某某（集团）有限公司", wide(REGION), wide(DIVISION)]]
    ingest_file(store, write_csv(tmp_path / "w.csv", rows), "firms")
    got = fetch_all(store.con, "SELECT uscc, name, region_code, industry_code FROM firms")
    assert got == [(uscc, "无锡某某（集团）有限公司", REGION, DIVISION)]

def test_unit_suffix_on_a_count_is_a_type_problem(firms3, tmp_path, make_uscc):
    path = write_csv(tmp_path / "c.csv", [["uscc", "year", "employment"], [make_uscc(1), 2022, "5万"]], "utf-8")
    err = refusal(firms3, path, "type")
    assert (err.problems[0].row, err.problems[0].column) == (2, "employment")


# ------------------------------------------------------------------ 7. total rows and notes
@pytest.mark.parametrize("kind", ["xlsx", "csv", "csv-utf8"])
def test_total_rows_and_notes_are_skipped_and_listed(firms3, tmp_path, make_uscc, kind):
    rows = [[TITLE], ["统一社会信用代码", "年份", "营业收入（万元）", "从业人员"],
            ["全省合计", None, 3000, 300],
            [make_uscc(1), 2022, 1000, 100],
            [None, "小计", 1000, 100],
            [make_uscc(2), 2022, 2000, 200],
            ["总 计", None, 3000, 300],
            [],
            ["注：本表为规模以上工业企业。"],
            ["资料来源：省统计局"]]
    result = ingest_file(firms3, write(kind, tmp_path / "totals", rows), "firm_years")
    assert result.rows_inserted == 2
    skipped = [(s.row, s.reason) for s in result.skipped_rows if s.reason != "blank"]
    assert skipped == [(3, "total"), (5, "total"), (7, "total"), (9, "note"), (10, "note")]
    assert fetch_one(firms3.con, "SELECT sum(revenue_yuan) FROM firm_years")[0] == 30_000_000.0


def test_wrapped_headers_and_a_column_number_row(firms3, tmp_path, make_uscc):
    # Excel headers wrapped with Alt+Enter, and the 栏次 row (甲 乙 1 2) that statistical forms print.
    rows = [["统一社会信用\n代码", "年份", "营业收入\n（万元）", "从业人员\n平均人数"], ["甲", "乙", 1, 2],
            [make_uscc(1), 2022, 12, 30]]
    result = ingest_file(firms3, write_xlsx(tmp_path / "wrapped.xlsx", rows), "firm_years")
    assert [c for _, c, _ in result.columns_read] == ["uscc", "year", "revenue_yuan", "employment"]
    assert [(s.row, s.reason) for s in result.skipped_rows] == [(2, "column_numbers")]
    assert firm_year(firms3, make_uscc(1), 2022) == (120_000.0, None, None, 30)


def test_rows_after_a_total_row_keep_their_numbers(firms3, tmp_path, make_uscc):
    rows = [["uscc", "year", "employment"], ["合计", "", "30"], [make_uscc(1), 2022, 10], [make_uscc(2), 2022, "x"]]
    err = refusal(firms3, write_csv(tmp_path / "n.csv", rows, "utf-8"), "type")
    assert err.problems[0].row == 4


def test_a_firm_named_like_a_note_is_not_skipped(firms3, tmp_path, make_uscc):
    # Only a lone first cell starting with 注：/说明：… is a note; a full row is data.
    path = write_csv(tmp_path / "firms.csv", [["uscc", "name", "region_code", "industry_code"],
                                              [make_uscc(7), "说明：书", REGION, DIVISION]], "utf-8")
    assert ingest_file(firms3, path, "firms").rows_inserted == 1


# ------------------------------------------------------------------ all at once
def test_a_sheet_as_a_statistics_bureau_exports_it(firms3, tmp_path, make_uscc):
    rows = [["2023年江阴市规模以上工业企业主要经济指标"], [None] * 6 + ["计量单位：万元"],
            ["统一社会信用代码", "企业名称", "年份", "从业人员\n平均人数", "主要经济指标", None, None],
            [None, None, None, None, "营业收入", "利润总额", "研发经费"],
            ["甲", "乙", "丙", 1, 2, 3, 4],
            ["全市合计", None, None, 300, 4500, "--", 60],
            [make_uscc(1), "企业1", "２０２３", 100, "１５００", -20, "30"],
            [make_uscc(2), "企业2", 2023, 200, "3,000.5", "—", "320万"],
            [], ["注：1.本表为规模以上工业企业。"], ["资料来源：江阴市统计局"]]
    merges = ("A1:G1", "A3:A4", "B3:B4", "C3:C4", "D3:D4", "E3:G3")
    result = ingest_file(firms3, write_xlsx(tmp_path / "bureau.xlsx", rows, merges), "firm_years")
    assert result.header_rows == [3, 4] and result.ignored_headers == ["企业名称"]
    assert result.columns_read[2] == ("从业人员 平均人数", "employment", 1.0)
    assert result.unit_applied_to == ["revenue_yuan", "profit_yuan", "rd_expenditure_yuan"]
    assert [(s.row, s.reason) for s in result.skipped_rows] == [
        (5, "column_numbers"), (6, "total"), (9, "blank"), (10, "note"), (11, "note")]
    assert firm_year(firms3, make_uscc(1), 2023) == (15_000_000.0, -200_000.0, 300_000.0, 100)
    assert firm_year(firms3, make_uscc(2), 2023) == (30_005_000.0, None, 3_200_000.0, 200)


# ------------------------------------------------------------------ CLI
def test_cli_reports_layout_and_takes_the_new_options(store_path, tmp_path, make_uscc):
    from typer.testing import CliRunner

    from jiqun.cli import app

    runner = CliRunner()
    firms = write_csv(tmp_path / "firms.csv", [["uscc", "name", "region_code", "industry_code"],
                                               [make_uscc(1), "甲", REGION, DIVISION]], "utf-8")
    assert runner.invoke(app, ["ingest", str(firms), "-t", "firms", "--db", str(store_path)]).exit_code == 0
    rows = [[TITLE], ["单位：万元"], ["统一社会信用代码", "年份", "营业收入", "从业人员"], [make_uscc(1), 2022, "0.5", 100],
            ["合计", None, "0.5", 100], ["注：示例"]]
    path = write_xlsx(tmp_path / "cli.xlsx", rows)
    args = ["ingest", str(path), "-t", "firm_years", "--db", str(store_path)]
    env = {"COLUMNS": "250"}
    refused = runner.invoke(app, args, env=env)  # 5,000 yuan for 100 people: 50 yuan each
    assert refused.exit_code == 2 and "outlier" in refused.output and "Traceback" not in refused.output
    loaded = runner.invoke(app, args + ["--accept-outliers", "--header-row", "3"], env=env)
    assert loaded.exit_code == 0, loaded.output
    out = loaded.output
    assert "header row 表头行: 3" in out
    assert "营业收入 → revenue_yuan (×10000)" in out
    assert "unit line 单位行: row 2: 单位：万元 → applied to 适用于: revenue_yuan" in out
    assert "skipped rows 跳过的行 (2): row 5 total row 合计行 (合计); row 6 note line 注释行 (注：示例)" in out
    assert "accepted outliers 已接受的异常值 (1)" in out and "row 4" in out
    bad = runner.invoke(app, args + ["--header-row", "0"], env=env)
    assert bad.exit_code != 0 and "Traceback" not in bad.output
