"""Comparison page data (对比页面数据): up to ten clusters or cities side by side, with the cluster
portfolio of each (specialisation against growth, bubble size = employment), in the manner of US
Cluster Mapping's region comparison — the part of :class:`jiqun.query.Query` that compares.
"""

from __future__ import annotations

import pandas as pd

from ..display import json_scalar
from ..schema.vocab import HOME_PROVINCE_CODE

#: At most this many clusters or cities side by side.
MAX_COMPARED = 10
#: What is compared of each cluster or city (indicator ids), in order.
COMPARED_INDICATORS = ("output_value", "employment", "output_growth_yoy", "employment_growth_yoy", "lq_employment",
                       "lq_output", "rd_intensity", "local_supporting_rate_province", "export_share")
#: The portfolio chart's axes (US Cluster Mapping: specialisation against its growth, size = employment).
PORTFOLIO_AXES = {"x": "employment_growth_yoy", "y": "lq_employment", "size": "employment"}
KINDS = ("clusters", "cities")


class ComparePages:
    """The comparison part of :class:`jiqun.query.Query`."""

    def city_codes(self) -> list[str]:
        """The prefecture cities of the province the reader may see (codes)."""
        return [code for code in sorted(self._regions()) if code.startswith(HOME_PROVINCE_CODE[:2])
                and code.endswith("00") and code != HOME_PROVINCE_CODE and self.scope.allows_region(code)]

    def _resolve_cities(self, given: list[str]) -> list[str]:
        names = self._regions()
        by_name = {name: code for code, name in names.items()}
        valid = self.city_codes()
        out = []
        for text in given:
            code = text if text in valid else by_name.get(text) or by_name.get(text + "市")
            if code not in valid:
                raise self._not_found("city", text, [f"{c} {names.get(c, '')}" for c in valid])
            out.append(code)
        return out

    def compare(self, kind: str = "clusters", ids: list[str] | None = None, year: int | None = None) -> dict:
        """Clusters (in the province) or cities (all clusters) side by side.

        Parameters
        ----------
        kind : {"clusters", "cities"}
        ids : list of str, optional
            Cluster ids, or city codes or names (default: the first five); at most :data:`MAX_COMPARED`.
        year : int, optional
            Default: the latest year with indicator results.

        Returns
        -------
        dict
            ``kind, year, indicators`` (id, names, unit of each compared indicator), ``items`` (one per
            cluster or city: ``id, name_zh, name_en, values`` {indicator: number}, and for clusters the
            evaluation's ``type, score, rank, rank_p05, rank_p95``; for cities ``n_strong`` and
            ``top_clusters``), ``portfolios`` (one per compared cluster across its cities, or per city
            across its clusters: ``name_zh, name_en, bubbles`` with ``id, name_zh, name_en, x, y, size``;
            specialisation is the location quotient against the province, so a cluster's portfolio is
            made of its cities) and ``choices`` (the valid ids).

        Raises
        ------
        ValueError
            An unknown kind or more than :data:`MAX_COMPARED` ids.
        NotFound
            An unknown cluster, city or year.
        """
        if kind not in KINDS:
            raise ValueError(f"kind must be one of {', '.join(KINDS)}, not {kind!r}")
        ids = [text.strip() for text in (ids or []) if text and text.strip()]
        if len(ids) > MAX_COMPARED:
            raise ValueError(f"compare at most {MAX_COMPARED} {kind} at once, not {len(ids)} 最多对比{MAX_COMPARED}个")
        indicators = self._indicators()
        chosen = self._year(indicators["year"] if len(indicators) else [], year)
        this = indicators[indicators["year"] == chosen]
        catalogue = self._catalogue()
        shown = [{"indicator": i, "name_zh": catalogue[i].name_zh, "name_en": catalogue[i].name_en,
                  "unit": catalogue[i].unit} for i in COMPARED_INDICATORS if i in catalogue]
        if kind == "clusters":
            items, portfolios, choices = self._compare_clusters(ids, this, chosen)
        else:
            items, portfolios, choices = self._compare_cities(ids, this)
        return {"kind": kind, "year": chosen, "indicators": shown, "items": items, "portfolios": portfolios,
                "axes": PORTFOLIO_AXES, "choices": choices, "max": MAX_COMPARED}

    def _compare_clusters(self, ids, this: pd.DataFrame, year):
        clusters = self._clusters()
        choices = clusters["cluster_id"].tolist()
        ids = ids or choices[:5]
        for cluster_id in ids:
            self._check_cluster(cluster_id)
        names = clusters.set_index("cluster_id")
        ranking = {row["cluster_id"]: row for row in self.clusters(year)["clusters"]} if self._has_evaluation(year) \
            else {}
        province = this[this["region_code"] == HOME_PROVINCE_CODE]
        items = []
        for cluster_id in ids:
            values = _values(province[province["cluster_id"] == cluster_id])
            row = {"id": cluster_id, "name_zh": names.at[cluster_id, "name_zh"],
                   "name_en": names.at[cluster_id, "name_en"], "values": values}
            found = ranking.get(cluster_id, {})
            row.update({key: found.get(key) for key in ("type", "type_zh", "score", "rank", "rank_p05", "rank_p95")})
            items.append(row)
        # Specialisation is measured against the province, so a cluster's portfolio is its cities.
        regions = self._regions()
        cities = self.city_codes()
        portfolios = [{"cluster_id": cluster_id, "name_zh": names.at[cluster_id, "name_zh"],
                       "name_en": names.at[cluster_id, "name_en"],
                       "bubbles": _bubbles(this[this["cluster_id"] == cluster_id], "region_code",
                                           {code: (regions.get(code, code), code) for code in cities})}
                      for cluster_id in ids]
        return items, portfolios, choices

    def _has_evaluation(self, year) -> bool:
        evaluations = self._evaluations()
        return bool(len(evaluations)) and year in set(evaluations["year"])

    def _compare_cities(self, ids, this: pd.DataFrame):
        names = self._regions()
        valid = self.city_codes()
        codes = self._resolve_cities(ids) if ids else valid[:5]
        clusters = self._clusters().set_index("cluster_id")
        visible = clusters.index.tolist()
        strength = self._all_strength()
        year = int(this["year"].iloc[0]) if len(this) else None
        strength = strength[(strength["year"] == year) & strength["cluster"].isin(visible)]
        items, portfolios = [], []
        for code in codes:
            mine = this[(this["region_code"] == code) & this["cluster_id"].isin(visible)]
            sums = {i: json_scalar(mine.loc[mine["indicator"] == i, "value"].sum(min_count=1))
                    for i in ("output_value", "employment")}
            strong = strength[(strength["region"] == code) & strength["strong"].fillna(False).astype(bool)]
            top = strength[strength["region"] == code].sort_values("lq", ascending=False).head(3)
            items.append({"id": code, "name_zh": names.get(code, code), "name_en": code, "values": sums,
                          "n_strong": int(len(strong)),
                          "top_clusters": [{"cluster_id": c, "name_zh": clusters.at[c, "name_zh"],
                                            "lq": json_scalar(lq)} for c, lq in zip(top["cluster"], top["lq"])]})
            portfolios.append({"region": code, "name_zh": names.get(code, code), "name_en": code,
                               "bubbles": _bubbles(mine, "cluster_id", {c: (clusters.at[c, "name_zh"],
                                                                          clusters.at[c, "name_en"]) for c in visible})})
        return items, portfolios, [f"{c} {names.get(c, '')}" for c in valid]


def _values(rows: pd.DataFrame) -> dict:
    return {i: json_scalar(rows.loc[rows["indicator"] == i, "value"].iloc[0]) if (rows["indicator"] == i).any()
            else None for i in COMPARED_INDICATORS}


def _bubbles(rows: pd.DataFrame, key: str, labels: dict) -> list[dict]:
    """One bubble per ``key`` value of ``labels`` ({id: (name_zh, name_en)}) with all three of the
    portfolio's values (the others are left out: a bubble needs a position and a size)."""
    out = []
    for item, (name_zh, name_en) in labels.items():
        values = _values(rows[rows[key] == item])
        x, y, size = (values.get(PORTFOLIO_AXES[a]) for a in ("x", "y", "size"))
        if x is None or y is None or size is None:
            continue
        out.append({"id": item, "name_zh": name_zh, "name_en": name_en, "x": x, "y": y, "size": size})
    return out
