"""Benchmark of the ESRI cascade (jiqun.chains.cascade) on a synthetic scale-free-ish firm network.

Times, in one run: preparing the network, one scenario (the largest supplier fails), ESRI of the
largest suppliers (batched); and on a subnetwork small enough to be dense, a straightforward
per-scenario dense numpy loop beside jiqun on the same scenarios (results must agree).

    python benchmarks/cascade.py --firms 1000000 --edges 30000000 --sectors 100 --esri-firms 1000
"""

from __future__ import annotations

import argparse
import resource
import time

import numpy as np
import pandas as pd
import scipy.sparse as sp

from jiqun.chains import esri, prepare_network, run_cascade


def synthetic_network(firms: int, edges: int, sectors: int, seed: int):
    """Sellers drawn with a heavy tail (few firms sell a lot), buyers uniform; sales log-normal."""
    rng = np.random.default_rng(seed)
    sellers = np.minimum((firms * rng.random(edges) ** 3).astype(np.int64), firms - 1)
    buyers = rng.integers(0, firms, edges)
    keep = sellers != buyers
    sales = rng.lognormal(0.0, 1.5, int(keep.sum()))
    W = sp.csr_matrix((sales, (sellers[keep], buyers[keep])), shape=(firms, firms))
    labels = [f"s{k:03d}" for k in range(sectors)]
    sector_of = np.array(labels, dtype=object)[rng.integers(0, sectors, firms)]
    ess = pd.DataFrame(rng.choice([0, 1, 2], size=(sectors, sectors), p=[0.5, 0.3, 0.2]), index=labels,
                       columns=labels)
    return W, list(sector_of), ess


def dense_baseline(W: np.ndarray, sector_codes: np.ndarray, e: np.ndarray, firms, eps: float) -> np.ndarray:
    """Straightforward dense implementation, one scenario at a time: ESRI per failed firm."""
    n = W.shape[0]
    kind = e[sector_codes[:, None], sector_codes[None, :]]
    indicator = np.zeros((e.shape[0], n)); indicator[sector_codes, np.arange(n)] = 1
    by_sector = indicator @ W                                  # purchases of j from sector k
    total_in, total_out = W.sum(0), W.sum(1)
    with np.errstate(divide="ignore", invalid="ignore"):
        ess = np.nan_to_num(np.where(kind == 2, W / by_sector[sector_codes, :], 0.0))
        lin = np.nan_to_num(np.where(kind == 1, W / total_in[None, :], 0.0))
        up = np.nan_to_num(W / total_out[:, None])
    ess_needed = e[:, sector_codes] == 2                       # (k, j): k essential for j
    ess_needed &= by_sector > 0
    weights = total_out / total_out.sum()
    out = []
    for firm in firms:
        psi = np.zeros(n); psi[firm] = 1
        hd, hu = 1 - psi, 1 - psi
        for _ in range(1000):
            lost = 1 - hd
            pi = 1 - indicator @ (ess * lost[:, None])          # (k, j)
            ess_min = np.where(ess_needed, pi, 1.0).min(axis=0)
            new_hd = np.maximum(0, np.minimum.reduce([ess_min, 1 - lost @ lin, 1 - psi]))
            new_hu = np.maximum(0, np.minimum(1 - psi, 1 - up @ (1 - hu)))
            drop = max((hd - new_hd).max(), (hu - new_hu).max())
            hd, hu = new_hd, new_hu
            if drop <= eps:
                break
        out.append(weights @ (1 - np.minimum(hd, hu)))
    return np.array(out)


def peak_gb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024 ** 2


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--firms", type=int, default=1_000_000)
    parser.add_argument("--edges", type=int, default=30_000_000)
    parser.add_argument("--sectors", type=int, default=100)
    parser.add_argument("--esri-firms", type=int, default=1000, help="largest suppliers whose ESRI is computed")
    parser.add_argument("--dense-firms", type=int, default=3000, help="size of the dense baseline subnetwork")
    parser.add_argument("--dense-scenarios", type=int, default=100)
    parser.add_argument("--seed", type=int, default=15)
    args = parser.parse_args()

    t = time.perf_counter()
    W, sectors, ess = synthetic_network(args.firms, args.edges, args.sectors, args.seed)
    print(f"network: {W.shape[0]:,} firms, {W.nnz:,} edges, {args.sectors} sectors "
          f"(generated in {time.perf_counter() - t:.1f} s)")
    t = time.perf_counter()
    net = prepare_network(W, sectors, ess)
    print(f"prepare_network: {time.perf_counter() - t:.1f} s, {net.nbytes / 1e9:.2f} GB, "
          f"{net.essential.shape[0]:,} essential (buyer, sector) pairs")
    out_strength = net.out_strength
    top = np.argsort(-out_strength)[: args.esri_firms]
    t = time.perf_counter()
    hd, hu, steps = run_cascade(net, np.eye(1, args.firms, int(top[0])).ravel(), return_steps=True)
    weights = out_strength / out_strength.sum()
    print(f"one scenario (largest supplier fails): {time.perf_counter() - t:.2f} s, {steps[0]} steps, "
          f"ESRI {weights @ (1 - np.minimum(hd, hu)).ravel():.4f}")
    psi = sp.csc_matrix((np.ones(top.size), (top, np.arange(top.size))), shape=(args.firms, top.size))
    t = time.perf_counter()
    table = esri(net, None, None, psi=psi, scenario_labels=top)
    took = time.perf_counter() - t
    print(f"ESRI of the {top.size:,} largest suppliers: {took:.1f} s ({took / top.size:.2f} s per firm), "
          f"max ESRI {table.esri.max():.4f}")

    sub = np.argsort(-(out_strength + np.asarray(W.sum(axis=0)).ravel()))[: args.dense_firms]
    Ws = W[sub][:, sub]
    sub_sectors = [sectors[i] for i in sub]
    codes, uniques = pd.factorize(pd.Series(sub_sectors))
    e = ess.loc[list(uniques), list(uniques)].to_numpy()
    firms = np.argsort(-np.asarray(Ws.sum(axis=1)).ravel())[: args.dense_scenarios]
    t = time.perf_counter()
    baseline = dense_baseline(Ws.toarray(), codes, e, firms, 0.01)
    t_base = time.perf_counter() - t
    psi_sub = sp.csc_matrix((np.ones(firms.size), (firms, np.arange(firms.size))), shape=(Ws.shape[0], firms.size))
    t = time.perf_counter()
    ours = esri(Ws, sub_sectors, ess, psi=psi_sub).esri.to_numpy()
    t_ours = time.perf_counter() - t
    print(f"dense subnetwork {Ws.shape[0]:,} firms, {Ws.nnz:,} edges, {firms.size} scenarios: "
          f"dense numpy loop {t_base:.2f} s, jiqun {t_ours:.2f} s ({t_base / t_ours:.1f}x), "
          f"max |difference| {np.abs(baseline - ours).max():.1e}")
    print(f"peak memory (ru_maxrss): {peak_gb():.2f} GB")


if __name__ == "__main__":
    main()
