"""Firm-network measures at province scale (issue 15): build the firm network of the latest year from a
store, take one cluster's network and time jiqun's measures (python-igraph) beside networkx on the same
graph, with the results compared.

    PYTHONPATH=src python benchmarks/network.py --store /work/prov.duckdb [--cluster C] [--sample 500]

Prints, in one run:
1. the province network and the cluster network (nodes, links) and their build times;
2. on the cluster network: weighted PageRank (supplier side: buyer → seller), hop-count betweenness
   (exact when the network has at most ``EXACT_BETWEENNESS_LIMIT`` nodes, else from ``--sample`` sources),
   Leiden communities; jiqun's time beside networkx's (nx.pagerank; nx.betweenness_centrality_subset on
   the same sources; Louvain, networkx having no Leiden) and the largest difference;
3. the bridging firms on the whole province network and the full ``cluster_firm_network`` report.
The store is opened read-only.
"""

from __future__ import annotations

import argparse
import resource
import time

import numpy as np


def peak_gb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024 ** 2


def timed(label: str, function):
    start = time.perf_counter()
    value = function()
    seconds = time.perf_counter() - start
    return value, seconds


def to_networkx(network):
    import networkx as nx

    coo = network.W.tocoo()
    graph = nx.DiGraph()
    graph.add_nodes_from(range(network.n))
    graph.add_weighted_edges_from(zip(coo.row.tolist(), coo.col.tolist(), coo.data.tolist()))
    return graph


def compare_measures(network, sample: int, seed: int) -> None:
    import networkx as nx

    from jiqun.chains import network as measures

    graph, built = timed("igraph", lambda: measures.supply_graph(network))
    ours, pr_seconds = timed("pagerank", lambda: measures.calc_pagerank(graph, reverse=True))
    (between, method), bc_seconds = timed("betweenness", lambda: measures.calc_betweenness(graph, sample=sample, seed=seed))
    (membership, modularity), leiden_seconds = timed("leiden", lambda: measures.calc_leiden(graph, seed=seed))
    nx_graph, nx_built = timed("networkx", lambda: to_networkx(network))
    theirs, nx_pr = timed("nx pagerank", lambda: nx.pagerank(nx_graph.reverse(copy=False), alpha=0.85, weight="weight",
                                                          tol=1e-10, max_iter=1000))
    n = network.n
    if method == "exact":
        nx_between, nx_bc = timed("nx betweenness", lambda: nx.betweenness_centrality(nx_graph, weight=None))
        nx_between = np.array([nx_between[i] for i in range(n)])
    else:
        sources = np.sort(np.random.default_rng(seed).choice(n, size=sample, replace=False)).tolist()
        raw, nx_bc = timed("nx betweenness", lambda: nx.betweenness_centrality_subset(nx_graph, sources, list(range(n))))
        nx_between = np.array([raw[i] for i in range(n)]) * (n / sample) / ((n - 1) * (n - 2))
    undirected = nx_graph.to_undirected()
    louvain, nx_louvain = timed("nx louvain", lambda: nx.community.louvain_communities(undirected, weight="weight",
                                                                                        seed=seed))
    pr_diff = float(np.max(np.abs(ours - np.array([theirs[i] for i in range(n)]))))
    print(f"  graph: igraph {built:.1f} s, networkx {nx_built:.1f} s")
    print(f"  PageRank (weighted, supplier side): jiqun {pr_seconds:.2f} s, networkx {nx_pr:.2f} s "
          f"({nx_pr / pr_seconds:.0f}x), max |diff| {pr_diff:.1e}")
    print(f"  betweenness ({method}): jiqun {bc_seconds:.1f} s, networkx {nx_bc:.1f} s ({nx_bc / bc_seconds:.0f}x), "
          f"max |diff| {float(np.max(np.abs(between - nx_between))):.1e}")
    print(f"  communities: Leiden (jiqun) {leiden_seconds:.2f} s, {membership.max()} communities, modularity "
          f"{modularity:.4f}; networkx Louvain {nx_louvain:.1f} s, {len(louvain)} communities, modularity "
          f"{nx.community.modularity(undirected, louvain, weight='weight'):.4f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--store", required=True, help="a jiqun store (opened read-only)")
    parser.add_argument("--cluster", default=None, help="cluster id (default: the one with the largest network)")
    parser.add_argument("--sample", type=int, default=500, help="sampled betweenness sources above the exact limit")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()

    import jiqun
    from jiqun.chains.firm_network import cluster_subnetwork, firm_network
    from jiqun.chains.network import bridging_firms
    from jiqun.chains.simulation import cluster_firm_network

    con = jiqun.connect(args.store, read_only=True)
    province, seconds = timed("build", lambda: firm_network(con))
    print(f"province network {province.year}: {province.n:,} nodes, {province.W.nnz:,} links, built in {seconds:.1f} s")
    clusters = sorted(province.memberships.cluster_id.unique())
    if args.cluster is None:
        sizes = {cluster: cluster_subnetwork(province, cluster).n for cluster in clusters}
        args.cluster = max(sizes, key=sizes.get)
    network, seconds = timed("cluster", lambda: cluster_subnetwork(province, args.cluster))
    print(f"cluster {args.cluster}: {network.n:,} nodes, {network.W.nnz:,} links, cut out in {seconds:.1f} s")
    compare_measures(network, args.sample, args.seed)
    bridges, seconds = timed("bridges", lambda: bridging_firms(province, province_only=True))
    print(f"bridging firms on the province network: {len(bridges):,} province firms in {seconds:.1f} s")
    report, seconds = timed("report", lambda: cluster_firm_network(con, args.cluster, sample=args.sample, seed=args.seed))
    print(f"cluster_firm_network({args.cluster!r}) end to end (network built again): {seconds:.1f} s "
          f"(betweenness {report.tables['summary'].betweenness_method.iloc[0]})")
    print(f"peak memory {peak_gb():.2f} GB")


if __name__ == "__main__":
    main()
