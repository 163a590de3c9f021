"""Loading: idempotence, updates, provenance, crash safety, schema-version guards."""

from __future__ import annotations

import datetime as dt
import hashlib
from pathlib import Path

import duckdb
import pytest

import jiqun
from jiqun._duck import fetch_one, fetch_all
from jiqun.codes import uscc_check_character
from jiqun.ingest import IngestError, ingest_file, ingest_table
from jiqun.schema import TABLES
from jiqun.store import SCHEMA_VERSION, StoreError

CITY, DIVISION = "320200", "39"


def U(serial: int, region: str = CITY) -> str:
    body = f"91{region}MA{serial:07d}"[:17]
    return body + uscc_check_character(body)


def fingerprint(db) -> dict[str, tuple]:
    """Row count and an order-independent hash of every row of every store table (and the meta table)."""
    return {name: fetch_one(db, f'SELECT count(*), sum(hash(t)::HUGEINT), bit_xor(hash(t)) FROM "{name}" t')
            for name in [*TABLES, "jiqun_meta"]}


def write_firms(path: Path, serials, name="企业{i}") -> Path:
    lines = ["统一社会信用代码,企业名称,行政区划代码,行业代码,注册地址"]
    lines += [f"{U(i)},{name.format(i=i)},{CITY},{DIVISION},无锡市{i}号" for i in serials]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_same_file_twice_is_idempotent(store, tmp_path):
    db = store.con
    path = write_firms(tmp_path / "firms.csv", range(1, 51))
    first = ingest_file(store, path, "firms")
    assert (first.rows_inserted, first.rows_updated, first.rows_unchanged, first.changed) == (50, 0, 0, True)
    after_first = fingerprint(db)

    second = ingest_file(store, path, "firms")
    assert (second.rows_inserted, second.rows_updated, second.rows_unchanged) == (0, 0, 50)
    assert second.changed is False and second.load_id is None
    assert fingerprint(db) == after_first  # neither the table nor `loads` changed


def test_idempotent_with_unit_conversion_and_xlsx(store, tmp_path):
    openpyxl = pytest.importorskip("openpyxl")
    write_firms(tmp_path / "firms.csv", [1, 2])
    ingest_file(store, tmp_path / "firms.csv", "firms")
    wb = openpyxl.Workbook()
    wb.active.append(["uscc", "year", "营业收入（万元）", "利润总额(亿元)"])
    wb.active.append([U(1), 2020, 1.1, 0.3])
    wb.active.append([U(2), 2020, 2.2, -0.7])
    wb.save(tmp_path / "fy.xlsx")
    assert ingest_file(store, tmp_path / "fy.xlsx", "firm_years").rows_inserted == 2
    before = fingerprint(store.con)
    again = ingest_file(store, tmp_path / "fy.xlsx", "firm_years")
    assert not again.changed and again.rows_unchanged == 2
    assert fingerprint(store.con) == before


def test_changed_row_is_an_update(store, tmp_path):
    db = store.con
    path = write_firms(tmp_path / "firms.csv", range(1, 11))
    ingest_file(store, path, "firms")
    text = path.read_text(encoding="utf-8").replace("企业3,", "企业3（更名）,")
    path.write_text(text + f"{U(11)},新企业,{CITY},{DIVISION},\n", encoding="utf-8")
    result = ingest_file(store, path, "firms", vintage="v2")
    assert (result.rows_inserted, result.rows_updated, result.rows_unchanged, result.changed) == (1, 1, 9, True)
    assert fetch_one(db, "SELECT name FROM firms WHERE uscc = ?", [U(3)]) == ("企业3（更名）",)
    assert fetch_one(db, "SELECT count(*) FROM firms") == (11,)
    assert fetch_one(db, "SELECT address FROM firms WHERE uscc = ?", [U(11)]) == (None,)
    load = fetch_one(db, "SELECT rows_in_file, rows_inserted, rows_updated, rows_unchanged, rows_rejected, vintage "
                   "FROM loads WHERE load_id = ?", [result.load_id])
    assert load == (11, 1, 1, 9, 0, "v2")


def test_update_can_clear_a_value_and_keeps_other_rows(store, tmp_path):
    db = store.con
    ingest_file(store, write_firms(tmp_path / "a.csv", [1, 2, 3]), "firms")
    path = tmp_path / "b.csv"
    path.write_text(f"uscc,name,region_code,industry_code,address\n{U(2)},企业2,{CITY},{DIVISION},\n",
                    encoding="utf-8")
    result = ingest_file(store, path, "firms")
    assert result.rows_updated == 1
    assert fetch_all(db, "SELECT uscc, address FROM firms ORDER BY uscc") == [
        (U(1), "无锡市1号"), (U(2), None), (U(3), "无锡市3号")]


def test_insert_mode_accepts_new_keys(store, tmp_path):
    ingest_file(store, write_firms(tmp_path / "a.csv", [1, 2]), "firms", mode="insert")
    result = ingest_file(store, write_firms(tmp_path / "b.csv", [3]), "firms", mode="insert")
    assert result.rows_inserted == 1
    assert fetch_one(store.con, "SELECT mode FROM loads WHERE load_id = ?", [result.load_id]) == ("insert",)


def test_provenance_recorded(store, tmp_path, monkeypatch):
    monkeypatch.setenv("JIQUN_USER", "分析员 analyst")
    path = write_firms(tmp_path / "firms.csv", range(1, 8))
    path.write_bytes(path.read_text(encoding="utf-8").encode("gbk"))
    started = dt.datetime.now(dt.timezone.utc).replace(tzinfo=None)
    result = ingest_file(store, path, "firms", vintage="2023 统计年鉴")
    row = fetch_one(store.con,
              "SELECT load_id, source_file, sha256, table_name, file_format, encoding, mode, rows_in_file, "
              "rows_inserted, rows_updated, rows_unchanged, rows_rejected, loaded_at, vintage, user_name, "
              "jiqun_version FROM loads WHERE load_id = ?", [result.load_id])
    assert row[0] == result.load_id
    assert row[1] == str(path)
    assert row[2] == hashlib.sha256(path.read_bytes()).hexdigest()
    assert row[3:12] == ("firms", "csv", "gb18030", "upsert", 7, 7, 0, 0, 0)
    assert started - dt.timedelta(seconds=5) <= row[12] <= dt.datetime.now(dt.timezone.utc).replace(tzinfo=None)
    assert row[13:] == ("2023 统计年鉴", "分析员 analyst", jiqun.__version__)
    ids = [r[0] for r in fetch_all(store.con, "SELECT load_id FROM loads ORDER BY load_id")]
    assert ids == list(range(1, len(ids) + 1))  # catalogue loads first, then ours


def _bad_file(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "bad-file.csv"
    path.write_text("uscc,name,region_code,industry_code\nX,a,1,2\n", encoding="utf-8")
    return path


@pytest.fixture
def elsewhere(tmp_path, monkeypatch) -> Path:
    """Run from an empty folder that is not the input's."""
    cwd = tmp_path / "elsewhere"
    cwd.mkdir()
    monkeypatch.chdir(cwd)
    return cwd


def test_report_goes_beside_the_input_not_the_cwd(store, tmp_path, elsewhere):
    path = _bad_file(tmp_path / "data")
    with pytest.raises(IngestError) as info:
        ingest_file(store, path, "firms")
    report = Path(info.value.report_path)
    assert report.parent == path.parent and report.name.startswith("bad-file.errors-") and report.exists()
    assert info.value.report_note is None
    assert list(elsewhere.iterdir()) == []


def test_report_beside_the_input_also_for_file_level_refusals_and_quarantine(store, tmp_path, elsewhere,
                                                                            make_uscc):
    folder = tmp_path / "data"
    folder.mkdir()
    empty = folder / "empty.csv"
    empty.write_text("uscc,name,region_code,industry_code\n", encoding="utf-8")
    with pytest.raises(IngestError) as info:
        ingest_file(store, empty, "firms")
    assert Path(info.value.report_path).parent == folder
    mixed = folder / "mixed.csv"
    mixed.write_text(f"uscc,name,region_code,industry_code\n{make_uscc(1)},a,320200,3983\nX,b,1,2\n",
                     encoding="utf-8")
    result = ingest_file(store, mixed, "firms", quarantine=True)
    assert result.rows_rejected == 1 and Path(result.report_path).parent == folder
    assert list(elsewhere.iterdir()) == []


def test_report_path_given_is_used(store, tmp_path, elsewhere):
    path = _bad_file(tmp_path / "data")
    wanted = tmp_path / "reports" / "mine.csv"
    with pytest.raises(IngestError) as info:
        ingest_file(store, path, "firms", report_path=wanted)
    assert Path(info.value.report_path) == wanted and wanted.exists()
    assert list(elsewhere.iterdir()) == [] and list((tmp_path / "data").iterdir()) == [path]


def test_report_of_an_input_in_a_read_only_folder_goes_to_temp(store, tmp_path, elsewhere, monkeypatch):
    import os
    import tempfile

    temp = tmp_path / "temp"
    temp.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(temp))
    path = _bad_file(tmp_path / "data")
    real_access = os.access
    # the folder is read-only for the loader (chmod alone would not stop root, who runs some CI jobs)
    monkeypatch.setattr(os, "access", lambda where, mode, **kw: (Path(where) != path.parent and
                                                                  real_access(where, mode, **kw)))
    path.parent.chmod(0o555)
    try:
        with pytest.raises(IngestError) as info:
            ingest_file(store, path, "firms")
    finally:
        path.parent.chmod(0o755)
    report = Path(info.value.report_path)
    assert report.parent == temp and report.exists()
    assert "not writable" in info.value.report_note and "temp folder" in info.value.report_note
    assert list(elsewhere.iterdir()) == [] and list(path.parent.iterdir()) == [path]


def test_report_of_an_in_memory_table_goes_to_temp(store, tmp_path, elsewhere, monkeypatch):
    import tempfile

    import pyarrow as pa

    temp = tmp_path / "temp"
    temp.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(temp))
    data = pa.table({"uscc": ["X"], "name": ["a"], "region_code": ["1"], "industry_code": ["2"]})
    with pytest.raises(IngestError) as info:
        ingest_table(store, data, "firms")
    assert Path(info.value.report_path).parent == temp and "temp folder" in info.value.report_note
    assert list(elsewhere.iterdir()) == []


# --------------------------------------------------------------------------- crash safety
def test_killed_load_leaves_store_unchanged(store_path, tmp_path, kill_load_before_commit):
    con = jiqun.connect(store_path)
    ingest_file(con, write_firms(tmp_path / "seed.csv", range(1, 201)), "firms")
    before = fingerprint(con.con)
    con.disconnect()

    # updates 200 rows (delete + insert inside the transaction) and inserts 3000 more
    path = write_firms(tmp_path / "big.csv", range(1, 3201), name="改名{i}")
    line, pid = kill_load_before_commit(store_path, path, "firms")
    assert line == f"JIQUN-PAUSED {pid}"

    con = jiqun.connect(store_path)
    try:
        assert fingerprint(con.con) == before
        result = ingest_file(con, path, "firms")
        assert (result.rows_inserted, result.rows_updated) == (3000, 200)
        assert fetch_one(con.con, "SELECT count(*) FROM firms") == (3200,)
        assert fetch_one(con.con, "SELECT name FROM firms WHERE uscc = ?", [U(1)]) == ("改名1",)
        assert fetch_one(con.con, "SELECT rows_inserted, rows_updated FROM loads WHERE load_id = ?",
                   [result.load_id]) == (3000, 200)
    finally:
        con.disconnect()


# --------------------------------------------------------------------------- schema guards
def _edit(path: Path, *statements: str) -> None:
    with duckdb.connect(str(path)) as db:
        for sql in statements:
            db.execute(sql).fetchall()


def test_newer_schema_version_is_refused(store_path):
    _edit(store_path, f"UPDATE jiqun_meta SET value = '{SCHEMA_VERSION + 1}' WHERE key = 'schema_version'")
    with pytest.raises(StoreError, match="newer"):
        jiqun.connect(store_path)
    with pytest.raises(StoreError, match="newer"):
        jiqun.connect(store_path, read_only=True)


def test_foreign_duckdb_file_is_refused(tmp_path):
    path = tmp_path / "other.duckdb"
    _edit(path, "CREATE TABLE customers (id INTEGER, name VARCHAR)", "INSERT INTO customers VALUES (1, 'x')")
    with pytest.raises(StoreError, match="not a jiqun store"):
        jiqun.connect(path)
    with duckdb.connect(str(path)) as db:  # and it was not touched
        tables = [r[0] for r in db.execute("SELECT table_name FROM information_schema.tables").fetchall()]
        assert tables == ["customers"]


def test_drifted_table_is_refused(store_path):
    _edit(store_path, "ALTER TABLE firms DROP COLUMN listed")
    with pytest.raises(StoreError, match="firms"):
        jiqun.connect(store_path)


def test_missing_table_is_refused(store_path):
    _edit(store_path, "DROP TABLE patents")
    with pytest.raises(StoreError, match="patents"):
        jiqun.connect(store_path)


def _keys(db) -> dict[str, tuple]:
    return {r[0]: r[1:] for r in fetch_all(db, "SELECT t.transaction_id, ks.uscc, kb.uscc FROM transactions t "
                                         "LEFT JOIN firm_keys ks ON ks.firm_key = t.seller_key "
                                         "LEFT JOIN firm_keys kb ON kb.firm_key = t.buyer_key")}


def test_transactions_get_firm_keys_at_load(store, tmp_path):
    """Firm keys are assigned in the load's transaction, stay fixed, and follow an updated USCC."""
    db = store.con
    ingest_file(store, write_firms(tmp_path / "f.csv", range(1, 4)), "firms")
    header = "交易编号,年份,卖方信用代码,卖方地区,买方信用代码,买方地区,环节编号,交易金额"
    first = tmp_path / "t1.csv"
    first.write_text("\n".join([header, f"t1,2022,{U(1)},{CITY},{U(2)},{CITY},iot.u1,100",
                                f"t2,2022,,310000,{U(2)},{CITY},iot.u1,50"]), encoding="utf-8")
    ingest_file(store, first, "transactions")
    assert _keys(db) == {"t1": (U(1), U(2)), "t2": (None, U(2))}
    keys_before = fetch_all(db, "SELECT uscc, firm_key FROM firm_keys ORDER BY firm_key")
    assert [k for _u, k in keys_before] == [1, 2]
    # The same file again: nothing changes. A new file: new USCCs get the next keys; t1's seller changes.
    assert ingest_file(store, first, "transactions").changed is False
    second = tmp_path / "t2.csv"
    second.write_text("\n".join([header, f"t1,2022,{U(3)},{CITY},{U(2)},{CITY},iot.u1,100",
                                 f"t3,2023,{U(1)},{CITY},{U(3)},{CITY},iot.u1,70"]), encoding="utf-8")
    ingest_file(store, second, "transactions")
    assert _keys(db) == {"t1": (U(3), U(2)), "t2": (None, U(2)), "t3": (U(1), U(3))}
    assert fetch_all(db, "SELECT uscc, firm_key FROM firm_keys ORDER BY firm_key")[:2] == keys_before
    assert fetch_one(db, "SELECT count(*), count(DISTINCT firm_key), max(firm_key) FROM firm_keys") == (3, 3, 3)


def test_key_columns_are_not_read_from_files(store, tmp_path):
    """A file that carries seller_key/buyer_key columns does not set them: jiqun assigns the keys."""
    ingest_file(store, write_firms(tmp_path / "f.csv", range(1, 3)), "firms")
    path = tmp_path / "t.csv"
    path.write_text("\n".join(["transaction_id,year,seller_uscc,seller_region_code,buyer_uscc,buyer_region_code,"
                               "node_id,amount_yuan,seller_key,buyer_key",
                               f"t1,2022,{U(1)},{CITY},{U(2)},{CITY},iot.u1,100,999,998"]), encoding="utf-8")
    result = ingest_file(store, path, "transactions")
    assert set(result.ignored_headers) == {"seller_key", "buyer_key"}
    assert _keys(store.con) == {"t1": (U(1), U(2))}


def test_loads_are_stored_in_the_declared_order(store, tmp_path):
    """Each load's transactions are written by year, then seller key (no seller last), then file row;
    a later load's rows follow the earlier ones (``Table.sort_by``: speed only, no result changes)."""
    db = store.con
    assert TABLES["transactions"].sort_by == ("year", "seller_key")
    ingest_file(store, write_firms(tmp_path / "f.csv", range(1, 6)), "firms")
    header = "交易编号,年份,卖方信用代码,卖方地区,买方信用代码,买方地区,环节编号,交易金额"

    def load(name, rows):
        path = tmp_path / name
        path.write_text("\n".join([header] + [f"{t},{y},{s},{CITY},{U(5)},{CITY},iot.u1,10" for t, y, s in rows]),
                        encoding="utf-8")
        ingest_file(store, path, "transactions")

    # Keys are given in USCC order within a load: U(1) -> 1, U(2) -> 2, U(3) -> 3, buyer U(5) -> 4.
    load("t1.csv", [("a", 2023, U(2)), ("b", 2022, ""), ("c", 2022, U(3)), ("d", 2023, U(1)),
                    ("e", 2022, U(1)), ("f", 2022, U(3))])
    # U(4) is new (key 5, after U(2)'s 2): the second load's rows follow, in their own order.
    load("t2.csv", [("g", 2022, U(4)), ("h", 2022, U(2)), ("i", 2021, U(4))])
    stored = [r[0] for r in fetch_all(db, "SELECT transaction_id FROM transactions ORDER BY rowid")]
    assert stored == ["e", "c", "f", "b", "d", "a", "i", "h", "g"]
    assert fetch_all(db, "SELECT uscc, firm_key FROM firm_keys WHERE uscc IN (?, ?) ORDER BY 2", [U(2), U(4)]) == [
        (U(2), 2), (U(4), 5)]


def test_firm_keys_complete_sees_rows_written_around_the_loader(store, tmp_path):
    """A USCC without its key (a row inserted by SQL) makes the keys incomplete until filled; a row
    without a USCC needs no key."""
    from jiqun.store.keys import fill_firm_keys, firm_keys_complete

    db = store.con
    ingest_file(store, write_firms(tmp_path / "f.csv", range(1, 3)), "firms")
    path = tmp_path / "t.csv"
    path.write_text("\n".join(["交易编号,年份,卖方信用代码,卖方地区,买方信用代码,买方地区,环节编号,交易金额",
                               f"t1,2022,{U(1)},{CITY},{U(2)},{CITY},iot.u1,100",
                               f"t2,2022,,310000,{U(2)},{CITY},iot.u1,50"]), encoding="utf-8")
    ingest_file(store, path, "transactions")
    assert firm_keys_complete(db, "transactions")
    fetch_all(db, "INSERT INTO transactions (transaction_id, year, amount_yuan) VALUES ('t3', 2022, 1)")
    assert firm_keys_complete(db, "transactions")
    insert = "INSERT INTO transactions (transaction_id, year, amount_yuan, {}) VALUES (?, 2022, 1, ?)"
    fetch_all(db, insert.format("buyer_uscc"), ["t4", U(1)])
    assert not firm_keys_complete(db, "transactions")
    fill_firm_keys(db, "transactions")
    assert firm_keys_complete(db, "transactions")
    fetch_all(db, insert.format("seller_uscc"), ["t5", U(2)])
    assert not firm_keys_complete(db, "transactions")
