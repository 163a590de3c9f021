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
    ptr[1:] = np.cumsum([len(members) for members in lists])
    flat = np.array([member for members in lists for member in members], dtype=object if lists and any(
        isinstance(member, str) for members in lists for member in members) else np.int64)
    return ptr, flat


def _random_member(rng, ptr, flat, owner):
    """One random element of each owner's list (None where the list is empty)."""
    degree = ptr[owner + 1] - ptr[owner]
    position = ptr[owner] + np.floor(rng.random(len(owner)) * np.maximum(degree, 1)).astype(np.int64)
    out = np.full(len(owner), None, dtype=object)
    has_members = degree > 0
    out[has_members] = flat[position[has_members]]
    return out


class OutsideFirms:
    """A pool of (synthetic, valid) USCCs of firms in other provinces."""

    def __init__(self, world: World, n: int, seed: int):
        rng = stream(seed, "outside_firms")
        codes = [c for c in PROVINCE_WEIGHTS if c in world.provinces] or world.provinces[:1]
        weights = np.array([PROVINCE_WEIGHTS.get(c, 0.01) for c in codes])
        self.codes, self.weights = np.array(codes), weights / weights.sum()
        per_province = np.maximum(np.round(self.weights * n).astype(np.int64), 1)
        region = np.repeat(self.codes, per_province)  # sorted by province, in the order of codes
        self.start = np.concatenate([[0], np.cumsum(per_province)[:-1]])
        self.count = per_province
        self.uscc = uscc_array("91", region, 600_000_000 + np.arange(len(region))).astype(object)
        del rng

    def draw(self, rng, n: int, share_named: float = 0.6):
        """Regions and USCCs (None for unnamed counterparts) of ``n`` outside firms."""
        province = rng.choice(len(self.codes), size=n, p=self.weights)
        member = self.start[province] + (rng.random(n) * self.count[province]).astype(np.int64)
        named = rng.random(n) < share_named
        return self.codes[province].astype(object), np.where(named, self.uscc[member], None)


def write_transactions_and_trade(world: World, firms: Firms, exports: np.ndarray, tx_path, trade_path,
                                 tx_per_firm_year: float, seed: int, batch: int, progress=None) -> dict:
    """Stream ``transactions`` and ``trade`` to Parquet; return summary counts."""
    rng = stream(seed, "transactions")
    n_cities, n_nodes, n_firms = len(world.cities), len(world.nodes), len(firms)
    incoming = [[] for _ in range(n_nodes)]
    for supplier_node, buyer_node in world.links:
        incoming[buyer_node].append(int(supplier_node))
    ctx = dict(in_csr=_csr(incoming), prod_csr=_csr(world.node_products),
               ctry_cum=[np.cumsum(w) for _, w in world.node_import_countries],
               nodes=np.asarray(world.nodes, dtype=object),
               import_share={int(year): world.import_share_in(int(year)) for year in YEARS},
               outside=OutsideFirms(world, max(200, n_firms // 20), seed))
    tx_sink = ParquetSink(tx_path, TX_SCHEMA)
    trade = ParquetSink(trade_path, TRADE_SCHEMA)
    seq = 0
    summary = {"purchases": 0, "imported": 0, "local": 0, "sales_out": 0}
    has_node = firms.node >= 0
    steps, step = len(YEARS) * ((n_firms + batch - 1) // batch), 0
    for year_index, year in enumerate(YEARS):
        revenue = firms.revenue[:, year_index]
        active = firms.active[:, year_index] & has_node
        # Suppliers of the year sorted by (node, city): each group is supplier_node contiguous run.
        suppliers = np.flatnonzero(active)
        order = suppliers[np.lexsort((firms.city[suppliers], firms.node[suppliers]))]
        group_key = firms.node[order] * n_cities + firms.city[order]
        all_groups = np.arange(n_nodes * n_cities)
        groups = dict(order=order, cum=np.cumsum(revenue[order] ** 0.8),
                      starts=np.searchsorted(group_key, all_groups, "left"),
                      ends=np.searchsorted(group_key, all_groups, "right"))
        groups["n_starts"] = groups["starts"][np.arange(n_nodes) * n_cities]
        groups["n_ends"] = groups["ends"][np.arange(n_nodes) * n_cities + n_cities - 1]
        norm = (revenue[active] ** 0.3).mean() if active.any() else 1.0  # bigger firms trade more, mean rate kept
        for start in range(0, n_firms, batch):
            ids = np.arange(start, min(start + batch, n_firms))
            table, stats = _batch(world, firms, rng, ctx, groups, ids[active[ids]], revenue, norm, int(year),
                                  tx_per_firm_year)
            rows = table.num_rows
            transaction_ids = pc.binary_join_element_wise(
                "TX", pc.utf8_lpad(pa.array(np.arange(seq, seq + rows)).cast(pa.string()), 10, "0"), "")
            seq += rows
            tx_sink.write(table.set_column(0, "transaction_id", transaction_ids))
            trade.write(_imports(table, int(year)))
            for key, count in stats.items():
                summary[key] += count
            step += 1
            if progress:
                progress("transactions", step, steps)
    exp_rows = _exports(world, firms, exports, seed)
    trade.write(exp_rows)
    summary["transactions"], summary["trade"] = tx_sink.rows, trade.rows
    tx_sink.close()
    trade.close()
    return summary


def _batch(world, firms, rng, ctx, groups, active_ids, rev, norm, year, per_firm):
    in_ptr, in_flat = ctx["in_csr"]
    nodes, outside = ctx["nodes"], ctx["outside"]
    n_cities = len(world.cities)
    # --- purchases by Jiangsu buyers along the chain links
    buyers = active_ids[(in_ptr[firms.node[active_ids] + 1] - in_ptr[firms.node[active_ids]]) > 0]
    n_purchases = rng.poisson(per_firm * 0.85 * rev[buyers] ** 0.3 / norm)
    buyer = np.repeat(buyers, n_purchases)
    purchases_of_buyer = np.repeat(np.maximum(n_purchases, 1), n_purchases)
    n_bought = len(buyer)
    from_node = _random_member(rng, in_ptr, in_flat, firms.node[buyer]).astype(np.int64)
    imported = rng.random(n_bought) < ctx["import_share"][year][from_node]
    # same city / elsewhere in Jiangsu / out of province; national-competition cells buy more locally
    local_share = np.where(firms.national[buyer], NATIONAL_LIFT["local_sourcing"], SOURCING[0])
    source_draw = rng.random(n_bought)
    source = np.where(source_draw < local_share, 0, np.where(source_draw < local_share + SOURCING[1], 1, 2))
    local_pos = weighted_in_groups(rng, groups["cum"], groups["starts"], groups["ends"],
                                   from_node * n_cities + firms.city[buyer])
    prov_pos = weighted_in_groups(rng, groups["cum"], groups["n_starts"], groups["n_ends"], from_node)
    supplier_pos = np.where((source == 0) & (local_pos >= 0), local_pos, prov_pos)
    in_js = ~imported & (source < 2) & (supplier_pos >= 0)   # no Jiangsu supplier at that node: buy out of province
    out_prov = ~imported & ~in_js
    seller = groups["order"][np.maximum(supplier_pos, 0)]
    s_uscc = np.full(n_bought, None, dtype=object)
    s_region = np.full(n_bought, None, dtype=object)
    s_uscc[in_js] = firms.uscc[seller[in_js]]
    s_region[in_js] = firms.county[seller[in_js]]
    s_region[out_prov], s_uscc[out_prov] = outside.draw(rng, int(out_prov.sum()))
    s_country = np.full(n_bought, "CHN", dtype=object)
    imports = np.flatnonzero(imported)
    country_draw = rng.random(len(imports))
    for node in np.unique(from_node[imports]):
        at_node = from_node[imports] == node
        names = np.asarray(world.node_import_countries[node][0], dtype=object)
        cum = ctx["ctry_cum"][node]
        position = np.minimum(np.searchsorted(cum, country_draw[at_node] * cum[-1], "right"), len(names) - 1)
        s_country[imports[at_node]] = names[position]
    amount = rev[buyer] * PURCHASE_SHARE / purchases_of_buyer * np.exp(rng.normal(-0.245, 0.7, n_bought))
    # --- sales of Jiangsu firms to buyers in other provinces (75%) and abroad (25%)
    n_sales = rng.poisson(per_firm * 0.15 * rev[active_ids] ** 0.3 / norm)
    seller2 = np.repeat(active_ids, n_sales)
    n_sold = len(seller2)
    abroad = rng.random(n_sold) < 0.25
    b_region, b_uscc = outside.draw(rng, n_sold, share_named=0.5)
    b_region[abroad] = None
    b_uscc[abroad] = None
    b_country = np.full(n_sold, "CHN", dtype=object)
    b_country[abroad] = pick(rng, list(EXPORT_PARTNERS), list(EXPORT_PARTNERS.values()), int(abroad.sum()))
    s_amount = (rev[seller2] * SALES_SHARE / np.repeat(np.maximum(n_sales, 1), n_sales)
                * np.exp(rng.normal(-0.245, 0.7, n_sold)))
    node_all = np.concatenate([from_node, firms.node[seller2]])
    table = pa.table({
        "transaction_id": pa.nulls(n_bought + n_sold, pa.string()),
        "year": np.full(n_bought + n_sold, year, dtype=np.int32),
        "seller_uscc": pa.array(np.concatenate([s_uscc, firms.uscc[seller2].astype(object)]), pa.string()),
        "seller_region_code": pa.array(np.concatenate([s_region, firms.county[seller2].astype(object)]), pa.string()),
        "seller_country": pa.array(np.concatenate([s_country, np.full(n_sold, "CHN", dtype=object)]), pa.string()),
        "buyer_uscc": pa.array(np.concatenate([firms.uscc[buyer].astype(object), b_uscc]), pa.string()),
        "buyer_region_code": pa.array(np.concatenate([firms.county[buyer].astype(object), b_region]), pa.string()),
        "buyer_country": pa.array(np.concatenate([np.full(n_bought, "CHN", dtype=object), b_country]), pa.string()),
        "node_id": pa.array(nodes[node_all], pa.string()),
        "hs6": pa.array(_random_member(rng, *ctx["prod_csr"], node_all), pa.string()),
        "amount_yuan": np.round(np.concatenate([amount, s_amount]), 2),
    })
    local = in_js & (firms.city[seller] == firms.city[buyer])
    return table, {"purchases": n_bought, "imported": int(imported.sum()), "local": int(local.sum()),
                   "sales_out": n_sold}


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
    rows = len(reporter)
    hs6 = pa.array(hs6, pa.string()) if not isinstance(hs6, (pa.Array, pa.ChunkedArray)) else hs6
    # Quantity from an assumed unit value: 2,000 USD per machine, 8 USD per kg otherwise.
    unit = _quantity_unit(hs6)
    price = pc.if_else(pc.equal(unit, "台"), 2000.0, 8.0)
    return pa.table({
        "reporter": reporter, "reporter_type": pa.array(["firm"] * rows, pa.string()),
        "year": pa.array(np.full(rows, year, dtype=np.int32)), "flow": pa.array([flow] * rows, pa.string()),
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
    weights = np.array(list(EXPORT_PARTNERS.values()))
    # Gumbel top-k: distinct partners per firm, drawn with the partner weights; bigger firms reach more markets.
    keys = np.log(weights)[None, :] + rng.gumbel(size=(len(who), len(weights)))
    n_partner = np.clip(1 + np.floor(firms.size[who] * 4 + rng.random(len(who))), 1, 4).astype(np.int64)
    top = np.argsort(-keys, axis=1)[:, :4]
    n_hs = np.where(n_prod[who] > 1, 1 + (rng.random(len(who)) < 0.5), 1)
    first = (rng.random(len(who)) * n_prod[who]).astype(np.int64)
    second = (first + 1 + (rng.random(len(who)) * np.maximum(n_prod[who] - 1, 1)).astype(np.int64)) % n_prod[who]
    base = prod_ptr[firms.node[who]]
    parts = []
    for product in range(2):
        for rank in range(4):
            chosen = (n_hs > product) & (n_partner > rank)
            exporter = who[chosen]
            hs = prod_flat[base[chosen] + (first[chosen] if product == 0 else second[chosen])]
            partner = names[top[chosen, rank]]
            share = rng.gamma(1.5, 1.0, len(exporter)) * 0.6 ** rank  # the first partner is the main market
            parts.append((exporter, hs, partner, share))
    exporter = np.concatenate([p[0] for p in parts])
    hs = np.concatenate([p[1] for p in parts]).astype(str)
    partner = np.concatenate([p[2] for p in parts])
    share = np.concatenate([p[3] for p in parts])
    share = share / np.bincount(exporter, weights=share, minlength=len(firms))[exporter]
    tables = []
    for year_index, year in enumerate(YEARS):
        value_yuan = exports[exporter, year_index] * share * np.exp(rng.normal(0, 0.1, len(exporter)))
        positive = value_yuan > 0
        value = pa.array(np.round(value_yuan[positive] / CNY_PER_USD[int(year)], 2))
        tables.append(_trade_table(pa.array(firms.uscc[exporter[positive]], pa.string()), int(year), "export",
                                   pa.array(hs[positive], pa.string()), pa.array(partner[positive], pa.string()),
                                   value))
    return pa.concat_tables(tables)
