"""A store shared by a reading server and a writing load: each waits for the other (store.waiting)."""

from __future__ import annotations

import os
import subprocess
import sys
import time

import pytest

import jiqun
from jiqun.store import StoreError
from jiqun.store.waiting import announce, intent_path, withdraw, write_pending


def hold(store_path, seconds: float, read_only: bool) -> subprocess.Popen:
    """Another process holding the store for ``seconds`` (read-only or read-write)."""
    code = (f"import duckdb, time; c = duckdb.connect({str(store_path)!r}, read_only={read_only}); "
            f"print('ok', flush=True); time.sleep({seconds}); c.close()")
    holder = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True)
    assert holder.stdout.readline().strip() == "ok"
    return holder


@pytest.mark.parametrize("holder_reads", [True, False], ids=["writer waits for a reader", "reader waits for a writer"])
def test_one_side_waits_for_the_other(store_path, monkeypatch, holder_reads):
    monkeypatch.setenv("JIQUN_LOCK_WAIT", "20")
    holder = hold(store_path, 1.0, read_only=holder_reads)
    try:
        started = time.monotonic()
        con = jiqun.connect(store_path, read_only=not holder_reads)
        waited = time.monotonic() - started
        assert con.table("clusters").count().execute() == 14
        con.disconnect()
    finally:
        holder.wait(timeout=30)
    assert 0.3 < waited < 15
    assert not intent_path(store_path).exists()  # the writer withdrew its intent


def test_a_bounded_wait_ends_with_the_holder_named(store_path, monkeypatch):
    monkeypatch.setenv("JIQUN_LOCK_WAIT", "0.3")
    holder = hold(store_path, 30, read_only=False)
    try:
        with pytest.raises(StoreError, match=r"PID \d+.*waited 0.3 s"):
            jiqun.connect(store_path)
    finally:
        holder.kill()
        holder.wait()


def test_intent_files_are_only_believed_while_their_writer_lives(tmp_path, monkeypatch):
    store = tmp_path / "s.duckdb"
    path = announce(store)
    assert write_pending(store, 30) and not write_pending(store, -1)
    withdraw(path)
    assert not path.exists() and not write_pending(store, 30)
    intent_path(store).write_text("999999999", encoding="ascii")  # a writer that died
    assert not write_pending(store, 30)
    monkeypatch.setenv("JIQUN_LOCK_WAIT", "soon")
    with pytest.raises(StoreError, match="JIQUN_LOCK_WAIT"):
        jiqun.connect(tmp_path / "t.duckdb")
    assert os.path.exists(store.parent)
