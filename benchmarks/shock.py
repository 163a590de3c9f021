"""Shock simulation at province scale (issue 15): build the firm network of the latest year from a
store, fail its largest supplier on the whole province network, rank the 1,000 largest suppliers of
every cluster by ESRI, and beside them a straightforward per-scenario dense numpy loop.

    PYTHONPATH=src python benchmarks/shock.py --store /work/prov.duckdb

Prints, in one run:
1. the network size and build time;
2. one scenario (the largest supplier fails) on the whole province network, default essentiality;
3. ESRI of the ``--candidates`` largest suppliers of each cluster (firms and importing countries, each
   failing alone), on the cluster's network (its province firms, their direct partners and the flows
   among them: ``jiqun chain esri``'s default scope), per cluster and in all;
4. the baseline: the dense loop of benchmarks/cascade.py (one scenario at a time, dense matrices) beside
   jiqun's batched sparse cascade on the same scenarios of a subnetwork small enough to be dense (the
   ``--dense-firms`` nodes reached breadth-first from the largest supplier through its trading partners),
   results compared.
"""

from __future__ import annotations

import argparse
import resource
import time

import numpy as np
import pandas as pd
import scipy.sparse as sp

from cascade import dense_baseline  # benchmarks/cascade.py, beside this script


def peak_gb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024 ** 2


def one_scenario(network, essentiality, eps: float) -> None:
    from jiqun.chains import cascade

    sectors = network.nodes.sector.astype(str).tolist()
    strength = network.nodes.out_strength.to_numpy()
    psi = np.zeros(len(sectors))
    psi[int(np.argmax(strength))] = 1.0
    start = time.perf_counter()
    h_down, h_up = cascade(network.W, sectors, essentiality, psi, eps=eps)
    ran = time.perf_counter() - start
    esri_value = float(strength / strength.sum() @ (1 - np.minimum(h_down, h_up)).ravel())
    print(f"one scenario on the province network (the largest supplier fails): cascade {ran:.1f} s "
          f"(target < 10 s), ESRI {esri_value:.4f}")


def cluster_rankings(con, network, essentiality, candidates: int, eps: float) -> float:
    from jiqun.chains.firm_network import cluster_subnetwork
    from jiqun.chains.shock import systemic_suppliers

    clusters = con.table("clusters").cluster_id.execute().tolist()
    total = 0.0
    print(f"ESRI of the {candidates:,} largest suppliers of each cluster (cluster network, one scenario per supplier):")
    for cluster in clusters:
        start = time.perf_counter()
        sub = cluster_subnetwork(network, cluster)
        ranking = systemic_suppliers(sub, cluster, essentiality, candidates=candidates, eps=eps)
        took = time.perf_counter() - start
        total += took
        top = ranking.iloc[0] if len(ranking) else None
        print(f"  {cluster:<14} {sub.n:>9,} nodes {sub.W.nnz:>10,} links {len(ranking):>5,} suppliers "
              f"{took:7.1f} s  top ESRI {top.esri if top is not None else float('nan'):.4f} ({top.kind if top is not None else '—'})")
    print(f"  all {len(clusters)} clusters: {total:.1f} s")
    return total


def trading_neighbourhood(network, size: int) -> np.ndarray:
    """``size`` nodes that trade with each other: breadth-first from the largest supplier over its
    partners (both directions), the larger partners first, so the dense subnetwork keeps real chains."""
    both = (network.W + network.W.T).tocsr()
    strength = np.asarray(both.sum(axis=1)).ravel()
    chosen, seen = [], np.zeros(network.n, dtype=bool)
    frontier = [int(np.argmax(network.nodes.out_strength.to_numpy()))]
    seen[frontier[0]] = True
    while frontier and len(chosen) < size:
        chosen.extend(frontier[: size - len(chosen)])
        partners = np.unique(np.concatenate([both.indices[both.indptr[i]:both.indptr[i + 1]] for i in frontier]))
        partners = partners[~seen[partners]]
        seen[partners] = True
        frontier = partners[np.argsort(-strength[partners], kind="stable")].tolist()
    return np.sort(np.array(chosen, dtype=np.int64))


def dense_comparison(network, essentiality, dense_firms: int, scenarios: int, eps: float) -> None:
    from jiqun.chains import esri

    sub = trading_neighbourhood(network, dense_firms)
    Ws = network.W[sub][:, sub].tocsr()
    sectors = network.nodes.sector.astype(str).to_numpy()[sub].tolist()
    codes, uniques = pd.factorize(pd.Series(sectors))
    e = essentiality.loc[list(uniques), list(uniques)].to_numpy()
    firms = np.argsort(-np.asarray(Ws.sum(axis=1)).ravel())[:scenarios]
    start = time.perf_counter()
    baseline = dense_baseline(Ws.toarray(), codes, e, firms, eps)
    t_base = time.perf_counter() - start
    psi = sp.csc_matrix((np.ones(firms.size), (firms, np.arange(firms.size))), shape=(Ws.shape[0], firms.size))
    start = time.perf_counter()
    ours = esri(Ws, sectors, essentiality, psi=psi, eps=eps).esri.to_numpy()
    t_ours = time.perf_counter() - start
    print(f"baseline on {Ws.shape[0]:,} trading partners around the largest supplier ({Ws.nnz:,} links), {firms.size} scenarios: dense "
          f"numpy loop {t_base:.2f} s, jiqun {t_ours:.2f} s ({t_base / t_ours:.0f}x); "
          f"max |ESRI difference| {np.abs(baseline - ours).max():.1e}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--store", required=True, help="a jiqun DuckDB store (opened read-only)")
    parser.add_argument("--eps", type=float, default=0.01)
    parser.add_argument("--candidates", type=int, default=1000, help="suppliers ranked per cluster")
    parser.add_argument("--dense-firms", type=int, default=3000)
    parser.add_argument("--dense-scenarios", type=int, default=50)
    parser.add_argument("--skip-rankings", action="store_true")
    args = parser.parse_args()

    import jiqun
    from jiqun.chains.firm_network import firm_network
    from jiqun.chains.scenarios import essentiality_matrix

    con = jiqun.connect(args.store, read_only=True)
    start = time.perf_counter()
    network = firm_network(con)
    built = time.perf_counter() - start
    print(f"network of {network.year}: {network.n:,} nodes, {network.W.nnz:,} links, built in {built:.1f} s")
    essentiality = essentiality_matrix("default", network.nodes["sector"])
    one_scenario(network, essentiality, args.eps)
    if not args.skip_rankings:
        cluster_rankings(con, network, essentiality, args.candidates, args.eps)
    dense_comparison(network, essentiality, args.dense_firms, args.dense_scenarios, args.eps)
    print(f"peak memory (ru_maxrss) {peak_gb():.2f} GB")


if __name__ == "__main__":
    main()
