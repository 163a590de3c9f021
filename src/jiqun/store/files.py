"""Checks on a store's file before DuckDB opens it: what a path is, and who holds its lock.

DuckDB 2 opens almost any path: a CSV or an Excel workbook given as the store is attached as
an empty in-memory database, and a missing path is created. These checks make sure a
command only ever opens a DuckDB file, or creates one where the user asked for one.
"""

from __future__ import annotations

import re
from pathlib import Path

#: Suffix of a store file that jiqun creates (an existing DuckDB file may have any name).
STORE_SUFFIX = ".duckdb"

#: Leading bytes of the formats an analyst is likely to pass by mistake.
_MAGIC = (
    (b"PK\x03\x04", "an Excel workbook or another zip file (.xlsx, .zip)"),
    (b"\xd0\xcf\x11\xe0", "an old-style Excel or Word file (.xls, .doc)"),
    (b"PAR1", "a Parquet file"),
    (b"SQLite format 3\x00", "a SQLite database"),
    (b"%PDF", "a PDF document"),
)


def is_duckdb_file(head: bytes) -> bool:
    """Whether the first bytes of a file are a DuckDB database header (``DUCK`` at offset 8)."""
    return len(head) >= 12 and head[8:12] == b"DUCK"


def describe_file(path: Path) -> str:
    """What a file looks like, in words, for an error message.

    Parameters
    ----------
    path : Path
        An existing file.

    Returns
    -------
    str
        E.g. ``"a DuckDB database"``, ``"an Excel workbook or another zip file (.xlsx, .zip)"``,
        ``"a text file (CSV?) beginning 'a,b'"``, ``"an empty file"``.
    """
    with open(path, "rb") as fh:
        head = fh.read(512)
    if not head:
        return "an empty file"
    if is_duckdb_file(head):
        return "a DuckDB database"
    for magic, words in _MAGIC:
        if head.startswith(magic):
            return words
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = head.decode(encoding)
        except UnicodeDecodeError:
            continue
        first = text.splitlines()[0] if text.splitlines() else ""
        first = first if len(first) <= 40 else first[:37] + "…"
        kind = "a text file (CSV?)" if ("," in text or "\t" in text) else "a text file"
        return f"{kind} beginning {first!r}"
    return "a file of another format (not a DuckDB database)"


def check_store_path(path: Path, create: bool) -> None:
    """Refuse a path that is not a jiqun store file, before DuckDB opens (or creates) it.

    Parameters
    ----------
    path : Path
        The store file.
    create : bool
        Whether a store may be created at ``path`` if nothing is there.

    Raises
    ------
    StoreError
        ``path`` is a folder, an existing file that is not a DuckDB database (a CSV, an
        Excel workbook, an empty file …), or does not exist and either ``create`` is false
        or its name does not end in ``.duckdb`` (so that a mistyped ``--db data.csv`` never
        creates a store).
    """
    from .connection import StoreError

    if path.is_dir():
        raise StoreError(f"{path} is a folder, not a store file; give the path of a .duckdb file "
                         f"(e.g. {path / 'jiqun.duckdb'}) 这是文件夹而非数据库文件，请指定 .duckdb 文件")
    if path.exists():
        try:
            looks_like = describe_file(path)
        except OSError as exc:
            raise StoreError(f"cannot read the store {path}: {exc.strerror} "
                             "无法读取数据库文件，请检查权限") from None
        if looks_like != "a DuckDB database":
            raise StoreError(f"cannot open {path}: it is {looks_like}, not a jiqun store; --db takes a .duckdb store "
                             "(data files are loaded with `jiqun ingest FILE --table NAME`) "
                             "该文件不是数据库，--db 须指定 .duckdb 数据库")
        return
    if not create:
        raise StoreError(f"no store at {path} (run `jiqun demo` or `jiqun init --db {path}`) "
                         "数据库不存在，请先运行 jiqun demo 或 jiqun init")
    if path.suffix.lower() != STORE_SUFFIX:
        raise StoreError(f"no store at {path}, and a new store is only created under a name ending in "
                         f"{STORE_SUFFIX} (e.g. {path.with_suffix(STORE_SUFFIX)}) "
                         f"数据库不存在；新建数据库的文件名须以 {STORE_SUFFIX} 结尾")
    if path.parent.exists() and not path.parent.is_dir():
        raise StoreError(f"cannot create the store {path}: {path.parent} is a file, not a folder "
                         "无法创建数据库：上级路径是文件而非文件夹")


def lock_holder(message: str) -> tuple[int, str] | None:
    """(PID, program) of the process that holds a store's lock, from DuckDB's lock error.

    DuckDB says ``Conflicting lock is held in /usr/bin/python3 (PID 1234)``; the program is
    given as its command line (``jiqun demo --out x``) when the operating system tells it
    (Linux ``/proc``), else as DuckDB names it.
    """
    match = re.search(r"lock is held in (.+?) \(PID (\d+)\)", message)
    if not match:
        return None
    pid, program = int(match.group(2)), match.group(1)
    try:
        words = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
        command = " ".join(w.decode("utf-8", "replace") for w in words if w)
    except OSError:
        command = ""
    if command:
        # "/venv/bin/python3 /venv/bin/jiqun demo" reads better as "jiqun demo"
        parts = command.split()
        if len(parts) > 1 and Path(parts[0]).name.startswith("python") and Path(parts[1]).name == "jiqun":
            parts = parts[1:]
        parts[0] = Path(parts[0]).name
        program = " ".join(parts)
    return pid, program if len(program) <= 80 else program[:77] + "…"


def lock_message(location: str, message: str, waited: float = 0.0) -> str:
    """One line saying which process holds the store's lock (and how long we waited) and what to do."""
    holder = lock_holder(message)
    who = f"another process, PID {holder[0]} ({holder[1]})" if holder else "another process"
    after = f" (waited {waited:g} s, the lock_wait setting)" if waited else ""
    return (f"cannot open {location}: it is in use by {who}{after} (DuckDB: one writer and no one else, or "
            "several readers); wait for that program to finish or close it, then run the command again "
            f"数据库正被{'进程 ' + str(holder[0]) + ' ' if holder else '其他程序'}占用，请等待其结束或关闭后重试")
