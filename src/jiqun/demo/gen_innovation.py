"""Synthetic patents, international trademarks and talent moves.

Patents are concentrated: each firm's yearly rate is proportional to
revenue^0.8 x R&D intensity x a Pareto(1.2) draw, so a few firms hold most of them.
IPC symbols come from the technologies of the firm's chain nodes, completed to a full
symbol (``G05B 19/18``, a drawn main group and subgroup where the catalogue gives only
a subclass; main groups that a segment claims are left to that segment). Applicants
from other provinces and from abroad file across the chain's technologies with the
weights of ``gen_world.COMPONENTS``: foreign applicants mostly in the chokepoints, and
Jiangsu firms of a segment with its ``jiangsu`` multiplier, so that the region's
specialisation (RTA) differs by segment.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pyarrow as pa

from .gen_common import YEARS, CsvSink, days_in_year, hex_ids, largest_remainder, latin_names, pick, stream
from .gen_firms import Firms
from .gen_world import NATIONAL_LIFT, World

PATENT_HEADERS = ["patent_id", "applicant_uscc", "applicant_name", "applicant_country", "applicant_region_code",
                  "application_date", "grant_date", "ipc_main", "ipc_all", "patent_type", "pct"]
FOREIGN_APPLICANTS = {"JPN": 0.32, "USA": 0.28, "DEU": 0.16, "KOR": 0.12, "NLD": 0.04, "FRA": 0.04, "CHE": 0.04}
TYPES = np.array(["invention", "utility", "design"])
TYPE_DIGIT = np.array([1, 2, 3])
#: Grant rate and lag (years, uniform range) by patent type (assumption, typical of CNIPA practice).
GRANT = {0: (0.55, 1.5, 3.5), 1: (0.95, 0.4, 1.0), 2: (0.97, 0.3, 0.8)}
PATENT_YEAR_GROWTH = 0.08
PATENT_PARETO = 2.0          # firm propensity noise, Pareto index (docs/demo.md)
#: Filings by applicants in other provinces, per Jiangsu filing in the chain's technologies (ASSUMPTION:
#: Jiangsu files about a tenth of China's patents, but the demo keeps only the chains' technologies).
OTHER_PROVINCES_PER_JIANGSU = 0.8
OTHER_PROVINCE_APPLICANTS = {"310000": "上海", "330000": "浙江", "440000": "广东", "110000": "北京",
                             "370000": "山东", "340000": "安徽", "420000": "湖北", "510000": "四川"}
#: Spread of the other provinces' specialisations over the segments (ASSUMPTION, not calibrated: with a
#: log-normal σ of 1 a province's segment weights differ by a factor of e² ≈ 7.4 between its 16th and 84th
#: percentiles).
PROVINCE_TILT_SIGMA = 1.0
OTHER_PROVINCE_NAME_WORDS = ("恒达", "中科", "华芯", "精工", "智能", "天成", "宏远", "瑞博")
SUBGROUPS = np.array(["00", "02", "04", "06", "08", "10", "12", "14", "16", "18", "20", "22", "24", "26", "28", "30"])


def _cn_check(digits: np.ndarray) -> np.ndarray:
    """Check character of a 12-digit CN application number (weights 2..9,2..5, mod 11; 10 -> X)."""
    weights = np.array([2, 3, 4, 5, 6, 7, 8, 9, 2, 3, 4, 5])
    total = (digits * weights).sum(axis=1) % 11
    return np.where(total == 10, "X", total.astype(str))


def patent_ids(years: np.ndarray, types: np.ndarray, serial: np.ndarray) -> np.ndarray:
    """Application numbers like ``CN202110012345.6`` (year, type digit, 7-digit serial, check)."""
    body = np.char.add(np.char.add(years.astype(str), TYPE_DIGIT[types].astype(str)),
                       np.char.zfill((serial % 10_000_000).astype(str), 7))
    digits = np.ascontiguousarray(body.astype("<U12")).view("<U1").reshape(-1, 12).astype(np.int64)
    return np.char.add(np.char.add(np.char.add("CN", body), "."), _cn_check(digits))


def write_patents(world: World, firms: Firms, path, per_firm: float, seed: int, batch: int, progress=None) -> int:
    """Stream patents (UTF-8 with BOM, English headers); return the row count."""
    rng = stream(seed, "patents")
    today = dt.date.today()
    tech_nodes = [i for i, t in enumerate(world.node_techs) if t]
    techs = world.node_techs
    sink = CsvSink(path, PATENT_HEADERS, encoding="utf-8-sig")
    n_firms = len(firms)
    node_has = np.array([bool(t) for t in techs] + [False])  # index -1 (no node) -> False
    has_tech = node_has[firms.node]
    # Firm propensity: size x R&D x Pareto noise (heavy concentration), normalised to the target.
    # Key-component makers patent even without reported R&D (a floor of 1%), so that every key segment
    # with firms has a technology base to scale (_key_segment_propensity).
    key_firm = np.append(world.node_key, False)[firms.node]
    rd_rate = np.where(key_firm & (firms.rd_rate <= 0), 0.01, firms.rd_rate)
    propensity = np.where(has_tech & (rd_rate > 0),
                    np.exp(0.8 * np.log(np.maximum(firms.revenue[:, -2], 1))) * rd_rate
                    * (rng.pareto(PATENT_PARETO, n_firms) + 1), 0.0)
    propensity = _key_segment_propensity(world, firms, propensity)
    year_weight = (1 + PATENT_YEAR_GROWTH) ** (YEARS - 2016)
    expected = (propensity[:, None] * year_weight[None, :] * firms.active).sum()
    domestic_total = per_firm * n_firms * 0.92
    scale = domestic_total / expected if expected > 0 else 0.0
    serial = 0
    symbols = SymbolDraw(techs)
    for start in range(0, n_firms, batch):
        stop = min(start + batch, n_firms)
        expected_count = propensity[start:stop, None] * year_weight[None, :] * firms.active[start:stop] * scale
        count = rng.poisson(expected_count)
        row, year = np.nonzero(count)
        counts = count[row, year]
        applicant = start + np.repeat(row, counts)
        years = YEARS[np.repeat(year, counts)]
        n_patents = len(applicant)
        # Firms with high R&D intensity file more inventions.
        p_invention = np.clip(0.25 + 4 * firms.rd_rate[applicant], 0.25, 0.75)
        type_draw = rng.random(n_patents)
        types = np.where(type_draw < p_invention, 0, np.where(type_draw < p_invention + (1 - p_invention) * 0.85, 1, 2))
        # A firm files 30% at its second node, never at a key segment: its count is its own makers'.
        second_open = ~np.append(world.node_key, True)[firms.node2[applicant]]
        node = np.where(second_open & (rng.random(n_patents) < 0.3),
                        firms.node2[applicant], firms.node[applicant])
        node = np.where(node_has[node], node, firms.node[applicant])
        table = _patent_table(rng, symbols, node, types, years, serial, today,
                              applicant_uscc=firms.uscc[applicant].astype(object),
                              applicant_name=firms.name[applicant].astype(object),
                              country=np.full(n_patents, "CHN", dtype=object),
                              region=firms.county[applicant].astype(object),
                              pct_p=np.where(types == 0, 0.02 + 0.15 * firms.size[applicant], 0.0))
        serial += n_patents
        sink.write(table)
        if progress:
            progress("patents", stop, n_firms)
    jiangsu_rows = sink.rows
    if tech_nodes:
        serial = _outside_applicants(rng, world, symbols, sink, tech_nodes, year_weight, jiangsu_rows, serial, today)
    sink.close()
    return sink.rows


def _key_segment_propensity(world: World, firms: Firms, propensity: np.ndarray) -> np.ndarray:
    """Propensities with each key segment's total set to its ``jiangsu`` weight times the mean total of
    the other (non-key) segments of the province (a handful of firms per key segment would otherwise
    leave its patent count, and so its class, to one firm's draw); shares within the segment are kept."""
    out = propensity.copy()
    # Totals over the firms active in the last year: the inventory classifies on the latest year.
    latest = propensity * firms.active[:, -1]
    node_total = np.bincount(firms.node[firms.node >= 0], weights=latest[firms.node >= 0], minlength=len(world.nodes))
    weight = world.node_patent_weight["jiangsu"]
    peers = ~world.node_key & (node_total > 0)
    if not peers.any():
        return out
    peer_mean = node_total[peers].mean()
    for node in np.flatnonzero(world.node_key & (node_total > 0)):
        out[firms.node == node] *= weight[node] * peer_mean / node_total[node]
    return out


def _outside_applicants(rng, world, symbols, sink, tech_nodes, year_weight, jiangsu_rows: int, serial: int,
                        today) -> int:
    """Filings of applicants from other provinces and from abroad (8% of all), spread over the chain's
    technologies by the ``nation`` and ``foreign`` weights of their segments."""
    n_other = int(round(jiangsu_rows * OTHER_PROVINCES_PER_JIANGSU))
    n_foreign = int(round((jiangsu_rows + n_other) * 0.08 / 0.92))
    provinces = [code for code in OTHER_PROVINCE_APPLICANTS if code in world.provinces] or world.provinces[:1]
    pool = np.array([f"{OTHER_PROVINCE_APPLICANTS.get(code, '')}{word}科技有限公司"
                     for code in provinces for word in OTHER_PROVINCE_NAME_WORDS])
    pool_region = np.repeat(np.array(provinces), len(OTHER_PROVINCE_NAME_WORDS))
    sides = [("nation", n_other, 0.8, 0.05), ("foreign", n_foreign, 0.9, 0.6)]
    for side, count, p_invention, p_pct in sides:
        if not count:
            continue
        weight = world.node_patent_weight[side][tech_nodes]
        if side == "nation":
            who = (rng.pareto(1.0, count) * 5).astype(np.int64) % len(pool)
            names, region, country = pool[who], pool_region[who], np.full(count, "CHN")
            node = _province_nodes(rng, tech_nodes, weight, region, provinces)
        else:
            node = pick(rng, tech_nodes, weight, count)
        years = pick(rng, YEARS, year_weight, count)
        types = np.where(rng.random(count) < p_invention, 0, 1)
        if side != "nation":
            country = pick(rng, list(FOREIGN_APPLICANTS), list(FOREIGN_APPLICANTS.values()), count)
            latin = np.char.add(latin_names(rng, 60), " Corporation")
            names = latin[(rng.pareto(1.0, count) * 3).astype(np.int64) % len(latin)]
            region = np.full(count, None, dtype=object)
        sink.write(_patent_table(rng, symbols, node, types, years, serial, today,
                                 applicant_uscc=np.full(count, None, dtype=object),
                                 applicant_name=names.astype(object), country=country.astype(object),
                                 region=region.astype(object), pct_p=np.full(count, p_pct)))
        serial += count
    return serial


def _province_nodes(rng, tech_nodes, weight: np.ndarray, region: np.ndarray, provinces) -> np.ndarray:
    """The segment of each other-province filing: the national weights tilted by a province's own
    specialisation (log-normal, σ = PROVINCE_TILT_SIGMA, each segment's tilt averaging 1 over the provinces
    so the nation's mix is kept), so that provinces differ in what they patent as real ones do."""
    tilt = rng.lognormal(0.0, PROVINCE_TILT_SIGMA, size=(len(provinces), len(tech_nodes)))
    tilt /= tilt.mean(axis=0, keepdims=True)
    node = np.empty(len(region), dtype=np.int64)
    for index, code in enumerate(provinces):
        mine = region == code
        if mine.any():
            node[mine] = pick(rng, tech_nodes, weight * tilt[index], int(mine.sum()))
    return node


class SymbolDraw:
    """Full IPC symbols for the technologies of chain nodes.

    A catalogue entry may be a subclass (``H01F``), a main group (``G06F30``) or a subgroup stem
    (``G05B19/18``). Symbols complete it: a subgroup is appended to a main group, a digit (or none) to a
    stem, and a subclass gets a drawn main group outside the groups that other entries of that
    subclass claim, so that a segment named by a main group counts only its own firms' patents.
    """

    def __init__(self, techs: list[list[str]]):
        self.claimed: dict[str, set[int]] = {}
        for options in techs:
            for tech in options:
                code = tech.replace(" ", "").upper()
                group = code[4:].split("/")[0]
                if len(code) > 4 and group.isdigit():
                    self.claimed.setdefault(code[:4], set()).add(int(group))
        self.techs = techs
        self.counts = np.array([len(options) for options in techs], dtype=np.int64)

    def draw(self, rng, tech: str, n: int) -> np.ndarray:
        code = tech.replace(" ", "").upper()
        subclass, rest = code[:4], code[4:]
        if not rest:
            free = np.array([g for g in range(1, 100) if g not in self.claimed.get(subclass, set())])
            groups = free[rng.integers(0, len(free), n)].astype(str)
            return np.char.add(np.char.add(f"{subclass} ", groups), np.char.add("/", SUBGROUPS[rng.integers(0, 16, n)]))
        if "/" not in rest:
            return np.char.add(f"{subclass} {rest}/", SUBGROUPS[rng.integers(0, 16, n)])
        digits = np.where(rng.random(n) < 0.5, "", rng.integers(0, 10, n).astype(str))
        return np.char.add(f"{subclass} {rest}", digits)

    def symbols(self, rng, node: np.ndarray, choice: np.ndarray) -> np.ndarray:
        """One symbol per patent: technology number ``choice`` (modulo the node's count) of its node."""
        node = np.asarray(node, dtype=np.int64)
        keys = node * 64 + np.asarray(choice, dtype=np.int64) % np.maximum(self.counts[node], 1)
        out = np.empty(len(node), dtype=object)
        for key in np.unique(keys):
            at = np.flatnonzero(keys == key)
            out[at] = self.draw(rng, self.techs[int(key // 64)][int(key % 64)], len(at))
        return out


def _patent_table(rng, symbols: SymbolDraw, node, types, years, serial, today, applicant_uscc, applicant_name,
                  country, region, pct_p) -> pa.Table:
    n_patents = len(node)
    applied = days_in_year(rng, years, today)
    rate = np.array([GRANT[t][0] for t in range(3)])[types]
    lag_lo = np.array([GRANT[t][1] for t in range(3)])[types]
    lag_hi = np.array([GRANT[t][2] for t in range(3)])[types]
    lag = ((lag_lo + rng.random(n_patents) * (lag_hi - lag_lo)) * 365).astype("timedelta64[D]")
    grant = applied + lag
    granted = (rng.random(n_patents) < rate) & (grant <= np.datetime64(today, "D"))
    n_options = symbols.counts[np.asarray(node, dtype=np.int64)]
    first = (rng.random(n_patents) * n_options).astype(np.int64)
    second = (first + 1 + (rng.random(n_patents) * np.maximum(n_options - 1, 1)).astype(np.int64)) % n_options
    main = symbols.symbols(rng, node, first)
    other = symbols.symbols(rng, node, second)
    with_second = (rng.integers(0, 3, n_patents) > 0) & (n_options > 1)
    extra = np.where(with_second, np.char.add(np.char.add(main.astype(str), ";"), other.astype(str)), main.astype(str))
    ids = patent_ids(years, types, serial + np.arange(n_patents))
    return pa.table({
        "patent_id": ids, "applicant_uscc": pa.array(applicant_uscc, pa.string()),
        "applicant_name": pa.array(applicant_name, pa.string()), "applicant_country": pa.array(country, pa.string()),
        "applicant_region_code": pa.array(region, pa.string()),
        "application_date": pa.array(applied, pa.date32()),
        "grant_date": pa.array(np.where(granted, grant, np.datetime64("NaT")), pa.date32(), from_pandas=True),
        "ipc_main": main, "ipc_all": extra, "patent_type": TYPES[types],
        "pct": rng.random(n_patents) < pct_p,
    })


def write_trademarks(world: World, firms: Firms, path, per_firm: float, seed: int) -> int:
    """International marks (Madrid 80%), owned mostly by large exporters."""
    rng = stream(seed, "trademarks")
    n_firms = len(firms)
    weight = ((firms.export_rate > 0) * (0.2 + firms.size ** 3) + 0.01 * firms.size) * np.where(
        firms.national, NATIONAL_LIFT["trademarks"], 1.0)
    owner, years = _trademark_owners_and_years(rng, weight, firms.cluster, int(round(per_firm * n_firms)))
    n_marks = len(owner)
    founded_year = firms.founded.astype("datetime64[Y]").astype(np.int64) + 1970
    years = np.maximum(years, np.minimum(founded_year[owner] + 1, 2023))
    madrid = rng.random(n_marks) < 0.8
    partners = np.array(["USA", "DEU", "JPN", "KOR", "GBR", "AUS", "RUS", "VNM", "IND", "BRA", "MEX",
                         "SGP", "THA", "TUR", "ZAF", "CAN"])
    n_designated = np.where(madrid, rng.integers(2, 9, n_marks), 1)
    keys = rng.random((n_marks, len(partners)))
    top = np.argsort(keys, axis=1)
    designated = [";".join(sorted(partners[top[i, :n_designated[i]]])) for i in range(n_marks)]
    nice_by_cluster = [world.profile_of(c)["nice"] for c in range(-1, len(world.clusters))]
    nice = np.array(nice_by_cluster, dtype=object)[firms.cluster[owner] + 1]
    registration_id = np.where(madrid, np.char.add("M", (1_300_000 + np.arange(n_marks)).astype(str)),
                   np.char.add("FN", np.char.zfill(np.arange(n_marks).astype(str), 8)))
    table = pa.table({
        "registration_id": registration_id, "owner_uscc": firms.uscc[owner], "mark": latin_names(rng, n_marks),
        "system": np.where(madrid, "madrid", "foreign_national"),
        "registration_date": pa.array(days_in_year(rng, years, dt.date.today()), pa.date32()),
        "designated_countries": designated, "nice_classes": nice.astype(str),
    })
    sink = CsvSink(path, table.column_names)
    sink.write(table)
    sink.close()
    return n_marks


def _trademark_owners_and_years(rng, weight: np.ndarray, cluster: np.ndarray, total: int):
    """Owners and registration years of ``total`` marks, each cluster (and each of its years) getting its
    expected number by largest remainder; owners drawn ∝ weight inside the cluster (with replacement).

    With about 120 marks in a small demo, independent draws would decide a cluster's yearly count by
    luck; controlled rounding keeps it at the cluster's expected share (exporters, size, national lift).
    """
    year_weight = 1.07 ** (YEARS - 2016)
    groups = np.unique(cluster)
    per_group = largest_remainder(np.array([weight[cluster == group].sum() for group in groups]), total)
    owners, years = [], []
    for group, count in zip(groups, per_group):
        members = np.flatnonzero((cluster == group) & (weight > 0))
        if not count or not len(members):
            continue
        owners.append(rng.choice(members, size=count, p=weight[members] / weight[members].sum()))
        years.append(rng.permutation(np.repeat(YEARS, largest_remainder(year_weight, count))))
    if not owners:
        return np.zeros(0, np.int64), np.zeros(0, np.int64)
    order = np.argsort(np.concatenate(owners), kind="stable")  # rows by owner, as before
    return np.concatenate(owners)[order], np.concatenate(years)[order]


def write_talent_moves(world: World, firms: Firms, path, per_firm: float, seed: int) -> int:
    """Job moves: mostly within the same cluster, a share poached by bigger firms in other cities."""
    rng = stream(seed, "talent")
    cluster_firms = np.flatnonzero(firms.cluster >= 0)
    if not len(cluster_firms):
        return 0
    n_moves = int(round(per_firm * len(firms)))
    w_from = np.sqrt(np.maximum(firms.revenue[cluster_firms, -1], 1))
    origin = cluster_firms[pick(rng, np.arange(len(cluster_firms)), w_from, n_moves)]
    # Destinations: same cluster (80%; 40% of those in another city, drawn towards big firms), other cluster.
    dest = np.empty(n_moves, dtype=np.int64)
    same = rng.random(n_moves) < 0.8
    by_cluster = {cluster: cluster_firms[firms.cluster[cluster_firms] == cluster]
                  for cluster in np.unique(firms.cluster[cluster_firms])}
    for cluster, members in by_cluster.items():
        movers = np.flatnonzero(same & (firms.cluster[origin] == cluster))
        weight = np.maximum(firms.revenue[members, -1], 1) ** 0.6
        dest[movers] = members[pick(rng, np.arange(len(members)), weight, len(movers))]
    other = np.flatnonzero(~same)
    dest[other] = cluster_firms[pick(rng, np.arange(len(cluster_firms)), w_from, len(other))]
    from_uscc = firms.uscc[origin].astype(object)
    to_uscc = firms.uscc[dest].astype(object)
    to_uscc[dest == origin] = None  # a draw of the own firm: the person leaves the register (e.g. abroad)
    leave = rng.random(n_moves) < 0.05
    arrive = ~leave & (to_uscc != None) & (rng.random(n_moves) < 0.06)  # noqa: E711 - object array
    to_uscc[leave] = None
    from_uscc[arrive] = None  # graduates and returnees
    founded_year = firms.founded.astype("datetime64[Y]").astype(np.int64) + 1970
    first_year = np.maximum(np.maximum(founded_year[origin], founded_year[dest]), 2016)
    years = np.minimum(first_year + (rng.random(n_moves) * (2024 - first_year)).astype(np.int64), 2023)
    person = hex_ids(rng, n_moves)
    # One person in ten moves twice: reuse the pseudonym of an earlier move.
    again = np.flatnonzero(rng.random(n_moves) < 0.1)
    if len(again) > 1:
        person[again[1:]] = person[again[:-1]]
    roles = pick(rng, ["executive", "senior_engineer", "engineer", "technician", "other"],
                 [0.05, 0.15, 0.45, 0.3, 0.05], n_moves)
    table = pa.table({
        "move_id": np.char.add("MV", np.char.zfill(np.arange(n_moves).astype(str), 9)),
        "person_hash": person, "from_uscc": pa.array(from_uscc, pa.string()), "to_uscc": pa.array(to_uscc, pa.string()),
        "move_date": pa.array(days_in_year(rng, years, dt.date.today()), pa.date32()), "role_level": roles,
    })
    sink = CsvSink(path, table.column_names)
    sink.write(table)
    sink.close()
    return n_moves


def write_firm_markets(world: World, firms: Firms, path, seed: int) -> int:
    """Market position of the firms a bureau would have it for: single champions (world top 3 in their
    niche), little giants (10-35 % of the national niche) and provincial 专精特新 firms (2-15 %), in the
    latest year; the niche is named after the firm's main chain segment."""
    rng = stream(seed, "markets")
    rows = []
    year = int(YEARS[-1])
    for index in np.flatnonzero((firms.champion | (firms.srdi > 0)) & firms.active[:, -1]):
        node = int(firms.node[index])
        niche = world.node_names[node] if node >= 0 else world.cluster_names[max(int(firms.cluster[index]), 0)]
        if firms.champion[index]:
            rank = int(rng.integers(1, 4))
            rows.append((firms.uscc[index], year, niche, "world", round(float(rng.uniform(0.08, 0.3)), 3), rank))
            rows.append((firms.uscc[index], year, niche, "national", round(float(rng.uniform(0.3, 0.6)), 3), 1))
        elif firms.srdi[index] == 2:
            rows.append((firms.uscc[index], year, niche, "national", round(float(rng.uniform(0.08, 0.35)), 3),
                         int(rng.integers(1, 6))))
        else:
            rows.append((firms.uscc[index], year, niche, "national", round(float(rng.uniform(0.02, 0.15)), 3), None))
    columns = ["uscc", "year", "product", "scope", "market_share", "market_rank"]
    table = pa.table({column: [row[position] for row in rows] for position, column in enumerate(columns)})
    table = table.append_column("source", pa.array(["合成演示数据 synthetic"] * len(rows)))
    sink = CsvSink(path, table.column_names)
    sink.write(table)
    sink.close()
    return len(rows)
