"""IPC symbol -> WIPO field: the per-main-group mapping of patents equals the per-symbol rule."""

import random

import ibis
import pandas as pd
import pytest

from jiqun.catalogue import data_path
from jiqun.metrics.innovation import ipc_fields, map_ipc_fields


def _symbols(patterns: pd.Series, n: int, seed: int = 7) -> list[str | None]:
    """Symbols in the shapes analysts' files hold: padded and unpadded groups, lower case, stray
    spaces, subclass only, no subgroup, groups of 1-4 digits, subclasses without any pattern."""
    rng = random.Random(seed)
    subs = sorted({p[:4] for p in patterns}) + ["Z99Z", "A01B"]
    out: list[str | None] = [None, "H04N", "h04n 5/00", "G01N  21/17", " A61K 8/02 ", "H04N 101/00", "H04N 1",
                             "A61K/00", "F21V 3/", "C12N 15/113", "B33Y"]
    for _ in range(n):
        sub = rng.choice(subs)
        group = str(rng.choice([1, 3, 5, 8, 9, 11, 21, 31, 33, 35, 101, 1000, rng.randint(1, 9999)]))
        shape = rng.randrange(6)
        if shape == 0:
            out.append(sub)
        elif shape == 1:
            out.append(f"{sub} {group}")
        elif shape == 2:
            out.append(f"{sub}{group.rjust(4)}/{rng.randint(0, 99):02d}")
        elif shape == 3:
            out.append(f"{sub.lower()} {group}/{rng.randint(0, 999)}")
        else:
            out.append(f"{sub} {group}/{rng.randint(0, 99):02d}")
    return out


def _reference(table: ibis.Table, fields: ibis.Table) -> ibis.Table:
    """The rule applied symbol by symbol (no main-group shortcut)."""
    mapped = ipc_fields(table.select("ipc").filter(table.ipc.notnull()).distinct(), fields)
    mapped = mapped.select(_ipc=mapped.ipc, ref=mapped.field_nr)
    return table.left_join(mapped, table.ipc == mapped._ipc).drop("_ipc")


@pytest.mark.parametrize("extra", [
    [],  # the shipped WIPO concordance: every pattern stops at the main group
    # patterns that read the subgroup, a single-character wildcard or an inner %: matched per symbol,
    # and competing with the main-group patterns of the same subclass
    [(30, "H04N   5/0%"), (2, "G01N  21/1_%"), (7, "A61K   8%2"), (12, "F21V   3/%"), (33, "C12N%1%"),
     (3, "B33Y%")],
])
def test_main_group_mapping_equals_per_symbol_rule(extra):
    shipped = pd.read_csv(data_path("wipo_ipc_technology_35.csv"), dtype=str)
    fields = shipped[["field_nr", "ipc"]].assign(field_nr=lambda d: d.field_nr.astype("int64"))
    fields = pd.concat([fields, pd.DataFrame(extra, columns=["field_nr", "ipc"])], ignore_index=True)
    symbols = _symbols(fields.ipc, 3000)
    con = ibis.duckdb.connect()
    f = con.create_table("fields", fields)
    p = con.create_table("patents", pd.DataFrame({"patent_id": range(len(symbols)), "ipc": symbols}))
    got = map_ipc_fields(p, f).to_pandas().set_index("patent_id").sort_index()
    ref = _reference(p, f).to_pandas().set_index("patent_id").sort_index()
    assert got.field_nr.notna().sum() > 1000  # the symbols do hit the concordance
    assert got.field_nr.isna().sum() > 0  # and some hit nothing
    pd.testing.assert_series_equal(got.field_nr, ref.ref, check_names=False, check_dtype=False)
