"""Talent flows (jiqun.talent) on hand-made moves: inflow, outflow, internal and net moves, rates per 1,000
employees, a pair of cities poaching from each other, suppression of small cells, the poaching alert,
communities of firms exchanging staff (checked against networkx's modularity), and the `jiqun talent`
JSON contract."""

from __future__ import annotations

import json

import networkx as nx
import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from jiqun.cli import app
from jiqun.talent import calc_pair_flows, calc_rival_losses, calc_unit_flows, select_staff, suppress_small
from jiqun.talent.flows import FLOW_DERIVED, PAIR_DERIVED


def moves(rows: list[tuple[str | None, str | None, int]], role: str = "engineer", year: int = 2023) -> pd.DataFrame:
    expanded = [(origin, destination) for origin, destination, count in rows for _ in range(count)]
    return pd.DataFrame({"origin": [o for o, _d in expanded], "destination": [d for _o, d in expanded],
                         "year": year, "role_level": role})


# Nanjing and Suzhou poach from each other (6 and 5 moves), Nanjing loses 2 abroad, 3 move inside Nanjing,
# Wuxi gains 1 graduate.
POACHING = moves([("NJ", "SZ", 6), ("SZ", "NJ", 5), ("NJ", None, 2), ("NJ", "NJ", 3), (None, "WX", 1)])
STAFF = pd.DataFrame({"unit": ["NJ", "SZ", "WX"], "year": 2023, "employment": [2000, 4000, 500]})


def test_unit_flows_by_hand():
    flows = calc_unit_flows(POACHING, STAFF).set_index("unit")
    assert flows.loc["NJ", ["inflow", "outflow", "internal", "net"]].tolist() == [5, 8, 3, -3]
    assert flows.loc["SZ", ["inflow", "outflow", "internal", "net"]].tolist() == [6, 5, 0, 1]
    assert flows.loc["WX", ["inflow", "outflow", "net"]].tolist() == [1, 0, 1]
    assert flows.at["NJ", "net_per_1000"] == pytest.approx(-3 / 2000 * 1000)
    assert flows.at["NJ", "churn_per_1000"] == pytest.approx(13 / 2000 * 1000)
    assert flows.at["NJ", "brain_gain"] == pytest.approx(5 / 8)
    assert np.isnan(flows.at["WX", "brain_gain"])  # no outflow
    # every move leaving a unit arrives somewhere or leaves the units looked at: totals balance
    assert flows.inflow.sum() - 1 == flows.outflow.sum() - 2


def test_a_pair_of_cities_poaching_from_each_other():
    pairs = calc_pair_flows(POACHING, STAFF)
    assert len(pairs) == 1
    pair = pairs.iloc[0]
    assert (pair.unit_a, pair.unit_b, pair.a_to_b, pair.b_to_a, pair.mutual, pair.total) == ("NJ", "SZ", 6, 5, 5, 11)
    assert pair.a_to_b_per_1000 == pytest.approx(6 / 2000 * 1000)
    assert pair.b_to_a_per_1000 == pytest.approx(5 / 4000 * 1000)


def test_small_cells_are_blanked_with_what_is_computed_from_them():
    flows = suppress_small(calc_unit_flows(POACHING, STAFF), ["inflow", "outflow", "internal"], FLOW_DERIVED, 5)
    flows = flows.set_index("unit")
    assert flows.loc["NJ", ["inflow", "outflow"]].tolist() == [5, 8]
    assert flows.at["NJ", "internal"] is None and bool(flows.at["NJ", "suppressed"])
    assert flows.at["NJ", "net"] == -3  # net uses inflow and outflow only, both shown
    assert flows.at["WX", "inflow"] is None and flows.at["WX", "net"] is None and flows.at["WX", "net_per_1000"] is None
    assert flows.at["WX", "outflow"] == 0  # zeros reveal no one
    pairs = suppress_small(calc_pair_flows(POACHING, STAFF), ["a_to_b", "b_to_a"], PAIR_DERIVED, 6)
    assert pairs.at[0, "a_to_b"] == 6 and pairs.at[0, "b_to_a"] is None and pairs.at[0, "mutual"] is None
    unchanged = suppress_small(calc_unit_flows(POACHING, STAFF), ["inflow"], FLOW_DERIVED, 1)
    assert not unchanged.suppressed.any()


def test_poaching_alert_and_staff_groups():
    senior = pd.concat([moves([("NJ", "SZ", 4), ("NJ", "WX", 1)], "senior_engineer"),
                        moves([("NJ", "WX", 9)], "technician")])
    assert len(select_staff(senior, "senior")) == 5 and len(select_staff(senior, "technical")) == 14
    fired = calc_rival_losses(select_staff(senior, "senior"), share=0.5, min_moves=3)
    assert fired[["unit", "rival", "moves_to_rival", "departures"]].values.tolist() == [["NJ", "SZ", 4, 5]]
    assert fired.at[0, "rival_share"] == pytest.approx(0.8)
    assert calc_rival_losses(select_staff(senior, "senior"), share=0.9, min_moves=3).empty
    assert calc_rival_losses(select_staff(senior, "senior"), share=0.5, min_moves=5).empty
    with pytest.raises(ValueError, match="staff must be one of"):
        select_staff(senior, "interns")


def test_talent_json_contract_and_communities(demo_store):
    runner = CliRunner()
    flows = json.loads(runner.invoke(app, ["talent", "--db", str(demo_store), "--format", "json"]).stdout)
    assert flows and all({"region", "inflow", "outflow", "net"} <= set(record) for record in flows)
    shown = [r for r in flows if r["inflow"] is not None and r["outflow"] is not None]
    assert shown and all(r["net"] == r["inflow"] - r["outflow"] for r in shown)
    assert all(r["inflow"] is None or r["inflow"] == 0 or r["inflow"] >= 5 for r in flows)  # default suppression
    firms = json.loads(runner.invoke(app, ["talent", "--db", str(demo_store), "--level", "firm", "--min-moves", "1",
                                           "--format", "json"]).stdout)
    assert firms and all({"firm", "region", "inflow", "outflow", "net"} <= set(r) for r in firms)
    result = runner.invoke(app, ["talent", "--db", str(demo_store), "--view", "communities", "--min-moves", "1",
                                 "--format", "json"])
    assert result.exit_code == 0, result.output
    communities = json.loads(result.stdout)
    assert communities and all(r["n_firms"] >= 2 for r in communities)
    refused = runner.invoke(app, ["talent", "--db", str(demo_store), "--year", "1999"])
    assert refused.exit_code == 2 and "choose one of" in refused.output


def test_leiden_modularity_agrees_with_networkx():
    import igraph as ig

    from jiqun.chains.network import calc_leiden

    edges = [(0, 1, 3.0), (1, 2, 2.0), (0, 2, 1.0), (3, 4, 4.0), (4, 5, 1.0), (3, 5, 2.0), (2, 3, 0.5)]
    graph = ig.Graph(n=6, edges=[(a, b) for a, b, _w in edges], directed=True,
                     edge_attrs={"weight": [w for _a, _b, w in edges]})
    membership, modularity = calc_leiden(graph)
    reference = nx.Graph()
    reference.add_weighted_edges_from(edges)
    parts = [{node for node in range(6) if membership[node] == label} for label in set(membership)]
    assert parts == [{0, 1, 2}, {3, 4, 5}] or sorted(map(sorted, parts)) == [[0, 1, 2], [3, 4, 5]]
    assert modularity == pytest.approx(nx.algorithms.community.modularity(reference, parts, weight="weight"))


def test_firm_pairs_within_a_city_and_across_cities(demo_store):
    from jiqun import connect
    from jiqun.talent import read_moves, talent_pairs

    con = connect(demo_store, read_only=True)
    try:
        local = talent_pairs(con, level="firm", min_moves=1)
        every = talent_pairs(con, level="firm", min_moves=1, same_city=False)
        moves = read_moves(con, int(local.year.iloc[0]))
    finally:
        con.disconnect()
    cities = dict(zip(moves.from_uscc, moves.from_city)) | dict(zip(moves.to_uscc, moves.to_city))
    assert all(cities[a] == cities[b] for a, b in zip(local.unit_a, local.unit_b))
    assert len(every) > len(local) and any(cities[a] != cities[b] for a, b in zip(every.unit_a, every.unit_b))
    known = moves[moves.same_cluster & moves.from_member & moves.to_member]
    assert int(every.total.sum()) == len(known[known.from_uscc != known.to_uscc])  # every move between members, once
