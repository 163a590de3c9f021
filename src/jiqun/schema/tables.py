"""The declaration of every table jiqun stores: the single source of truth.

DDL (:mod:`jiqun.schema.ddl`), ingest validation (:mod:`jiqun.ingest.validate`)
and ``docs/data-model.md`` (:mod:`jiqun.schema.docs`) are all derived from
:data:`TABLES`. Layers: ``catalogue`` tables are the shipped reference lists a
user may edit; ``fact`` tables hold the user's data; ``meta`` tables record
provenance.
"""

from __future__ import annotations

from .model import Table
from .tables_catalogue import (CHAIN_LINKS, CHAIN_NODE_PRODUCTS, CHAIN_NODE_TECHNOLOGIES, CHAIN_NODES,
                               CLUSTER_INDUSTRIES, CLUSTER_REGIONS, CLUSTERS, COUNTRIES, HS_CHAPTERS,
                               INDUSTRIES, IPC_FIELDS, REGIONS)
from .tables_facts import (FIRM_CHAIN_NODES, FIRM_MARKETS, FIRM_YEARS, FIRMS, ORGANIZATION_YEARS, ORGANIZATIONS, PATENTS,
                           POLICIES, REGIONAL_EMPLOYMENT, TALENT_MOVES, TRADE, TRADEMARKS, TRANSACTIONS)
from .tables_meta import EVALUATION_RESULTS, EVALUATION_SCHEMES, FIRM_KEYS, INDICATOR_RESULTS, LOAD_CHANGES, LOADS, QUARANTINE
from .vocab import *  # noqa: F401,F403  (vocabularies, IPC_PATTERN, YEAR … stay importable from here)

TABLES: dict[str, Table] = {
    t.name: t
    for t in (
        REGIONS, INDUSTRIES, COUNTRIES, HS_CHAPTERS, IPC_FIELDS, CLUSTERS, CLUSTER_INDUSTRIES,
        CLUSTER_REGIONS, CHAIN_NODES, CHAIN_NODE_PRODUCTS, CHAIN_NODE_TECHNOLOGIES, CHAIN_LINKS,
        FIRMS, FIRM_YEARS, FIRM_CHAIN_NODES, FIRM_MARKETS, TRANSACTIONS, TRADE, PATENTS, TRADEMARKS,
        REGIONAL_EMPLOYMENT, ORGANIZATIONS, ORGANIZATION_YEARS, POLICIES, TALENT_MOVES,
        LOADS, LOAD_CHANGES, QUARANTINE, FIRM_KEYS, INDICATOR_RESULTS, EVALUATION_SCHEMES, EVALUATION_RESULTS,
    )
}

#: Tables a user loads with ``jiqun ingest`` (catalogue tables can be edited too).
LOADABLE = [t.name for t in TABLES.values() if t.layer in ("catalogue", "fact")]
