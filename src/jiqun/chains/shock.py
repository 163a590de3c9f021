"""Results of shock scenarios on a firm network (冲击模拟结果) and the systemically most important
suppliers of a cluster (系统重要性供应商).

The cascade itself is :func:`jiqun.chains.cascade.cascade` (Diem et al. 2022); this module turns its
remaining production levels ``h_down`` / ``h_up`` into ESRI, output at risk by segment, city and
cluster, the firms hit hardest and alternative suppliers for the lost ones.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import scipy.sparse as sp

from .firm_network import FIRM, FirmNetwork
from .scenarios import Scenario, psi_matrix

#: A firm counts as "not hit" (an alternative supplier) when it keeps at least 1 − this share.
NOT_HIT_LOSS = 0.01


@dataclass
class ShockResult:
    """One scenario's cascade on a network: ``psi``, ``h_down``, ``h_up`` (length n), its scenario."""

    network: FirmNetwork
    scenario: Scenario
    share: float
    psi: np.ndarray
    h_down: np.ndarray
    h_up: np.ndarray

    @property
    def loss(self) -> np.ndarray:
        """1 − min(h_down, h_up): the share of each node's production lost."""
        return 1.0 - np.minimum(self.h_down, self.h_up)


def strength_weights(network: FirmNetwork) -> np.ndarray:
    """ESRI weights: out-strength normalised to sum 1."""
    out = network.nodes["out_strength"].to_numpy(np.float64)
    return out / out.sum() if out.sum() > 0 else out


def run_shock(network: FirmNetwork, scenario: Scenario, essentiality: pd.DataFrame, share: float = 1.0,
              eps: float = 0.01) -> ShockResult:
    """Run one scenario's cascade (see :func:`jiqun.chains.cascade.cascade`)."""
    from .cascade import cascade

    psi = psi_matrix(network.n, [scenario], share)
    h_down, h_up = cascade(network.W, network.nodes["sector"].tolist(), essentiality, psi, eps=eps)
    return ShockResult(network, scenario, share, psi[:, 0], np.asarray(h_down)[:, 0], np.asarray(h_up)[:, 0])


def esri_summary(result: ShockResult) -> pd.DataFrame:
    """ESRI, ESRI_down, ESRI_up (weights: out-strength), output at risk, firms hit (one row).

    Columns ``scenario``, ``share``, ``esri``, ``esri_down``, ``esri_up``, ``output_at_risk_yuan``,
    ``output_yuan``, ``output_at_risk_share``, ``firms_shocked``, ``firms_hit`` (loss > 1 %).
    """
    w = strength_weights(result.network)
    output = result.network.nodes["output_yuan"].to_numpy(np.float64)
    at_risk = float(output @ result.loss)
    return pd.DataFrame([{
        "scenario": result.scenario.text, "share": result.share,
        "esri": float(w @ result.loss), "esri_down": float(w @ (1 - result.h_down)),
        "esri_up": float(w @ (1 - result.h_up)),
        "output_at_risk_yuan": at_risk, "output_yuan": float(output.sum()),
        "output_at_risk_share": at_risk / output.sum() if output.sum() > 0 else np.nan,
        "firms_shocked": int((result.psi > 0).sum()), "firms_hit": int((result.loss > NOT_HIT_LOSS).sum()),
    }])


def output_at_risk(result: ShockResult, by: str) -> pd.DataFrame:
    """Output at risk Σ output_j·(1 − min(hd_j, hu_j)) by ``segment``, ``city`` or ``cluster``.

    Returns columns ``node_id`` (segment) / ``city_code`` / ``cluster_id``, ``n_firms``,
    ``output_yuan``, ``output_at_risk_yuan``, ``output_at_risk_share``; largest at risk first. A firm
    serving several segments or belonging to several clusters counts in each.
    """
    network = result.network
    nodes = network.nodes.assign(at_risk=network.nodes["output_yuan"] * result.loss)
    if by == "segment":
        table, key = network.segments, "node_id"
    elif by == "cluster":
        table, key = network.memberships, "cluster_id"
    elif by == "city":
        table, key = pd.DataFrame({"position": np.flatnonzero(nodes["in_province"].to_numpy()),
                                   "city_code": nodes.loc[nodes.in_province, "city_code"].to_numpy()}), "city_code"
    else:
        raise ValueError(f"by must be segment, city or cluster, not {by!r}")
    joined = table.assign(output_yuan=nodes["output_yuan"].to_numpy()[table["position"]],
                          at_risk=nodes["at_risk"].to_numpy()[table["position"]])
    grouped = joined.groupby(key).agg(n_firms=("position", "nunique"), output_yuan=("output_yuan", "sum"),
                                      output_at_risk_yuan=("at_risk", "sum")).reset_index()
    grouped["output_at_risk_share"] = grouped["output_at_risk_yuan"] / grouped["output_yuan"].where(
        grouped["output_yuan"] > 0)
    return grouped.sort_values(["output_at_risk_yuan", key], ascending=[False, True]).reset_index(drop=True)


def _labels(network: FirmNetwork, positions: np.ndarray) -> pd.DataFrame:
    """uscc/kind/name/city/cluster/segment of node positions."""
    nodes = network.nodes.iloc[positions]
    clusters = network.memberships.groupby("position")["cluster_id"].agg(lambda s: ",".join(sorted(s)))
    segments = network.segments.groupby("position")["node_id"].agg(lambda s: ",".join(sorted(s)))
    return pd.DataFrame({"position": positions, "uscc": nodes["node"].to_numpy(), "kind": nodes["kind"].to_numpy(),
                         "name": nodes["name"].to_numpy(),
                         "city_code": nodes["city_code"].to_numpy(),
                         "cluster_id": clusters.reindex(positions).to_numpy(),
                         "node_id": segments.reindex(positions).to_numpy(), "sector": nodes["sector"].to_numpy()})


def hardest_hit(result: ShockResult, top: int = 20) -> pd.DataFrame:
    """The firms that lose the most output: ``uscc``, ``name``, ``city_code``, ``cluster_id``,
    ``node_id``, ``shocked`` (ψ > 0), ``h_down``, ``h_up``, ``loss``, ``output_yuan``,
    ``output_at_risk_yuan``; ordered by output at risk, then loss."""
    nodes = result.network.nodes
    at_risk = nodes["output_yuan"].to_numpy() * result.loss
    firm = (nodes["kind"].to_numpy() == FIRM) & (result.loss > 0)
    order = np.lexsort((np.arange(len(at_risk)), -result.loss, -at_risk))
    chosen = order[firm[order]][:top]
    out = _labels(result.network, chosen)
    return out.assign(shocked=result.psi[chosen] > 0, h_down=result.h_down[chosen], h_up=result.h_up[chosen],
                      loss=result.loss[chosen], output_yuan=nodes["output_yuan"].to_numpy()[chosen],
                      output_at_risk_yuan=at_risk[chosen]).drop(columns=["position", "sector"])


def lost_suppliers(result: ShockResult, top: int = 10, min_loss: float = 0.5) -> np.ndarray:
    """Positions of the suppliers whose sales are lost: shocked (ψ > 0) or losing ≥ ``min_loss`` of
    their production, with sales; the ``top`` with the largest lost sales (out-strength × loss)."""
    nodes = result.network.nodes
    lost_sales = nodes["out_strength"].to_numpy() * result.loss
    lost = ((result.psi > 0) | (result.loss >= min_loss)) & (lost_sales > 0)
    order = np.lexsort((np.arange(len(lost_sales)), -lost_sales))
    return order[lost[order]][:top]


def alternative_suppliers(result: ShockResult, suppliers: int = 10, per_supplier: int = 5,
                          pool: FirmNetwork | None = None) -> pd.DataFrame:
    """Alternative suppliers for the lost ones (替代供应商).

    For each lost supplier (:func:`lost_suppliers`), firms not hit themselves (loss < 1 %) that serve
    a chain segment it supplies (match ``segment``, see :func:`supplied_segments`; this covers a
    country's imports too), else have the same GB/T 4754 class
    (``class``, 4 digits), else the same division (``division``); located (``location``) relative
    to the city of the lost supplier's largest customer: ``same_city``, ``province`` (elsewhere in
    the province) or ``elsewhere``. ``capacity_ratio`` = the candidate's output / the lost sales;
    ``capacity`` is ``full`` (ratio ≥ 1), ``partial`` (≥ 0.1) or ``small``. Ranked by match,
    capacity, location, then output — a same-city firm a hundredth the size of the lost supply is
    not the first answer.

    Parameters
    ----------
    result : ShockResult
    suppliers, per_supplier : int
        How many lost suppliers, and how many alternatives for each.
    pool : FirmNetwork, optional
        Where alternatives are sought (default: the network the cascade ran on). A cascade on a
        cluster's network passes the province network: its firms outside the cluster's network are
        not reached by the shock (loss 0).

    Returns
    -------
    pandas.DataFrame
        Columns ``lost_uscc``, ``lost_name``, ``lost_sales_yuan``, ``rank``, ``uscc``, ``name``,
        ``city_code``, ``match``, ``location``, ``output_yuan``, ``capacity_ratio``, ``capacity``.
    """
    network, pool = result.network, pool if pool is not None else result.network
    nodes, pool_nodes = network.nodes, pool.nodes
    pool_loss = pd.Series(result.loss, index=nodes["node"]).reindex(pool_nodes["node"]).fillna(0.0).to_numpy()
    ok = (pool_loss < NOT_HIT_LOSS) & (pool_nodes["kind"].to_numpy() == FIRM) & (pool_nodes["output_yuan"].to_numpy() > 0)
    rows = []
    for lost in lost_suppliers(result, suppliers):
        row = network.W.getrow(lost)
        customer = row.indices[np.argmax(row.data)] if row.nnz else lost
        my_segments = supplied_segments(network, lost)
        own = pool.position(nodes["node"].iat[lost])
        usable = ok.copy()
        if own is not None:
            usable[own] = False
        candidates = _candidates(pool, nodes.iloc[lost], usable, my_segments)
        if candidates.empty:
            continue
        lost_sales = float(nodes["out_strength"].iat[lost] * result.loss[lost])
        best = _rank_candidates(pool, candidates, nodes["city_code"].iat[customer], lost_sales).head(per_supplier)
        for rank, cand in enumerate(best.itertuples(), start=1):
            rows.append({"lost_uscc": nodes["node"].iat[lost], "lost_name": nodes["name"].iat[lost],
                         "lost_sales_yuan": lost_sales, "rank": rank, "uscc": pool_nodes["node"].iat[cand.position],
                         "name": pool_nodes["name"].iat[cand.position],
                         "city_code": pool_nodes["city_code"].iat[cand.position], "match": cand.match,
                         "location": cand.location, "output_yuan": float(cand.output_yuan),
                         "capacity_ratio": cand.capacity_ratio, "capacity": cand.capacity})
    columns = ["lost_uscc", "lost_name", "lost_sales_yuan", "rank", "uscc", "name", "city_code", "match",
               "location", "output_yuan", "capacity_ratio", "capacity"]
    return pd.DataFrame(rows, columns=columns)


def supplied_segments(network: FirmNetwork, position: int) -> set:
    """The chain segments a lost supplier must be replaced in: the chain nodes of its sales in the
    year (within the scope cluster's chain when the network is a cluster's and it sells there),
    else the segments it is registered to serve."""
    sales = network.sales_segments
    sold = sales.loc[sales.position == position]
    if network.scope.startswith("cluster:"):
        mine = sold[sold.node_id.str.startswith(network.scope.split(":", 1)[1] + ".")]
        sold = mine if len(mine) else sold
    if len(sold):
        return set(sold["node_id"])
    return set(network.segments.loc[network.segments.position == position, "node_id"])


#: Capacity tiers of an alternative supplier: its output / the lost sales.
FULL_CAPACITY, PARTIAL_CAPACITY = 1.0, 0.1


def _rank_candidates(network: FirmNetwork, candidates: pd.DataFrame, city, lost_sales: float) -> pd.DataFrame:
    """Location, capacity and the order of :func:`alternative_suppliers` for one lost supplier."""
    nodes = network.nodes
    cities = nodes["city_code"].to_numpy()[candidates.position]
    in_prov = nodes["in_province"].to_numpy()[candidates.position]
    output = nodes["output_yuan"].to_numpy()[candidates.position]
    ratio = output / lost_sales if lost_sales > 0 else np.full(len(output), np.inf)
    tier = np.where(ratio >= FULL_CAPACITY, 0, np.where(ratio >= PARTIAL_CAPACITY, 1, 2))
    ranked = candidates.assign(
        location=np.where(cities == city, "same_city", np.where(in_prov, "province", "elsewhere")),
        output_yuan=output, capacity_ratio=ratio, _tier=tier,
        capacity=np.array(["full", "partial", "small"])[tier])
    ranked["_loc"] = ranked["location"].map({"same_city": 0, "province": 1, "elsewhere": 2})
    return ranked.sort_values(["_match", "_tier", "_loc", "output_yuan", "position"],
                              ascending=[True, True, True, False, True])


def _candidates(pool: FirmNetwork, lost: pd.Series, ok: np.ndarray, segments: set) -> pd.DataFrame:
    """Positions in ``pool`` of firms usable instead of the ``lost`` node (its attribute row): by
    segment, else class, else division (the first level with any)."""
    nodes = pool.nodes
    if segments:
        served = pool.segments.loc[pool.segments.node_id.isin(segments), "position"].unique()
        served = served[ok[served]]
        if len(served):
            return pd.DataFrame({"position": served, "match": "segment", "_match": 0})
    industry = lost["industry_code"]
    if isinstance(industry, str) and len(industry) >= 4:
        same = np.flatnonzero(ok & (nodes["industry_code"].fillna("").str[:4].to_numpy() == industry[:4]))
        if len(same):
            return pd.DataFrame({"position": same, "match": "class", "_match": 1})
    same = np.flatnonzero(ok & (nodes["sector"].to_numpy() == lost["sector"]) & nodes["industry_code"].notna().to_numpy())
    return pd.DataFrame({"position": same, "match": "division", "_match": 2})


def shock_report(result: ShockResult, top: int = 20, suppliers: int = 10, per_supplier: int = 5,
                 pool: FirmNetwork | None = None) -> dict:
    """Every result table of a scenario: ``summary``, ``by_segment``, ``by_city``, ``by_cluster``,
    ``hardest_hit``, ``alternatives`` (DataFrames, see the functions of this module; ``pool`` as in
    :func:`alternative_suppliers`)."""
    return {"summary": esri_summary(result), "by_segment": output_at_risk(result, "segment"),
            "by_city": output_at_risk(result, "city"), "by_cluster": output_at_risk(result, "cluster"),
            "hardest_hit": hardest_hit(result, top),
            "alternatives": alternative_suppliers(result, suppliers, per_supplier, pool)}


#: Node kinds ranked as suppliers: firms and a country's imports (a region pseudo-node pools the
#: domestic counterparts without a USCC, not one supplier anyone could lose or replace).
SUPPLIER_KINDS = ("firm", "country")


def cluster_suppliers(network: FirmNetwork, cluster: str, candidates: int = 1000,
                      kinds: tuple[str, ...] = SUPPLIER_KINDS) -> pd.DataFrame:
    """The cluster's largest suppliers by sales to its province firms: ``position``,
    ``sales_to_cluster_yuan``; largest first (a cluster firm supplying another counts); only nodes
    of ``kinds``."""
    members = network.memberships.loc[network.memberships.cluster_id == cluster, "position"].to_numpy()
    members = members[network.nodes["in_province"].to_numpy()[members]]
    if not len(members):
        return pd.DataFrame({"position": np.array([], dtype=np.int64), "sales_to_cluster_yuan": []})
    sales = np.asarray(network.W[:, np.unique(members)].sum(axis=1)).ravel()
    sales = np.where(network.nodes["kind"].isin(kinds).to_numpy(), sales, 0.0)
    order = np.lexsort((np.arange(len(sales)), -sales))
    chosen = order[sales[order] > 0][:candidates]
    return pd.DataFrame({"position": chosen, "sales_to_cluster_yuan": sales[chosen]})


def systemic_suppliers(network: FirmNetwork, cluster: str, essentiality: pd.DataFrame, candidates: int = 1000,
                       eps: float = 0.01, batch: int | None = None) -> pd.DataFrame:
    """ESRI of a cluster's ``candidates`` largest suppliers, each failing alone (one scenario per
    column, batched through :func:`jiqun.chains.cascade.esri`), ranked.

    Returns columns ``rank``, ``uscc``, ``kind``, ``name``, ``city_code``, ``cluster_id``,
    ``node_id``, ``sector``, ``sales_to_cluster_yuan``, ``esri``, ``esri_down``, ``esri_up``.
    """
    from .cascade import esri

    chosen = cluster_suppliers(network, cluster, candidates)
    positions = chosen["position"].to_numpy()
    if len(positions):
        # One sparse ψ column per supplier; esri batches them from its memory budget on one prepared network.
        psi = sp.csc_matrix((np.ones(len(positions)), (positions, np.arange(len(positions)))),
                            shape=(network.n, len(positions)))
        scores = esri(network.W, network.nodes["sector"].tolist(), essentiality, psi=psi,
                      weights=strength_weights(network), eps=eps, batch=batch).reset_index(drop=True)
    else:
        scores = pd.DataFrame(columns=["esri", "esri_down", "esri_up"])
    out = _labels(network, positions).assign(sales_to_cluster_yuan=chosen["sales_to_cluster_yuan"].to_numpy(),
                                              esri=scores["esri"].to_numpy(), esri_down=scores["esri_down"].to_numpy(),
                                              esri_up=scores["esri_up"].to_numpy())
    out = out.sort_values(["esri", "sales_to_cluster_yuan", "position"], ascending=[False, False, True])
    out.insert(0, "rank", np.arange(1, len(out) + 1))
    return out.drop(columns="position").reset_index(drop=True)
