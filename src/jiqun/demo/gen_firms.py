"""Synthetic firms: the register, their chain positions and their yearly accounts.

The register (one row per firm) is kept in memory as numpy arrays (about 200 bytes a
firm: 1M firms fit easily); the firm-year panel is kept as float matrices (firms x 8
years) because flows, trade and patents are drawn from it, and is written to disk in
streaming batches.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import pyarrow as pa

from .gen_common import YEARS, CsvSink, pick, stratified_uniform, stream, syllable_names, uscc_array
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


def largest_remainder(x: np.ndarray, total: int) -> np.ndarray:
    """Integers summing to ``total`` in proportion to ``x`` (Hamilton's largest-remainder method)."""
    x = np.maximum(x, 0) * total / max(x.sum(), 1e-12)
    base = np.floor(x).astype(np.int64)
    extra = total - base.sum()
    if extra > 0:
        base[np.argsort(-(x - base), kind="stable")[:extra]] += 1
    return base


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
    rev_t, count_anchor, _, _ = cell_targets(world)
    n_c, n_cells = rev_t.shape
    # Firm counts: proportional to revenue, the rest of manufacturing has smaller firms (x1.6);
    # published firm counts override their cells.
    weight = rev_t.copy()
    weight[:, -1] *= 1.6
    anchored = ~np.isnan(count_anchor)
    fixed = np.where(anchored, count_anchor * scale, 0.0)
    free_total = max(n_firms - fixed.sum(), 0)
    weight = np.where(anchored, 0.0, weight)
    cells = np.where(anchored, fixed, weight / weight.sum() * free_total).ravel()
    counts = largest_remainder(cells, n_firms)
    cell = np.repeat(np.arange(cells.size), counts)
    n = len(cell)
    city = (cell // n_cells).astype(np.int64)
    cluster = (cell % n_cells).astype(np.int64)
    cluster[cluster == n_cells - 1] = -1

    # Heavy-tailed size above a floor, fitted so each cell sums to its target (see _fit_cell_totals).
    z = np.clip(rng.standard_normal(n), SIZE_Z_FLOOR, 3.7)
    tail = np.minimum(rng.exponential(1.0, n), SIZE_TAIL_CAP) / SIZE_TAIL_ALPHA
    raw = np.exp(np.log(SIZE_MEDIAN) + SIZE_SIGMA * z + tail)
    target = rev_t.ravel() * scale
    base = _fit_cell_totals(raw, cell, target)
    leader_spec = _apply_leaders(world, base, city, cluster, cell, target)
    size = np.clip((np.log(base) - np.log(1e6)) / (np.log(1e10) - np.log(1e6)), 0, 1)

    county = _counties(world, rng, city)
    industry = _industries(world, rng, cluster)
    node, node2 = _nodes(world, rng, cluster, size)
    # Traits of firms are drawn with uniforms stratified among similar firms of the same cluster (blocks of
    # ten by size, gen_common.stratified_uniform): the same probabilities, without the small demo's lottery.
    draw = lambda: stratified_uniform(rng, cluster, size)  # noqa: E731

    p = P_SMALL[None, :] + (size ** 2)[:, None] * (P_LARGE - P_SMALL)[None, :]
    ownership = (draw()[:, None] > np.cumsum(p, axis=1)).sum(axis=1)
    ownership = np.minimum(ownership, len(OWNERSHIP) - 1)
    is_branch = np.zeros(n, bool)
    parent_country = np.full(n, None, dtype=object)
    parent_region = np.full(n, None, dtype=object)
    foreign = ownership == 2
    hmt = ownership == 3
    is_branch[foreign] = draw()[foreign] < 0.3 + 0.65 * size[foreign]
    is_branch[hmt] = draw()[hmt] < 0.25 + 0.6 * size[hmt]
    domestic = (ownership == 0) | (ownership == 1)
    out_branch = domestic & (draw() < 0.015 + 0.3 * size ** 2)
    is_branch |= out_branch
    parent_country[foreign] = pick(rng, list(FOREIGN_PARENTS), list(FOREIGN_PARENTS.values()), foreign.sum())
    parent_country[hmt] = pick(rng, list(HMT_PARENTS), list(HMT_PARENTS.values()), hmt.sum())
    parent_country[out_branch] = "CHN"
    parent_region[out_branch] = pick(rng, list(DOMESTIC_HQ), list(DOMESTIC_HQ.values()), out_branch.sum())
    listed = rng.random(n) < 0.001 + 0.45 * size ** 3
    for i, spec in leader_spec.items():
        ownership[i] = list(OWNERSHIP).index(spec[0])
        is_branch[i], parent_country[i], parent_region[i], listed[i] = spec[1], spec[2], spec[3], spec[4]
    has_group = is_branch | (parent_region != None) | (size > 0.75)  # noqa: E711 - object array
    brands = syllable_names(rng, n, BRAND_SYLLABLES)
    parent_group = np.where(has_group, np.char.add(brands, "集团"), None)

    # Older firms are bigger; entrants after 2016 enter the panel in their founding year.
    age = rng.exponential(9 + 12 * size)
    founded_year = np.clip(np.round(2023.5 - age), 1980, 2023).astype(np.int64)
    founded = (founded_year - 1970).astype("datetime64[Y]").astype("datetime64[D]") + \
        rng.integers(0, 365, n).astype("timedelta64[D]")
    founded = np.minimum(founded, np.datetime64(dt.date.today(), "D"))
    national = np.where(cluster >= 0, world.national[city, np.maximum(cluster, 0)], False)
    srdi, champion = _srdi(world, rng, base, cluster, national)

    prof = [world.profile_of(k) for k in range(-1, len(world.clusters))]
    prof_of = lambda key: np.array([p[key] for p in prof])[cluster + 1]  # noqa: E731
    rd_perf = draw() < 0.15 + 0.8 * size + 0.3 * (srdi > 0) + NATIONAL_LIFT["rd_performers"] * national
    # large firms' R&D intensity stays closer to the cluster's (log-sd 0.55 for micro firms, 0.22 for the largest)
    rd_rate = np.where(rd_perf, prof_of("rd") * np.exp(rng.normal(-0.1, 1.0, n) * 0.55 * (1 - 0.6 * size))
                       * (1 + 0.6 * (srdi > 0))
                       * np.where(national, NATIONAL_LIFT["rd_intensity"], 1.0), 0.0)
    rd_rate = np.minimum(rd_rate, 0.3)
    own_export = np.array([0.18, 0.15, 0.65, 0.6, 0.1, 0.1])[ownership]
    export_lift = np.where(national, NATIONAL_LIFT["exporters"], 1.0)
    p_export = np.minimum(own_export * prof_of("export") * (0.35 + 1.1 * size) * export_lift
                          * city_trade_intensity(world)[city], 0.97)
    exporter = draw() < p_export
    rate_scale = np.array([0.6, 0.45, 1.2, 1.1, 0.5, 0.5])[ownership] * np.sqrt(prof_of("export"))
    export_rate = np.where(exporter, np.clip(rng.beta(2, 4, n) * rate_scale, 0.01, 0.95), 0.0)
    # Firms above 100 million yuan sell many product lines: their export share moves towards its expected
    # value (weight 0 at 1e8 .. 1 at 1e10 yuan; the mean is kept), so that a cluster's export share is not
    # decided by whether its two largest firms happened to draw "exporter".
    pooled = np.clip(2 * size - 1, 0, 1)
    export_rate = (1 - pooled) * export_rate + pooled * p_export * np.clip(rate_scale / 3, 0.01, 0.95)
    revenue, active = _panel(world, rng, base, cluster, founded_year, size, leader_spec)
    # Re-aim each cell at its 2022 target after entry, exit and noise (the facts are 2022 totals).
    t22 = list(YEARS).index(2022)
    got = np.bincount(cell, weights=revenue[:, t22], minlength=cells.size)
    revenue *= np.where(got > 0, target / np.maximum(got, 1e-9), 1.0)[cell][:, None]
    firm_floor = REVENUE_FLOOR * np.exp(rng.uniform(0.0, 0.3, n))  # entrants' first year, shrinking firms
    revenue = np.where(active, np.maximum(revenue, firm_floor[:, None]), 0.0)
    serial = np.arange(n)
    uscc = uscc_array("91", county, serial)
    city_short = np.array([c.removesuffix("市") for c in world.city_names])[city]
    words = [p["words"].split("|") for p in prof]
    word = np.array([w[i % len(w)] for w, i in zip([words[k + 1] for k in cluster], rng.integers(0, 4, n))])
    suffix = np.where(size > 0.6, "股份有限公司", "有限公司")
    name = np.char.add(np.char.add(np.char.add(city_short, brands), word), suffix)
    return Firms(uscc=uscc, name=name, city=city, county=county, cluster=cluster, national=national,
                 industry=industry, node=node,
                 node2=node2, size=size, ownership=ownership, is_branch=is_branch, parent_country=parent_country,
                 parent_region=parent_region, parent_group=parent_group, listed=listed, founded=founded,
                 srdi=srdi, champion=champion, rd_rate=rd_rate, export_rate=export_rate, revenue=revenue,
                 active=active)


def _apply_leaders(world: World, base: np.ndarray, city, cluster, cell, target) -> dict:
    """Give the named leading firms their share and traits (rank order within the cell)."""
    out = {}
    n_cells_per_city = len(world.clusters) + 1
    for keyword, city_code, rank, own, branch, pc, pr, listed, share in LEADERS:
        ks = [k for k, p in enumerate(world.profiles) if p["keyword"] == keyword]
        if not ks or city_code not in world.cities:
            continue
        c = world.cities.index(city_code)
        cid = c * n_cells_per_city + ks[0]
        members = np.flatnonzero(cell == cid)
        if len(members) < rank:
            continue
        ordered = members[np.argsort(-base[members], kind="stable")]
        i = ordered[rank - 1]
        if isinstance(share, str):
            share = world.fact(share) * 1e8 / (world.facts[share.replace("leader_share", "anchor_scale")]["number"]
                                              * 1e8)
        if share:
            rest = ordered[ordered != i]
            want = share * target[cid]
            base[i] = want
            for _ in range(6):  # the named leader stays the largest firm of its cell
                if len(rest):
                    scaled = _rescale_above_floor(base[rest], np.zeros(len(rest), dtype=np.int64),
                                                  np.array([target[cid] - want]), min(SIZE_FLOOR, base[rest].min()))
                    base[rest] = np.minimum(scaled, 0.8 * want)
        out[i] = (own, branch, pc, pr, listed)
    return out


def _counties(world: World, rng, city: np.ndarray) -> np.ndarray:
    out = np.empty(len(city), dtype="<U6")
    for c, codes in enumerate(world.counties):
        idx = np.flatnonzero(city == c)
        w = rng.dirichlet(np.full(len(codes), 1.5))  # no county data: uneven but random shares
        out[idx] = pick(rng, codes, w, len(idx))
    return out


def _industries(world: World, rng, cluster: np.ndarray) -> np.ndarray:
    out = np.empty(len(cluster), dtype="<U8")
    for k in range(-1, len(world.clusters)):
        idx = np.flatnonzero(cluster == k)
        codes = world.other_industries if k < 0 else world.cluster_industries[k]
        out[idx] = np.asarray(codes)[rng.integers(0, len(codes), len(idx))]
    return out


def _nodes(world: World, rng, cluster: np.ndarray, size: np.ndarray):
    """Primary node (segment mix 30/40/30, key components rare locally) and a secondary node."""
    n = len(cluster)
    node = np.full(n, -1, dtype=np.int64)
    node2 = np.full(n, -1, dtype=np.int64)
    seg_w = np.array([0.3, 0.4, 0.3])
    for k in range(len(world.clusters)):
        idx = np.flatnonzero(cluster == k)
        cand = np.flatnonzero(world.node_cluster == k)
        if not len(idx) or not len(cand):
            continue
        cand = cand[np.argsort(world.node_segment[cand], kind="stable")]  # upstream .. downstream in the CDF
        w = seg_w[world.node_segment[cand]] * np.where(world.node_key[cand], 0.35, 1.0)
        # Large firms sit downstream more often (assemblers, system integrators).
        big = size[idx] > 0.7
        w_big = w * np.array([0.5, 1.0, 2.0])[world.node_segment[cand]]
        # Inverse CDF with uniforms stratified by size: each block of ten similar firms spreads over the
        # segments in proportion (how many of a cluster's leaders buy along the chain is not a lottery).
        u = stratified_uniform(rng, np.zeros(len(idx), np.int64), size[idx])
        for members, weights in ((~big, w), (big, w_big)):
            cdf = np.cumsum(weights) / weights.sum()
            node[idx[members]] = cand[np.minimum(np.searchsorted(cdf, u[members], side="right"), len(cand) - 1)]
        _cover_every_node(rng, node, idx, cand, size)
        second = idx[rng.random(len(idx)) < 0.25]
        alt = pick(rng, cand, w, len(second))
        node2[second] = np.where(alt != node[second], alt, -1)
    return node, node2


def allocate_in_groups(rng, weight: np.ndarray, group: np.ndarray, total: int) -> np.ndarray:
    """Pick ``total`` members without replacement, each group getting its expected share.

    Controlled rounding (integerisation, as in spatial microsimulation): group ``g`` gets
    ``total x W_g / W`` members rounded by largest remainder (``W_g`` its members' summed
    weights), then members are drawn inside the group with probability ∝ weight. A rare
    status (a handful of little giants in a small demo) thus follows the groups' expected
    counts instead of the luck of one draw. Returns a bool mask.
    """
    chosen = np.zeros(len(weight), bool)
    groups = np.unique(group)
    totals = np.array([weight[group == g].sum() for g in groups])
    capacity = np.array([int(((group == g) & (weight > 0)).sum()) for g in groups])
    total = min(total, int(capacity.sum()))
    counts = np.minimum(largest_remainder(totals, total) if total else np.zeros(len(groups), np.int64), capacity)
    for _ in range(len(groups)):  # a group short of members passes its rest to the others
        missing = total - counts.sum()
        if missing <= 0:
            break
        room = capacity - counts
        counts += np.minimum(largest_remainder(np.where(room > 0, totals, 0.0), missing), room)
    for g, k in zip(groups, counts):
        members = np.flatnonzero((group == g) & (weight > 0))
        if k:
            chosen[rng.choice(members, size=k, replace=False, p=weight[members] / weight[members].sum())] = True
    return chosen


def _cover_every_node(rng, node: np.ndarray, idx: np.ndarray, cand: np.ndarray, size: np.ndarray,
                      minimum: int = 3) -> None:
    """Give every node of the cluster's chain template at least ``minimum`` firms in the province (in place).

    The templates describe the chains the province has; a node left empty by the draw (key components
    are drawn x 0.35: a small demo's cluster often misses one) would read as a missing segment at
    province level by chance. The firms moved there come from the cluster's larger half (exit hazard
    falls with size; three of them, so that exits rarely leave the node empty by 2023) and from nodes
    that keep more than ``minimum`` firms. Cities still miss segments (city level).
    """
    if len(idx) < (minimum + 1) * len(cand):
        return
    offset = cand.min()
    for target in cand:
        for _ in range(minimum):
            counts = np.bincount(node[idx] - offset, minlength=cand.max() - offset + 1)
            if counts[target - offset] >= minimum:
                break
            movable = idx[(size[idx] >= np.median(size[idx])) & (counts[node[idx] - offset] > minimum)
                          & (node[idx] != target)]
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
    n = len(base)
    srdi = np.zeros(n, dtype=np.int64)
    mid = (base >= 2e7) & (base <= 4e9)
    lg_share = world.fact("little_giants") / world.fact("province_sme_gs_firms")
    n_lg = int(round(lg_share * mid.sum()))
    n_prov = 5 * n_lg  # assumption: provincial 专精特新 about five times the little giants
    n_ch = int(round(n_lg * world.fact("single_champions") / world.fact("little_giants")))
    lift = np.where(national, NATIONAL_LIFT["srdi"], 1.0)
    w = np.where(mid, np.where(cluster >= 0, 3.0, 1.0) * lift * np.sqrt(base / 2e7), 0.0)
    for level, k in ((2, n_lg), (1, n_prov)):
        srdi[allocate_in_groups(rng, np.where(srdi == 0, w, 0.0), cluster, k)] = level
    wc = np.where(base >= 3e8, np.where(cluster >= 0, 3.0, 1.0) * lift, 0.0)
    champion = allocate_in_groups(rng, wc, cluster, n_ch)
    return srdi, champion


def _panel(world: World, rng, base, cluster, founded_year, size, leaders):
    """Revenue 2016-2023: cluster trend + year shocks + firm drift and random walk; entry and exit."""
    n, t = len(base), len(YEARS)
    rel = YEARS - 2022
    growth = np.array([world.profile_of(k)["growth"] for k in range(-1, len(world.clusters))])[cluster + 1]
    shock = np.zeros((len(world.clusters) + 1, t))
    for k in range(-1, len(world.clusters)):
        effects = {**YEAR_SHOCKS}
        for year, v in world.profile_of(k).get("shocks", {}).items():
            effects[year] = effects.get(year, 0.0) + v
        cum = np.cumsum([effects.get(int(y), 0.0) for y in YEARS])
        shock[k + 1] = cum - cum[list(YEARS).index(2022)]
    drift = rng.normal(0, 0.04, n)
    walk = np.cumsum(rng.normal(0, 0.10, (n, t)), axis=1)
    walk -= walk[:, [list(YEARS).index(2022)]]
    log_path = growth[:, None] * rel[None, :] + shock[cluster + 1] + drift[:, None] * rel[None, :] + walk
    age = YEARS[None, :] - founded_year[:, None]
    ramp = np.clip(0.35 + 0.3 * age, 0, 1)  # entrants grow into their size over ~2 years
    # Exit: yearly hazard 2% for micro firms, falling with size; leaders never exit.
    hazard = 0.02 * (1 - size) + 0.003
    exit_draw = rng.random((n, t)) < hazard[:, None]
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
    n = len(firms)
    county_name = np.vectorize(world.county_names.get, otypes=[object])(firms.county)
    city_name = np.asarray(world.city_names, dtype=object)[firms.city]
    road = ROADS[rng.integers(0, len(ROADS), n)]
    number = rng.integers(1, 999, n)
    wb = xlsxwriter.Workbook(str(path), {"constant_memory": True})
    wb.set_properties({"title": "企业名录（合成演示数据）", "comments": "SYNTHETIC demo data generated by jiqun",
                       "created": dt.datetime(2024, 1, 1)})
    ws = wb.add_worksheet("企业名录")
    date_fmt = wb.add_format({"num_format": "yyyy-mm-dd"})
    ws.write_row(0, 0, FIRM_HEADERS)
    yes_no = np.array(["否", "是"])
    address = np.char.add(np.char.add(city_name.astype(str), np.where(county_name == city_name, "",
                                                                      county_name).astype(str)),
                          np.char.add(road, np.char.add(number.astype(str), "号")))
    # Plain Python lists: xlsxwriter is a per-cell Python loop anyway.
    cols = [firms.uscc.tolist(), firms.name.tolist(), address.tolist(), firms.county.tolist(),
            firms.industry.tolist(), OWNERSHIP_ZH[firms.ownership].tolist(), firms.parent_group.tolist(),
            firms.parent_country.tolist(), firms.parent_region.tolist(),
            yes_no[firms.is_branch.astype(int)].tolist(), yes_no[firms.listed.astype(int)].tolist()]
    tail = [SRDI_ZH[firms.srdi].tolist(), yes_no[firms.champion.astype(int)].tolist()]
    founded = [dt.datetime.combine(d, dt.time()) for d in firms.founded.astype(object)]
    for i in range(n):
        r = i + 1
        for j, col in enumerate(cols):
            if col[i] is not None:
                ws.write_string(r, j, str(col[i]))
        ws.write_datetime(r, 11, founded[i], date_fmt)
        ws.write_string(r, 12, tail[0][i])
        ws.write_string(r, 13, tail[1][i])
    wb.close()


FIRM_YEAR_HEADERS = ["统一社会信用代码", "年份", "营业收入（万元）", "工业总产值（万元）", "从业人员", "研发经费（万元）",
                     "出口交货值（万元）", "利润总额（万元）"]


def write_firm_years(world: World, firms: Firms, path, seed: int, batch: int, employment_acc: np.ndarray,
                     progress=None) -> np.ndarray:
    """Stream the firm-year accounts to a GBK CSV in 万元; return exports (yuan, n x 8).

    ``employment_acc`` (cities x clusters+1 x years x 4: employment, establishments,
    output, payroll) is filled on the way, for ``regional_employment``.
    """
    rng = stream(seed, "firm_years")
    n, t = firms.revenue.shape
    exports = np.zeros((n, t))
    sink = CsvSink(path, FIRM_YEAR_HEADERS, encoding="gbk")
    prod = np.array([world.profile_of(k)["prod"] for k in range(-1, len(world.clusters))])
    wage = 7.0e4 * 1.065 ** (YEARS - 2016)  # assumption: average wage, +6.5% a year
    margin_mu = world.fact("province_profit_gs") / world.fact("province_revenue_gs")
    for lo in range(0, n, batch):
        hi = min(lo + batch, n)
        rev = firms.revenue[lo:hi]
        act = firms.active[lo:hi]
        m = hi - lo
        # Productivity rises with size (micro firms are labour-intensive) and 4% a year.
        productivity = prod[firms.cluster[lo:hi] + 1][:, None] * np.exp(
            0.9 * (firms.size[lo:hi, None] - 0.5) + rng.normal(0, 0.35, (m, 1)) + 0.04 * (YEARS - 2022))
        emp = np.where(act, np.maximum(np.round(rev / productivity), 1), 0).astype(np.int64)
        output = rev * rng.uniform(0.95, 1.06, (m, t))
        rd = np.minimum(rev * firms.rd_rate[lo:hi, None] * np.exp(rng.normal(0, 0.15, (m, t))), rev * 0.5)
        exp_ = np.minimum(rev * firms.export_rate[lo:hi, None] * np.exp(rng.normal(0, 0.12, (m, t))), output * 1.4)
        profit = rev * rng.normal(margin_mu, 0.06, (m, t))
        exports[lo:hi] = np.where(act, exp_, 0.0)
        r_idx, y_idx = np.nonzero(act)
        gi = lo + r_idx
        to_wan = lambda a: np.round(a[r_idx, y_idx]) / 1e4  # noqa: E731 - yuan, rounded, as 万元
        sink.write(pa.table({
            "uscc": firms.uscc[gi], "year": YEARS[y_idx].astype(np.int32), "revenue": to_wan(rev),
            "output": to_wan(output), "employment": emp[r_idx, y_idx], "rd": to_wan(rd), "exports": to_wan(exp_),
            "profit": to_wan(profit)}))
        n_k = len(world.clusters)
        # last column of the accumulator = outside the clusters (cluster -1)
        cell = firms.city[gi] * (n_k + 1) + np.where(firms.cluster[gi] < 0, n_k, firms.cluster[gi])
        flat = (cell * t + y_idx)
        size = employment_acc.shape[0] * employment_acc.shape[1] * t
        acc = employment_acc.reshape(size, 4)
        acc[:, 0] += np.bincount(flat, weights=emp[r_idx, y_idx], minlength=size)
        acc[:, 1] += np.bincount(flat, minlength=size)
        acc[:, 2] += np.bincount(flat, weights=output[r_idx, y_idx], minlength=size)
        acc[:, 3] += np.bincount(flat, weights=emp[r_idx, y_idx] * wage[y_idx], minlength=size)
        if progress:
            progress("firm_years", hi, n)
    sink.close()
    return exports


def write_firm_chain_nodes(world: World, firms: Firms, path) -> None:
    sink = CsvSink(path, ["uscc", "node_id", "is_primary"])
    nodes = np.asarray(world.nodes)
    for col, primary in ((firms.node, True), (firms.node2, False)):
        idx = np.flatnonzero(col >= 0)
        sink.write(pa.table({"uscc": firms.uscc[idx], "node_id": nodes[col[idx]],
                             "is_primary": np.full(len(idx), primary)}))
    sink.close()
