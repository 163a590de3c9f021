"""Shock scenarios on a firm network (冲击情景) → the initial-shock matrix ψ of the cascade.

A scenario is written ``KIND:VALUE``:

- ``firm:USCC`` (or ``firm:USCC1,USCC2,…``): one firm, or a set of firms, fails;
- ``segment:NODE_ID``: the local capacity of a chain segment fails (every province firm serving it);
- ``city:CODE`` (code or name, e.g. ``city:320500`` or ``city:苏州``): every province firm located there;
- ``country:ISO3``: imports from that country (its pseudo-node ``country:ISO3``).

Several scenarios given together form one combined shock. ψ (the share of a node's production that
fails, in (0, 1], default 1 = complete failure) is the same for every node of a shock.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from .firm_network import COUNTRY, FirmNetwork, complete_essentiality

KINDS = ("firm", "segment", "city", "country")
ESSENTIALITY_PRESETS = ("linear", "leontief", "default")
#: How many valid values an error message lists.
SHOWN = 12


class ScenarioError(ValueError):
    """A scenario string, id, code or share that cannot be used (the message lists valid choices)."""


@dataclass(frozen=True)
class Scenario:
    """A resolved scenario: what was asked (``text``), its ``kind``, a label and the node positions."""

    text: str
    kind: str
    label: str
    positions: tuple[int, ...]


def parse_removal(text: str) -> tuple[str, list[str]]:
    """``KIND:VALUE[,VALUE…]`` → (kind, values); ScenarioError for anything else."""
    kind, sep, value = str(text).partition(":")
    kind = kind.strip().lower()
    values = [v.strip() for v in value.split(",") if v.strip()]
    if not sep or kind not in KINDS or not values:
        raise ScenarioError(f"scenario {text!r} is not KIND:VALUE 冲击情景格式错误 — write firm:USCC, "
                            "segment:NODE_ID, city:CODE or country:ISO3 (e.g. country:JPN, city:320500)")
    return kind, values


def _choices(values) -> str:
    values = list(values)
    more = f", … ({len(values)} in all)" if len(values) > SHOWN else ""
    return ", ".join(map(str, values[:SHOWN])) + more


def resolve_removal(network: FirmNetwork, text: str, con=None) -> Scenario:
    """The node positions a scenario string names in ``network``.

    Parameters
    ----------
    network : FirmNetwork
    text : str
        ``firm:USCC[,USCC…]``, ``segment:NODE_ID``, ``city:CODE_OR_NAME`` or ``country:ISO3``.
    con : ibis backend, optional
        Store whose ``regions`` resolve city names (default: the shipped catalogue).

    Raises
    ------
    ScenarioError
        Malformed text, or an id/code/country the network does not hold (with the valid choices).
    """
    kind, values = parse_removal(text)
    nodes = network.nodes
    if kind == "firm":
        positions = []
        for uscc in values:
            hits = np.flatnonzero((nodes["node"].to_numpy() == uscc.upper()) & (nodes["kind"].to_numpy() == "firm"))
            if not len(hits):
                largest = nodes[nodes.kind == "firm"].nlargest(3, "out_strength")["node"]
                raise ScenarioError(f"firm {uscc!r} is not in the {network.scope} network of {network.year} "
                                    f"企业不在该网络中 — give the USCC of a firm that trades that year, e.g. "
                                    f"{_choices(largest)}")
            positions.append(int(hits[0]))
        return Scenario(text, kind, ",".join(values), tuple(sorted(set(positions))))
    if kind == "segment":
        return _segment(network, text, values[0])
    if kind == "city":
        return _city(network, text, values[0], con)
    return _country(network, text, values[0])


def _segment(network: FirmNetwork, text: str, node_id: str) -> Scenario:
    known = network.chain_nodes["node_id"].tolist() if len(network.chain_nodes) else []
    if node_id not in known:
        cluster = network.scope.split(":", 1)[1] if network.scope.startswith("cluster:") else None
        shown = [n for n in known if cluster is None or n.startswith(cluster + ".")] or known
        raise ScenarioError(f"unknown chain segment {node_id!r} 未知产业链环节 — valid 可选: {_choices(shown)} "
                            "(`jiqun chain map --cluster C` lists a cluster's segments)")
    served = network.segments.loc[network.segments.node_id == node_id, "position"].to_numpy()
    served = served[network.nodes["in_province"].to_numpy()[served]] if len(served) else served
    if not len(served):
        raise ScenarioError(f"segment {node_id!r} has no province firm in the {network.scope} network of "
                            f"{network.year} 该环节无本地企业 — nothing would fail; choose another segment")
    return Scenario(text, "segment", node_id, tuple(sorted(map(int, set(served)))))


def _city(network: FirmNetwork, text: str, value: str, con) -> Scenario:
    from ..names import NameNotFound, resolve_region

    try:
        code = resolve_region(con, value, levels=("prefecture",))
    except NameNotFound as exc:
        raise ScenarioError(f"city {value!r}: {exc}") from None
    nodes = network.nodes
    hit = np.flatnonzero(nodes["in_province"].to_numpy() & (nodes["city_code"].to_numpy() == code))
    if not len(hit):
        present = sorted(nodes.loc[nodes.in_province, "city_code"].dropna().unique())
        raise ScenarioError(f"city {value!r} ({code}) has no province firm in the {network.scope} network of "
                            f"{network.year} 该市无网络内企业 — cities with firms 有企业的城市: {_choices(present)}")
    return Scenario(text, "city", code, tuple(map(int, hit)))


def _country(network: FirmNetwork, text: str, value: str) -> Scenario:
    label = f"country:{value.upper()}"
    position = network.position(label)
    if position is None:
        present = sorted(n.split(":", 1)[1] for n in network.nodes.loc[network.nodes.kind == COUNTRY, "node"])
        raise ScenarioError(f"no imports from {value!r} in the {network.scope} network of {network.year} "
                            f"无来自该国的进口 — countries with imports 有进口的国家: {_choices(present) or 'none'}")
    return Scenario(text, "country", value.upper(), (position,))


def combine(scenarios: list[Scenario]) -> Scenario:
    """Several scenarios as one shock (the union of their nodes)."""
    positions = sorted(set().union(*[s.positions for s in scenarios]))
    return Scenario(" + ".join(s.text for s in scenarios), "+".join(dict.fromkeys(s.kind for s in scenarios)),
                    " + ".join(s.label for s in scenarios), tuple(positions))


def check_share(share: float) -> float:
    """ψ must lie in (0, 1]."""
    if not (0 < float(share) <= 1):
        raise ScenarioError(f"share {share!r} must lie in (0, 1] 冲击比例须在 0 到 1 之间 — 1 = complete failure, "
                            "0.5 = half the production lost")
    return float(share)


def check_removals(remove) -> list[str]:
    """The scenario strings of ``remove`` (one string or several) as a list; refused when empty."""
    removals = [remove] if isinstance(remove, str) else list(remove)
    if not removals:
        raise ScenarioError("give at least one --remove firm:USCC|segment:ID|city:CODE|country:ISO3 "
                            "请选择冲击对象")
    return removals


def psi_matrix(n: int, scenarios: list[Scenario], share: float = 1.0) -> np.ndarray:
    """The initial shocks ψ, shape (n, len(scenarios)): ``share`` at a scenario's nodes, 0 elsewhere."""
    share = check_share(share)
    psi = np.zeros((n, len(scenarios)))
    for column, scenario in enumerate(scenarios):
        psi[list(scenario.positions), column] = share
    return psi


def essentiality_matrix(choice, sectors) -> pd.DataFrame:
    """The essentiality matrix for the network's sector labels.

    Parameters
    ----------
    choice : str or pandas.DataFrame
        ``linear`` (all inputs non-essential), ``leontief`` (all essential), ``default`` (the
        GB/T 4754 division matrix of :func:`jiqun.io.default_essentiality`), a CSV path (first
        column and header: division codes; values 0/1/2), or a DataFrame.
    sectors : sequence of str
        The network's sector labels; labels the matrix lacks are non-essential (1).
    """
    labels = sorted(set(map(str, sectors)))
    if isinstance(choice, pd.DataFrame):
        return complete_essentiality(choice, labels)
    if choice == "linear":
        from .essentiality import linear_essentiality
        return linear_essentiality(labels)
    if choice == "leontief":
        from .essentiality import leontief_essentiality
        return leontief_essentiality(labels)
    if choice == "default":
        from ..io import default_essentiality
        return complete_essentiality(default_essentiality(), labels)
    return complete_essentiality(read_essentiality(choice), labels)


def read_essentiality(path) -> pd.DataFrame:
    """A user's essentiality matrix from CSV (row labels in the first column, 0/1/2 values)."""
    path = Path(path)
    if not path.is_file():
        raise ScenarioError(f"essentiality {str(path)!r} is neither linear, leontief, default nor a CSV file "
                            "重要性矩阵无效 — give a preset or the path of a CSV matrix of 0/1/2")
    frame = pd.read_csv(path, index_col=0, dtype=str, encoding="utf-8-sig")
    values = frame.apply(pd.to_numeric, errors="coerce")
    if values.isna().any().any() or not values.isin([0, 1, 2]).all().all():
        raise ScenarioError(f"essentiality {path}: every value must be 0, 1 or 2 重要性矩阵取值须为 0/1/2")
    if list(map(str, frame.index)) != list(map(str, frame.columns)):
        raise ScenarioError(f"essentiality {path}: rows and columns must list the same sectors in the same order "
                            "行列须为同一组行业")
    return values.astype(int)
