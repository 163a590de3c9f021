"""Versioned schema migrations.

A new store is created directly at :data:`SCHEMA_VERSION` from the table
declarations. An older store is upgraded by running, in order, every
migration whose version is above the store's. Each migration runs in its own
transaction with the version bump, so a failed upgrade leaves the store at
its previous version.

To change the schema: edit the declaration in :mod:`jiqun.schema.tables`,
append a migration here that brings a store of the previous version to the
new layout, and raise ``SCHEMA_VERSION``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable


@dataclass(frozen=True)
class Migration:
    version: int
    description: str
    apply: Callable  # apply(duckdb_connection) -> None


def _v1(db) -> None:  # pragma: no cover - version 1 is the initial layout, created directly
    raise RuntimeError("version 1 is created directly, never migrated to")


def _v2(db) -> None:
    """Add the evaluation tables (the layout as first released in version 2)."""
    from .._duck import fetch_all
    from ..schema import create_table_sql
    from ..schema.tables_meta import EVALUATION_RESULTS, EVALUATION_SCHEMES

    for table in (EVALUATION_SCHEMES, EVALUATION_RESULTS):
        fetch_all(db, create_table_sql(table))


def _v3(db) -> None:
    """Add ``firm_keys`` and the firm-key columns of ``transactions``, and fill them."""
    from .._duck import fetch_all
    from ..schema import create_table_sql
    from ..schema.tables_meta import FIRM_KEYS
    from .keys import fill_firm_keys

    fetch_all(db, create_table_sql(FIRM_KEYS))
    fetch_all(db, "ALTER TABLE transactions ADD COLUMN seller_key BIGINT")
    fetch_all(db, "ALTER TABLE transactions ADD COLUMN buyer_key BIGINT")
    fill_firm_keys(db, "transactions")


def _v4(db) -> None:
    """Rewrite ``transactions`` in its stored order (year, seller key), as loads now write it."""
    from .layout import rewrite_in_stored_order

    rewrite_in_stored_order(db, "transactions")


def _v5(db) -> None:
    """Add the change history (``load_changes``) and ``loads.undoes_load_id``.

    Loads made before version 5 have no history and cannot be undone."""
    from .._duck import fetch_all
    from ..schema import create_table_sql
    from ..schema.tables_meta import LOAD_CHANGES

    fetch_all(db, create_table_sql(LOAD_CHANGES))
    fetch_all(db, "ALTER TABLE loads ADD COLUMN IF NOT EXISTS undoes_load_id BIGINT")


def _v6(db) -> None:
    """Let the shipped catalogue be loaded again: the full GB/T 4754-2017 list (``industries.name_en``
    becomes optional) and the development zones of ``regions``.

    The catalogue itself is loaded by :func:`jiqun.connect` after the migrations
    (through the validated ingest path, which needs its own transaction): forgetting
    ``catalogue_loaded`` makes it upsert the shipped rows. Rows a user added stay; a shipped row the
    user edited is replaced by the shipped version. Independent of version 5.
    """
    from .._duck import fetch_all
    from .connection import META

    fetch_all(db, "ALTER TABLE industries ALTER COLUMN name_en DROP NOT NULL")
    fetch_all(db, f"DELETE FROM {META} WHERE key = 'catalogue_loaded'")


#: Instrument codes before version 7 → the OECD STIP Compass codes of ``schema/data/instruments.csv``.
V7_INSTRUMENTS = {"plan": "strategy", "subsidy": "grants_business_rd", "tax": "tax_relief_corporate",
                  "finance": "equity", "land": "land", "talent": "talent_programme", "procurement": "procurement_rd",
                  "platform": "networking_platforms", "regulation": "standards", "other": "other"}


def _v7(db) -> None:
    """Policies coded on the OECD STIP Compass instrument types, with target segments, target group, theme
    and text: the table is rebuilt in the declared column order (the four new columns empty) and the
    earlier instrument codes renamed."""
    from .._duck import fetch_all
    from ..schema import create_table_sql
    from ..schema.tables_facts import POLICIES

    kept = [name for name in POLICIES.column_names if name not in ("target_nodes", "target_group", "theme", "text")]
    cases = " ".join(f"WHEN '{old}' THEN '{new}'" for old, new in V7_INSTRUMENTS.items())
    selected = [f"CASE instrument {cases} ELSE instrument END" if name == "instrument" else name for name in kept]
    fetch_all(db, "ALTER TABLE policies RENAME TO policies_before_v7")
    fetch_all(db, create_table_sql(POLICIES))
    fetch_all(db, f"INSERT INTO policies ({', '.join(kept)}) SELECT {', '.join(selected)} FROM policies_before_v7")
    fetch_all(db, "DROP TABLE policies_before_v7")


def _v8(db) -> None:
    """Add ``firm_markets`` (market share and rank of firms' products, for the tier criteria)."""
    from .._duck import fetch_all
    from ..schema import create_table_sql
    from ..schema.tables_facts import FIRM_MARKETS

    present = fetch_all(db, "SELECT count(*) FROM information_schema.tables WHERE table_name = 'firm_markets'")
    if not present[0][0]:
        fetch_all(db, create_table_sql(FIRM_MARKETS))


MIGRATIONS: list[Migration] = [
    Migration(1, "initial schema: catalogue, fact, meta and indicator results tables", _v1),
    Migration(2, "evaluation_schemes and evaluation_results tables", _v2),
    Migration(3, "firm_keys and the integer firm keys of transactions (seller_key, buyer_key)", _v3),
    Migration(4, "transactions stored in order of year and seller key (the loader's order)", _v4),
    Migration(5, "change history (load_changes) and loads.undoes_load_id, for loads show and loads undo", _v5),
    Migration(6, "catalogue re-loaded: full GB/T 4754-2017 list (industries.name_en optional), "
                 "development zones in regions", _v6),
    Migration(7, "policies on the OECD STIP instrument types (codes renamed) with target_nodes, target_group, "
                 "theme and text", _v7),
    Migration(8, "firm_markets: market share and rank of firms' main products", _v8),
]

#: The schema version this jiqun writes.
SCHEMA_VERSION = max(m.version for m in MIGRATIONS)
