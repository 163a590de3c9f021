"""Errors of the ingest path and the report a refused load produces."""

from __future__ import annotations

import csv
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

#: Rules and their bilingual one-line explanations (used in reports and docs).
RULES: dict[str, tuple[str, str]] = {
    "unreadable": ("the file cannot be opened or read", "文件无法打开或读取"),
    "format": ("the file format is not supported", "不支持的文件格式"),
    "encoding": ("the text is not valid UTF-8, GBK or GB18030", "文本不是有效的UTF-8、GBK或GB18030编码"),
    "parse": ("the file cannot be parsed (quoting, column count)", "文件无法解析（引号或列数错误）"),
    "empty_file": ("the file is empty", "文件为空"),
    "no_rows": ("the file has a header but no data rows", "文件只有表头没有数据"),
    "missing_column": ("a required column is missing", "缺少必填列"),
    "duplicate_column": ("two headers map to the same column", "两个表头对应同一列"),
    "unit": ("the header's unit is not allowed for this column", "表头单位不适用于该列"),
    "blank_header": ("a column holds values but has no header", "某列有数据但没有表头"),
    "required": ("a required value is empty", "必填值为空"),
    "type": ("the value does not have the column's type", "数值类型不符"),
    "enum": ("the value is not one of the allowed values", "取值不在允许范围内"),
    "codelist": ("the code is not in the code list", "代码不在代码表中"),
    "ambiguous_region": ("the region name stands for several regions", "地区名称对应多个地区"),
    "uscc": ("not a valid unified social credit code (GB 32100-2015)", "统一社会信用代码无效（GB 32100-2015）"),
    "pattern": ("the text does not have the required form", "文本格式不符"),
    "range": ("the value is out of the allowed range", "数值超出允许范围"),
    "future_date": ("the date lies in the future", "日期晚于当前日期"),
    "too_long": ("the text is too long", "文本过长"),
    "formula": ("the cell holds spreadsheet formula text", "单元格含有电子表格公式文本"),
    "duplicate_key_in_file": ("the key occurs more than once in the file", "主键在文件中重复"),
    "duplicate_key_in_store": ("the key is already in the store (insert mode)", "主键已存在于数据库（插入模式）"),
    "foreign_key": ("the referenced record does not exist", "引用的记录不存在"),
    "rule": ("a cross-field rule is broken", "跨字段规则不满足"),
    "outlier": ("the value is implausible (probably a wrong unit)", "数值不合常理（可能单位有误）"),
}


@dataclass(frozen=True)
class Problem:
    """One problem found in an input file."""

    file: str
    row: int | None  # row in the file, header = 1; None for file-level problems
    column: str | None
    value: str | None
    rule: str
    message_en: str
    message_zh: str


class IngestError(Exception):
    """A load was refused; nothing was written.

    Attributes
    ----------
    problems : list of Problem
        The first problems (all of them for file-level failures).
    counts : dict
        Number of problems per rule (over the whole file).
    report_path : Path or None
        Full error report (CSV) if one was written.
    report_note : str or None
        Why the report is not beside the input file (it went to the temp folder), else None.
    """

    def __init__(self, file: str, problems: list[Problem], counts: dict[str, int] | None = None,
                 report_path: Path | None = None, total: int | None = None):
        self.file = file
        self.problems = problems
        self.counts = dict(counts) if counts else dict(Counter(p.rule for p in problems))
        self.total = total if total is not None else sum(self.counts.values())
        self.report_path = report_path
        self.report_note: str | None = None
        super().__init__(self.summary())

    def summary(self) -> str:
        per_rule = ", ".join(f"{rule}: {n}" for rule, n in sorted(self.counts.items()))
        head = f"{self.file}: refused, {self.total} problem(s) ({per_rule}); nothing was written"
        lines = [head]
        for problem in self.problems[:5]:
            where = f"row {problem.row}" if problem.row is not None else "file"
            col = f", column {problem.column}" if problem.column else ""
            val = f", value {problem.value!r}" if problem.value is not None else ""
            lines.append(f"  {where}{col}{val}: [{problem.rule}] {problem.message_en} / {problem.message_zh}")
        return "\n".join(lines)


def file_error(file: str, rule: str, detail_en: str = "", detail_zh: str = "",
               column: str | None = None, row: int | None = None, value: str | None = None) -> IngestError:
    """Build an :class:`IngestError` for one file-level problem."""
    en, zh = RULES[rule]
    message_en = f"{en}: {detail_en}" if detail_en else en
    message_zh = f"{zh}：{detail_zh or detail_en}" if (detail_zh or detail_en) else zh
    return IngestError(file, [Problem(file, row, column, value, rule, message_en, message_zh)])


REPORT_COLUMNS = ["file", "row", "column", "value", "rule", "message_en", "message_zh"]


def write_report(problems: list[Problem], path: Path) -> Path:
    """Write problems to ``path`` as a UTF-8 CSV with BOM (opens cleanly in Excel)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", newline="", encoding="utf-8-sig") as fh:
        writer = csv.writer(fh)
        writer.writerow(REPORT_COLUMNS)
        for problem in problems:
            writer.writerow([problem.file, problem.row, problem.column, problem.value, problem.rule,
                             problem.message_en, problem.message_zh])
    return path
