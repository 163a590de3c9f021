"""jiqun.complexity: hand-computed golden matrix, equality with Harvard Growth Lab's ecomplexity (to 1e-6,
on the real world trade reference file and on synthetic panels), periods, regions × technologies, refusals."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

from jiqun.complexity import (MEASURES, ComplexityError, calc_cog, calc_coi, calc_density, calc_diversity_ubiquity,
                              calc_eci_pci, calc_mcp, calc_proximity, calc_rca, compute)

TOLERANCE = 1e-6

# 4 locations × 4 products, every row and column summing to 10 (world 40): each product's world share
# is 1/4, so RCA = (x / 10) / (1 / 4) = 0.4 x and M = 1 where x >= 2.5.
HAND_X = np.array([[4, 3, 3, 0],
                   [3, 3, 2, 2],
                   [3, 2, 1, 4],
                   [0, 2, 4, 4]], dtype=float)
HAND_RCA = 0.4 * HAND_X
HAND_MCP = np.array([[1, 1, 1, 0],
                     [1, 1, 0, 0],
                     [1, 0, 0, 1],
                     [0, 0, 1, 1]])
HAND_DIVERSITY = [3, 2, 2, 2]   # row sums of M
HAND_UBIQUITY = [3, 2, 2, 2]    # column sums of M
# Co-occurrence MᵀM: p1p2 = 2 (c1, c2), p1p3 = 1 (c1), p1p4 = 1 (c3), p2p3 = 1 (c1), p2p4 = 0, p3p4 = 1 (c4);
# proximity = co-occurrence / max(ubiquities): φ12 = 2/3, φ13 = φ14 = 1/3, φ23 = 1/2, φ24 = 0, φ34 = 1/2.
HAND_PROXIMITY = np.array([[1, 2 / 3, 1 / 3, 1 / 3],
                           [2 / 3, 1, 1 / 2, 0],
                           [1 / 3, 1 / 2, 1, 1 / 2],
                           [1 / 3, 0, 1 / 2, 1]])
# Density ω[c, p] = Σ_q M[c, q] φ[p, q] / Σ_q φ[p, q]; the row sums of φ are 7/3, 13/6, 7/3, 11/6.
# c1 (makes p1 p2 p3): p1 (1 + 2/3 + 1/3)/(7/3) = 6/7, p2 (2/3 + 1 + 1/2)/(13/6) = 1,
#     p3 (1/3 + 1/2 + 1)/(7/3) = 11/14, p4 (1/3 + 0 + 1/2)/(11/6) = 5/11;
# c2 (p1 p2): p1 (5/3)/(7/3) = 5/7, p2 (5/3)/(13/6) = 10/13, p3 (5/6)/(7/3) = 5/14, p4 (1/3)/(11/6) = 2/11;
# c3 (p1 p4): p1 (4/3)/(7/3) = 4/7, p2 (2/3)/(13/6) = 4/13, p3 (5/6)/(7/3) = 5/14, p4 (4/3)/(11/6) = 8/11;
# c4 (p3 p4): p1 (2/3)/(7/3) = 2/7, p2 (1/2)/(13/6) = 3/13, p3 (3/2)/(7/3) = 9/14, p4 (3/2)/(11/6) = 9/11.
HAND_DENSITY = np.array([[6 / 7, 1, 11 / 14, 5 / 11],
                         [5 / 7, 10 / 13, 5 / 14, 2 / 11],
                         [4 / 7, 4 / 13, 5 / 14, 8 / 11],
                         [2 / 7, 3 / 13, 9 / 14, 9 / 11]])


def long_table(X: np.ndarray, locations: list[str], products: list[str], names=("loc", "prod", "val")) -> pd.DataFrame:
    """The long table of a matrix, without its zero cells (absent rows, as trade data come)."""
    rows, cols = np.nonzero(X)
    return pd.DataFrame({names[0]: np.asarray(locations)[rows], names[1]: np.asarray(products)[cols],
                         names[2]: X[rows, cols]})


def ecomplexity_of(table: pd.DataFrame, loc: str, prod: str, val: str, time: str | None = None,
                   threshold: float = 1.0) -> pd.DataFrame:
    """The reference: Harvard Growth Lab's ecomplexity on the same table (a constant period when none)."""
    ecomplexity = pytest.importorskip("ecomplexity").ecomplexity
    data = table if time is not None else table.assign(_period=0)
    columns = {"time": time or "_period", "loc": loc, "prod": prod, "val": val}
    with warnings.catch_warnings():   # its own pandas deprecation warnings
        warnings.simplefilter("ignore")
        out = ecomplexity(data, columns, rca_mcp_threshold=threshold, verbose=False, check_logsupermodularity=False)
    return out.drop(columns=[] if time is not None else ["_period"])


def assert_same_as_reference(ours: pd.DataFrame, reference: pd.DataFrame, keys: list[str]) -> dict[str, float]:
    """Every measure equal to the reference's to 1e-6 on the same rows (NaN where it has NaN)."""
    merged = ours.merge(reference, on=keys, how="outer", suffixes=("", "_ref"), indicator=True)
    assert (merged["_merge"] == "both").all(), merged[merged["_merge"] != "both"].head()
    differences = {}
    for column in MEASURES:
        mine, theirs = merged[column].to_numpy(float), merged[f"{column}_ref"].to_numpy(float)
        np.testing.assert_array_equal(np.isnan(mine), np.isnan(theirs), err_msg=column)
        both = ~np.isnan(mine)
        differences[column] = float(np.abs(mine[both] - theirs[both]).max()) if both.any() else 0.0
        assert differences[column] <= TOLERANCE, (column, differences[column])
    return differences


def test_golden_hand_matrix():
    rca = calc_rca(HAND_X)
    np.testing.assert_allclose(rca, HAND_RCA, atol=1e-12)
    mcp = calc_mcp(rca)
    np.testing.assert_array_equal(mcp, HAND_MCP)
    diversity, ubiquity = calc_diversity_ubiquity(mcp)
    np.testing.assert_array_equal(diversity, HAND_DIVERSITY)
    np.testing.assert_array_equal(ubiquity, HAND_UBIQUITY)
    proximity = calc_proximity(mcp)
    np.testing.assert_allclose(proximity, HAND_PROXIMITY, atol=1e-12)
    np.testing.assert_allclose(calc_density(mcp, proximity), HAND_DENSITY, atol=1e-12)
    eci, pci = calc_eci_pci(mcp)
    # standardised over locations (population std); ECI rises with diversity; ECI = mean PCI of what c makes
    assert abs(eci.mean()) < 1e-12 and abs(eci.std() - 1) < 1e-12
    assert np.corrcoef(eci, HAND_DIVERSITY)[0, 1] > 0
    np.testing.assert_allclose(eci, HAND_MCP @ pci / np.array(HAND_DIVERSITY), atol=1e-12)
    # COG is zero for what a location already makes; COI has mean 0 and std 1
    eci_u, pci_u = calc_eci_pci(mcp, centred=False)
    assert (calc_cog(proximity, mcp, pci_u)[HAND_MCP == 1] == 0).all()
    coi = calc_coi(calc_density(mcp, proximity), mcp, pci_u)
    assert abs(coi.mean()) < 1e-12 and abs(coi.std() - 1) < 1e-12


def test_golden_hand_matrix_through_compute_and_reference():
    table = long_table(HAND_X, ["c1", "c2", "c3", "c4"], ["p1", "p2", "p3", "p4"])
    out = compute(table, "loc", "prod", "val")
    assert list(out.columns) == ["loc", "prod", "val", *MEASURES]
    assert len(out) == 16 and out.loc[(out["loc"] == "c1") & (out["prod"] == "p4"), "val"].item() == 0
    np.testing.assert_allclose(out["rca"].to_numpy().reshape(4, 4), HAND_RCA, atol=1e-12)
    np.testing.assert_allclose(out["density"].to_numpy().reshape(4, 4), HAND_DENSITY, atol=1e-12)
    assert_same_as_reference(out, ecomplexity_of(table, "loc", "prod", "val"), ["loc", "prod"])


def test_calc_functions_keep_dataframe_labels():
    X = pd.DataFrame(HAND_X, index=list("abcd"), columns=list("wxyz"))
    mcp = calc_mcp(calc_rca(X))
    assert list(mcp.index) == list("abcd") and list(mcp.columns) == list("wxyz")
    proximity = calc_proximity(mcp)
    assert list(proximity.index) == list("wxyz") == list(proximity.columns)
    diversity, ubiquity = calc_diversity_ubiquity(mcp)
    eci, pci = calc_eci_pci(mcp)
    assert list(diversity.index) == list(eci.index) == list("abcd") and list(pci.index) == list("wxyz")


def test_matches_ecomplexity_on_world_trade(shared_reference):
    """Every output column equals ecomplexity's to 1e-6 on 226 countries × 785 SITC4 products, 1998–2000."""
    trade = pd.read_csv(shared_reference / "world_trade_sitc4_1998_2000.csv", dtype={"country": str, "product": str})
    ours = compute(trade, "country", "product", "value")
    assert len(ours) == trade["country"].nunique() * trade["product"].nunique()
    assert_same_as_reference(ours, ecomplexity_of(trade, "country", "product", "value"), ["country", "product"])
    merged = ours.merge(trade, on=["country", "product"], suffixes=("", "_in"))
    assert (merged["value"] == merged["value_in"]).all()


def synthetic_panel(seed: int, n_loc: int = 30, n_prod: int = 45) -> pd.DataFrame:
    """A nested location × product table: capable locations export difficult products; a fifth of cells absent.

    (Independent random values would give a product space in pieces, whose second eigenvalue is 1 and
    whose ECI is then not unique: no package can agree with another on it.)
    """
    rng = np.random.default_rng(seed)
    capability, difficulty = rng.random(n_loc), rng.random(n_prod)
    X = (rng.lognormal(2, 1, size=(n_loc, 1)) * rng.lognormal(2, 1, size=(1, n_prod))
         * np.exp(-6 * np.maximum(0, difficulty[None, :] - capability[:, None]))
         * rng.lognormal(0, 0.5, size=(n_loc, n_prod)) * (rng.random((n_loc, n_prod)) > 0.2))
    return long_table(X, [f"L{i:02d}" for i in range(n_loc)], [f"P{j:02d}" for j in range(n_prod)],
                      names=("origin", "hs", "export_val"))


def test_time_periods_are_computed_separately():
    """Two years stacked give each year's own results (and the reference's, year by year)."""
    first, second = synthetic_panel(1), synthetic_panel(2).iloc[5:]   # second year: other values, fewer cells
    stacked = pd.concat([first.assign(year=2021), second.assign(year=2022)], ignore_index=True)
    out = compute(stacked, "origin", "hs", "export_val", time="year")
    assert list(out.columns[:4]) == ["year", "origin", "hs", "export_val"]
    assert out["year"].dtype == stacked["year"].dtype and len(out) == 30 * 45 * 2
    for year, alone in ((2021, first), (2022, second)):
        by_itself = compute(alone, "origin", "hs", "export_val")
        in_stack = out[out["year"] == year].drop(columns="year").reset_index(drop=True)
        pd.testing.assert_frame_equal(in_stack, by_itself)
    assert_same_as_reference(out, ecomplexity_of(stacked, "origin", "hs", "export_val", time="year"),
                             ["year", "origin", "hs"])


def test_regions_by_technologies_give_revealed_technological_advantage():
    """Patents by province × WIPO field: rca is the RTA, (P_rf / P_r) / (P_f / P)."""
    fields = ["Computer technology", "Semiconductors", "Optics", "Pharmaceuticals", "Engines, pumps, turbines",
              "Machine tools"]
    provinces = ["Jiangsu", "Guangdong", "Zhejiang", "Shanghai", "Anhui"]
    patents = long_table(np.array([[420, 310, 150, 90, 260, 300],      # patent families, 2020–2022
                                   [980, 640, 210, 120, 80, 60],
                                   [300, 120, 90, 140, 230, 280],
                                   [350, 400, 160, 260, 40, 30],
                                   [150, 180, 30, 20, 70, 0]], dtype=float),
                         provinces, fields, names=("region", "wipo_field", "patents"))
    out = compute(patents, "region", "wipo_field", "patents")
    region_total = patents.groupby("region")["patents"].sum()
    field_total = patents.groupby("wipo_field")["patents"].sum()
    expected = (patents.assign(rta=patents["patents"] / patents["region"].map(region_total)
                               / (patents["wipo_field"].map(field_total) / patents["patents"].sum())))
    merged = out.merge(expected, on=["region", "wipo_field"])
    np.testing.assert_allclose(merged["rca"], merged["rta"], rtol=1e-12)
    assert (out.loc[out["patents"] == 0, "rca"] == 0).all() and (out["mcp"] == (out["rca"] >= 1)).all()
    assert out["density"].between(0, 1).all() and out["eci"].notna().all()
    assert_same_as_reference(out, ecomplexity_of(patents, "region", "wipo_field", "patents"),
                             ["region", "wipo_field"])


def test_equal_diversity_leaves_the_sign_undefined():
    """Every province specialised in 3 fields: corr(diversity, ECI) is undefined, so ECI, PCI, COI and COG
    are NaN (as in ecomplexity); the other measures are there."""
    X = np.array([[42, 135, 0, 92, 72, 0], [120, 102, 42, 117, 84, 120], [132, 74, 47, 0, 80, 0],
                  [90, 120, 0, 54, 0, 0], [42, 129, 117, 76, 116, 86]], dtype=float)
    table = long_table(X, ["Anhui", "Guangdong", "Jiangsu", "Shanghai", "Zhejiang"], list("ABCDEF"))
    out = compute(table, "loc", "prod", "val")
    assert (out["diversity"] == 3).all()
    assert out[["eci", "pci", "coi", "cog"]].isna().all().all() and out["density"].notna().all()
    assert_same_as_reference(out, ecomplexity_of(table, "loc", "prod", "val"), ["loc", "prod"])


def test_all_zero_location_is_kept_with_undefined_measures():
    table = long_table(HAND_X, ["c1", "c2", "c3", "c4"], ["p1", "p2", "p3", "p4"])
    with_idle = pd.concat([table, pd.DataFrame({"loc": ["c5"], "prod": ["p1"], "val": [0.0]})], ignore_index=True)
    out = compute(with_idle, "loc", "prod", "val")
    idle = out[out["loc"] == "c5"]
    assert len(idle) == 4 and idle["rca"].isna().all() and (idle["mcp"] == 0).all()
    assert (idle["diversity"] == 0).all() and idle[["eci", "coi", "cog"]].isna().all().all()
    pd.testing.assert_frame_equal(out[out["loc"] != "c5"].reset_index(drop=True), compute(table, "loc", "prod", "val"))


def test_nan_value_counts_as_zero_and_input_is_left_alone():
    table = long_table(HAND_X, ["c1", "c2", "c3", "c4"], ["p1", "p2", "p3", "p4"])
    with_nan = pd.concat([table, pd.DataFrame({"loc": ["c1"], "prod": ["p4"], "val": [np.nan]})], ignore_index=True)
    before = with_nan.copy()
    pd.testing.assert_frame_equal(compute(with_nan, "loc", "prod", "val"), compute(table, "loc", "prod", "val"))
    pd.testing.assert_frame_equal(with_nan, before)


def _hand_table() -> pd.DataFrame:
    return long_table(HAND_X, ["c1", "c2", "c3", "c4"], ["p1", "p2", "p3", "p4"])


@pytest.mark.parametrize("change, arguments, message", [
    (lambda t: t.drop(columns="val"), {}, r"lacks column\(s\) \['val'\]"),
    (lambda t: t, {"time": "year"}, r"lacks column\(s\) \['year'\]"),
    (lambda t: t.iloc[:0], {}, "the table is empty"),
    (lambda t: t.assign(val=t["val"].astype(object).where(t.index != 2, "n/a")), {}, r"row 3: 'n/a' is not a number"),
    (lambda t: t.assign(val=t["val"].where(t.index != 0, -1.0)), {}, r"row 1: -1.0 is negative"),
    (lambda t: t.assign(val=t["val"].where(t.index != 0, np.inf)), {}, "is infinite"),
    (lambda t: t.assign(loc=t["loc"].where(t.index != 1, None)), {}, r"column 'loc', row 2 is empty"),
    (lambda t: pd.concat([t, t.iloc[[0]]]), {}, "repeats a cell: give one value per loc × prod"),
    (lambda t: t, {"rca_threshold": -1}, "rca_threshold must be a positive number"),
    (lambda t: t, {"rca_threshold": "1"}, "rca_threshold must be a positive number"),
    (lambda t: t[t["loc"] == "c1"], {}, "ECI and PCI need at least 2 locations and 2 products"),
    (lambda t: t.to_dict(), {}, "must be a pandas DataFrame, not dict"),
    (lambda t: t.rename(columns={"val": "rca"}), {"val": "rca"}, "'rca' is the name of a measure"),
])
def test_refusals(change, arguments, message):
    with pytest.raises(ComplexityError, match=message) as caught:
        compute(change(_hand_table()), **{"loc": "loc", "prod": "prod", "val": "val", **arguments})
    assert isinstance(caught.value, ValueError) and "\n" not in str(caught.value)


def test_threshold_with_products_nobody_makes():
    """RCA ≥ 2.5 leaves some products with ubiquity 0: their PCI is NaN, the rest as ecomplexity's (whose
    density, COI and COG turn NaN for the whole period: the 0/0 proximity spreads through its products)."""
    panel = synthetic_panel(1)
    out = compute(panel, "origin", "hs", "export_val", rca_threshold=2.5)
    reference = ecomplexity_of(panel, "origin", "hs", "export_val", threshold=2.5)
    merged = out.merge(reference, on=["origin", "hs"], suffixes=("", "_ref"))
    assert (merged["ubiquity"] == 0).any()
    for column in ("rca", "mcp", "diversity", "ubiquity", "eci", "pci"):
        mine, theirs = merged[column].to_numpy(float), merged[f"{column}_ref"].to_numpy(float)
        np.testing.assert_array_equal(np.isnan(mine), np.isnan(theirs), err_msg=column)
        assert np.nanmax(np.abs(mine - theirs)) <= TOLERANCE, column
    made = out["ubiquity"] > 0
    assert out.loc[made, ["density", "coi", "cog"]].notna().all().all()
    assert out.loc[~made, ["pci", "density", "cog"]].isna().all().all()

