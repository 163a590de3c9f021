"""Routes of the chain page (产业链), its segments, shock scenarios run in the background and their job
pages — thin calls of :class:`jiqun.query.Query` registered on the app by :func:`add_chain_routes`."""

from __future__ import annotations

import pandas as pd
from fastapi import FastAPI, Form, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse
from pydantic import BaseModel, Field

from ..excel import Column
from ..query import NotFound
from ..query.jobs import Jobs
from . import chain_html
from .downloads import chart_download, table_download
from .html import HTML


#: Columns of the segments download (CSV / XLSX).
SEGMENT_DOWNLOAD = [
    Column("node_id", "环节编号", "code"), Column("name_zh", "环节"), Column("stage_zh", "阶段"),
    Column("weakness", "短板程度", "integer", "0 = 无短板"), Column("reasons_zh", "短板原因"),
    Column("n_local_firms", "省内企业数", "integer"), Column("capacity_yuan", "本地产能", "money_yi"),
    Column("purchases_yuan", "集群企业采购额", "money_yi"),
    Column("local_supporting_rate_province", "省内配套率", "share"),
    Column("local_supporting_rate_city", "市内配套率", "share"), Column("import_share", "进口占比", "share"),
    Column("top_import_country", "第一进口来源国", "code"), Column("n_suppliers", "供应商数", "integer"),
    Column("supplier_hhi", "供应商集中度HHI", "score"), Column("sales_yuan", "本环节企业销售额", "money_yi"),
    Column("n_patents", "相关专利申请", "integer"),
]


class ShockRequest(BaseModel):
    """A shock scenario: what fails and the share of its output lost."""

    remove: list[str] = Field(..., min_length=1, max_length=10,
                              description="segment:NODE_ID, country:ISO3, city:CODE or firm:USCC (firm-level access)")
    share: float = Field(1.0, gt=0, le=1, description="ψ, the share of the removed nodes' output lost, in (0, 1]")


def add_chain_routes(app: FastAPI, query, answer, reader, errors: dict, year, lang) -> Jobs:
    """Register the chain routes; returns the app's background :class:`Jobs`."""
    jobs = Jobs()
    app.state.jobs = jobs

    @app.get("/api/clusters/{cluster_id}/chain", responses=errors, tags=["chains"])
    def chain(request: Request, cluster_id: str, year: int | None = year):
        """The cluster's chain: segments with metrics and weakness, links with amounts, weak links."""
        return answer(request, lambda: query(request).chain(cluster_id, year))

    @app.get("/api/clusters/{cluster_id}/chain/segments/{node_id}", responses=errors, tags=["chains"])
    def segment(request: Request, cluster_id: str, node_id: str, year: int | None = year):
        """One segment: its figures, weak links, flows, and (firm-level access) firms, suppliers, firm flows."""
        return answer(request, lambda: query(request).segment(cluster_id, node_id, year))

    def start_shock(request: Request, cluster_id: str, remove: list[str], share: float):
        from ..chains.scenarios import check_share, parse_removal

        q = query(request)
        check_share(share)
        for text in remove:
            kind, values = parse_removal(text)
            if kind == "segment":  # refused now (404 with the segments), not as a failed job later
                segments = [node["node_id"] for node in q.chain(cluster_id)["nodes"]]
                if values[0] not in segments:
                    raise NotFound("segment", values[0], segments)
        key = ("shock", cluster_id, tuple(remove), float(share))
        title = f"{q.cluster_name(cluster_id)['name_zh']} · {' + '.join(remove)} · ψ = {share:g}"
        return jobs.submit("shock", title, lambda progress: reader.memo(
            key + (q.scope,), lambda: q.shock(cluster_id, remove, share, progress)))

    @app.post("/api/clusters/{cluster_id}/shock", status_code=202, responses=errors, tags=["chains"])
    def shock(request: Request, cluster_id: str, scenario: ShockRequest):
        """Start a shock scenario in the background: 202 with the job's id; poll ``/api/jobs/{job_id}``."""
        job = start_shock(request, cluster_id, scenario.remove, scenario.share)
        return JSONResponse({"job_id": job.job_id, "status_url": f"/api/jobs/{job.job_id}"}, status_code=202)

    def find_job(job_id: str):
        job = jobs.get(job_id)
        if job is None:
            raise NotFound("job", job_id, jobs.ids())
        return job

    @app.get("/api/jobs/{job_id}", responses=errors, tags=["jobs"])
    def job_status(job_id: str) -> dict:
        """A background job's state, progress and, once done, its result."""
        return find_job(job_id).as_dict()

    _pages(app, query, answer, start_shock, find_job, year, lang)
    return jobs


def _pages(app: FastAPI, query, answer, start_shock, find_job, year, lang) -> None:
    @app.get("/clusters/{cluster_id}/chain", response_class=HTMLResponse, include_in_schema=False)
    def chain_page(request: Request, cluster_id: str, year: int | None = year, lang: str = lang,
                   segment: str | None = None):
        def page():
            q = query(request)
            data = q.chain(cluster_id, year)
            detail = q.segment(cluster_id, segment, data["year"]) if segment else None
            return chain_html.chain_page(data, detail, lang, q.cluster_name(cluster_id))

        return answer(request, page, HTML)

    @app.get("/clusters/{cluster_id}/chain/segments.{fmt}", include_in_schema=False)
    def segments_download(request: Request, cluster_id: str, fmt: str, year: int | None = year):
        data = query(request).chain(cluster_id, year)
        frame = pd.DataFrame([{**n["metrics"], "node_id": n["node_id"], "name_zh": n["name_zh"],
                               "stage_zh": n["stage_zh"], "weakness": n["weakness"], "reasons_zh": n["reasons_zh"]}
                              for n in data["nodes"]])
        return table_download(frame, SEGMENT_DOWNLOAD, fmt, f'chain_{cluster_id}_{data["year"]}',
                              f'{cluster_id} 产业链环节 {data["year"]}', [f'{data.get("scope_zh", "")} · jiqun'])

    @app.get("/clusters/{cluster_id}/chain/charts/{chart}.{fmt}", include_in_schema=False)
    def chain_chart(request: Request, cluster_id: str, chart: str, fmt: str, year: int | None = year,
                    lang: str = lang):
        if chart != "chain-graph":
            raise NotFound("chart", chart, ["chain-graph"])
        data = query(request).chain(cluster_id, year)
        return chart_download(chain_html.chain_svg(data, lang), fmt, f'chain_{cluster_id}_{data["year"]}')

    @app.post("/clusters/{cluster_id}/shock", include_in_schema=False)
    async def shock_form(request: Request, cluster_id: str, remove: str = Form(...), share: float = Form(1.0),
                         lang: str = Form("zh")):
        lang = lang if lang in ("zh", "en") else "zh"
        job = await run_in_threadpool(start_shock, request, cluster_id, [remove], share)
        suffix = "?lang=en" if lang == "en" else ""
        return RedirectResponse(f"/jobs/{job.job_id}{suffix}", status_code=303)

    @app.get("/jobs/{job_id}", response_class=HTMLResponse, include_in_schema=False)
    def job_page(job_id: str, lang: str = lang):
        return HTMLResponse(chain_html.job_page(find_job(job_id).as_dict(), lang))
