"""The firm-level supply network of one year as a sparse matrix (企业供应网络矩阵), for the ESRI cascade.

Nodes are firms (the store's integer ``firm_keys``: province firms and domestic firms elsewhere that
have a USCC) and pseudo-nodes for counterparts without a USCC: one node per foreign country
(``country:JPN``, its firms taken together) and one per domestic province-level region
(``region:310000``). ``W[i, j]`` is the value of the sales of node i to node j in the year.

Sector of a node (GB/T 4754 division, the first two digits of ``firms.industry_code``). A node without
a register row (a foreign country, a firm outside the province, a region) gets the division of the chain
node that most of its sales (by value) belong to, where a chain node's division is the division most
of the province firms serving it belong to (ties: the smaller code). A node that sells nothing on a
chain node with a division gets the pseudo-sector :data:`EXTERNAL_SECTOR`, treated as non-essential
(1) in both directions by :func:`complete_essentiality`.

The relational work (seller × buyer sums, node attributes) is ibis; the matrix is built with numpy
and scipy.sparse.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import ibis
import numpy as np
import pandas as pd
import pyarrow.compute as pc
import scipy.sparse as sp
from ibis import _

from ..catalogue import country_name_zh
from ..marts import city_code, firm_clusters
from ..schema.vocab import HOME_PROVINCE_CODE

#: Pseudo-sector of nodes whose division is unknown (non-essential in both directions).
EXTERNAL_SECTOR = "external"
#: Node kinds.
FIRM, COUNTRY, REGION = "firm", "country", "region"
SCOPES = ("province", "cluster")


@dataclass
class FirmNetwork:
    """A supply network ready for the cascade.

    Attributes
    ----------
    W : scipy.sparse.csr_matrix
        (n, n) float64, ``W[i, j]`` = sales of node i to node j (yuan).
    nodes : pandas.DataFrame
        One row per node, in matrix order: ``node`` (USCC, ``country:ISO3`` or ``region:CODE``),
        ``kind`` (firm / country / region), ``firm_key`` (Int64, NA for pseudo-nodes), ``name``,
        ``sector`` (2-digit division or ``external``), ``industry_code``, ``region_code``,
        ``city_code`` (prefecture; NA abroad), ``in_province`` (bool), ``output_yuan`` (firm_years
        output value, else revenue; 0 when unknown), ``out_strength``, ``in_strength`` (yuan).
    memberships : pandas.DataFrame
        ``position``, ``cluster_id``: the clusters each node belongs to (marts.firm_clusters).
    segments : pandas.DataFrame
        ``position``, ``node_id``: the chain nodes each firm serves (firm_chain_nodes).
    sales_segments : pandas.DataFrame
        ``position``, ``node_id``, ``amount_yuan``: each seller's sales of the year by chain node
        (what it actually supplies; pseudo-nodes included).
    year : int
    scope : str
        ``province`` or ``cluster:ID``.
    chain_nodes : pandas.DataFrame
        The catalogue's chain nodes (:func:`chain_node_table`).
    """

    W: sp.csr_matrix
    nodes: pd.DataFrame
    memberships: pd.DataFrame
    segments: pd.DataFrame
    year: int
    scope: str = "province"
    chain_nodes: pd.DataFrame = field(default_factory=pd.DataFrame)
    sales_segments: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(
        {"position": pd.Series(dtype=np.int64), "node_id": pd.Series(dtype=object), "amount_yuan": pd.Series(dtype=float)}))

    @property
    def n(self) -> int:
        return self.W.shape[0]

    def position(self, node: str) -> int | None:
        """Matrix position of a node label (USCC, ``country:ISO3``, ``region:CODE``), or None."""
        hits = np.flatnonzero(self.nodes["node"].to_numpy() == node)
        return int(hits[0]) if len(hits) else None


def pseudo_label(uscc_key, country, region_code):
    """ibis expression: the pseudo-node label of a counterpart without a firm key, else null."""
    abroad = country.notnull() & (country != "CHN")
    domestic = ibis.literal("region:") + region_code.substr(0, 2) + "0000"
    return ibis.cases((uscc_key.notnull(), ibis.null("string")), (abroad, ibis.literal("country:") + country),
                      else_=domestic)


def flow_sums(con, year: int) -> ibis.Table:
    """Seller × buyer sums of a year's transactions.

    Returns an ibis table with ``seller_key``, ``seller_pseudo``, ``buyer_key``, ``buyer_pseudo``
    (integer firm key or pseudo-node label, the other null), ``seller_node_id`` is not kept, and
    ``amount_yuan`` (sum).
    """
    t = con.table("transactions").filter(_.year == year)
    t = t.mutate(seller_pseudo=pseudo_label(t.seller_key, t.seller_country, t.seller_region_code),
                 buyer_pseudo=pseudo_label(t.buyer_key, t.buyer_country, t.buyer_region_code))
    return t.group_by("seller_key", "seller_pseudo", "buyer_key", "buyer_pseudo").aggregate(
        amount_yuan=_.amount_yuan.sum())


def main_sales_nodes(con, year: int) -> ibis.Table:
    """Per seller (key or pseudo label): the chain node and region code of its largest sales value.

    Columns ``seller_key``, ``seller_pseudo``, ``node_id``, ``region_code``.
    """
    t = con.table("transactions").filter(_.year == year)
    t = t.mutate(seller_pseudo=pseudo_label(t.seller_key, t.seller_country, t.seller_region_code))
    by_node = t.group_by("seller_key", "seller_pseudo", "node_id").aggregate(
        amount=_.amount_yuan.sum(), region_code=_.seller_region_code.max())
    ranked = by_node.mutate(rank=ibis.row_number().over(
        group_by=[by_node.seller_key, by_node.seller_pseudo], order_by=[ibis.desc(by_node.amount), by_node.node_id]))
    return ranked.filter(ranked["rank"] == 0).select("seller_key", "seller_pseudo", "node_id", "region_code")


def sales_by_node(con, year: int) -> ibis.Table:
    """Per seller (key or pseudo label) and chain node: sales of the year (``seller_key``,
    ``seller_pseudo``, ``node_id``, ``amount_yuan``); transactions without a chain node left out."""
    t = con.table("transactions").filter((_.year == year) & _.node_id.notnull())
    t = t.mutate(seller_pseudo=pseudo_label(t.seller_key, t.seller_country, t.seller_region_code))
    return t.group_by("seller_key", "seller_pseudo", "node_id").aggregate(amount_yuan=_.amount_yuan.sum())


def _sales_segments(con, year: int, nodes: pd.DataFrame) -> pd.DataFrame:
    """:func:`sales_by_node` keyed by matrix position."""
    sales = sales_by_node(con, year).to_pandas().astype({"seller_key": "Int64"})
    by_key = pd.Series(np.arange(len(nodes)), index=nodes["firm_key"].astype("Int64"))
    by_key = by_key[by_key.index.notna()]
    by_label = pd.Series(np.arange(len(nodes)), index=nodes["node"])
    position = sales["seller_key"].map(by_key).fillna(sales["seller_pseudo"].map(by_label))
    out = pd.DataFrame({"position": position, "node_id": sales["node_id"], "amount_yuan": sales["amount_yuan"]})
    out = out.dropna(subset=["position"]).astype({"position": np.int64})
    return out.sort_values(["position", "node_id"]).reset_index(drop=True)


def buyer_regions(con, year: int) -> ibis.Table:
    """Per buyer firm key: a region code it was reported with (``buyer_key``, ``region_code``)."""
    t = con.table("transactions").filter((_.year == year) & _.buyer_key.notnull())
    return t.group_by("buyer_key").aggregate(region_code=_.buyer_region_code.max())


def chain_node_divisions(con) -> ibis.Table:
    """Per chain node: the division most of the province firms serving it belong to (``node_id``,
    ``sector``; ties: the smaller code)."""
    served = con.table("firm_chain_nodes").join(con.table("firms"), "uscc")
    counts = served.group_by("node_id", sector=served.industry_code.substr(0, 2)).aggregate(n=_.uscc.count())
    ranked = counts.mutate(rank=ibis.row_number().over(group_by=counts.node_id,
                                                       order_by=[ibis.desc(counts.n), counts.sector]))
    return ranked.filter(ranked["rank"] == 0).select("node_id", "sector")


def chain_node_table(con) -> pd.DataFrame:
    """The catalogue's chain nodes with their division: ``node_id``, ``cluster_id``, ``segment``,
    ``name_zh``, ``sector`` (:func:`chain_node_divisions`; NA when no province firm serves it)."""
    nodes = con.table("chain_nodes").select("node_id", "cluster_id", "segment", "name_zh")
    return nodes.left_join(chain_node_divisions(con), "node_id").select(
        "node_id", "cluster_id", "segment", "name_zh", "sector").order_by("node_id").to_pandas()


def register_attributes(con, year: int) -> ibis.Table:
    """Register rows of keyed firms: ``firm_key``, ``uscc``, ``name``, ``industry_code``,
    ``region_code``, ``output_yuan`` (output value of the year, else revenue, else null)."""
    keys = con.table("firm_keys")
    firms = con.table("firms").select("uscc", "name", "industry_code", "region_code")
    years = con.table("firm_years").filter(_.year == year)
    years = years.select("uscc", output_yuan=ibis.coalesce(years.output_value_yuan, years.revenue_yuan))
    joined = keys.left_join(firms, keys.uscc == firms.uscc).left_join(years, keys.uscc == years.uscc)
    return joined.select(keys.firm_key, keys.uscc, firms.name, firms.industry_code, firms.region_code,
                         years.output_yuan)


def latest_transaction_year(con) -> int:
    """The latest year of ``transactions`` (ValueError when there are none)."""
    value = con.table("transactions").year.max().execute()
    if value is None or pd.isna(value):
        raise ValueError("the store holds no transactions 尚无供应交易数据 — load some with "
                         "`jiqun ingest FILE --table transactions`")
    return int(value)


def firm_network(con, year: int | None = None, cluster: str | None = None) -> FirmNetwork:
    """The supply network of one year from the store.

    Parameters
    ----------
    con : ibis backend
        A jiqun store (tables ``transactions``, ``firm_keys``, ``firms``, ``firm_years``,
        ``firm_chain_nodes``, ``chain_nodes``, ``cluster_industries``).
    year : int, optional
        Default: the latest year of ``transactions``.
    cluster : str, optional
        Restrict to one cluster's network: its province firms (marts.firm_clusters) plus their
        direct suppliers and customers, with the flows among these nodes only.

    Returns
    -------
    FirmNetwork
    """
    year = latest_transaction_year(con) if year is None else int(year)
    flows = flow_sums(con, year).to_pyarrow()
    labels, seller_pos, buyer_pos = _node_index(flows)
    n = len(labels)
    amounts = pc.fill_null(flows.column("amount_yuan"), 0.0).to_numpy().astype(np.float64)
    W = sp.csr_matrix((amounts, (seller_pos, buyer_pos)), shape=(n, n))
    W.sum_duplicates()
    nodes = _node_table(con, year, labels, W)
    clusters = firm_clusters(con).join(con.table("firm_keys"), "uscc").select("firm_key", "cluster_id").to_pandas()
    segments = con.table("firm_chain_nodes").join(con.table("firm_keys"), "uscc").select(
        "firm_key", "node_id").to_pandas()
    network = FirmNetwork(W, nodes, _by_position(nodes, clusters), _by_position(nodes, segments), year)
    network.chain_nodes = chain_node_table(con)
    network.sales_segments = _sales_segments(con, year, nodes)
    if cluster is not None:
        network = cluster_subnetwork(network, cluster)
    return network


def _node_index(flows):
    """Node labels (firm keys ascending, then pseudo labels sorted) and the positions of each flow's
    ends; ``flows`` is the Arrow table of :func:`flow_sums`."""
    def end(side: str):
        key = flows.column(f"{side}_key")
        label = pc.filter(flows.column(f"{side}_pseudo"), pc.is_null(key)).to_numpy(zero_copy_only=False)
        return pc.fill_null(key, -1).to_numpy(), np.asarray(label, dtype=str)

    ends = {side: end(side) for side in ("seller", "buyer")}
    keys = np.unique(np.concatenate([k[k >= 0] for k, _p in ends.values()]))
    pseudo = np.unique(np.concatenate([p for _k, p in ends.values()]))
    labels = pd.DataFrame({"firm_key": pd.array(list(keys) + [pd.NA] * len(pseudo), dtype="Int64"),
                           "pseudo": [None] * len(keys) + list(pseudo)})

    def positions(key: np.ndarray, label: np.ndarray) -> np.ndarray:
        has_key = key >= 0
        out = np.empty(len(key), dtype=np.int64)
        out[has_key] = np.searchsorted(keys, key[has_key])
        out[~has_key] = len(keys) + np.searchsorted(pseudo, label)
        return out

    return labels, positions(*ends["seller"]), positions(*ends["buyer"])


def _node_table(con, year: int, labels: pd.DataFrame, W: sp.csr_matrix) -> pd.DataFrame:
    """Attributes of every node (see :class:`FirmNetwork`)."""
    nodes = labels.copy()
    register = register_attributes(con, year).to_pandas().astype({"firm_key": "Int64"})
    nodes = nodes.merge(register, on="firm_key", how="left")
    sales = main_sales_nodes(con, year).to_pandas().astype({"seller_key": "Int64"})
    sales["sector_of_sales"] = sales["node_id"].map(chain_node_table(con).set_index("node_id")["sector"])
    keyed, pseudo = sales[sales.seller_key.notna()], sales[sales.seller_key.isna()]
    nodes = nodes.merge(keyed[["seller_key", "sector_of_sales", "region_code"]].rename(
        columns={"seller_key": "firm_key", "region_code": "sales_region"}), on="firm_key", how="left")
    by_pseudo = pseudo.set_index("seller_pseudo")["sector_of_sales"]
    is_pseudo = nodes.pseudo.notna()
    nodes.loc[is_pseudo, "sector_of_sales"] = nodes.loc[is_pseudo, "pseudo"].map(by_pseudo)
    bought = buyer_regions(con, year).to_pandas().astype({"buyer_key": "Int64"}).rename(
        columns={"buyer_key": "firm_key", "region_code": "buyer_region"})
    nodes = nodes.merge(bought, on="firm_key", how="left")
    provinces = con.table("regions").select("region_code", "name_zh").to_pandas().set_index("region_code")["name_zh"]
    nodes["region_zh"] = nodes["pseudo"].fillna("").str[7:].map(provinces)
    return _finish_nodes(nodes, W)


def _finish_nodes(nodes: pd.DataFrame, W: sp.csr_matrix) -> pd.DataFrame:
    pseudo = nodes["pseudo"].fillna("")
    kind = np.where(pseudo.str.startswith("country:"), COUNTRY, np.where(pseudo.str.startswith("region:"), REGION, FIRM))
    region = nodes["region_code"].fillna(nodes["sales_region"]).fillna(nodes["buyer_region"])
    region = region.where(kind == FIRM, np.where(kind == REGION, pseudo.str[7:], None))
    sector = nodes["industry_code"].str[:2].fillna(nodes["sector_of_sales"]).fillna(EXTERNAL_SECTOR)
    city = region.where(region.isna(), region.str[:4] + "00")
    out = pd.DataFrame({
        "node": np.where(kind == FIRM, nodes["uscc"].fillna(""), pseudo),
        "kind": kind, "firm_key": nodes["firm_key"],
        "name": nodes["name"].where(nodes["name"].notna(), pseudo_names(pseudo, nodes.get("region_zh"))),
        "sector": sector.astype(str), "industry_code": nodes["industry_code"],
        "region_code": region, "city_code": city,
        "in_province": (region.str[:2] == HOME_PROVINCE_CODE[:2]).fillna(False).astype(bool) & (kind == FIRM),
        "output_yuan": nodes["output_yuan"].fillna(0.0).astype(np.float64),
        "out_strength": np.asarray(W.sum(axis=1)).ravel(), "in_strength": np.asarray(W.sum(axis=0)).ravel(),
    })
    # A firm outside the register (out of province) is named by its USCC from firm_keys when known.
    return out.reset_index(drop=True)


def pseudo_names(pseudo: pd.Series, region_zh: pd.Series | None = None) -> pd.Series:
    """Readable names of pseudo-nodes: ``country:JPN`` → ``日本（进口）``, ``region:440000`` → the
    province's Chinese name from ``region_zh`` (or the code) with ``（外省）``; firms ("") get None."""
    names = pd.Series(None, index=pseudo.index, dtype=object)
    country = pseudo.str.startswith("country:")
    codes = pseudo[country].str[8:]
    names[country] = codes.map({code: f"{country_name_zh(code)}（进口）" for code in codes.unique()})
    region = pseudo.str.startswith("region:")
    shown = pseudo[region].str[7:]
    if region_zh is not None:
        shown = region_zh[region].where(region_zh[region].notna(), shown)
    names[region] = shown + "（外省）"
    return names


def _by_position(nodes: pd.DataFrame, table: pd.DataFrame) -> pd.DataFrame:
    """``table`` keyed by firm_key → keyed by matrix position (rows of firms not in the network dropped)."""
    index = pd.Series(np.arange(len(nodes)), index=nodes["firm_key"].astype("Int64"))
    index = index[index.index.notna()]
    table = table.astype({"firm_key": "Int64"})
    table = table[table["firm_key"].isin(index.index)]
    out = table.assign(position=index.reindex(table["firm_key"]).to_numpy()).drop(columns="firm_key")
    return out[["position"] + [c for c in out.columns if c != "position"]].reset_index(drop=True)


def cluster_subnetwork(network: FirmNetwork, cluster: str) -> FirmNetwork:
    """One cluster's network: its province firms, their direct partners, and the flows among them.

    The partners' flows with nodes outside the set are left out, so their totals (and thus their
    shares in the cascade) are those within the cluster's network.
    """
    members = network.memberships.loc[network.memberships.cluster_id == cluster, "position"].to_numpy()
    members = members[network.nodes["in_province"].to_numpy()[members]]
    core = np.zeros(network.n, dtype=bool)
    core[members] = True
    W = network.W
    partners = (np.asarray(W[core].sum(axis=0)).ravel() > 0) | (np.asarray(W[:, core].sum(axis=1)).ravel() > 0)
    keep = np.flatnonzero(core | partners)
    return subnetwork(network, keep, f"cluster:{cluster}")


def subnetwork(network: FirmNetwork, keep: np.ndarray, scope: str) -> FirmNetwork:
    """The network induced on the positions ``keep`` (ascending), attributes and strengths recomputed."""
    keep = np.asarray(keep, dtype=np.int64)
    W = network.W[keep][:, keep].tocsr()
    nodes = network.nodes.iloc[keep].reset_index(drop=True)
    nodes["out_strength"] = np.asarray(W.sum(axis=1)).ravel()
    nodes["in_strength"] = np.asarray(W.sum(axis=0)).ravel()
    new_position = np.full(network.n, -1, dtype=np.int64)
    new_position[keep] = np.arange(len(keep))

    def remap(table: pd.DataFrame) -> pd.DataFrame:
        moved = table.assign(position=new_position[table["position"].to_numpy()])
        return moved[moved["position"] >= 0].reset_index(drop=True)

    return FirmNetwork(W, nodes, remap(network.memberships), remap(network.segments), network.year, scope,
                       network.chain_nodes, remap(network.sales_segments))


def complete_essentiality(essentiality: pd.DataFrame, sectors) -> pd.DataFrame:
    """``essentiality`` extended to every label of ``sectors``: a missing row or column (e.g. the
    pseudo-sector ``external``, a service division the matrix leaves out) is 1 (non-essential)."""
    labels = sorted(set(map(str, sectors)) | set(map(str, essentiality.index)))
    frame = essentiality.copy()
    frame.index, frame.columns = frame.index.map(str), frame.columns.map(str)
    return frame.reindex(index=labels, columns=labels).fillna(1).astype(int)
