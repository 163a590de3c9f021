"""Sharing one store file between a server that reads and command-line loads that write.

DuckDB lets one process write a file, or several read it, never both at once. The web server therefore
reads through short-lived read-only connections (one per request), and the two sides take turns:

- a writer (``jiqun ingest`` …) that finds the file held by readers announces itself with an intent file
  beside the store (``STORE.write-intent``, holding its PID) and retries until the readers' connections
  close, for at most the ``lock_wait`` setting (seconds);
- a reader that sees a live intent does not open a new connection until the writer has the file, then
  retries while the write holds it, for as long.

So a load waits at most for the requests in flight, and a reader waits at most for one load; neither
sees an error unless the other side holds the file for longer than ``lock_wait``.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

INTENT_SUFFIX = ".write-intent"
#: First pause between two attempts (seconds); doubled up to RETRY_MAX.
RETRY_FIRST = 0.02
RETRY_MAX = 0.25


def intent_path(store: Path) -> Path:
    """The intent file of a store: ``jiqun.duckdb`` → ``jiqun.duckdb.write-intent``."""
    store = Path(store)
    return store.with_name(store.name + INTENT_SUFFIX)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process: it exists
        return True
    return True


def write_pending(store: Path, max_age: float) -> bool:
    """Whether a writer is waiting for the store: an intent file younger than ``max_age`` seconds whose
    process is alive (a writer that died leaves a stale file, which is ignored)."""
    path = intent_path(store)
    try:
        age = time.time() - path.stat().st_mtime
        pid = int(path.read_text(encoding="ascii").strip() or 0)
    except (OSError, ValueError):
        return False
    return age <= max_age and pid > 0 and _alive(pid)


def announce(store: Path) -> Path | None:
    """Write this process's intent file (refreshing its time); None when the folder is not writable."""
    path = intent_path(store)
    try:
        path.write_text(str(os.getpid()), encoding="ascii")
    except OSError:
        return None
    return path


def withdraw(path: Path | None) -> None:
    """Remove an intent file written by :func:`announce` (if it is still this process's)."""
    if path is None:
        return
    try:
        if path.read_text(encoding="ascii").strip() == str(os.getpid()):
            path.unlink()
    except (OSError, ValueError):
        pass


def is_lock_error(exc: BaseException) -> bool:
    """Whether DuckDB refused to open a file because another process holds it."""
    return "lock" in str(exc).lower()


def open_shared(open_file, store: Path, read_only: bool, wait: float):
    """``open_file()`` (a DuckDB connect), retried while another process holds the store's lock.

    Parameters
    ----------
    open_file : callable
        Opens the store; raises DuckDB's lock error while another process holds it.
    store : Path
        The store's file.
    read_only : bool
        A reader waits for an announced writer before trying; a writer announces itself while it retries.
    wait : float
        Seconds to keep trying (0: once).

    Returns
    -------
    The connection ``open_file`` returned; its last lock error when ``wait`` runs out.
    """
    deadline = time.monotonic() + max(0.0, wait)
    pause = RETRY_FIRST
    intent = None
    try:
        while True:
            if read_only and write_pending(store, wait) and time.monotonic() < deadline:
                time.sleep(pause)
                pause = min(pause * 2, RETRY_MAX)
                continue
            try:
                return open_file()
            except Exception as exc:  # duckdb.IOException: held by another process
                if not is_lock_error(exc) or time.monotonic() >= deadline:
                    raise
            if not read_only:
                intent = announce(store)
            time.sleep(pause)
            pause = min(pause * 2, RETRY_MAX)
    finally:
        withdraw(intent)
