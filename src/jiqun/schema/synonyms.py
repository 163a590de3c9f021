"""Header synonyms as data: the spellings statistics offices and departments use for a column.

The shipped file ``data/header_synonyms.csv`` (``table, column, synonym, note``) lists, per table
and column, further header spellings such as 社会信用代码 / 统一代码 → ``uscc`` or
主营业务收入 → ``revenue_yuan``. They add to a column's English name, Chinese name and
``Column.aliases`` when ingest maps a file's headers (:mod:`jiqun.ingest.headers`), and
``jiqun tables NAME`` shows them. The file is read once per process.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path

from .model import Column
from .tables import TABLES

SYNONYMS_FILE = "header_synonyms.csv"


@dataclass(frozen=True)
class Synonym:
    """One accepted header spelling of ``table.column`` and where it comes from (``note``)."""

    table: str
    column: str
    synonym: str
    note: str


def synonyms_path() -> Path:
    """Path of the shipped synonyms file."""
    return Path(str(resources.files(__package__) / "data" / SYNONYMS_FILE))


@cache
def synonym_rows() -> tuple[Synonym, ...]:
    """Every row of the shipped synonyms file, in file order (read once, cached).

    Raises
    ------
    ValueError
        A row names a table or column that is not declared (the file and the declarations disagree).
    """
    rows = []
    with open(synonyms_path(), encoding="utf-8", newline="") as fh:
        for line, row in enumerate(csv.DictReader(fh), start=2):
            table, column = row["table"].strip(), row["column"].strip()
            if table not in TABLES or column not in TABLES[table].column_names:
                raise ValueError(f"{SYNONYMS_FILE} line {line}: unknown column {table}.{column}")
            rows.append(Synonym(table, column, row["synonym"].strip(), (row.get("note") or "").strip()))
    return tuple(rows)


def header_synonyms(table: str) -> dict[str, tuple[str, ...]]:
    """Synonyms of each column of ``table`` that has any: ``{column: (synonym, …)}``.

    Parameters
    ----------
    table : str
        Name of a declared table.

    Returns
    -------
    dict of str to tuple of str
        Columns in declaration order; synonyms in file order.
    """
    found: dict[str, list[str]] = {}
    for row in synonym_rows():
        if row.table == table:
            found.setdefault(row.column, []).append(row.synonym)
    order = TABLES[table].column_names if table in TABLES else []
    return {c: tuple(found[c]) for c in order if c in found}


@cache
def _by_column_identity() -> dict[int, tuple[str, ...]]:
    # Columns are compared by identity: equal declarations in two tables (e.g. the ``uscc`` of
    # firm_years and of firm_chain_nodes) are different objects with their own synonyms.
    out: dict[int, tuple[str, ...]] = {}
    for table in TABLES.values():
        synonyms = header_synonyms(table.name)
        for col in table.columns:
            out[id(col)] = synonyms.get(col.name, ())
    return out


def column_synonyms(column: Column) -> tuple[str, ...]:
    """Synonyms of a declared column object (one of ``TABLES[…].columns``); ``()`` for any other."""
    return _by_column_identity().get(id(column), ())
