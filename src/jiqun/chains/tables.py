"""The chain map's tables: segment (环节) and stage (上游/中游/下游) rows with every metric, chain
completeness (产业链完整度) and the flows along the template's links. Pure ibis functions; the parts
come from :mod:`jiqun.chains.segments`."""

from __future__ import annotations

import ibis
from ibis import _

from .segments import NODE_KEYS, ORIGINS, STAGE_KEYS, _share, in_scope, local_firms

#: Columns filled with 0 where a cell has no row in a part (amounts and counts).
ZERO_FILLED = ("n_local_firms", "capacity_yuan", "purchases_yuan", *[f"purchases_{o}_yuan" for o in ORIGINS],
               "foreign_invested_yuan", "branch_yuan", "n_suppliers", "sales_yuan",
               *[f"sales_{o}_yuan" for o in ORIGINS], "n_patents", "n_suppliers_moved_out", "moved_out_yuan")
#: The national import dependence behind a segment (from the input–output tables, :mod:`jiqun.io`):
#: the imported share of its division's intermediate inputs, directly and through the whole domestic
#: chain (:func:`jiqun.io.iomath.import_dependence`), and the codes that trace it.
IMPORT_DEPENDENCE = "national_import_dependence"
IMPORT_DEPENDENCE_TOTAL = "national_import_dependence_total"
DEPENDENCE_TRACE = ("division", "io_sector")


def cells(nodes: ibis.Table, years: ibis.Table, by=NODE_KEYS) -> ibis.Table:
    """Every cell of the map: each node (``by`` = :data:`NODE_KEYS`: ``cluster_id, node_id, segment,
    name_zh, name_en, is_key_component``) or each stage (:data:`STAGE_KEYS`: ``cluster_id, segment``)
    of the templates in ``nodes`` × each year of ``years`` (a table with ``year``)."""
    if "node_id" in by:
        base = nodes.select("cluster_id", "node_id", "segment", "name_zh", "name_en", "is_key_component")
    else:
        base = nodes.select("cluster_id", "segment").distinct()
    return base.cross_join(years.select(year=_.year.cast("int64")).distinct())


def attach(left: ibis.Table, right: ibis.Table, by) -> ibis.Table:
    """``left`` with the columns of ``right`` not in ``by``, left-joined on ``by``."""
    by = list(by)
    right = right.mutate(year=right.year.cast("int64"))
    new = [c for c in right.columns if c not in by and c not in left.columns]
    joined = left.left_join(right, by)
    return joined.select(*left.columns, *new)


def metric_table(cells_: ibis.Table, parts, by=NODE_KEYS) -> ibis.Table:
    """The cells with every part attached (:func:`attach`), zeros where a part has no row
    (:data:`ZERO_FILLED`), and the derived shares: ``local_supporting_rate_city`` (purchases from the
    buyer's city / purchases), ``local_supporting_rate_province`` (city + other cities of the province),
    ``import_share``, ``foreign_invested_share``, ``branch_share``, ``top_import_country_share`` (of the
    purchases), ``top_import_country_share_of_imports``, ``capacity_growth`` (capacity over the
    previous year's − 1; null unless the previous year's capacity is > 0). The national import
    dependence is joined afterwards (:func:`with_import_dependence`).
    """
    t = cells_
    for part in parts:
        t = attach(t, part, by)
    t = t.mutate(**{c: t[c].fill_null(0) for c in ZERO_FILLED if c in t.columns})
    p = t.purchases_yuan
    t = t.mutate(
        local_supporting_rate_city=_share(t.purchases_same_city_yuan, p),
        local_supporting_rate_province=_share(t.purchases_same_city_yuan + t.purchases_other_city_yuan, p),
        import_share=_share(t.purchases_abroad_yuan, p),
        foreign_invested_share=_share(t.foreign_invested_yuan, p),
        branch_share=_share(t.branch_yuan, p),
        top_import_country_share=_share(t.top_import_country_yuan, p),
        top_import_country_share_of_imports=_share(t.top_import_country_yuan, t.purchases_abroad_yuan),
        supplier_hhi=ibis.ifelse(p > 0, t.supplier_hhi, ibis.null("float64")),
    )
    window = ibis.window(group_by=[k for k in by if k != "year"], order_by="year")
    t = t.mutate(_prev=t.capacity_yuan.lag().over(window), _prev_year=t.year.lag().over(window))
    growth = ibis.ifelse((t._prev_year == t.year - 1) & (t._prev > 0), t.capacity_yuan / t._prev - 1,
                         ibis.null("float64"))
    return t.mutate(capacity_growth=growth).drop("_prev", "_prev_year")


def with_import_dependence(segments: ibis.Table, stages: ibis.Table, node_divisions: ibis.Table,
                           dependence: ibis.Table) -> tuple[ibis.Table, ibis.Table]:
    """Join the national import dependence onto the node and stage rows of the map.

    Parameters
    ----------
    segments, stages : ibis.Table
        :func:`metric_table` rows by :data:`NODE_KEYS` and by :data:`STAGE_KEYS`.
    node_divisions : ibis.Table
        ``node_id``, ``sector``: each node's GB/T 4754 division (the one most of its province firms
        belong to; :func:`jiqun.chains.firm_network.chain_node_divisions`).
    dependence : ibis.Table
        ``division``, ``io_sector``, ``direct_share``, ``total_share`` (:func:`jiqun.io.default_import_dependence`).

    Returns
    -------
    (segments, stages)
        Segments gain ``division``, ``io_sector``, :data:`IMPORT_DEPENDENCE` (``direct_share``) and
        :data:`IMPORT_DEPENDENCE_TOTAL` (``total_share``), null where no province firm serves the node
        or its division has no IO sector. Stages gain the two shares as the purchase-weighted mean over
        their nodes with a value (the plain mean when those nodes have no purchases).
    """
    trace = node_divisions.select("node_id", division=node_divisions.sector).join(
        dependence.select("division", "io_sector", **{IMPORT_DEPENDENCE: dependence.direct_share,
                                                      IMPORT_DEPENDENCE_TOTAL: dependence.total_share}),
        "division", how="left")
    nodes = segments.left_join(trace, "node_id")
    weight = ibis.ifelse(nodes[IMPORT_DEPENDENCE].notnull(), nodes.purchases_yuan, 0)
    by_stage = nodes.group_by(list(STAGE_KEYS)).aggregate(
        _weight=weight.sum(), _direct=(weight * nodes[IMPORT_DEPENDENCE]).sum(),
        _total=(weight * nodes[IMPORT_DEPENDENCE_TOTAL]).sum(),
        _mean_direct=nodes[IMPORT_DEPENDENCE].mean(), _mean_total=nodes[IMPORT_DEPENDENCE_TOTAL].mean())
    # A stage whose nodes have no purchases (e.g. downstream, sold to final users) takes the plain mean.
    by_stage = by_stage.select(
        *STAGE_KEYS,
        **{IMPORT_DEPENDENCE: _share(by_stage._direct, by_stage._weight).fill_null(by_stage._mean_direct),
           IMPORT_DEPENDENCE_TOTAL: _share(by_stage._total, by_stage._weight).fill_null(by_stage._mean_total)})
    keys = list(STAGE_KEYS)
    staged = stages.left_join(by_stage, keys).select(stages, by_stage[IMPORT_DEPENDENCE], by_stage[IMPORT_DEPENDENCE_TOTAL])
    return nodes, staged


def completeness(segments: ibis.Table) -> ibis.Table:
    """Chain completeness per cluster × year from the node-level :func:`metric_table`:
    ``n_segments``, ``n_segments_with_capacity`` (≥ 1 local firm serving it), ``completeness_weighted``
    (Σ purchases of the segments with local capacity / Σ purchases of all segments; null without
    purchases) and ``completeness_unweighted`` (segments with local capacity / segments)."""
    has = segments.n_local_firms > 0
    g = segments.group_by("cluster_id", "year").aggregate(
        n_segments=_.count(), n_segments_with_capacity=has.cast("int64").sum(),
        purchases_yuan=_.purchases_yuan.sum(), _covered=_.purchases_yuan.sum(where=has))
    return g.select("cluster_id", "year", "n_segments", "n_segments_with_capacity", "purchases_yuan",
                    completeness_weighted=_share(_._covered.fill_null(0), _.purchases_yuan),
                    completeness_unweighted=_share(_.n_segments_with_capacity, _.n_segments))


def link_flows(transactions: ibis.Table, links: ibis.Table, firm_nodes: ibis.Table, firms: ibis.Table,
               scope: str, clusters=None) -> ibis.Table:
    """Purchases along each link of the templates: goods of the supplying node
    (``transactions.node_id = from_node_id``) bought by local firms (in ``scope``) serving the buying
    node (``firm_chain_nodes``). ``links``: ``cluster_id, from_node_id, to_node_id``. Returns one row
    per link × year with purchases: ``cluster_id, from_node_id, to_node_id, year, amount_yuan,
    n_buyers``."""
    if clusters is not None:
        links = links.filter(_.cluster_id.isin(list(clusters)))
    served = firm_nodes.select(_u=_.uscc, _n=_.node_id)
    local = local_firms(firms, scope).select(_l=_.uscc)
    buyers = served.join(local, served._u == local._l).select("_u", "_n")
    t = transactions.select("buyer_uscc", "node_id", "year", "amount_yuan").join(
        links, transactions.node_id == links.from_node_id)
    t = t.join(buyers, (t.buyer_uscc == buyers._u) & (t.to_node_id == buyers._n))
    return t.group_by("cluster_id", "from_node_id", "to_node_id", year=t.year.cast("int64")).aggregate(
        amount_yuan=t.amount_yuan.cast("float64").sum(), n_buyers=t.buyer_uscc.nunique())


__all__ = ["cells", "attach", "metric_table", "completeness", "link_flows", "in_scope", "STAGE_KEYS"]
