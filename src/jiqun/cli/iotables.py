"""``jiqun io …``: input–output tables (投入产出表)."""

from __future__ import annotations

import typer

from .base import app

io_app = typer.Typer(help="Input–output tables: multipliers, linkages, import dependence. 投入产出分析。",
                     no_args_is_help=True)
app.add_typer(io_app, name="io")
