"""Opening, creating and protecting a store."""

import pytest

import jiqun
from jiqun.store import SCHEMA_VERSION, StoreError, parse_url


def test_parse_url(monkeypatch):
    assert parse_url("a/b.duckdb") == ("duckdb", "a/b.duckdb")
    assert parse_url("duckdb:///tmp/x.duckdb") == ("duckdb", "/tmp/x.duckdb")
    assert parse_url("duckdb://") == ("duckdb", ":memory:")
    monkeypatch.setenv("JIQUN_DB", "from-env.duckdb")
    assert parse_url(None) == ("duckdb", "from-env.duckdb")
    assert parse_url("spark://local[2]") == ("spark", "local[2]")
    with pytest.raises(StoreError, match="not supported"):
        parse_url("postgres://cluster")


def test_connect_returns_ibis_backend_with_schema(store):
    import ibis

    assert isinstance(store, ibis.BaseBackend)
    version = store.con.execute("SELECT value FROM jiqun_meta WHERE key = 'schema_version'").fetchall()[0][0]
    assert int(version) == SCHEMA_VERSION
    assert store.table("firms").count().execute() == 0
    assert store.table("clusters").count().execute() == 14


def test_reopen_is_idempotent(store_path):
    con = jiqun.connect(store_path)
    loads_before = con.table("loads").count().execute()
    con.disconnect()
    con = jiqun.connect(store_path)
    assert con.table("loads").count().execute() == loads_before
    con.disconnect()


def test_store_connect_creates_the_schema_only_and_jiqun_connect_fills_the_catalogue(tmp_path):
    from jiqun.catalogue import CATALOGUE_FILES, LOADED_META_KEY
    from jiqun.store import connect as connect_store, read_meta

    path = tmp_path / "bare.duckdb"
    con = connect_store(path)
    try:
        assert con.table("clusters").count().execute() == 0 and con.table("loads").count().execute() == 0
        assert read_meta(con, LOADED_META_KEY) is None
    finally:
        con.disconnect()
    con = jiqun.connect(path)
    try:
        assert con.table("clusters").count().execute() == 14
        loads = con.table("loads").execute()
        assert list(loads.table_name) == [table for table, _ in CATALOGUE_FILES]
        assert read_meta(con, LOADED_META_KEY) is not None
    finally:
        con.disconnect()
    con = jiqun.connect(path)  # loaded once: a second open loads nothing
    try:
        assert con.table("loads").count().execute() == len(CATALOGUE_FILES)
    finally:
        con.disconnect()


def test_catalogue_is_loaded_again_when_the_store_forgets_it(store_path):
    from jiqun.catalogue import LOADED_META_KEY
    from jiqun.store import connect as connect_store, read_meta

    con = connect_store(store_path)
    try:
        con.con.execute("DELETE FROM jiqun_meta WHERE key = ?", [LOADED_META_KEY]).fetchall()
        con.con.execute("DELETE FROM clusters WHERE cluster_id = (SELECT min(cluster_id) FROM clusters)").fetchall()
        assert con.table("clusters").count().execute() == 13
    finally:
        con.disconnect()
    con = jiqun.connect(store_path, read_only=True)  # read-only: nothing is loaded
    try:
        assert con.table("clusters").count().execute() == 13
    finally:
        con.disconnect()
    con = jiqun.connect(store_path)
    try:
        assert con.table("clusters").count().execute() == 14 and read_meta(con, LOADED_META_KEY)
    finally:
        con.disconnect()


def test_missing_store_read_only(tmp_path):
    with pytest.raises(StoreError, match="no store"):
        jiqun.connect(tmp_path / "none.duckdb", read_only=True)
    with pytest.raises(StoreError, match="no store"):
        jiqun.connect(tmp_path / "none.duckdb", create=False)


def test_in_memory_store():
    con = jiqun.connect("duckdb://:memory:")
    assert con.table("regions").count().execute() > 100
    con.disconnect()


def _meta(con, key):
    rows = con.con.execute("SELECT value FROM jiqun_meta WHERE key = ?", [key]).fetchall()
    return rows[0][0] if rows else None


def test_older_store_is_upgraded_by_migrations(store_path, monkeypatch):
    from jiqun.store import connection
    from jiqun.store.migrations import Migration

    applied = []

    new = SCHEMA_VERSION + 1

    def upgrade(db):
        applied.append(new)
        db.execute("INSERT INTO jiqun_meta VALUES ('migrated', 'yes')").fetchall()

    monkeypatch.setattr(connection, "MIGRATIONS", connection.MIGRATIONS + [Migration(new, "test", upgrade)])
    monkeypatch.setattr(connection, "SCHEMA_VERSION", new)
    con = jiqun.connect(store_path)
    assert applied == [new]
    assert _meta(con, "schema_version") == str(new) and _meta(con, "migrated") == "yes"
    con.disconnect()


def test_version_1_store_gains_evaluation_tables(store_path):
    """A store written by schema version 1 (before the evaluation tables) is upgraded in place."""
    import duckdb

    db = duckdb.connect(str(store_path))
    _downgrade_to_v2(db)
    db.execute("DROP TABLE evaluation_results").fetchall()
    db.execute("DROP TABLE evaluation_schemes").fetchall()
    db.execute("UPDATE jiqun_meta SET value = '1' WHERE key = 'schema_version'").fetchall()
    db.close()
    con = jiqun.connect(store_path)
    assert _meta(con, "schema_version") == str(SCHEMA_VERSION)
    assert con.table("evaluation_results").count().execute() == 0
    assert "seller_key" in con.table("transactions").columns
    assert con.table("clusters").count().execute() == 14  # data kept
    con.disconnect()


def _downgrade_to_v2(db):
    """The layout of schema version 2: no firm keys."""
    db.execute("DROP TABLE firm_keys").fetchall()
    db.execute("ALTER TABLE transactions DROP COLUMN seller_key").fetchall()
    db.execute("ALTER TABLE transactions DROP COLUMN buyer_key").fetchall()
    db.execute("UPDATE jiqun_meta SET value = '2' WHERE key = 'schema_version'").fetchall()


def test_version_2_store_gains_firm_keys_for_its_transactions(store_path):
    """Upgrading a store with transactions registers their USCCs and fills both key columns."""
    import duckdb
    import pandas as pd

    from conftest import make_uscc_fn
    from jiqun.ingest import ingest_table

    con = jiqun.connect(store_path)
    a, b = make_uscc_fn(21), make_uscc_fn(22)
    ingest_table(con, pd.DataFrame({"uscc": [a, b], "name": ["甲", "乙"], "region_code": ["320281", "320205"],
                                    "industry_code": ["3983", "3983"]}), "firms")
    ingest_table(con, pd.DataFrame({
        "transaction_id": ["t1", "t2", "t3"], "year": [2022, 2022, 2023], "seller_uscc": [a, None, b],
        "seller_region_code": ["320281", "310000", "320205"], "buyer_uscc": [b, a, a],
        "buyer_region_code": ["320205", "320281", "320281"], "node_id": "iot.u1", "amount_yuan": [1.0, 2.0, 3.0],
    }), "transactions")
    con.disconnect()
    db = duckdb.connect(str(store_path))
    _downgrade_to_v2(db)
    db.close()
    con = jiqun.connect(store_path)
    assert _meta(con, "schema_version") == str(SCHEMA_VERSION)
    rows = con.con.execute("SELECT t.transaction_id, ks.uscc, kb.uscc FROM transactions t "
                           "LEFT JOIN firm_keys ks ON ks.firm_key = t.seller_key "
                           "LEFT JOIN firm_keys kb ON kb.firm_key = t.buyer_key ORDER BY 1").fetchall()
    assert rows == [("t1", a, b), ("t2", None, a), ("t3", b, a)]
    assert sorted(r[0] for r in con.con.execute("SELECT firm_key FROM firm_keys").fetchall()) == [1, 2]
    con.disconnect()


def test_version_3_store_gets_its_transactions_in_stored_order(store_path):
    """Upgrading to version 4 rewrites transactions written in another order (here by SQL, around the
    loader) by year and seller key, ties in their old order; keys and rows are unchanged."""
    import duckdb

    con = jiqun.connect(store_path)
    con.disconnect()
    db = duckdb.connect(str(store_path))
    rows = [("t1", 2023, 2), ("t2", 2022, None), ("t3", 2022, 1), ("t4", 2022, 2), ("t5", 2022, 1)]
    for tid, year, key in rows:
        db.execute("INSERT INTO transactions (transaction_id, year, amount_yuan, seller_key) VALUES (?, ?, 1, ?)",
                   [tid, year, key]).fetchall()
    db.execute("UPDATE jiqun_meta SET value = '3' WHERE key = 'schema_version'").fetchall()
    db.close()
    con = jiqun.connect(store_path)
    assert _meta(con, "schema_version") == str(SCHEMA_VERSION)
    stored = con.con.execute("SELECT transaction_id, year, seller_key FROM transactions ORDER BY rowid").fetchall()
    assert stored == [("t3", 2022, 1), ("t5", 2022, 1), ("t4", 2022, 2), ("t2", 2022, None), ("t1", 2023, 2)]
    con.disconnect()


def test_failed_migration_leaves_store_at_old_version(store_path, monkeypatch):
    from jiqun.store import connection
    from jiqun.store.migrations import Migration

    def broken(db):
        db.execute("INSERT INTO jiqun_meta VALUES ('half', 'written')").fetchall()
        raise RuntimeError("boom")

    new = SCHEMA_VERSION + 1
    monkeypatch.setattr(connection, "MIGRATIONS", connection.MIGRATIONS + [Migration(new, "broken", broken)])
    monkeypatch.setattr(connection, "SCHEMA_VERSION", new)
    with pytest.raises(StoreError, match=f"upgrade to schema version {new} failed"):
        jiqun.connect(store_path)
    monkeypatch.undo()
    con = jiqun.connect(store_path)
    assert _meta(con, "schema_version") == str(SCHEMA_VERSION) and _meta(con, "half") is None
    con.disconnect()


def test_store_locked_by_another_process(store_path, monkeypatch):
    monkeypatch.setenv("JIQUN_LOCK_WAIT", "0")
    import subprocess
    import sys
    import time

    holder = subprocess.Popen(
        [sys.executable, "-c", f"import duckdb, time; c = duckdb.connect({str(store_path)!r}); print('ok', flush=True); "
                               "time.sleep(30)"],
        stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "ok"
        with pytest.raises(StoreError, match=r"another process, PID \d+ \(python"):
            jiqun.connect(store_path)
    finally:
        holder.kill()
        holder.wait()
    time.sleep(0.1)


def test_not_a_store(tmp_path):
    path = tmp_path / "x.duckdb"
    path.write_bytes(b"this is not a database file at all" * 100)
    with pytest.raises(StoreError, match="cannot open"):
        jiqun.connect(path)


def test_engine_settings_from_environment(store_path, monkeypatch):
    monkeypatch.setenv("JIQUN_MEMORY_LIMIT", "512MB")
    monkeypatch.setenv("JIQUN_THREADS", "1")
    con = jiqun.connect(store_path)
    limit, threads = con.con.execute(
        "SELECT current_setting('memory_limit'), current_setting('threads')").fetchall()[0]
    con.disconnect()
    assert limit.replace(" ", "") == "488.2MiB"  # DuckDB reports 512 MB (10^6 bytes) in MiB
    assert int(threads) == 1
    monkeypatch.setenv("JIQUN_MEMORY_LIMIT", "lots")
    with pytest.raises(StoreError, match="memory_limit"):
        jiqun.connect(store_path)


def test_default_memory_limit_is_half_the_ram_at_most_6gb(store_path, monkeypatch):
    import os

    from jiqun.store.connection import auto_memory_limit

    monkeypatch.delenv("JIQUN_MEMORY_LIMIT", raising=False)
    ram = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    expected_mb = min(6000, ram // 2 // 10**6)
    assert auto_memory_limit() == f"{expected_mb}MB"
    con = jiqun.connect(store_path)
    limit = con.con.execute("SELECT current_setting('memory_limit')").fetchall()[0][0]
    con.disconnect()
    value, unit = float(limit.split()[0]), limit.split()[1]
    # DuckDB shows the limit rounded down to 0.1 GiB
    assert abs(value * {"MiB": 2**20, "GiB": 2**30}[unit] - expected_mb * 10**6) < 0.03 * expected_mb * 10**6


def test_version_4_store_gains_the_new_catalogue_rows(store_path):
    """A store whose catalogue was loaded before the full GB/T 4754 list and the development zones
    (schema version 4, ``industries.name_en`` NOT NULL) gets the new rows when it is upgraded."""
    import duckdb

    db = duckdb.connect(str(store_path))
    db.execute("DELETE FROM regions WHERE level = 'zone'").fetchall()
    db.execute("DELETE FROM industries WHERE name_en IS NULL").fetchall()
    db.execute("ALTER TABLE industries ALTER COLUMN name_en SET NOT NULL").fetchall()
    db.execute("UPDATE jiqun_meta SET value = '4' WHERE key = 'schema_version'").fetchall()
    before = db.execute("SELECT count(*) FROM industries").fetchall()[0][0]
    db.close()
    assert before == 261
    con = jiqun.connect(store_path)
    assert _meta(con, "schema_version") == str(SCHEMA_VERSION)
    assert con.table("industries").count().execute() == 20 + 97 + 473 + 1381
    zones = con.table("regions").filter(con.table("regions").level == "zone").execute()
    assert "320571" in set(zones.region_code)
    assert con.table("clusters").count().execute() == 14  # the rest of the store is kept
    con.disconnect()


def test_version_6_store_gets_policies_on_the_stip_instrument_types(store_path):
    """Upgrading to version 7 adds the policies' target segments, group, theme and text (empty) and renames
    the instrument codes of earlier versions to their OECD STIP Compass codes."""
    import duckdb

    jiqun.connect(store_path).disconnect()
    db = duckdb.connect(str(store_path))
    for column in ("target_nodes", "target_group", "theme", "text"):
        db.execute(f"ALTER TABLE policies DROP COLUMN {column}").fetchall()
    for number, old in enumerate(["subsidy", "finance", "platform", "plan"]):
        db.execute("INSERT INTO policies (policy_id, title, department, level, region_code, instrument, issued_on) "
                   "VALUES (?, 't', 'd', 'province', '320000', ?, DATE '2023-01-01')", [f"P{number}", old]).fetchall()
    db.execute("UPDATE jiqun_meta SET value = '6' WHERE key = 'schema_version'").fetchall()
    db.close()
    con = jiqun.connect(store_path)
    assert _meta(con, "schema_version") == str(SCHEMA_VERSION)
    assert {"target_nodes", "target_group", "theme", "text"} <= set(con.table("policies").columns)
    rows = dict(con.con.execute("SELECT policy_id, instrument FROM policies ORDER BY 1").fetchall())
    assert rows == {"P0": "grants_business_rd", "P1": "equity", "P2": "networking_platforms", "P3": "strategy"}
    con.disconnect()


def test_version_7_store_gains_firm_markets(store_path):
    import duckdb

    jiqun.connect(store_path).disconnect()
    db = duckdb.connect(str(store_path))
    db.execute("DROP TABLE firm_markets").fetchall()
    db.execute("UPDATE jiqun_meta SET value = '7' WHERE key = 'schema_version'").fetchall()
    db.close()
    con = jiqun.connect(store_path)
    assert _meta(con, "schema_version") == str(SCHEMA_VERSION)
    assert con.table("firm_markets").count().execute() == 0
    con.disconnect()
