"""Reports (专报) on the small demo store: the PDF's Chinese headings and numbers equal the library's
results, page 1 is not blank, page numbers and contents are there; every finding kind has a
recommendation rule; HTML and XLSX; the CLI's refusals."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from jiqun.cli import app
from jiqun.query import Query
from jiqun.reports import RECOMMENDATION_RULES, cluster_report, province_report, report_html, write_report
from jiqun.reports.render import cjk_families

runner = CliRunner()


@pytest.fixture(scope="module")
def query(demo_store):
    return Query(demo_store)


def needs_pdf():
    pytest.importorskip("weasyprint")
    pytest.importorskip("pypdf")
    if not cjk_families():
        pytest.skip("no CJK font for the PDF: apt-get install fonts-noto-cjk")


@pytest.fixture(scope="module")
def province_pdf(query, tmp_path_factory):
    """The province report as PDF, written once for the module (about 10 s: WeasyPrint subsets the font)."""
    needs_pdf()
    return write_report(province_report(query), "pdf", tmp_path_factory.mktemp("report") / "province.pdf")


def test_province_pdf_text_matches_the_library(query, province_pdf):
    from pypdf import PdfReader

    clusters = query.clusters()
    reader = PdfReader(province_pdf)
    text = "\n".join(page.extract_text() for page in reader.pages)
    flat = text.replace("\n", "")
    for heading in ("目录", "一、总体情况", "二、集群评价与类型", "三、产业链薄弱环节", "四、卡脖子清单",
                    "五、企业、促进机构、政策与人才", "六、对策建议"):
        assert heading in flat, heading
    # the firms, organisations and policy figures as the library has them
    close = query.firm_lists("close")
    assert f"距上一梯度仅差一项的企业{close['n_records']}家" in flat
    gaps = [g for g in query.policy_lists("gaps")["records"] if not g["addressed"]]
    assert f"{len(gaps)}项尚无对应政策" in flat
    counts = {t: sum(c["type"] == t for c in clusters["clusters"]) for t in ("leading", "breakthrough", "catch_up")}
    assert (f"引领型{counts['leading']}个、突破型{counts['breakthrough']}个、赶超型{counts['catch_up']}个" in flat)
    first = clusters["clusters"][0]
    assert first["name_zh"] in flat and f'{first["score"]:.3f}' in flat
    assert "— 2 —" in reader.pages[1].extract_text()  # page numbers from page 2 on
    assert len(reader.pages) >= 4


def test_the_pdf_carries_the_map_and_score_bars(query, province_pdf):
    """The charts are drawn into the PDF as vector text: the map's city names, the score bars' title
    and each bar's rank interval as the library has it."""
    from pypdf import PdfReader

    flat = "".join(page.extract_text() for page in PdfReader(province_pdf).pages).replace("\n", "")
    strength = query.city_strength()
    assert all(city["name_zh"].removesuffix("市") in flat for city in strength["cities"])
    assert "综合得分与排名区间" in flat
    first = query.clusters()["clusters"][0]
    assert f'第{first["rank"]}位（{first["rank_p05"]}–{first["rank_p95"]}）' in flat


def test_a_cluster_report_draws_its_radar_and_chain(query):
    report = cluster_report(query, "iot")
    figures = [svg for section in report.sections for svg in section.figures]
    assert any('class="radar"' in svg for svg in figures)
    chain = next(svg for svg in figures if 'class="chain-graph"' in svg)
    from jiqun.pictures.chain import weakness_colour

    for node in query.chain("iot")["nodes"]:
        assert f'data-node="{node["node_id"]}"><rect' in chain and node["name_zh"][:6] in chain
        assert weakness_colour(node["weakness"]) in chain
    assert "<a " not in chain  # print: no links


def test_page_one_is_not_blank(province_pdf):
    pdfium = pytest.importorskip("pypdfium2")
    import numpy as np

    image = np.asarray(pdfium.PdfDocument(str(province_pdf))[0].render(scale=0.5).to_pil().convert("L"))
    dark = (image < 128).mean()
    assert 0.002 < dark < 0.5, dark   # title and contents drawn: neither empty nor a black page


def test_recommendations_tie_to_findings_and_cover_every_kind(query):
    from jiqun.chains.weak import load_rules
    from jiqun.chokepoints import load_class_rules

    report = province_report(query)
    assert report.recommendations and all(r["text"] and r["evidence"] for r in report.recommendations)
    covered = {(kind, code) for kind, code, _zh, _en in RECOMMENDATION_RULES}
    assert {("weak_link", rule.id) for rule in load_rules()} <= covered
    assert {("chokepoint", c.id) for c in load_class_rules().classes} <= covered
    english = province_report(query, lang="en")
    assert english.title.startswith("Jiangsu") and "Overview" in report_html(english)


def test_cluster_report_html_and_xlsx(query, tmp_path):
    page = query.cluster("iot")
    report = cluster_report(query, "iot")
    html = report_html(report)
    assert report.title.startswith("物联网") and page["evaluation"]["explanation_zh"] in html.replace("&#x27;", "'")
    book = write_report(report, "xlsx", tmp_path / "iot.xlsx")
    import pandas as pd

    sheets = pd.read_excel(book, sheet_name=None, engine="openpyxl")
    assert "对策建议" in sheets and "说明" in sheets


@pytest.mark.parametrize("args, words", [(["--cluster", "nowhere"], "iot"), (["--format", "doc"], "--format"),
                                         (["--lang", "fr"], "--lang"), (["--cluster", "iot", "--province"], "not both")])
def test_cli_refusals(demo_store, args, words):
    result = runner.invoke(app, ["report", *args, "--db", str(demo_store)], env={"COLUMNS": "300"})
    assert result.exit_code == 2 and words in result.output and "Traceback" not in result.output


def test_cli_writes_the_contract_formats(demo_store, tmp_path):
    out = tmp_path / "iot.html"
    result = runner.invoke(app, ["report", "--cluster", "iot", "--lang", "zh", "--format", "html", "--out", str(out),
                                 "--db", str(demo_store)])
    assert result.exit_code == 0, result.output
    assert "物联网集群监测专报" in out.read_text(encoding="utf-8")
