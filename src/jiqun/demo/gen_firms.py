"""Synthetic firms: the register, their chain positions and their yearly accounts.

The register (one row per firm) is kept in memory as numpy arrays (about 200 bytes a
firm: 1M firms fit easily); the firm-year panel is kept as float matrices (firms x 8
years) because flows, trade and patents are drawn from it, and is written to disk in
streaming batches.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import partial

import numpy as np
import pyarrow as pa

from .gen_common import (YEARS, CsvSink, allocate_in_groups, largest_remainder, pick, stratified_uniform, stream,
                         syllable_names, uscc_array)
from .gen_world import LEADERS, NATIONAL_LIFT, YEAR_SHOCKS, World, cell_targets, city_trade_intensity

# Firm size (docs/demo.md): ln revenue = ln SIZE_MEDIAN + SIZE_SIGMA * clip(z, SIZE_Z_FLOOR, 3.7)
# + min(E, SIZE_TAIL_CAP) / SIZE_TAIL_ALPHA, z ~ N(0, 1), E ~ Exp(1): a lognormal body with a Pareto
# upper tail (index 0.95) and a floor of about 390,000 yuan. A large demo (city scale) has ~6% of firms at
# >= 20 million yuan (规上) holding ~86% of revenue (gen_world.GS_REVENUE_SHARE), ~13% under 1 million.
SIZE_MEDIAN = 1.2e6
SIZE_SIGMA = 0.7
SIZE_Z_FLOOR = -1.6
SIZE_TAIL_ALPHA = 0.95
SIZE_TAIL_CAP = 10.0
SIZE_FLOOR = SIZE_MEDIAN * float(np.exp(SIZE_SIGMA * SIZE_Z_FLOOR))
REVENUE_FLOOR = 2e5    # no active firm-year below 200,000 yuan (per-firm floor 200-270k, entrants and shrinkers)
GS_THRESHOLD = 2e7     # 规模以上: main-business revenue >= 20 million yuan
OWNERSHIP = np.array(["private", "state", "foreign", "hmt", "collective", "other"])
OWNERSHIP_ZH = np.array(["民营企业", "国有企业", "外商投资企业", "港澳台商投资企业", "集体企业", "其他"])
P_SMALL = np.array([0.885, 0.015, 0.045, 0.035, 0.01, 0.01])   # ownership of micro firms
P_LARGE = np.array([0.33, 0.15, 0.36, 0.14, 0.01, 0.01])       # ownership of the largest firms
FOREIGN_PARENTS = {"JPN": 0.25, "USA": 0.2, "DEU": 0.18, "KOR": 0.15, "SGP": 0.06, "FRA": 0.05, "CHE": 0.04,
                   "NLD": 0.04, "GBR": 0.03}
HMT_PARENTS = {"HKG": 0.5, "TWN": 0.45, "MAC": 0.05}
DOMESTIC_HQ = {"310000": 0.3, "110000": 0.22, "440000": 0.2, "330000": 0.15, "370000": 0.05, "340000": 0.04,
               "420000": 0.04}
BRAND_SYLLABLES = "瑞泰达鑫源创联新宏博通明科信安康宇德丰盛越恒晟华昌凯嘉润弘益天锐志远飞腾卓诚磊拓卡灏翔铭"
ROADS = np.array(["长江路", "人民路", "建设路", "工业园路", "科技大道", "创新路", "中山路", "解放路", "开发区大道",
                  "高新路", "滨江路", "经济路"])


@dataclass
class Firms:
    """The firm register plus the latent traits the other features draw on."""

    uscc: np.ndarray
    name: np.ndarray
    city: np.ndarray          # index into world.cities
    county: np.ndarray        # county code (str)
    cluster: np.ndarray       # index into world.clusters, -1 outside clusters
    national: np.ndarray      # bool: the firm's city x cluster won a national competition
    industry: np.ndarray      # industry code (str)
    node: np.ndarray          # primary chain node index, -1 none
    node2: np.ndarray         # secondary chain node index, -1 none
    size: np.ndarray          # 0..1 size score (log revenue scaled)
    ownership: np.ndarray     # index into OWNERSHIP
    is_branch: np.ndarray
    parent_country: np.ndarray
    parent_region: np.ndarray
    parent_group: np.ndarray
    listed: np.ndarray
    founded: np.ndarray       # datetime64[D]
    srdi: np.ndarray          # 0 none, 1 provincial, 2 little giant
    champion: np.ndarray
    rd_rate: np.ndarray       # R&D / revenue (0 for non-performers)
    export_rate: np.ndarray   # export delivery / revenue (0 for non-exporters)
    revenue: np.ndarray       # (n, 8) yuan, 0 where inactive
    active: np.ndarray        # (n, 8) bool

    def __len__(self) -> int:
        return len(self.uscc)


def _rescale_above_floor(raw: np.ndarray, group: np.ndarray, target: np.ndarray, floor: float) -> np.ndarray:
    """Scale the part of ``raw`` above ``floor`` so that each group sums to ``target[group]``.

    A group whose target does not cover its firms' floors (never with the shipped facts) is
    split equally.
    """
    groups = len(target)
    count = np.bincount(group, minlength=groups)
    excess = np.bincount(group, weights=raw - floor, minlength=groups)
    room = target - count * floor
    factor = np.where((room > 0) & (excess > 0), room / np.maximum(excess, 1e-9), 0.0)
    equal = target / np.maximum(count, 1)
    return np.where(room[group] > 0, floor + (raw - floor) * factor[group], equal[group])


def _fit_cell_totals(raw: np.ndarray, cell: np.ndarray, target: np.ndarray) -> np.ndarray:
    """Sizes that sum to each cell's target, changing only the firms above the cell's median.

    The part above the median is scaled (order kept), so the small firms keep the drawn
    size distribution at every scale: a small demo's cell of 20 firms that draws one giant
    shrinks the giant, not its micro firms. Cells where that cannot reach the target scale
    the part above :data:`SIZE_FLOOR` instead (:func:`_rescale_above_floor`).
    """
    groups = len(target)
    order = np.lexsort((raw, cell))
    count = np.bincount(cell, minlength=groups)
    start = np.concatenate([[0], np.cumsum(count)[:-1]])
    median = np.where(count > 0, raw[order][np.minimum(start + count // 2, len(raw) - 1)], 0.0)[cell]
    above = raw > median
    held = np.bincount(cell, weights=np.where(above, median, raw), minlength=groups)
    room = target - held
    # A cell short of its target (it drew no large firm: usual in small demos) gives the shortfall
    # mostly to its largest firms (weights excess squared), a cell over its target scales the excess.
    relative = np.where(above, (raw - median) / np.maximum(median, 1.0), 0.0)
    linear_excess = np.bincount(cell, weights=relative * median, minlength=groups)
    short_of_target = (room > linear_excess)[cell]
    spread = np.where(short_of_target, relative ** 2, relative) * median
    excess = np.bincount(cell, weights=spread, minlength=groups)
    ok = (room > 0) & (excess > 0)
    factor = np.where(ok, room / np.maximum(excess, 1e-9), 1.0)[cell]
    fitted = np.where(above, median + spread * factor, raw)
    return np.where(ok[cell], fitted, _rescale_above_floor(raw, cell, target, SIZE_FLOOR))


def make_firms(world: World, n_firms: int, seed: int) -> Firms:
    """Draw the firm register and the 2016-2023 revenue panel."""
    rng = stream(seed, "firms")
    scale = n_firms / 1_000_000  # the facts describe a province of about 1M firms
    revenue_target, count_anchor, _, _ = cell_targets(world)
    cell, city, cluster = _place_firms(revenue_target, count_anchor, n_firms, scale)
    target = revenue_target.ravel() * scale
    base, size, leaders = _draw_sizes(world, rng, cell, city, cluster, target)

    county = _counties(world, rng, city)
    industry = _industries(world, rng, cluster)
    node, node2 = _nodes(world, rng, cluster, size)
    # Traits of firms are drawn with uniforms stratified among similar firms of the same cluster (blocks of
    # ten by size, gen_common.stratified_uniform): the same probabilities, without the small demo's lottery.
    peer_uniform = partial(stratified_uniform, rng, cluster, size)
    owners = _ownership(rng, peer_uniform, size, leaders)
    founded_year, founded = _founding(rng, size)
    national = np.where(cluster >= 0, world.national[city, np.maximum(cluster, 0)], False)
    srdi, champion = _srdi(world, rng, base, cluster, national)

    profiles = _profiles(world)
    rd_rate = _rd_rates(rng, peer_uniform, profiles, cluster, size, srdi, national)
    export_rate = _export_rates(world, rng, peer_uniform, profiles, city, cluster, size, owners.ownership, national)
    revenue, active = _panel(world, rng, base, cluster, founded_year, size, leaders)
    revenue = _fit_2022_revenue(rng, revenue, active, cell, target)
    uscc = uscc_array("91", county, np.arange(len(cell)))
    name = _firm_names(world, rng, profiles, city, cluster, owners.brands, size)
    return Firms(uscc=uscc, name=name, city=city, county=county, cluster=cluster, national=national,
                 industry=industry, node=node, node2=node2, size=size, ownership=owners.ownership,
                 is_branch=owners.is_branch, parent_country=owners.parent_country,
                 parent_region=owners.parent_region, parent_group=owners.parent_group, listed=owners.listed,
                 founded=founded, srdi=srdi, champion=champion, rd_rate=rd_rate, export_rate=export_rate,
                 revenue=revenue, active=active)


def _profiles(world: World) -> list[dict]:
    """The profile of every cluster, outside the clusters first: ``_profiles(world)[cluster + 1]``."""
    return [world.profile_of(cluster_index) for cluster_index in range(-1, len(world.clusters))]


def _place_firms(revenue_target: np.ndarray, count_anchor: np.ndarray, n_firms: int, scale: float):
    """The cell (city x cluster, index ``city * cells_per_city + cluster``) of every firm, its city
    and its cluster (-1 outside the clusters), firms of a cell next to each other.

    Firm counts are proportional to revenue; the rest of manufacturing has smaller firms (x1.6);
    published firm counts override their cells.
    """
    cells_per_city = revenue_target.shape[1]
    weight = revenue_target.copy()
    weight[:, -1] *= 1.6
    anchored = ~np.isnan(count_anchor)
    fixed = np.where(anchored, count_anchor * scale, 0.0)
    free_total = max(n_firms - fixed.sum(), 0)
    weight = np.where(anchored, 0.0, weight)
    expected = np.where(anchored, fixed, weight / weight.sum() * free_total).ravel()
    cell = np.repeat(np.arange(expected.size), largest_remainder(expected, n_firms))
    city = (cell // cells_per_city).astype(np.int64)
    cluster = (cell % cells_per_city).astype(np.int64)
    cluster[cluster == cells_per_city - 1] = -1
    return cell, city, cluster


def _draw_sizes(world: World, rng, cell, city, cluster, target):
    """Revenue level of every firm (``base``, yuan), its 0..1 size score and the named leaders' traits.

    Heavy-tailed size above a floor (the formula beside :data:`SIZE_MEDIAN`: ``z`` standard normal),
    fitted so each cell sums to its target (see :func:`_fit_cell_totals`).
    """
    n = len(cell)
    z = np.clip(rng.standard_normal(n), SIZE_Z_FLOOR, 3.7)
    pareto_tail = np.minimum(rng.exponential(1.0, n), SIZE_TAIL_CAP) / SIZE_TAIL_ALPHA
    raw = np.exp(np.log(SIZE_MEDIAN) + SIZE_SIGMA * z + pareto_tail)
    base = _fit_cell_totals(raw, cell, target)
    leaders = _apply_leaders(world, base, city, cluster, cell, target)
    size = np.clip((np.log(base) - np.log(1e6)) / (np.log(1e10) - np.log(1e6)), 0, 1)
    return base, size, leaders


@dataclass
class _Owners:
    """Ownership, group and listing traits of the firms (see :func:`_ownership`)."""

    ownership: np.ndarray
    is_branch: np.ndarray
    parent_country: np.ndarray
    parent_region: np.ndarray
    parent_group: np.ndarray
    listed: np.ndarray
    brands: np.ndarray        # the brand syllables of the group and firm names


def _ownership(rng, peer_uniform, size: np.ndarray, leaders: dict) -> _Owners:
    """Ownership (micro firms mostly private, the largest often foreign), branches of foreign, HMT and
    domestic groups with their headquarters, listing; the named leaders keep their published traits."""
    n = len(size)
    p_ownership = P_SMALL[None, :] + (size ** 2)[:, None] * (P_LARGE - P_SMALL)[None, :]
    ownership = (peer_uniform()[:, None] > np.cumsum(p_ownership, axis=1)).sum(axis=1)
    ownership = np.minimum(ownership, len(OWNERSHIP) - 1)
    is_branch = np.zeros(n, bool)
    parent_country = np.full(n, None, dtype=object)
    parent_region = np.full(n, None, dtype=object)
    foreign = ownership == 2
    hmt = ownership == 3
    is_branch[foreign] = peer_uniform()[foreign] < 0.3 + 0.65 * size[foreign]
    is_branch[hmt] = peer_uniform()[hmt] < 0.25 + 0.6 * size[hmt]
    domestic = (ownership == 0) | (ownership == 1)
    out_branch = domestic & (peer_uniform() < 0.015 + 0.3 * size ** 2)
    is_branch |= out_branch
    parent_country[foreign] = pick(rng, list(FOREIGN_PARENTS), list(FOREIGN_PARENTS.values()), foreign.sum())
    parent_country[hmt] = pick(rng, list(HMT_PARENTS), list(HMT_PARENTS.values()), hmt.sum())
    parent_country[out_branch] = "CHN"
    parent_region[out_branch] = pick(rng, list(DOMESTIC_HQ), list(DOMESTIC_HQ.values()), out_branch.sum())
    listed = rng.random(n) < 0.001 + 0.45 * size ** 3
    for firm, (own, branch, country, region, is_listed) in leaders.items():
        ownership[firm] = list(OWNERSHIP).index(own)
        is_branch[firm], parent_country[firm], parent_region[firm], listed[firm] = branch, country, region, is_listed
    has_group = is_branch | (parent_region != None) | (size > 0.75)  # noqa: E711 - object array
    brands = syllable_names(rng, n, BRAND_SYLLABLES)
    parent_group = np.where(has_group, np.char.add(brands, "集团"), None)
    return _Owners(ownership, is_branch, parent_country, parent_region, parent_group, listed, brands)


def _founding(rng, size: np.ndarray):
    """Founding year and date: older firms are bigger; entrants after 2016 enter the panel in their
    founding year."""
    n = len(size)
    age = rng.exponential(9 + 12 * size)
    founded_year = np.clip(np.round(2023.5 - age), 1980, 2023).astype(np.int64)
    founded = (founded_year - 1970).astype("datetime64[Y]").astype("datetime64[D]") + \
        rng.integers(0, 365, n).astype("timedelta64[D]")
    founded = np.minimum(founded, np.datetime64(dt.date.today(), "D"))
    return founded_year, founded


def _rd_rates(rng, peer_uniform, profiles, cluster, size, srdi, national) -> np.ndarray:
    """R&D / revenue: performers more likely among large, 专精特新 and national-competition firms."""
    n = len(size)
    cluster_rd = np.array([profile["rd"] for profile in profiles])[cluster + 1]
    performs = peer_uniform() < 0.15 + 0.8 * size + 0.3 * (srdi > 0) + NATIONAL_LIFT["rd_performers"] * national
    # large firms' R&D intensity stays closer to the cluster's (log-sd 0.55 for micro firms, 0.22 for the largest)
    rd_rate = np.where(performs, cluster_rd * np.exp(rng.normal(-0.1, 1.0, n) * 0.55 * (1 - 0.6 * size))
                       * (1 + 0.6 * (srdi > 0))
                       * np.where(national, NATIONAL_LIFT["rd_intensity"], 1.0), 0.0)
    return np.minimum(rd_rate, 0.3)


def _export_rates(world: World, rng, peer_uniform, profiles, city, cluster, size, ownership, national):
    """Export delivery / revenue: exporters by ownership, cluster, size and city; large firms pooled."""
    n = len(size)
    cluster_export = np.array([profile["export"] for profile in profiles])[cluster + 1]
    own_export = np.array([0.18, 0.15, 0.65, 0.6, 0.1, 0.1])[ownership]
    export_lift = np.where(national, NATIONAL_LIFT["exporters"], 1.0)
    p_export = np.minimum(own_export * cluster_export * (0.35 + 1.1 * size) * export_lift
                          * city_trade_intensity(world)[city], 0.97)
    exporter = peer_uniform() < p_export
    rate_scale = np.array([0.6, 0.45, 1.2, 1.1, 0.5, 0.5])[ownership] * np.sqrt(cluster_export)
    export_rate = np.where(exporter, np.clip(rng.beta(2, 4, n) * rate_scale, 0.01, 0.95), 0.0)
    # Firms above 100 million yuan sell many product lines: their export share moves towards its expected
    # value (weight 0 at 1e8 .. 1 at 1e10 yuan; the mean is kept), so that a cluster's export share is not
    # decided by whether its two largest firms happened to draw "exporter".
    pooled = np.clip(2 * size - 1, 0, 1)
    return (1 - pooled) * export_rate + pooled * p_export * np.clip(rate_scale / 3, 0.01, 0.95)


def _fit_2022_revenue(rng, revenue, active, cell, target) -> np.ndarray:
    """Re-aim each cell at its 2022 target after entry, exit and noise (the facts are 2022 totals),
    then lift active firm-years to the firm's floor."""
    year_2022 = list(YEARS).index(2022)
    drawn = np.bincount(cell, weights=revenue[:, year_2022], minlength=target.size)
    revenue *= np.where(drawn > 0, target / np.maximum(drawn, 1e-9), 1.0)[cell][:, None]
    firm_floor = REVENUE_FLOOR * np.exp(rng.uniform(0.0, 0.3, len(cell)))  # entrants' first year, shrinking firms
    return np.where(active, np.maximum(revenue, firm_floor[:, None]), 0.0)


def _firm_names(world: World, rng, profiles, city, cluster, brands, size) -> np.ndarray:
    """City + brand + a word of the cluster + legal form, e.g. 苏州瑞泰电子有限公司."""
    city_short = np.array([name.removesuffix("市") for name in world.city_names])[city]
    words = [profile["words"].split("|") for profile in profiles]
    word = np.array([choices[draw % len(choices)]
                     for choices, draw in zip([words[cluster_index + 1] for cluster_index in cluster],
                                              rng.integers(0, 4, len(city)))])
    suffix = np.where(size > 0.6, "股份有限公司", "有限公司")
    return np.char.add(np.char.add(np.char.add(city_short, brands), word), suffix)


def _apply_leaders(world: World, base: np.ndarray, city, cluster, cell, target) -> dict:
    """Give the named leading firms their share and traits (rank order within the cell)."""
    leaders = {}
    cells_per_city = len(world.clusters) + 1
    for keyword, city_code, rank, own, branch, country, region, listed, share in LEADERS:
        clusters = [index for index, profile in enumerate(world.profiles) if profile["keyword"] == keyword]
        if not clusters or city_code not in world.cities:
            continue
        leader_cell = world.cities.index(city_code) * cells_per_city + clusters[0]
        members = np.flatnonzero(cell == leader_cell)
        if len(members) < rank:
            continue
        ordered = members[np.argsort(-base[members], kind="stable")]
        leader = ordered[rank - 1]
        if isinstance(share, str):
            share = world.fact(share) * 1e8 / (world.facts[share.replace("leader_share", "anchor_scale")]["number"]
                                              * 1e8)
        if share:
            rest = ordered[ordered != leader]
            want = share * target[leader_cell]
            base[leader] = want
            for _ in range(6):  # the named leader stays the largest firm of its cell
                if len(rest):
                    scaled = _rescale_above_floor(base[rest], np.zeros(len(rest), dtype=np.int64),
                                                  np.array([target[leader_cell] - want]),
                                                  min(SIZE_FLOOR, base[rest].min()))
                    base[rest] = np.minimum(scaled, 0.8 * want)
        leaders[leader] = (own, branch, country, region, listed)
    return leaders


def _counties(world: World, rng, city: np.ndarray) -> np.ndarray:
    county = np.empty(len(city), dtype="<U6")
    for city_index, codes in enumerate(world.counties):
        members = np.flatnonzero(city == city_index)
        shares = rng.dirichlet(np.full(len(codes), 1.5))  # no county data: uneven but random shares
        county[members] = pick(rng, codes, shares, len(members))
    return county


def _industries(world: World, rng, cluster: np.ndarray) -> np.ndarray:
    industry = np.empty(len(cluster), dtype="<U8")
    for cluster_index in range(-1, len(world.clusters)):
        members = np.flatnonzero(cluster == cluster_index)
        codes = world.other_industries if cluster_index < 0 else world.cluster_industries[cluster_index]
        industry[members] = np.asarray(codes)[rng.integers(0, len(codes), len(members))]
    return industry


def _nodes(world: World, rng, cluster: np.ndarray, size: np.ndarray):
    """Primary node (segment mix 30/40/30, key components rare locally) and a secondary node."""
    node = np.full(len(cluster), -1, dtype=np.int64)
    node2 = np.full(len(cluster), -1, dtype=np.int64)
    segment_weight = np.array([0.3, 0.4, 0.3])
    for cluster_index in range(len(world.clusters)):
        members = np.flatnonzero(cluster == cluster_index)
        nodes = np.flatnonzero(world.node_cluster == cluster_index)
        if not len(members) or not len(nodes):
            continue
        nodes = nodes[np.argsort(world.node_segment[nodes], kind="stable")]  # upstream .. downstream in the CDF
        weight = segment_weight[world.node_segment[nodes]] * np.where(world.node_key[nodes], 0.35, 1.0)
        # Large firms sit downstream more often (assemblers, system integrators).
        big = size[members] > 0.7
        weight_big = weight * np.array([0.5, 1.0, 2.0])[world.node_segment[nodes]]
        # Inverse CDF with uniforms stratified by size: each block of ten similar firms spreads over the
        # segments in proportion (how many of a cluster's leaders buy along the chain is not a lottery).
        uniform = stratified_uniform(rng, np.zeros(len(members), np.int64), size[members])
        for chosen, weights in ((~big, weight), (big, weight_big)):
            cdf = np.cumsum(weights) / weights.sum()
            position = np.minimum(np.searchsorted(cdf, uniform[chosen], side="right"), len(nodes) - 1)
            node[members[chosen]] = nodes[position]
        _cover_every_node(rng, node, members, nodes, size)
        second = members[rng.random(len(members)) < 0.25]
        other = pick(rng, nodes, weight, len(second))
        node2[second] = np.where(other != node[second], other, -1)
    return node, node2


def _cover_every_node(rng, node: np.ndarray, members: np.ndarray, nodes: np.ndarray, size: np.ndarray,
                      minimum: int = 3) -> None:
    """Give every node of the cluster's chain template at least ``minimum`` firms in the province (in place).

    The templates describe the chains the province has; a node left empty by the draw (key components
    are drawn x 0.35: a small demo's cluster often misses one) would read as a missing segment at
    province level by chance. The firms moved there come from the cluster's larger half (exit hazard
    falls with size; three of them, so that exits rarely leave the node empty by 2023) and from nodes
    that keep more than ``minimum`` firms. Cities still miss segments (city level).
    """
    if len(members) < (minimum + 1) * len(nodes):
        return
    offset = nodes.min()
    for target in nodes:
        for _ in range(minimum):
            counts = np.bincount(node[members] - offset, minlength=nodes.max() - offset + 1)
            if counts[target - offset] >= minimum:
                break
            movable = members[(size[members] >= np.median(size[members])) & (counts[node[members] - offset] > minimum)
                              & (node[members] != target)]
            if not len(movable):
                break
            node[rng.choice(movable)] = target


def _srdi(world: World, rng, base, cluster, national):
    """专精特新: little giants and single champions in proportion to the firms that can hold the status.

    Little giants are 规上 SMEs: their count is the published share of little giants among Jiangsu's
    规上 SMEs (facts ``little_giants`` / ``province_sme_gs_firms``, 2.3%) times the demo's firms in the
    same band (20 million - 4 billion yuan); provincial 专精特新 five times that (assumption); single
    champions in the published ratio to little giants (``single_champions`` / ``little_giants``).
    Weights: 3 for cluster firms x √(revenue / 20m), x NATIONAL_LIFT["srdi"] in national-competition
    cells; each cluster gets its expected number (:func:`allocate_in_groups`).
    """
    srdi = np.zeros(len(base), dtype=np.int64)
    sme_gs = (base >= 2e7) & (base <= 4e9)
    giant_share = world.fact("little_giants") / world.fact("province_sme_gs_firms")
    n_giants = int(round(giant_share * sme_gs.sum()))
    n_provincial = 5 * n_giants  # assumption: provincial 专精特新 about five times the little giants
    n_champions = int(round(n_giants * world.fact("single_champions") / world.fact("little_giants")))
    lift = np.where(national, NATIONAL_LIFT["srdi"], 1.0)
    weight = np.where(sme_gs, np.where(cluster >= 0, 3.0, 1.0) * lift * np.sqrt(base / 2e7), 0.0)
    for level, count in ((2, n_giants), (1, n_provincial)):
        srdi[allocate_in_groups(rng, np.where(srdi == 0, weight, 0.0), cluster, count)] = level
    champion_weight = np.where(base >= 3e8, np.where(cluster >= 0, 3.0, 1.0) * lift, 0.0)
    champion = allocate_in_groups(rng, champion_weight, cluster, n_champions)
    return srdi, champion


def _panel(world: World, rng, base, cluster, founded_year, size, leaders):
    """Revenue 2016-2023: cluster trend + year shocks + firm drift and random walk; entry and exit."""
    n_firms, n_years = len(base), len(YEARS)
    since_2022 = YEARS - 2022
    growth = np.array([profile["growth"] for profile in _profiles(world)])[cluster + 1]
    shock = np.zeros((len(world.clusters) + 1, n_years))
    for cluster_index in range(-1, len(world.clusters)):
        effects = {**YEAR_SHOCKS}
        for year, effect in world.profile_of(cluster_index).get("shocks", {}).items():
            effects[year] = effects.get(year, 0.0) + effect
        cumulative = np.cumsum([effects.get(int(year), 0.0) for year in YEARS])
        shock[cluster_index + 1] = cumulative - cumulative[list(YEARS).index(2022)]
    drift = rng.normal(0, 0.04, n_firms)
    walk = np.cumsum(rng.normal(0, 0.10, (n_firms, n_years)), axis=1)
    walk -= walk[:, [list(YEARS).index(2022)]]
    log_path = (growth[:, None] * since_2022[None, :] + shock[cluster + 1] + drift[:, None] * since_2022[None, :]
                + walk)
    age = YEARS[None, :] - founded_year[:, None]
    ramp = np.clip(0.35 + 0.3 * age, 0, 1)  # entrants grow into their size over ~2 years
    # Exit: yearly hazard 2% for micro firms, falling with size; leaders never exit.
    hazard = 0.02 * (1 - size) + 0.003
    exit_draw = rng.random((n_firms, n_years)) < hazard[:, None]
    exit_draw[:, 0] = False
    if leaders:
        exit_draw[list(leaders)] = False
    exited = np.cumsum(exit_draw, axis=1) > 0
    active = (age >= 0) & ~exited
    revenue = np.where(active, base[:, None] * np.exp(log_path) * ramp, 0.0)
    return revenue, active


# --------------------------------------------------------------------------- writers
FIRM_HEADERS = ["统一社会信用代码", "企业名称", "地址", "行政区划代码", "行业代码", "登记注册类型", "所属集团",
                "集团总部国家", "集团总部地区", "是否分支机构", "是否上市", "成立日期", "专精特新等级", "单项冠军"]
SRDI_ZH = np.array(["无", "省级专精特新", "专精特新小巨人"])


def write_firms_xlsx(world: World, firms: Firms, path, seed: int) -> None:
    """The register as an Excel workbook with Chinese headers (as a statistics bureau sends it)."""
    import xlsxwriter

    rng = stream(seed, "addresses")
    n_firms = len(firms)
    county_name = np.vectorize(world.county_names.get, otypes=[object])(firms.county)
    city_name = np.asarray(world.city_names, dtype=object)[firms.city]
    road = ROADS[rng.integers(0, len(ROADS), n_firms)]
    number = rng.integers(1, 999, n_firms)
    workbook = xlsxwriter.Workbook(str(path), {"constant_memory": True})
    workbook.set_properties({"title": "企业名录（合成演示数据）",
                             "comments": "SYNTHETIC demo data generated by jiqun", "created": dt.datetime(2024, 1, 1)})
    sheet = workbook.add_worksheet("企业名录")
    date_format = workbook.add_format({"num_format": "yyyy-mm-dd"})
    sheet.write_row(0, 0, FIRM_HEADERS)
    yes_no = np.array(["否", "是"])
    address = np.char.add(np.char.add(city_name.astype(str), np.where(county_name == city_name, "",
                                                                      county_name).astype(str)),
                          np.char.add(road, np.char.add(number.astype(str), "号")))
    # Plain Python lists: xlsxwriter is a per-cell Python loop anyway.
    text_columns = [firms.uscc.tolist(), firms.name.tolist(), address.tolist(), firms.county.tolist(),
                    firms.industry.tolist(), OWNERSHIP_ZH[firms.ownership].tolist(), firms.parent_group.tolist(),
                    firms.parent_country.tolist(), firms.parent_region.tolist(),
                    yes_no[firms.is_branch.astype(int)].tolist(), yes_no[firms.listed.astype(int)].tolist()]
    srdi_level = SRDI_ZH[firms.srdi].tolist()
    champion = yes_no[firms.champion.astype(int)].tolist()
    founded = [dt.datetime.combine(day, dt.time()) for day in firms.founded.astype(object)]
    for firm in range(n_firms):
        row = firm + 1
        for column, values in enumerate(text_columns):
            if values[firm] is not None:
                sheet.write_string(row, column, str(values[firm]))
        sheet.write_datetime(row, 11, founded[firm], date_format)
        sheet.write_string(row, 12, srdi_level[firm])
        sheet.write_string(row, 13, champion[firm])
    workbook.close()


FIRM_YEAR_HEADERS = ["统一社会信用代码", "年份", "营业收入（万元）", "工业总产值（万元）", "从业人员", "研发经费（万元）",
                     "出口交货值（万元）", "利润总额（万元）"]


def write_firm_years(world: World, firms: Firms, path, seed: int, batch: int, employment_acc: np.ndarray,
                     progress=None) -> np.ndarray:
    """Stream the firm-year accounts to a GBK CSV in 万元; return exports (yuan, n x 8).

    ``employment_acc`` (cities x clusters+1 x years x 4: employment, establishments,
    output, payroll) is filled on the way, for ``regional_employment``.
    """
    rng = stream(seed, "firm_years")
    n_firms, n_years = firms.revenue.shape
    exports = np.zeros((n_firms, n_years))
    sink = CsvSink(path, FIRM_YEAR_HEADERS, encoding="gbk")
    cluster_productivity = np.array([profile["prod"] for profile in _profiles(world)])
    wage = 7.0e4 * 1.065 ** (YEARS - 2016)  # assumption: average wage, +6.5% a year
    margin_mu = world.fact("province_profit_gs") / world.fact("province_revenue_gs")
    n_clusters = len(world.clusters)
    n_slots = employment_acc.shape[0] * employment_acc.shape[1] * n_years
    accumulator = employment_acc.reshape(n_slots, 4)
    for start in range(0, n_firms, batch):
        stop = min(start + batch, n_firms)
        revenue = firms.revenue[start:stop]
        active = firms.active[start:stop]
        shape = (stop - start, n_years)
        # Productivity rises with size (micro firms are labour-intensive) and 4% a year.
        productivity = cluster_productivity[firms.cluster[start:stop] + 1][:, None] * np.exp(
            0.9 * (firms.size[start:stop, None] - 0.5) + rng.normal(0, 0.35, (shape[0], 1)) + 0.04 * (YEARS - 2022))
        employment = np.where(active, np.maximum(np.round(revenue / productivity), 1), 0).astype(np.int64)
        output = revenue * rng.uniform(0.95, 1.06, shape)
        rd = np.minimum(revenue * firms.rd_rate[start:stop, None] * np.exp(rng.normal(0, 0.15, shape)), revenue * 0.5)
        batch_exports = np.minimum(revenue * firms.export_rate[start:stop, None]
                                   * np.exp(rng.normal(0, 0.12, shape)), output * 1.4)
        profit = revenue * rng.normal(margin_mu, 0.06, shape)
        exports[start:stop] = np.where(active, batch_exports, 0.0)
        row, year = np.nonzero(active)  # the active firm-years of the batch
        firm = start + row
        to_wan = lambda amount: np.round(amount[row, year]) / 1e4  # noqa: E731 - yuan, rounded, as 万元
        sink.write(pa.table({
            "uscc": firms.uscc[firm], "year": YEARS[year].astype(np.int32), "revenue": to_wan(revenue),
            "output": to_wan(output), "employment": employment[row, year], "rd": to_wan(rd),
            "exports": to_wan(batch_exports), "profit": to_wan(profit)}))
        # last column of the accumulator = outside the clusters (cluster -1)
        cell = firms.city[firm] * (n_clusters + 1) + np.where(firms.cluster[firm] < 0, n_clusters, firms.cluster[firm])
        slot = cell * n_years + year
        accumulator[:, 0] += np.bincount(slot, weights=employment[row, year], minlength=n_slots)
        accumulator[:, 1] += np.bincount(slot, minlength=n_slots)
        accumulator[:, 2] += np.bincount(slot, weights=output[row, year], minlength=n_slots)
        accumulator[:, 3] += np.bincount(slot, weights=employment[row, year] * wage[year], minlength=n_slots)
        if progress:
            progress("firm_years", stop, n_firms)
    sink.close()
    return exports


def write_firm_chain_nodes(world: World, firms: Firms, path) -> None:
    """Each firm's primary and secondary chain node, as a UTF-8 CSV."""
    sink = CsvSink(path, ["uscc", "node_id", "is_primary"])
    nodes = np.asarray(world.nodes)
    for node_of_firm, primary in ((firms.node, True), (firms.node2, False)):
        members = np.flatnonzero(node_of_firm >= 0)
        sink.write(pa.table({"uscc": firms.uscc[members], "node_id": nodes[node_of_firm[members]],
                             "is_primary": np.full(len(members), primary)}))
    sink.close()
