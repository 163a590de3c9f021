"""The chokepoint inventory on a hand-made store (cluster high_end_equipment, 2019–2023, M = 1 million yuan):

firms    K Wuxi 320205 (3421, m1 CNC machine tools) output 500; S Suzhou 320506 (3813, u2 servo motors)
         output 30; R Changzhou 320402 (3453, u3 precision reducers) output 60
flows    K buys u2 for 100 a year: from Japan 90 − 2.5n, from S 10 + 2.5n (n = 0 … 4), so the import share
         falls 0.90 → 0.80 by 0.025 a year; K buys u3 for 100: 50 from Germany, 50 from R (0.5, flat).
trade    K's 2023 imports: 850151 JPN 800 / DEU 200 thousand USD (HHI 0.68); 850152 JPN 100 (HHI 1);
         850440 KOR 50 / JPN 50 (HHI 0.5); 848340 DEU 300, JPN 300, ITA 400 (HHI 0.34); 848210 none.
patents  2023: 3 by S in H02K 11 (u2), 5 by Japanese and 2 by Beijing applicants in H02K 11, 25 by R in
         F16H 1/32 (u3); 2022: 20 and 2021: 15 by R; 2020: 10 by R.

Hand results
- u2 (servo): import share 0.80 ≥ 0.7, Jiangsu patents 3 in 2023, (0 + 0 + 3) / 3 = 1 a year over
  2021–2023 ≤ 5, concentrated (HHI 0.68, 1, 0.5 > 0.4) → fully dependent, all three products; window
  (0.80 − 0.30) / 0.025 = 20 years.
- u3 (reducers): import share 0.5, (15 + 20 + 25) / 3 = 20 Jiangsu patents a year ≥ 20, RTA 2023
  (25/28) / (25/35) = 1.25 → R&D base; the share is flat, so no window ("not falling").
- Severity puts the fully dependent servo products first.
"""

from __future__ import annotations

import json
import shutil

import pandas as pd
import pytest
from typer.testing import CliRunner

from jiqun.chokepoints.inventory import InventoryError, chokepoint_inventory
from jiqun.cli import app
from jiqun.complexity import compute
from jiqun.codes import uscc_check_character
from jiqun.ingest import ingest_table

M = 1e6
YEARS = [2019, 2020, 2021, 2022, 2023]
runner = CliRunner()


def uscc(serial: int, region: str) -> str:
    body = f"91{region}MA{serial:07d}"[:17]
    return body + uscc_check_character(body)


K, S, R = uscc(1, "320205"), uscc(2, "320506"), uscc(3, "320402")


def transactions() -> pd.DataFrame:
    rows = []
    for n, year in enumerate(YEARS):
        rows += [(year, None, None, "JPN", K, "320205", "high_end_equipment.u2", 90 - 2.5 * n),
                 (year, S, "320506", "CHN", K, "320205", "high_end_equipment.u2", 10 + 2.5 * n),
                 (year, None, None, "DEU", K, "320205", "high_end_equipment.u3", 50),
                 (year, R, "320402", "CHN", K, "320205", "high_end_equipment.u3", 50)]
    tx = pd.DataFrame(rows, columns=["year", "seller_uscc", "seller_region_code", "seller_country", "buyer_uscc",
                                     "buyer_region_code", "node_id", "amount_yuan"])
    tx["buyer_country"] = "CHN"
    tx["amount_yuan"] = tx.amount_yuan * M
    tx.insert(0, "transaction_id", [f"t{i}" for i in range(len(tx))])
    return tx


def patents() -> pd.DataFrame:
    rows = ([(S, "CHN", "320506", "2023-03-01", "H02K 11/21")] * 3 + [(None, "JPN", None, "2023-04-01", "H02K 11/33")] * 5
            + [(None, "CHN", "110000", "2023-05-01", "H02K 11/0")] * 2 + [(R, "CHN", "320402", "2023-06-01", "F16H 1/32")] * 25
            + [(R, "CHN", "320402", "2022-06-01", "F16H 1/32")] * 20 + [(R, "CHN", "320402", "2021-06-01", "F16H 1/32")] * 15
            + [(R, "CHN", "320402", "2020-06-01", "F16H 1/32")] * 10)
    frame = pd.DataFrame(rows, columns=["applicant_uscc", "applicant_country", "applicant_region_code",
                                        "application_date", "ipc_main"])
    frame.insert(0, "patent_id", [f"CN2023{i:07d}.X" for i in range(len(frame))])
    return frame.assign(ipc_all=frame.ipc_main, patent_type="invention", pct=False)


@pytest.fixture(scope="module")
def inventory_path(tmp_path_factory, _template_store):
    import jiqun

    path = tmp_path_factory.mktemp("inventory") / "inventory.duckdb"
    shutil.copy(_template_store, path)
    con = jiqun.connect(path)
    ingest_table(con, pd.DataFrame({"uscc": [K, S, R], "name": ["数控机床甲", "伺服乙", "减速器丙"],
                                    "region_code": ["320205", "320506", "320402"],
                                    "industry_code": ["3421", "3813", "3453"], "ownership": ["private"] * 3,
                                    "is_branch": [False] * 3}), "firms")
    ingest_table(con, pd.DataFrame([(firm, year, 100 * M, output * M, 10) for year in YEARS
                                    for firm, output in ((K, 500), (S, 30), (R, 60))],
                                   columns=["uscc", "year", "revenue_yuan", "output_value_yuan", "employment"]),
                 "firm_years")
    ingest_table(con, pd.DataFrame({"uscc": [K, S, R], "node_id": ["high_end_equipment.m1", "high_end_equipment.u2",
                                                                  "high_end_equipment.u3"],
                                    "is_primary": [True] * 3}), "firm_chain_nodes")
    ingest_table(con, transactions(), "transactions")
    trade = [("850151", "JPN", 800e3), ("850151", "DEU", 200e3), ("850152", "JPN", 100e3), ("850440", "KOR", 50e3),
             ("850440", "JPN", 50e3), ("848340", "DEU", 300e3), ("848340", "JPN", 300e3), ("848340", "ITA", 400e3)]
    ingest_table(con, pd.DataFrame([(K, "firm", 2023, "import", hs6, partner, value) for hs6, partner, value in trade],
                                   columns=["reporter", "reporter_type", "year", "flow", "hs6", "partner_country",
                                            "value_usd"]), "trade")
    ingest_table(con, patents(), "patents")
    con.disconnect()
    return path


@pytest.fixture(scope="module")
def items(inventory_path):
    import jiqun

    con = jiqun.connect(inventory_path, read_only=True)
    yield chokepoint_inventory(con, "高端装备")
    con.disconnect()


def test_classes_by_hand(items):
    by_product = items.set_index("hs6")
    assert set(items.hs6) == {"850151", "850152", "850440", "848340", "848210"}
    assert (by_product.loc[["850151", "850152", "850440"], "class"] == "fully_dependent").all()
    assert (by_product.loc[["848340", "848210"], "class"] == "rd_base").all()
    servo = by_product.loc["850151"]
    assert servo.import_share == pytest.approx(0.8) and servo.import_hhi == pytest.approx(0.68)
    assert servo.top_origin == "JPN" and servo.n_region_patents == 3
    assert servo.n_region_patents_3y == pytest.approx(1)
    assert "import_share ≥ 0.7 (0.8)" in servo.rule_text and "n_region_patents_3y ≤ 5 (1)" in servo.rule_text
    reducer = by_product.loc["848340"]
    assert reducer.rta == pytest.approx(1.25) and reducer.n_region_patents == 25
    assert reducer.n_region_patents_3y == pytest.approx(20)
    assert reducer.import_hhi == pytest.approx(0.34)
    assert pd.isna(by_product.loc["848210", "import_hhi"])  # no customs records: measured as missing


def test_window_and_priority_by_hand(items):
    by_product = items.set_index("hs6")
    assert by_product.loc["850151", "window_years"] == pytest.approx(20)
    assert by_product.loc["850151", "trend_per_year"] == pytest.approx(-0.025)
    assert pd.isna(by_product.loc["848340", "window_years"])
    assert "not falling" in by_product.loc["848340", "window_reason"]
    assert sorted(by_product.loc[["850151", "850152", "850440"], "priority"]) == [1, 2, 3]
    assert items.priority.tolist() == [1, 2, 3, 4, 5] and items.priority_province.min() == 1
    evidence = by_product.loc["850151", "evidence"]
    assert evidence["class"] == "fully_dependent" and evidence["dependency"]["top_origin"] == "JPN"
    assert evidence["window"]["window_years"] == pytest.approx(20)


def test_world_trade_fills_world_concentration(inventory_path):
    import jiqun

    world = pd.DataFrame({"t": 2023, "i": ["JPN", "DEU", "CHN"], "j": ["USA", "USA", "USA"], "k": "850151",
                          "v": [600.0, 300.0, 100.0], "q": None})
    others = pd.DataFrame([(2023, exporter, "FRA", product, value, None) for exporter, product, value in (
        ("JPN", "848340", 50.0), ("DEU", "848340", 500.0), ("CHN", "848340", 400.0), ("USA", "848340", 10.0),
        ("USA", "850151", 20.0), ("CHN", "848210", 300.0), ("USA", "848210", 200.0))],
        columns=["t", "i", "j", "k", "v", "q"])
    world = pd.concat([world, others], ignore_index=True)
    con = jiqun.connect(inventory_path, read_only=True)
    try:
        found = chokepoint_inventory(con, "high_end_equipment", world=world).set_index("hs6")
        with pytest.raises(InventoryError, match="2023"):
            chokepoint_inventory(con, "high_end_equipment", year=2015)
    finally:
        con.disconnect()
    assert found.loc["850151", "world_export_hhi"] == pytest.approx((600**2 + 300**2 + 100**2 + 20**2) / 1020**2)
    # density and PCI are China's, from jiqun.complexity on the world's exports (checked against ecomplexity).
    expected = compute(world.groupby(["i", "k"], as_index=False)["v"].sum(), loc="i", prod="k", val="v")
    china = expected[expected.i == "CHN"].set_index("k")
    for product in ("850151", "848340"):
        assert found.loc[product, "density"] == pytest.approx(china.loc[product, "density"])
        assert found.loc[product, "pci"] == pytest.approx(china.loc[product, "pci"])
    assert found.loc["850151", "evidence"]["relatedness"]["density"] == pytest.approx(china.loc["850151", "density"])
    assert pd.isna(found.loc["850152", "world_export_hhi"])


def test_cli_json_contract_and_workbook(inventory_path, tmp_path):
    result = runner.invoke(app, ["chokepoints", "--db", str(inventory_path), "--format", "json"])
    assert result.exit_code == 0, result.output
    records = json.loads(result.stdout)
    assert len(records) == 5
    first = records[0]
    assert list(first)[:6] == ["cluster", "product", "class", "priority", "window_years", "evidence"]
    assert first["cluster"] == "high_end_equipment" and first["class"] == "fully_dependent" and first["priority"] == 1
    assert first["window_years"] == pytest.approx(20) and isinstance(first["evidence"]["measures"]["import_share"], float)
    xlsx = tmp_path / "inventory.xlsx"
    result = runner.invoke(app, ["chokepoints", "--db", str(inventory_path), "--format", "xlsx", "--out", str(xlsx)])
    assert result.exit_code == 0, result.output
    sheets = pd.read_excel(xlsx, sheet_name=None, engine="openpyxl")
    assert list(sheets) == ["全省", "高端装备", "说明"]
    assert "分类依据" in sheets["全省"].columns and len(sheets["全省"]) == 5
    result = runner.invoke(app, ["chokepoints", "--db", str(inventory_path)], env={"COLUMNS": "200"})
    assert result.exit_code == 0 and "完全受制于国外" in result.output


@pytest.mark.parametrize("args, words", [(["--cluster", "nowhere"], "high_end_equipment"),
                                         (["--year", "2015"], "2023"), (["--criteria", "oecd"], "geodep"),
                                         (["--format", "pdf"], "--format")])
def test_cli_refusals_are_one_line(inventory_path, args, words):
    result = runner.invoke(app, ["chokepoints", *args, "--db", str(inventory_path)], env={"COLUMNS": "300"})
    assert result.exit_code == 2, result.output
    assert words in result.output and "Traceback" not in result.output
    assert len([line for line in result.output.splitlines() if line.strip()]) <= 2


def test_a_segment_without_hs6_is_one_item_with_its_purchases_origin():
    from jiqun.chokepoints.export import json_records
    from jiqun.chokepoints.inventory import assemble_items

    history = pd.DataFrame({"cluster_id": ["integrated_circuits"] * 2, "node_id": ["ic.u1", "ic.u2"],
                            "year": [2023, 2023], "import_share": [0.9, 0.8],
                            "top_import_country": ["USA", "JPN"], "top_import_country_share": [0.85, 0.6]})
    products = pd.DataFrame({"node_id": ["ic.u2"], "hs6": ["381800"]})
    product_side = pd.DataFrame({"year": [2023], "hs6": ["381800"], "top_origin": ["KOR"], "top_origin_share": [0.5],
                                 "import_hhi": [0.3]})
    technology = pd.DataFrame({"node_id": ["ic.u1"], "year": [2023], "n_region_patents": [0],
                               "n_region_patents_3y": [0.0], "n_patents_all": [9], "n_patenting_firms": [0]})
    items = assemble_items(history, products, product_side, technology, 2023).set_index("node_id")
    eda, wafers = items.loc["ic.u1"], items.loc["ic.u2"]
    assert eda.hs6 is None and eda.origin_basis == "purchases" and "no HS6" in eda.product_en
    assert eda.top_origin == "USA" and eda.top_origin_share == pytest.approx(0.85) and pd.isna(eda.import_hhi)
    assert wafers.hs6 == "381800" and wafers.origin_basis == "customs" and wafers.top_origin == "KOR"
    records = json_records(items.reset_index().assign(**{"class": "fully_dependent", "priority": 1,
                                                         "window_years": None, "evidence": [{}, {}]}))
    record = next(r for r in records if r["node_id"] == "ic.u1")
    assert record["product"] is None and record["cluster"] == "integrated_circuits"


def test_complexity_cli_on_the_store_by_hand(inventory_path, tmp_path):
    """Provinces × WIPO fields pooled over 2021–2023 (the module's patents, foreign applicants left out):
    Jiangsu 3 in field 1 (H02K) and 15 + 20 + 25 = 60 in field 31 (F16H), Beijing 2 in field 1; RTA of
    Jiangsu in field 31 = (60/63) / (60/65), of Beijing in field 1 = (2/2) / (5/65) = 13."""
    result = runner.invoke(app, ["complexity", "--db", str(inventory_path), "--format", "json"])
    assert result.exit_code == 0, result.output
    rows = {r["field_nr"]: r for r in json.loads(result.stdout)}
    assert set(rows) == {1, 31} and {r["region"] for r in rows.values()} == {"320000"}
    assert rows[31]["n"] == 60 and rows[31]["rca"] == pytest.approx((60 / 63) / (60 / 65)) and rows[31]["mcp"] == 1
    assert rows[1]["n"] == 3 and rows[1]["mcp"] == 0 and rows[1]["density"] == pytest.approx(0)
    assert rows[31]["field_name_zh"] == "机械元件" and rows[1]["region_zh"] == "江苏省"
    result = runner.invoke(app, ["complexity", "--db", str(inventory_path), "--region", "北京", "--format", "json"])
    beijing = json.loads(result.stdout)
    assert [r["field_nr"] for r in beijing if r["mcp"] == 1] == [1]
    assert next(r for r in beijing if r["field_nr"] == 1)["rca"] == pytest.approx(13)
    csv = tmp_path / "fields.csv"
    result = runner.invoke(app, ["complexity", "--db", str(inventory_path), "--format", "csv", "--out", str(csv)])
    assert result.exit_code == 0, result.output
    assert csv.read_bytes().startswith(b"\xef\xbb\xbf")
    assert "显示性技术优势RTA" in pd.read_csv(csv, encoding="utf-8-sig").columns
    result = runner.invoke(app, ["complexity", "--db", str(inventory_path), "--year", "2015"], env={"COLUMNS": "300"})
    assert result.exit_code == 2 and "2023" in result.output and "Traceback" not in result.output


def test_complexity_cli_on_a_gbk_table_equals_compute(tmp_path):
    from jiqun.complexity import compute

    table = pd.DataFrame({"国家": ["甲", "甲", "乙", "乙", "丙", "丙", "丙"], "产品": ["p1", "p2", "p2", "p3", "p1", "p3", "p4"],
                          "出口": [5.0, 3.0, 4.0, 1.0, 2.0, 6.0, 7.0]})
    path = tmp_path / "exports.csv"
    table.to_csv(path, index=False, encoding="gbk")
    out = tmp_path / "measures.json"
    result = runner.invoke(app, ["complexity", "--table", str(path), "--loc", "国家", "--prod", "产品", "--val", "出口",
                                 "--format", "json", "--out", str(out)])
    assert result.exit_code == 0, result.output
    got = pd.DataFrame(json.loads(out.read_text(encoding="utf-8")))
    expected = compute(table, "国家", "产品", "出口")
    pd.testing.assert_series_equal(got["rca"], expected["rca"], check_names=False)
    assert list(got["国家"]) == list(expected["国家"])
    result = runner.invoke(app, ["complexity", "--table", str(path), "--loc", "国家"], env={"COLUMNS": "300"})
    assert result.exit_code == 2 and "--prod" in result.output and "Traceback" not in result.output


def test_patents_ending_before_the_year_give_their_last_year_not_zeros():
    """Purchases of 2023, patents up to 2022 (the 2023 filings not yet published): the technology base is
    2022's (patent_year 2022), not 0 patents; purchases of 2015, before the first patent: missing."""
    from jiqun.chokepoints.inventory import assemble_items

    history = pd.DataFrame({"cluster_id": ["c"] * 2, "node_id": ["n1"] * 2, "year": [2015, 2023],
                            "import_share": [0.9, 0.9], "top_import_country": ["JPN"] * 2,
                            "top_import_country_share": [0.9] * 2})
    technology = pd.DataFrame({"node_id": ["n1"] * 2, "year": [2021, 2022], "n_region_patents": [30, 40],
                               "n_region_patents_3y": [30.0, 35.0], "n_patents_all": [50, 60],
                               "n_patenting_firms": [3, 4]})
    products = pd.DataFrame({"node_id": pd.Series([], dtype=str), "hs6": pd.Series([], dtype=str)})
    late = assemble_items(history, products, pd.DataFrame(columns=["year", "hs6"]), technology, 2023).iloc[0]
    assert late.patent_year == 2022 and late.n_region_patents == 40 and late.n_region_patents_3y == 35
    early = assemble_items(history, products, pd.DataFrame(columns=["year", "hs6"]), technology, 2015).iloc[0]
    assert pd.isna(early.patent_year) and pd.isna(early.n_region_patents) and pd.isna(early.n_region_patents_3y)
