"""The policy mix (政策组合): who funds what for which cluster — pure functions on the policy registry.

Every function takes the *targets* table of :func:`policy_targets` (one row per policy and target cluster)
and returns a frame. A policy is *in force* in a year when it was issued by the year's end, took effect by
then and did not end before the year began (:func:`in_force`).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

#: Columns of :func:`policy_targets`.
TARGET_COLUMNS = ("policy_id", "title", "department", "level", "region_code", "cluster_id", "target_nodes",
                  "instrument", "target_group", "theme", "issued_on", "effective_from", "effective_to",
                  "budget_yuan", "budget_share_yuan", "n_targets")


def _split(value) -> list[str]:
    return [part for part in str(value).split(";") if part] if isinstance(value, str) else []


def policy_targets(policies: pd.DataFrame) -> pd.DataFrame:
    """One row per policy and target cluster; a policy's budget split equally over its target clusters
    (``budget_share_yuan``; the registry records one budget per document). A policy without target
    clusters keeps one row with ``cluster_id`` None (it targets no cluster in particular).

    Parameters
    ----------
    policies : pandas.DataFrame
        The ``policies`` table (``policy_id, title, department, level, region_code, target_clusters,
        target_nodes, instrument, target_group, theme, issued_on, effective_from, effective_to, budget_yuan``).
    """
    rows = []
    for row in policies.itertuples(index=False):
        clusters = _split(row.target_clusters) or [None]
        for cluster in clusters:
            rows.append({**{column: getattr(row, column) for column in TARGET_COLUMNS
                            if column not in ("cluster_id", "budget_share_yuan", "n_targets")},
                         "cluster_id": cluster, "n_targets": len(clusters),
                         "budget_share_yuan": (row.budget_yuan / len(clusters)
                                               if pd.notna(row.budget_yuan) else np.nan)})
    return pd.DataFrame(rows, columns=list(TARGET_COLUMNS))


def in_force(targets: pd.DataFrame, year: int) -> pd.DataFrame:
    """The rows of policies in force at some time during ``year``."""
    start, end = pd.Timestamp(f"{year}-01-01"), pd.Timestamp(f"{year}-12-31")
    issued = pd.to_datetime(targets.issued_on)
    begins = pd.to_datetime(targets.effective_from).fillna(issued)
    ends = pd.to_datetime(targets.effective_to)
    keep = (issued <= end) & (begins <= end) & (ends.isna() | (ends >= start))
    return targets[keep.to_numpy()]


def policy_matrix(targets: pd.DataFrame) -> pd.DataFrame:
    """The department × cluster × instrument matrix: how many policies and how much budget.

    Returns
    -------
    pandas.DataFrame
        ``level, department, cluster_id, instrument, n_policies, budget_yuan`` (the split budget), by level,
        department, cluster and instrument.
    """
    grouped = targets.groupby(["level", "department", "cluster_id", "instrument"], dropna=False)
    matrix = grouped.agg(n_policies=("policy_id", "nunique"), budget_yuan=("budget_share_yuan", "sum")).reset_index()
    matrix["budget_yuan"] = matrix.budget_yuan.where(
        grouped.budget_share_yuan.count().to_numpy() > 0)  # no budget recorded: not zero
    return matrix.sort_values(["level", "department", "cluster_id", "instrument"]).reset_index(drop=True)


def policy_overlaps(targets: pd.DataFrame) -> pd.DataFrame:
    """The same instrument for the same cluster and target group from several departments (九龙治水).

    ``horizontal``: two or more departments of one government (the province, or one city); ``vertical``:
    the province and a city both use the instrument for the cluster.

    Returns
    -------
    pandas.DataFrame
        ``kind, government`` (region code; ``province+city`` for vertical), ``cluster_id, instrument,
        target_group, n_departments, departments, n_policies, policies, budget_yuan``, most departments first.
    """
    columns = ["kind", "government", "cluster_id", "instrument", "target_group", "n_departments", "departments",
               "n_policies", "policies", "budget_yuan"]
    rows = []
    aimed = targets[targets.cluster_id.notna()].assign(target_group=targets.target_group.fillna("all_firms"))
    for (government, cluster, instrument, group), part in aimed.groupby(
            ["region_code", "cluster_id", "instrument", "target_group"], sort=True):
        departments = sorted(part.department.unique())
        if len(departments) >= 2:
            rows.append(_overlap("horizontal", government, cluster, instrument, group, part, departments))
    for (cluster, instrument, group), part in aimed.groupby(["cluster_id", "instrument", "target_group"], sort=True):
        if {"province", "city"} <= set(part.level):
            chosen = part[part.level.isin(["province", "city"])]
            rows.append(_overlap("vertical", "province+city", cluster, instrument, group, chosen,
                                 sorted(chosen.department.unique())))
    frame = pd.DataFrame(rows, columns=columns)
    return frame.sort_values(["n_departments", "n_policies", "cluster_id", "instrument"],
                             ascending=[False, False, True, True]).reset_index(drop=True)


def _overlap(kind, government, cluster, instrument, group, part, departments) -> dict:
    budget = part.budget_share_yuan
    return {"kind": kind, "government": government, "cluster_id": cluster, "instrument": instrument,
            "target_group": group, "n_departments": len(departments), "departments": ";".join(departments),
            "n_policies": int(part.policy_id.nunique()), "policies": ";".join(sorted(part.policy_id.unique())),
            "budget_yuan": float(budget.sum()) if budget.notna().any() else None}


def policy_alignment(targets: pd.DataFrame, roles: pd.DataFrame) -> pd.DataFrame:
    """Province–city alignment (省市协同): a city's instruments for a cluster the province does not target,
    and a cluster the province targets that a city where it is core (核心区) does not.

    Parameters
    ----------
    targets : pandas.DataFrame
        :func:`policy_targets` rows (already restricted to a period).
    roles : pandas.DataFrame
        ``cluster_id, city_code, role`` (core / collaboration) from the cluster catalogue.

    Returns
    -------
    pandas.DataFrame
        ``kind`` (city_only / province_only), ``cluster_id, city_code, role, n_policies, instruments``.
    """
    columns = ["kind", "cluster_id", "city_code", "role", "n_policies", "instruments"]
    province = set(targets[targets.level == "province"].cluster_id.dropna())
    city = targets[targets.level == "city"].assign(city_code=lambda frame: frame.region_code.str.slice(0, 4) + "00")
    role_of = {(row.cluster_id, row.city_code): row.role for row in roles.itertuples(index=False)}
    rows = []
    for (cluster, code), part in city[city.cluster_id.notna()].groupby(["cluster_id", "city_code"], sort=True):
        if cluster not in province:
            rows.append({"kind": "city_only", "cluster_id": cluster, "city_code": code,
                         "role": role_of.get((cluster, code)), "n_policies": int(part.policy_id.nunique()),
                         "instruments": ";".join(sorted(part.instrument.unique()))})
    backed = set(zip(city.cluster_id, city.city_code))
    for row in roles[roles.role == "core"].itertuples(index=False):
        if row.cluster_id in province and (row.cluster_id, row.city_code) not in backed:
            rows.append({"kind": "province_only", "cluster_id": row.cluster_id, "city_code": row.city_code,
                         "role": "core", "n_policies": 0, "instruments": ""})
    return pd.DataFrame(rows, columns=columns).sort_values(["kind", "cluster_id", "city_code"]).reset_index(drop=True)


def policy_budgets(targets: pd.DataFrame, cluster_types: pd.DataFrame | None = None) -> pd.DataFrame:
    """Budget per cluster (split budgets summed) and, with the clusters' evaluation types, per type.

    Parameters
    ----------
    cluster_types : pandas.DataFrame, optional
        ``cluster_id, type`` (引领型 / 突破型 / 赶超型 codes from the evaluation).

    Returns
    -------
    pandas.DataFrame
        ``by`` (cluster / type), ``key``, ``n_policies``, ``budget_yuan``, ``n_with_budget``, ``share``.
    """
    aimed = targets[targets.cluster_id.notna()]
    parts = [aimed.groupby("cluster_id").agg(n_policies=("policy_id", "nunique"),
                                             budget_yuan=("budget_share_yuan", "sum"),
                                             n_with_budget=("budget_share_yuan", "count"))
             .reset_index().rename(columns={"cluster_id": "key"}).assign(by="cluster")]
    if cluster_types is not None and len(cluster_types):
        typed = aimed.merge(cluster_types[["cluster_id", "type"]], on="cluster_id")
        parts.append(typed.groupby("type").agg(n_policies=("policy_id", "nunique"),
                                               budget_yuan=("budget_share_yuan", "sum"),
                                               n_with_budget=("budget_share_yuan", "count"))
                     .reset_index().rename(columns={"type": "key"}).assign(by="type"))
    frame = pd.concat(parts, ignore_index=True)
    totals = frame.groupby("by").budget_yuan.transform("sum")
    frame["share"] = frame.budget_yuan / totals.where(totals > 0)
    return frame[["by", "key", "n_policies", "budget_yuan", "n_with_budget", "share"]]


def policy_gaps(shortcomings: pd.DataFrame, targets: pd.DataFrame, rules: dict) -> pd.DataFrame:
    """Shortcomings no policy in force addresses (政策缺口).

    A shortcoming is addressed by a policy in force in its year that targets its cluster, names its segment
    or no segment, has one of the rule's themes (or, where no theme is coded, one of its instruments) and —
    for a city's shortcoming — is issued by the province (or nationally) or by that city.

    Parameters
    ----------
    shortcomings : pandas.DataFrame
        ``source`` (weak_link / alert / chokepoint), ``kind`` (the rule, alert or class id), ``cluster_id``,
        ``node_id`` (or None), ``region_code`` (a city, or None for the province), ``year``, ``evidence``.
    targets : pandas.DataFrame
        :func:`policy_targets` rows.
    rules : dict
        source → kind → {themes, instruments} (``data/gap_rules.yaml``).

    Returns
    -------
    pandas.DataFrame
        The shortcomings with ``addressed`` (bool), ``n_policies``, ``policies`` (ids addressing it), ``rule``
        (in words) and ``no_rule`` (a kind the rules do not cover: reported, never counted as addressed).
    """
    out = []
    for row in shortcomings.itertuples(index=False):
        rule = rules.get(row.source, {}).get(row.kind)
        candidates = in_force(targets[targets.cluster_id == row.cluster_id], int(row.year))
        if rule is None:
            out.append({**row._asdict(), "addressed": False, "n_policies": 0, "policies": "", "no_rule": True,
                        "rule": f"no gap rule for {row.source}:{row.kind} (add it to gap_rules.yaml)"})
            continue
        themes, instruments = set(rule.get("themes", [])), set(rule.get("instruments", []))
        # The analyst's theme says what a policy is about; the instrument decides only where no theme is coded.
        fits = candidates.theme.isin(themes) | (candidates.theme.isna() & candidates.instrument.isin(instruments))
        named = [not _split(nodes) or (row.node_id in _split(nodes)) for nodes in candidates.target_nodes]
        code = row.region_code if isinstance(row.region_code, str) else None
        if code is None or code.endswith("0000"):  # a province-wide shortcoming: any government's policy
            issuer = pd.Series(True, index=candidates.index)
        else:  # a city's: the province's (or the nation's) or the city's own
            issuer = candidates.level.isin(["national", "province"]) | candidates.region_code.str.startswith(code[:4])
        matched = candidates[fits.to_numpy() & np.asarray(named, bool) & issuer.to_numpy()]
        ids = sorted(matched.policy_id.unique())
        out.append({**row._asdict(), "addressed": bool(ids), "n_policies": len(ids), "policies": ";".join(ids),
                    "no_rule": False, "rule": (f"themes {'/'.join(sorted(themes))} (uncoded theme: instruments "
                                               f"{'/'.join(sorted(instruments))}) for the cluster"
                                               + (f", segment {row.node_id}" if row.node_id else ""))})
    columns = [*shortcomings.columns, "addressed", "n_policies", "policies", "no_rule", "rule"]
    return pd.DataFrame(out, columns=columns)
