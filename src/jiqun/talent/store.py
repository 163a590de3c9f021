"""Talent flows read from a store: the moves of ``talent_moves`` between the cluster firms of the province,
as city or firm flows, poaching pairs, communities of firms exchanging staff and poaching alerts.

Relational work (moves joined with firms, clusters and employment) is ibis; the counting is
:mod:`jiqun.talent.flows` (pure).
"""

from __future__ import annotations

import igraph as ig
import pandas as pd
from ibis import _

from .. import marts
from ..chains.network import calc_leiden
from ..schema.vocab import HOME_PROVINCE_CODE
from .. import settings
from .flows import (FLOW_DERIVED, PAIR_DERIVED, calc_pair_flows, calc_rival_losses, calc_unit_flows, select_staff,
                    suppress_small)

LEVELS = {"city": ("城市", "city"), "firm": ("企业", "firm")}


def min_moves_setting(min_moves: int | None) -> int:
    """``min_moves`` or the ``talent_min_moves`` setting."""
    return settings.get_int("talent_min_moves") if min_moves is None else int(min_moves)


def move_years(con) -> list[int]:
    """Years with moves in ``talent_moves``."""
    frame = con.table("talent_moves").select(year=_.move_date.year()).distinct().to_pandas()
    return sorted(int(v) for v in frame.year)


def _year(con, year) -> int:
    years = move_years(con)
    if not years:
        raise ValueError("the store has no talent moves (talent_moves is empty): load talent_moves first")
    if year is None:
        return years[-1]
    if int(year) not in years:
        raise ValueError(f"year {year} has no talent moves; choose one of {', '.join(map(str, years))}")
    return int(year)


def read_moves(con, year: int, cluster_id: str | None = None, province: str = HOME_PROVINCE_CODE) -> pd.DataFrame:
    """The year's moves with both firms' city and whether each is a member of the cluster (any cluster
    when ``cluster_id`` is None) and whether the two firms share a cluster.

    Returns
    -------
    pandas.DataFrame
        ``move_id, year, role_level, from_uscc, to_uscc, from_city, to_city, from_member, to_member,
        same_cluster``.
    """
    firms = con.table("firms").filter(_.region_code.startswith(province[:2])).select(
        "uscc", city=marts.city_code(_.region_code))
    members = marts.firm_clusters(con).select("uscc", "cluster_id")
    if cluster_id is not None:
        members = members.filter(_.cluster_id == cluster_id)
    moves = con.table("talent_moves").mutate(year=_.move_date.year()).filter(_.year == year)
    origin = firms.rename(from_uscc="uscc", from_city="city")
    destination = firms.rename(to_uscc="uscc", to_city="city")
    frame = (moves.left_join(origin, "from_uscc").left_join(destination, "to_uscc")
             .select("move_id", "year", "role_level", "from_uscc", "to_uscc", "from_city", "to_city")).to_pandas()
    membership = members.to_pandas()
    member_set = set(membership.uscc)
    frame["from_member"] = frame.from_uscc.isin(member_set) & frame.from_city.notna()
    frame["to_member"] = frame.to_uscc.isin(member_set) & frame.to_city.notna()
    shared = (frame[["move_id", "from_uscc", "to_uscc"]]
              .merge(membership.rename(columns={"uscc": "from_uscc"}), on="from_uscc")
              .merge(membership.rename(columns={"uscc": "to_uscc"}), on=["to_uscc", "cluster_id"]))
    frame["same_cluster"] = frame.move_id.isin(set(shared.move_id))
    return frame


def _units(moves: pd.DataFrame, level: str) -> pd.DataFrame:
    if level not in LEVELS:
        raise ValueError(f"level must be one of {', '.join(LEVELS)}, not {level!r}")
    key = {"city": ("from_city", "to_city"), "firm": ("from_uscc", "to_uscc")}[level]
    return moves.assign(origin=moves[key[0]].where(moves.from_member, None),
                        destination=moves[key[1]].where(moves.to_member, None))


def _employment(con, year: int, cluster_id: str | None, level: str) -> pd.DataFrame:
    members = marts.firm_clusters(con).select("uscc", "cluster_id")
    if cluster_id is not None:
        members = members.filter(_.cluster_id == cluster_id)
    firms = members.select("uscc").distinct().join(con.table("firms").select("uscc", "region_code"), "uscc")
    staff = firms.join(con.table("firm_years").filter(_.year == year).select("uscc", "year", "employment"), "uscc")
    if level == "firm":
        return staff.select(unit=_.uscc, year=_.year, employment=_.employment).to_pandas()
    return (staff.group_by(unit=marts.city_code(_.region_code), year=_.year)
            .aggregate(employment=_.employment.sum()).to_pandas())


def _names(con, level: str) -> dict:
    if level == "firm":
        return dict(con.table("firms").select("uscc", "name").to_pandas().values.tolist())
    return dict(con.table("regions").select("region_code", "name_zh").to_pandas().values.tolist())


def talent_flows(con, year: int | None = None, cluster_id: str | None = None, level: str = "city",
                 staff: str = "all", min_moves: int | None = None) -> pd.DataFrame:
    """Inflow, outflow, net flow, net rate per 1,000 employees, churn and brain-gain ratio of every city
    (or firm) of the cluster (of all clusters when ``cluster_id`` is None) in ``year``.

    Returns
    -------
    pandas.DataFrame
        ``cluster_id, level, staff, region`` (city code; the firm's city at firm level), ``firm`` (firm
        level), ``name`` and :data:`jiqun.talent.flows.FLOW_COLUMNS` without ``unit``; counts below
        ``min_moves`` (setting ``talent_min_moves``) blanked, ``suppressed`` true where a cell was.
    """
    year = _year(con, year)
    moves = select_staff(_units(read_moves(con, year, cluster_id), level), staff)
    flows = calc_unit_flows(moves, _employment(con, year, cluster_id, level))
    flows = suppress_small(flows, ["inflow", "outflow", "internal"], FLOW_DERIVED, min_moves_setting(min_moves))
    names = _names(con, level)
    flows.insert(0, "cluster_id", cluster_id or "all")
    flows.insert(1, "level", level)
    flows.insert(2, "staff", staff)
    if level == "firm":
        cities = dict(con.table("firms").select("uscc", "region_code").to_pandas().values.tolist())
        flows.insert(3, "region", [str(cities.get(unit, ""))[:4] + "00" for unit in flows.unit])
        flows.insert(4, "firm", flows.unit)
    else:
        flows.insert(3, "region", flows.unit)
    flows.insert(5 if level == "firm" else 4, "name", [names.get(unit) for unit in flows.unit])
    ordered = flows.drop(columns="unit").sort_values(["net", "region"], key=_null_last, ascending=[False, True])
    return ordered.reset_index(drop=True)


def _null_last(values: pd.Series) -> pd.Series:
    return pd.to_numeric(values, errors="coerce") if values.name == "net" else values


def talent_pairs(con, year: int | None = None, cluster_id: str | None = None, level: str = "city",
                 staff: str = "all", min_moves: int | None = None, same_city: bool = True) -> pd.DataFrame:
    """Poaching between pairs of units: moves between firms of the same cluster, both directions.

    At city level, pairs of cities; at firm level, pairs of firms of the same cluster and city (rivals
    poaching from each other locally), or of any cities with ``same_city`` False (the firm-to-firm flow
    network).

    Returns
    -------
    pandas.DataFrame
        ``cluster_id, level, staff, name_a, name_b`` and :data:`jiqun.talent.flows.PAIR_COLUMNS`; counts below
        ``min_moves`` blanked.
    """
    year = _year(con, year)
    moves = read_moves(con, year, cluster_id)
    moves = moves[moves.same_cluster]
    if level == "firm" and same_city:
        moves = moves[moves.from_city == moves.to_city]
    moves = select_staff(_units(moves, level), staff)
    pairs = calc_pair_flows(moves, _employment(con, year, cluster_id, level))
    pairs = suppress_small(pairs, ["a_to_b", "b_to_a"], PAIR_DERIVED, min_moves_setting(min_moves))
    names = _names(con, level)
    pairs.insert(0, "cluster_id", cluster_id or "all")
    pairs.insert(1, "level", level)
    pairs.insert(2, "staff", staff)
    pairs["name_a"] = [names.get(unit) for unit in pairs.unit_a]
    pairs["name_b"] = [names.get(unit) for unit in pairs.unit_b]
    return pairs


def talent_communities(con, year: int | None = None, cluster_id: str | None = None, staff: str = "all",
                       min_moves: int | None = None, seed: int = 0) -> pd.DataFrame:
    """Communities of firms exchanging staff: Leiden (modularity, igraph) on the undirected firm graph
    weighted by moves between firms of the same cluster.

    Returns
    -------
    pandas.DataFrame
        ``cluster_id, community, n_firms, n_cities, cities, moves_inside, largest_firm, modularity``, one
        row per community of at least two firms, by size; ``moves_inside`` blanked below ``min_moves``.
    """
    year = _year(con, year)
    moves = select_staff(read_moves(con, year, cluster_id), staff)
    moves = moves[moves.same_cluster & moves.from_member & moves.to_member]
    columns = ["cluster_id", "community", "n_firms", "n_cities", "cities", "moves_inside", "largest_firm",
               "modularity", "suppressed"]
    if moves.empty:
        return pd.DataFrame(columns=columns)
    firms = pd.Index(sorted(set(moves.from_uscc) | set(moves.to_uscc)))
    edges = moves.groupby(["from_uscc", "to_uscc"]).size().reset_index(name="weight")
    graph = ig.Graph(n=len(firms), edges=list(zip(firms.get_indexer(edges.from_uscc), firms.get_indexer(edges.to_uscc))),
                     directed=True, edge_attrs={"weight": edges.weight.astype(float).tolist()})
    membership, modularity = calc_leiden(graph, seed=seed)
    community = pd.Series(membership, index=firms)
    cities = pd.concat([moves.set_index("from_uscc").from_city, moves.set_index("to_uscc").to_city])
    cities = cities[~cities.index.duplicated()]
    staff_size = _employment(con, year, cluster_id, "firm").set_index("unit").employment
    names = _names(con, "firm")
    inside = moves[community.reindex(moves.from_uscc).to_numpy() == community.reindex(moves.to_uscc).to_numpy()]
    inside_counts = community.reindex(inside.from_uscc).value_counts()
    rows = []
    for number, group in community.groupby(community):
        if len(group) < 2:
            continue
        members = group.index
        largest = staff_size.reindex(members).fillna(-1).idxmax()
        rows.append({"cluster_id": cluster_id or "all", "community": int(number), "n_firms": len(members),
                     "n_cities": int(cities.reindex(members).nunique()),
                     "cities": ";".join(sorted(cities.reindex(members).dropna().unique())),
                     "moves_inside": int(inside_counts.get(number, 0)), "largest_firm": names.get(largest, largest),
                     "modularity": modularity, "suppressed": False})
    frame = pd.DataFrame(rows, columns=columns)
    return suppress_small(frame, ["moves_inside"], {}, min_moves_setting(min_moves)) if len(frame) else frame


def talent_alerts(con, year: int | None = None, cluster_id: str | None = None, level: str = "city",
                  share: float | None = None, min_moves: int | None = None) -> pd.DataFrame:
    """Poaching alerts: a city (or firm) that loses at least ``share`` (setting ``talent_alert_share``) of its
    departing executives and senior engineers in a year to one rival of the same cluster, with at least
    ``min_moves`` moves to it (below that the cell would be suppressed anyway).

    The store has no head count of senior staff, so the share is of the departures, not of the stock.

    Returns
    -------
    pandas.DataFrame
        ``cluster_id, level, region``/``firm``, ``name, rival, rival_name, year, moves_to_rival, departures,
        rival_share, rule``.
    """
    year = _year(con, year)
    share = settings.get_float("talent_alert_share") if share is None else float(share)
    if not 0 < share <= 1:
        raise ValueError(f"share must lie in (0, 1], not {share}")
    moves = read_moves(con, year, cluster_id)
    moves = select_staff(_units(moves, level), "senior")
    fired = calc_rival_losses(moves, share, min_moves_setting(min_moves))
    names = _names(con, level)
    fired.insert(0, "cluster_id", cluster_id or "all")
    fired.insert(1, "level", level)
    fired["name"] = [names.get(unit) for unit in fired.unit]
    fired["rival_name"] = [names.get(unit) for unit in fired.rival]
    fired["rule"] = [f"{row.moves_to_rival} of {row.departures} departing senior staff ({row.rival_share:.0%}) went "
                     f"to one rival, threshold {share:.0%}; 高级人才流失：{row.moves_to_rival}/{row.departures}人流向同一对手"
                     for row in fired.itertuples()]
    key = "firm" if level == "firm" else "region"
    return fired.rename(columns={"unit": key}).reset_index(drop=True)


