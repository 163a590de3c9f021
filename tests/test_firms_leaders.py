"""Leading firms of a cluster (jiqun.firms.leading_firms) on hand-made data: the order by output, where
each firm is controlled from (local headquarters, a foreign group's or an out-of-province group's branch),
its share of the cluster's output, R&D intensity and the share of its purchases made in the province."""

from __future__ import annotations

import shutil

import pandas as pd
import pytest

import jiqun
from jiqun.codes import uscc_check_character
from jiqun.firms import ORIGINS, leading_firms
from jiqun.ingest import ingest_table

M = 1_000_000


def uscc(serial: int, region: str = "320200") -> str:
    body = f"91{region}MA{serial:07d}"[:17]
    return body + uscc_check_character(body)


LOCAL, FOREIGN_PARENT, OUTSIDE_BRANCH, HMT_BRANCH, OTHER_CLUSTER = (uscc(i) for i in range(1, 6))


@pytest.fixture(scope="module")
def con(tmp_path_factory, _template_store):
    path = tmp_path_factory.mktemp("leaders") / "leaders.duckdb"
    shutil.copy(_template_store, path)
    con = jiqun.connect(path)
    firms = [LOCAL, FOREIGN_PARENT, OUTSIDE_BRANCH, HMT_BRANCH, OTHER_CLUSTER]
    ingest_table(con, pd.DataFrame({
        "uscc": firms, "name": ["本地龙头", "外资控股", "外省分厂", "台资分厂", "别的集群"],
        "region_code": ["320281", "320506", "320102", "320211", "320506"],
        "industry_code": ["3983", "3983", "3983", "3983", "1711"],
        "ownership": ["private", "foreign", "private", "hmt", "private"],
        "parent_group": [None, "德国集团", "浙江集团", "台湾集团", None],
        "parent_country": [None, "DEU", "CHN", None, None],
        "parent_region_code": [None, None, "330000", None, None],
        "is_branch": [False, False, True, True, False],
    }), "firms")
    ingest_table(con, pd.DataFrame({
        "uscc": firms, "year": [2023] * 5, "revenue_yuan": [200 * M, 100 * M, 50 * M, 40 * M, 900 * M],
        "output_value_yuan": [400 * M, 300 * M, 200 * M, 100 * M, 999 * M], "employment": [100, 80, 60, 40, 500],
        "rd_expenditure_yuan": [10 * M, 5 * M, 0, None, 0],
    }), "firm_years")
    rows = [  # seller, seller region, seller country, buyer, amount (M)
        (FOREIGN_PARENT, "320506", "CHN", LOCAL, 30), (None, "310000", "CHN", LOCAL, 10),
        (None, None, "JPN", LOCAL, 60), (LOCAL, "320281", "CHN", OUTSIDE_BRANCH, 5)]
    tx = pd.DataFrame(rows, columns=["seller_uscc", "seller_region_code", "seller_country", "buyer_uscc", "amount_yuan"])
    tx = tx.assign(transaction_id=[f"t{i}" for i in range(len(tx))], year=2023, buyer_region_code="320281",
                   buyer_country="CHN", node_id="iot.u1", amount_yuan=tx.amount_yuan * M)
    ingest_table(con, tx, "transactions")
    yield con
    con.disconnect()


def test_leaders_in_order_with_where_they_are_controlled_from(con):
    leaders = leading_firms(con, "iot", 2023).set_index("uscc")
    assert leaders.index.tolist() == [LOCAL, FOREIGN_PARENT, OUTSIDE_BRANCH, HMT_BRANCH]  # not the other cluster's
    assert leaders["rank"].tolist() == [1, 2, 3, 4]
    assert leaders["origin"].to_dict() == {LOCAL: "local_hq", FOREIGN_PARENT: "foreign_group",
                                           OUTSIDE_BRANCH: "outside_group", HMT_BRANCH: "foreign_group"}
    assert set(leaders["origin"]) <= set(ORIGINS)
    assert leaders.loc[LOCAL, "output_share"] == pytest.approx(400 / 1000)
    assert leaders.loc[LOCAL, "rd_intensity"] == pytest.approx(10 / 200)
    assert pd.isna(leaders.loc[HMT_BRANCH, "rd_intensity"])
    # bought 30 from a Suzhou firm, 10 from Shanghai, 60 from Japan: 30 % in the province
    assert leaders.loc[LOCAL, "local_purchase_share"] == pytest.approx(0.30)
    assert leaders.loc[OUTSIDE_BRANCH, "local_purchase_share"] == pytest.approx(1.0)
    assert pd.isna(leaders.loc[FOREIGN_PARENT, "local_purchase_share"])  # no purchases recorded
    # supplier pull: the Suzhou supplier sells only to LOCAL (30 of 30), LOCAL only to the branch (5 of 5)
    assert leaders.loc[LOCAL, "local_supplier_pull"] == pytest.approx(1.0)
    assert leaders.loc[OUTSIDE_BRANCH, "local_supplier_pull"] == pytest.approx(1.0)
    assert pd.isna(leaders.loc[HMT_BRANCH, "local_supplier_pull"])  # no province supplier


def test_top_cuts_the_list_and_every_cluster_comes_in_one_pass(con):
    assert leading_firms(con, "iot", 2023, top=2)["uscc"].tolist() == [LOCAL, FOREIGN_PARENT]
    every = leading_firms(con, None, 2023, top=2)
    pd.testing.assert_frame_equal(every[every.cluster_id == "iot"].reset_index(drop=True),
                                  leading_firms(con, "iot", 2023, top=2))
    assert set(every.cluster_id) >= {"iot"} and every.groupby("cluster_id")["rank"].max().max() <= 2


def test_chain_centrality_is_igraph_pagerank_agreeing_with_networkx(con):
    import networkx as nx

    from jiqun.chains.firm_network import cluster_subnetwork, firm_network
    from jiqun.firms.leaders import leader_centrality

    ranked = leader_centrality(con, leading_firms(con, "iot", 2023), 2023).set_index("uscc")
    part = cluster_subnetwork(firm_network(con, 2023), "iot")
    graph = nx.DiGraph()
    graph.add_nodes_from(part.nodes["node"])
    coo = part.W.tocoo()
    names = part.nodes["node"].to_numpy()
    graph.add_weighted_edges_from((names[i], names[j], w) for i, j, w in zip(coo.row, coo.col, coo.data) if w > 0)
    reference = nx.pagerank(graph, alpha=0.85, weight="weight")
    for uscc in (LOCAL, FOREIGN_PARENT, OUTSIDE_BRANCH):
        assert ranked.loc[uscc, "pagerank"] == pytest.approx(reference[uscc], rel=1e-4)
    assert ranked.loc[OUTSIDE_BRANCH, "pagerank_rank"] == 1  # the last buyer of the chain gathers the rank


def test_leaders_by_city_rank_within_each_city(con):
    by_city = leading_firms(con, "iot", 2023, by_city=True).set_index("uscc")
    assert by_city.loc[LOCAL, ["city_code", "rank"]].tolist() == ["320200", 1]
    assert by_city.loc[HMT_BRANCH, ["city_code", "rank"]].tolist() == ["320200", 2]
    assert by_city.loc[LOCAL, "output_share"] == pytest.approx(400 / (400 + 100))  # of Wuxi's cluster output
    assert by_city.loc[FOREIGN_PARENT, "rank"] == 1 and by_city.loc[FOREIGN_PARENT, "output_share"] == 1.0
