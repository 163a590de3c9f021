"""connect() opens only DuckDB files, creates only *.duckdb files, and names who holds a lock."""

import duckdb
import pytest

import jiqun
from jiqun.store import StoreError
from jiqun.store.files import describe_file, lock_holder, lock_message


@pytest.mark.parametrize("content, words", [
    ("统一社会信用代码,年份\n1,2023\n".encode("gbk"), "a text file (CSV?) beginning '统一社会信用代码,年份'"),
    (b"PK\x03\x04" + b"\0" * 100, "Excel workbook"),
    (b"PAR1" + b"\0" * 100, "a Parquet file"),
    (b"SQLite format 3\x00" + b"\0" * 100, "a SQLite database"),
    (b"", "an empty file"),
])
@pytest.mark.parametrize("read_only", [False, True])
def test_connect_refuses_a_file_that_is_not_duckdb_and_leaves_it_alone(tmp_path, content, words, read_only):
    path = tmp_path / "data.csv"
    path.write_bytes(content)
    with pytest.raises(StoreError, match="not a jiqun store") as caught:
        jiqun.connect(path, read_only=read_only)
    assert str(path) in str(caught.value) and words in str(caught.value)
    assert path.read_bytes() == content


def test_connect_refuses_a_folder_and_a_new_store_not_named_duckdb(tmp_path):
    with pytest.raises(StoreError, match="is a folder"):
        jiqun.connect(tmp_path)
    with pytest.raises(StoreError, match="ending in .duckdb"):
        jiqun.connect(tmp_path / "firms.xlsx")
    assert not (tmp_path / "firms.xlsx").exists()
    with pytest.raises(StoreError, match="no store at"):
        jiqun.connect(tmp_path / "new.duckdb", read_only=True)
    assert not (tmp_path / "new.duckdb").exists()
    jiqun.connect(tmp_path / "new.duckdb").disconnect()  # the one way to create a store
    assert describe_file(tmp_path / "new.duckdb") == "a DuckDB database"


def test_an_empty_duckdb_file_is_not_read_as_an_empty_store(tmp_path):
    path = tmp_path / "other.duckdb"
    duckdb.connect(str(path)).close()
    with pytest.raises(StoreError, match="empty DuckDB database, not a jiqun store"):
        jiqun.connect(path, read_only=True)
    jiqun.connect(path).disconnect()  # writable: made a store (as `jiqun init` does)
    jiqun.connect(path, read_only=True).disconnect()


def test_lock_holder_from_duckdbs_message():
    message = ('IO Error: Could not set lock on file "/x/s.duckdb": Conflicting lock is held in '
               '/usr/bin/some-program (PID 999999999). See also https://duckdb.org/docs/current/connect/concurrency')
    assert lock_holder(message) == (999999999, "/usr/bin/some-program")  # no /proc entry: DuckDB's name
    assert lock_holder("IO Error: something else") is None
    text = lock_message("/x/s.duckdb", message)
    assert "PID 999999999 (/usr/bin/some-program)" in text and "占用" in text and "\n" not in text
