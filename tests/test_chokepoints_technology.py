"""Technology base from patents (技术基础) against values worked out by hand.

patents  p1 Nanjing 320102 CHN  G05B 19/18  invention  PCT  firm F1  2023
         p2 Suzhou  320505 CHN  G05B11/01   utility         firm F2  2023
         p3 Beijing 110108 CHN  G05B19      invention                2023
         p4 Japan          JPN  G05B19      invention                2023
         p5 Nanjing 320102 CHN  H01L21 (also G05B19 among all IPC)    firm F1  2023
         p6 Nanjing 320102 CHN  G05B19      invention       firm F1  2020
items    cnc: G05B19, G05B 11;  chips: H01L

cnc 2023 (main IPC): p1–p4 → 4 patents, 3 Chinese, 1 foreign (25 %), 2 in Jiangsu (p1, p2): 2/3 of the
nation's, invention share 1/2, 1 PCT, 2 firms. RTA against all applicants: (2 / 3 Jiangsu patents
of 2023) / (4 / 5 patents of 2023) = 5/6; against the nation: (2/3) / (3/4) = 8/9.
Growth over 3 years: Jiangsu 1 (2020) → 2 (2023): 2^(1/3) − 1; 2021 and 2022 are filled with zeros.
"""

from __future__ import annotations

import ibis
import pandas as pd
import pytest

from jiqun.chokepoints.technology import TechnologyError, technology_base

PATENTS = pd.DataFrame({
    "patent_id": ["p1", "p2", "p3", "p4", "p5", "p6"],
    "applicant_uscc": ["F1", "F2", None, None, "F1", "F1"],
    "applicant_country": ["CHN", "CHN", "CHN", "JPN", "CHN", "CHN"],
    "applicant_region_code": ["320102", "320505", "110108", None, "320102", "320102"],
    "application_date": pd.to_datetime(["2023-03-01", "2023-05-02", "2023-01-09", "2023-07-07", "2023-02-02",
                                        "2020-06-06"]),
    "ipc_main": ["G05B 19/18", "G05B11/01", "G05B19", "G05B19", "H01L21", "G05B19"],
    "ipc_all": ["G05B 19/18", "G05B11/01", "G05B19", "G05B19", "H01L21;G05B19", "G05B19"],
    "patent_type": ["invention", "utility", "invention", "invention", "invention", "invention"],
    "pct": [True, False, False, False, False, False],
})
CONCORDANCE = pd.DataFrame({"item": ["cnc", "cnc", "chips"], "ipc": ["G05B19", "G05B 11", "H01L"]})


@pytest.fixture()
def patents():
    return ibis.memtable(PATENTS)


def row(table: pd.DataFrame, item: str, year: int) -> pd.Series:
    return table[(table.item == item) & (table.year == year)].iloc[0]


def test_counts_shares_and_rta_by_hand(patents):
    base = technology_base(patents, CONCORDANCE)
    cnc = row(base, "cnc", 2023)
    assert (cnc.n_patents, cnc.n_nation, cnc.n_foreign, cnc.n_region, cnc.n_pct, cnc.n_region_firms) == (4, 3, 1, 2, 1, 2)
    assert cnc.foreign_share == pytest.approx(0.25) and cnc.region_share_of_nation == pytest.approx(2 / 3)
    assert cnc.invention_share == pytest.approx(0.5) and cnc.rta == pytest.approx(5 / 6)
    assert row(technology_base(patents, CONCORDANCE, rta_reference="nation"), "cnc", 2023).rta == pytest.approx(8 / 9)
    chips = row(base, "chips", 2023)
    assert (chips.n_patents, chips.n_region) == (1, 1) and chips.rta == pytest.approx((1 / 3) / (1 / 5))


def test_growth_over_filled_years(patents):
    base = technology_base(patents, CONCORDANCE)
    cnc = base[base.item == "cnc"].set_index("year")
    assert cnc.index.tolist() == [2020, 2021, 2022, 2023]
    assert cnc.loc[2021, "n_region"] == 0 and pd.isna(cnc.loc[2021, "rta"])
    assert cnc.loc[2023, "region_growth"] == pytest.approx(2 ** (1 / 3) - 1)
    assert pd.isna(cnc.loc[2022, "region_growth"])  # no 2019 base


def test_all_ipc_symbols_can_count(patents):
    cnc = row(technology_base(patents, CONCORDANCE, use_all_ipc=True), "cnc", 2023)
    assert cnc.n_patents == 5 and cnc.n_region == 3  # p5 joins through its second symbol


def test_refusals(patents):
    with pytest.raises(TechnologyError, match="item and ipc"):
        technology_base(patents, CONCORDANCE.rename(columns={"ipc": "code"}))
    with pytest.raises(TechnologyError, match="nation"):
        technology_base(patents, CONCORDANCE, rta_reference="world")
    with pytest.raises(TechnologyError, match="span"):
        technology_base(patents, CONCORDANCE, span=0)


def test_a_main_group_prefix_does_not_reach_other_groups():
    patents = ibis.memtable(PATENTS.head(1).assign(patent_id="q1", ipc_main="G05B 190/00", ipc_all="G05B 190/00"))
    both = pd.concat([PATENTS.head(1), patents.to_pandas()], ignore_index=True)
    found = technology_base(ibis.memtable(both), pd.DataFrame({"item": ["cnc"], "ipc": ["G05B19"]}))
    assert found.n_patents.tolist() == [1]  # G05B 19/18 only; G05B 190/00 is another group


def test_wipo_fields_as_the_default_grouping(store, patents):
    from jiqun.chokepoints.technology import wipo_field_concordance

    found = technology_base(patents, wipo_field_concordance(store))
    latest = found[found.year == 2023].set_index("item")
    assert latest.loc["12 Control", "n_patents"] == 4  # the G05B applications of 2023 by main IPC: p1–p4
    assert latest.loc["8 Semiconductors", "n_patents"] == 1
