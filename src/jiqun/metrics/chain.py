"""Chain integration (产业链条整合力).

Purchases P of a cluster in region r and year t: all ``transactions`` whose buyer is one of the
cluster's firms located in r (a firm in two clusters counts for both). A seller is in the same
city (province) when its region code's first 4 (2) digits equal the buyer firm's; imported when
its country is not CHN.

Formulas
--------
local_supporting_rate_city       P_same city / P            (本地配套率, city)
local_supporting_rate_province   P_same province / P        (本地配套率, province)
import_share_purchases           P_imported / P
chain_segment_coverage           #{nodes of the cluster's chain template with ≥ 1 firm located in r,
                                 with accounts in t, serving the node} / #{nodes}
suppliers_moved_out              #{sellers that supplied the cluster's firms in r in t−1 from the
                                 buyer's province and sold from outside it in t} (location of a
                                 seller in a year = the largest region code on its sales)
"""

from __future__ import annotations

import ibis
from ibis import _

from .base import KEYS, melt, province_code, safe_div
from .registry import indicator_group


#: ``seller_location`` of :func:`located_purchases`: where a seller is relative to the buyer firm.
OTHER_LOCATION, SAME_CITY, SAME_PROVINCE, IMPORTED = 0, 1, 2, 3


def located_purchases(transactions: ibis.Table, firms: ibis.Table, carry: tuple[str, ...] = ()) -> ibis.Table:
    """Purchases of ``firms`` with the seller's location relative to the buyer (the narrow input of
    :func:`buyer_purchases`, :func:`jiqun.metrics.leading.driving_power` and
    :func:`moved_out_indicator`).

    ``firms``: ``uscc, firm_region`` of the buyers wanted (the buyer's own region, as in the
    cluster firm-years); optionally ``fid``, a key that replaces the USCC in ``buyer_uscc``, ``year``
    (buyers per year: only those years' purchases), and further columns, passed through. Returns one
    row per transaction of those buyers: ``buyer_uscc, seller_uscc, year, amount, seller_location,
    buyer_city``, the further columns and the transaction columns named in ``carry`` (e.g.
    ``node_id``, ``seller_country``: the chain map of :mod:`jiqun.chains` reads them).

    ``seller_location`` (uint8): :data:`SAME_CITY` (1) for a domestic seller (country CHN) whose region
    code's first 4 digits equal the buyer firm's, :data:`SAME_PROVINCE` (2) for one whose first 2
    digits (but not 4) do, :data:`IMPORTED` (3) for a foreign seller, :data:`OTHER_LOCATION` (0)
    otherwise (elsewhere in China, or no region code). ``buyer_city``: the buyer firm's city as a
    number (its region code's first 4 digits). Region codes are 6-digit GB/T 2260 codes (the loader
    checks them against the code list), so the digits are compared as numbers; a code that is not a
    number counts as no code.
    """
    key = "fid" if "fid" in firms.columns else "uscc"
    extra = [c for c in firms.columns if c not in ("uscc", "fid", "firm_region", "year")]
    code = firms.firm_region.try_cast("int32")
    # The buyer's city and province as the smallest code in them (320583 -> 320500, 320000): the
    # seller's code is compared by the same rounding, with integer arithmetic only.
    buyers = firms.select(*extra, _b=_.uscc, _key=firms[key], _city=code - code % 100, _prov=code - code % 10000,
                          buyer_city=(code // 100).cast("int32"),
                          **({"_year": firms.year} if "year" in firms.columns else {}))
    on = [transactions.buyer_uscc == buyers._b]
    if "year" in firms.columns:  # buyers given per year: only those years' purchases
        on.append(transactions.year == buyers._year)
    tx = transactions.join(buyers, on)
    seller = tx.seller_region_code.try_cast("int32")
    location = ibis.cases(
        (tx.seller_country.fill_null("CHN") != "CHN", IMPORTED),
        (seller - seller % 100 == tx._city, SAME_CITY),
        (seller - seller % 10000 == tx._prov, SAME_PROVINCE),
        else_=OTHER_LOCATION).cast("uint8")  # uint8: ibis writes the cast (an int8 CASE stays INTEGER)
    return tx.select(
        buyer_uscc=tx._key, seller_uscc=tx.seller_uscc, year=tx.year, amount=tx.amount_yuan.cast("float64"),
        seller_location=location, buyer_city=tx.buyer_city, **{c: tx[c] for c in extra},
        **{c: tx[c] for c in carry})


def buyer_purchases(located: ibis.Table) -> ibis.Table:
    """Purchases per buyer × year by seller location class (the narrow input of
    :func:`purchase_indicators`): ``buyer_uscc, year, total, city, prov, imp`` from
    :func:`located_purchases` (``prov`` includes ``city``). Sums are null where the buyer has no such
    purchase that year. The transactions are reduced to one row per buyer-year before they meet the
    clusters."""
    same_city = _.seller_location == SAME_CITY
    same_prov = _.seller_location.isin((SAME_CITY, SAME_PROVINCE))
    return located.group_by("buyer_uscc", "year").aggregate(
        total=_.amount.sum(), city=_.amount.sum(where=same_city), prov=_.amount.sum(where=same_prov),
        imp=_.amount.sum(where=_.seller_location == IMPORTED))


def purchase_indicators(fy_purchases: ibis.Table) -> ibis.Table:
    """Local supporting rates and import share of purchases.

    ``fy_purchases``: the cluster firm-years that made purchases, each with its buyer-year's sums
    from :func:`buyer_purchases` (``cluster_id, region_code, year, total, city, prov, imp``)."""
    wide = fy_purchases.group_by(*KEYS).aggregate(
        n=_.count(), total=_.total.sum(), city=_.city.sum(), prov=_.prov.sum(), imp=_.imp.sum(),
        city_max=_.city.max(), prov_max=_.prov.max(), imp_max=_.imp.max())
    return melt(wide, {
        "local_supporting_rate_city": (safe_div(_.city.fill_null(0), _.total), _.n, safe_div(_.city_max, _.city)),
        "local_supporting_rate_province": (safe_div(_.prov.fill_null(0), _.total), _.n,
                                           safe_div(_.prov_max, _.prov)),
        "import_share_purchases": (safe_div(_.imp.fill_null(0), _.total), _.n, safe_div(_.imp_max, _.imp)),
    })


def segment_suppliers(fy_all_levels: ibis.Table, firm_nodes: ibis.Table, nodes: ibis.Table) -> ibis.Table:
    """Node × region × year with ``n_local`` (firms located in the region, with accounts that year,
    serving the node). ``fy_all_levels``: all firms' firm-years at levels (uscc, year, region_code)."""
    served = firm_nodes.select("uscc", "node_id").join(nodes.select("node_id", "cluster_id"), "node_id")
    # fy_all_levels has one row per firm × year × level, and the level sets region_code: no distinct needed
    active = fy_all_levels.select("uscc", "year", "region_code")
    return served.join(active, "uscc").group_by("cluster_id", "node_id", "region_code", "year").aggregate(
        n_local=_.count())  # (uscc, node_id) is the key of firm_chain_nodes


def coverage_indicator(fy: ibis.Table, seg: ibis.Table, nodes: ibis.Table) -> ibis.Table:
    """``chain_segment_coverage`` for every cluster × region × year with cluster firms."""
    n_nodes = nodes.group_by("cluster_id").aggregate(n_nodes=_.node_id.nunique())
    covered = seg.filter(_.n_local > 0).group_by(*KEYS).aggregate(covered=_.node_id.nunique())
    keys = fy.group_by(*KEYS).aggregate(n=_.count())
    wide = keys.join(n_nodes, "cluster_id").left_join(covered, list(KEYS)).select(
        *KEYS, "n", "n_nodes", covered=_.covered.fill_null(0))
    return melt(wide, {"chain_segment_coverage": (safe_div(_.covered, _.n_nodes), _.n, None)})


def seller_years(transactions: ibis.Table) -> ibis.Table:
    """Per seller × year: ``sales_all`` (all its sales) and ``loc`` (its location: the largest
    region code on its sales; null when none has one). Shared by :func:`moved_out_indicator` and
    :func:`jiqun.metrics.leading.driving_power`."""
    return transactions.filter(_.seller_uscc.notnull()).group_by("seller_uscc", "year").aggregate(
        sales_all=_.amount_yuan.sum(), loc=_.seller_region_code.max())


def moved_sellers(sellers: ibis.Table) -> ibis.Table:
    """Seller-years whose province in t (``ploc``) differs from their province in t+1."""
    located = sellers.filter(_.loc.notnull())
    now = located.select("seller_uscc", year=_.year - 1, loc_next=_.loc)
    moved = located.join(now, ["seller_uscc", "year"]).filter(province_code(_.loc_next) != province_code(_.loc))
    return moved.select("seller_uscc", "year", ploc=province_code(_.loc))


def moved_out_indicator(fy: ibis.Table, transactions: ibis.Table, sellers: ibis.Table | None = None) -> ibis.Table:
    """``suppliers_moved_out`` (see module docstring).

    A seller counts for the cluster × region in t+1 when it sold to one of the cluster's firms in
    the region in t, was located in that firm's province in t and outside it in t+1. Only the
    transactions of the (few) seller-years that changed province meet the clusters.
    ``transactions``: any table with ``seller_uscc, buyer_uscc, year`` (raw transactions or
    :func:`located_purchases`); ``sellers``: :func:`seller_years` (computed from ``transactions``
    when omitted) with the same seller keys.
    """
    sellers = seller_years(transactions) if sellers is None else sellers
    moved = moved_sellers(sellers)
    pairs = transactions.filter(_.buyer_uscc.notnull() & _.seller_uscc.notnull()).select(
        "seller_uscc", "buyer_uscc", "year").join(moved, ["seller_uscc", "year"]).distinct()
    # The buyer's province is read after the join: only for the (few) pairs with a moved seller.
    buyers = fy.select(*KEYS, buyer_uscc=_.uscc, buyer_region=_.firm_region)
    hit = pairs.join(buyers, ["buyer_uscc", "year"]).filter(_.ploc == province_code(_.buyer_region))
    counts = hit.group_by("cluster_id", "region_code", year=_.year + 1).aggregate(
        moved=_.seller_uscc.nunique())
    keys = fy.group_by(*KEYS).aggregate(n=_.count())
    prev_keys = keys.select("cluster_id", "region_code", year=_.year + 1)
    wide = keys.join(prev_keys, list(KEYS)).left_join(counts, list(KEYS)).select(
        *KEYS, moved=_.moved.fill_null(0))
    return melt(wide, {"suppliers_moved_out": (_.moved, _.moved, None)})


@indicator_group("purchases", ids=("local_supporting_rate_city", "local_supporting_rate_province",
                                   "import_share_purchases"), reads=("fy_purchases",))
def purchases_group(tables, opts):
    return purchase_indicators(tables["fy_purchases"])


@indicator_group("coverage", ids=("chain_segment_coverage",), reads=("fy", "segment_suppliers", "nodes"))
def coverage_group(tables, opts):
    return coverage_indicator(tables["fy"], tables["segment_suppliers"], tables["nodes"])


@indicator_group("moved_out", ids=("suppliers_moved_out",), reads=("fy", "located", "sellers"))
def moved_out_group(tables, opts):
    return moved_out_indicator(tables["fy"], tables["located"], tables["sellers"])
