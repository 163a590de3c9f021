"""The web server (FastAPI): the REST API under ``/api`` and the pages, both thin calls of
:class:`jiqun.query.Query`.

Every page has a JSON twin (the ``/api`` path of the same data, linked from the page). Errors are JSON:
an unknown id or year is 404 with the valid choices, a bad parameter 422, a store that cannot be read
503, each with one clear ``error`` line. Nothing is loaded from the internet: the pages carry their own
styles, and FastAPI's documentation pages (which load from a CDN) are switched off; the OpenAPI spec
is at ``/api/openapi.json``.
"""

from __future__ import annotations

import json
from pathlib import Path

from fastapi import FastAPI, File, Form, Query as Param, Request, UploadFile
from fastapi.concurrency import run_in_threadpool
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, Response

from ..query import FULL_ACCESS, NotFound, Query, Scope, StoreReader
from ..store import StoreError
from . import html
from .html import HTML
from .actor_routes import add_actor_routes
from .chain_routes import add_chain_routes
from .compare_routes import add_compare_routes
from .export_routes import add_export_routes
from .report_routes import add_report_routes
from .upload import UploadRefused, fact_tables, load_upload


def create_app(db, scope: Scope = FULL_ACCESS) -> FastAPI:
    """The application serving the store at ``db`` (an existing jiqun store file).

    Parameters
    ----------
    db : str or Path
        The DuckDB store; it is read through short-lived read-only connections, so loads
        (``jiqun ingest``) can write it while the server runs.
    scope : Scope
        What every reader sees (default: everything; a later access-control layer passes each
        request's own scope).
    """
    reader = StoreReader(Path(db))
    app = FastAPI(title="jiqun 集群观察 API", version=_version(), openapi_url="/api/openapi.json",
                  docs_url=None, redoc_url=None,
                  description="Monitoring, evaluation and chain intelligence of Jiangsu's clusters. Every page "
                              "of the site has its JSON twin here.")
    app.state.reader = reader

    def query(request: Request) -> Query:
        return Query(reader, scope)

    def answer(request: Request, build, media_type: str = "application/json") -> Response:
        """The response body of this URL for the store's current version: built once (JSON as UTF-8
        numbers-as-numbers, pages as HTML), then served from memory until the next load."""
        key = ("response", scope, request.url.path, tuple(sorted(request.query_params.multi_items())))

        def body() -> bytes:
            value = build()
            if media_type == "application/json":
                return json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
            return value.encode("utf-8")

        return Response(reader.memo(key, body), media_type=media_type)

    app.state.answer = answer

    _errors(app)
    _api(app, query, answer, reader, scope)
    _pages(app, query, answer, reader, scope)
    jobs = add_chain_routes(app, query, answer, reader, ERRORS, YEAR, LANG)
    add_report_routes(app, query, jobs, ERRORS)
    add_export_routes(app, query, answer, ERRORS, YEAR, LANG)
    add_compare_routes(app, query, answer, ERRORS, YEAR, LANG)
    add_actor_routes(app, query, answer, ERRORS, YEAR, LANG)
    return app


def _chain_or_none(q: Query, cluster_id: str) -> dict | None:
    """The cluster's chain for its page, or None where the store has no transactions to draw it from."""
    from ..names import NameNotFound

    try:
        return q.chain(cluster_id)
    except (NotFound, NameNotFound):
        return None


def _version() -> str:
    from .. import _version as version

    return version.__version__


def _errors(app: FastAPI) -> None:
    @app.exception_handler(NotFound)
    async def not_found(request: Request, exc: NotFound):
        return JSONResponse({"error": str(exc), "kind": exc.kind, "choices": exc.choices}, status_code=404)

    @app.exception_handler(RequestValidationError)
    async def bad_parameter(request: Request, exc: RequestValidationError):
        problems = [f"{'.'.join(str(p) for p in e.get('loc', ()))}: {e.get('msg')}" for e in exc.errors()]
        return JSONResponse({"error": "bad parameter: " + "; ".join(problems)}, status_code=422)

    @app.exception_handler(StoreError)
    async def store_unavailable(request: Request, exc: StoreError):
        return JSONResponse({"error": str(exc)}, status_code=503)

    @app.exception_handler(ValueError)
    async def refused(request: Request, exc: ValueError):
        return JSONResponse({"error": str(exc)}, status_code=422)


_ERROR_BODY = {"application/json": {"schema": {"type": "object", "properties": {"error": {"type": "string"}},
                                                "required": ["error"]}}}
#: The error answers every endpoint documents.
ERRORS = {404: {"description": "Unknown cluster, segment, job or year (the valid choices are listed)",
                "content": _ERROR_BODY},
          422: {"description": "A bad parameter", "content": _ERROR_BODY},
          503: {"description": "The store cannot be opened", "content": _ERROR_BODY}}
YEAR = Param(None, ge=1949, le=2100, description="Year (default: the latest with results).")
LANG = Param("zh", pattern="^(zh|en)$", description="Page language: zh (default) or en.")


def _api(app: FastAPI, query, answer, reader, scope) -> None:
    @app.get("/api/health", responses=ERRORS, tags=["store"])
    def health(request: Request) -> dict:
        """The store the server reads and whether it opens."""
        reader = request.app.state.reader
        with reader.connection() as con:
            n = int(con.table("loads").count().execute())
        return {"status": "ok", "store": str(reader.path), "loads": n}

    @app.get("/api/clusters", responses=ERRORS, tags=["clusters"])
    def clusters(request: Request, year: int | None = YEAR) -> Response:
        """The 14 clusters with type, score, rank and its 90 % interval (province-level evaluation)."""
        return answer(request, lambda: query(request).clusters(year))

    @app.get("/api/clusters/{cluster_id}", responses=ERRORS, tags=["clusters"])
    def cluster(request: Request, cluster_id: str, year: int | None = YEAR) -> Response:
        """One cluster's page data: evaluation, headline indicators, strength by city, alerts."""
        return answer(request, lambda: query(request).cluster(cluster_id, year))

    @app.get("/api/clusters/{cluster_id}/chokepoints", responses=ERRORS, tags=["clusters"])
    def chokepoints(request: Request, cluster_id: str) -> Response:
        """The cluster's chokepoint inventory with the evidence of each item."""
        return answer(request, lambda: query(request).chokepoints(cluster_id))

    @app.get("/api/map", responses=ERRORS, tags=["clusters"])
    def city_map(request: Request, indicator: str = "output_value", cluster: str | None = None,
                 year: int | None = YEAR) -> Response:
        """One indicator of one cluster (default the first; ``all`` for whole-economy indicators) in each of
        the 13 cities: the province map's data."""
        return answer(request, lambda: query(request).city_map(indicator, cluster, year))

    @app.post("/api/loads", responses=ERRORS, tags=["store"])
    async def upload(request: Request, file: UploadFile = File(...), table: str = Form(...),
                     vintage: str | None = Form(None)) -> Response:
        """Load a file (CSV, XLSX, Parquet) into a table through validated ingest, all or nothing: 200 with
        what was loaded, or 422 with the error report (problems by row, column, value and rule)."""
        content = await file.read()
        try:
            result = await run_in_threadpool(load_upload, reader, scope, content, file.filename, table, vintage)
        except UploadRefused as exc:
            return JSONResponse(exc.report, status_code=422)
        except PermissionError as exc:
            return JSONResponse({"error": str(exc)}, status_code=403)
        return JSONResponse(result)

    @app.get("/api/loads", responses=ERRORS, tags=["store"])
    def loads(request: Request) -> Response:
        """The store's loads with their provenance, newest first."""
        return answer(request, lambda: query(request).loads())


def _pages(app: FastAPI, query, answer, reader, scope) -> None:
    @app.get("/", response_class=HTMLResponse, include_in_schema=False)
    def overview(request: Request, year: int | None = YEAR, lang: str = LANG, indicator: str = "output_value",
                 cluster: str | None = None):
        def page():
            q = query(request)
            clusters = q.clusters(year)
            first = clusters["clusters"][0]["cluster_id"] if clusters["clusters"] else None
            alerts = q.alerts(clusters["year"]) if clusters["year"] else None
            return html.overview_page(clusters, q.city_map(indicator, cluster or first, clusters["year"] or year), lang,
                                      alerts)

        return answer(request, page, HTML)

    @app.get("/clusters/{cluster_id}", response_class=HTMLResponse, include_in_schema=False)
    def cluster_page(request: Request, cluster_id: str, year: int | None = YEAR, lang: str = LANG):
        q = query(request)
        def page():
            data = q.cluster(cluster_id, year)
            peers = q.clusters(data["year"])["clusters"] if data.get("evaluation") else []
            return html.cluster_page(data, q.chokepoints(cluster_id), lang, peers, _chain_or_none(q, cluster_id))

        return answer(request, page, HTML)

    @app.get("/data", response_class=HTMLResponse, include_in_schema=False)
    def data_page(request: Request, lang: str = LANG):
        return answer(request, lambda: html.data_page(query(request).loads(), lang, fact_tables()), HTML)

    @app.post("/data", response_class=HTMLResponse, include_in_schema=False)
    async def data_upload(request: Request, file: UploadFile = File(...), table: str = Form(...),
                          vintage: str | None = Form(None), lang: str = Form("zh")):
        """The data page after an upload: what was loaded, or the error report."""
        lang = lang if lang in ("zh", "en") else "zh"
        content = await file.read()
        outcome, status = {}, 200
        try:
            outcome["loaded"] = await run_in_threadpool(load_upload, reader, scope, content, file.filename, table,
                                                        vintage or None)
        except UploadRefused as exc:
            outcome["refused"], status = exc.report, 422
        except (PermissionError, ValueError) as exc:
            outcome["refused"], status = {"error": str(exc), "problems": []}, 422
        loads = await run_in_threadpool(lambda: query(request).loads())
        return HTMLResponse(html.data_page(loads, lang, fact_tables(), outcome), status_code=status)
