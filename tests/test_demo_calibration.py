"""Calibration of the synthetic demo's rare statuses and chain coverage (the inputs of the typology)."""

from __future__ import annotations

import numpy as np
import pytest

from jiqun.demo.gen_common import allocate_in_groups, largest_remainder
from jiqun.demo.gen_firms import make_firms
from jiqun.demo.gen_innovation import _trademark_owners_and_years
from jiqun.demo.gen_world import load_world


@pytest.fixture(scope="module")
def world():
    return load_world()


@pytest.fixture(scope="module")
def firms_by_seed(world):
    return {seed: make_firms(world, 4_000, seed) for seed in (2024, 7)}


def test_largest_remainder_sums_and_rounds():
    counts = largest_remainder(np.array([0.45, 0.30, 0.25]), 7)
    assert counts.sum() == 7 and list(counts) == [3, 2, 2]
    assert largest_remainder(np.array([1.0, 1.0]), 0).sum() == 0


def test_allocate_in_groups_gives_each_group_its_expected_count():
    rng = np.random.default_rng(0)
    group = np.repeat([0, 1, 2], [50, 30, 20])
    weight = np.where(group == 0, 2.0, 1.0)           # expected shares 100 : 30 : 20 of 10 picks
    for _ in range(20):                              # the same counts in every draw, not only on average
        chosen = allocate_in_groups(rng, weight, group, 10)
        assert list(np.bincount(group[chosen], minlength=3)) == [7, 2, 1]
    zero = np.where(group == 2, 0.0, weight)         # weight 0 is never chosen; its share goes elsewhere
    chosen = allocate_in_groups(rng, zero, group, 60)
    assert chosen.sum() == 60 and not chosen[group == 2].any()
    assert allocate_in_groups(rng, weight, group, 0).sum() == 0


def test_little_giants_in_proportion_to_the_demo_sme_band(world, firms_by_seed):
    """Facts little_giants / province_sme_gs_firms (≈2.3% of 规上 SMEs) x the demo's firms with
    20 million - 4 billion yuan; champions in the published ratio to little giants."""
    share = world.fact("little_giants") / world.fact("province_sme_gs_firms")
    for firms in firms_by_seed.values():
        revenue_2022 = np.exp(np.log(1e6) + firms.size * (np.log(1e10) - np.log(1e6)))  # size score inverted
        band = int(((revenue_2022 >= 2e7) & (revenue_2022 <= 4e9)).sum())
        n_lg = int((firms.srdi == 2).sum())
        assert n_lg == round(share * band) >= 8          # was round(1505 x 4,000 / 1e6) = 6
        assert (firms.srdi == 1).sum() == 5 * n_lg
        assert firms.champion.sum() == round(n_lg * world.fact("single_champions") / world.fact("little_giants"))


def test_little_giants_follow_expected_counts_not_the_draw(world, firms_by_seed):
    """Clusters' little-giant counts are the same in two seeds up to rounding at the margin."""
    per_seed = [np.bincount(f.cluster[f.srdi == 2] + 1, minlength=len(world.clusters) + 1)
                for f in firms_by_seed.values()]
    assert np.abs(per_seed[0] - per_seed[1]).sum() <= 2
    national = [np.isin(f.cluster[f.srdi == 2], np.flatnonzero(world.national.any(axis=0))).mean()
                for f in firms_by_seed.values()]
    assert min(national) > 0.6                           # weight x 8 in national-competition cells


def test_every_chain_node_has_firms_in_the_province(world, firms_by_seed):
    for firms in firms_by_seed.values():
        for k in range(len(world.clusters)):
            nodes = np.flatnonzero(world.node_cluster == k)
            held = np.bincount(firms.node[firms.cluster == k], minlength=len(world.nodes))[nodes]
            assert held.min() >= 3, (world.clusters[k], world.nodes[nodes[held.argmin()]])


def test_trademarks_per_cluster_and_year_follow_expected_counts():
    rng = np.random.default_rng(1)
    cluster = np.repeat([-1, 0, 1], [100, 60, 40])
    weight = np.where(cluster == 0, 3.0, 1.0)
    owners, years = _trademark_owners_and_years(rng, weight, cluster, 64)
    assert len(owners) == len(years) == 64
    per_cluster = np.bincount(cluster[owners] + 1, minlength=3)
    assert list(per_cluster) == [20, 36, 8]                # weights 100 : 180 : 40 of 64
    for g in (-1, 0, 1):                                   # the latest year (weight 1.07^7) never empty
        assert (years[cluster[owners] == g] == 2023).sum() >= 1
    assert np.all(np.diff(owners) >= 0)


def test_large_firms_export_share_near_expected(world, firms_by_seed):
    """Firms over about 1 billion yuan (size score 0.75: half pooled) all export part of their expected
    share (no exporter lottery for a cluster's leaders); micro firms still either export or not."""
    for firms in firms_by_seed.values():
        large = firms.size >= 0.75
        assert large.sum() >= 5 and (firms.export_rate[large] > 0).all()
        small = firms.size < 0.4
        assert (firms.export_rate[small] == 0).mean() > 0.5


def test_stratified_uniform_one_draw_per_tenth_in_each_block():
    from jiqun.demo.gen_common import stratified_uniform

    rng = np.random.default_rng(3)
    group = np.repeat([5, -1], [25, 13])
    key = rng.random(len(group))
    u = stratified_uniform(rng, group, key)
    assert ((u >= 0) & (u < 1)).all()
    for g in (5, -1):
        members = np.flatnonzero(group == g)
        ordered = members[np.argsort(-key[members])]
        for lo in range(0, len(ordered), 10):
            block = ordered[lo:lo + 10]                      # ten (or the rest) of similar key
            assert sorted(np.floor(u[block] * len(block)).astype(int)) == list(range(len(block)))
    many = stratified_uniform(rng, np.zeros(10_000, np.int64), rng.random(10_000))
    assert abs(many.mean() - 0.5) < 0.01                  # still uniform overall


def test_city_trade_intensity_from_facts(world):
    from jiqun.demo.gen_world import city_trade_intensity

    factor = city_trade_intensity(world)
    wuxi = world.cities.index("320200")
    assert factor[wuxi] == pytest.approx((7373.1 / 14850.82) / (52500 / 128200), rel=1e-9)
    assert np.allclose(np.delete(factor, wuxi), 1.0)     # no published trade figure: neutral
