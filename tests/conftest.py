"""Shared fixtures: a store with the shipped catalogue, valid USCCs, the shared reference data."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

import jiqun
from jiqun.codes import uscc_check_character

SHARED = Path(__file__).resolve().parents[2] / "shared"


@pytest.fixture(scope="session")
def _template_store(tmp_path_factory) -> Path:
    """A store created once per session (catalogue loaded), copied for each test."""
    path = tmp_path_factory.mktemp("template") / "template.duckdb"
    con = jiqun.connect(path)
    con.disconnect()
    return path


@pytest.fixture
def store_path(_template_store, tmp_path) -> Path:
    """Path of a fresh store (copy of the template) for one test."""
    path = tmp_path / "jiqun.duckdb"
    shutil.copy(_template_store, path)
    return path


@pytest.fixture
def store(store_path):
    """An open ibis connection to a fresh store with the shipped catalogue."""
    con = jiqun.connect(store_path)
    yield con
    con.disconnect()


def make_uscc_fn(serial: int, region: str = "320200") -> str:
    """A valid 18-character unified social credit code for ``serial``."""
    body = f"91{region}MA{serial:07d}"[:17]
    return body + uscc_check_character(body)


@pytest.fixture
def make_uscc():
    """Return f(serial, region='320200') -> a valid 18-character unified social credit code."""
    return make_uscc_fn


@pytest.fixture
def shared_reference() -> Path:
    """../shared/data/reference, or skip when the shared folder is absent (a user's clone)."""
    path = SHARED / "data" / "reference"
    if not path.exists():
        pytest.skip("../shared/data/reference is not available")
    return path


# The child loads a file through the public API with one internal step of the loader wrapped:
# `_record_load` writes the load's row as the last statement of the open transaction, just before
# COMMIT; the wrapper runs it, says where it is and sleeps, so the parent can kill it there.
_PAUSED_CHILD = """
import os
import sys
import time

import jiqun
from jiqun.ingest import ingest_file, load

record_load = load._record_load


def record_load_then_pause(*args, **kwargs):
    record_load(*args, **kwargs)
    print(f"JIQUN-PAUSED {os.getpid()}", flush=True)
    time.sleep(float(sys.argv[4]))


load._record_load = record_load_then_pause
con = jiqun.connect(sys.argv[1])
ingest_file(con, sys.argv[2], sys.argv[3])
print("JIQUN-CHILD-DONE", flush=True)
"""

#: Seconds the child sleeps in its transaction (it is killed long before).
PAUSE_SECONDS = 30


def _wait_for_line(proc, prefix: str, timeout: float):
    """The first line of ``proc``'s output starting with ``prefix`` (None if none within ``timeout`` s)."""
    import threading

    found: list[str] = []

    def reader():
        for line in proc.stdout:
            if line.startswith(prefix):
                found.append(line.strip())
                return

    thread = threading.Thread(target=reader, daemon=True)
    thread.start()
    thread.join(timeout)
    return found[0] if found else None


@pytest.fixture
def kill_load_before_commit():
    """Return f(store_path, file, table) -> (pause line, pid): loads ``file`` in a child process that
    pauses inside its open transaction after its last write (the loader's ``_record_load``, wrapped by
    the child), SIGKILLs it there and checks it died of the signal."""
    import os
    import signal
    import subprocess
    import sys

    if not hasattr(signal, "SIGKILL"):
        pytest.skip("needs SIGKILL")

    def kill(store_path, file, table):
        env = {**os.environ, "PYTHONUNBUFFERED": "1"}
        proc = subprocess.Popen([sys.executable, "-c", _PAUSED_CHILD, str(store_path), str(file), table,
                                 str(PAUSE_SECONDS)],
                                env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        try:
            line = _wait_for_line(proc, "JIQUN-PAUSED", timeout=60)
            assert line is not None, proc.stderr.read() if proc.poll() is not None else "no pause line"
            os.kill(proc.pid, signal.SIGKILL)
            assert proc.wait(timeout=30) == -signal.SIGKILL
            return line, proc.pid
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
            proc.stdout.close()
            proc.stderr.close()

    return kill


BENCHMARK_INDICATORS = Path(__file__).resolve().parents[1] / "benchmarks" / "indicators.py"


@pytest.fixture(scope="session")
def indicator_benchmark():
    """The module benchmarks/indicators.py (its synthetic store builder ``build_store`` and its pandas
    baseline), loaded from its file; skips when the checkout has no benchmarks folder."""
    import importlib.util

    if not BENCHMARK_INDICATORS.exists():
        pytest.skip("benchmarks/indicators.py is not in this checkout")
    spec = importlib.util.spec_from_file_location("jiqun_benchmark_indicators", BENCHMARK_INDICATORS)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="session")
def demo_store(tmp_path_factory):
    """The small demo loaded through ingest, with its indicator results and evaluation stored (as
    `jiqun demo` leaves them)."""
    from jiqun.demo.run import build_demo_store

    return build_demo_store(tmp_path_factory.mktemp("demo-store"))
