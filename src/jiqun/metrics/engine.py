"""The indicator engine's public entry points: plan, execute with the backend's production executor,
and store the results.

- :func:`compute_indicators`: the catalogue as one portable ibis expression (pure, nothing runs);
- :func:`compute_indicator_table` / :func:`indicator_frame`: the catalogue computed by the backend's
  production executor (:func:`jiqun.metrics.executors.executor_for`), as Arrow or pandas;
- :func:`write_indicator_results`: compute and replace the rows of ``indicator_results``.
"""

from __future__ import annotations

import datetime as dt

import ibis
import pyarrow as pa

from ..store import overwrite_table
from .base import LONG_SCHEMA, Options, stack
from .executors import executor_for
from .inputs import StoreFacts
from .planner import InputResolver, plan_indicators, group_expressions
from .registry import registry_ids

#: Column names of :func:`indicator_frame` (the store's names in :data:`LONG_SCHEMA` order).
FRAME_COLUMNS = {"cluster_id": "cluster", "region_code": "region", "year": "year", "indicator": "indicator",
                 "value": "value", "n_firms": "n_firms", "top_firm_share": "top_firm_share"}


def compute_indicators(con, opts: Options | None = None, indicators=None) -> ibis.Table:
    """Every indicator of the catalogue per cluster × region × year, long, as one portable ibis
    expression over ``con``'s tables (nothing is executed).

    Parameters
    ----------
    con : ibis backend
        The store.
    opts : Options, optional
        Leaders ``k``, CAGR window, reference region, levels (:class:`jiqun.metrics.base.Options`).
    indicators : iterable of str, optional
        Only these indicator ids (groups producing none of them are not built).

    Returns
    -------
    ibis.Table
        ``cluster_id, region_code, year, indicator, value, n_firms, top_firm_share``.

    Raises
    ------
    jiqun.metrics.planner.UnknownIndicatorError
        An id of ``indicators`` is not in the catalogue.
    """
    plan = plan_indicators(indicators, opts)
    parts = [part for _group, part in group_expressions(plan, InputResolver(con, plan, StoreFacts()))]
    if not parts:  # e.g. only a city-level measure asked for the province level
        return ibis.memtable(LONG_SCHEMA.empty_table())
    return stack(*parts)


def compute_indicator_table(con, opts: Options | None = None, indicators=None) -> pa.Table:
    """The catalogue (or ``indicators``) computed by ``con``'s production executor, as a pyarrow table
    of :data:`jiqun.metrics.base.LONG_SCHEMA` (the columns of :func:`compute_indicators`)."""
    return executor_for(con).run(plan_indicators(indicators, opts))


def indicator_frame(con, indicators=None, opts: Options | None = None):
    """The catalogue as a pandas DataFrame in the long layout, computed by ``con``'s production
    executor.

    Parameters
    ----------
    con : ibis backend
        A jiqun store on any backend (DuckDB file, Spark, …).
    indicators : iterable of str, optional
        Only these indicator ids (default: all).
    opts : Options, optional

    Returns
    -------
    pandas.DataFrame
        ``cluster, region, year, indicator, value, n_firms, top_firm_share``, one row per cluster ×
        region × year × indicator, sorted by the first four.
    """
    table = compute_indicator_table(con, opts, indicators).rename_columns(list(FRAME_COLUMNS.values()))
    table = table.sort_by([(c, "ascending") for c in ("cluster", "region", "year", "indicator")])
    return table.to_pandas()


def data_vintage(con) -> str:
    """The data vintage behind the results: declared vintages and the last load id (``loads``)."""
    loads = con.table("loads")
    summary = loads.aggregate(n=loads.count(), last_id=loads.load_id.max(), last_at=loads.loaded_at.max())
    row = summary.to_pyarrow().to_pylist()[0]
    if not row["n"]:
        return "no loads"
    declared = loads.filter(loads.vintage.notnull()).select("vintage").distinct().to_pyarrow()
    vintages = sorted(declared.column("vintage").to_pylist())
    label = "; ".join(vintages) if vintages else "undeclared vintage"
    return f"{label} (loads 1-{int(row['last_id'])}, last {row['last_at']:%Y-%m-%d %H:%M})"


def write_indicator_results(con, opts: Options | None = None, indicators=None) -> int:
    """Compute the catalogue and store it in ``indicator_results``, replacing the rows with the same
    (cluster_id, region_code, year, indicator). Returns the rows written.

    On DuckDB the replacement is one transaction; on other backends the table is rewritten from the
    kept and the new rows."""
    return save_indicator_results(con, compute_indicator_table(con, opts, indicators))


def save_indicator_results(con, table: pa.Table) -> int:
    """Store computed results (:func:`compute_indicator_table`) in ``indicator_results`` with the data
    vintage and the time, replacing the rows with the same keys. Returns the rows written."""
    n = table.num_rows
    table = table.append_column("vintage", pa.array([data_vintage(con)] * n, pa.string()))
    table = table.append_column("computed_at", pa.array([dt.datetime.now(dt.timezone.utc).replace(tzinfo=None)] * n,
                                                        pa.timestamp("us")))
    if getattr(con, "name", None) == "duckdb":
        from .._duck import replace_keyed_rows

        replace_keyed_rows(con, "indicator_results", table, ("cluster_id", "region_code", "year", "indicator"))
    else:
        _rewrite_results(con, table)
    return n


def _rewrite_results(con, table: pa.Table) -> None:
    """Portable replacement: the stored rows whose keys are not in ``table``, plus ``table``, written
    back with the stored column types (Spark: one overwrite job, not transactional)."""
    stored = con.table("indicator_results")
    schema = stored.schema().to_pyarrow()
    new = table.select(schema.names).cast(schema)
    keys = ["cluster_id", "region_code", "year", "indicator"]
    kept = stored.anti_join(ibis.memtable(new.select(keys)), keys).to_pyarrow().select(schema.names).cast(schema)
    overwrite_table(con, "indicator_results", pa.concat_tables([kept, new]))


def catalogue_ids() -> list[str]:
    """Ids of every indicator the engine computes (the registry, checked against the catalogue)."""
    return registry_ids()


__all__ = ["compute_indicators", "compute_indicator_table", "indicator_frame", "write_indicator_results",
           "save_indicator_results",
           "data_vintage", "catalogue_ids"]
