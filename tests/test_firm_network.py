"""The firm supply network of one year (jiqun.chains.firm_network) checked against the transactions it
is built from, on a small synthetic store, and run through the ESRI cascade."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import jiqun
from jiqun.chains import esri, leontief_essentiality
from jiqun.chains.firm_network import cluster_subnetwork, complete_essentiality, firm_network


@pytest.fixture(scope="module")
def store(tmp_path_factory, indicator_benchmark):
    bench = indicator_benchmark
    path = tmp_path_factory.mktemp("network") / "net.duckdb"
    bench.build_store(path, firms=600, years=3, transactions=8000, patents=100, seed=5)
    con = jiqun.connect(path, read_only=True)
    yield con
    con.disconnect()


@pytest.fixture(scope="module")
def network(store):
    return firm_network(store)


def _expected_flows(store, year: int) -> pd.DataFrame:
    """Seller × buyer sums by an independent pandas computation, labelled as firm_network labels nodes."""
    tx = store.table("transactions").filter(lambda t: t.year == year).execute()

    def label(uscc, country, region):
        if isinstance(uscc, str):
            return uscc
        if isinstance(country, str) and country != "CHN":
            return f"country:{country}"
        return f"region:{str(region)[:2]}0000"

    tx["seller"] = [label(u, c, r) for u, c, r in zip(tx.seller_uscc, tx.seller_country, tx.seller_region_code)]
    tx["buyer"] = [label(u, c, r) for u, c, r in zip(tx.buyer_uscc, tx.buyer_country, tx.buyer_region_code)]
    return tx.groupby(["seller", "buyer"], as_index=False).amount_yuan.sum()


def test_matrix_holds_every_flow_of_the_year(store, network):
    expected = _expected_flows(store, network.year)
    labels = network.nodes.node.to_numpy()
    coo = network.W.tocoo()
    got = pd.DataFrame({"seller": labels[coo.row], "buyer": labels[coo.col], "amount": coo.data})
    merged = expected.merge(got, on=["seller", "buyer"], how="outer", indicator=True)
    assert (merged._merge == "both").all(), merged[merged._merge != "both"].head()
    np.testing.assert_allclose(merged.amount, merged.amount_yuan, rtol=1e-12)


def test_node_attributes(store, network):
    nodes = network.nodes
    assert nodes.node.is_unique and len(nodes) == network.W.shape[0]
    firms = store.table("firms").select("uscc", "industry_code").execute().set_index("uscc").industry_code
    registered = nodes[nodes.kind == "firm"].merge(firms.rename("code"), left_on="node", right_index=True)
    assert (registered.sector == registered.code.str[:2]).all()  # sector p(i) = GB/T 4754 division
    np.testing.assert_allclose(nodes.out_strength, np.asarray(network.W.sum(axis=1)).ravel())
    assert set(nodes.kind) <= {"firm", "country", "region"}


def test_cluster_subnetwork_and_esri(network):
    cluster = network.memberships.cluster_id.value_counts().index[0]
    sub = cluster_subnetwork(network, cluster)
    assert 0 < sub.W.shape[0] <= network.W.shape[0] and sub.W.sum() <= network.W.sum()
    sectors = sub.nodes.sector.astype(str).tolist()
    frame = esri(sub.W, sectors, complete_essentiality(leontief_essentiality(sorted(set(sectors))), sectors))
    assert len(frame) == sub.W.shape[0]
    assert ((frame.esri >= 0) & (frame.esri <= 1 + 1e-12)).all()
    assert (frame.esri >= frame[["esri_down", "esri_up"]].max(axis=1) - 1e-12).all()


def test_scenarios_resolve_and_shock(store, network):
    from jiqun.chains.scenarios import ScenarioError, essentiality_matrix, resolve_removal
    from jiqun.chains.shock import esri_summary, run_shock

    sectors = network.nodes.sector.astype(str).tolist()
    essentiality = essentiality_matrix("leontief", sectors)
    largest = int(np.argmax(network.nodes.out_strength.to_numpy()))
    uscc = network.nodes.node.iloc[largest]
    scenario = resolve_removal(network, f"firm:{uscc}", store)
    assert scenario.positions == (largest,)
    result = run_shock(network, scenario, essentiality, share=1.0)
    assert result.h_down[largest] == 0 and result.h_up[largest] == 0
    # The same scenario through esri's identity default (every firm alone) gives the same ESRI.
    reference = esri(network.W, sectors, essentiality).loc[largest]
    summary = esri_summary(result).iloc[0]
    assert summary.esri == pytest.approx(reference.esri, rel=1e-12)
    segment = network.segments.node_id.iloc[0]
    served = resolve_removal(network, f"segment:{segment}", store)
    serving = set(store.table("firm_chain_nodes").filter(lambda t: t.node_id == segment).uscc.execute())
    nodes = network.nodes
    expected = set(np.flatnonzero(nodes.node.isin(serving).to_numpy() & nodes.in_province.to_numpy()))
    assert set(served.positions) == expected and len(served.positions) > 0
    for bad in ("country:XXX", "firm:nosuch", "segment:nosuch", "planet:mars"):
        with pytest.raises(ScenarioError):
            resolve_removal(network, bad, store)
