"""``jiqun chain …``: industrial-chain maps, weak links, shocks and ESRI (产业链)."""

from __future__ import annotations

import typer

from .base import app

chain_app = typer.Typer(help="Industrial-chain maps, weak links, shock simulation and ESRI. 产业链图谱与冲击模拟。",
                        no_args_is_help=True)
app.add_typer(chain_app, name="chain")
