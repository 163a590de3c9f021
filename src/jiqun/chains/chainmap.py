"""The chain map (产业链图谱) of a store: the orchestrating functions on a connection.

- :func:`chain_tables`: every table of the map as ibis expressions (all clusters or some, one scope);
  the shared purchases table is materialised once (``Table.cache()``, any backend);
- :func:`chain_map`: one cluster's map for one year as pandas frames (:class:`ChainMap`), with the weak
  links (:mod:`jiqun.chains.weak`) and each segment's weakness; :func:`chain_maps` every cluster's at once;
- :func:`weak_links`: the weak links of every (or one) cluster;
- :func:`chain_graph` (JSON for the dashboard) and :func:`picture_frames` (the frames
  :func:`jiqun.pictures.chain_picture` draws).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import ibis
import pandas as pd
from ibis import _

from .. import marts
from ..display import json_scalar
from ..io import default_import_dependence
from ..metrics.base import Options, firm_years, stack
from ..metrics.inputs import StoreFacts
from ..metrics.planner import InputResolver, Plan
from ..names import resolve_cluster, resolve_region, resolve_year
from ..schema.vocab import HOME_PROVINCE_CODE
from .segments import (NODE_KEYS, ORIGINS, STAGE_KEYS, import_countries, leading_suppliers, local_buyers,
                       local_capacity, local_patents, local_sales, moved_out_suppliers, scope_digits, segment_supply,
                       supply_metrics)
from .firm_network import chain_node_divisions
from .tables import (DEPENDENCE_TRACE, IMPORT_DEPENDENCE, IMPORT_DEPENDENCE_TOTAL, cells, completeness, link_flows,
                     metric_table, with_import_dependence)
from .weak import evaluate_weak_links, weakness

#: Columns of the segment rows (node level), in order; the stage rows have the same without the node's.
SEGMENT_COLUMNS = (
    "cluster_id", "node_id", "segment", "name_zh", "name_en", "is_key_component", "year",
    "n_local_firms", "capacity_yuan", "capacity_growth",
    "purchases_yuan", *[f"purchases_{o}_yuan" for o in ORIGINS],
    "local_supporting_rate_city", "local_supporting_rate_province", "import_share",
    "top_import_country", "top_import_country_share", "top_import_country_share_of_imports",
    "n_suppliers", "supplier_hhi", "top_supplier", "top_supplier_share", "foreign_invested_share", "branch_share",
    "sales_yuan", *[f"sales_{o}_yuan" for o in ORIGINS], "n_patents",
    "n_suppliers_moved_out", "moved_out_share", IMPORT_DEPENDENCE, IMPORT_DEPENDENCE_TOTAL, *DEPENDENCE_TRACE)
STAGE_COLUMNS = tuple(c for c in SEGMENT_COLUMNS if c not in ("node_id", "name_zh", "name_en", "is_key_component",
                                                              "top_supplier", *DEPENDENCE_TRACE))
#: The stages (环节阶段) in chain order with their Chinese names.
STAGES = {"upstream": "上游", "midstream": "中游", "downstream": "下游"}
#: The inputs of the indicator engine the chain map reads (built by its :class:`InputResolver`).
ENGINE_INPUTS = ("transactions", "sellers", "nodes", "firm_nodes")


@dataclass
class ChainMap:
    """One cluster's chain map in one scope and year (pandas frames; columns in docs/chains.md)."""

    cluster_id: str
    scope: str
    year: int
    segments: pd.DataFrame
    stages: pd.DataFrame
    completeness: pd.DataFrame
    weak_links: pd.DataFrame
    leaders: pd.DataFrame
    import_countries: pd.DataFrame
    links: pd.DataFrame
    names: dict = field(default_factory=dict)


def _ipc_prefix_lengths(con) -> tuple[int, ...]:
    lengths = con.table("chain_node_technologies").select(n=_.ipc.length()).distinct().execute()["n"]
    return tuple(sorted(int(n) for n in lengths.dropna())) or (4,)


def _years(con, tx: ibis.Table) -> ibis.Table:
    years = stack(con.table("firm_years").select(year=_.year.cast("int64")), tx.select(year=_.year.cast("int64")))
    found = sorted(int(y) for y in years.distinct().execute()["year"].dropna())
    return ibis.memtable(pd.DataFrame({"year": pd.Series(found, dtype="int64")}))


def chain_tables(con, clusters=None, scope: str = HOME_PROVINCE_CODE, leaders_k: int = 3,
                 materialise: bool = True) -> dict[str, ibis.Table]:
    """Every table of the chain map for ``clusters`` (ids; None: all) in ``scope`` (a province or city
    code), every year with data, as ibis expressions.

    Returns a dict: ``segments`` (one row per cluster × node × year, :data:`SEGMENT_COLUMNS` but
    ``top_supplier``), ``stages`` (cluster × stage × year), ``completeness`` (cluster × year),
    ``leaders`` (the ``leaders_k`` largest suppliers per node × year), ``import_countries`` (node × year ×
    country), ``link_flows`` (template link × year), ``template_links`` (``chain_links``) and ``supply``
    (the per-seller purchases all purchase metrics come from; materialised with ``Table.cache()`` when
    ``materialise``).
    """
    scope_digits(scope)
    clusters = None if clusters is None else list(clusters)
    inputs = InputResolver(con, Plan((), ENGINE_INPUTS, Options()), StoreFacts())
    tx, nodes, firm_nodes = inputs["transactions"], inputs["nodes"], inputs["firm_nodes"]
    if clusters is not None:
        nodes = nodes.filter(_.cluster_id.isin(clusters))
    firms = con.table("firms")
    buyers = local_buyers(marts.firm_clusters(con), firms, scope, clusters)
    supply = segment_supply(tx, buyers, nodes, firms)
    if materialise:
        supply = supply.cache()
    years = _years(con, tx)
    fy = firm_years(con)
    patents, tech = con.table("patents"), con.table("chain_node_technologies")
    lengths = _ipc_prefix_lengths(con)
    sales = local_sales(tx, nodes, scope, NODE_KEYS)
    stage_sales = sales.join(nodes.select("node_id", "segment"), "node_id").group_by(STAGE_KEYS).aggregate(
        **{c: _[c].sum() for c in sales.columns if c.startswith("sales_")})

    def parts(by, sales_part):
        return [supply_metrics(supply, by), local_capacity(fy, firm_nodes, nodes, scope, by), sales_part,
                local_patents(patents, firms, tech, nodes, scope, by, lengths),
                moved_out_suppliers(supply, inputs["sellers"], scope, by)]

    segments = metric_table(cells(nodes, years, NODE_KEYS), parts(NODE_KEYS, sales), NODE_KEYS)
    stages = metric_table(cells(nodes, years, STAGE_KEYS), parts(STAGE_KEYS, stage_sales), STAGE_KEYS)
    segments, stages = with_import_dependence(segments, stages, chain_node_divisions(con),
                                              ibis.memtable(default_import_dependence().reset_index()))
    links = con.table("chain_links")
    if clusters is not None:
        links = links.filter(_.cluster_id.isin(clusters))
    return {"segments": segments, "stages": stages, "completeness": completeness(segments),
            "leaders": leading_suppliers(supply, leaders_k), "import_countries": import_countries(supply),
            "link_flows": link_flows(tx, links, firm_nodes, firms, scope), "template_links": links,
            "supply": supply}


def _frame(table: ibis.Table, year: int | None, order) -> pd.DataFrame:
    if year is not None and "year" in table.columns:
        table = table.filter(_.year == year)
    frame = table.execute()
    return frame.sort_values(list(order)).reset_index(drop=True) if len(frame) else frame


def supplier_labels(con, leaders: pd.DataFrame) -> pd.DataFrame:
    """``leaders`` with ``seller_name``: the firm's name, ``进口 JPN`` for a country, ``地区 CODE`` for a
    domestic seller without USCC."""
    usccs = sorted(set(leaders.seller_uscc.dropna()))
    names = {}
    if usccs:
        firms = con.table("firms").filter(_.uscc.isin(usccs)).select("uscc", "name").execute()
        names = dict(zip(firms.uscc, firms.name))

    def label(seller_id, uscc):
        if isinstance(uscc, str):
            return names.get(uscc, uscc)
        kind, _sep, code = str(seller_id).partition(":")
        return f"进口 {code}" if kind == "country" else f"地区 {code}"

    return leaders.assign(seller_name=[label(s, u) for s, u in zip(leaders.seller_id, leaders.seller_uscc)])


def _with_top_supplier(segments: pd.DataFrame, leaders: pd.DataFrame) -> pd.DataFrame:
    top = leaders[leaders["rank"] == 1][["cluster_id", "node_id", "year", "seller_name"]]
    out = segments.merge(top.rename(columns={"seller_name": "top_supplier"}), on=["cluster_id", "node_id", "year"],
                         how="left")
    return out[[c for c in SEGMENT_COLUMNS if c in out.columns]]


def _scope_name(con, scope: str) -> str:
    row = con.table("regions").filter(_.region_code == scope).select("name_zh").execute()
    return str(row.name_zh.iloc[0]) if len(row) else scope


def _resolve(con, cluster, year, region) -> tuple[str | None, int, str]:
    cluster_id = resolve_cluster(con, cluster) if cluster is not None else None
    scope = resolve_region(con, region) if region is not None else HOME_PROVINCE_CODE
    try:
        scope_digits(scope)
    except ValueError:
        raise ValueError(f"region {region!r} ({scope}) is not a province or a prefecture city — the chain map is "
                         "computed for the province or one city 产业链图谱按全省或地级市计算") from None
    chosen = resolve_year(con, "latest" if year is None else year)
    return cluster_id, chosen, scope


def _findings(segments: pd.DataFrame, scope_name: str, year: int | None) -> pd.DataFrame:
    """Weak links of ``segments`` (all years: capacity growth needs the previous one), of ``year``."""
    found = evaluate_weak_links(segments, scope_name=scope_name)
    return found if year is None else found[found.year == year].reset_index(drop=True)


def chain_map(con, cluster, year=None, region=None, leaders_k: int = 3) -> ChainMap:
    """One cluster's chain map in the province (default) or one city, for one year.

    Parameters
    ----------
    con : ibis backend
        A jiqun store (any backend).
    cluster : str
        Cluster id or name (:func:`jiqun.names.resolve_cluster`).
    year : int or str, optional
        A year with firm data (default: the latest).
    region : str, optional
        Province or prefecture-city code or name (default: the home province, 320000).
    leaders_k : int
        Leading suppliers listed per segment.

    Returns
    -------
    ChainMap
        ``segments`` (:data:`SEGMENT_COLUMNS` plus ``weakness, weakness_severity, reasons``), ``stages``,
        ``completeness``, ``weak_links`` (:data:`jiqun.chains.weak.WEAK_COLUMNS`), ``leaders``,
        ``import_countries``, ``links`` (the template's links with ``amount_yuan``, null where no flow is
        recorded) — all of ``year``.

    Raises
    ------
    jiqun.names.NameNotFound
        Unknown cluster, region or year (the message lists the choices).
    ValueError
        The region is a county or the nation.
    """
    cluster_id, chosen, scope = _resolve(con, cluster, year, region)
    return _maps(con, [cluster_id], chosen, scope, leaders_k)[cluster_id]


def chain_maps(con, year=None, region=None, leaders_k: int = 3) -> dict[str, ChainMap]:
    """The chain map of every cluster (:func:`chain_map`'s, for each), computed in one pass over the
    store: a page or a report that shows many clusters pays the query compilation once.

    Returns
    -------
    dict
        Cluster id → :class:`ChainMap` (every cluster of the catalogue with chain nodes).
    """
    _cluster, chosen, scope = _resolve(con, None, year, region)
    ids = sorted(con.table("chain_nodes").select("cluster_id").distinct().execute()["cluster_id"])
    return _maps(con, ids, chosen, scope, leaders_k, every=True)


def _maps(con, cluster_ids: list[str], chosen: int, scope: str, leaders_k: int, every: bool = False) -> dict:
    """The chain maps of ``cluster_ids`` (``every``: all clusters, no filter) in one set of queries."""
    tables = chain_tables(con, None if every else cluster_ids, scope, leaders_k)
    leaders = supplier_labels(con, _frame(tables["leaders"], None, ["cluster_id", "node_id", "year", "rank"]))
    segments = _with_top_supplier(_frame(tables["segments"], None, ["cluster_id", "node_id", "year"]), leaders)
    scope_name = _scope_name(con, scope)
    findings = _findings(segments, scope_name, None)
    segments = weakness(segments, findings)
    flows = _frame(tables["link_flows"], chosen, ["cluster_id", "from_node_id", "to_node_id"])
    links = tables["template_links"].execute().merge(
        flows.drop(columns="year"), on=["cluster_id", "from_node_id", "to_node_id"], how="left")
    frames = {"segments": segments[segments.year == chosen], "stages": _frame(tables["stages"], chosen, ["segment"]),
              "completeness": _frame(tables["completeness"], chosen, ["cluster_id"]),
              "weak_links": findings[findings.year == chosen], "leaders": leaders[leaders.year == chosen],
              "import_countries": _frame(tables["import_countries"], chosen, ["node_id", "imports_yuan"]),
              "links": links.sort_values(["from_node_id", "to_node_id"])}

    def part(name: str, cluster_id: str) -> pd.DataFrame:
        frame = frames[name]
        return frame[frame["cluster_id"] == cluster_id].reset_index(drop=True) if len(frame) else frame

    return {cluster_id: ChainMap(cluster_id=cluster_id, scope=scope, year=chosen,
                                 **{name: part(name, cluster_id) for name in frames}, names={"scope": scope_name})
            for cluster_id in cluster_ids}


def weak_links(con, cluster=None, year=None, region=None, all_years: bool = False) -> pd.DataFrame:
    """The weak links of every cluster (or of ``cluster``) in the province (or ``region``), for ``year``
    (default: the latest with data; ``all_years``: every year). Columns:
    :data:`jiqun.chains.weak.WEAK_COLUMNS`."""
    cluster_id, chosen, scope = _resolve(con, cluster, year, region)
    tables = chain_tables(con, None if cluster_id is None else [cluster_id], scope)
    leaders = supplier_labels(con, _frame(tables["leaders"], None, ["cluster_id", "node_id", "year", "rank"]))
    segments = _with_top_supplier(_frame(tables["segments"], None, ["cluster_id", "node_id", "year"]), leaders)
    return _findings(segments, _scope_name(con, scope), None if all_years else chosen)


#: Metrics of a node in :func:`chain_graph` (every number of the segment row).
GRAPH_METRICS = tuple(c for c in SEGMENT_COLUMNS if c not in (
    "cluster_id", "node_id", "segment", "name_zh", "name_en", "is_key_component", "year"))


def chain_graph(chain: ChainMap) -> dict:
    """The map as a JSON-serialisable dict for the dashboard: ``cluster_id, scope, year, completeness``
    (the cluster's row), ``nodes`` (``node_id, stage, stage_zh, name_zh, name_en, is_key_component,
    metrics`` {column: number}, ``weakness, weakness_severity, reasons`` [rule ids] and ``reasons_zh``)
    and ``links`` (``from, to, amount_yuan, n_buyers``; null where no flow is recorded)."""
    reasons = chain.weak_links.groupby("node_id")["rule"].apply(list).to_dict() if len(chain.weak_links) else {}
    nodes = []
    for row in chain.segments.to_dict("records"):
        nodes.append({"node_id": row["node_id"], "stage": row["segment"], "stage_zh": STAGES.get(row["segment"], ""),
                      "name_zh": row["name_zh"], "name_en": row["name_en"],
                      "is_key_component": bool(row["is_key_component"]),
                      "metrics": {c: json_scalar(row.get(c)) for c in GRAPH_METRICS},
                      "weakness": int(row["weakness"]), "weakness_severity": int(row["weakness_severity"]),
                      "reasons": reasons.get(row["node_id"], []), "reasons_zh": row["reasons"]})
    links = [{"from": r["from_node_id"], "to": r["to_node_id"], "amount_yuan": json_scalar(r.get("amount_yuan")),
              "n_buyers": json_scalar(r.get("n_buyers"))} for r in chain.links.to_dict("records")]
    comp = chain.completeness.to_dict("records")
    return {"cluster_id": chain.cluster_id, "scope": chain.scope, "scope_zh": chain.names.get("scope", ""),
            "year": int(chain.year), "completeness": {k: json_scalar(v) for k, v in comp[0].items()} if comp else {},
            "nodes": nodes, "links": links}


def picture_frames(chain: ChainMap) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The frames :func:`jiqun.pictures.chain_picture` draws: ``nodes`` (``node_id, segment, name_zh,
    weakness, reasons``) and ``links`` (``from_node_id, to_node_id, amount_yuan``)."""
    nodes = chain.segments[["node_id", "segment", "name_zh", "weakness", "reasons"]].copy()
    links = chain.links[["from_node_id", "to_node_id", "amount_yuan"]].copy()
    return nodes.reset_index(drop=True), links.reset_index(drop=True)
