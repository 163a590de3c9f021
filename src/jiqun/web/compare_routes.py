"""Routes of the comparison page (对比) and the chokepoint inventory page (卡脖子清单), their JSON twins
and downloads — thin calls of :class:`jiqun.query.Query` registered by :func:`add_compare_routes`."""

from __future__ import annotations

import pandas as pd
from fastapi import FastAPI, Query as Param, Request
from fastapi.responses import HTMLResponse

from ..chokepoints.export import INVENTORY_COLUMNS
from ..excel import Column
from ..query import NotFound
from . import compare_html
from .downloads import chart_download, table_download
from .html import HTML

KIND = Param("clusters", pattern="^(clusters|cities)$", description="clusters (in the province) or cities")
IDS = Param(None, description="Comma-separated cluster ids, or city codes or names (at most 10; default: five)")
CLASS = Param(None, alias="class", description="fully_dependent, lagging or rd_base (default: every class)")
# Text, so that the page form's empty field means "no limit" rather than a bad number.
MAX_PRIORITY = Param(None, pattern=r"^\d{0,5}$", description="Only items of at most this priority within their "
                     "cluster (empty: every item)")


def _ids(text: str | None) -> list[str]:
    return [part for part in (text or "").replace("，", ",").split(",") if part.strip()]


def _blank(text: str | None) -> str | None:
    return text or None


def _number(text: str | None) -> int | None:
    return int(text) if text else None


def add_compare_routes(app: FastAPI, query, answer, errors: dict, year, lang) -> None:
    """Register the comparison and inventory routes (API, pages, downloads)."""

    @app.get("/api/compare", responses=errors, tags=["clusters"])
    def compare(request: Request, kind: str = KIND, ids: str | None = IDS, year: int | None = year):
        """Up to ten clusters or cities side by side, with each one's cluster portfolio."""
        return answer(request, lambda: query(request).compare(kind, _ids(ids), year))

    @app.get("/api/chokepoints", responses=errors, tags=["chokepoints"])
    def inventory(request: Request, cluster: str | None = None, klass: str | None = CLASS,
                  max_priority: str | None = MAX_PRIORITY):
        """The chokepoint inventory of the province (or one cluster), filtered by class and priority."""
        return answer(request, lambda: query(request).inventory(_blank(cluster), _blank(klass), _number(max_priority)))

    @app.get("/compare", response_class=HTMLResponse, include_in_schema=False)
    def compare_page(request: Request, kind: str = KIND, ids: str | None = IDS, year: int | None = year,
                     lang: str = lang):
        return answer(request, lambda: compare_html.compare_page(query(request).compare(kind, _ids(ids), year), lang),
                      HTML)

    @app.get("/compare.{fmt}", include_in_schema=False)
    def compare_download(request: Request, fmt: str, kind: str = KIND, ids: str | None = IDS,
                         year: int | None = year):
        data = query(request).compare(kind, _ids(ids), year)
        rows = [{"id": item["id"], "name_zh": item["name_zh"], **item["values"],
                 **{key: item.get(key) for key in ("type_zh", "score", "rank", "rank_p05", "rank_p95", "n_strong")}}
                for item in data["items"]]
        columns = [Column("id", "编号", "code"), Column("name_zh", "名称")]
        for spec in data["indicators"]:
            kind_of = {"yuan": "money_yi", "ratio": "share"}.get(spec["unit"], "decimal")
            columns.append(Column(spec["indicator"], spec["name_zh"], kind_of, spec["name_en"]))
        columns += [Column("type_zh", "类型"), Column("score", "总分", "score"), Column("rank", "排名", "integer"),
                    Column("rank_p05", "排名90%区间下限", "integer"), Column("rank_p95", "排名90%区间上限", "integer"),
                    Column("n_strong", "强集群个数", "integer")]
        frame = pd.DataFrame(rows)
        columns = [c for c in columns if c.field in frame.columns]  # a city comparison has fewer figures
        return table_download(frame, columns, fmt, f'compare_{data["kind"]}_{data["year"]}',
                              f'对比 {data["year"]}')

    @app.get("/compare/charts/{chart}.{fmt}", include_in_schema=False)
    def compare_chart(request: Request, chart: str, fmt: str, kind: str = KIND, ids: str | None = IDS,
                      year: int | None = year, lang: str = lang):
        charts = compare_html.portfolio_svgs(query(request).compare(kind, _ids(ids), year), lang)
        if chart not in charts:
            raise NotFound("chart", chart, list(charts))
        return chart_download(charts[chart], fmt, chart)

    @app.get("/chokepoints", response_class=HTMLResponse, include_in_schema=False)
    def inventory_page(request: Request, cluster: str | None = None, klass: str | None = CLASS,
                       max_priority: str | None = MAX_PRIORITY, lang: str = lang):
        return answer(request, lambda: compare_html.inventory_page(
            query(request).inventory(_blank(cluster), _blank(klass), _number(max_priority)), lang), HTML)

    @app.get("/chokepoints.{fmt}", include_in_schema=False)
    def inventory_download(request: Request, fmt: str, cluster: str | None = None, klass: str | None = CLASS,
                           max_priority: str | None = MAX_PRIORITY):
        data = query(request).inventory(_blank(cluster), _blank(klass), _number(max_priority))
        frame = pd.DataFrame(data["items"]).rename(columns={"cluster": "cluster_id", "product": "hs6"})
        frame = frame.reindex(columns=[c.field for c in INVENTORY_COLUMNS])
        return table_download(frame, INVENTORY_COLUMNS, fmt, "chokepoints", "卡脖子技术攻关清单",
                              ["方法与规则见 docs/chokepoints.md"])

    @app.get("/chokepoints/charts/{chart}.{fmt}", include_in_schema=False)
    def inventory_chart(request: Request, chart: str, fmt: str, cluster: str | None = None,
                        klass: str | None = CLASS, max_priority: str | None = MAX_PRIORITY, lang: str = lang):
        if chart != "position":
            raise NotFound("chart", chart, ["position"])
        data = query(request).inventory(_blank(cluster), _blank(klass), _number(max_priority))
        return chart_download(compare_html.position_svg(data, lang), fmt, "chokepoint_position")
