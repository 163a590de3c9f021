"""The policy registry of a store and its views: matrix, overlaps, gaps against the shortcomings that the
monitoring alerts, the chain maps and the chokepoint inventory find, province–city alignment, budgets and
keyword suggestions."""

from __future__ import annotations

from functools import lru_cache
from importlib import resources

import pandas as pd
import yaml
from ibis import _

from ..schema.vocab import HOME_PROVINCE_CODE
from .tagging import suggest_instruments
from .views import (in_force, policy_alignment, policy_budgets, policy_gaps, policy_matrix, policy_overlaps,
                    policy_targets)

VIEWS = ("matrix", "overlaps", "gaps", "alignment", "budget", "suggestions")


@lru_cache(maxsize=1)
def gap_rules() -> dict:
    """The shipped gap rules (``data/gap_rules.yaml``): source → kind → {themes, instruments}."""
    text = resources.files("jiqun.policy").joinpath("data", "gap_rules.yaml").read_text(encoding="utf-8")
    return yaml.safe_load(text)["rules"]


def read_policies(con) -> pd.DataFrame:
    """The ``policies`` table as a frame (dates as timestamps)."""
    frame = con.table("policies").to_pandas()
    for column in ("issued_on", "effective_from", "effective_to"):
        frame[column] = pd.to_datetime(frame[column])
    return frame


def policy_years(con) -> list[int]:
    """Years in which at least one policy was issued."""
    frame = con.table("policies").select(year=_.issued_on.year()).distinct().to_pandas()
    return sorted(int(value) for value in frame.year.dropna())


def _year(con, year) -> int:
    years = policy_years(con)
    if not years:
        raise ValueError("the store has no policies (policies is empty): load the policy registry first")
    if year is None:
        return years[-1]
    if int(year) not in years:
        raise ValueError(f"year {year} has no policies issued; choose one of {', '.join(map(str, years))}")
    return int(year)


def shortcomings(con, year: int) -> pd.DataFrame:
    """The shortcomings the other modules find for ``year``: weak links of the chain maps, alerts of the
    monitoring, items of the chokepoint inventory.

    Raises
    ------
    ValueError
        None of the three sources has data for ``year`` (a source lacking data is skipped; which ones, and
        why, is in ``attrs["missing_sources"]``).

    Returns
    -------
    pandas.DataFrame
        ``source, kind, kind_zh`` (the rule, alert or class in words), ``cluster_id, node_id, node_zh,
        region_code, year, evidence``.
    """
    from ..chains import weak_links
    from ..chokepoints.inventory import chokepoint_inventory
    from ..metrics import store_alerts
    from ..names import NameNotFound

    parts, missing = [], {}

    def attempt(source: str, read):
        try:
            return read()
        except (NameNotFound, ValueError) as exc:  # the store lacks this source's data: say so
            missing[source] = str(exc).splitlines()[0]
            return pd.DataFrame()

    links = attempt("weak_link", lambda: weak_links(con, year=year))
    if len(links):
        parts.append(pd.DataFrame({"source": "weak_link", "kind": links.rule, "kind_zh": links.rule_zh,
                                   "cluster_id": links.cluster_id,
                                   "node_id": links.node_id, "region_code": HOME_PROVINCE_CODE, "year": links.year,
                                   "evidence": links.evidence_zh}))
    def stored_alerts():
        if not int(con.table("indicator_results").count().to_pandas()):
            raise ValueError("no indicator results stored (compute them with `jiqun indicators --save`)")
        return store_alerts(con, con.table("indicator_results")).to_pandas()

    alerts = attempt("alert", stored_alerts)
    if len(alerts):
        alerts = alerts[(alerts.year == year) & (alerts.cluster_id != "all")]
    if len(alerts):
        parts.append(pd.DataFrame({"source": "alert", "kind": alerts.alert, "kind_zh": alerts.name_zh,
                                   "cluster_id": alerts.cluster_id,
                                   "node_id": None, "region_code": alerts.region_code, "year": alerts.year,
                                   "evidence": alerts.evidence.astype(str)}))
    items = attempt("chokepoint", lambda: chokepoint_inventory(con, year=year))
    if len(items):
        parts.append(pd.DataFrame({"source": "chokepoint", "kind": items["class"], "kind_zh": items.class_zh,
                                   "cluster_id": items.cluster_id,
                                   "node_id": items.node_id, "region_code": HOME_PROVINCE_CODE, "year": items.year,
                                   "evidence": items.rule_text}))
    if len(missing) == 3:
        raise ValueError(f"no shortcomings can be found for {year}: " + "; ".join(
            f"{source}: {reason}" for source, reason in missing.items())
            + " — the gaps need the monitoring data (firm_years, transactions, indicator results)")
    columns = ["source", "kind", "kind_zh", "cluster_id", "node_id", "node_zh", "region_code", "year", "evidence"]
    if not parts:
        return pd.DataFrame(columns=columns)
    frame = pd.concat(parts, ignore_index=True)
    frame["node_id"] = frame.node_id.astype(object).where(frame.node_id.notna(), None)
    nodes = dict(con.table("chain_nodes").select("node_id", "name_zh").to_pandas().values.tolist())
    frame["node_zh"] = [nodes.get(node) if node else None for node in frame.node_id]
    frame = frame[columns]
    frame.attrs["missing_sources"] = missing
    return frame.drop_duplicates(["source", "kind", "cluster_id", "node_id", "region_code"]).reset_index(drop=True)


def _cluster_types(con, year: int) -> pd.DataFrame | None:
    results = con.table("evaluation_results").filter((_.region_code == HOME_PROVINCE_CODE) & (_.year <= year))
    frame = results.select("cluster_id", "type", "year", "computed_at").to_pandas()
    if frame.empty:
        return None
    latest = frame[frame.year == frame.year.max()]
    return latest.sort_values("computed_at").drop_duplicates("cluster_id", keep="last")[["cluster_id", "type"]]


def policy_view(con, view: str, year: int | None = None) -> pd.DataFrame:
    """One view of the policies in force in ``year`` (default: the latest year a policy was issued).

    Parameters
    ----------
    view : str
        One of :data:`VIEWS`: ``matrix`` (department × cluster × instrument), ``overlaps``, ``gaps``,
        ``alignment`` (province–city), ``budget`` (per cluster and per evaluation type), ``suggestions``
        (jieba keyword suggestions of the instrument beside the coded one; every policy, not only those
        in force).

    Returns
    -------
    pandas.DataFrame
        The view's rows with ``year``.
    """
    if view not in VIEWS:
        raise ValueError(f"view must be one of {', '.join(VIEWS)}, not {view!r}")
    year = _year(con, year)
    policies = read_policies(con)
    if view == "suggestions":
        return suggest_instruments(policies).assign(year=year)
    targets = in_force(policy_targets(policies), year)
    if view == "matrix":
        frame = policy_matrix(targets)
    elif view == "overlaps":
        frame = policy_overlaps(targets)
    elif view == "gaps":
        frame = policy_gaps(shortcomings(con, year), targets, gap_rules())
        frame = frame.sort_values(["addressed", "source", "cluster_id", "kind"]).reset_index(drop=True)
    elif view == "alignment":
        roles = con.table("cluster_regions").select("cluster_id", city_code=_.region_code, role=_.role).to_pandas()
        frame = policy_alignment(targets, roles)
    else:
        frame = policy_budgets(targets, _cluster_types(con, year))
    return frame.assign(year=year)
