"""Leading firms (龙头企业) of a cluster and where they are controlled from: a local headquarters
(本地总部), a branch or production base of a foreign group (外资集团分支/生产基地) or of an
out-of-province group (外省集团分支/生产基地).

Relational work is ibis (any backend); :func:`leading_firms` returns a pandas frame.
"""

from __future__ import annotations

import ibis
import pandas as pd
from ibis import _

from .. import marts
from ..schema.vocab import HOME_COUNTRY, HOME_PROVINCE_CODE

#: Where a firm is controlled from: code → (Chinese, English, the rule in words).
ORIGINS = {
    "foreign_group": ("外资集团分支/生产基地", "branch or base of a foreign group",
                      "集团总部在境外，或外资/港澳台分支机构 parent group abroad, or a foreign/HMT-owned branch"),
    "outside_group": ("外省集团分支/生产基地", "branch or base of an out-of-province group",
                      "标为分支机构且集团总部不在境外 a branch whose group is not foreign"),
    "local_hq": ("本地总部企业", "local headquarters", "非分支机构且集团总部不在境外 not a branch, no foreign parent"),
}
#: Columns of :func:`leading_firms`, in order.
LEADER_COLUMNS = ("rank", "uscc", "name", "city_code", "ownership", "parent_group", "parent_country",
                  "parent_region_code", "origin", "output_value_yuan", "employment", "output_share",
                  "rd_intensity", "local_purchase_share", "local_supplier_pull", "srdi_level", "single_champion")


def firm_origin(firms: ibis.Table) -> ibis.Value:
    """The :data:`ORIGINS` code of each row of ``firms`` (``is_branch, ownership, parent_country``)."""
    foreign_parent = _.parent_country.notnull() & (_.parent_country != HOME_COUNTRY)
    foreign_branch = _.is_branch.fill_null(False) & _.ownership.isin(["foreign", "hmt"]).fill_null(False)
    return (ibis.cases((foreign_parent.fill_null(False) | foreign_branch, "foreign_group"),
                       (_.is_branch.fill_null(False), "outside_group"), else_="local_hq")
            .resolve(firms))


def leading_firms(con, cluster_id: str | None, year: int, top: int = 10,
                  province: str = HOME_PROVINCE_CODE, by_city: bool = False) -> pd.DataFrame:
    """The cluster's ``top`` province firms by output in ``year`` (or every cluster's, in one pass), where
    each is controlled from, its share of the cluster's province output, R&D intensity and the share of
    its purchases bought from sellers in the province.

    Parameters
    ----------
    con : ibis backend
        A jiqun store (``firms``, ``firm_years``, ``transactions``, the cluster catalogue).
    cluster_id : str or None
        A cluster id (None: every cluster, ``top`` firms each).
    year : int
        A year of ``firm_years``.
    top : int
        How many firms per cluster (per cluster and city with ``by_city``).
    by_city : bool
        Rank within each city's part of the cluster (ranks and output shares of the city), not the province.

    Returns
    -------
    pandas.DataFrame
        ``cluster_id`` and :data:`LEADER_COLUMNS`, by cluster and rank; ``origin`` one of :data:`ORIGINS`;
        shares in [0, 1], None where the firm has no revenue or no recorded purchases;
        ``local_supplier_pull`` = the share of its province suppliers' sales (to every buyer) that it buys,
        the firm-level twin of the indicator ``leader_driving_power`` (None without province suppliers).
    """
    prefix = province[:2]
    firms = con.table("firms").filter(_.region_code.startswith(prefix))
    members = marts.firm_clusters(con).select("uscc", "cluster_id")
    if cluster_id is not None:
        members = members.filter(_.cluster_id == cluster_id)
    accounts = con.table("firm_years").filter(_.year == year)
    facts = members.join(firms, "uscc").join(accounts, "uscc").mutate(city_code=_.region_code.substr(0, 4) + "00")
    keys = ["cluster_id", "city_code"] if by_city else ["cluster_id"]
    totals = facts.group_by(keys).aggregate(cluster_output=_.output_value_yuan.sum())
    order = ibis.row_number().over(ibis.window(group_by=keys, order_by=[ibis.desc("output_value_yuan"), "uscc"]))
    ranked = (facts.mutate(origin=firm_origin(facts), rank=order + 1)
              .filter(_.rank <= top))
    purchases = (con.table("transactions").filter(_.year == year)
                 .mutate(local=(_.seller_country == HOME_COUNTRY) & _.seller_region_code.startswith(prefix))
                 .group_by("buyer_uscc")
                 .aggregate(bought=_.amount_yuan.sum(), bought_locally=_.amount_yuan.sum(where=_.local)))
    local_sales = (con.table("transactions").filter((_.year == year) & _.seller_uscc.notnull()
                                                    & (_.seller_country == HOME_COUNTRY)
                                                    & _.seller_region_code.startswith(prefix)))
    supplier_sales = local_sales.group_by("seller_uscc").aggregate(supplier_sales=_.amount_yuan.sum())
    pulled = (local_sales.group_by("seller_uscc", "buyer_uscc").aggregate(bought=_.amount_yuan.sum())
              .join(supplier_sales, "seller_uscc")
              .group_by(pull_uscc=_.buyer_uscc)
              .aggregate(pulled=_.bought.sum(), suppliers_sales=_.supplier_sales.sum()))
    joined = (ranked.join(totals, keys).left_join(purchases, ranked.uscc == purchases.buyer_uscc)
              .left_join(pulled, ranked.uscc == pulled.pull_uscc))
    rows = joined.select(
        "cluster_id", "rank", "uscc", "name", "city_code", "ownership", "parent_group", "parent_country",
        "parent_region_code", "origin", "output_value_yuan", "employment", "srdi_level", "single_champion",
        output_share=_.output_value_yuan / _.cluster_output.nullif(0),
        rd_intensity=_.rd_expenditure_yuan / _.revenue_yuan.nullif(0),
        local_purchase_share=_.bought_locally.fill_null(0) / _.bought.nullif(0),
        local_supplier_pull=_.pulled / _.suppliers_sales.nullif(0),
    ).to_pandas()
    rows = rows.sort_values([*keys, "rank"]).reset_index(drop=True)
    return rows[["cluster_id", *LEADER_COLUMNS]]


def leader_centrality(con, leaders: pd.DataFrame, year: int) -> pd.DataFrame:
    """``leaders`` (:func:`leading_firms`) with each firm's weighted PageRank in its cluster's supply network
    (seller → buyer, :func:`jiqun.chains.network.calc_pagerank`; the network holds the cluster's firms and
    their direct partners) and its rank among the cluster's own firms.

    Returns
    -------
    pandas.DataFrame
        ``leaders`` with ``pagerank`` and ``pagerank_rank`` (None for a firm that did not trade in ``year``).
    """
    from ..chains.firm_network import cluster_subnetwork, firm_network
    from ..chains.network import calc_pagerank, supply_graph

    network = firm_network(con, int(year))
    out = leaders.copy()
    out["pagerank"], out["pagerank_rank"] = None, None
    for cluster_id, rows in leaders.groupby("cluster_id"):
        members = network.memberships.loc[network.memberships.cluster_id == cluster_id, "position"]
        if members.empty:
            continue
        part = cluster_subnetwork(network, cluster_id)
        scores = pd.Series(calc_pagerank(supply_graph(part)), index=part.nodes["node"].to_numpy())
        own = part.memberships.loc[part.memberships.cluster_id == cluster_id, "position"].to_numpy()
        firms = scores.iloc[own]  # ranked among the cluster's own firms, not their partners
        ranks = firms.rank(ascending=False, method="min")
        out.loc[rows.index, "pagerank"] = [float(firms[u]) if u in firms.index else None for u in rows.uscc]
        out.loc[rows.index, "pagerank_rank"] = [int(ranks[u]) if u in ranks.index else None for u in rows.uscc]
    return out
