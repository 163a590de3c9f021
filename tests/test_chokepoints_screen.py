"""The dependency screen (jiqun.chokepoints.screen) on small hand-made trade tables in BACI layout:
every measure by hand, a product meeting exactly two of three criteria, zero exports, GeoDep's 2-of-3
years with a missing year, the EU set for a group and for one country, numeric BACI codes, refusals."""

from __future__ import annotations

import pandas as pd
import pytest

from jiqun.chokepoints import CriteriaError, ScreeningError, screen

# Products: A = 850110 (servo motors) concentrated everywhere; B = 903180 (measuring instruments) with
# imports spread over three origins but world exports concentrated; C = 847130 imported and exported.
A, B, C = 850110, 903180, 847130


def flows(year: int) -> list[tuple]:
    return [
        (year, "JPN", "CHN", A, 80.0), (year, "KOR", "CHN", A, 20.0), (year, "JPN", "USA", A, 100.0),
        (year, "CHN", "USA", A, 10.0),
        (year, "DEU", "CHN", B, 30.0), (year, "USA", "CHN", B, 30.0), (year, "JPN", "CHN", B, 40.0),
        (year, "USA", "FRA", B, 300.0),
        (year, "JPN", "CHN", C, 50.0), (year, "CHN", "USA", C, 100.0), (year, "CHN", "DEU", C, 100.0),
    ]


@pytest.fixture
def trade() -> pd.DataFrame:
    rows = flows(2020) + flows(2021) + flows(2022)
    return pd.DataFrame(rows, columns=["t", "i", "j", "k", "v"]).assign(q=1.0)


def row(result: pd.DataFrame, product: int, year: int) -> pd.Series:
    hit = result[(result.k == f"{product:06d}") & (result.t == year)]
    assert len(hit) == 1
    return hit.iloc[0]


def test_measures_by_hand(trade):
    result = screen(trade, "CHN", risk_origins=["JPN"])
    a = row(result, A, 2022)
    assert a.imports == 100 and a.exports == 10 and a.n_origins == 2
    assert a.import_hhi == pytest.approx(0.8 ** 2 + 0.2 ** 2)
    assert a.top_origin == "JPN" and a.top_origin_share == pytest.approx(0.8)
    assert a.risk_origin_share == pytest.approx(0.8)
    # World exports of A: JPN 180, KOR 20, CHN 10 (everyone's exports, the importer's included).
    assert a.world_exports == 210
    assert a.world_export_hhi == pytest.approx((180 ** 2 + 20 ** 2 + 10 ** 2) / 210 ** 2)
    assert a.import_export_ratio == pytest.approx(10.0)
    assert a.imports_growth == 0 and a.import_hhi_change == 0
    assert pd.isna(row(result, A, 2020).imports_growth)  # no previous year
    b = row(result, B, 2022)
    assert b.import_hhi == pytest.approx(0.3 ** 2 + 0.3 ** 2 + 0.4 ** 2)
    assert b.import_export_ratio == 9999.0  # no exports: GeoDep's convention
    assert b.world_export_hhi == pytest.approx((330 ** 2 + 30 ** 2 + 40 ** 2) / 400 ** 2)
    assert pd.isna(b.import_share)  # one country without domestic supply


def test_a_product_meeting_exactly_two_of_three_criteria_is_not_dependent(trade):
    result = screen(trade, "CHN", criteria="geodep")
    b = row(result, B, 2022)  # imports spread (HHI 0.34), world exports concentrated, no exports
    assert (bool(b.import_concentrated), bool(b.world_exports_concentrated), bool(b.not_substitutable)) == \
        (False, True, True)
    assert b.n_criteria_met == 2 and not b.meets_all and not b.dependent
    c = row(result, C, 2022)  # exported twice what it imports: substitutable
    assert not c.not_substitutable and c.import_export_ratio == pytest.approx(0.25)
    a = row(result, A, 2022)
    assert a.meets_all and a.dependent and a.n_criteria_met == 3


def test_geodep_needs_two_of_three_years_and_a_missing_year_counts_as_not_met(trade):
    # A is met in 2020 and 2022; 2021 is missing from the data for A.
    gappy = trade[~((trade.k == A) & (trade.t == 2021))]
    result = screen(gappy, "CHN")
    assert row(result, A, 2022).dependent  # 2020 and 2022 of the window 2020–2022
    assert not row(result, A, 2020).dependent  # 2018 and 2019 are not in the data
    assert pd.isna(row(result, A, 2022).imports_growth)  # the previous year is missing
    only_last = trade[~((trade.k == A) & trade.t.isin([2020, 2021]))]
    assert not row(screen(only_last, "CHN"), A, 2022).dependent
    # years= returns a year but keeps the window behind it
    assert screen(gappy, "CHN", years=[2022]).t.unique().tolist() == [2022]
    assert row(screen(gappy, "CHN", years=[2022]), A, 2022).dependent


def test_eu2021_for_a_group_excludes_intra_group_trade(trade):
    extra = pd.DataFrame([(2022, "DEU", "FRA", B, 100.0), (2022, "FRA", "DEU", A, 20.0)],
                         columns=["t", "i", "j", "k", "v"])
    result = screen(pd.concat([trade, extra]), ["DEU", "FRA"], criteria="eu2021", years=[2022])
    b = row(result, B, 2022)
    assert b.imports == 300 and b.intra_group_imports == 100  # USA → FRA only; DEU → FRA is internal
    assert b.import_share == pytest.approx(300 / 400)
    assert b.import_hhi == pytest.approx(1.0) and b.exports == 30  # DEU → CHN
    assert b.import_export_ratio == pytest.approx(10.0)
    assert b.imports_important and b.import_concentrated and b.not_substitutable and b.dependent
    # A is traded only inside the group (FRA → DEU): no imports, no exports, no row.
    assert (result.k == f"{A:06d}").sum() == 0
    c = row(result, C, 2022)  # CHN → DEU 100: one origin, nothing exported
    assert c.imports == 100 and c.import_hhi == 1 and c.import_share == 1 and c.dependent


def test_eu2021_for_one_country_needs_its_domestic_supply(trade):
    without = row(screen(trade, "CHN", criteria="eu2021"), A, 2022)
    assert pd.isna(without.imports_important) and pd.isna(without.meets_all) and pd.isna(without.dependent)
    supply = pd.DataFrame({"t": [2022], "k": [A], "domestic_supply": [60.0]})
    within = row(screen(trade, "CHN", criteria="eu2021", domestic_supply=supply), A, 2022)
    assert within.import_share == pytest.approx(100 / 160)
    assert within.import_dependence == pytest.approx(100 / (60 + 100 - 10))
    assert within.imports_important and within.dependent


def test_numeric_baci_codes_and_ibis_input(trade):
    import ibis

    codes = {"CHN": 156, "JPN": 392, "KOR": 410, "USA": 842, "DEU": 276, "FRA": 251}
    numeric = trade.assign(i=trade.i.map(codes), j=trade.j.map(codes))
    by_code = screen(numeric, "CHN")
    by_name = screen(trade, "CHN")
    assert by_code.top_origin.iloc[0] == 392
    pd.testing.assert_series_equal(by_code.import_hhi, by_name.import_hhi)
    assert screen(numeric, 156).dependent.equals(by_name.dependent)
    as_ibis = screen(ibis.memtable(trade), "CHN")
    pd.testing.assert_frame_equal(as_ibis.drop(columns="top_origin"), by_name.drop(columns="top_origin"),
                                  check_dtype=False)


def test_user_criteria_file(trade, tmp_path):
    path = tmp_path / "mine.yaml"
    path.write_text("criteria_sets:\n  mine:\n    criteria:\n      - {id: concentrated, name_zh: 集中, name_en: c, "
                    "metric: top_origin_share, comparison: at_least, threshold: 0.8}\n", encoding="utf-8")
    result = screen(trade, "CHN", criteria=str(path), years=[2022])
    assert result.criteria_set.unique().tolist() == ["mine"]
    assert row(result, A, 2022).dependent and not row(result, B, 2022).dependent


@pytest.mark.parametrize("change, message", [
    (lambda t: t.drop(columns="v"), "lacks column"),
    (lambda t: t.assign(v=-t.v), "negative"),
    (lambda t: t.assign(v=t.v.astype(object).where(t.index != 2, "abc")), "row 3"),
])
def test_bad_tables_are_refused_in_one_line(trade, change, message):
    with pytest.raises(ScreeningError, match=message) as caught:
        screen(change(trade), "CHN")
    assert "\n" not in str(caught.value)


def test_bad_arguments_are_refused_with_the_choices(trade, tmp_path):
    with pytest.raises(ScreeningError, match="imports nothing"):
        screen(trade, "BRA")
    with pytest.raises(ScreeningError, match="not in the trade table; it has 2020, 2021, 2022"):
        screen(trade, "CHN", years=[2019])
    with pytest.raises(CriteriaError, match="geodep, eu2021"):
        screen(trade, "CHN", criteria="oecd")
    bad = tmp_path / "bad.yaml"
    bad.write_text("criteria_sets:\n  x:\n    criteria:\n      - {id: a, name_zh: a, name_en: a, metric: nope, "
                   "comparison: above, threshold: 1}\n", encoding="utf-8")
    with pytest.raises(CriteriaError, match="metric 'nope' is not a measure"):
        screen(trade, "CHN", criteria=str(bad))
