"""Segment metrics of the chain map (产业链图谱): pure ibis functions over the store's tables.

A **scope** is a GB/T 2260 region code: the province (``320000``, the default of the callers) or a
prefecture city (``320500``). A firm is *local* when its own region code (``firms.region_code``) lies
in the scope; a seller on a transaction is local when the transaction's ``seller_region_code`` does.

Each metric is computed per ``by`` key: ``("cluster_id", "node_id", "year")`` for the segments
(环节) of a cluster's chain template, or ``("cluster_id", "segment", "year")`` for the stages
(上游 / 中游 / 下游). The definitions are in docs/chains.md; in short:

- **supply** (:func:`segment_supply`): the purchases of the cluster's local firms (members by
  :func:`jiqun.marts.firm_clusters`, located in the scope) of goods of the cluster's segments
  (``transactions.node_id``), with the seller's location relative to the buyer firm
  (:func:`jiqun.metrics.chain.located_purchases`: same city, other city of the province, other
  province, abroad) and the seller's identity: its USCC, or ``country:ISO3`` for a seller without USCC
  abroad (one supplier per country), ``region:CODE`` for a domestic one without USCC;
- **supply metrics** (:func:`supply_metrics`): purchases by origin, supplier count and HHI over
  sellers, the largest supplier's share, shares of foreign-invested (``ownership`` foreign or hmt)
  and branch-plant (``is_branch``) sellers, imports and the top import country;
- **local capacity** (:func:`local_capacity`): local firms serving the segment with accounts that
  year (``firm_chain_nodes``), and their output value (工业总产值), a firm's output split equally over
  its primary segments (``is_primary``), so that a firm is counted once over all segments;
- **local sales** (:func:`local_sales`): sales of the segment's goods by local sellers, by the
  buyer's location relative to the seller;
- **patents** (:func:`local_patents`): patent applications of local firms in the segment's IPC
  classes (main IPC symbol), by application year;
- **moved-out suppliers** (:func:`moved_out_suppliers`): sellers that supplied the segment from the
  buyers' province in t−1 and were located outside it in t (:func:`jiqun.metrics.chain.moved_sellers`).
"""

from __future__ import annotations

import ibis
from ibis import _

from ..metrics.base import stack
from ..metrics.chain import IMPORTED, OTHER_LOCATION, SAME_CITY, SAME_PROVINCE, located_purchases, moved_sellers
from ..schema.vocab import HOME_COUNTRY

NODE_KEYS = ("cluster_id", "node_id", "year")
STAGE_KEYS = ("cluster_id", "segment", "year")
#: Origin classes of purchases (and destination classes of sales): column suffix -> location code.
ORIGINS = {"same_city": SAME_CITY, "other_city": SAME_PROVINCE, "other_province": OTHER_LOCATION,
           "abroad": IMPORTED}
#: ``firms.ownership`` values counted as foreign-invested (外资, incl. Hong Kong/Macao/Taiwan 港澳台).
FOREIGN_OWNERSHIP = ("foreign", "hmt")


def scope_digits(scope: str) -> int:
    """Digits of a region code compared to place a firm in ``scope``: 2 for a province (``320000``),
    4 for a prefecture city (``320500``)."""
    scope = str(scope)
    if len(scope) != 6 or not scope.isdigit() or scope.startswith("00") or not scope.endswith("00"):
        raise ValueError(f"scope must be a 6-digit province or city code, got {scope!r}")
    return 2 if scope.endswith("0000") else 4


def in_scope(code, scope: str):
    """Whether a region-code expression lies in ``scope`` (see :func:`scope_digits`); false for null."""
    digits = scope_digits(scope)
    return (code.substr(0, digits) == str(scope)[:digits]).fill_null(False)


def local_firms(firms: ibis.Table, scope: str) -> ibis.Table:
    """``uscc, firm_region`` of the firms located in ``scope``. ``firms``: ``uscc, region_code``."""
    return firms.select("uscc", firm_region=_.region_code).filter(in_scope(_.firm_region, scope))


def local_buyers(members: ibis.Table, firms: ibis.Table, scope: str, clusters=None) -> ibis.Table:
    """``uscc, firm_region, cluster_id``: the clusters' member firms located in ``scope``.

    ``members``: ``uscc, cluster_id`` (:func:`jiqun.marts.firm_clusters`); ``clusters``: only these
    cluster ids (None: all)."""
    members = members.select("uscc", "cluster_id")
    if clusters is not None:
        members = members.filter(_.cluster_id.isin(list(clusters)))
    return members.join(local_firms(firms, scope), "uscc")


def seller_identity(seller_uscc, seller_country, seller_region):
    """The supplier a purchase is counted for: the USCC; without one, ``country:ISO3`` abroad (all the
    sellers of a country count as one) or ``region:CODE`` at home."""
    return ibis.cases((seller_uscc.notnull(), seller_uscc),
                      (seller_country != HOME_COUNTRY, "country:" + seller_country),
                      else_="region:" + seller_region.fill_null("unknown"))


def segment_supply(transactions: ibis.Table, buyers: ibis.Table, nodes: ibis.Table,
                   seller_firms: ibis.Table) -> ibis.Table:
    """Purchases of the local cluster firms of their clusters' segment goods, per seller.

    Parameters
    ----------
    transactions : ibis.Table
        ``transactions``: ``buyer_uscc, seller_uscc, year, amount_yuan, node_id, seller_country,
        seller_region_code``.
    buyers : ibis.Table
        :func:`local_buyers` (``uscc, firm_region, cluster_id``).
    nodes : ibis.Table
        ``chain_nodes``: ``node_id, cluster_id, segment``.
    seller_firms : ibis.Table
        ``firms``: ``uscc, ownership, is_branch`` (sellers not in it count as neither foreign-invested
        nor branch plants).

    Returns
    -------
    ibis.Table
        One row per cluster × node × year × seller × origin: ``cluster_id, node_id, segment, year,
        seller_id, seller_uscc, seller_location`` (:data:`ORIGINS` codes), ``country`` (the seller's),
        ``amount``, ``foreign_invested``, ``branch`` (booleans).
    """
    located = located_purchases(transactions, buyers, carry=("node_id", "seller_country", "seller_region_code"))
    located = located.join(nodes.select("node_id", "cluster_id", "segment"), ["node_id", "cluster_id"])
    country = located.seller_country.fill_null(HOME_COUNTRY)
    per_seller = located.group_by(
        "cluster_id", "node_id", "segment", "year", "seller_uscc", "seller_location", country=country,
        seller_id=seller_identity(located.seller_uscc, country, located.seller_region_code),
    ).aggregate(amount=_.amount.sum())
    attrs = seller_firms.select(_s=_.uscc, foreign_invested=_.ownership.isin(FOREIGN_OWNERSHIP).fill_null(False),
                                branch=_.is_branch.fill_null(False))
    joined = per_seller.left_join(attrs, per_seller.seller_uscc == attrs._s)
    return joined.select("cluster_id", "node_id", "segment", "year", "seller_id", "seller_uscc", "seller_location",
                         "country", "amount", foreign_invested=_.foreign_invested.fill_null(False),
                         branch=_.branch.fill_null(False))


def _share(num, den):
    return ibis.ifelse(den != 0, num / den, ibis.null("float64"))


def supply_metrics(supply: ibis.Table, by=NODE_KEYS) -> ibis.Table:
    """Purchases by origin, supplier concentration and the foreign, branch and import shares per ``by``.

    ``supply``: :func:`segment_supply`. Returns ``by`` and ``purchases_yuan``,
    ``purchases_<origin>_yuan`` for each origin of :data:`ORIGINS`, ``foreign_invested_yuan``,
    ``branch_yuan``, ``n_suppliers``, ``supplier_hhi`` (Σ s² over the sellers' shares s, 0–1),
    ``top_supplier_share``, ``top_import_country``, ``top_import_country_yuan`` (the country with the
    largest imports; ties by ISO code).
    """
    by = list(by)
    origin = {f"purchases_{name}_yuan": supply.amount.sum(where=supply.seller_location == code)
              for name, code in ORIGINS.items()}
    sums = supply.group_by(by).aggregate(
        purchases_yuan=supply.amount.sum(), **origin,
        foreign_invested_yuan=supply.amount.sum(where=supply.foreign_invested),
        branch_yuan=supply.amount.sum(where=supply.branch))
    sellers = supply.group_by(*by, "seller_id").aggregate(amount=_.amount.sum())
    concentration = sellers.group_by(by).aggregate(
        n_suppliers=_.count(), _sq=(_.amount * _.amount).sum(), _tot=_.amount.sum(), _top=_.amount.max())
    concentration = concentration.select(
        *by, "n_suppliers", supplier_hhi=_share(_._sq, _._tot * _._tot), top_supplier_share=_share(_._top, _._tot))
    countries = supply.filter(_.seller_location == IMPORTED).group_by(*by, "country").aggregate(amount=_.amount.sum())
    rank = ibis.row_number().over(ibis.window(group_by=by, order_by=[ibis.desc("amount"), "country"]))
    top = countries.mutate(_rank=rank).filter(_._rank == 0).select(
        *by, top_import_country=_.country, top_import_country_yuan=_.amount)
    return sums.join(concentration, by).left_join(top, by).select(
        *by, *[c for c in sums.columns if c not in by], "n_suppliers", "supplier_hhi", "top_supplier_share",
        "top_import_country", "top_import_country_yuan")


def import_countries(supply: ibis.Table, by=NODE_KEYS) -> ibis.Table:
    """Imports per ``by`` × supplying country: ``by, country, imports_yuan, share_of_purchases,
    share_of_imports``."""
    by = list(by)
    totals = supply.group_by(by).aggregate(_p=_.amount.sum(),
                                           _m=_.amount.sum(where=_.seller_location == IMPORTED))
    countries = supply.filter(_.seller_location == IMPORTED).group_by(*by, "country").aggregate(
        imports_yuan=_.amount.sum())
    return countries.join(totals, by).select(*by, "country", "imports_yuan",
                                             share_of_purchases=_share(_.imports_yuan, _._p),
                                             share_of_imports=_share(_.imports_yuan, _._m))


def leading_suppliers(supply: ibis.Table, k: int = 3, by=NODE_KEYS) -> ibis.Table:
    """The ``k`` largest suppliers per ``by``: ``by, rank`` (1 = largest; ties by seller id),
    ``seller_id, seller_uscc, amount_yuan, share`` (of the purchases of the ``by`` cell)."""
    by = list(by)
    sellers = supply.group_by(*by, "seller_id").aggregate(amount_yuan=_.amount.sum(), seller_uscc=_.seller_uscc.max())
    totals = sellers.group_by(by).aggregate(_tot=_.amount_yuan.sum())
    rank = ibis.row_number().over(ibis.window(group_by=by, order_by=[ibis.desc("amount_yuan"), "seller_id"]))
    top = sellers.mutate(rank=rank + 1).filter(_.rank <= k).join(totals, by)
    return top.select(*by, "rank", "seller_id", "seller_uscc", "amount_yuan", share=_share(_.amount_yuan, _._tot))


def local_capacity(firm_years: ibis.Table, firm_nodes: ibis.Table, nodes: ibis.Table, scope: str,
                   by=NODE_KEYS) -> ibis.Table:
    """Local firms serving each ``by`` cell and their capacity.

    ``firm_years``: ``uscc, year, output, firm_region`` (:func:`jiqun.metrics.base.firm_years`);
    ``firm_nodes``: ``uscc, node_id, is_primary``; ``nodes``: ``node_id, cluster_id, segment``.
    Returns ``by, n_local_firms`` (distinct local firms with accounts that year serving the cell),
    ``capacity_yuan`` (Σ output value × 1 / the firm's number of primary segments, over the cell's
    local firms whose primary segment it is; a missing output counts as none).
    """
    by = list(by)
    fy = firm_years.filter(in_scope(_.firm_region, scope)).select("uscc", "year", "output")
    primary = firm_nodes.filter(_.is_primary.fill_null(True))
    n_primary = primary.group_by("uscc").aggregate(_n=_.count())
    served = firm_nodes.select("uscc", "node_id", _p=_.is_primary.fill_null(True)).join(
        nodes.select("node_id", "cluster_id", "segment"), "node_id")
    served = served.left_join(n_primary, "uscc").select(
        "uscc", "node_id", "cluster_id", "segment",
        _w=ibis.ifelse(_._p, 1.0 / _._n.cast("float64"), 0.0))
    rows = served.join(fy, "uscc")
    return rows.group_by(by).aggregate(n_local_firms=_.uscc.nunique(), capacity_yuan=(_.output * _._w).sum())


def local_sales(transactions: ibis.Table, nodes: ibis.Table, scope: str, by=NODE_KEYS) -> ibis.Table:
    """Sales of each cell's goods (``transactions.node_id``) by local domestic sellers (a USCC, country
    CHN, ``seller_region_code`` in ``scope``) by destination relative to the seller: ``by, sales_yuan,
    sales_<origin>_yuan`` for :data:`ORIGINS` (``abroad``: buyer country not CHN; ``other_province``
    also holds buyers without a region code)."""
    by = list(by)
    t = transactions.filter(_.seller_uscc.notnull() & (_.seller_country.fill_null(HOME_COUNTRY) == HOME_COUNTRY)
                            & in_scope(_.seller_region_code, scope))
    t = t.join(nodes.select("node_id", "cluster_id", "segment"), "node_id")
    seller = t.seller_region_code.try_cast("int32")
    buyer = t.buyer_region_code.try_cast("int32")
    destination = ibis.cases(
        (t.buyer_country.fill_null(HOME_COUNTRY) != HOME_COUNTRY, IMPORTED),
        (buyer - buyer % 100 == seller - seller % 100, SAME_CITY),
        (buyer - buyer % 10000 == seller - seller % 10000, SAME_PROVINCE),
        else_=OTHER_LOCATION)
    t = t.mutate(_dest=destination, _amount=t.amount_yuan.cast("float64"))
    return t.group_by(by).aggregate(
        sales_yuan=t._amount.sum(),
        **{f"sales_{name}_yuan": t._amount.sum(where=t._dest == code) for name, code in ORIGINS.items()})


def local_patents(patents: ibis.Table, firms: ibis.Table, node_tech: ibis.Table, nodes: ibis.Table, scope: str,
                  by=NODE_KEYS, prefix_lengths=(4,)) -> ibis.Table:
    """Patent applications of local firms in each cell's IPC classes: ``by, n_patents`` (distinct
    applications; year = application year).

    ``patents``: ``patent_id, applicant_uscc, application_date, ipc_main``; ``firms``: ``uscc,
    region_code``; ``node_tech``: ``node_id, ipc`` (IPC prefixes, e.g. subclass ``H01L``);
    ``prefix_lengths``: the lengths of those prefixes (a patent matches when its main IPC symbol, spaces
    removed, starts with the prefix).
    """
    by = list(by)
    local = local_firms(firms, scope).select(_u=_.uscc)
    p = patents.join(local, patents.applicant_uscc == local._u).select(
        "patent_id", year=_.application_date.year().cast("int64"), _ipc=_.ipc_main.upper().replace(" ", ""))
    tech = node_tech.join(nodes.select("node_id", "cluster_id", "segment"), "node_id").mutate(
        _len=_.ipc.length(), _pfx=_.ipc.upper().replace(" ", ""))
    parts = []
    for n in prefix_lengths:
        t = tech.filter(_._len == int(n))
        keyed = p.mutate(_k=p._ipc.substr(0, int(n)))
        parts.append(keyed.join(t, keyed._k == t._pfx).select("patent_id", "node_id", "cluster_id", "segment", "year"))
    hits = stack(*parts)
    return hits.group_by(by).aggregate(n_patents=_.patent_id.nunique())


def moved_out_suppliers(supply: ibis.Table, sellers: ibis.Table, scope: str, by=NODE_KEYS) -> ibis.Table:
    """Suppliers that relocated out of the province, per ``by`` cell of the year after: ``by,
    n_suppliers_moved_out, moved_out_yuan`` (their supply to the cell in t−1), ``moved_out_share``
    (of the cell's purchases in t−1).

    A seller counts for year t when it supplied the cell in t−1 from the buyer's province (origin same
    city or other city of the province), was located in the scope's province in t−1 and outside it in
    t (location of a seller in a year: :func:`jiqun.metrics.chain.seller_years`, the largest region
    code on its sales). ``sellers``: :func:`jiqun.metrics.chain.seller_years` on the same seller keys.
    """
    by = list(by)
    province = str(scope)[:2] + "0000"
    moved = moved_sellers(sellers).filter(_.ploc == province).select(_s=_.seller_uscc, _y=_.year)
    home = supply.filter(_.seller_location.isin((SAME_CITY, SAME_PROVINCE)))
    hit = home.join(moved, (home.seller_uscc == moved._s) & (home.year == moved._y))
    counts = hit.group_by(by).aggregate(n_suppliers_moved_out=_.seller_id.nunique(), moved_out_yuan=_.amount.sum())
    totals = supply.group_by(by).aggregate(_p=_.amount.sum())
    out = counts.join(totals, by).mutate(moved_out_share=_share(_.moved_out_yuan, _._p), year=_.year + 1)
    return out.select(*by, "n_suppliers_moved_out", "moved_out_yuan", "moved_out_share")
