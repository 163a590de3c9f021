"""The Spark store's entry points: URLs, settings, and Parquet ingest with its checks (Spark half marked)."""

from __future__ import annotations

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from jiqun import settings
from jiqun.store import StoreError, copy_tables, parse_url


def test_spark_urls_parse():
    assert parse_url("spark://local[2]") == ("spark", "local[2]")
    assert parse_url("spark://") == ("spark", "local[*]")
    assert parse_url("duckdb://:memory:") == ("duckdb", ":memory:")
    with pytest.raises(StoreError, match="supported: duckdb://, spark://"):
        parse_url("postgres://host/db")


def test_spark_settings_declared():
    names = {s.name for s in settings.SETTINGS}
    assert {"spark_driver_memory", "spark_shuffle_partitions", "spark_warehouse"} <= names
    assert settings.get_int("spark_shuffle_partitions") > 0


def _moves(rows):
    schema = pa.schema([("move_id", pa.string()), ("person_hash", pa.string()), ("from_uscc", pa.string()),
                        ("to_uscc", pa.string()), ("move_date", pa.date32()), ("role_level", pa.string())])
    import datetime as dt

    return pa.Table.from_pylist([dict(zip(schema.names, (*r[:4], dt.date(2023, 5, 1), r[4]))) for r in rows],
                                schema=schema)


@pytest.mark.spark
def test_ingest_parquet_checks_and_appends(spark_store, source_store, tmp_path):
    from jiqun.store.spark import SparkStoreError, ingest_parquet

    before = spark_store.table("talent_moves").count().execute()
    good = tmp_path / "good.parquet"
    pq.write_table(_moves([("new-1", "p1", None, None, "senior"), ("new-2", "p2", None, None, None)]), good)
    bad_key = tmp_path / "repeated.parquet"
    pq.write_table(_moves([("new-3", "p1", None, None, "x"), ("new-3", "p2", None, None, "y")]), bad_key)
    missing = tmp_path / "missing.parquet"
    pq.write_table(_moves([("new-4", None, None, None, "x")]), missing)
    wrong_type = tmp_path / "wrong_type.parquet"
    pq.write_table(pa.table({"move_id": ["m"], "person_hash": ["p"], "move_date": ["2023-05-01"]}), wrong_type)
    try:
        assert ingest_parquet(spark_store, good, "talent_moves") == 2
        for path, message in ((bad_key, r"repeated.parquet: column move_id: rule primary_key .* 2 times"),
                              (good, r"good.parquet: column move_id: rule primary_key .* already in table"),
                              (missing, r"missing.parquet: column person_hash .*: rule required — 1 empty"),
                              (wrong_type, r"wrong_type.parquet: column move_date: rule type — string")):
            with pytest.raises(SparkStoreError, match=message):
                ingest_parquet(spark_store, path, "talent_moves")
        assert spark_store.table("talent_moves").count().execute() == before + 2
    finally:
        copy_tables(source_store, spark_store, ["talent_moves"])  # leave the store as copied


@pytest.mark.spark
def test_connect_accepts_a_running_session(spark_store):
    import jiqun
    from jiqun.schema import TABLES

    con = jiqun.connect(spark_store._session)
    assert set(TABLES) <= set(con.list_tables())
    firms, loads = con.table("firms").schema(), con.table("loads").schema()
    assert firms["founded_on"].is_date() and firms["is_branch"].is_boolean() and loads["load_id"].is_int64()
    assert con.table("firm_years").schema()["year"].is_int32() and loads["loaded_at"].is_timestamp()
    assert con.table("firms").count().execute() == spark_store.table("firms").count().execute() > 0
