"""The generic executor: the registry's portable expressions on any ibis backend."""

from __future__ import annotations

import logging
import time

import pyarrow as pa

from ..base import LONG_SCHEMA, has_reference_rows
from ..inputs import StoreFacts
from ..planner import InputResolver, Plan, group_expressions

log = logging.getLogger(__name__)


def concat_long(tables: list[pa.Table]) -> pa.Table:
    """Stack group results into one table of :data:`jiqun.metrics.base.LONG_SCHEMA` (backends differ
    in integer widths and dictionary-encoded strings)."""
    if not tables:
        return LONG_SCHEMA.empty_table()
    return pa.concat_tables([table.select(LONG_SCHEMA.names).cast(LONG_SCHEMA) for table in tables])


class PortableExecutor:
    """Run a :class:`jiqun.metrics.planner.Plan` with plain ibis on ``con``.

    Parameters
    ----------
    con : ibis backend
        Any backend holding jiqun's tables.
    materialise : bool
        Cache (``Table.cache()``) each input that several groups or inputs read, so that it is
        computed once (on Spark: a cached DataFrame); False evaluates every group from the store.
    """

    def __init__(self, con, materialise: bool = True):
        self.con = con
        self.materialise = materialise

    def run(self, plan: Plan) -> pa.Table:
        """The long results of ``plan`` as one pyarrow table (:data:`LONG_SCHEMA`)."""
        facts = StoreFacts(national_rows=has_reference_rows(self.con, plan.opts))
        cached = []

        def cache_shared(name, table):
            if not self.materialise or plan.readers(name) < 2:
                return table
            started = time.perf_counter()
            table = table.cache()
            cached.append(table)
            log.debug("cached input %s in %.1f s", name, time.perf_counter() - started)
            return table

        tables = InputResolver(self.con, plan, facts, materialise=cache_shared)
        results = []
        try:
            for group, expr in group_expressions(plan, tables):
                started = time.perf_counter()
                results.append(expr.to_pyarrow())
                log.debug("group %s: %d rows in %.1f s", group, results[-1].num_rows, time.perf_counter() - started)
        finally:
            for table in cached:
                table.release()
        return concat_long(results)
