"""Good files in every supported format and encoding load with correct typed values."""

from __future__ import annotations

import datetime as dt

import pytest

from jiqun._duck import fetch_one, fetch_all
from jiqun.ingest import ingest_file, ingest_table

REGION = "320281"  # 江阴市
CITY = "320200"  # 无锡市
DIVISION = "39"  # 计算机、通信和其他电子设备制造业
RARE = "𠮷"  # U+20BB7: in GB18030, not in GBK


def db_of(store):
    return store.con


@pytest.fixture
def industry_class(store):
    """A 4-digit class of division 39 present in the shipped catalogue."""
    row = fetch_one(db_of(store), 
        "SELECT min(industry_code) FROM industries WHERE level = 'class' AND industry_code LIKE '39%'")
    assert row[0] is not None
    return row[0]


def firm_rows(store, codes):
    cols = "uscc, name, region_code, industry_code, ownership, founded_on, listed, is_branch, srdi_level"
    rows = fetch_all(db_of(store), 
        f"SELECT {cols} FROM firms WHERE uscc IN (SELECT unnest(?)) ORDER BY uscc", [list(codes)])
    return {r[0]: r[1:] for r in rows}


def firms_csv_text(make_uscc, industry, delimiter=",", name_suffix=""):
    header = ["统一社会信用代码", "企业名称", "行政区划代码", "行业代码", "登记注册类型", "成立日期", "是否上市", "联系人"]
    rows = [
        [make_uscc(1), f"江阴精密机械有限公司{name_suffix}", REGION, industry, "民营", "2020/1/5", "是", "张三"],
        [make_uscc(2), "无锡外资电子有限公司", CITY, DIVISION, "外资", "20200105", "否", "李四"],
        [make_uscc(3), "无锡国企集团", CITY, DIVISION, "State-Owned", "2020年1月5日", "", ""],
    ]
    return "\n".join(delimiter.join(r) for r in [header, *rows]) + "\n"


def assert_firms_loaded(store, make_uscc, industry, name_suffix=""):
    got = firm_rows(store, [make_uscc(i) for i in (1, 2, 3)])
    day = dt.date(2020, 1, 5)
    assert got[make_uscc(1)] == (f"江阴精密机械有限公司{name_suffix}", REGION, industry, "private", day, True, False,
                                 "none")
    assert got[make_uscc(2)] == ("无锡外资电子有限公司", CITY, DIVISION, "foreign", day, False, False, "none")
    assert got[make_uscc(3)] == ("无锡国企集团", CITY, DIVISION, "state", day, False, False, "none")


@pytest.mark.parametrize("encoding, suffix", [
    ("utf-8", ""),
    ("utf-8-sig", ""),
    ("gbk", ""),
    ("gb18030", RARE),
    ("utf-16", RARE),  # Python writes a BOM
])
def test_csv_encodings(store, tmp_path, make_uscc, industry_class, encoding, suffix):
    path = tmp_path / f"firms-{encoding}.csv"
    path.write_bytes(firms_csv_text(make_uscc, industry_class, name_suffix=suffix).encode(encoding))
    if encoding == "gb18030":
        with pytest.raises(UnicodeEncodeError):
            RARE.encode("gbk")
    result = ingest_file(store, path, "firms")
    assert (result.rows_in_file, result.rows_inserted, result.rows_updated) == (3, 3, 0)
    assert result.file_format == "csv"
    assert result.ignored_headers == ["联系人"]
    expected_encoding = {"utf-8": "utf-8", "utf-8-sig": "utf-8-sig", "gbk": "gb18030", "gb18030": "gb18030",
                         "utf-16": "utf-16"}[encoding]
    assert result.encoding == expected_encoding
    assert_firms_loaded(store, make_uscc, industry_class, suffix)
    assert fetch_one(db_of(store), "SELECT encoding FROM loads WHERE load_id = ?", [result.load_id])[0] \
        == expected_encoding


@pytest.mark.parametrize("delimiter", ["\t", ";", "|"])
def test_csv_delimiters(store, tmp_path, make_uscc, industry_class, delimiter):
    path = tmp_path / ("firms.tsv" if delimiter == "\t" else "firms.csv")
    path.write_text(firms_csv_text(make_uscc, industry_class, delimiter), encoding="utf-8")
    result = ingest_file(store, path, "firms")
    assert result.rows_inserted == 3
    assert_firms_loaded(store, make_uscc, industry_class)


def test_crlf_quotes_and_english_headers(store, tmp_path, make_uscc):
    path = tmp_path / "firms.csv"
    text = (
        "USCC,Name,Region_Code,Industry_Code,Ownership,Founded_On,Listed,Address\r\n"
        f'{make_uscc(7).lower()},"Wuxi ""Quoted"", Ltd.",{CITY},{DIVISION},hmt,2019-12-31,TRUE,"line1\nline2"\r\n'
    )
    path.write_text(text, encoding="utf-8", newline="")
    result = ingest_file(store, path, "firms")
    assert result.rows_inserted == 1 and result.ignored_headers == []
    row = fetch_one(db_of(store), "SELECT uscc, name, ownership, founded_on, listed, address FROM firms "
                               "WHERE uscc = ?", [make_uscc(7)])
    assert row == (make_uscc(7), 'Wuxi "Quoted", Ltd.', "hmt", dt.date(2019, 12, 31), True, "line1\nline2")


def load_base_firms(store, tmp_path, make_uscc, n=3):
    path = tmp_path / "base-firms.csv"
    lines = ["uscc,name,region_code,industry_code"]
    lines += [f"{make_uscc(i)},企业{i},{CITY},{DIVISION}" for i in range(1, n + 1)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert ingest_file(store, path, "firms").rows_inserted == n


def firm_year(store, uscc, year):
    return fetch_one(db_of(store), 
        "SELECT revenue_yuan, output_value_yuan, employment, rd_expenditure_yuan, exports_yuan, profit_yuan "
        "FROM firm_years WHERE uscc = ? AND year = ?", [uscc, year])


def test_money_units_chinese_headers(store, tmp_path, make_uscc):
    load_base_firms(store, tmp_path, make_uscc)
    path = tmp_path / "fy.csv"
    path.write_text(
        "统一社会信用代码,年份,营业收入（万元）,工业总产值(千元),从业人员（人）,研发经费(亿元),出口交货值（百万元）,利润总额\n"
        f'{make_uscc(1)},2022,"12,345.5",10000,250,0.5,2,-300\n'
        f"{make_uscc(2)},2022,100,,1,0.001,,\n",
        encoding="gbk",
    )
    result = ingest_file(store, path, "firm_years")
    assert result.rows_inserted == 2
    assert firm_year(store, make_uscc(1), 2022) == pytest.approx((123_455_000.0, 10_000_000.0, 250, 50_000_000.0,
                                                                   2_000_000.0, -300.0))
    assert firm_year(store, make_uscc(2), 2022) == (1_000_000.0, None, 1, 100_000.0, None, None)


def test_money_units_english_headers(store, tmp_path, make_uscc):
    load_base_firms(store, tmp_path, make_uscc)
    path = tmp_path / "fy.csv"
    path.write_text(
        "uscc;year;revenue_100m_yuan;output_value_10k_yuan;employment;rd_expenditure (万元);exports_yuan;profit_m_yuan\n"
        f"{make_uscc(1)};2021;1.5;20000;1200;300;1e6;-2\n",
        encoding="utf-8",
    )
    ingest_file(store, path, "firm_years")
    assert firm_year(store, make_uscc(1), 2021) == pytest.approx((150_000_000.0, 200_000_000.0, 1200, 3_000_000.0,
                                                                   1_000_000.0, -2_000_000.0))


def test_xlsx_typed_cells(store, tmp_path, make_uscc, industry_class):
    openpyxl = pytest.importorskip("openpyxl")
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "企业名录"
    ws.append(["统一社会信用代码", "企业名称", "行政区划代码", "行业代码", "所有制", "成立日期", "是否上市",
               "是否分支机构", "专精特新"])
    ws.append([make_uscc(1), "江阴精密机械有限公司", int(REGION), int(industry_class), "民营",
               dt.datetime(2020, 1, 5), True, False, "小巨人"])
    ws.append([make_uscc(2), "无锡外资电子有限公司", float(CITY), DIVISION, "外商投资企业",
               dt.date(2018, 6, 30), "否", "是", "省级"])
    ws["F3"].number_format = "yyyy/m/d"
    wb.create_sheet("other").append(["ignored"])
    path = tmp_path / "firms.xlsx"
    wb.save(path)

    result = ingest_file(store, path, "firms")
    assert (result.file_format, result.encoding, result.rows_inserted) == ("xlsx", None, 2)
    got = firm_rows(store, [make_uscc(1), make_uscc(2)])
    assert got[make_uscc(1)] == ("江阴精密机械有限公司", REGION, industry_class, "private", dt.date(2020, 1, 5), True,
                                 False, "little_giant")
    assert got[make_uscc(2)] == ("无锡外资电子有限公司", CITY, DIVISION, "foreign", dt.date(2018, 6, 30), False, True,
                                 "provincial")

    # numeric (money) cells, in 万元
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["uscc", "year", "营业收入（万元）", "employment", "profit_yuan"])
    ws.append([make_uscc(1), 2023, 1234.5, 88, -1.25])
    ws.append([make_uscc(2), 2023.0, 0, 0, 0])
    path = tmp_path / "fy.xlsx"
    wb.save(path)
    assert ingest_file(store, path, "firm_years").rows_inserted == 2
    assert firm_year(store, make_uscc(1), 2023) == pytest.approx((12_345_000.0, None, 88, None, None, -1.25))
    assert firm_year(store, make_uscc(2), 2023) == (0.0, None, 0, None, None, 0.0)


def test_xlsx_named_sheet(store, tmp_path, make_uscc):
    openpyxl = pytest.importorskip("openpyxl")
    wb = openpyxl.Workbook()
    wb.active.append(["nothing", "here"])
    ws = wb.create_sheet("firms")
    ws.append(["uscc", "name", "region_code", "industry_code"])
    ws.append([make_uscc(5), "甲", CITY, DIVISION])
    path = tmp_path / "book.xlsx"
    wb.save(path)
    assert ingest_file(store, path, "firms", sheet="firms").rows_inserted == 1
    assert make_uscc(5) in firm_rows(store, [make_uscc(5)])


def test_parquet_typed_columns(store, tmp_path, make_uscc):
    pa = pytest.importorskip("pyarrow")
    pq = pytest.importorskip("pyarrow.parquet")
    firms = pa.table({
        "uscc": [make_uscc(1), make_uscc(2)],
        "name": ["甲公司", "乙公司"],
        "region_code": [REGION, CITY],
        "industry_code": [DIVISION, DIVISION],
        "ownership": ["私营", "港澳台"],
        "founded_on": pa.array([dt.date(2001, 2, 3), None], type=pa.date32()),
        "listed": pa.array([True, False]),
        "single_champion": pa.array([None, True], type=pa.bool_()),
    })
    path = tmp_path / "firms.parquet"
    pq.write_table(firms, path)
    result = ingest_file(store, path, "firms")
    assert (result.file_format, result.rows_inserted) == ("parquet", 2)
    rows = fetch_all(db_of(store), "SELECT uscc, ownership, founded_on, listed, single_champion FROM firms "
                                "WHERE uscc IN (?, ?) ORDER BY uscc", [make_uscc(1), make_uscc(2)])
    assert rows == [(make_uscc(1), "private", dt.date(2001, 2, 3), True, False),
                    (make_uscc(2), "hmt", None, False, True)]

    years = pa.table({
        "uscc": [make_uscc(1)] * 3,
        "year": pa.array([2020, 2021, 2022], type=pa.int16()),
        "revenue_10k_yuan": pa.array([1.5, 2.25, 1e6], type=pa.float64()),
        "employment": pa.array([10, None, 12], type=pa.int64()),
        "profit_yuan": pa.array([-1.0, 0.0, 123456789.125], type=pa.float64()),
    })
    path = tmp_path / "fy.parquet"
    pq.write_table(years, path)
    # The values span ten orders of magnitude on purpose (typing, not plausibility, is tested here).
    assert ingest_file(store, path, "firm_years", accept_outliers=True).rows_inserted == 3
    assert firm_year(store, make_uscc(1), 2020) == pytest.approx((15_000.0, None, 10, None, None, -1.0))
    assert firm_year(store, make_uscc(1), 2021) == (22_500.0, None, None, None, None, 0.0)
    assert firm_year(store, make_uscc(1), 2022) == (1e10, None, 12, None, None, 123456789.125)


def test_ingest_table_pandas_and_arrow(store, make_uscc):
    pd = pytest.importorskip("pandas")
    pa = pytest.importorskip("pyarrow")
    frame = pd.DataFrame({
        "统一社会信用代码": [make_uscc(1), make_uscc(2)],
        "企业名称": ["甲", "乙"],
        "行政区划代码": [REGION, CITY],
        "行业代码": [DIVISION, DIVISION],
        "成立日期": pd.to_datetime(["2015-03-04", "2016-07-08"]),
        "是否上市": [True, False],
        "extra": [1, 2],
    })
    result = ingest_table(store, frame, "firms", source_name="frame", vintage="test vintage")
    assert (result.rows_inserted, result.file_format, result.ignored_headers) == (2, "arrow", ["extra"])
    got = firm_rows(store, [make_uscc(1), make_uscc(2)])
    assert got[make_uscc(1)][4:6] == (dt.date(2015, 3, 4), True)
    loads = fetch_one(db_of(store), "SELECT source_file, file_format, vintage, rows_inserted FROM loads "
                                 "WHERE load_id = ?", [result.load_id])
    assert loads == ("frame", "arrow", "test vintage", 2)

    table = pa.table({"uscc": [make_uscc(1)], "year": pa.array([2020], pa.int32()),
                      "revenue_100m_yuan": [0.25], "employment": pa.array([7], pa.int32())})
    assert ingest_table(store, table, "firm_years").rows_inserted == 1
    assert firm_year(store, make_uscc(1), 2020) == (25_000_000.0, None, 7, None, None, None)


def test_enum_spellings_and_booleans(store, tmp_path, make_uscc):
    spellings = [("民营", "private"), ("外资", "foreign"), ("国有控股", "state"), ("FOREIGN-INVESTED", "foreign"),
                 ("港澳台商投资企业", "hmt"), ("集体", "collective"), ("其他", "other"), ("Private", "private")]
    bools = ["是", "否", "true", "False", "1", "0", "Y", "n"]
    lines = ["uscc,name,region_code,industry_code,ownership,listed"]
    for i, ((spelling, _), flag) in enumerate(zip(spellings, bools), start=1):
        lines.append(f"{make_uscc(i)},firm {i},{CITY},{DIVISION},{spelling},{flag}")
    path = tmp_path / "enums.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    ingest_file(store, path, "firms")
    rows = fetch_all(db_of(store), "SELECT ownership, listed FROM firms ORDER BY uscc")
    expected_flags = [True, False, True, False, True, False, True, False]
    assert rows == [(value, flag) for (_, value), flag in zip(spellings, expected_flags)]


def test_patents_dates_ipc_and_multi_codes(store, tmp_path, make_uscc):
    path = tmp_path / "patents.csv"
    path.write_text(
        "申请号,申请日,授权日,主分类号,IPC分类号,专利类型,申请人国别,是否PCT\n"
        "CN202010000001.1,2020/1/5,20211231,h01l 21/02,H01L 21/02; H04L 9/00,发明,chn,是\n"
        "CN202020000002.X,2020年2月29日,,H01L,,实用新型,,否\n",
        encoding="utf-8",
    )
    assert ingest_file(store, path, "patents").rows_inserted == 2
    rows = fetch_all(db_of(store), 
        "SELECT patent_id, application_date, grant_date, ipc_main, patent_type, applicant_country, pct "
        "FROM patents ORDER BY patent_id")
    assert rows == [
        ("CN202010000001.1", dt.date(2020, 1, 5), dt.date(2021, 12, 31), "H01L 21/02", "invention", "CHN", True),
        ("CN202020000002.X", dt.date(2020, 2, 29), None, "H01L", "utility", "CHN", False),
    ]


def test_trade_hs6_leading_zero_restored(store, tmp_path):
    path = tmp_path / "trade.csv"
    path.write_text(
        "reporter,reporter_type,year,flow,商品编码,国别,美元金额\n"
        f"{CITY},地区,2022,出口,10121,usa,1000.5\n"
        f"{CITY},region,2022,import,854231,JPN,2e9\n",
        encoding="utf-8",
    )
    assert ingest_file(store, path, "trade").rows_inserted == 2
    rows = fetch_all(db_of(store), "SELECT hs6, flow, partner_country, value_usd FROM trade ORDER BY hs6")
    assert rows == [("010121", "export", "USA", 1000.5), ("854231", "import", "JPN", 2e9)]


def test_ignored_headers_are_reported_not_loaded(store, tmp_path, make_uscc):
    path = tmp_path / "firms.csv"
    path.write_text(f"uscc,name,region_code,industry_code,电话,备注 2\n{make_uscc(1)},甲,{CITY},{DIVISION},123,x\n",
                    encoding="utf-8")
    result = ingest_file(store, path, "firms")
    assert result.ignored_headers == ["电话", "备注 2"]
    assert result.rows_inserted == 1
