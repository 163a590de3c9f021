"""Reports (专报) from the web: a province or cluster report written in the background (a PDF takes
seconds), its progress on the job page, then its file — thin calls of :mod:`jiqun.reports`."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Literal

from fastapi import FastAPI, Form, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import FileResponse, JSONResponse, RedirectResponse
from pydantic import BaseModel

from ..query import NotFound

_TYPES = {"pdf": "application/pdf", "html": "text/html; charset=utf-8",
          "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}


class ReportRequest(BaseModel):
    """A report to write: the province's (no cluster) or one cluster's, in a language and format."""

    cluster: str | None = None
    lang: Literal["zh", "en"] = "zh"
    format: Literal["pdf", "html", "xlsx"] = "pdf"


def add_report_routes(app: FastAPI, query, jobs, errors: dict) -> None:
    """Register ``POST /api/reports``, the report form's ``POST /reports`` and ``/jobs/{id}/file``."""
    folder = Path(tempfile.mkdtemp(prefix="jiqun-reports-"))
    files: dict[str, Path] = {}

    def start(request: Request, cluster: str | None, lang: str, fmt: str):
        from ..reports import cluster_report, province_report, write_report

        q = query(request)
        name = q.cluster_name(cluster)["name_zh"] if cluster else "全省"  # an unknown cluster: 404 now

        def work(progress):
            progress(1, 2, "汇总报告内容", "assembling the report")
            report = cluster_report(q, cluster, None, lang) if cluster else province_report(q, None, lang)
            progress(2, 2, "排版输出文件", "typesetting the file")
            path = write_report(report, fmt, folder / progress.job_id / f"{cluster or 'province'}_{report.year}.{fmt}")
            files[progress.job_id] = path
            return {"title": report.title, "format": fmt, "file": path.name,
                    "download": f"/jobs/{progress.job_id}/file"}

        return jobs.submit("report", f"{name} · 专报 report ({fmt})", work)

    @app.post("/api/reports", status_code=202, responses=errors, tags=["reports"])
    def report(request: Request, asked: ReportRequest):
        """Write a report in the background: 202 with the job's id; poll ``/api/jobs/{job_id}``, then fetch
        the file from the result's ``download``."""
        job = start(request, asked.cluster, asked.lang, asked.format)
        return JSONResponse({"job_id": job.job_id, "status_url": f"/api/jobs/{job.job_id}"}, status_code=202)

    @app.post("/reports", include_in_schema=False)
    async def report_form(request: Request, cluster: str | None = Form(None), lang: str = Form("zh"),
                          format: str = Form("pdf")):
        asked = ReportRequest(cluster=cluster or None, lang=lang if lang in ("zh", "en") else "zh",
                              format=format if format in _TYPES else "pdf")
        job = await run_in_threadpool(start, request, asked.cluster, asked.lang, asked.format)
        return RedirectResponse(f"/jobs/{job.job_id}" + ("?lang=en" if asked.lang == "en" else ""), status_code=303)

    @app.get("/jobs/{job_id}/file", include_in_schema=False)
    def report_file(job_id: str):
        path = files.get(job_id)
        if path is None or not path.is_file():
            raise NotFound("report", job_id, sorted(files))
        return FileResponse(path, media_type=_TYPES[path.suffix[1:]], filename=path.name)
