"""Regions × technologies (技术关联度): counts by hand, complexity equal to Harvard Growth Lab's ecomplexity
on the same pooled counts, segment means by hand.

patents  p1 Nanjing  320102 CHN  field 12  2023      p5 CHN without a region     field 12  2023
         p2 Suzhou   320505 CHN  field 12  2023      p6 Nanjing, no WIPO field (unmatched IPC)  2023
         p3 Beijing  110108 CHN  field 12  2023      p7 Nanjing  320102 CHN  field 6   2021
         p4 Japan           JPN  field 12  2023      (p1 listed twice: one row per applicant)

Counts (domestic only): 320000 × 12 × 2023 = 2 (p1 once, p2), 110000 × 12 × 2023 = 1, 320000 × 6 × 2021
= 1; p4 only with include_foreign (location JPN); p5 and p6 never.
"""

from __future__ import annotations

import warnings

import ibis
import numpy as np
import pandas as pd
import pytest

from jiqun.chokepoints.relatedness import (FIELD_COLUMNS, RelatednessError, pool_years, region_field_counts,
                                           segment_relatedness, technology_complexity)
from jiqun.complexity import MEASURES

ENRICHED = pd.DataFrame({
    "patent_id": ["p1", "p1", "p2", "p3", "p4", "p5", "p6", "p7"],
    "applicant_region_code": ["320102", "320102", "320505", "110108", None, None, "320102", "320102"],
    "country": ["CHN", "CHN", "CHN", "CHN", "JPN", "CHN", "CHN", "CHN"],
    "app_year": [2023, 2023, 2023, 2023, 2023, 2023, 2023, 2021],
    "field_nr": [12, 12, 12, 12, 12, 12, None, 6],
})


def sorted_counts(table: ibis.Table) -> list[tuple]:
    frame = table.to_pandas().sort_values(["region", "field_nr", "year"])
    return [(r.region, int(r.field_nr), int(r.year), int(r.n)) for r in frame.itertuples()]


def test_counts_by_province_and_field():
    patents = ibis.memtable(ENRICHED)
    assert sorted_counts(region_field_counts(patents)) == [
        ("110000", 12, 2023, 1), ("320000", 6, 2021, 1), ("320000", 12, 2023, 2)]
    with_foreign = sorted_counts(region_field_counts(patents, include_foreign=True))
    assert ("JPN", 12, 2023, 1) in with_foreign and len(with_foreign) == 4


def test_years_pooled_over_the_window():
    counts = pd.DataFrame({"region": ["a", "a", "a", "b"], "field_nr": [1, 1, 1, 1],
                           "year": [2019, 2021, 2023, 2023], "n": [5, 2, 3, 7]})
    pooled = pool_years(counts, 3).set_index(["region", "year"])["n"]
    # 2019: 5; 2021: 2019–2021 = 5 + 2; 2023: 2021–2023 = 2 + 3 (2019 left the window)
    assert pooled.to_dict() == {("a", 2019): 5, ("a", 2021): 7, ("a", 2023): 5, ("b", 2023): 7}
    assert pool_years(counts, 1).set_index(["region", "year"])["n"].to_dict()[("a", 2023)] == 3
    with pytest.raises(RelatednessError, match="window"):
        pool_years(counts, 0)


def province_panel(seed: int = 3) -> pd.DataFrame:
    """Counts of 8 provinces × 10 fields × 4 years, each province with its own specialisation."""
    rng = np.random.default_rng(seed)
    tilt = rng.lognormal(0, 1, size=(8, 10))
    rows = [(f"{11 + r}0000", field + 1, year, int(rng.poisson(20 * tilt[r, field])))
            for r in range(8) for field in range(10) for year in range(2020, 2024)]
    return pd.DataFrame(rows, columns=["region", "field_nr", "year", "n"])


def test_complexity_equals_ecomplexity_on_pooled_counts():
    ecomplexity = pytest.importorskip("ecomplexity").ecomplexity
    counts = province_panel()
    fields = pd.DataFrame({"field_nr": range(1, 11), "field_name": [f"field {n}" for n in range(1, 11)]})
    ours = technology_complexity(counts, fields, window=2)
    assert list(ours.columns) == list(FIELD_COLUMNS) and set(ours["year"]) == {2020, 2021, 2022, 2023}
    assert (ours["field_name"] == "field " + ours["field_nr"].astype(str)).all()
    pooled = pool_years(counts, 2)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        reference = ecomplexity(pooled, {"time": "year", "loc": "region", "prod": "field_nr", "val": "n"},
                                verbose=False, check_logsupermodularity=False)
    merged = ours.merge(reference, on=["year", "region", "field_nr"], suffixes=("", "_ref"), validate="1:1")
    assert len(merged) == len(ours) == 8 * 10 * 4
    # 2021 pools 2020 + 2021: the value is the pooled count, not the year's own
    own = counts[(counts.region == "110000") & (counts.field_nr == 1) & counts.year.isin([2020, 2021])]["n"].sum()
    assert ours[(ours.region == "110000") & (ours.field_nr == 1) & (ours.year == 2021)]["n"].item() == own
    for measure in MEASURES:
        np.testing.assert_allclose(merged[measure].astype(float), merged[f"{measure}_ref"].astype(float),
                                   atol=1e-6, equal_nan=True, err_msg=measure)


def test_too_few_provinces_are_refused_with_the_fix():
    counts = pd.DataFrame({"region": ["320000", "320000"], "field_nr": [1, 2], "year": [2023, 2023], "n": [4, 5]})
    fields = pd.DataFrame({"field_nr": [1, 2], "field_name": ["a", "b"]})
    with pytest.raises(RelatednessError, match="several provinces"):
        technology_complexity(counts, fields)


def test_segment_takes_the_mean_over_its_fields():
    measures = pd.DataFrame({
        "year": [2023] * 4, "region": ["320000", "320000", "320000", "110000"], "field_nr": [1, 2, 3, 1],
        "density": [0.2, 0.6, 0.9, 0.5], "rca": [0.5, 1.5, 2.0, 1.0], "cog": [0.3, 0.0, 0.0, 0.1],
        "pci": [1.0, -1.0, 0.5, 1.0]})
    nodes = pd.DataFrame({"node_id": ["cnc", "cnc", "chips"], "field_nr": [1, 2, 3]})
    out = segment_relatedness(measures, nodes).set_index("node_id")
    assert out.loc["cnc", "tech_fields"] == "1;2" and out.loc["chips", "tech_fields"] == "3"
    assert out.loc["cnc", "tech_density"] == pytest.approx(0.4) and out.loc["cnc", "tech_rca"] == pytest.approx(1.0)
    assert out.loc["cnc", "tech_cog"] == pytest.approx(0.15) and out.loc["cnc", "tech_pci"] == pytest.approx(0.0)
    assert out.loc["chips", "tech_density"] == pytest.approx(0.9)
    assert segment_relatedness(measures, nodes, region="440000").empty
