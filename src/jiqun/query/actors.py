"""Page data of the firms, promotion organisations, policy and talent pages (企业 · 促进机构 · 政策 · 人才):
the library's lists as JSON-ready records, read through the scope (firm rows only for a firm-level scope)."""

from __future__ import annotations

import pandas as pd

from ..display import json_scalar


def _records(frame: pd.DataFrame) -> list[dict]:
    return [{key: (value if isinstance(value, (list, dict)) else json_scalar(value)) for key, value in row.items()}
            for row in frame.to_dict(orient="records")]


def _check(kind: str, value, choices) -> None:
    from .pages import NotFound

    if value not in choices:
        raise NotFound(kind, value, list(choices))


class ActorPages:
    """Mixed into :class:`jiqun.query.Query` (uses its ``reader``, ``scope`` and ``cluster_ids``)."""

    def _visible(self, frame: pd.DataFrame, cluster_column: str = "cluster_id", region_column: str | None = None):
        keep = pd.Series(True, index=frame.index)
        if cluster_column in frame and self.scope.clusters is not None:
            keep &= frame[cluster_column].isin(self.scope.clusters) | (frame[cluster_column] == "all")
        if region_column and region_column in frame and self.scope.regions is not None:
            keep &= frame[region_column].astype(str).isin(self.scope.regions)
        return frame[keep]

    def _cluster_or_none(self, cluster: str | None) -> str | None:
        if cluster in (None, "", "all"):
            return None
        _check("cluster", cluster, self.cluster_ids())
        return cluster

    def firm_lists(self, view: str = "candidates", cluster: str | None = None, year: int | None = None,
                   limit: int | None = 500) -> dict:
        """MIIT tier candidates, near misses or ladder moves (:func:`jiqun.firms.firm_tiers`) of every cluster
        (or one), with each candidate's criteria; a scope without firm-level rows gets counts per cluster
        and tier only.

        Returns
        -------
        dict
            ``year, view, views, cluster, years, records`` (the first ``limit``, in the list's order: by
            cluster, tier and evidence), ``n_records`` (all of them), ``counts`` ({tier: number}).
        """
        from ..firms.candidates import firm_tiers
        from ..firms.export import tier_records

        views = ("candidates", "close", "ladder")
        _check("view", view, views)
        cluster = self._cluster_or_none(cluster)
        years = self.reader.cached(("firm_years_years",), lambda con: sorted(
            int(v) for v in con.table("firm_years").select("year").distinct().to_pandas().year))
        chosen = years[-1] if year is None and years else year
        _check("year", chosen, years)
        lists = self.reader.cached(("firm_tiers", chosen), lambda con: firm_tiers(con, chosen))
        frame = {"candidates": lists.candidates, "close": lists.close, "ladder": lists.ladder}[view]
        frame = self._visible(frame, "cluster_id", "city_code")
        if cluster:
            frame = frame[frame.cluster_id == cluster]
        counts = {str(k): int(v) for k, v in frame.groupby("tier").size().items()}
        total = len(frame)
        if limit is not None and self.scope.firm_level:
            frame = frame.head(int(limit))
        if not self.scope.firm_level:
            rows = frame.groupby(["cluster_id", "tier"]).size().reset_index(name="n_firms")
            records = _records(rows)
        elif view == "ladder":
            records = _records(frame)
        else:
            records = tier_records(frame, lists)
        return {"year": chosen, "view": view, "views": list(views), "cluster": cluster, "years": years,
                "records": records, "n_records": total, "counts": counts, "firm_level": self.scope.firm_level}

    def organization_lists(self, view: str = "ranking", year: int | None = None) -> dict:
        """The promotion organisations' evaluation (:func:`jiqun.organizations.evaluate_organizations`):
        ranking with tiers and improvement areas, the cultivation pool or the indicator levels."""
        from ..organizations import evaluate_organizations
        from ..organizations.export import VIEWS, organization_records

        _check("view", view, VIEWS)
        years = self.reader.cached(("organization_years_years",), lambda con: sorted(
            int(v) for v in con.table("organization_years").select("year").distinct().to_pandas().year))
        chosen = years[-1] if year is None and years else year
        _check("year", chosen, years)
        result = self.reader.cached(("organizations", chosen), lambda con: evaluate_organizations(con, chosen))
        records = organization_records(result, view)
        visible = set(self._visible(result.organizations, "cluster_id", "region_code").organization_id)
        records = [r for r in records if r["organization_id"] in visible]
        return {"year": chosen, "view": view, "views": list(VIEWS), "years": years, "records": records}

    def policy_lists(self, view: str = "overlaps", year: int | None = None) -> dict:
        """One view of the policy mix (:func:`jiqun.policy.policy_view`) for the policies in force in
        ``year``; rows of clusters outside the scope are left out."""
        from ..policy import VIEWS, policy_view, policy_years

        _check("view", view, VIEWS)
        years = self.reader.cached(("policy_years",), policy_years)
        chosen = years[-1] if year is None and years else year
        _check("year", chosen, years)
        frame = self.reader.cached(("policy", view, chosen), lambda con: policy_view(con, view, chosen))
        frame = self._visible(frame, "cluster_id")
        return {"year": chosen, "view": view, "views": list(VIEWS), "years": years, "records": _records(frame)}

    def talent_lists(self, view: str = "flows", level: str = "city", staff: str = "all", cluster: str | None = None,
                     year: int | None = None) -> dict:
        """Talent flows, poaching pairs, communities or alerts (:mod:`jiqun.talent`); firm level only for a
        firm-level scope; small cells blanked (setting ``talent_min_moves``)."""
        from .. import talent
        from ..talent.export import VIEWS
        from ..talent.flows import ROLE_GROUPS

        _check("view", view, VIEWS)
        _check("level", level, ("city", "firm") if self.scope.firm_level else ("city",))
        _check("staff", staff, ROLE_GROUPS)
        cluster = self._cluster_or_none(cluster)
        years = self.reader.cached(("talent_years",), talent.move_years)
        chosen = years[-1] if year is None and years else year
        _check("year", chosen, years)
        compute = {"flows": lambda con: talent.talent_flows(con, chosen, cluster, level, staff),
                   "pairs": lambda con: talent.talent_pairs(con, chosen, cluster, level, staff),
                   "communities": lambda con: talent.talent_communities(con, chosen, cluster, staff),
                   "alerts": lambda con: talent.talent_alerts(con, chosen, cluster, level)}[view]
        frame = self.reader.cached(("talent", view, level, staff, cluster, chosen), compute)
        if level == "city" and "region" in frame and self.scope.regions is not None:
            frame = frame[frame.region.isin(self.scope.regions)]
        if not self.scope.firm_level and view == "communities":
            frame = frame.drop(columns=["largest_firm"])
        return {"year": chosen, "view": view, "views": list(VIEWS), "level": level, "staff": staff,
                "cluster": cluster, "years": years, "records": _records(frame)}
