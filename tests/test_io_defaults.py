"""The concordance to GB/T 4754-2017 divisions and the shipped defaults (essentiality, import dependence)."""

from importlib import resources
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from jiqun.io import (build_defaults, default_essentiality, default_import_dependence, divisions_of_io_sector,
                      io_sectors_of_division, read_concordance, read_io_table)

REFERENCE = Path(__file__).resolve().parents[1] / ".." / "shared" / "data" / "reference" / "china_io_2020_42.csv"
CATALOGUE = Path(__file__).resolve().parents[1] / "src" / "jiqun" / "catalogue" / "data" / "industries.csv"


def test_every_division_01_to_96_maps_to_one_io_sector_and_manufacturing_is_covered():
    concordance = read_concordance()
    assert concordance["division"].tolist() == [f"{d:02d}" for d in range(1, 97)]
    assert sorted(set(concordance["io_sector"])) == [f"{s:02d}" for s in range(1, 43)]
    for division in range(13, 44):
        assert len(io_sectors_of_division(division)) == 1
    industries = pd.read_csv(CATALOGUE, dtype=str).query("level == 'division'").set_index("industry_code")
    names = concordance.set_index("division")["division_name_zh"]
    assert (names == industries.loc[names.index, "name_zh"]).all()


def test_known_pairs_and_refusal():
    assert io_sectors_of_division("39") == ["20"] and io_sectors_of_division(36) == ["18"]
    assert divisions_of_io_sector("12") == ["26", "27", "28", "29"]
    assert divisions_of_io_sector("06") == ["13", "14", "15", "16"]
    with pytest.raises(ValueError, match="97"):
        io_sectors_of_division("97")


def test_default_essentiality_by_division():
    E = default_essentiality()
    divisions = [f"{d:02d}" for d in range(1, 97)]
    assert E.index.tolist() == divisions and E.columns.tolist() == divisions
    assert set(np.unique(E.to_numpy())) <= {0, 1, 2}
    # a division pair takes its IO sectors' value: 36 and 37 are both sector 18
    assert (E["36"] == E["37"]).all() and (E.loc["26"] == E.loc["29"]).all()
    assert (E.to_numpy() == 2).any(axis=0).all()  # every buyer has at least one essential input


def test_default_import_dependence_by_division():
    frame = default_import_dependence()
    assert frame.index.tolist() == [f"{d:02d}" for d in range(1, 97)]
    assert frame.loc["39", "io_sector"] == "20"
    assert ((frame["direct_share"] >= 0) & (frame["direct_share"] <= 1)).all()
    assert (frame["total_per_output"] >= frame["direct_per_output"] - 1e-12).all()


def test_shipped_files_equal_their_derivation_from_the_2020_table():
    if not REFERENCE.is_file():
        pytest.skip("../shared reference data absent")
    for name, frame in build_defaults(read_io_table(REFERENCE)).items():
        with resources.files("jiqun.io.data").joinpath(name).open("r", encoding="utf-8") as fh:
            shipped = pd.read_csv(fh, dtype={frame.columns[0]: str})
        assert shipped.columns.tolist() == frame.columns.tolist(), name
        assert shipped.iloc[:, 0].tolist() == frame.iloc[:, 0].tolist(), name
        np.testing.assert_allclose(shipped.iloc[:, 1:].to_numpy(float), frame.iloc[:, 1:].to_numpy(float),
                                   rtol=1e-9, atol=1e-15, err_msg=name)
