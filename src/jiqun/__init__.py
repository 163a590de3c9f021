"""jiqun (集群): an industrial-cluster observatory.

Public API
----------
connect(url=None)
    Open (create, upgrade) a store and return its ibis connection.
jiqun.ingest.ingest_file, jiqun.ingest.ingest_table
    Validated, all-or-nothing loads.
jiqun.schema.TABLES
    The data model, declared once.
"""

__version__ = "0.1.0"

from .store import connect  # noqa: E402

__all__ = ["connect", "__version__"]
