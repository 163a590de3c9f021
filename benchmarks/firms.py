"""Firm tier candidates (issue 18) at province scale: ``jiqun.firms.tier_lists`` on a synthetic panel of
``--firms`` cluster firms (default 300,000, about the province's cluster firms among its ~1M), beside a
plain per-firm Python assessment of the same criteria (the baseline, on a sample, extrapolated).

    PYTHONPATH=src python benchmarks/firms.py [--firms 300000] [--sample 20000]

Prints the wall time and peak memory growth of the vectorised lists, the baseline's time per firm and its
extrapolation, and checks on the sample that both give every firm the same state for every tier.
"""

from __future__ import annotations

import argparse
import math
import resource
import time

import numpy as np
import pandas as pd

from jiqun.firms import assess_tiers, load_criteria, tier_lists, tier_measures


def synthetic_panel(n: int, year: int, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    revenue = rng.lognormal(np.log(3e7), 1.3, n)
    growth = rng.normal(0.06, 0.12, (2, n))
    rd_share = np.clip(rng.lognormal(np.log(0.025), 0.8, n), 0, 0.6)
    return pd.DataFrame({
        "uscc": [f"F{i:09d}" for i in range(n)], "name": "企业", "region_code": "320211", "industry_code": "3983",
        "founded_year": rng.integers(1990, year + 1, n).astype(float), "srdi_level": "none", "single_champion": False,
        "employment": np.round(revenue / rng.lognormal(np.log(8e5), 0.5, n)), "revenue": revenue,
        "revenue_prev": revenue / (1 + growth[0]), "revenue_prev2": revenue / (1 + growth[0]) / (1 + growth[1]),
        "rd": revenue * rd_share, "rd_prev": revenue / (1 + growth[0]) * rd_share * rng.uniform(0.8, 1.2, n),
        "profit": revenue * rng.normal(0.06, 0.05, n), "industry_margin": 0.06,
        "invention_patents": rng.poisson(0.8, n).astype(float), "utility_patents": rng.poisson(1.5, n).astype(float),
        "world_rank": np.where(rng.random(n) < 0.01, rng.integers(1, 8, n), np.nan),
        "continent_rank": np.nan, "national_share": np.where(rng.random(n) < 0.05, rng.uniform(0, 0.4, n), np.nan),
        "year": year})


def plain_states(measures: pd.DataFrame, criteria: pd.DataFrame) -> dict[tuple[str, str], float | None]:
    """The baseline: every firm, tier, requirement, alternative and criterion in plain Python."""
    out = {}
    records = measures.to_dict("records")
    for firm in records:
        for tier, rows in criteria.groupby("tier", sort=False):
            requirements = []
            for _requirement, by_requirement in rows.groupby("requirement", sort=False):
                alternatives = []
                for _alternative, by_alternative in by_requirement.groupby("alternative", sort=False):
                    states = [_compare(firm[f"{r.measure}_low"], firm[f"{r.measure}_high"], r.op, r.threshold)
                              for r in by_alternative.itertuples()]
                    alternatives.append(0.0 if 0.0 in states else (1.0 if all(s == 1.0 for s in states) else None))
                requirements.append(1.0 if 1.0 in alternatives else (0.0 if all(a == 0.0 for a in alternatives) else None))
            out[(firm["uscc"], tier)] = 0.0 if 0.0 in requirements else (1.0 if all(r == 1.0 for r in requirements) else None)
    return out


def _compare(low, high, op, threshold):
    if math.isnan(low) or math.isnan(high):
        return None
    met = {">=": low >= threshold, ">": low > threshold, "<=": high <= threshold, "<": high < threshold}[op]
    missed = {">=": high < threshold, ">": high <= threshold, "<=": low > threshold, "<": low >= threshold}[op]
    return 1.0 if met else (0.0 if missed else None)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--firms", type=int, default=300_000)
    parser.add_argument("--sample", type=int, default=20_000)
    args = parser.parse_args()
    criteria = load_criteria()
    panel, before = synthetic_panel(args.firms, 2023), synthetic_panel(args.firms, 2022, seed=1)
    members = pd.DataFrame({"uscc": panel.uscc, "cluster_id": np.where(np.arange(args.firms) % 3, "iot", "biomedicine")})
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    start = time.perf_counter()
    lists = tier_lists(panel, members, criteria, before)
    seconds = time.perf_counter() - start
    grown = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - rss) / 1024
    print(f"jiqun tier_lists, {args.firms:,} firms (two years): {seconds:.1f} s, peak memory +{grown:,.0f} MB; "
          f"{len(lists.candidates):,} candidates, {len(lists.close):,} one short, {len(lists.ladder):,} moved up, "
          f"{len(lists.criteria):,} criterion rows")
    sample = panel.head(args.sample)
    measures = tier_measures(sample)
    start = time.perf_counter()
    baseline = plain_states(measures, criteria)
    plain = time.perf_counter() - start
    fast = assess_tiers(measures, criteria).tiers
    agree = all((None if np.isnan(state) else state) == baseline[(uscc, tier)]
                for uscc, tier, state in zip(fast.uscc, fast.tier, fast.state))
    print(f"baseline (plain Python per firm), {args.sample:,} firms: {plain:.1f} s = {plain / args.sample * 1e3:.2f} ms "
          f"a firm, {plain / args.sample * args.firms * 2:,.0f} s for {args.firms:,} firms × 2 years (extrapolated); "
          f"speed-up {plain / args.sample * args.firms * 2 / seconds:,.0f}×; states agree on the sample: {agree}")


if __name__ == "__main__":
    main()
