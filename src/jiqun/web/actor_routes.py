"""The firms, promotion organisations, policy and talent pages (企业梯度 · 促进机构 · 政策组合 · 人才流动), their
JSON twins under ``/api`` and their CSV/XLSX downloads — thin calls of :class:`jiqun.query.Query`."""

from __future__ import annotations

from html import escape

import pandas as pd
from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse

from ..excel import Column, shown_frame
from ..firms.export import LADDER_COLUMNS, TIER_COLUMNS
from ..organizations.export import POOL_COLUMNS, RANKING_COLUMNS, improvement_text
from ..policy.export import COLUMNS as POLICY_COLUMNS
from ..talent.export import COLUMNS as TALENT_COLUMNS
from .downloads import table_download
from .html import HTML, downloads_line, link_to, page_html, table_html
from .labels import label

#: Rows shown on a page (the downloads hold every row).
PAGE_ROWS = 300
ORGANIZATION_LEVEL_COLUMNS = [Column("organization_id", "机构编号", "code"), Column("indicator", "指标", "code"),
                              Column("value", "数值", "decimal"), Column("level", "达到水平", "code"),
                              Column("bronze", "铜牌线", "decimal"), Column("silver", "银牌线", "decimal"),
                              Column("gold", "金牌线", "decimal"), Column("source", "门槛来源")]


def _columns(kind: str, view: str) -> list[Column]:
    if kind == "firms":
        return LADDER_COLUMNS if view == "ladder" else TIER_COLUMNS
    if kind == "organizations":
        return {"ranking": RANKING_COLUMNS, "pool": POOL_COLUMNS, "levels": ORGANIZATION_LEVEL_COLUMNS}[view]
    return (POLICY_COLUMNS if kind == "policy" else TALENT_COLUMNS)[view]


def _frame(kind: str, data: dict) -> pd.DataFrame:
    frame = pd.DataFrame(data["records"])
    if kind == "organizations" and data["view"] == "ranking" and len(frame):
        frame["improvement_text"] = [improvement_text(items) for items in frame.improvement]
    return frame


def _table(kind: str, data: dict, lang: str) -> str:
    frame = _frame(kind, data)
    if frame.empty:
        return f'<p class="note">{escape(label("no_records", lang))}</p>'
    if kind == "firms" and not data.get("firm_level", True):
        columns = [Column("cluster_id", "集群编号", "code"), Column("tier", "梯度", "code"),
                   Column("n_firms", "企业数", "integer")]
    else:
        columns = [column for column in _columns(kind, data["view"]) if column.field in frame]
    shown = shown_frame(frame.head(PAGE_ROWS), columns)
    rows = [[escape("—" if value is None or value != value else
                    (f"{value:,.2f}" if isinstance(value, float) else str(value))) for value in row]
            for row in shown.itertuples(index=False)]
    numeric = {i for i, column in enumerate(columns) if column.kind not in ("text", "code", "flag")}
    total = data.get("n_records", len(frame))
    more = (f'<p class="note">{total:,} {escape(label("records", lang))}'
            + (f" (≤ {min(PAGE_ROWS, len(frame))})" if total > min(PAGE_ROWS, len(frame)) else "") + "</p>")
    return more + table_html(list(shown.columns), rows, numeric, css_id=f"{kind}-table")


def _form(kind: str, data: dict, lang: str, options: dict[str, list[str]]) -> str:
    fields = "".join(
        f'<label>{escape(label(name if name != "cluster" else "cluster_filter", lang))} <select name="{name}">'
        + "".join(f'<option value="{value}"{" selected" if str(data.get(name)) == value else ""}>'
                  f'{escape(label(f"{name}_{value}", lang) if name in ("view", "level", "staff") else value)}</option>'
                  for value in values) + "</select></label> "
        for name, values in options.items())
    hidden = '<input type="hidden" name="lang" value="en">' if lang == "en" else ""
    return (f'<form id="{kind}-form" method="get" action="/{kind}">{hidden}{fields}'
            f'<button type="submit">{escape(label("show", lang))}</button></form>')


def actor_page(kind: str, data: dict, lang: str, options: dict[str, list[str]], params: dict) -> str:
    """The page of one of the four kinds: the choice of view, the table, the downloads and the method note."""
    note = label("firms_counts_only" if kind == "firms" and not data.get("firm_level", True) else f"{kind}_note", lang)
    query = "&".join(f"{k}={v}" for k, v in params.items() if v is not None)
    body = (_form(kind, data, lang, options) + f'<p class="note">{escape(note)}</p>'
            + _table(kind, data, lang)
            + downloads_line(lang, {label(kind, lang): f"/{kind}?{query}"}, {}))
    title = f'{label(kind, lang)} · {label("view_" + data["view"], lang)} · {data["year"]}'
    return page_html(title, body, lang, f"/{kind}", link_to(f"/api/{kind}", "zh", **params), **params)


def add_actor_routes(app: FastAPI, query, answer, errors: dict, year, lang) -> None:
    """Register the four pages, their JSON twins and downloads."""

    def build(kind: str, q, params: dict, limit: int | None = 500) -> dict:
        if kind == "firms":
            return q.firm_lists(params["view"] or "candidates", params.get("cluster"), params.get("year"), limit)
        if kind == "organizations":
            return q.organization_lists(params["view"] or "ranking", params.get("year"))
        if kind == "policy":
            return q.policy_lists(params["view"] or "overlaps", params.get("year"))
        return q.talent_lists(params["view"] or "flows", params.get("level") or "city", params.get("staff") or "all",
                              params.get("cluster"), params.get("year"))

    def options(kind: str, q, data: dict) -> dict[str, list[str]]:
        chosen = {"view": data["views"]}
        if kind in ("firms", "talent"):
            chosen["cluster"] = ["all", *q.cluster_ids()]
        if kind == "talent":
            chosen["level"] = ["city", "firm"] if q.scope.firm_level else ["city"]
            chosen["staff"] = ["all", "senior", "technical"]
        chosen["year"] = [str(y) for y in data["years"]]
        return chosen

    for kind in ("firms", "organizations", "policy", "talent"):
        _register(app, kind, query, answer, errors, year, lang, build, options)


def _register(app, kind, query, answer, errors, year, lang, build, options) -> None:
    summary = {"firms": "MIIT tier candidates, near misses and ladder moves of the cluster firms, each candidate "
                        "with every criterion (met, missed or not assessable), its value, threshold and source.",
               "organizations": "The cluster promotion organisations: score and rank interval (the cluster "
                                "evaluation), tier with its rule, improvement areas; the pool; indicator levels.",
               "policy": "The policy mix of the policies in force: matrix, overlaps, gaps, province–city alignment, "
                         "budgets, keyword suggestions.",
               "talent": "Talent flows between cities or firms, poaching pairs, communities and alerts (small "
                         "cells blanked)."}[kind]

    def params_of(view, cluster, level, staff, chosen_year) -> dict:
        return {"view": view, "cluster": cluster if cluster not in ("", "all") else None, "level": level,
                "staff": staff, "year": chosen_year}

    @app.get(f"/api/{kind}", responses=errors, tags=["actors"], summary=summary, name=f"api_{kind}")
    def api(request: Request, view: str | None = None, cluster: str | None = None, level: str | None = None,
            staff: str | None = None, year: int | None = year):
        params = params_of(view, cluster, level, staff, year)
        return answer(request, lambda: build(kind, query(request), params))

    @app.get(f"/{kind}", response_class=HTMLResponse, include_in_schema=False, name=f"page_{kind}")
    def page(request: Request, view: str | None = None, cluster: str | None = None, level: str | None = None,
             staff: str | None = None, year: int | None = year, lang: str = lang):
        params = params_of(view, cluster, level, staff, year)

        def html():
            q = query(request)
            data = build(kind, q, params)
            shown = {key: value for key, value in {**params, "view": data["view"], "year": data["year"]}.items()
                     if value is not None}
            return actor_page(kind, data, lang, options(kind, q, data), shown)

        return answer(request, html, HTML)

    @app.get(f"/{kind}.{{fmt}}", include_in_schema=False, name=f"download_{kind}")
    def download(request: Request, fmt: str, view: str | None = None, cluster: str | None = None,
                 level: str | None = None, staff: str | None = None, year: int | None = year):
        data = build(kind, query(request), params_of(view, cluster, level, staff, year), limit=None)
        frame = _frame(kind, data)
        columns = [column for column in _columns(kind, data["view"]) if column.field in frame]
        return table_download(frame.reindex(columns=[c.field for c in columns]), columns, fmt,
                              f'{kind}_{data["view"]}_{data["year"]}', f'{label(kind, "zh")} {data["year"]}',
                              ["方法见 docs/actors.md"])
