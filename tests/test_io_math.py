"""jiqun.io maths: the Miller & Blair (2009) ch. 2 worked example, and pymrio on the reference tables."""

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from jiqun.io import (IOTable, backward_linkages, calc_A, calc_ghosh, calc_L, derive_essentiality,
                      forward_linkages, hypothetical_extraction, key_sectors, read_io_table)

REFERENCE = Path(__file__).resolve().parents[1] / ".." / "shared" / "data" / "reference"
TABLES = ["china_io_2020_42.csv", "china_io_2018_153.csv"]


def _mb_example():
    sectors = ["1", "2"]
    Z = pd.DataFrame([[150.0, 500.0], [200.0, 100.0]], index=sectors, columns=sectors)
    x = pd.Series([1000.0, 2000.0], index=sectors)
    return Z, x


def test_miller_blair_chapter_2_example():
    Z, x = _mb_example()
    A = calc_A(Z, x)
    np.testing.assert_allclose(A.to_numpy(), [[0.15, 0.25], [0.2, 0.05]], rtol=1e-12)
    L = calc_L(A)
    # Miller & Blair (2009) eq. 2.13: L = [[1.254, 0.330], [0.264, 1.122]] (printed to 3 decimals)
    np.testing.assert_allclose(L.to_numpy(), [[1.254, 0.330], [0.264, 1.122]], atol=5e-4)
    # exact: (I - A)^-1 = 1/0.7575 [[0.95, 0.25], [0.2, 0.85]]
    np.testing.assert_allclose(L.to_numpy(), np.array([[0.95, 0.25], [0.2, 0.85]]) / 0.7575, rtol=1e-12)
    # the book's final demand f = (350, 1700) gives back x; its new f = (600, 1500) gives x = (1247.52, 1841.58)
    np.testing.assert_allclose(L.to_numpy() @ [350.0, 1700.0], [1000.0, 2000.0], rtol=1e-12)
    np.testing.assert_allclose(L.to_numpy() @ [600.0, 1500.0], [1247.52, 1841.58], atol=5e-3)


def test_linkages_key_sectors_and_ghosh_by_hand():
    Z, x = _mb_example()
    L = calc_L(calc_A(Z, x))
    sums = L.to_numpy().sum(axis=0)
    np.testing.assert_allclose(backward_linkages(L), sums / sums.mean())
    rows = L.to_numpy().sum(axis=1)
    np.testing.assert_allclose(forward_linkages(L=L), rows / rows.mean())
    B, G = calc_ghosh(Z, x)
    np.testing.assert_allclose(B.to_numpy(), [[0.15, 0.5], [0.1, 0.05]])
    np.testing.assert_allclose(G.to_numpy(), np.diag(1 / x) @ L.to_numpy() @ np.diag(x), rtol=1e-12)
    keys = key_sectors(pd.Series([1.2, 0.8, 1.1, 0.9]), pd.Series([1.1, 1.3, 0.7, 0.9]))
    assert keys["kind"].tolist() == ["key", "forward", "backward", "weak"] and keys["key"].tolist() == [
        True, False, False, False]


def test_hypothetical_extraction_by_hand():
    Z, x = _mb_example()
    A = calc_A(Z, x)
    f = x - Z.sum(axis=1)
    B, _ = calc_ghosh(Z, x)
    v = x - Z.sum(axis=0)
    result = hypothetical_extraction(A, f, B, v, "1")
    # total: only sector 2 remains, x2 = f2 / (1 - a22) = 1700 / 0.95
    assert result["total"] == pytest.approx(3000 - 1700 / 0.95)
    # backward: column 1 of A zero -> x = (I - A_c1)^-1 f
    A_c = np.array([[0, 0.25], [0, 0.05]])
    x_b = np.linalg.solve(np.eye(2) - A_c, f.to_numpy())
    assert result["backward"] == pytest.approx(3000 - x_b.sum())
    B_r = np.array([[0, 0], [0.1, 0.05]])
    x_f = v.to_numpy() @ np.linalg.inv(np.eye(2) - B_r)
    assert result["forward"] == pytest.approx(3000 - x_f.sum())


def test_zero_output_sector_gets_a_zero_column():
    sectors = ["a", "b"]
    Z = pd.DataFrame([[10.0, 0.0], [5.0, 0.0]], index=sectors, columns=sectors)
    A = calc_A(Z, pd.Series([100.0, 0.0], index=sectors))
    assert A["b"].tolist() == [0.0, 0.0] and A.at["b", "a"] == 0.05


def test_derive_essentiality_rule():
    A = pd.DataFrame({"l": [0.30, 0.15, 0.10, 0.0449, 0.0001]}, index=list("abcde"))
    E = derive_essentiality(A, essential_share=0.5, negligible_share=0.001)
    # total 0.595: 50% = 0.2975 -> a alone (0.30) is essential; e < 0.000595 is negligible
    assert E["l"].tolist() == [2, 1, 1, 1, 0]
    E = derive_essentiality(A, essential_share=0.6)
    assert E["l"].tolist() == [2, 2, 1, 1, 0]


@pytest.mark.parametrize("name", TABLES)
def test_reference_tables_agree_with_pymrio(name):
    pymrio = pytest.importorskip("pymrio")
    path = REFERENCE / name
    if not path.is_file():
        pytest.skip("../shared reference data absent")
    table = read_io_table(path)
    A = pymrio.calc_A(table.Z, table.x)
    L = pymrio.calc_L(A)
    np.testing.assert_allclose(table.A.to_numpy(), A.to_numpy(), rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(table.L.to_numpy(), L.to_numpy(), rtol=1e-9, atol=1e-12)
    Z_d = table.Z_domestic if table.Z_domestic is not None else table.Z - table.Z_imported
    L_d = pymrio.calc_L(pymrio.calc_A(Z_d, table.x))
    np.testing.assert_allclose(table.L_domestic.to_numpy(), L_d.to_numpy(), rtol=1e-9, atol=1e-12)
    B, G = table.ghosh()
    np.testing.assert_allclose(B.to_numpy(), pymrio.calc_B(table.Z, table.x).to_numpy(), rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(G.to_numpy(), pymrio.calc_G(pymrio.calc_B(table.Z, table.x)).to_numpy(),
                               rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(table.backward_linkages().to_numpy(), (L.sum(axis=0) / L.sum(axis=0).mean()).to_numpy(),
                               rtol=1e-9)
    # x = L y with pymrio's calc_x_from_L and y = x - Z 1
    y = table.x - table.Z.sum(axis=1)
    np.testing.assert_allclose(pymrio.calc_x_from_L(L, y).to_numpy().ravel(), table.x.to_numpy(), rtol=1e-9)
    # value added + import content = 1 per unit of final demand (columns of A_d + A_m + v add up to 1)
    multipliers = table.multipliers()
    np.testing.assert_allclose(multipliers["value_added"] + multipliers["import_content"], 1.0, rtol=1e-9)


def test_reference_2020_shape_and_split():
    path = REFERENCE / TABLES[0]
    if not path.is_file():
        pytest.skip("../shared reference data absent")
    table = read_io_table(path)
    assert isinstance(table, IOTable) and table.Z.shape == (42, 42) and table.import_split == "table"
    assert table.x["01"] == pytest.approx(1331683250.270971)
    np.testing.assert_allclose(table.Z.to_numpy(), (table.Z_domestic + table.Z_imported).to_numpy())
    assert table.imports["03"] == pytest.approx(145293939.3764759)
    assert table.value_added.loc["TVA"].sum() == pytest.approx(10164220012.648594, rel=1e-9)
    assert table.forward_linkages(method="ghosh").mean() == pytest.approx(1.0)


def test_reference_2018_proportional_split():
    path = REFERENCE / TABLES[1]
    if not path.is_file():
        pytest.skip("../shared reference data absent")
    table = read_io_table(path)
    assert table.Z.shape == (153, 153) and table.Z_domestic is None and table.import_split == "proportional"
    final = table.final_uses
    share = table.imports / (table.Z.sum(axis=1) + final["TFU"] - final["EX"])
    np.testing.assert_allclose(table.Z_imported.to_numpy(), table.Z.mul(share.clip(0, 1), axis=0).to_numpy())
    assert read_io_table(path, estimate_domestic=False).L_domestic is None
