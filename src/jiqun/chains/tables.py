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
#: The slot for the national import dependence behind a segment (from the input–output tables,
#: :mod:`jiqun.io`); null until it is joined.
IMPORT_DEPENDENCE = "national_import_dependence"


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
    previous year's − 1; null unless the previous year's capacity is > 0) and the null
    :data:`IMPORT_DEPENDENCE` slot.
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
    return t.mutate(capacity_growth=growth, **{IMPORT_DEPENDENCE: ibis.null("float64")}).drop("_prev", "_prev_year")


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
