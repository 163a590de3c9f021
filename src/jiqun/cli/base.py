"""The ``jiqun`` app, its consoles and the helpers every command uses.

Exit status: 0 success, 2 refused input (nothing written), 1 other errors.
"""

from __future__ import annotations

from typing import Optional

import typer
from rich.console import Console

from .. import __version__, settings

app = typer.Typer(help="jiqun (集群): industrial-cluster observatory.", add_completion=False)
console = Console()
err_console = Console(stderr=True)


def setting_help(name: str) -> str:
    """The help text of a setting (from :data:`jiqun.settings.SETTINGS`)."""
    return next(s.help for s in settings.SETTINGS if s.name == name)


def db_option():
    """The ``--db`` option every store command takes."""
    return typer.Option(None, "--db", help=setting_help("db") + " [env: JIQUN_DB]")


def db_path(value: Optional[str]) -> str:
    """The store path: ``--db`` if given, else the ``db`` setting."""
    return value or settings.get("db")


def fail(message: str, code: int = 1) -> None:
    """Print one error line and exit with ``code``."""
    err_console.print(f"[bold red]error:[/] {message}")
    raise typer.Exit(code)



@app.callback(invoke_without_command=True)
def main(ctx: typer.Context,
         version: bool = typer.Option(False, "--version", help="Print the version and exit.")) -> None:
    """jiqun (集群): monitoring, evaluation and chain intelligence for industrial clusters."""
    if version:
        console.print(f"jiqun {__version__}")
        raise typer.Exit()
    if ctx.invoked_subcommand is None:
        console.print(ctx.get_help())
        raise typer.Exit()

