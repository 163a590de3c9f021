"""jiqun.io.read_io_table on hand-made NBS-layout files (CSV UTF-8/GBK, XLSX, title rows, Chinese labels)
and on bad files: one IOTableError naming the file, the row, the column and the rule."""

import numpy as np
import pytest
import xlsxwriter

from jiqun.io import IOTableError, read_io_table

# Split table, Chinese labels, two title rows and a unit line; numbers by hand:
# Z_d = [[10, 20], [30, 5]], Z_m = [[2, 4], [1, 0]], x = [100, 80]
CHINESE_SPLIT = [
    ["2020年某省投入产出表"], ["单位：万元"], [],
    ["代码", "部门名称", "来源", "01", "02", "中间使用合计", "最终消费支出", "出口", "最终使用合计", "总产出"],
    ["01", "农业", "国内", "10", "20", "30", "50", "20", "70", "100"],
    ["02", "工业", "国内", "30", "5", "35", "40", "5", "45", "80"],
    ["01", "农业", "进口", "2", "4", "6", "1", "0", "1", "7"],
    ["02", "工业", "进口", "1", "0", "1", "2", "0", "2", "3"],
    ["TII", "中间投入合计", "合计", "43", "29", "", "", "", "", ""],
    ["", "增加值合计", "合计", "57", "51", "", "", "", "", ""],
    ["", "总投入", "合计", "100", "80", "", "", "", "", ""],
    ["注：虚构数据。"],
]
# No split, an IM column (GO = TIU + TFU - IM): x = [100, 80]
WITH_IM = [
    ["Code", "Description", "01", "02", "TIU", "TC", "EX", "TFU", "IM", "GO"],
    ["01", "Agriculture", "12", "24", "36", "70", "4", "74", "10", "100"],
    ["02", "Industry", "31", "5", "36", "50", "4", "54", "10", "80"],
    ["TVA", "Total value-added", "57", "51", "", "", "", "", "", ""],
]


def _csv(path, rows, encoding="utf-8"):
    path.write_text("\n".join(",".join(row) for row in rows) + "\n", encoding=encoding)
    return path


def _xlsx(path, rows, numbers=True):
    book = xlsxwriter.Workbook(str(path))
    sheet = book.add_worksheet("表1")
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            try:
                sheet.write_number(r, c, float(value)) if numbers and value and r > 3 else sheet.write(r, c, value)
            except ValueError:
                sheet.write(r, c, value)
    book.close()
    return path


def _check_split(table):
    assert table.sectors == ["01", "02"] and table.import_split == "table" and table.units == "万元"
    np.testing.assert_allclose(table.Z_domestic.to_numpy(), [[10, 20], [30, 5]])
    np.testing.assert_allclose(table.Z.to_numpy(), [[12, 24], [31, 5]])
    np.testing.assert_allclose(table.A.to_numpy(), [[0.12, 0.3], [0.31, 0.0625]])
    np.testing.assert_allclose(table.A_domestic.to_numpy(), [[0.1, 0.25], [0.3, 0.0625]])
    dependence = table.import_dependence()
    np.testing.assert_allclose(dependence["direct_share"], [3 / 43, 4 / 29])
    np.testing.assert_allclose(dependence["direct_per_output"], [0.03, 0.05])
    assert table.names.at["02", "name_zh"] == "工业" and table.exports.tolist() == [20, 5]
    assert table.value_added.loc["TVA"].tolist() == [57, 51]


@pytest.mark.parametrize("encoding", ["utf-8", "gbk", "utf-8-sig"])
def test_chinese_split_csv_in_any_encoding(tmp_path, encoding):
    _check_split(read_io_table(_csv(tmp_path / "t.csv", CHINESE_SPLIT, encoding)))


def test_chinese_split_xlsx_with_numbers_as_cells(tmp_path):
    _check_split(read_io_table(_xlsx(tmp_path / "t.xlsx", CHINESE_SPLIT), sheet="表1"))


def test_section_rows_instead_of_an_origin_column(tmp_path):
    rows = [[cell for i, cell in enumerate(row) if i != 2] for row in CHINESE_SPLIT[3:8]]
    rows.insert(1, ["", "国内产品"])
    rows.insert(4, ["", "进口产品"])
    table = read_io_table(_csv(tmp_path / "s.csv", rows))
    np.testing.assert_allclose(table.Z_imported.to_numpy(), [[2, 4], [1, 0]])


def test_table_with_im_column_estimates_the_split(tmp_path):
    table = read_io_table(_csv(tmp_path / "im.csv", WITH_IM))
    assert table.Z_domestic is None and table.import_split == "proportional"
    # product 01: 10 / (36 + 74 - 4) imported; product 02: 10 / (36 + 54 - 4)
    np.testing.assert_allclose(table.Z_imported.to_numpy()[:, 0], [12 * 10 / 106, 31 * 10 / 86])
    assert table.imports.tolist() == [10, 10] and table.units is None


def test_zero_output_sector_is_said(tmp_path):
    rows = [r[:] for r in WITH_IM]
    rows[1] = ["01", "Agriculture", "12", "0", "12", "70", "4", "74", "10", "76"]
    rows[2] = ["02", "Industry", "0", "0", "0", "0", "0", "0", "0", "0"]
    table = read_io_table(_csv(tmp_path / "z.csv", rows), tolerance=1e-9)
    assert table.zero_output == ["02"] and any("zero gross output" in note for note in table.notes)
    assert table.A["02"].tolist() == [0.0, 0.0] and np.isfinite(table.L.to_numpy()).all()


def _bad(tmp_path, rows, **kwargs):
    with pytest.raises(IOTableError) as info:
        read_io_table(_csv(tmp_path / "bad.csv", rows, **kwargs))
    assert str(tmp_path / "bad.csv") in str(info.value)
    return info.value


def _edit(rows, r, c, value):
    rows = [row[:] for row in rows]
    rows[r][c] = value
    return rows


@pytest.mark.parametrize("rows, rule, row, column", [
    ([["a", "b"], ["1", "2"]], "header", None, None),
    (_edit(WITH_IM, 1, 3, "abc"), "number", 2, "02"),
    (_edit(WITH_IM, 1, 3, "-24"), "negative_flow", 2, "02"),
    (_edit(WITH_IM, 1, 9, "120"), "row_balance", 2, "GO"),
    (_edit(WITH_IM, 1, 4, "40"), "row_total", 2, "TIU"),
    ([*WITH_IM[:2], WITH_IM[3]], "missing_row", None, "02"),
    ([*WITH_IM[:3], ["XYZ", "oops", "1", "2", "", "", "", "", "", ""]], "unknown_row", 4, "Code"),
    (_edit(WITH_IM, 0, 3, "01"), "duplicate_sector", 1, "01"),
    ([*WITH_IM[:3], WITH_IM[2]], "duplicate_row", 4, "02"),
    (_edit(CHINESE_SPLIT, 8, 3, "50"), "column_total", 9, "01"),
    (_edit(CHINESE_SPLIT, 5, 2, "外国"), "origin", 6, "来源"),
])
def test_bad_files_name_row_column_and_rule(tmp_path, rows, rule, row, column):
    error = _bad(tmp_path, rows)
    assert isinstance(error, ValueError) and error.rule == rule, str(error)
    assert error.row == row and error.column == column, str(error)
    assert f"[rule: {rule}]" in str(error)


def test_bad_encoding_empty_and_not_a_workbook(tmp_path):
    path = tmp_path / "latin.csv"
    path.write_bytes(b"Code,GO,TIU\n\xff\xfe\xfa,1,2\n")
    with pytest.raises(IOTableError, match="encoding"):
        read_io_table(path)
    (tmp_path / "empty.csv").write_text("")
    with pytest.raises(IOTableError, match="empty"):
        read_io_table(tmp_path / "empty.csv")
    (tmp_path / "x.xlsx").write_bytes(b"PK\x03\x04" + b"\0" * 100)
    with pytest.raises(IOTableError, match="not a readable Excel workbook"):
        read_io_table(tmp_path / "x.xlsx")
    with pytest.raises(IOTableError, match="no sector '9'"):
        read_io_table(_csv(tmp_path / "ok.csv", WITH_IM)).extraction("9")
