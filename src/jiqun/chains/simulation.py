"""Shock simulation and ESRI ranking on a store (冲击模拟与系统重要性排名): the orchestrators behind
``jiqun chain shock`` and ``jiqun chain esri``.

They only resolve names, build the firm network (:func:`jiqun.chains.firm_network.firm_network`),
choose the essentiality matrix and call the pure functions of :mod:`jiqun.chains.shock`.

Scope. ``cluster`` (default) runs the cascade on the cluster's network: its province firms, their
direct suppliers and customers, and the flows among them (the partners' other trade left out), so
ESRI is the share of that network's production at risk. ``province`` runs it on the whole firm
network of the year (every firm, country and region node), so a shock reaches other clusters too;
it costs seconds at province scale (benchmarks/shock.py).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from .firm_network import FirmNetwork, cluster_subnetwork, firm_network
from .scenarios import ScenarioError, check_removals, check_share, combine, essentiality_matrix, resolve_removal
from .shock import ShockResult, run_shock, shock_report, systemic_suppliers

SCOPES = ("cluster", "province")


@dataclass
class ShockRun:
    """One shock scenario on a store and its result tables (see :func:`jiqun.chains.shock.shock_report`).

    ``tables`` holds ``summary``, ``by_segment`` (the cluster's segments only), ``by_city``,
    ``by_cluster``, ``hardest_hit``, ``alternatives``.
    """

    cluster_id: str
    year: int
    scope: str
    essentiality: str
    result: ShockResult
    tables: dict = field(default_factory=dict)


@dataclass
class EsriRanking:
    """The systemically most important suppliers of a cluster (:func:`cluster_esri`)."""

    cluster_id: str
    year: int
    scope: str
    essentiality: str
    candidates: int
    n_nodes: int
    ranking: pd.DataFrame


def _choose(text, choices, what: str) -> str:
    if text not in choices:
        raise ScenarioError(f"{what} {text!r} is not one of {', '.join(choices)} — choose one of them")
    return text


def cluster_network(con, cluster, year=None, scope: str = "cluster") -> tuple[str, FirmNetwork, FirmNetwork]:
    """The resolved cluster id, the firm network a scenario runs on and the province network.

    Parameters
    ----------
    con : ibis backend
        A jiqun store.
    cluster : str
        Cluster id or name (:func:`jiqun.names.resolve_cluster`).
    year : int or str, optional
        A year of ``transactions`` (default: the latest); an unknown year is refused with the years.
    scope : {"cluster", "province"}
    """
    from ..names import resolve_cluster, resolve_year

    cluster_id = resolve_cluster(con, cluster)
    _choose(scope, SCOPES, "scope")
    chosen = None if year is None else resolve_year(con, year, table="transactions")
    network = firm_network(con, chosen)
    return cluster_id, scoped_network(network, cluster_id, scope), network


def scoped_network(network: FirmNetwork, cluster_id: str, scope: str = "cluster") -> FirmNetwork:
    """The part of the province ``network`` a scenario of ``cluster_id`` runs on (``scope`` as in
    :func:`cluster_network`); refused when the cluster has no province firm trading that year."""
    _choose(scope, SCOPES, "scope")
    members = network.memberships.loc[network.memberships.cluster_id == cluster_id, "position"]
    if not network.nodes["in_province"].to_numpy()[members.to_numpy()].any():
        raise ScenarioError(f"cluster {cluster_id!r} has no province firm trading in {network.year} "
                            "该集群当年无交易企业 — choose another year or load its transactions")
    return cluster_subnetwork(network, cluster_id) if scope == "cluster" else network


def _essentiality_name(essentiality) -> str:
    return essentiality if isinstance(essentiality, str) else "user matrix"


def shock_scenario(con, cluster, remove, share: float = 1.0, year=None, essentiality="default",
                   scope: str = "cluster", eps: float = 0.01, top: int = 20) -> ShockRun:
    """Fail firms, a segment's local capacity, a city or a country's imports and follow the cascade.

    Parameters
    ----------
    con : ibis backend
        A jiqun store with ``transactions`` for the year.
    cluster : str
        Cluster id or name.
    remove : str or list of str
        ``firm:USCC[,USCC…]``, ``segment:NODE_ID``, ``city:CODE_OR_NAME``, ``country:ISO3``; several
        form one combined shock (:mod:`jiqun.chains.scenarios`).
    share : float
        ψ, the share of the removed nodes' production that fails, in (0, 1].
    year, scope
        See :func:`cluster_network`.
    essentiality : str or pandas.DataFrame
        ``default`` (from the national IO table), ``linear``, ``leontief``, a CSV path or a frame.
    eps : float
        The cascade's stopping threshold.
    top : int
        Rows of the hardest-hit table.

    Raises
    ------
    ScenarioError, jiqun.names.NameNotFound
        With the valid choices.
    """
    share = check_share(share)
    removals = check_removals(remove)
    cluster_id, network, province = cluster_network(con, cluster, year, scope)
    return shock_on_network(cluster_id, network, province, removals, share, essentiality, eps, top, con)


def shock_on_network(cluster_id: str, network: FirmNetwork, province: FirmNetwork, remove, share: float = 1.0,
                     essentiality="default", eps: float = 0.01, top: int = 20, con=None) -> ShockRun:
    """:func:`shock_scenario` on networks already built (:func:`cluster_network`), with no store
    connection needed but for city names (``con``; default: the shipped region catalogue) — the web
    page runs it in the background on networks read once per store version.

    Parameters
    ----------
    cluster_id : str
        A resolved cluster id.
    network, province : FirmNetwork
        The network the cascade runs on and the province network alternatives are sought in.
    remove, share, essentiality, eps, top
        As in :func:`shock_scenario`.
    """
    share = check_share(share)
    removals = check_removals(remove)
    scenario = combine([resolve_removal(network, text, con) for text in removals])
    matrix = essentiality_matrix(essentiality, network.nodes["sector"])
    result = run_shock(network, scenario, matrix, share, eps)
    # Alternatives are sought among all the province network's firms, not only the cluster's partners.
    tables = shock_report(result, top=top, pool=province)
    segments = tables["by_segment"]
    tables["by_segment"] = segments[segments.node_id.str.startswith(cluster_id + ".")].reset_index(drop=True)
    tables["summary"] = tables["summary"].assign(cluster_id=cluster_id, year=network.year, scope=network.scope,
                                                 essentiality=_essentiality_name(essentiality),
                                                 n_nodes=network.n)
    return ShockRun(cluster_id, network.year, network.scope, _essentiality_name(essentiality), result, tables)


def cluster_esri(con, cluster, year=None, top: int = 50, candidates: int = 1000, essentiality="default",
                 scope: str = "cluster", eps: float = 0.01) -> EsriRanking:
    """ESRI of each of a cluster's ``candidates`` largest suppliers failing alone, the ``top`` kept.

    Suppliers are firms and countries' imports ranked by sales to the cluster's province firms
    (:func:`jiqun.chains.shock.cluster_suppliers`); each is one scenario column of the batched
    cascade. Returns the columns of :func:`jiqun.chains.shock.systemic_suppliers`.
    """
    for value, what in ((top, "top"), (candidates, "candidates")):
        if int(value) < 1:
            raise ScenarioError(f"{what} must be a positive number of suppliers, not {value!r}")
    cluster_id, network, _province = cluster_network(con, cluster, year, scope)
    matrix = essentiality_matrix(essentiality, network.nodes["sector"])
    ranking = systemic_suppliers(network, cluster_id, matrix, candidates=int(candidates), eps=eps)
    return EsriRanking(cluster_id, network.year, network.scope, _essentiality_name(essentiality),
                       min(int(candidates), len(ranking)), network.n, ranking.head(int(top)).reset_index(drop=True))


@dataclass
class NetworkReport:
    """A cluster's firm network measured (:func:`cluster_firm_network`).

    ``tables`` holds ``summary`` (one row), ``key_firms``, ``communities``, ``leaders`` and ``bridges``
    (columns of :mod:`jiqun.chains.network`'s functions), the long ones cut to ``top`` rows.
    """

    cluster_id: str
    year: int
    tables: dict = field(default_factory=dict)


def cluster_firm_network(con, cluster, year=None, top: int = 20, leaders: int = 10, resolution: float = 1.0,
                         seed: int = 0, sample: int | None = None) -> NetworkReport:
    """Key firms, communities, leaders' supplier bases and bridging firms of a cluster's network.

    Parameters
    ----------
    con : ibis backend
        A jiqun store with ``transactions``.
    cluster : str
        Cluster id or name.
    year : int or str, optional
        A year of ``transactions`` (default: the latest).
    top : int
        Rows kept of the key-firm, community and bridge tables.
    leaders : int
        The cluster's largest province firms by output whose supplier bases are shown.
    resolution, seed
        Leiden's resolution and random seed (:func:`jiqun.chains.network.calc_leiden`).
    sample : int, optional
        Sampled sources for betweenness above :data:`~jiqun.chains.network.EXACT_BETWEENNESS_LIMIT` nodes.

    Key firms and communities are measured on the cluster's network (its province firms and their
    direct partners); bridges (province firms only) on the province network, where partners' other
    clusters are visible.
    """
    from . import network as measures

    for value, what in ((top, "top"), (leaders, "leaders")):
        if int(value) < 1:
            raise ScenarioError(f"{what} must be a positive number, not {value!r}")
    if not resolution > 0:
        raise ScenarioError(f"resolution must be positive, not {resolution!r} (1 = plain modularity)")
    cluster_id, network, province = cluster_network(con, cluster, year, "cluster")
    graph = measures.supply_graph(network)
    membership, modularity = measures.calc_leiden(graph, resolution, seed)
    firms = measures.key_firms(network, seed=seed, community=membership,
                               sample=sample or measures.BETWEENNESS_SAMPLE, graph=graph)
    communities = measures.community_summary(network, membership)
    bridges = measures.bridging_firms(province, cluster_id, province_only=True)
    bridges = bridges.merge(firms[["node", "betweenness"]], on="node", how="left")
    summary = pd.DataFrame([{
        "cluster_id": cluster_id, "year": network.year, "n_nodes": network.n, "n_links": graph.ecount(),
        "n_province_firms": int(network.nodes["in_province"].sum()), "n_communities": len(communities),
        "modularity": modularity, "resolution": resolution, "seed": seed,
        "betweenness_method": firms.attrs["betweenness_method"], "n_bridges": len(bridges),
    }])
    chosen = measures.cluster_leaders(network, cluster_id, leaders)
    tables = {"summary": summary, "key_firms": firms.head(int(top)),
              "communities": communities.head(int(top)), "leaders": measures.leader_supplier_base(network, chosen),
              "bridges": bridges.head(int(top))}
    return NetworkReport(cluster_id, network.year, tables)
