"""Page data (页面数据): what the web pages, their JSON twins and the reports show, read through one scope.

Every method returns JSON-ready dicts (numbers as numbers, missing as None, Chinese and English labels
side by side, units named) computed by the public library API on a short-lived read-only connection and
cached until the next load. Unknown ids and years raise :class:`NotFound` with the valid choices; the
scope decides which clusters, regions and firm-level rows are returned.
"""

from __future__ import annotations

import json

import ibis
import pandas as pd

from ..display import json_scalar
from ..schema.vocab import HOME_PROVINCE_CODE
from .actors import ActorPages
from .chain import ChainPages
from .compare import ComparePages
from .reader import StoreReader
from .scope import FULL_ACCESS, Scope

#: Headline indicators of a cluster page (ids of the indicator catalogue), in their order.
HEADLINE_INDICATORS = ("output_value", "employment", "output_growth_yoy", "lq_output", "rd_intensity",
                       "leader_driving_power", "local_supporting_rate_province", "export_share")


def dimension_references(peers: list[dict]) -> dict:
    """The best and the median score of each evaluation dimension among ``peers`` (the clusters of
    :meth:`Query.clusters`), the references a cluster's radar is drawn against.

    Returns
    -------
    dict
        ``best`` and ``median``: {dimension: score or None}.
    """
    from statistics import median

    scores = [p.get("dimension_scores") or {} for p in peers]
    dims = list(dict.fromkeys(d for s in scores for d in s))
    known = {d: [s[d] for s in scores if s.get(d) is not None] for d in dims}
    return {"best": {d: max(v) if v else None for d, v in known.items()},
            "median": {d: median(v) if v else None for d, v in known.items()}}


class NotFound(LookupError):
    """An unknown cluster, region or year (or one outside the reader's scope), with the valid choices."""

    def __init__(self, kind: str, value, choices):
        self.kind, self.value, self.choices = kind, value, [str(c) for c in choices]
        shown = ", ".join(self.choices[:20]) + (f" … ({len(self.choices)} in all)" if len(self.choices) > 20 else "")
        super().__init__(f"unknown {kind} {value!r}: choose one of {shown or '(none in this store)'}")


def _records(frame: pd.DataFrame) -> list[dict]:
    return [{key: json_scalar(value) for key, value in row.items()} for row in frame.to_dict(orient="records")]


def _parsed(text):
    """A JSON column's value as a dict (None when empty)."""
    if text is None or (isinstance(text, float) and pd.isna(text)) or text == "":
        return None
    return json.loads(text)


class Query(ChainPages, ComparePages, ActorPages):
    """The one read path of the pages, the API and the reports.

    Parameters
    ----------
    reader : StoreReader or str or Path
        The store (a path opens a :class:`StoreReader`).
    scope : Scope
        Who reads (default: everything, a local analyst).
    """

    def __init__(self, reader, scope: Scope = FULL_ACCESS):
        self.reader = reader if isinstance(reader, StoreReader) else StoreReader(reader)
        self.scope = scope

    @staticmethod
    def _not_found(kind: str, value, choices) -> NotFound:
        return NotFound(kind, value, choices)

    # -- shared tables (cached per store version) --------------------------------------------------
    def _clusters(self) -> pd.DataFrame:
        frame = self.reader.cached(("clusters",), lambda con: con.table("clusters").select(
            "cluster_id", "name_zh", "name_en").order_by("cluster_id").to_pandas())
        return frame[[self.scope.allows_cluster(c) for c in frame["cluster_id"]]].reset_index(drop=True)

    def _regions(self) -> dict[str, str]:
        frame = self.reader.cached(("regions",), lambda con: con.table("regions").select(
            "region_code", "name_zh").to_pandas())
        return dict(zip(frame["region_code"], frame["name_zh"]))

    def _evaluations(self) -> pd.DataFrame:
        """The latest stored evaluation of each cluster × region × year (``evaluation_results``)."""

        def read(con):
            table = con.table("evaluation_results")
            frame = table.to_pandas()
            if frame.empty:
                return frame
            frame = frame.sort_values("computed_at").drop_duplicates(["cluster_id", "region_code", "year"], keep="last")
            return frame.sort_values(["year", "region_code", "rank"]).reset_index(drop=True)

        frame = self.reader.cached(("evaluations",), read)
        keep = [self.scope.allows_cluster(c) and self.scope.allows_region(r)
                for c, r in zip(frame.get("cluster_id", []), frame.get("region_code", []))]
        return frame[keep] if len(frame) else frame

    def _indicators(self) -> pd.DataFrame:
        return self.reader.cached(("indicators",), lambda con: con.table("indicator_results").to_pandas())

    def _catalogue(self) -> dict:
        from ..metrics import load_catalogue

        return load_catalogue()

    def cluster_ids(self) -> list[str]:
        return self._clusters()["cluster_id"].tolist()

    def _check_cluster(self, cluster_id: str) -> pd.Series:
        clusters = self._clusters()
        found = clusters[clusters["cluster_id"] == cluster_id]
        if found.empty:
            raise NotFound("cluster", cluster_id, clusters["cluster_id"])
        return found.iloc[0]

    def _year(self, years, year) -> int | None:
        years = sorted(int(y) for y in set(years))
        if year is None:
            return years[-1] if years else None
        if int(year) not in years:
            raise NotFound("year", year, years)
        return int(year)

    # -- pages -------------------------------------------------------------------------------------
    def clusters(self, year: int | None = None) -> dict:
        """The province overview's cluster list: each cluster's type, score, rank with its 90 % interval,
        the change of its score on the year before, and the explanation (province-level evaluation).

        Returns
        -------
        dict
            ``year``, ``evaluated`` (whether evaluation results are stored), ``clusters`` (one dict per
            cluster: ``cluster_id``, ``name_zh``, ``name_en``, ``type``, ``type_zh``, ``score``, ``rank``,
            ``rank_p05``, ``rank_p95``, ``n_clusters``, ``score_change``, ``explanation_zh``,
            ``explanation_en``, ``weakest_dimension``, ``dimension_scores``), sorted by rank.
        """
        from ..evaluation.typology import TYPES_ZH

        evaluations = self._evaluations()
        province = evaluations[evaluations["region_code"] == HOME_PROVINCE_CODE] if len(evaluations) else evaluations
        chosen = self._year(province["year"] if len(province) else [], year)
        clusters = self._clusters()
        rows = []
        this = province[province["year"] == chosen] if chosen is not None else province
        before = province[province["year"] == chosen - 1] if chosen is not None else province
        previous = dict(zip(before.get("cluster_id", []), before.get("score", [])))
        for cluster in clusters.itertuples():
            found = this[this["cluster_id"] == cluster.cluster_id] if len(this) else this
            row = {"cluster_id": cluster.cluster_id, "name_zh": cluster.name_zh, "name_en": cluster.name_en}
            if len(found):
                result = found.iloc[0]
                score = float(result["score"])
                row.update(type=result["type"], type_zh=TYPES_ZH.get(result["type"]), score=score,
                           rank=int(result["rank"]), rank_p05=json_scalar(result["rank_p05"]),
                           rank_p95=json_scalar(result["rank_p95"]), n_clusters=len(this),
                           score_change=(score - previous[cluster.cluster_id]) if cluster.cluster_id in previous
                           else None,
                           explanation_zh=result["explanation_zh"], explanation_en=result["explanation_en"],
                           weakest_dimension=result["weakest_dimension"],
                           dimension_scores=_parsed(result["dimension_scores"]))
            rows.append(row)
        rows.sort(key=lambda r: (r.get("rank") is None, r.get("rank") or 0, r["cluster_id"]))
        return {"year": chosen, "evaluated": bool(len(this)), "clusters": rows}

    def cluster(self, cluster_id: str, year: int | None = None) -> dict:
        """One cluster's page: evaluation and type with explanation and dimension scores, the score's
        history, headline indicators (province) with their series, strength flags by city and the
        alerts that fire in the year.

        Raises
        ------
        NotFound
            An unknown (or out-of-scope) cluster, or a year without results.
        """
        cluster = self._check_cluster(cluster_id)
        evaluations = self._evaluations()
        mine = evaluations[evaluations["cluster_id"] == cluster_id] if len(evaluations) else evaluations
        indicators = self._indicators()
        indicators = indicators[indicators["cluster_id"] == cluster_id]
        years = set(mine["year"]) if len(mine) else set(indicators["year"])
        chosen = self._year(years, year)
        return {
            "cluster_id": cluster_id, "name_zh": cluster["name_zh"], "name_en": cluster["name_en"], "year": chosen,
            "evaluation": self._evaluation_block(mine, chosen),
            "indicators": self._headline(indicators, chosen),
            "strength": self._strength(cluster_id, chosen),
            "alerts": self._alerts(cluster_id, chosen),
            "world_class": self._world_class(cluster_id, chosen),
            "leaders": self.leaders(cluster_id, chosen) if self.scope.firm_level else None,
        }

    def _world_class(self, cluster_id: str, year) -> dict | None:
        """The cluster's gap to the world-class reference profile of the stored evaluation's scheme (or,
        where the scheme names none, to the best national peer): per dimension and its largest gaps.
        The evaluation is re-run (without draws) on the stored indicators with the stored scheme."""
        from ..evaluation.scheme import scheme_from_text
        from ..evaluation.store import evaluate_store

        evaluations = self._evaluations()
        if not len(evaluations) or year is None:
            return None
        stored = evaluations[(evaluations["region_code"] == HOME_PROVINCE_CODE) & (evaluations["year"] == year)]
        if stored.empty:
            return None
        sha = stored["scheme_sha256"].iloc[-1]

        def read(con):
            text = con.table("evaluation_schemes").filter(ibis._.scheme_sha256 == sha).to_pandas()["scheme_text"]
            found, _units = evaluate_store(con, scheme_from_text(text.iloc[0]), "province", int(year), draws=0)
            return found[0].reference_name, {r["cluster"]: r for r in found[0].records()}

        reference, records = self.reader.cached(("world_class", sha, int(year)), read)
        record = records.get(cluster_id)
        if record is None:
            return None
        catalogue = self._catalogue()
        gaps = [{**gap, "name_zh": getattr(catalogue.get(gap["indicator"]), "name_zh", gap["indicator"]),
                 "name_en": getattr(catalogue.get(gap["indicator"]), "name_en", gap["indicator"]),
                 "unit": getattr(catalogue.get(gap["indicator"]), "unit", None)} for gap in record["largest_gaps"]]
        return {"reference": reference, "dimension_gaps": record["dimension_gaps"], "largest_gaps": gaps,
                "score": record["score"]}

    def leaders(self, cluster_id: str, year: int | None = None, top: int = 10) -> list[dict]:
        """The cluster's leading province firms by output (:func:`jiqun.firms.leading_firms`), each marked
        local headquarters or a branch of a foreign or out-of-province group (firm-level scope only)."""
        from ..firms import ORIGINS, leading_firms

        if not self.scope.firm_level:
            raise PermissionError("the leading firms are firm-level data 无企业级数据权限")
        self._check_cluster(cluster_id)
        if year is None:
            year = self._year(self._indicators()["year"], None)
        # Every cluster's leaders in one pass (once per store version and year), then this cluster's.
        every = self.reader.cached(("leaders", year, top), lambda con: leading_firms(con, None, int(year), top))
        frame = every[every["cluster_id"] == cluster_id].drop(columns="cluster_id")
        names = self._regions()
        frame = frame.assign(city_zh=frame["city_code"].map(names),
                             origin_zh=frame["origin"].map(lambda o: ORIGINS[o][0]),
                             origin_en=frame["origin"].map(lambda o: ORIGINS[o][1]))
        frame = frame[[self.scope.allows_region(c) for c in frame["city_code"]]]
        return _records(frame)

    def _evaluation_block(self, mine: pd.DataFrame, year) -> dict | None:
        from ..evaluation.typology import TYPES_ZH

        if not len(mine):
            return None
        province = mine[mine["region_code"] == HOME_PROVINCE_CODE]
        this = province[province["year"] == year]
        history = [{"year": int(r.year), "score": float(r.score), "rank": int(r.rank), "type": r.type}
                   for r in province.sort_values("year").itertuples()]
        if this.empty:
            return {"history": history}
        row = this.iloc[0]
        return {"type": row["type"], "type_zh": TYPES_ZH.get(row["type"]), "score": float(row["score"]),
                "rank": int(row["rank"]), "rank_p05": json_scalar(row["rank_p05"]),
                "rank_p95": json_scalar(row["rank_p95"]), "dimension_scores": _parsed(row["dimension_scores"]),
                "type_probability": _parsed(row["type_probability"]), "weakest_dimension": row["weakest_dimension"],
                "explanation_zh": row["explanation_zh"], "explanation_en": row["explanation_en"],
                "history": history}

    def _headline(self, indicators: pd.DataFrame, year) -> list[dict]:
        catalogue = self._catalogue()
        region = HOME_PROVINCE_CODE if self.scope.allows_region(HOME_PROVINCE_CODE) else None
        out = []
        for indicator_id in HEADLINE_INDICATORS:
            spec = catalogue.get(indicator_id)
            rows = indicators[(indicators["indicator"] == indicator_id) & (indicators["region_code"] == region)]
            series = [{"year": int(r.year), "value": json_scalar(r.value)} for r in rows.sort_values("year").itertuples()]
            value = next((point["value"] for point in series if point["year"] == year), None)
            out.append({"indicator": indicator_id, "name_zh": getattr(spec, "name_zh", indicator_id),
                        "name_en": getattr(spec, "name_en", indicator_id), "unit": getattr(spec, "unit", None),
                        "value": value, "series": series})
        return out

    def _all_strength(self) -> pd.DataFrame:
        """The strength flags of every cluster, region and year (``jiqun.metrics.store_strength``)."""
        from ..metrics import store_strength

        return self.reader.cached(("strength",), lambda con: store_strength(con).to_pandas())

    def _strength(self, cluster_id: str, year) -> list[dict]:
        frame = self._all_strength()
        rows = frame[(frame["cluster"] == cluster_id) & (frame["year"] == year)]
        rows = rows[[self.scope.allows_region(r) for r in rows["region"]]]
        names = self._regions()
        rows = rows.assign(region_zh=rows["region"].map(names)).sort_values("lq", ascending=False)
        return _records(rows[["region", "region_zh", "employment", "lq", "strong", "significant", "star_size",
                              "star_specialisation", "star_focus"]])

    def _all_alerts(self) -> pd.DataFrame:
        from ..metrics import store_alerts

        return self.reader.cached(("alerts",), lambda con: store_alerts(con, con.table("indicator_results"))
                                  .to_pandas())

    def alerts(self, year: int | None = None) -> dict:
        """The alerts that fire in a year (default: the latest with results) over every cluster and region
        the reader may see, with the cluster's and the city's names and each alert's evidence.

        Returns
        -------
        dict
            ``year``, ``alerts`` (``cluster_id, cluster_zh, cluster_en, alert, name_zh, name_en, region_code,
            region_zh, indicator, value, evidence``) and ``counts`` ({alert: number}).
        """
        frame = self._all_alerts()
        frame = frame[frame["cluster_id"].isin(self.cluster_ids()) | (frame["cluster_id"] == "all")]
        chosen = self._year(frame["year"] if len(frame) else self._indicators()["year"], year)
        rows = frame[frame["year"] == chosen]
        rows = rows[[self.scope.allows_region(r) for r in rows["region_code"]]]
        clusters = self._clusters().set_index("cluster_id")
        rows = rows.assign(region_zh=rows["region_code"].map(self._regions()),
                           cluster_zh=rows["cluster_id"].map(clusters["name_zh"]),
                           cluster_en=rows["cluster_id"].map(clusters["name_en"]))
        rows = rows.sort_values(["alert", "cluster_id", "region_code", "indicator"], kind="stable")
        keep = ["cluster_id", "cluster_zh", "cluster_en", "alert", "name_zh", "name_en", "region_code", "region_zh",
                "indicator", "value", "evidence"]
        return {"year": chosen, "alerts": _records(rows[keep]),
                "counts": {key: int(n) for key, n in rows["alert"].value_counts().sort_index().items()},
                "talent": self._talent_alerts(chosen)}

    def _talent_alerts(self, year) -> list[dict]:
        """The year's poaching alerts between cities (:func:`jiqun.talent.talent_alerts`), [] without moves."""
        from ..talent import move_years

        if year is None or int(year) not in self.reader.cached(("talent_years",), move_years):
            return []
        return [record for record in self.talent_lists("alerts", year=int(year))["records"]
                if self.scope.allows_region(record["region"])]

    def _alerts(self, cluster_id: str, year) -> list[dict]:
        frame = self._all_alerts()
        rows = frame[(frame["cluster_id"] == cluster_id) & (frame["year"] == year)]
        rows = rows[[self.scope.allows_region(r) for r in rows["region_code"]]]
        names = self._regions()
        rows = rows.assign(region_zh=rows["region_code"].map(names))
        return _records(rows[["alert", "name_zh", "name_en", "region_code", "region_zh", "indicator", "value",
                              "evidence"]])

    def city_map(self, indicator: str = "output_value", cluster_id: str | None = None, year: int | None = None) -> dict:
        """One indicator of one cluster (default: the first the reader may see; ``all`` for the
        whole-economy indicators) in each of the 13 cities in a year — the data of the province map.

        Returns
        -------
        dict
            ``indicator``, ``name_zh``, ``name_en``, ``unit``, ``cluster_id``, ``year``, ``cities`` (one dict
            per city: ``region``, ``name_zh``, ``value``, None where the store has no value), ``indicators``
            and ``years`` (the valid choices).
        """
        catalogue = self._catalogue()
        city_level = [i for i, spec in catalogue.items() if "city" in getattr(spec, "levels", ())]
        if indicator not in city_level:
            raise NotFound("indicator", indicator, city_level)
        if cluster_id is None:
            cluster_id = self.cluster_ids()[0] if self.cluster_ids() else "all"
        if cluster_id != "all":
            self._check_cluster(cluster_id)
        elif self.scope.clusters is not None:
            raise NotFound("cluster", cluster_id, self.cluster_ids())
        indicators = self._indicators()
        rows = indicators[(indicators["indicator"] == indicator) & (indicators["cluster_id"] == cluster_id)]
        chosen = self._year(rows["year"], year)
        rows = rows[rows["year"] == chosen]
        values = dict(zip(rows["region_code"], rows["value"]))
        names = self._regions()
        cities = [{"region": code, "name_zh": names.get(code, code), "value": json_scalar(values.get(code))}
                  for code in self.city_codes()]
        spec = catalogue[indicator]
        return {"indicator": indicator, "name_zh": spec.name_zh, "name_en": spec.name_en, "unit": spec.unit,
                "cluster_id": cluster_id, "year": chosen, "cities": cities, "indicators": city_level,
                "years": sorted(int(y) for y in set(indicators["year"]))}

    def weak_links(self, cluster_id: str | None = None) -> dict:
        """The weak links of the chain (of one cluster, or of every cluster the reader may see) in the
        province in the latest year: segment, rule, severity and the evidence in words."""
        from ..chains.chainmap import weak_links

        if cluster_id is not None:
            self._check_cluster(cluster_id)
        # Every cluster's weak links in one pass (once per store version), then the one asked for.
        frame = self.reader.cached(("weak_links",), lambda con: weak_links(con))
        frame = frame[[self.scope.allows_cluster(c) and (cluster_id is None or c == cluster_id)
                       for c in frame["cluster_id"]]]
        keep = ["cluster_id", "node_id", "name_zh", "year", "rule", "rule_zh", "rule_en", "severity", "value",
                "threshold", "n_firms", "evidence_zh", "evidence_en"]
        return {"cluster_id": cluster_id, "links": _records(frame.sort_values(["severity", "cluster_id"],
                                                                              ascending=[False, True])[keep])}

    def chokepoints(self, cluster_id: str) -> dict:
        """The cluster's chokepoint inventory (latest year): one record per item with class, priority,
        window and the rule that placed it (``jiqun.chokepoints.export.json_records``)."""
        self._check_cluster(cluster_id)
        return {"cluster_id": cluster_id, "items": [item for item in self._all_chokepoints()
                                                    if item["cluster"] == cluster_id]}

    def _all_chokepoints(self) -> list[dict]:
        from ..chokepoints import chokepoint_inventory
        from ..chokepoints.export import json_records

        # One inventory of every cluster (the priorities within a cluster do not depend on the others),
        # computed once per store version: a cluster page, the inventory page or a report reads its part.
        return self.reader.cached(("chokepoints",), lambda con: json_records(chokepoint_inventory(con)))

    def cluster_name(self, cluster_id: str) -> dict:
        """``cluster_id, name_zh, name_en`` of a cluster (NotFound when unknown or out of scope)."""
        row = self._check_cluster(cluster_id)
        return {"cluster_id": cluster_id, "name_zh": row["name_zh"], "name_en": row["name_en"]}

    def inventory(self, cluster_id: str | None = None, klass: str | None = None,
                  max_priority: int | None = None) -> dict:
        """The chokepoint inventory of every cluster the reader may see (or of one), filtered by class
        and by the cluster's priority, in the province's priority order, with the choices of the filters.

        Returns
        -------
        dict
            ``cluster_id, class, max_priority`` (the filters), ``items`` (records of
            :func:`jiqun.chokepoints.export.json_records` with ``cluster_zh``), ``classes`` and
            ``clusters`` (the valid filter values), ``counts`` (items per class before the class filter).
        """
        from ..chokepoints.classify import shipped_class_rules

        # The class ids of the shipped rules (the labels of the pages know these three).
        classes = [item_class.id for item_class in shipped_class_rules().classes]
        if cluster_id is not None:
            self._check_cluster(cluster_id)
        if klass is not None and klass not in classes:
            raise NotFound("class", klass, classes)
        if max_priority is not None and max_priority < 1:
            raise ValueError(f"max_priority must be 1 or more, not {max_priority}")
        visible = self.cluster_ids()
        names = dict(zip(self._clusters()["cluster_id"], self._clusters()["name_zh"]))
        items = [dict(item, cluster_zh=names.get(item["cluster"])) for item in self._all_chokepoints()
                 if item["cluster"] in visible and (cluster_id is None or item["cluster"] == cluster_id)
                 and (max_priority is None or item["priority"] <= max_priority)]
        counts = {k: sum(1 for item in items if item["class"] == k) for k in classes}
        items = [item for item in items if klass is None or item["class"] == klass]
        items.sort(key=lambda item: (item.get("priority_province") or 0, item["cluster"], item["priority"]))
        return {"cluster_id": cluster_id, "class": klass, "max_priority": max_priority, "items": items,
                "classes": list(classes), "clusters": visible, "counts": counts}

    def city_strength(self, year: int | None = None) -> dict:
        """Per city the strong clusters (强集群, US Cluster Mapping's rule) and the clusters' employment.

        Returns
        -------
        dict
            ``year`` and ``cities`` (one dict per city the reader may see: ``region, name_zh, n_strong,
            strong`` (cluster ids), ``employment``).
        """
        frame = self._all_strength()
        frame = frame[frame["cluster"].isin(self.cluster_ids())]
        chosen = self._year(frame["year"] if len(frame) else [], year)
        frame = frame[frame["year"] == chosen]
        names = self._regions()
        cities = []
        for code in self.city_codes():
            mine = frame[frame["region"] == code]
            strong = mine[mine["strong"].fillna(False).astype(bool)]
            cities.append({"region": code, "name_zh": names.get(code, code), "n_strong": int(len(strong)),
                           "strong": sorted(strong["cluster"]), "employment": json_scalar(mine["employment"].sum())})
        return {"year": chosen, "cities": cities}

    def loads(self) -> dict:
        """The store's loads with their provenance (file, table, rows, vintage, when), newest first."""

        def read(con):
            frame = con.table("loads").drop("user_name").order_by(ibis.desc("load_id")).to_pandas()
            frame["loaded_at"] = frame["loaded_at"].astype(str)
            return _records(frame)

        return {"loads": self.reader.cached(("loads",), read)}
