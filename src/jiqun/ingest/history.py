"""Change history of loads (``load_changes``): what a load inserted and changed, and its undo.

Every load records, in its own transaction, one ``load_changes`` row per inserted row (kind
``insert``, the key only) and one per changed cell of an updated row (kind ``update``, with the
old and the new value as the text of the typed value; DuckDB writes a double in its shortest form
that reads back to the same double, so old values are restored exactly). The diff is computed in
SQL, in one scan of the file's rows joined to the store (no Python loop).

:func:`load_changes` summarises one load (counts per column and the first changes);
:func:`undo_load` restores the store to before a load, refusing when a later load touched the same
rows or the load was already undone. An undo is recorded as a row of ``loads`` with mode ``undo``
whose ``undoes_load_id`` names the load it reverted; the undone load keeps its history (its new
values stay readable), and a later undo of a load ignores loads that were undone.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field

from .. import settings
from .._duck import duckdb_connection, fetch_one, fetch_all
from ..schema import TABLES, get_table
from ..schema.ddl import quote
from ..schema.model import Table

#: Temp table of the changes of the load being prepared (before its commit, or a dry run).
CHANGES = "_jiqun_changes"
#: Changes listed by default in a summary.
FIRST_CHANGES = 20


class HistoryError(ValueError):
    """A history request is refused (unknown load, already undone, a later load in the way)."""


@dataclass
class Change:
    """One inserted row or one changed cell."""

    row_key: dict
    kind: str
    column: str | None = None
    old_value: str | None = None
    new_value: str | None = None


@dataclass
class ChangeSummary:
    """What one load inserted and changed (or, for a dry run, would).

    ``cells_changed`` counts the changed cells per column; ``first_changes`` lists the first
    changes (updates first, then inserted keys, each in key order).
    """

    table: str
    load_id: int | None = None
    rows_inserted: int = 0
    rows_updated: int = 0
    cells_changed: dict[str, int] = field(default_factory=dict)
    first_changes: list[Change] = field(default_factory=list)
    undone_by: int | None = None
    mode: str | None = None
    source_file: str | None = None

    def as_dict(self) -> dict:
        """The summary as plain JSON-ready values."""
        return {
            "load_id": self.load_id, "table": self.table, "mode": self.mode, "source_file": self.source_file,
            "rows_inserted": self.rows_inserted, "rows_updated": self.rows_updated,
            "cells_changed": dict(self.cells_changed), "undone_by": self.undone_by,
            "first_changes": [{"row_key": c.row_key, "kind": c.kind, "column": c.column,
                               "old_value": c.old_value, "new_value": c.new_value} for c in self.first_changes],
        }


@dataclass
class UndoResult:
    """What :func:`undo_load` did."""

    load_id: int
    undo_load_id: int
    table: str
    rows_deleted: int
    rows_restored: int
    cells_restored: int


# --------------------------------------------------------------------------- recording
def row_key_sql(spec: Table, alias: str) -> str:
    """SQL of the JSON text of a row's primary key (as stored in ``load_changes.row_key``)."""
    fields = ", ".join(f"{quote(k)} := {alias}.{quote(k)}" for k in spec.primary_key)
    return f"CAST(to_json(struct_pack({fields})) AS VARCHAR)"


def record_changes(db, spec: Table, valid: str, compared: list[str], load_id: int | None) -> ChangeSummary:
    """Write the changes that loading the rows of ``valid`` makes into the history and summarise them.

    With a ``load_id`` (inside the load's transaction, before the rows are written) the changes go
    to ``load_changes``; without one (a dry run) to the temp table :data:`CHANGES`. A change is a
    row of ``valid`` whose key is not in the store (an insert) or, for the others, a column of
    ``compared`` whose value differs from the stored one (an update of that cell).
    """
    target = "load_changes" if load_id is not None else CHANGES
    if load_id is None:
        fetch_all(db, f"CREATE OR REPLACE TEMP TABLE {CHANGES} AS SELECT * FROM load_changes LIMIT 0")
    table = quote(spec.name)
    join = " AND ".join(f"t.{quote(k)} = v.{quote(k)}" for k in spec.primary_key)
    matched = f"t.{quote(spec.primary_key[0])} IS NOT NULL"
    # one join of the file's rows with the store: a new key gives one insert change, an existing
    # key one update change per differing column
    null = "CAST(NULL AS VARCHAR)"
    insert = f"[{{'k': 'insert', 'c': {null}, 'o': {null}, 'n': {null}}}]"
    cells = ", ".join(
        f"CASE WHEN v.{quote(c)} IS DISTINCT FROM t.{quote(c)} THEN {{'k': 'update', 'c': '{c}', "
        f"'o': CAST(t.{quote(c)} AS VARCHAR), 'n': CAST(v.{quote(c)} AS VARCHAR)}} END" for c in compared)
    differs = "FALSE"
    if compared:
        v_row = ", ".join(f"v.{quote(c)}" for c in compared)
        t_row = ", ".join(f"t.{quote(c)}" for c in compared)
        differs = f"({v_row}) IS DISTINCT FROM ({t_row})"
    changes = f"CASE WHEN {matched} THEN [{cells}] ELSE {insert} END" if compared else insert
    load = "NULL" if load_id is None else str(int(load_id))
    fetch_all(db, f"INSERT INTO {target} SELECT {load}, '{spec.name}', _key, _c.k, _c.c, _c.o, _c.n FROM "
            f"(SELECT {row_key_sql(spec, 'v')} AS _key, unnest({changes}) AS _c FROM {valid} v "
            f"LEFT JOIN {table} t ON {join} WHERE NOT ({matched}) OR {differs}) WHERE _c IS NOT NULL")
    if load_id is None:
        return _summarize(db, CHANGES, "TRUE", [], ChangeSummary(spec.name), FIRST_CHANGES)
    return _summarize(db, "load_changes", "load_id = ?", [int(load_id)], ChangeSummary(spec.name, load_id),
                      FIRST_CHANGES)


def _summarize(db, relation: str, where: str, params: list, summary: ChangeSummary, limit: int) -> ChangeSummary:
    summary.rows_inserted, summary.rows_updated = fetch_one(
        db, f"SELECT count(*) FILTER (WHERE kind = 'insert'), count(DISTINCT row_key) FILTER (WHERE kind = 'update') "
            f"FROM {relation} WHERE {where}", params)
    summary.cells_changed = dict(fetch_all(
        db, f"SELECT column_name, count(*) FROM {relation} WHERE {where} AND kind = 'update' "
            f"GROUP BY column_name ORDER BY column_name", params))
    rows = fetch_all(db, f"SELECT row_key, kind, column_name, old_value, new_value FROM {relation} WHERE {where} "
                   f"ORDER BY kind = 'insert', row_key, column_name LIMIT {int(limit)}", params)
    summary.first_changes = [Change(json.loads(key), kind, column, old, new) for key, kind, column, old, new in rows]
    return summary


# --------------------------------------------------------------------------- reading
def _load_row(db, load_id: int):
    row = fetch_one(db, "SELECT table_name, mode, source_file, sha256, file_format, encoding, rows_inserted, rows_updated "
                  "FROM loads WHERE load_id = ?", [load_id])
    if row is None:
        ids = [r[0] for r in fetch_all(db, "SELECT load_id FROM loads ORDER BY load_id")]
        shown = _id_list(ids)
        raise HistoryError(f"unknown load id {load_id}; valid ids: {shown or 'none (no loads yet)'} "
                           f"— run `jiqun loads` to list them / 未知的加载编号 {load_id}，有效编号：{shown or '无'}")
    return row


def _id_list(ids: list[int]) -> str:
    """Ids as ranges: 1-12, 14, 16-20."""
    parts, start = [], None
    for position, value in enumerate(ids):
        if start is None:
            start = value
        if position + 1 == len(ids) or ids[position + 1] != value + 1:
            parts.append(str(start) if start == value else f"{start}-{value}")
            start = None
    return ", ".join(parts)


def _undone_by(db, load_id: int) -> int | None:
    row = fetch_one(db, "SELECT min(load_id) FROM loads WHERE undoes_load_id = ?", [load_id])
    return row[0] if row else None


def load_changes(con, load_id: int, limit: int = FIRST_CHANGES) -> ChangeSummary:
    """What load ``load_id`` inserted and changed.

    Parameters
    ----------
    con : ibis DuckDB backend or duckdb connection
        The store.
    load_id : int
        A ``loads.load_id``.
    limit : int
        How many changes to list in ``first_changes``.

    Returns
    -------
    ChangeSummary

    Raises
    ------
    HistoryError
        No such load (the message lists the valid ids).
    """
    db = duckdb_connection(con)
    table, mode, source, *_ = _load_row(db, int(load_id))
    summary = ChangeSummary(table, load_id=int(load_id), mode=mode, source_file=source,
                            undone_by=_undone_by(db, int(load_id)))
    return _summarize(db, "load_changes", "load_id = ?", [int(load_id)], summary, limit)


# --------------------------------------------------------------------------- undo
def _later_loads(db, load_id: int) -> list[int]:
    """Loads after ``load_id``, not undone, that inserted or changed a row ``load_id`` touched."""
    return [r[0] for r in fetch_all(db, 
        "SELECT DISTINCT later.load_id FROM load_changes later JOIN (SELECT DISTINCT table_name, row_key "
        "FROM load_changes WHERE load_id = ?) mine ON later.table_name = mine.table_name "
        "AND later.row_key = mine.row_key WHERE later.load_id > ? AND later.load_id NOT IN "
        "(SELECT undoes_load_id FROM loads WHERE undoes_load_id IS NOT NULL) ORDER BY 1", [load_id, load_id])]


def _references(table: str) -> list[tuple[str, tuple, tuple, str | None]]:
    """Where rows of ``table`` are referenced: (table, columns, referenced columns, condition) of every
    declared foreign key and every single-code column checked against ``table``'s key."""
    from .validate import CODE_TABLES

    out = []
    for other in TABLES.values():
        if other.layer not in ("catalogue", "fact"):
            continue
        out += [(other.name, fk.columns, fk.ref_columns, fk.when) for fk in other.foreign_keys
                if fk.ref_table == table]
        out += [(other.name, (col.name,), (CODE_TABLES[col.codelist][1],), None) for col in other.columns
                if col.codelist in CODE_TABLES and not col.multi and CODE_TABLES[col.codelist][0] == table]
    return out


def _still_referenced(db, spec: Table, load_id: int) -> list[str]:
    """Tables whose rows refer to a row that undoing ``load_id`` would delete, with the counts."""
    deleted = (f"SELECT row_key FROM load_changes WHERE load_id = {int(load_id)} AND kind = 'insert' "
               f"AND table_name = '{spec.name}'")
    out = []
    for other, columns, ref_columns, when in dict.fromkeys(_references(spec.name)):
        refs = ", ".join(f"r.{quote(c)}" for c in columns)
        keys = ", ".join(f"t.{quote(c)}" for c in ref_columns)
        sql = (f"SELECT count(*) FROM (SELECT * FROM {quote(other)} WHERE {when or 'TRUE'}) r WHERE ({refs}) IN "
               f"(SELECT ({keys}) FROM {quote(spec.name)} t WHERE {row_key_sql(spec, 't')} IN ({deleted}))")
        if other == spec.name:  # a row deleted with the ones it refers to is no dangling reference
            sql += f" AND {row_key_sql(spec, 'r')} NOT IN ({deleted})"
        rows = fetch_one(db, sql)[0]
        if rows:
            out.append(f"{other}.{', '.join(columns)} ({rows:,} rows)")
    return out


def _check_undoable(db, load_id: int) -> tuple:
    row = _load_row(db, load_id)
    table, mode, _source, _sha, _fmt, _enc, inserted, updated = row
    if mode == "undo":
        raise HistoryError(f"load {load_id} is itself an undo and cannot be undone; load the file again instead "
                           f"/ 加载 {load_id} 本身是撤销操作，不能再撤销；请重新加载文件")
    undone_by = _undone_by(db, load_id)
    if undone_by is not None:
        raise HistoryError(f"load {load_id} was already undone (by load {undone_by}) "
                           f"/ 加载 {load_id} 已被撤销（撤销记录 {undone_by}）")
    recorded = fetch_one(db, "SELECT count(*) FROM load_changes WHERE load_id = ?", [load_id])[0]
    if recorded == 0 and (inserted or updated):
        raise HistoryError(f"load {load_id} was made before the change history existed (schema version 5) and "
                           f"cannot be undone / 加载 {load_id} 早于变更历史（第5版），无法撤销")
    later = _later_loads(db, load_id)
    if later:
        ids = ", ".join(map(str, later))
        raise HistoryError(f"load {load_id} cannot be undone: later load(s) {ids} changed or inserted the same rows; "
                           f"undo those first (`jiqun loads undo {later[-1]}`) / 加载 {load_id} 无法撤销：之后的加载 "
                           f"{ids} 修改了相同的行，请先撤销它们")
    referenced = _still_referenced(db, get_table(table), load_id)
    if referenced:
        where = "; ".join(referenced)
        raise HistoryError(f"load {load_id} cannot be undone: rows it inserted into {table} are referenced by "
                           f"{where}; undo or correct those loads first / 加载 {load_id} 无法撤销：其新增的 {table} "
                           f"行仍被引用（{where}），请先撤销或更正相关加载")
    return row


def undo_load(con, load_id: int) -> UndoResult:
    """Restore the store to before load ``load_id``, in one transaction.

    Deletes the rows the load inserted, writes back the old value of every cell it changed (and
    the firm keys of restored USCC columns), and records the undo as a ``loads`` row with mode
    ``undo`` and ``undoes_load_id = load_id``. Firm keys (``firm_keys``) stay: keys never change.

    Parameters
    ----------
    con : ibis DuckDB backend or duckdb connection
        The store (writable).
    load_id : int
        The load to undo.

    Returns
    -------
    UndoResult

    Raises
    ------
    HistoryError
        Unknown load, already undone, an undo itself, made before the history existed, or a later
        load (not undone) inserted or changed one of its rows (the message names those loads).
    """
    from .._version import __version__

    db = duckdb_connection(con)
    load_id = int(load_id)
    table, _mode, source, sha, file_format, encoding, _ins, _upd = _check_undoable(db, load_id)
    spec = get_table(table)
    mine = "SELECT row_key FROM load_changes WHERE load_id = ? AND kind = ?"
    key = row_key_sql(spec, "t")
    columns = [r[0] for r in fetch_all(db, "SELECT DISTINCT column_name FROM load_changes WHERE load_id = ? "
                                     "AND kind = 'update' ORDER BY 1", [load_id])]
    fetch_all(db, "BEGIN TRANSACTION")
    try:
        deleted = fetch_one(db, f"DELETE FROM {quote(table)} t WHERE {key} IN ({mine})", [load_id, "insert"])[0]
        cells = 0
        for name in columns:
            col = spec.column(name)
            cells += fetch_one(db, f"UPDATE {quote(table)} t SET {quote(name)} = CAST(c.old_value AS {col.storage_type}) "
                             f"FROM load_changes c WHERE c.load_id = ? AND c.kind = 'update' AND c.column_name = ? "
                             f"AND c.row_key = {key}", [load_id, name])[0]
        for keyed in spec.key_columns:
            if keyed.key_of in columns:
                fetch_all(db, f"UPDATE {quote(table)} t SET {quote(keyed.name)} = (SELECT k.firm_key FROM firm_keys k "
                        f"WHERE k.uscc = t.{quote(keyed.key_of)}) WHERE {key} IN (SELECT row_key FROM load_changes "
                        f"WHERE load_id = ? AND column_name = ?)", [load_id, keyed.key_of])
        restored = fetch_one(db, "SELECT count(DISTINCT row_key) FROM load_changes WHERE load_id = ? AND kind = 'update'",
                       [load_id])[0]
        undo_id = fetch_one(db, "SELECT coalesce(max(load_id), 0) + 1 FROM loads")[0]
        fetch_all(db, "INSERT INTO loads (load_id, source_file, sha256, table_name, file_format, encoding, mode, "
                "rows_in_file, rows_inserted, rows_updated, rows_unchanged, rows_rejected, loaded_at, vintage, "
                "user_name, jiqun_version, undoes_load_id) VALUES (?, ?, ?, ?, ?, ?, 'undo', 0, 0, ?, 0, 0, ?, "
                "NULL, ?, ?, ?)",
            [undo_id, source, sha, table, file_format, encoding, restored,
             dt.datetime.now(dt.timezone.utc).replace(tzinfo=None), settings.get("user"), __version__, load_id])
        fetch_all(db, "COMMIT")
    except BaseException:
        fetch_all(db, "ROLLBACK")
        raise
    return UndoResult(load_id, undo_id, table, deleted, restored, cells)
