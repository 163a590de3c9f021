"""Partial updates, replace-rows mode, the change history, dry runs and undo of loads."""

from __future__ import annotations

from pathlib import Path

import pytest

import jiqun
from jiqun._duck import fetch_one, fetch_all
from jiqun.ingest import IngestError, ingest_file
from jiqun.ingest.history import HistoryError, load_changes, undo_load
from jiqun.schema import TABLES
from jiqun.store import SCHEMA_VERSION

CITY, DIVISION = "320200", "39"
FY_HEADER = "统一社会信用代码,年份,营业收入（万元）,工业总产值（万元）,从业人员,研发经费（万元）,利润总额（万元）"


def fingerprint(db) -> dict[str, tuple]:
    """Row count and an order-independent hash of every row of every store table (and the meta table)."""
    return {name: fetch_one(db, f'SELECT count(*), sum(hash(t)::HUGEINT), bit_xor(hash(t)) FROM "{name}" t')
            for name in [*TABLES, "jiqun_meta"]}


def data_fingerprint(db) -> dict[str, tuple]:
    """As :func:`fingerprint`, for the tables an undo restores (not ``loads``, the history or the keys)."""
    full = fingerprint(db)
    return {name: value for name, value in full.items()
            if name not in ("loads", "load_changes", "firm_keys", "jiqun_meta")}


def write(path: Path, lines: list[str]) -> Path:
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


@pytest.fixture
def firms_loaded(store, tmp_path, make_uscc):
    """A store with firms 1-3 and their full 2022 firm-years."""
    firms = ["统一社会信用代码,企业名称,行政区划代码,行业代码"]
    firms += [f"{make_uscc(i)},企业{i},{CITY},{DIVISION}" for i in (1, 2, 3)]
    ingest_file(store, write(tmp_path / "firms.csv", firms), "firms")
    years = [FY_HEADER, f"{make_uscc(1)},2022,100,120,50,5,10", f"{make_uscc(2)},2022,200,230,80,7,-3.3"]
    ingest_file(store, write(tmp_path / "fy.csv", years), "firm_years")
    return store


def _fy(db, uscc):
    return fetch_one(db, "SELECT revenue_yuan, output_value_yuan, employment, rd_expenditure_yuan, profit_yuan "
                   "FROM firm_years WHERE uscc = ? AND year = 2022", [uscc])


# --------------------------------------------------------------------------- partial update
def test_partial_file_leaves_absent_columns_untouched(firms_loaded, tmp_path, make_uscc):
    """Issue 13, defect 1: a file with only USCC, year and revenue used to null the other columns."""
    db = firms_loaded.con
    path = write(tmp_path / "rev.csv", ["统一社会信用代码,年份,营业收入（万元）",
                                        f"{make_uscc(1)},2022,110", f"{make_uscc(2)},2022,200"])
    result = ingest_file(firms_loaded, path, "firm_years")
    assert (result.rows_inserted, result.rows_updated, result.rows_unchanged) == (0, 1, 1)
    assert _fy(db, make_uscc(1)) == (1_100_000.0, 1_200_000.0, 50, 50_000.0, 100_000.0)
    assert _fy(db, make_uscc(2)) == (2_000_000.0, 2_300_000.0, 80, 70_000.0, -33_000.0)
    assert result.changes.cells_changed == {"revenue_yuan": 1}


def test_partial_file_with_same_values_changes_nothing(firms_loaded, tmp_path, make_uscc):
    db = firms_loaded.con
    before = fingerprint(db)
    path = write(tmp_path / "rev.csv", ["统一社会信用代码,年份,营业收入（万元）",
                                        f"{make_uscc(1)},2022,100", f"{make_uscc(2)},2022,200"])
    result = ingest_file(firms_loaded, path, "firm_years")
    assert (result.rows_updated, result.rows_unchanged, result.changed) == (0, 2, False)
    assert fingerprint(db) == before


def test_partial_file_inserts_new_rows_with_nulls_and_defaults(firms_loaded, tmp_path, make_uscc):
    db = firms_loaded.con
    fetch_all(db, "UPDATE firms SET listed = true WHERE uscc = ?", [make_uscc(1)])
    path = write(tmp_path / "f.csv", ["统一社会信用代码,企业名称,行政区划代码,行业代码",
                                      f"{make_uscc(1)},企业一,{CITY},{DIVISION}", f"{make_uscc(9)},企业9,{CITY},{DIVISION}"])
    result = ingest_file(firms_loaded, path, "firms")
    assert (result.rows_inserted, result.rows_updated) == (1, 1)
    # a column with a default that the file lacks keeps its stored value; a new row gets the default
    assert fetch_one(db, "SELECT name, listed FROM firms WHERE uscc = ?", [make_uscc(1)]) == ("企业一", True)
    assert fetch_one(db, "SELECT listed, is_branch FROM firms WHERE uscc = ?", [make_uscc(9)]) == (False, False)
    assert _fy(db, make_uscc(1))[0] == 1_000_000.0  # other tables untouched


def test_replace_rows_mode_replaces_whole_rows(firms_loaded, tmp_path, make_uscc):
    db = firms_loaded.con
    path = write(tmp_path / "rev.csv", ["统一社会信用代码,年份,营业收入（万元）", f"{make_uscc(1)},2022,100"])
    for mode in ("replace-rows", "replace_rows"):  # both spellings
        result = ingest_file(firms_loaded, path, "firm_years", mode=mode)
        if mode == "replace-rows":
            assert (result.rows_updated, result.changes.cells_changed) == (1, {
                "employment": 1, "output_value_yuan": 1, "profit_yuan": 1, "rd_expenditure_yuan": 1})
    assert _fy(db, make_uscc(1)) == (1_000_000.0, None, None, None, None)
    assert fetch_one(db, "SELECT mode FROM loads ORDER BY load_id DESC LIMIT 1") == ("replace_rows",)


def test_partial_update_checks_rules_on_the_merged_row(firms_loaded, tmp_path, make_uscc):
    """R&D of 50,000 yuan is stored: a revenue of 1 万元 alone breaks rd_not_above_revenue."""
    db = firms_loaded.con
    before = fingerprint(db)
    path = write(tmp_path / "rev.csv", ["统一社会信用代码,年份,营业收入（万元）",
                                        f"{make_uscc(1)},2022,1", f"{make_uscc(2)},2022,300",
                                        f"{make_uscc(3)},2022,1"])  # row 4 is new: no stored R&D
    with pytest.raises(IngestError) as info:
        # revenue of 1 万元 is also a magnitude outlier beside the stored years: accepted here, so that
        # only the cross-field rule on the merged row remains
        ingest_file(firms_loaded, path, "firm_years", report_path=tmp_path / "r.csv", accept_outliers=True)
    assert [(p.row, p.rule) for p in info.value.problems] == [(2, "rule")]
    assert "rd_not_above_revenue" in info.value.problems[0].message_en
    assert info.value.problems[0].value == "50000.0 / 1"  # the stored R&D (yuan) beside the file's revenue
    assert fingerprint(db) == before
    # replace-rows drops the stored R&D, so the same file is valid there
    assert ingest_file(firms_loaded, path, "firm_years", mode="replace-rows",
                       accept_outliers=True).rows_updated == 2



def test_partial_update_in_yuan_instead_of_wan_is_an_outlier_on_the_merged_row(firms_loaded, tmp_path, make_uscc):
    """A revenue-only file whose header says 万元 but whose figures are in 元 (10,000x too large) is refused:
    the revenue per employee uses the stored employment (the file has none)."""
    db = firms_loaded.con
    before = fingerprint(db)
    path = write(tmp_path / "rev.csv", ["统一社会信用代码,年份,营业收入（万元）", f"{make_uscc(1)},2022,1000000000"])
    with pytest.raises(IngestError) as info:
        ingest_file(firms_loaded, path, "firm_years", report_path=tmp_path / "r.csv")
    assert {(p.row, p.rule, p.column) for p in info.value.problems} == {(2, "outlier", "revenue_yuan, employment")}
    assert fingerprint(db) == before

# --------------------------------------------------------------------------- history, show, dry run
def test_history_records_inserts_and_changed_cells(firms_loaded, tmp_path, make_uscc):
    path = write(tmp_path / "fy2.csv", [FY_HEADER, f"{make_uscc(1)},2022,100.1,120,,5,10",
                                        f"{make_uscc(3)},2022,1,2,3,0.1,0"])
    result = ingest_file(firms_loaded, path, "firm_years")
    summary = load_changes(firms_loaded, result.load_id)
    assert (summary.rows_inserted, summary.rows_updated) == (1, 1)
    assert summary.cells_changed == {"employment": 1, "revenue_yuan": 1}
    assert [(c.kind, c.row_key, c.column, c.old_value, c.new_value) for c in summary.first_changes] == [
        ("update", {"uscc": make_uscc(1), "year": 2022}, "employment", "50", None),
        ("update", {"uscc": make_uscc(1), "year": 2022}, "revenue_yuan", "1000000.0", "1001000.0"),
        ("insert", {"uscc": make_uscc(3), "year": 2022}, None, None, None)]
    assert summary.as_dict()["cells_changed"] == {"employment": 1, "revenue_yuan": 1}


def test_unknown_load_is_refused_with_valid_ids(firms_loaded):
    n = fetch_one(firms_loaded.con, "SELECT max(load_id) FROM loads")[0]
    with pytest.raises(HistoryError, match=f"valid ids: 1-{n}"):
        load_changes(firms_loaded, 999)
    with pytest.raises(HistoryError, match="999"):
        undo_load(firms_loaded, 999)


def test_dry_run_writes_nothing_and_reports_as_a_load(firms_loaded, tmp_path, make_uscc):
    db = firms_loaded.con
    path = write(tmp_path / "fy2.csv", [FY_HEADER, f"{make_uscc(1)},2022,100.1,120,,5,10",
                                        f"{make_uscc(3)},2022,1,2,3,0.1,0"])
    before = fingerprint(db)
    dry = ingest_file(firms_loaded, path, "firm_years", dry_run=True)
    assert fingerprint(db) == before
    assert dry.load_id is None and dry.dry_run and dry.changed
    real = ingest_file(firms_loaded, path, "firm_years")
    assert (dry.rows_inserted, dry.rows_updated, dry.rows_unchanged) == (1, 1, 0) == (
        real.rows_inserted, real.rows_updated, real.rows_unchanged)
    shown = load_changes(firms_loaded, real.load_id)
    assert dry.changes.cells_changed == shown.cells_changed
    assert dry.changes.first_changes == shown.first_changes


# --------------------------------------------------------------------------- undo
def test_undo_of_an_insert_only_load(firms_loaded, tmp_path, make_uscc):
    db = firms_loaded.con
    before = data_fingerprint(db)
    path = write(tmp_path / "new.csv", ["统一社会信用代码,企业名称,行政区划代码,行业代码",
                                        f"{make_uscc(7)},企业7,{CITY},{DIVISION}", f"{make_uscc(8)},企业8,{CITY},{DIVISION}"])
    result = ingest_file(firms_loaded, path, "firms")
    undone = undo_load(firms_loaded, result.load_id)
    assert (undone.rows_deleted, undone.rows_restored) == (2, 0)
    assert data_fingerprint(db) == before
    assert fetch_one(db, "SELECT mode, undoes_load_id, table_name FROM loads WHERE load_id = ?",
               [undone.undo_load_id]) == ("undo", result.load_id, "firms")
    assert load_changes(firms_loaded, result.load_id).undone_by == undone.undo_load_id
    with pytest.raises(HistoryError, match="already undone"):
        undo_load(firms_loaded, result.load_id)
    with pytest.raises(HistoryError, match="itself an undo"):
        undo_load(firms_loaded, undone.undo_load_id)


def test_undo_of_an_update_restores_values_exactly(firms_loaded, tmp_path, make_uscc):
    db = firms_loaded.con
    awkward = {(1, "profit_yuan"): 0.1 + 0.2, (1, "output_value_yuan"): 5e-324, (2, "profit_yuan"): 1 / 3,
               (2, "output_value_yuan"): 123456789.12345679, (2, "revenue_yuan"): -0.0,
               (1, "rd_expenditure_yuan"): 2.0 ** -40}
    for (serial, column), value in awkward.items():
        fetch_all(db, f"UPDATE firm_years SET {column} = ? WHERE uscc = ?", [value, make_uscc(serial)])
    fetch_all(db, "UPDATE firm_years SET rd_expenditure_yuan = NULL WHERE uscc = ?", [make_uscc(2)])
    before = data_fingerprint(db)
    stored = fetch_all(db, "SELECT * FROM firm_years ORDER BY uscc")
    path = write(tmp_path / "fy2.csv", [FY_HEADER, f"{make_uscc(1)},2022,1e3,2e3,,5,7.7",
                                        f"{make_uscc(2)},2022,3,4,5,1,2", f"{make_uscc(3)},2022,1,1,1,,"])
    result = ingest_file(firms_loaded, path, "firm_years")
    assert (result.rows_inserted, result.rows_updated) == (1, 2)
    undone = undo_load(firms_loaded, result.load_id)
    assert (undone.rows_deleted, undone.rows_restored) == (1, 2)
    assert fetch_all(db, "SELECT * FROM firm_years ORDER BY uscc") == stored
    for (serial, column), value in awkward.items():  # bit for bit, including the sign of zero
        restored = fetch_one(db, f"SELECT {column} FROM firm_years WHERE uscc = ?", [make_uscc(serial)])[0]
        assert restored.hex() == value.hex()
    assert data_fingerprint(db) == before


def test_undo_restores_firm_keys_of_transactions(firms_loaded, tmp_path, make_uscc):
    db = firms_loaded.con
    header = "交易编号,年份,卖方信用代码,卖方地区,买方信用代码,买方地区,环节编号,交易金额"
    ingest_file(firms_loaded, write(tmp_path / "t1.csv", [header, f"t1,2022,{make_uscc(1)},{CITY},"
                                                          f"{make_uscc(2)},{CITY},iot.u1,100"]), "transactions")
    before = data_fingerprint(db)
    second = ingest_file(firms_loaded, write(tmp_path / "t2.csv", [header, f"t1,2022,{make_uscc(3)},{CITY},"
                                                                   f"{make_uscc(2)},{CITY},iot.u1,100"]), "transactions")
    assert second.rows_updated == 1
    undo_load(firms_loaded, second.load_id)
    assert data_fingerprint(db) == before


def test_undo_refused_when_a_later_load_touched_the_rows(firms_loaded, tmp_path, make_uscc):
    db = firms_loaded.con
    before = data_fingerprint(db)
    first = ingest_file(firms_loaded, write(tmp_path / "a.csv", ["统一社会信用代码,年份,营业收入（万元）",
                                                                 f"{make_uscc(1)},2022,111", f"{make_uscc(3)},2022,5"]),
                        "firm_years")
    after_first = data_fingerprint(db)
    other = ingest_file(firms_loaded, write(tmp_path / "b.csv", ["统一社会信用代码,年份,利润总额（万元）",
                                                                 f"{make_uscc(2)},2022,1"]), "firm_years")
    second = ingest_file(firms_loaded, write(tmp_path / "c.csv", ["统一社会信用代码,年份,利润总额（万元）",
                                                                  f"{make_uscc(3)},2022,9"]), "firm_years")
    with pytest.raises(HistoryError, match=f"later load\\(s\\) {second.load_id} ") as info:
        undo_load(firms_loaded, first.load_id)
    assert str(other.load_id) not in str(info.value).split("later load(s)")[1].split(";")[0]
    undo_load(firms_loaded, second.load_id)
    undo_load(firms_loaded, other.load_id)
    assert data_fingerprint(db) == after_first
    undo_load(firms_loaded, first.load_id)
    assert data_fingerprint(db) == before


def test_undo_after_a_killed_later_load(firms_loaded, store_path, tmp_path, make_uscc, kill_load_before_commit):
    con = firms_loaded
    before = data_fingerprint(con.con)
    first = ingest_file(con, write(tmp_path / "a.csv", ["统一社会信用代码,年份,营业收入（万元）",
                                                        f"{make_uscc(1)},2022,111", f"{make_uscc(3)},2022,5"]),
                        "firm_years")
    con.disconnect()
    later = write(tmp_path / "b.csv", ["统一社会信用代码,年份,营业收入（万元）", f"{make_uscc(1)},2022,999",
                                       f"{make_uscc(3)},2022,6", f"{make_uscc(2)},2023,1"])
    kill_load_before_commit(store_path, later, "firm_years")
    con = jiqun.connect(store_path)
    try:
        assert fetch_one(con.con, "SELECT max(load_id) FROM loads")[0] == first.load_id  # the killed load left nothing
        undo_load(con, first.load_id)
        assert data_fingerprint(con.con) == before
    finally:
        con.disconnect()


def test_version_4_store_gains_the_history(store_path, make_uscc):
    """A store of schema version 4 gets load_changes and loads.undoes_load_id; its old loads stay and
    cannot be undone (they have no history)."""
    import duckdb

    db = duckdb.connect(str(store_path))
    db.execute("DROP TABLE load_changes").fetchall()
    db.execute("ALTER TABLE loads DROP COLUMN undoes_load_id").fetchall()
    db.execute("UPDATE jiqun_meta SET value = '4' WHERE key = 'schema_version'").fetchall()
    old_loads = db.execute("SELECT count(*) FROM loads").fetchall()[0][0]
    db.close()
    con = jiqun.connect(store_path)
    try:
        assert fetch_one(con.con, "SELECT value FROM jiqun_meta WHERE key = 'schema_version'") == (str(SCHEMA_VERSION),)
        assert fetch_one(con.con, "SELECT count(*), count(undoes_load_id) FROM loads") == (old_loads, 0)
        fetch_all(con.con, "DELETE FROM load_changes WHERE load_id = 1")  # as a load made before version 5
        with pytest.raises(HistoryError, match="before the change history"):
            undo_load(con, 1)
    finally:
        con.disconnect()


def test_undo_refused_while_other_tables_refer_to_its_rows(firms_loaded, tmp_path, make_uscc):
    """Undoing a firms load would leave firm_years of those firms dangling: refused, naming the table."""
    db = firms_loaded.con
    firms = ingest_file(firms_loaded, write(tmp_path / "f.csv", ["统一社会信用代码,企业名称,行政区划代码,行业代码",
                                                                 f"{make_uscc(5)},企业5,{CITY},{DIVISION}"]), "firms")
    years = ingest_file(firms_loaded, write(tmp_path / "y.csv", ["统一社会信用代码,年份,营业收入（万元）",
                                                                 f"{make_uscc(5)},2022,1"]), "firm_years")
    with pytest.raises(HistoryError, match=r"referenced by firm_years\.uscc \(1 rows\)"):
        undo_load(firms_loaded, firms.load_id)
    undo_load(firms_loaded, years.load_id)
    undo_load(firms_loaded, firms.load_id)
    assert fetch_one(db, "SELECT count(*) FROM firms WHERE uscc = ?", [make_uscc(5)]) == (0,)
    # catalogue rows are referenced through code lists: the shipped regions cannot be undone while used
    regions_load = fetch_one(db, "SELECT min(load_id) FROM loads WHERE table_name = 'regions'")[0]
    with pytest.raises(HistoryError, match=r"firms\.region_code"):
        undo_load(firms_loaded, regions_load)


def test_partial_update_keeps_columns_with_defaults_and_firm_keys(firms_loaded, tmp_path, make_uscc):
    """A transactions file with only id, year and amount keeps the stored seller_country (default 'CHN'
    when absent), node and firm keys; the rules that use them are checked on the merged row."""
    db = firms_loaded.con
    header = "交易编号,年份,卖方国家,买方信用代码,买方地区,环节编号,交易金额"
    ingest_file(firms_loaded, write(tmp_path / "t1.csv", [header, f"t1,2022,DEU,{make_uscc(2)},{CITY},iot.u1,100"]),
                "transactions")
    before = fetch_one(db, "SELECT * EXCLUDE (amount_yuan) FROM transactions")
    result = ingest_file(firms_loaded, write(tmp_path / "t2.csv", ["交易编号,年份,交易金额", "t1,2022,150"]),
                         "transactions")
    assert (result.rows_updated, result.changes.cells_changed) == (1, {"amount_yuan": 1})
    assert fetch_one(db, "SELECT * EXCLUDE (amount_yuan) FROM transactions") == before
    assert fetch_one(db, "SELECT seller_country, amount_yuan FROM transactions") == ("DEU", 150.0)
