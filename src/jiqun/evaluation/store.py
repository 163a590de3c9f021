"""Reading an evaluation's inputs from the store (the only I/O of :mod:`jiqun.evaluation`).

Indicator values come from ``indicator_results`` when it holds the scheme's indicators;
otherwise they are computed on the fly with :func:`jiqun.metrics.engine.compute_indicator_table`.
"""

from __future__ import annotations

import pandas as pd

from ..schema.vocab import ANALYSED_REGION_LEVELS, NATION_CODE
from .explain import Names
from .scheme import Scheme

#: Levels an evaluation compares units at (``--region``); only membership matters here, so the
#: canonical order of the indicators is kept.
LEVELS = ANALYSED_REGION_LEVELS


def filter_level(values: pd.DataFrame, level: str) -> pd.DataFrame:
    """Rows of one geographic level: province (``xx0000``) or prefecture city (``xxxx00``)."""
    code = values["region_code"].astype(str)
    if level == "province":
        keep = code.str.endswith("0000") & (code != NATION_CODE)
    elif level == "city":
        keep = code.str.endswith("00") & ~code.str.endswith("0000")
    else:
        raise ValueError(f"unknown level {level!r}; use province or city")
    return values[keep & (values["cluster_id"] != "all")]


def indicator_values(con, scheme: Scheme) -> tuple[pd.DataFrame, str]:
    """(long frame of the scheme's indicators, data vintage) from the store."""
    wanted = scheme.indicators()
    stored = con.table("indicator_results")
    frame = stored.filter(stored.indicator.isin(wanted)).execute()
    if not frame.empty:
        vintages = sorted({v for v in frame["vintage"].dropna()})
        return frame, "; ".join(vintages) or "undeclared vintage"
    from ..metrics.engine import compute_indicator_table, data_vintage

    frame = compute_indicator_table(con, indicators=wanted).to_pandas()
    return frame, data_vintage(con)


def display_names(con, scheme: Scheme, values: pd.DataFrame) -> tuple[Names, dict]:
    """Names of dimensions and indicators (catalogue) and of the units (clusters, regions)."""
    try:
        from ..metrics.catalogue import load_catalogue

        cat = load_catalogue()
    except ImportError:
        cat = {}
    inds = {j: (cat[j].name_zh, cat[j].name_en) for j in scheme.indicators() if j in cat}
    dims = {d.id: (d.name_zh, d.name_en) for d in scheme.dimensions.values()}
    clusters = con.table("clusters").select("cluster_id", "name_zh", "name_en").execute()
    regions = con.table("regions").select("region_code", "name_zh", "name_en").execute()
    cn = {r.cluster_id: (r.name_zh, r.name_en) for r in clusters.itertuples()}
    rn = {r.region_code: (r.name_zh, r.name_en) for r in regions.itertuples()}
    units = {}
    for cid, region in values[["cluster_id", "region_code"]].drop_duplicates().itertuples(index=False):
        c = cn.get(cid, (cid, cid))
        if str(region).endswith("0000"):
            units[(cid, region)] = c
        else:
            r = rn.get(region, (region, region))
            units[(cid, region)] = (f"{r[0]}{c[0]}", f"{c[1]} ({r[1]})")
    return Names(dims, inds), units


def evaluate_store(con, scheme: Scheme, level: str = "province", year: int | None = None, all_years: bool = False,
                   reference: dict | None = None, draws: int | None = None, seed: int | None = None):
    """Evaluate the clusters of a store: (evaluations, unit display names)."""
    from .run import EvaluationError, evaluate, evaluate_years

    values, vintage = indicator_values(con, scheme)
    values = filter_level(values, level)
    if values.empty:
        raise EvaluationError(f"no {level}-level values of the scheme's indicators in the store "
                              "(run `jiqun indicators --save` or `jiqun demo` first)")
    names, units = display_names(con, scheme, values)
    kwargs = dict(names=names, unit_names=units, reference=reference, vintage=vintage, draws=draws, seed=seed)
    evaluations = evaluate_years(values, scheme, **kwargs) if all_years else [evaluate(values, scheme, year, **kwargs)]
    return evaluations, units


RESULT_COLUMNS = ("scheme_sha256", "year", "cluster_id", "region_code", "score", "rank", "type",
                  "dimension_scores", "rank_p05", "rank_p95", "type_probability", "weakest_dimension",
                  "explanation_zh", "explanation_en", "vintage", "computed_at")


def write_evaluation_results(con, evaluations, scheme: Scheme, unit_names: dict | None = None) -> int:
    """Store evaluations with their scheme text, hash and vintage.

    Rows for the same (scheme, year, cluster, region) are replaced, so re-running an
    evaluation is idempotent. On DuckDB one transaction writes everything; on another backend
    (Spark) :func:`write_results_portable` rewrites the two small tables through ibis. Returns the
    number of rows written.
    """
    import datetime as dt

    now = dt.datetime.now(dt.timezone.utc).replace(tzinfo=None)
    rows = result_rows(evaluations, scheme, unit_names, now)
    if getattr(con, "name", "") == "duckdb":
        _write_results_duckdb(con, rows, scheme, now)
    else:
        write_results_portable(con, rows, scheme, now)
    return len(rows)


def result_rows(evaluations, scheme: Scheme, unit_names: dict | None, now) -> list[tuple]:
    """The rows of ``evaluation_results`` (:data:`RESULT_COLUMNS`) for ``evaluations`` computed at ``now``."""
    import json

    rows = []
    for ev in evaluations:
        for rec in ev.records(unit_names):
            rows.append((
                scheme.sha256, rec["year"], rec["cluster"], rec["region"], rec["score"], rec["rank"], rec["type"],
                json.dumps(rec["dimensions"], ensure_ascii=False), rec.get("rank_p05"), rec.get("rank_p95"),
                json.dumps(rec["type_probability"]) if "type_probability" in rec else None,
                rec["weakest_dimension"], rec["explanation_zh"], rec["explanation_en"], rec["vintage"], now,
            ))
    return rows


def _write_results_duckdb(con, rows: list[tuple], scheme: Scheme, now) -> None:
    """The DuckDB path: delete the replaced rows and insert, in one transaction."""
    from .._duck import duckdb_connection, fetch_all

    db = duckdb_connection(con)
    fetch_all(db, "BEGIN TRANSACTION")
    try:
        fetch_all(db, "INSERT INTO evaluation_schemes SELECT ?, ?, ?, ? WHERE NOT EXISTS "
                "(SELECT 1 FROM evaluation_schemes WHERE scheme_sha256 = ?)",
            [scheme.sha256, scheme.name, scheme.text, now, scheme.sha256])
        for year in sorted({r[1] for r in rows}):
            regions = sorted({r[3] for r in rows if r[1] == year})
            fetch_all(db, "DELETE FROM evaluation_results WHERE scheme_sha256 = ? AND year = ? AND list_contains(?, "
                    "region_code)", [scheme.sha256, year, regions])
        if rows:
            db.executemany("INSERT INTO evaluation_results VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", rows)
        fetch_all(db, "COMMIT")
    except BaseException:
        fetch_all(db, "ROLLBACK")
        raise


def write_results_portable(con, rows: list[tuple], scheme: Scheme, now) -> None:
    """The portable twin of the DuckDB path (any ibis backend that can overwrite a table).

    Replaces the rows of the same scheme and year whose region was evaluated: the kept rows of
    ``evaluation_results`` (small: units x years x schemes) are read, the new ones added, and the
    table overwritten with both; ``evaluation_schemes`` gains the scheme unless it is there. Not
    transactional: each table is one overwrite (Spark: one job).
    """
    from ..schema import TABLES

    results_schema = con.table("evaluation_results").schema()
    stored = con.table("evaluation_results").to_pandas()
    replaced = pd.Series(False, index=stored.index)
    for year in sorted({r[1] for r in rows}):
        regions = sorted({r[3] for r in rows if r[1] == year})
        replaced |= ((stored["scheme_sha256"] == scheme.sha256) & (stored["year"] == year)
                     & stored["region_code"].isin(regions))
    new = pd.DataFrame(rows, columns=list(RESULT_COLUMNS))
    kept = stored[~replaced]
    frame = pd.concat([kept, new], ignore_index=True) if len(kept) else new
    con.insert("evaluation_results", _typed(frame, results_schema, TABLES["evaluation_results"]), overwrite=True)
    schemes = con.table("evaluation_schemes")
    if schemes.filter(schemes.scheme_sha256 == scheme.sha256).count().execute() == 0:
        entry = pd.DataFrame([(scheme.sha256, scheme.name, scheme.text, now)], columns=list(schemes.columns))
        con.insert("evaluation_schemes", _typed(entry, schemes.schema(), TABLES["evaluation_schemes"]))


def _typed(frame: pd.DataFrame, schema, table):
    """``frame`` as an ibis memtable with the stored table's column types."""
    import ibis

    return ibis.memtable(frame[table.column_names], schema=schema)
