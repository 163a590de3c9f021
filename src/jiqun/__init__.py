"""jiqun (集群): an industrial-cluster observatory.

Public API
----------
connect(url=None)
    Open (create, upgrade) a store, fill the shipped reference catalogue, and return its ibis
    connection (:func:`jiqun.store.connect` opens the schema only).
jiqun.ingest.ingest_file, jiqun.ingest.ingest_table
    Validated, all-or-nothing loads.
jiqun.schema.TABLES
    The data model, declared once.
"""

from ._version import __version__
from .session import connect

__all__ = ["connect", "__version__"]
