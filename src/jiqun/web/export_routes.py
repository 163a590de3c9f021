"""Downloads of the overview and the cluster page (导出), and the alerts' JSON twin: the clusters and
alerts tables as CSV/XLSX, the city map and the radars as SVG/PNG — thin calls of :class:`jiqun.query.Query`
registered by :func:`add_export_routes`."""

from __future__ import annotations

import pandas as pd
from fastapi import FastAPI, Request

from ..excel import Column
from ..query import NotFound
from . import html
from .downloads import chart_download, table_download

CLUSTER_COLUMNS = [
    Column("rank", "排名", "integer"), Column("cluster_id", "集群编号", "code"), Column("name_zh", "集群"),
    Column("type_zh", "类型"), Column("score", "总分", "score"), Column("rank_p05", "排名90%区间下限", "integer"),
    Column("rank_p95", "排名90%区间上限", "integer"), Column("score_change", "较上年", "score"),
    Column("weakest_dimension", "短板维度", "code"), Column("explanation_zh", "分类依据"),
]
ALERT_COLUMNS = [
    Column("cluster_id", "集群编号", "code"), Column("cluster_zh", "集群"), Column("alert", "预警规则", "code"),
    Column("name_zh", "预警"), Column("region_code", "地区代码", "code"), Column("region_zh", "地区"),
    Column("indicator", "指标", "code"), Column("value", "数值", "decimal"), Column("evidence", "依据"),
]


def add_export_routes(app: FastAPI, query, answer, errors: dict, year, lang) -> None:
    """Register ``/api/alerts`` and the overview's and cluster page's downloads."""

    @app.get("/api/alerts", responses=errors, tags=["clusters"])
    def alerts(request: Request, year: int | None = year):
        """The alerts that fire in a year over every cluster and city, with their evidence."""
        return answer(request, lambda: query(request).alerts(year))

    @app.get("/clusters.{fmt}", include_in_schema=False)
    def clusters_download(request: Request, fmt: str, year: int | None = year):
        data = query(request).clusters(year)
        return table_download(pd.DataFrame(data["clusters"]), CLUSTER_COLUMNS, fmt, f'clusters_{data["year"]}',
                              f'重点集群评价 {data["year"]}')

    @app.get("/alerts.{fmt}", include_in_schema=False)
    def alerts_download(request: Request, fmt: str, year: int | None = year):
        data = query(request).alerts(year)
        return table_download(pd.DataFrame(data["alerts"], columns=[c.field for c in ALERT_COLUMNS]), ALERT_COLUMNS,
                              fmt, f'alerts_{data["year"]}', f'预警 {data["year"]}')

    @app.get("/charts/city-map.{fmt}", include_in_schema=False)
    def city_map_chart(request: Request, fmt: str, indicator: str = "output_value", cluster: str | None = None,
                       year: int | None = year, lang: str = lang):
        q = query(request)
        data = q.city_map(indicator, cluster, year)
        svg = html.city_map_chart(data, q.clusters(None)["clusters"], lang)
        return chart_download(svg, fmt, f'city_map_{data["indicator"]}_{data["cluster_id"]}_{data["year"]}')

    @app.get("/clusters/{cluster_id}/charts/{chart}.{fmt}", include_in_schema=False)
    def cluster_chart(request: Request, cluster_id: str, chart: str, fmt: str, year: int | None = year,
                      lang: str = lang):
        q = query(request)
        data = q.cluster(cluster_id, year)
        evaluation = data.get("evaluation") or {}
        charts = {}
        if evaluation.get("dimension_scores"):
            charts["radar"] = lambda: html.radar_chart(evaluation, q.clusters(data["year"])["clusters"], lang)
        if data.get("world_class"):
            charts["world-radar"] = lambda: html.world_radar(data["world_class"], lang)
        if chart not in charts:
            raise NotFound("chart", chart, list(charts))
        return chart_download(charts[chart](), fmt, f'{cluster_id}_{chart}_{data["year"]}')
