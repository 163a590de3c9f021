"""Short-lived read-only connections to a store shared with command-line loads, and a cache that a new
load invalidates.

A :class:`StoreReader` never keeps the store open: each read opens it read-only and closes it, so a load
(``jiqun ingest``) can take the file between two reads (:mod:`jiqun.store.waiting` makes the two sides
wait for each other). Results are cached by the store's *version* — the size and modification time of
the file and its write-ahead log — so a page read after a load sees the new data and pages read between
loads are served from memory.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from contextlib import contextmanager
from pathlib import Path

from ..store import StoreError, connect

#: Results kept per reader (oldest dropped first).
CACHE_ENTRIES = 256


class StoreReader:
    """Reads of one store file.

    Parameters
    ----------
    path : str or Path
        The DuckDB store (it must exist: a reader never creates one).
    """

    def __init__(self, path):
        self.path = Path(path)
        if not self.path.is_file():
            raise StoreError(f"no store at {self.path}: give the path of an existing jiqun store (--db), e.g. "
                             "the one `jiqun demo` wrote")
        self._cache: OrderedDict = OrderedDict()
        self._lock = threading.Lock()
        # One open connection at a time in this process: DuckDB's file lock is a POSIX lock, which the
        # process loses when *any* of its handles on the file closes; with overlapping connections a
        # load could take the file while another thread still reads it (and later readers would share
        # that thread's stale database instance).
        self._reading = threading.RLock()
        with self.connection():  # refuse at once what is not a jiqun store (a CSV, a newer store …)
            pass

    def version(self) -> tuple:
        """What changes when a load writes: the store's and its WAL's size and modification time."""
        parts = []
        for path in (self.path, self.path.with_name(self.path.name + ".wal")):
            try:
                stat = path.stat()
                parts.append((stat.st_size, stat.st_mtime_ns))
            except OSError:
                parts.append(None)
        return tuple(parts)

    @contextmanager
    def connection(self):
        """A read-only connection for one read, closed afterwards (waits out a load in progress); the
        process's reads take turns."""
        with self._reading:
            con = connect(self.path, create=False, read_only=True)
            try:
                yield con
            finally:
                con.disconnect()

    def write(self, change):
        """``change(con)`` on a read-write connection (a load through the page), after this process's
        reads in flight and before the next (the store's lock is the process's, see above); a new
        version follows, so every cached page is rebuilt on its next read."""
        with self._reading:
            con = connect(self.path, create=False)
            try:
                return change(con)
            finally:
                con.disconnect()

    def memo(self, key: tuple, build):
        """``build()`` (no connection of its own: it may call :meth:`cached`), or its result cached for
        the store's current version — for finished pages, whose reads are cached underneath."""
        version = self.version()
        found, value = self._lookup(key, version)
        if found:
            return value
        value = build()
        self._store(key, version, value)
        return value

    def _lookup(self, key: tuple, version: tuple) -> tuple[bool, object]:
        """(True, value) when ``key`` is cached for ``version``, else (False, None)."""
        with self._lock:
            hit = self._cache.get(key)
            if hit is None or hit[0] != version:
                return False, None
            self._cache.move_to_end(key)
            return True, hit[1]

    def _store(self, key: tuple, version: tuple, value) -> None:
        with self._lock:
            self._cache[key] = (version, value)
            self._cache.move_to_end(key)
            while len(self._cache) > CACHE_ENTRIES:
                self._cache.popitem(last=False)

    def cached(self, key: tuple, compute):
        """``compute(con)`` on a fresh connection, or its cached result for the store's current version."""
        found, value = self._lookup(key, self.version())
        if found:
            return value
        with self._reading:
            version = self.version()  # no load can start while this process holds the file
            found, value = self._lookup(key, version)  # another thread may have read it meanwhile
            if found:
                return value
            with self.connection() as con:
                value = compute(con)
        self._store(key, version, value)
        return value
