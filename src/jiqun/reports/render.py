"""Rendering a report: HTML (print-ready CSS: A4, page numbers, a table of contents with page numbers),
PDF (WeasyPrint on that HTML, with a CJK font of the machine; refused with the fix when there is none,
never boxes instead of characters) and XLSX (one sheet per table). Drawing only: a Report in, a file out."""

from __future__ import annotations

import shutil
import subprocess
from html import escape
from pathlib import Path

from ..excel import About, Column, Sheet, write_workbook
from .content import Report, Table
from .figures import with_font

FORMATS = ("html", "pdf", "xlsx")
#: Section numbers of a Chinese report (一、二、…).
ZH_NUMERALS = "一二三四五六七八九十"
FONT_STACK = '"Noto Sans CJK SC", "Noto Serif CJK SC", "Source Han Sans SC", "WenQuanYi Zen Hei", "Microsoft YaHei", sans-serif'
CSS = f"""
@page {{ size: A4; margin: 22mm 18mm 20mm 18mm;
  @bottom-center {{ content: "— " counter(page) " —"; font-size: 9pt; color: #52606d; }} }}
@page :first {{ @bottom-center {{ content: none; }} }}
body {{ font-family: {FONT_STACK}; font-size: 11pt; line-height: 1.65; color: #1f2933; }}
h1 {{ font-size: 20pt; text-align: center; margin: 40mm 0 6mm; color: #123c69; }}
.subtitle {{ text-align: center; color: #52606d; }}
nav {{ page-break-after: always; margin-top: 20mm; }}
nav h2 {{ font-size: 14pt; }} nav ol {{ list-style: none; padding: 0; }}
nav a {{ color: inherit; text-decoration: none; }}
nav a::after {{ content: leader('.') target-counter(attr(href), page); }}
h2 {{ font-size: 14pt; color: #123c69; border-bottom: 1px solid #d9dee4; padding-bottom: 2pt; }}
p {{ text-indent: 2em; margin: 4pt 0; text-align: justify; }}
table {{ border-collapse: collapse; width: 100%; font-size: 9pt; margin: 6pt 0 10pt; page-break-inside: auto; }}
caption {{ font-weight: bold; margin-bottom: 3pt; }}
th, td {{ border: 0.6pt solid #9aa5b1; padding: 2pt 4pt; vertical-align: top; }}
th {{ background: #eef1f5; }} td.num {{ text-align: right; }}
figure {{ margin: 6pt 0 10pt; text-align: center; page-break-inside: avoid; }}
figure svg {{ max-width: 100%; height: auto; }}
li.recommendation {{ margin-bottom: 4pt; }} .evidence {{ color: #52606d; font-size: 9pt; }}
"""


class ReportError(RuntimeError):
    """A report that cannot be written as asked (says what to install or change)."""


def _table_html(table: Table) -> str:
    head = "".join(f"<th>{escape(h)}</th>" for h in table.headers)
    rows = "".join("<tr>" + "".join(f'<td{" class=num" if i in table.numeric else ""}>{escape(str(c))}</td>'
                                    for i, c in enumerate(row)) + "</tr>" for row in table.rows)
    return f"<table><caption>{escape(table.title)}</caption><thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table>"


def report_html(report: Report) -> str:
    """The report as one HTML document (the PDF is this document printed)."""
    number = len(report.sections) + 1  # the recommendations close the report, numbered as its sections
    recommendations_heading = (f"{ZH_NUMERALS[number - 1]}、对策建议" if report.lang == "zh"
                               else f"{number}. Recommendations")
    headings = [s.heading for s in report.sections] + [recommendations_heading]
    toc = "".join(f'<li><a href="#s{n}">{escape(h)}</a></li>' for n, h in enumerate(headings, start=1))
    body = []
    for n, section in enumerate(report.sections, start=1):
        parts = [f'<h2 id="s{n}">{escape(section.heading)}</h2>']
        parts += [f"<p>{escape(p)}</p>" for p in section.paragraphs]
        parts += [f"<figure>{with_font(svg, FONT_STACK)}</figure>" for svg in section.figures]
        parts += [_table_html(t) for t in section.tables]
        body.append("<section>" + "".join(parts) + "</section>")
    items = "".join(f'<li class="recommendation">{escape(r["text"])}<br><span class="evidence">'
                    f'{"依据" if report.lang == "zh" else "Evidence"}：{escape(r["evidence"])}</span></li>'
                    for r in report.recommendations)
    body.append(f'<section><h2 id="s{len(headings)}">{escape(recommendations_heading)}</h2><ol>{items}</ol></section>')
    contents = "目录" if report.lang == "zh" else "Contents"
    return (f'<!doctype html><html lang="{"zh-CN" if report.lang == "zh" else "en"}"><head><meta charset="utf-8">'
            f"<title>{escape(report.title)}</title><style>{CSS}</style></head><body>"
            f"<h1>{escape(report.title)}</h1><p class=subtitle>{escape(report.subtitle)}</p>"
            f"<nav><h2>{contents}</h2><ol>{toc}</ol></nav>{''.join(body)}</body></html>")


def cjk_families() -> list[str]:
    """Font families with Chinese glyphs known to fontconfig (what WeasyPrint draws with)."""
    if not shutil.which("fc-list"):
        return []
    found = subprocess.run(["fc-list", ":lang=zh", "family"], capture_output=True, text=True).stdout
    return sorted({name.split(",")[0].strip() for name in found.splitlines() if name.strip()})


def write_report(report: Report, fmt: str, out: Path) -> Path:
    """Write the report as ``html``, ``pdf`` or ``xlsx`` to ``out``; return the path."""
    if fmt not in FORMATS:
        raise ReportError(f"format {fmt!r} is not one of {', '.join(FORMATS)}")
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    if fmt == "html":
        out.write_text(report_html(report), encoding="utf-8")
    elif fmt == "pdf":
        if not cjk_families():
            raise ReportError("no CJK font for the PDF 未找到中文字体: install one, e.g. `apt-get install "
                              "fonts-noto-cjk` (Debian/Ubuntu); a PDF with boxes instead of characters is never written")
        from weasyprint import HTML

        HTML(string=report_html(report)).write_pdf(out)
    else:
        sheets = [Sheet(t.title[:31].replace("表 ", ""), _frame(t), [Column(str(i), h) for i, h in enumerate(t.headers)])
                  for s in report.sections for t in s.tables]
        import pandas as pd

        advice = pd.DataFrame({"0": [r["text"] for r in report.recommendations],
                               "1": [r["evidence"] for r in report.recommendations]})
        sheets.append(Sheet("对策建议" if report.lang == "zh" else "Recommendations", advice,
                            [Column("0", "建议" if report.lang == "zh" else "Recommendation"),
                             Column("1", "依据" if report.lang == "zh" else "Evidence")]))
        write_workbook(out, _unique_names(sheets), About(report.title, notes=[report.subtitle]))
    return out


def _frame(table: Table):
    import pandas as pd

    return pd.DataFrame(table.rows, columns=[str(i) for i in range(len(table.headers))])


def _unique_names(sheets: list[Sheet]) -> list[Sheet]:
    seen: dict[str, int] = {}
    for sheet in sheets:
        count = seen.get(sheet.name, 0)
        seen[sheet.name] = count + 1
        if count:
            sheet.name = f"{sheet.name[:28]}_{count + 1}"
    return sheets
