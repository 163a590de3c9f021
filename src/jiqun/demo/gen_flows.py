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
from .gen_world import World

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
        self.region = pick(rng, self.codes, self.weights, n)
        self.uscc = uscc_array("91", self.region, 600_000_000 + np.arange(n))

    def draw(self, rng, n, share_named=0.6):
        region = pick(rng, self.codes, self.weights, n)
        # A named counterpart is drawn from the pool of the same province.
        pos = np.searchsorted(np.sort(self.region), region)
        order = np.argsort(self.region, kind="stable")
        counts = np.array([(self.region == r).sum() for r in self.codes])
        start = np.searchsorted(self.region[order], region)
        cnt = counts[np.searchsorted(self.codes, region)] if len(self.codes) else pos
        idx = order[np.minimum(start + (rng.random(n) * np.maximum(cnt, 1)).astype(np.int64), len(order) - 1)]
        named = (rng.random(n) < share_named) & (cnt > 0)
        return region, np.where(named, self.uscc[idx], None)


def write_transactions_and_trade(world: World, firms: Firms, exports: np.ndarray, tx_path, trade_path,
                                 tx_per_firm_year: float, seed: int, batch: int, progress=None) -> dict:
    """Stream ``transactions`` and ``trade`` to Parquet; return summary counts."""
    rng = stream(seed, "transactions")
    n_c = len(world.cities)
    n_nodes = len(world.nodes)
    incoming = [[] for _ in range(n_nodes)]
    for a, b in world.links:
        incoming[b].append(a)
    in_ptr, in_flat = _csr(incoming)
    prod_ptr, prod_flat = _csr(world.node_products)
    ctry_ptr = [np.cumsum(w) for _, w in world.node_import_countries]
    nodes = np.asarray(world.nodes, dtype=object)
    outside = OutsideFirms(world, max(200, len(firms) // 20), seed)
    tx = ParquetSink(tx_path, TX_SCHEMA)
    trade = ParquetSink(trade_path, TRADE_SCHEMA)
    seq = 0
    summary = {"transactions": 0, "imported": 0, "local": 0, "trade": 0}
    n = len(firms)
    has_node = firms.node >= 0
    total_steps = len(YEARS) * ((n + batch - 1) // batch)
    step = 0
    for t, year in enumerate(YEARS):
        rev = firms.revenue[:, t]
        act = firms.active[:, t] & has_node
        # Suppliers of the year, sorted by (node, city): groups are contiguous.
        sup = np.flatnonzero(act)
        order = sup[np.lexsort((firms.city[sup], firms.node[sup]))]
        gkey = firms.node[order] * n_c + firms.city[order]
        cum = np.cumsum(rev[order] ** 0.8)
        g_all = np.arange(n_nodes * n_c)
        starts = np.searchsorted(gkey, g_all, "left")
        ends = np.searchsorted(gkey, g_all, "right")
        n_starts = starts[np.arange(n_nodes) * n_c]
        n_ends = ends[np.arange(n_nodes) * n_c + n_c - 1]
        mean_rev = rev[act].mean() if act.any() else 1.0
        rate = CNY_PER_USD[int(year)]
        for lo in range(0, n, batch):
            hi = min(lo + batch, n)
            ids = np.arange(lo, hi)
            b_ok = act[lo:hi] & ((in_ptr[firms.node[lo:hi] + 1] - in_ptr[firms.node[lo:hi]]) > 0)
            buyers = ids[b_ok]
            lam = tx_per_firm_year * 0.85 * (rev[buyers] / mean_rev) ** 0.3
            lam *= tx_per_firm_year * 0.85 * act.sum() / max(lam.sum(), 1e-9) * (len(buyers) / max(b_ok.size, 1)) \
                if False else 1.0
            k = rng.poisson(lam)
            buyer = np.repeat(buyers, k)
            kb = np.repeat(np.maximum(k, 1), k)
            m = len(buyer)
            from_node = _random_member(rng, in_ptr, in_flat, firms.node[buyer]).astype(np.int64)
            imported = rng.random(m) < world.node_import_share[from_node]
            cat = np.searchsorted(np.cumsum(SOURCING), rng.random(m) * SOURCING.sum(), "right")
            local_pos = weighted_in_groups(rng, cum, starts, ends, from_node * n_c + firms.city[buyer])
            prov_pos = weighted_in_groups(rng, cum, n_starts, n_ends, from_node)
            pos = np.where(cat == 0, np.where(local_pos >= 0, local_pos, prov_pos), prov_pos)
            domestic_js = ~imported & (cat < 2) & (pos >= 0)
            out_prov = ~imported & ~domestic_js
            seller = np.where(domestic_js, order[np.maximum(pos, 0)], -1)
            seller_uscc = np.full(m, None, dtype=object)
            seller_uscc[domestic_js] = firms.uscc[seller[domestic_js]]
            seller_region = np.full(m, None, dtype=object)
            seller_region[domestic_js] = firms.county[seller[domestic_js]]
            o_region, o_uscc = outside.draw(rng, int(out_prov.sum()))
            seller_region[out_prov], seller_uscc[out_prov] = o_region, o_uscc
            seller_country = np.full(m, "CHN", dtype=object)
            imp_idx = np.flatnonzero(imported)
            u = rng.random(len(imp_idx))
            for nd in np.unique(from_node[imported]):
                sel = from_node[imp_idx] == nd
                names, _ = world.node_import_countries[nd]
                seller_country[imp_idx[sel]] = np.asarray(names)[np.searchsorted(ctry_ptr[nd], u[sel] * ctry_ptr[nd][-1])]
            amount = rev[buyer] * PURCHASE_SHARE / kb * np.exp(rng.normal(-0.245, 0.7, m))
            hs6 = _random_member(rng, prod_ptr, prod_flat, from_node)
            # Sales to buyers outside Jiangsu (other provinces 75%, abroad 25%).
            s_firms = ids[act[lo:hi]]
            ks = rng.poisson(tx_per_firm_year * 0.15 * (rev[s_firms] / mean_rev) ** 0.3)
            s_seller = np.repeat(s_firms, ks)
            ms = len(s_seller)
            abroad = rng.random(ms) < 0.25
            b_region, b_uscc = outside.draw(rng, ms, share_named=0.5)
            b_region = np.where(abroad, None, b_region)
            b_uscc = np.where(abroad, None, b_uscc)
            b_country = np.where(abroad, pick(rng, list(EXPORT_PARTNERS), list(EXPORT_PARTNERS.values()), ms), "CHN")
            s_amount = rev[s_seller] * SALES_SHARE / np.repeat(np.maximum(ks, 1), ks) * np.exp(rng.normal(-0.245, 0.7, ms))
            s_node = firms.node[s_seller]
            table = pa.table({
                "transaction_id": None, "year": np.full(m + ms, year, dtype=np.int32),
                "seller_uscc": np.concatenate([seller_uscc, firms.uscc[s_seller].astype(object)]),
                "seller_region_code": np.concatenate([seller_region, firms.county[s_seller].astype(object)]),
                "seller_country": np.concatenate([seller_country, np.full(ms, "CHN", dtype=object)]),
                "buyer_uscc": np.concatenate([firms.uscc[buyer].astype(object), b_uscc]),
                "buyer_region_code": np.concatenate([firms.county[buyer].astype(object), b_region]),
                "buyer_country": np.concatenate([np.full(m, "CHN", dtype=object), b_country]),
                "node_id": np.concatenate([nodes[from_node], nodes[s_node]]),
                "hs6": np.concatenate([hs6, _random_member(rng, prod_ptr, prod_flat, s_node)]),
                "amount_yuan": np.round(np.concatenate([amount, s_amount]), 2),
            }.items() - {("transaction_id", None)} and {
                k: v for k, v in {
                    "transaction_id": None}.items()} or {})
            raise NotImplementedError
        step += 1
    return summary
