"""The figures `jiqun demo` prints: cities and clusters by revenue, and the competitiveness ranking."""

from __future__ import annotations

import ibis
from ibis import _

from ..marts import city_year, cluster_city_year
from ..schema.vocab import HOME_PROVINCE_CODE


def demo_summary(con) -> dict:
    """Headline figures of a loaded (and evaluated) store, latest firm year.

    Parameters
    ----------
    con : ibis connection
        A store with firm data (the demo's, or any other).

    Returns
    -------
    dict
        ``year``: latest year of ``firm_years`` (None when the store holds none);
        ``cities``: pandas DataFrame (``city_code``, ``name_zh`` (the code when unnamed), ``n_firms``,
        ``revenue_yuan``), one row per
        city in that year, largest revenue first;
        ``clusters``: pandas DataFrame (``cluster_id``, ``name_zh``, ``n_firms``, ``revenue_yuan``), one row
        per cluster summed over the cities, largest revenue first;
        ``evaluation_year``: latest year of the home province's ``evaluation_results`` (None when none);
        ``evaluation``: pandas DataFrame (``rank``, ``cluster_id``, ``name_zh``, ``score``, ``type``,
        ``rank_p05``, ``rank_p95``) of the clusters evaluated for the home province as a whole in that
        year, by rank;
        ``city_types``: {type: number of cluster × city units of that type} (leading, breakthrough,
        catch_up; types absent from the store count 0).
    """
    latest = con.table("firm_years").year.max().execute()
    year = None if latest is None or latest != latest else int(latest)
    region_names = con.table("regions").select(city_code="region_code", name_zh="name_zh")
    cluster_names = con.table("clusters").select("cluster_id", "name_zh")

    cities = (city_year(con).filter(_.year == year).join(region_names, "city_code", how="left")
              .select("city_code", "n_firms", "revenue_yuan", name_zh=ibis.coalesce(_.name_zh, _.city_code))
              .relocate("name_zh", after="city_code")
              .order_by([ibis.desc("revenue_yuan"), "city_code"]).execute())
    clusters = (cluster_city_year(con).filter(_.year == year).group_by("cluster_id")
                .aggregate(n_firms=_.n_firms.sum(), revenue_yuan=_.revenue_yuan.sum())
                .join(cluster_names, "cluster_id", how="left")
                .select("cluster_id", "n_firms", "revenue_yuan", name_zh=ibis.coalesce(_.name_zh, _.cluster_id))
                .relocate("name_zh", after="cluster_id")
                .order_by([ibis.desc("revenue_yuan"), "cluster_id"]).execute())

    results = con.table("evaluation_results")
    province = results.filter(results.region_code == HOME_PROVINCE_CODE)
    evaluated_latest = province.year.max().execute()
    evaluation_year = None if evaluated_latest is None or evaluated_latest != evaluated_latest else int(evaluated_latest)
    evaluation = (province.filter(province.year == evaluation_year).join(cluster_names, "cluster_id", how="left")
                  .select("rank", "cluster_id", "score", "type", "rank_p05", "rank_p95",
                          name_zh=ibis.coalesce(_.name_zh, _.cluster_id))
                  .relocate("name_zh", after="cluster_id")
                  .order_by(["rank", "cluster_id"]).execute())
    counts = results.filter(results.region_code != HOME_PROVINCE_CODE).type.value_counts().execute()
    by_type = dict(counts.values.tolist())
    return {
        "year": year,
        "cities": cities.reset_index(drop=True),
        "clusters": clusters.reset_index(drop=True),
        "evaluation_year": evaluation_year,
        "evaluation": evaluation.reset_index(drop=True),
        "city_types": {kind: int(by_type.get(kind, 0)) for kind in TYPES},
    }


#: Cluster types of the evaluation, in display order.
TYPES = ("leading", "breakthrough", "catch_up")
