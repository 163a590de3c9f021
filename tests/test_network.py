"""Firm-network measures (企业网络分析): PageRank and betweenness against networkx on the same graph,
Leiden on two obvious communities, and the supplier bases and bridges of a hand-made store
(cluster iot, year 2023, M = 1 million yuan):

firms   A Nanjing 320102 (3983, iot.u1) output 100     B Suzhou 320506 (3962, iot.u1) output 50
        C Nanjing 320104 (4016, iot.m1) output 200     D Wuxi 320205 (4016, iot.m1) output 80
        G Suzhou 320506 (3973, integrated_circuits.u1) output 60
        H Changzhou 320402 (3311, no cluster) output 30
flows   A→C 30, JPN→D 40, B→D 5, D→C 10, B→G 8, H→C 6, H→G 4

Hand results
- leaders by output: C, A, D, B. C buys 46 from A (same city) 30, D 10 and H 6 (other cities):
  same-city share 30/46, HHI (30² + 10² + 6²)/46²; D buys 45: 40 from Japan (abroad), 5 from B.
- bridges touching iot (province firms): H (no cluster) trades with C (iot) and G (integrated
  circuits): 10 of 10 with other clusters; B (iot) sells 8 of its 13 to G; G buys 8 of its 12 from B.
  A, C and D trade only within iot.
"""

from __future__ import annotations

import json
import shutil

import networkx as nx
import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp
from typer.testing import CliRunner

from jiqun.chains import network as measures
from jiqun.chains.firm_network import FirmNetwork
from jiqun.chains.scenarios import ScenarioError
from jiqun.chains.simulation import cluster_firm_network
from jiqun.cli import app
from jiqun.codes import uscc_check_character
from jiqun.ingest import ingest_table

M = 1e6
runner = CliRunner()


def uscc(serial: int, region: str) -> str:
    body = f"91{region}MA{serial:07d}"[:17]
    return body + uscc_check_character(body)


A, B, C, D = uscc(1, "320102"), uscc(2, "320506"), uscc(3, "320104"), uscc(4, "320205")
G, H = uscc(7, "320506"), uscc(8, "320402")


def bare_network(W: sp.csr_matrix, memberships=None) -> FirmNetwork:
    """A FirmNetwork of anonymous province firms around a matrix, for the maths tests."""
    n = W.shape[0]
    nodes = pd.DataFrame({"node": [f"n{i:03d}" for i in range(n)], "kind": "firm", "name": [f"企业{i}" for i in range(n)],
                          "sector": "39", "region_code": "320102", "city_code": "320100", "in_province": True,
                          "output_yuan": 1.0, "out_strength": np.asarray(W.sum(axis=1)).ravel(),
                          "in_strength": np.asarray(W.sum(axis=0)).ravel()})
    members = memberships if memberships is not None else pd.DataFrame({"position": pd.Series(dtype=np.int64),
                                                                       "cluster_id": pd.Series(dtype=object)})
    return FirmNetwork(W.tocsr(), nodes, members, pd.DataFrame({"position": [], "node_id": []}), 2023)


@pytest.fixture(scope="module")
def random_network():
    rng = np.random.default_rng(7)
    n, links = 40, 160
    sellers, buyers = rng.integers(0, n, links), rng.integers(0, n, links)
    keep = sellers != buyers
    W = sp.coo_matrix((rng.uniform(1, 100, keep.sum()), (sellers[keep], buyers[keep])), shape=(n, n)).tocsr()
    graph = nx.DiGraph()
    graph.add_nodes_from(range(n))
    coo = W.tocoo()
    graph.add_weighted_edges_from(zip(coo.row.tolist(), coo.col.tolist(), coo.data.tolist()))
    return bare_network(W), graph


def test_pagerank_and_betweenness_equal_networkx(random_network):
    network, graph = random_network
    found = measures.key_firms(network).set_index("node").loc[network.nodes["node"]]
    customer = nx.pagerank(graph, alpha=0.85, weight="weight", tol=1e-13, max_iter=10_000)
    supplier = nx.pagerank(graph.reverse(), alpha=0.85, weight="weight", tol=1e-13, max_iter=10_000)
    between = nx.betweenness_centrality(graph, normalized=True, weight=None)
    n = network.n
    assert np.allclose(found.pagerank_customer, [customer[i] for i in range(n)], atol=1e-9, rtol=0)
    assert np.allclose(found.pagerank_supplier, [supplier[i] for i in range(n)], atol=1e-9, rtol=0)
    assert np.allclose(found.betweenness, [between[i] for i in range(n)], atol=1e-12, rtol=0)
    assert measures.key_firms(network).attrs["betweenness_method"] == "exact"
    assert (measures.key_firms(network)["rank"] == np.arange(1, n + 1)).all()


def test_sampled_betweenness_equals_networkx_on_the_same_sources(random_network):
    network, graph = random_network
    values, method = measures.calc_betweenness(measures.supply_graph(network), exact_limit=10, sample=12, seed=3)
    sources = np.sort(np.random.default_rng(3).choice(network.n, size=12, replace=False))
    subset = nx.betweenness_centrality_subset(graph, sources.tolist(), list(graph.nodes), normalized=False)
    n = network.n
    expected = np.array([subset[i] for i in range(n)]) * (n / 12) / ((n - 1) * (n - 2))
    assert np.allclose(values, expected, atol=1e-12, rtol=0)
    assert method == "sampled from 12 of 40 sources (seed 3)"


def test_leiden_finds_two_cliques_joined_by_a_weak_link():
    sellers, buyers, amounts = [], [], []
    for block in (range(0, 5), range(5, 10)):
        for i in block:
            for j in block:
                if i != j:
                    sellers.append(i), buyers.append(j), amounts.append(10.0)
    sellers.append(4), buyers.append(5), amounts.append(1.0)
    W = sp.coo_matrix((amounts, (sellers, buyers)), shape=(10, 10)).tocsr()
    graph = measures.supply_graph(bare_network(W))
    membership, modularity = measures.calc_leiden(graph, seed=0)
    assert membership.tolist() == [1] * 5 + [2] * 5
    assert membership.tolist() == measures.calc_leiden(graph, seed=0)[0].tolist()
    undirected = nx.Graph()
    for i, j, amount in zip(sellers, buyers, amounts):
        previous = undirected.get_edge_data(i, j, {"weight": 0.0})["weight"]
        undirected.add_edge(i, j, weight=previous + amount)
    expected = nx.community.modularity(undirected, [set(range(5)), set(range(5, 10))], weight="weight")
    assert modularity == pytest.approx(expected, abs=1e-12)
    summary = measures.community_summary(bare_network(W), membership)
    assert summary.n_nodes.tolist() == [5, 5]
    assert summary.internal_share.iloc[0] == pytest.approx(200 / 201)


@pytest.fixture(scope="module")
def network_path(tmp_path_factory, _template_store):
    import jiqun

    path = tmp_path_factory.mktemp("network") / "network.duckdb"
    shutil.copy(_template_store, path)
    con = jiqun.connect(path)
    firms = [A, B, C, D, G, H]
    regions = ["320102", "320506", "320104", "320205", "320506", "320402"]
    ingest_table(con, pd.DataFrame({
        "uscc": firms, "name": ["甲", "乙", "丙", "丁", "庚", "辛"], "region_code": regions,
        "industry_code": ["3983", "3962", "4016", "4016", "3973", "3311"],
        "ownership": ["private"] * 6, "is_branch": [False] * 6}), "firms")
    ingest_table(con, pd.DataFrame({
        "uscc": firms, "year": [2023] * 6, "revenue_yuan": [100 * M] * 6,
        "output_value_yuan": [v * M for v in (100, 50, 200, 80, 60, 30)], "employment": [10] * 6}), "firm_years")
    ingest_table(con, pd.DataFrame({"uscc": [A, B, C, D, G],
                                    "node_id": ["iot.u1", "iot.u1", "iot.m1", "iot.m1", "integrated_circuits.u1"],
                                    "is_primary": [True] * 5}), "firm_chain_nodes")
    region = dict(zip(firms, regions))
    flows = [(A, C, 30, "iot.u1"), (None, D, 40, "iot.u1"), (B, D, 5, "iot.u1"), (D, C, 10, "iot.m1"),
             (B, G, 8, "iot.u1"), (H, C, 6, "iot.u2"), (H, G, 4, "integrated_circuits.u1")]
    tx = pd.DataFrame([(s, region.get(s), "CHN" if s else "JPN", b, region[b], "CHN", node, amount * M)
                       for s, b, amount, node in flows],
                      columns=["seller_uscc", "seller_region_code", "seller_country", "buyer_uscc",
                               "buyer_region_code", "buyer_country", "node_id", "amount_yuan"])
    tx.insert(0, "year", 2023)
    tx.insert(0, "transaction_id", [f"t{i}" for i in range(len(tx))])
    ingest_table(con, tx, "transactions")
    con.disconnect()
    return path


@pytest.fixture(scope="module")
def report(network_path):
    import jiqun

    con = jiqun.connect(network_path, read_only=True)
    yield cluster_firm_network(con, "物联网", top=20, leaders=3)
    con.disconnect()


def test_leaders_supplier_base_by_hand(report):
    leaders = report.tables["leaders"].set_index("node")
    assert list(leaders.index) == [C, A, D]
    c = leaders.loc[C]
    assert (c.n_suppliers, c.n_same_city_suppliers, c.n_province_suppliers) == (3, 1, 3)
    assert c.purchases_yuan == pytest.approx(46 * M)
    assert c.share_same_city == pytest.approx(30 / 46) and c.share_other_city == pytest.approx(16 / 46)
    assert c.local_supporting_rate_province == pytest.approx(1.0) and c.share_abroad == 0
    assert c.top_supplier == "甲" and c.top_supplier_share == pytest.approx(30 / 46)
    assert c.supplier_hhi == pytest.approx((30**2 + 10**2 + 6**2) / 46**2)
    d = leaders.loc[D]
    assert d.share_abroad == pytest.approx(40 / 45) and d.share_other_city == pytest.approx(5 / 45)
    assert d.top_supplier == "日本（进口）" and d.supplier_hhi == pytest.approx((40**2 + 5**2) / 45**2)
    a = leaders.loc[A]
    assert a.n_suppliers == 0 and np.isnan(a.share_same_city)


def test_bridging_firms_by_hand(report):
    bridges = report.tables["bridges"]
    assert bridges.node.tolist() == [H, B, G]
    h, b, g = (bridges.iloc[k] for k in range(3))
    assert (h.own_clusters, h.linked_clusters, h.n_clusters_joined) == ("", "iot;integrated_circuits", 2)
    assert h.other_cluster_share == pytest.approx(1.0) and h.other_cluster_flow_yuan == pytest.approx(10 * M)
    assert (b.own_clusters, b.linked_clusters) == ("iot", "integrated_circuits")
    assert b.other_cluster_share == pytest.approx(8 / 13)
    assert g.other_cluster_share == pytest.approx(8 / 12)


def test_report_summary_and_key_firms(report):
    summary = report.tables["summary"].iloc[0]
    # iot's network: A, B, C, D and their partners Japan, G and H.
    assert (summary.cluster_id, summary.year, summary.n_nodes, summary.n_links) == ("iot", 2023, 7, 7)
    assert summary.betweenness_method == "exact"
    firms = report.tables["key_firms"].set_index("node")
    # D lies on the paths JPN→D→C and B→D→C: 2 of (7 − 1)(7 − 2) ordered pairs.
    assert firms.loc[D, "betweenness"] == pytest.approx(2 / 30)
    # C buys the most from the most: the top customer-side PageRank.
    assert firms["pagerank_customer"].idxmax() == C
    assert firms["community"].notna().all()


@pytest.mark.parametrize("kwargs, words", [({"cluster": "iotx"}, "iot"), ({"cluster": "iot", "year": 2019}, "2023"),
                                           ({"cluster": "iot", "top": 0}, "positive"),
                                           ({"cluster": "iot", "resolution": 0}, "resolution")])
def test_refusals_name_the_choices(network_path, kwargs, words):
    import jiqun

    con = jiqun.connect(network_path, read_only=True)
    try:
        with pytest.raises((ScenarioError, LookupError, ValueError)) as caught:
            cluster_firm_network(con, **kwargs)
    finally:
        con.disconnect()
    assert words in str(caught.value)


def test_cli_network_formats(network_path, tmp_path):
    db = ["--db", str(network_path)]
    result = runner.invoke(app, ["chain", "network", "--cluster", "iot", *db], env={"COLUMNS": "220"})
    assert result.exit_code == 0, result.output
    assert "关键企业" in result.output and "辛" in result.output and "丙" in result.output
    out = tmp_path / "network.json"
    result = runner.invoke(app, ["chain", "network", "--cluster", "iot", "--format", "json", "--out", str(out), *db])
    assert result.exit_code == 0, result.output
    payload = json.loads(out.read_text(encoding="utf-8"))
    assert set(payload) == {"summary", "key_firms", "communities", "leaders", "bridges"}
    assert isinstance(payload["key_firms"][0]["pagerank_supplier"], float)
    xlsx = tmp_path / "network.xlsx"
    result = runner.invoke(app, ["chain", "network", "--cluster", "iot", "--format", "xlsx", "--out", str(xlsx), *db])
    assert result.exit_code == 0, result.output
    assert pd.ExcelFile(xlsx, engine="openpyxl").sheet_names[:5] == ["概要", "关键企业", "企业社群", "龙头企业供应基础", "桥接企业"]
    csv = tmp_path / "network.csv"
    result = runner.invoke(app, ["chain", "network", "--cluster", "iot", "--top", "3", "--format", "csv",
                                 "--out", str(csv), *db])
    assert result.exit_code == 0, result.output
    written = tmp_path / "network_key_firms.csv"
    assert written.read_bytes().startswith(b"\xef\xbb\xbf") and len(pd.read_csv(written, encoding="utf-8-sig")) == 3
    assert (tmp_path / "network_bridges.csv").exists()


@pytest.mark.parametrize("args, words", [(["--cluster", "iotx"], "iot"), (["--cluster", "iot", "--year", "2019"], "2023"),
                                         (["--cluster", "iot", "--format", "pdf"], "--format"),
                                         (["--cluster", "iot", "--top", "0"], "positive")])
def test_cli_refusals_are_one_line(network_path, args, words):
    result = runner.invoke(app, ["chain", "network", *args, "--db", str(network_path)], env={"COLUMNS": "300"})
    assert result.exit_code == 2, result.output
    assert words in result.output and "Traceback" not in result.output
    assert len([line for line in result.output.splitlines() if line.strip()]) <= 2
