"""Excel templates for loading a table: headers the loader reads, allowed values as drop-down lists.

:func:`write_template` writes a workbook whose first sheet (数据) has the Chinese header in row 1
(money in 万元, e.g. 营业收入（万元）, so the file loads back with the right unit), the English name,
unit, requirement and checks of each column in the header cell's comment, an example row, drop-down
lists for enum and boolean columns (Chinese spellings), for clusters (their ids) and for regions
(Jiangsu's province, cities, counties and development zones by a name that stands for one region,
from a hidden sheet 代码表), a frozen header row and column widths.
The sheet 说明 describes every column with its checks (:func:`jiqun.schema.docs.column_checks`).
Filled in, the data sheet loads through :func:`jiqun.ingest.ingest_file` as it is.
"""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

from ..codes import uscc_check_character
from ..schema import get_table
from ..schema.docs import ColumnChecks, column_checks
from ..schema.model import Column, Table

DATA_SHEET, NOTES_SHEET, LISTS_SHEET = "数据", "说明", "代码表"
#: Unit of money columns in templates (Chinese statistics arrive in 万元).
MONEY_UNIT = "万元"
#: Rows of the data sheet that carry the drop-down lists.
LIST_ROWS = 5000


def example_uscc() -> str:
    """A valid example USCC (a Jiangsu firm), the same in every template so examples join up."""
    first17 = "91320500" + "MA1EXAMPL"
    return first17 + uscc_check_character(first17)


def _first_id(filename: str, column: str) -> str:
    from ..catalogue import data_path

    with open(data_path(filename), encoding="utf-8", newline="") as fh:
        return next(csv.DictReader(fh))[column]


def _examples(table: str) -> dict[str, object]:
    """Example values by column (money in 万元); they satisfy the checks and the cross-field rules, and
    refer to each other (the example firm, organisation and chain node) so the templates load in order."""
    year = dt.date.today().year - 1
    cluster, node = _first_id("clusters.csv", "cluster_id"), _first_id("chain_nodes.csv", "node_id")
    common: dict[str, object] = {
        "uscc": example_uscc(), "name": "示例科技有限公司", "address": "江苏省苏州市工业园区星湖街1号",
        "region_code": "苏州工业园区", "industry_code": "3973", "year": year, "revenue_yuan": 1500,
        "output_value_yuan": 1400, "employment": 120, "rd_expenditure_yuan": 60, "exports_yuan": 300,
        "profit_yuan": 90, "founded_on": "2015-06-01", "node_id": node, "cluster_id": cluster,
        "classification": "industry", "sector_code": "3973", "establishments": 12, "payroll_yuan": 800,
        "hs6": "854231", "partner_country": "USA", "value_usd": 250000, "quantity": 1000, "quantity_unit": "个",
        "reporter": example_uscc(), "reporter_type": "firm", "flow": "export",
        "transaction_id": f"TX{year}-000001", "seller_uscc": example_uscc(), "seller_region_code": "苏州工业园区",
        "buyer_region_code": "上海市", "amount_yuan": 500,
        "patent_id": "CN202310000001.X", "applicant_uscc": example_uscc(), "applicant_name": "示例科技有限公司",
        "applicant_region_code": "苏州工业园区", "application_date": "2023-03-01", "grant_date": "2024-05-10",
        "ipc_main": "H01L 21/02", "ipc_all": "H01L 21/02;G06F 15/78",
        "registration_id": "1234567", "owner_uscc": example_uscc(), "mark": "EXAMPL", "registration_date": "2022-08-01",
        "designated_countries": "USA;DEU", "nice_classes": "9;42",
        "organization_id": "ORG-0001", "member_firms": 120, "staff": 8, "budget_yuan": 300, "services": 40,
        "events": 12, "joint_projects": 5, "standards": 2, "satisfaction": 86,
        "policy_id": "苏政发〔2018〕86号", "title": "关于加快培育先进制造业集群的指导意见", "department": "江苏省人民政府",
        "target_clusters": cluster, "issued_on": "2018-07-01", "effective_from": "2018-07-01",
        "move_id": "MV-0001", "person_hash": "3f2a9c0d1e4b5a6c", "from_uscc": example_uscc(),
        "move_date": f"{year}-03-01",
        "product": "MEMS传感器芯片", "scope": "全国", "market_share": 0.12, "market_rank": 3, "source": "行业协会统计",
    }
    per_table: dict[str, dict[str, object]] = {
        "organizations": {"name": "示例集群促进中心", "uscc": ""},
        "policies": {"level": "省级", "region_code": "江苏省", "budget_yuan": 50000, "instrument": "企业研发与创新资助",
                     "target_group": "中小企业", "theme": "强链补链",
                     "text": "支持集群企业开展技术攻关和强链补链，对研发投入给予奖补。"},
    }
    return {**common, **per_table.get(table, {})}


def _catalogue_example(table: str) -> dict[str, object]:
    """The first row of the shipped catalogue file of ``table`` (loading it back changes nothing)."""
    from ..catalogue import CATALOGUE_FILES, countries_table, data_path

    filename = dict(CATALOGUE_FILES).get(table)
    if filename is None:
        return {k: v[0] for k, v in countries_table().to_pydict().items()}
    with open(data_path(filename), encoding="utf-8", newline="") as fh:
        return dict(next(csv.DictReader(fh)))


def _header(col: Column) -> str:
    return f"{col.zh}（{MONEY_UNIT}）" if col.is_money else col.zh


def _choice_labels(col: Column) -> list[str]:
    """The Chinese spelling of each allowed value (the loader accepts every spelling)."""
    if col.enum:
        return [next((s for s in spellings if not s.isascii()), value) for value, spellings in col.enum.items()]
    if col.type == "boolean":
        return ["是", "否"]
    return []


def _region_choices(catalogue_regions: Path) -> list[str]:
    """Names the loader resolves to one region: Jiangsu's province, cities, counties and zones
    (an ambiguous name such as 鼓楼区 with its city in front: 南京市鼓楼区)."""
    with open(catalogue_regions, encoding="utf-8", newline="") as fh:
        rows = [r for r in csv.DictReader(fh) if r["region_code"].startswith("32")]
    names = {r["region_code"]: r["name_zh"] for r in rows}
    counts: dict[str, int] = {}
    for row in rows:
        counts[row["name_zh"]] = counts.get(row["name_zh"], 0) + 1
    out = []
    for row in rows:
        name = row["name_zh"]
        if counts[name] > 1:
            name = names.get(row["region_code"][:4] + "00", "") + name
        out.append(name)
    return out


def _comment(check: ColumnChecks, col: Column) -> str:
    unit = MONEY_UNIT if col.is_money else (col.unit or "")
    parts = [f"{col.name} — {col.description}", f"{'必填 required' if check.required else '选填 optional'}"
             + (f"；单位 unit: {unit}" if unit else "")]
    if check.checks:
        parts.append(f"校验 checks: {check.checks}")
    return "\n".join(parts)


def _requirement(check: ColumnChecks, col: Column) -> str:
    unit = MONEY_UNIT if col.is_money else (col.unit or "")
    return ", ".join(p for p in (unit, "必填" if check.required else "选填") if p)


def write_template(table: str | Table, path: str | Path) -> Path:
    """Write an Excel template for loading ``table``.

    Parameters
    ----------
    table : str or Table
        A loadable table (catalogue or fact layer).
    path : str or Path
        The ``.xlsx`` file to write (its folder is created).

    Returns
    -------
    Path
        The file written.

    Raises
    ------
    ValueError
        ``table`` is written by jiqun itself (meta or result layer).
    KeyError
        Unknown table.
    """
    import xlsxwriter

    from ..catalogue import data_path

    spec = get_table(table) if isinstance(table, str) else table
    if spec.layer not in ("catalogue", "fact"):
        raise ValueError(f"table {spec.name} is written by jiqun itself; it has no template")
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    checks = column_checks(spec)
    columns = [spec.column(c.column) for c in checks]
    examples = _catalogue_example(spec.name) if spec.layer == "catalogue" else _examples(spec.name)
    book = xlsxwriter.Workbook(str(path))
    try:
        _write_data_sheet(book, spec, columns, checks, examples, _region_choices(data_path("regions.csv")))
        _write_notes_sheet(book, spec, columns, checks)
    finally:
        book.close()
    return path


def _example(col: Column, examples: dict[str, object]):
    if col.name in examples:
        return examples[col.name]
    if col.type == "boolean":
        return "否"
    choices = _choice_labels(col)
    return choices[0] if choices else ""


def _write_data_sheet(book, spec: Table, columns, checks, examples, regions) -> None:
    from xlsxwriter.utility import xl_col_to_name

    from ..catalogue import data_path

    with open(data_path("clusters.csv"), encoding="utf-8", newline="") as fh:
        clusters = [r["cluster_id"] for r in csv.DictReader(fh)]
    sheet = book.add_worksheet(DATA_SHEET)
    lists = book.add_worksheet(LISTS_SHEET)
    head = book.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1, "text_wrap": True, "valign": "top"})
    text = book.add_format({"num_format": "@"})
    money = book.add_format({"num_format": "#,##0.00"})
    whole = book.add_format({"num_format": "0"})
    lists.write_row(0, 0, ["地区 regions"])
    lists.write_column(1, 0, regions)
    lists.hide()
    next_list_col = 1
    for position, (col, check) in enumerate(zip(columns, checks)):
        header = _header(col)
        sheet.write_string(0, position, header, head)
        sheet.write_comment(0, position, _comment(check, col), {"x_scale": 2.5, "y_scale": 2})
        fmt = money if col.is_money else whole if col.type in ("integer", "bigint") else text if col.type == "text" else None
        sheet.set_column(position, position, max(12, min(40, 2 * len(header) + 2)), fmt)
        value = _example(col, examples)
        if value != "":
            if isinstance(value, (int, float)) and col.type != "text":
                sheet.write_number(1, position, value)
            else:
                sheet.write_string(1, position, str(value))
        choices = _choice_labels(col) or (clusters if col.codelist == "cluster" and not col.multi else [])
        if col.codelist == "region" and not col.multi:
            sheet.data_validation(1, position, LIST_ROWS, position, {
                "validate": "list", "source": f"='{LISTS_SHEET}'!$A$2:$A${len(regions) + 1}",
                "error_type": "warning", "input_title": col.zh, "input_message": "地区名称或6位代码"})
        elif choices:
            lists.write_row(0, next_list_col, [col.zh])
            lists.write_column(1, next_list_col, choices)
            letter = xl_col_to_name(next_list_col)
            sheet.data_validation(1, position, LIST_ROWS, position, {
                "validate": "list", "source": f"='{LISTS_SHEET}'!${letter}$2:${letter}${len(choices) + 1}"})
            next_list_col += 1
    sheet.freeze_panes(1, 0)
    sheet.set_row(0, 32)
    sheet.activate()


def _write_notes_sheet(book, spec: Table, columns, checks) -> None:
    sheet = book.add_worksheet(NOTES_SHEET)
    head = book.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1})
    wrap = book.add_format({"text_wrap": True, "valign": "top"})
    sheet.write_string(0, 0, f"{spec.zh}（{spec.name}）：{spec.description}")
    sheet.write_string(1, 0, f"粒度 grain: {spec.grain}；主键 key: {', '.join(spec.primary_key) or '—'}；"
                             f"金额单位为{MONEY_UNIT}（表头中的单位），加载时换算为元。")
    headings = ["表头 header", "英文列名 column", "类型 type", "单位与必填 unit, required", "校验 checks",
                "允许值 allowed values", "其他可用表头 other accepted headers", "说明 description"]
    sheet.write_row(3, 0, headings, head)
    for line, (col, check) in enumerate(zip(columns, checks), start=4):
        allowed = "; ".join(f"{v}: {'/'.join(s)}" for v, s in check.allowed.items())
        sheet.write_row(line, 0, [_header(col), col.name, col.type, _requirement(check, col), check.checks,
                               allowed, ", ".join((*check.aliases, *check.synonyms)), col.description], wrap)
    for position, width in enumerate((22, 20, 10, 16, 40, 40, 40, 40)):
        sheet.set_column(position, position, width)
    sheet.freeze_panes(4, 0)
