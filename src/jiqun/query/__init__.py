"""The query layer (查询层): the one read path of the web pages, the REST API and the reports.

Public API
----------
Query
    Page data (JSON-ready dicts) read through a scope; unknown ids and years raise NotFound.
Scope, FULL_ACCESS
    Who reads: visible clusters, regions and whether firm-level rows are shown.
StoreReader
    Short-lived read-only connections and a cache invalidated by each load.
NotFound
    An unknown cluster, region or year, with the valid choices.
"""

from .pages import HEADLINE_INDICATORS, NotFound, Query
from .reader import StoreReader
from .scope import FULL_ACCESS, Scope

__all__ = ["Query", "Scope", "FULL_ACCESS", "StoreReader", "NotFound", "HEADLINE_INDICATORS"]
