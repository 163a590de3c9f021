"""``jiqun serve``: the web observatory and REST API on one store."""

from __future__ import annotations

from typing import Optional

import typer

from .base import app, console, db_option, db_path, fail


@app.command("serve")
def serve_command(
    host: str = typer.Option("127.0.0.1", "--host", help="Address to listen on (127.0.0.1: this computer only)."),
    port: int = typer.Option(8000, "--port", help="Port to listen on."),
    db: Optional[str] = db_option(),
) -> None:
    """Serve the web pages (Chinese first, English by a toggle) and the REST API (/api, OpenAPI spec at
    /api/openapi.json) of a store. Loads (jiqun ingest) may write the store while it runs.
    启动网页与接口服务。"""
    import uvicorn

    from ..store import StoreError
    from ..web import create_app

    if not 0 < port < 65536:
        fail(f"--port must be between 1 and 65535, not {port}", 2)
    store = db_path(db)
    try:
        application = create_app(store)
    except StoreError as exc:
        fail(str(exc), 2)
    console.print(f"jiqun serving {store} at http://{host}:{port}/  (API: /api, spec: /api/openapi.json; "
                  "Ctrl+C stops) 服务已启动")
    try:
        uvicorn.run(application, host=host, port=port, log_level="warning")
    except OSError as exc:
        fail(f"cannot listen on {host}:{port}: {exc.strerror or exc} — choose another --port", 2)
