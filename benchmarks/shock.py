"""One shock scenario on the whole province firm network (issue 15): build the network of the latest
year from a store, fail its largest supplier, run the ESRI cascade with the default essentiality.

    PYTHONPATH=src python benchmarks/shock.py --store /work/prov.duckdb

Prints the network size, the build and cascade times, the scenario's ESRI and the peak memory. The
dense per-scenario baseline beside it is in benchmarks/cascade.py (on a subnetwork small enough to be
dense); ESRI of the 1,000 largest suppliers of every cluster is not measured yet.
"""

from __future__ import annotations

import argparse
import resource
import time

import numpy as np


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--store", required=True, help="a jiqun DuckDB store (opened read-only)")
    parser.add_argument("--eps", type=float, default=0.01)
    args = parser.parse_args()

    import jiqun
    from jiqun.chains import cascade
    from jiqun.chains.firm_network import complete_essentiality, firm_network
    from jiqun.io import default_essentiality

    con = jiqun.connect(args.store, read_only=True)
    start = time.perf_counter()
    network = firm_network(con)
    built = time.perf_counter() - start
    sectors = network.nodes.sector.astype(str).tolist()
    essentiality = complete_essentiality(default_essentiality(), sectors)
    strength = network.nodes.out_strength.to_numpy()
    psi = np.zeros(len(sectors))
    psi[int(np.argmax(strength))] = 1.0
    start = time.perf_counter()
    h_down, h_up = cascade(network.W, sectors, essentiality, psi, eps=args.eps)
    ran = time.perf_counter() - start
    weights = strength / strength.sum()
    esri_value = float(weights @ (1 - np.minimum(h_down, h_up)).ravel())
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1e6
    print(f"network of {network.year}: {network.W.shape[0]:,} nodes, {network.W.nnz:,} links, built in {built:.1f} s")
    print(f"one scenario (the largest supplier fails): cascade {ran:.1f} s (target < 10 s), ESRI {esri_value:.4f}")
    print(f"peak memory {peak:.2f} GB")


if __name__ == "__main__":
    main()
