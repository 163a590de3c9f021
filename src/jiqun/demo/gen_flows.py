"""Synthetic supply transactions along the chain templates, and customs trade.

Purchases: every active firm on a node with incoming chain links buys from the
supplying nodes. The supplier is imported with the node's import share (key
components mostly, from the countries in ``gen_world.COMPONENTS``), otherwise
local (same city), elsewhere in Jiangsu or out of province. Sales: firms also sell
to buyers outside Jiangsu (other provinces and abroad). Imports in ``trade`` are
the foreign purchases aggregated per firm x year x HS6 x country; exports split
each firm's export delivery value over its products and partner countries.
Everything is drawn year by year in batches of buyers and streamed to Parquet.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from .gen_common import CNY_PER_USD, YEARS, ParquetSink, pick, stream, uscc_array, weighted_in_groups
from .gen_firms import Firms
from .gen_world import NATIONAL_LIFT, World

#: Domestic sourcing split of non-imported purchases (assumption): same city, rest of Jiangsu, other provinces.
SOURCING = np.array([0.45, 0.30, 0.25])
#: Provinces that trade with Jiangsu firms (weights; assumption: the Yangtze delta and Guangdong dominate).
PROVINCE_WEIGHTS = {"310000": 0.30, "330000": 0.20, "440000": 0.15, "110000": 0.10, "370000": 0.08,
                    "340000": 0.07, "420000": 0.04, "510000": 0.03, "120000": 0.03}
EXPORT_PARTNERS = {"USA": 0.18, "JPN": 0.09, "KOR": 0.08, "DEU": 0.07, "NLD": 0.05, "VNM": 0.07, "IND": 0.05,
                   "SGP": 0.04, "GBR": 0.04, "AUS": 0.03, "HKG": 0.08, "MEX": 0.03, "BRA": 0.03, "RUS": 0.03,
                   "THA": 0.03, "MYS": 0.03, "FRA": 0.02, "ITA": 0.02, "GRC": 0.01}
PURCHASE_SHARE = 0.30   # traced purchases / buyer revenue (the rest: energy, services, untraced)
SALES_SHARE = 0.20      # traced sales outside Jiangsu / seller revenue
TX_SCHEMA = pa.schema([
    ("transaction_id", pa.string()), ("year", pa.int32()), ("seller_uscc", pa.string()),
    ("seller_region_code", pa.string()), ("seller_country", pa.string()), ("buyer_uscc", pa.string()),
    ("buyer_region_code", pa.string()), ("buyer_country", pa.string()), ("node_id", pa.string()),
    ("hs6", pa.string()), ("amount_yuan", pa.float64())])
TRADE_SCHEMA = pa.schema([
    ("reporter", pa.string()), ("reporter_type", pa.string()), ("year", pa.int32()), ("flow", pa.string()),
    ("hs6", pa.string()), ("partner_country", pa.string()), ("value_usd", pa.float64()),
    ("quantity", pa.float64()), ("quantity_unit", pa.string())])


def _csr(lists: list[list]) -> tuple[np.ndarray, np.ndarray]:
    ptr = np.zeros(len(lists) + 1, dtype=np.int64)
    ptr[1:] = np.cumsum([len(x) for x in lists])
    flat = np.array([v for x in lists for v in x], dtype=object if lists and any(
        isinstance(v, str) for x in lists for v in x) else np.int64)
    return ptr, flat


def _random_member(rng, ptr, flat, owner):
    """One random element of each owner's list (None where the list is empty)."""
    deg = ptr[owner + 1] - ptr[owner]
    pos = ptr[owner] + np.floor(rng.random(len(owner)) * np.maximum(deg, 1)).astype(np.int64)
    out = np.full(len(owner), None, dtype=object)
    ok = deg > 0
    out[ok] = flat[pos[ok]]
    return out


class OutsideFirms:
    """A pool of (synthetic, valid) USCCs of firms in other provinces."""

    def __init__(self, world: World, n: int, seed: int):
        rng = stream(seed, "outside_firms")
        codes = [c for c in PROVINCE_WEIGHTS if c in world.provinces] or world.provinces[:1]
        w = np.array([PROVINCE_WEIGHTS.get(c, 0.01) for c in codes])
        self.codes, self.weights = np.array(codes), w / w.sum()
        per = np.maximum(np.round(self.weights * n).astype(np.int64), 1)
        region = np.repeat(self.codes, per)  # sorted by province, in the order of codes
        self.start = np.concatenate([[0], np.cumsum(per)[:-1]])
        self.count = per
        self.uscc = uscc_array("91", region, 600_000_000 + np.arange(len(region))).astype(object)
        del rng

    def draw(self, rng, n: int, share_named: float = 0.6):
        """Regions and USCCs (None for unnamed counterparts) of ``n`` outside firms."""
        p = rng.choice(len(self.codes), size=n, p=self.weights)
        idx = self.start[p] + (rng.random(n) * self.count[p]).astype(np.int64)
        named = rng.random(n) < share_named
        return self.codes[p].astype(object), np.where(named, self.uscc[idx], None)


def write_transactions_and_trade(world: World, firms: Firms, exports: np.ndarray, tx_path, trade_path,
                                 tx_per_firm_year: float, seed: int, batch: int, progress=None) -> dict:
    """Stream ``transactions`` and ``trade`` to Parquet; return summary counts."""
    rng = stream(seed, "transactions")
    n_c, n_nodes, n = len(world.cities), len(world.nodes), len(firms)
    incoming = [[] for _ in range(n_nodes)]
    for a, b in world.links:
        incoming[b].append(int(a))
    ctx = dict(in_csr=_csr(incoming), prod_csr=_csr(world.node_products),
               ctry_cum=[np.cumsum(w) for _, w in world.node_import_countries],
               nodes=np.asarray(world.nodes, dtype=object),
               outside=OutsideFirms(world, max(200, n // 20), seed))
    tx = ParquetSink(tx_path, TX_SCHEMA)
    trade = ParquetSink(trade_path, TRADE_SCHEMA)
    seq = 0
    summary = {"purchases": 0, "imported": 0, "local": 0, "sales_out": 0}
    has_node = firms.node >= 0
    steps, step = len(YEARS) * ((n + batch - 1) // batch), 0
    for t, year in enumerate(YEARS):
        rev = firms.revenue[:, t]
        act = firms.active[:, t] & has_node
        # Suppliers of the year sorted by (node, city): each group is a contiguous run.
        sup = np.flatnonzero(act)
        order = sup[np.lexsort((firms.city[sup], firms.node[sup]))]
        gkey = firms.node[order] * n_c + firms.city[order]
        g_all = np.arange(n_nodes * n_c)
        groups = dict(order=order, cum=np.cumsum(rev[order] ** 0.8),
                      starts=np.searchsorted(gkey, g_all, "left"), ends=np.searchsorted(gkey, g_all, "right"))
        groups["n_starts"] = groups["starts"][np.arange(n_nodes) * n_c]
        groups["n_ends"] = groups["ends"][np.arange(n_nodes) * n_c + n_c - 1]
        norm = (rev[act] ** 0.3).mean() if act.any() else 1.0  # bigger firms trade more, mean rate kept
        for lo in range(0, n, batch):
            ids = np.arange(lo, min(lo + batch, n))
            table, stats = _batch(world, firms, rng, ctx, groups, ids[act[ids]], rev, norm, int(year),
                                  tx_per_firm_year)
            m = table.num_rows
            tid = pc.binary_join_element_wise(
                "TX", pc.utf8_lpad(pa.array(np.arange(seq, seq + m)).cast(pa.string()), 10, "0"), "")
            seq += m
            tx.write(table.set_column(0, "transaction_id", tid))
            trade.write(_imports(table, int(year)))
            for key, v in stats.items():
                summary[key] += v
            step += 1
            if progress:
                progress("transactions", step, steps)
    exp_rows = _exports(world, firms, exports, seed)
    trade.write(exp_rows)
    summary["transactions"], summary["trade"] = tx.rows, trade.rows
    tx.close()
    trade.close()
    return summary


def _batch(world, firms, rng, ctx, g, active_ids, rev, norm, year, per_firm):
    in_ptr, in_flat = ctx["in_csr"]
    nodes, outside = ctx["nodes"], ctx["outside"]
    n_c = len(world.cities)
    # --- purchases by Jiangsu buyers along the chain links
    buyers = active_ids[(in_ptr[firms.node[active_ids] + 1] - in_ptr[firms.node[active_ids]]) > 0]
    k = rng.poisson(per_firm * 0.85 * rev[buyers] ** 0.3 / norm)
    buyer = np.repeat(buyers, k)
    kb = np.repeat(np.maximum(k, 1), k)
    m = len(buyer)
    from_node = _random_member(rng, in_ptr, in_flat, firms.node[buyer]).astype(np.int64)
    imported = rng.random(m) < world.node_import_share[from_node]
    # same city / elsewhere in Jiangsu / out of province; national-competition cells buy more locally
    local_share = np.where(firms.national[buyer], NATIONAL_LIFT["local_sourcing"], SOURCING[0])
    u_src = rng.random(m)
    cat = np.where(u_src < local_share, 0, np.where(u_src < local_share + SOURCING[1], 1, 2))
    local_pos = weighted_in_groups(rng, g["cum"], g["starts"], g["ends"], from_node * n_c + firms.city[buyer])
    prov_pos = weighted_in_groups(rng, g["cum"], g["n_starts"], g["n_ends"], from_node)
    pos = np.where((cat == 0) & (local_pos >= 0), local_pos, prov_pos)
    in_js = ~imported & (cat < 2) & (pos >= 0)   # no Jiangsu supplier at that node: buy out of province
    out_prov = ~imported & ~in_js
    seller = g["order"][np.maximum(pos, 0)]
    s_uscc = np.full(m, None, dtype=object)
    s_region = np.full(m, None, dtype=object)
    s_uscc[in_js] = firms.uscc[seller[in_js]]
    s_region[in_js] = firms.county[seller[in_js]]
    s_region[out_prov], s_uscc[out_prov] = outside.draw(rng, int(out_prov.sum()))
    s_country = np.full(m, "CHN", dtype=object)
    imp = np.flatnonzero(imported)
    u = rng.random(len(imp))
    for nd in np.unique(from_node[imp]):
        sel = from_node[imp] == nd
        names = np.asarray(world.node_import_countries[nd][0], dtype=object)
        cum = ctx["ctry_cum"][nd]
        s_country[imp[sel]] = names[np.minimum(np.searchsorted(cum, u[sel] * cum[-1], "right"), len(names) - 1)]
    amount = rev[buyer] * PURCHASE_SHARE / kb * np.exp(rng.normal(-0.245, 0.7, m))
    # --- sales of Jiangsu firms to buyers in other provinces (75%) and abroad (25%)
    ks = rng.poisson(per_firm * 0.15 * rev[active_ids] ** 0.3 / norm)
    seller2 = np.repeat(active_ids, ks)
    ms = len(seller2)
    abroad = rng.random(ms) < 0.25
    b_region, b_uscc = outside.draw(rng, ms, share_named=0.5)
    b_region[abroad] = None
    b_uscc[abroad] = None
    b_country = np.full(ms, "CHN", dtype=object)
    b_country[abroad] = pick(rng, list(EXPORT_PARTNERS), list(EXPORT_PARTNERS.values()), int(abroad.sum()))
    s_amount = rev[seller2] * SALES_SHARE / np.repeat(np.maximum(ks, 1), ks) * np.exp(rng.normal(-0.245, 0.7, ms))
    node_all = np.concatenate([from_node, firms.node[seller2]])
    table = pa.table({
        "transaction_id": pa.nulls(m + ms, pa.string()),
        "year": np.full(m + ms, year, dtype=np.int32),
        "seller_uscc": pa.array(np.concatenate([s_uscc, firms.uscc[seller2].astype(object)]), pa.string()),
        "seller_region_code": pa.array(np.concatenate([s_region, firms.county[seller2].astype(object)]), pa.string()),
        "seller_country": pa.array(np.concatenate([s_country, np.full(ms, "CHN", dtype=object)]), pa.string()),
        "buyer_uscc": pa.array(np.concatenate([firms.uscc[buyer].astype(object), b_uscc]), pa.string()),
        "buyer_region_code": pa.array(np.concatenate([firms.county[buyer].astype(object), b_region]), pa.string()),
        "buyer_country": pa.array(np.concatenate([np.full(m, "CHN", dtype=object), b_country]), pa.string()),
        "node_id": pa.array(nodes[node_all], pa.string()),
        "hs6": pa.array(_random_member(rng, *ctx["prod_csr"], node_all), pa.string()),
        "amount_yuan": np.round(np.concatenate([amount, s_amount]), 2),
    })
    local = in_js & (firms.city[seller] == firms.city[buyer])
    return table, {"purchases": m, "imported": int(imported.sum()), "local": int(local.sum()), "sales_out": ms}


def _quantity_unit(hs6: pa.Array) -> pa.Array:
    chapter = pc.utf8_slice_codeunits(hs6, 0, 2)
    machines = pc.is_in(chapter, pa.array(["84", "85", "87", "88", "89", "90"]))
    return pc.if_else(machines, pa.scalar("台"), pa.scalar("千克"))


def _imports(table: pa.Table, year: int) -> pa.Table:
    """Foreign purchases of a batch, aggregated per buyer x HS6 x country (unique within a year)."""
    foreign = table.filter(pc.and_(pc.not_equal(table["seller_country"], "CHN"), pc.is_valid(table["hs6"])))
    if foreign.num_rows == 0:
        return TRADE_SCHEMA.empty_table()
    agg = foreign.group_by(["buyer_uscc", "hs6", "seller_country"]).aggregate([("amount_yuan", "sum")])
    agg = agg.sort_by([("buyer_uscc", "ascending"), ("hs6", "ascending"), ("seller_country", "ascending")])
    value = pc.round(pc.divide(agg["amount_yuan_sum"], CNY_PER_USD[year]), 2)
    return _trade_table(agg["buyer_uscc"], year, "import", agg["hs6"], agg["seller_country"], value)


def _trade_table(reporter, year, flow, hs6, partner, value) -> pa.Table:
    m = len(reporter)
    hs6 = pa.array(hs6, pa.string()) if not isinstance(hs6, (pa.Array, pa.ChunkedArray)) else hs6
    # Quantity from an assumed unit value: 2,000 USD per machine, 8 USD per kg otherwise.
    unit = _quantity_unit(hs6)
    price = pc.if_else(pc.equal(unit, "台"), 2000.0, 8.0)
    return pa.table({
        "reporter": reporter, "reporter_type": pa.array(["firm"] * m, pa.string()),
        "year": pa.array(np.full(m, year, dtype=np.int32)), "flow": pa.array([flow] * m, pa.string()),
        "hs6": hs6, "partner_country": partner, "value_usd": value,
        "quantity": pc.round(pc.divide(value, price), 0), "quantity_unit": unit,
    })


def _exports(world: World, firms: Firms, exports: np.ndarray, seed: int) -> pa.Table:
    """Split each cluster firm's export delivery value over 1-2 products x 1-4 partner countries."""
    rng = stream(seed, "exports")
    prod_ptr, prod_flat = _csr(world.node_products)
    n_prod = np.where(firms.node >= 0, prod_ptr[firms.node + 1] - prod_ptr[firms.node], 0)
    who = np.flatnonzero((exports.sum(axis=1) > 0) & (n_prod > 0))
    if not len(who):
        return TRADE_SCHEMA.empty_table()
    names = np.array(list(EXPORT_PARTNERS))
    w = np.array(list(EXPORT_PARTNERS.values()))
    # Gumbel top-k: distinct partners per firm, drawn with the partner weights; bigger firms reach more markets.
    keys = np.log(w)[None, :] + rng.gumbel(size=(len(who), len(w)))
    n_partner = np.clip(1 + np.floor(firms.size[who] * 4 + rng.random(len(who))), 1, 4).astype(np.int64)
    top = np.argsort(-keys, axis=1)[:, :4]
    n_hs = np.where(n_prod[who] > 1, 1 + (rng.random(len(who)) < 0.5), 1)
    first = (rng.random(len(who)) * n_prod[who]).astype(np.int64)
    second = (first + 1 + (rng.random(len(who)) * np.maximum(n_prod[who] - 1, 1)).astype(np.int64)) % n_prod[who]
    base = prod_ptr[firms.node[who]]
    parts = []
    for hs_j in range(2):
        for p_j in range(4):
            sel = (n_hs > hs_j) & (n_partner > p_j)
            f = who[sel]
            hs = prod_flat[base[sel] + (first[sel] if hs_j == 0 else second[sel])]
            partner = names[top[sel, p_j]]
            share = rng.gamma(1.5, 1.0, len(f)) * 0.6 ** p_j  # the first partner is the main market
            parts.append((f, hs, partner, share))
    f = np.concatenate([p[0] for p in parts])
    hs = np.concatenate([p[1] for p in parts]).astype(str)
    partner = np.concatenate([p[2] for p in parts])
    share = np.concatenate([p[3] for p in parts])
    share = share / np.bincount(f, weights=share, minlength=len(firms))[f]
    tables = []
    for t, year in enumerate(YEARS):
        v = exports[f, t] * share * np.exp(rng.normal(0, 0.1, len(f)))
        ok = v > 0
        value = pa.array(np.round(v[ok] / CNY_PER_USD[int(year)], 2))
        tables.append(_trade_table(pa.array(firms.uscc[f[ok]], pa.string()), int(year), "export",
                                   pa.array(hs[ok], pa.string()), pa.array(partner[ok], pa.string()), value))
    return pa.concat_tables(tables)
