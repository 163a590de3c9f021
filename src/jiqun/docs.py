"""Generated documentation: the data model, the settings, the indicators and the CLI reference.

The library never imports the CLI: the CLI reference is rendered from the typer app (and its notes)
that the caller passes in — ``jiqun docs`` passes its own.
"""

from __future__ import annotations

from pathlib import Path
from typing import Callable

from .schema.docs import data_model_markdown
from .metrics.catalogue import indicators_markdown
from .settings import settings_markdown


def cli_commands(app) -> list[tuple[str, str, list[tuple[str, str]]]]:
    """(command, help, [(flags, help), ...]) for every command registered on the typer ``app``."""
    import inspect

    from typer.models import ArgumentInfo, OptionInfo

    def described(name, callback):
        params = []
        for pname, param in inspect.signature(callback).parameters.items():
            default = param.default
            if isinstance(default, OptionInfo):
                decls = [d for d in (default.param_decls or ()) if d.startswith("-")] or [
                    "--" + pname.replace("_", "-")]
                params.append((", ".join(f"`{d}`" for d in decls), default.help or ""))
            elif isinstance(default, ArgumentInfo):
                params.append((f"`{pname.upper()}`", default.help or ""))
        return name, inspect.getdoc(callback) or "", params

    out = []
    for info in app.registered_commands:
        out.append(described(info.name or info.callback.__name__.replace("_", "-"), info.callback))
    for group in app.registered_groups:  # a sub-app: its own callback (no subcommand), then its commands
        sub = group.typer_instance
        if sub.registered_callback is not None:
            out.append(described(group.name, sub.registered_callback.callback))
        for info in sub.registered_commands:
            name = info.name or info.callback.__name__.replace("_", "-")
            out.append(described(f"{group.name} {name}", info.callback))
    return out


def cli_markdown(app, notes: str = "") -> str:
    """Every command of the typer ``app`` with its options and help, after ``notes`` (checked by a test)."""
    lines = ["# Command line 命令行", "", "Generated from `jiqun.cli` by `jiqun docs`; do not edit by hand.", "",
             notes]
    for name, help_text, params in cli_commands(app):
        lines += [f"## `jiqun {name}`", "", help_text, ""]
        if params:
            lines += ["| option | help |", "|---|---|"]
            lines += [f"| {flags} | {text.replace('|', '/')} |" for flags, text in params]
            lines.append("")
    return "\n".join(lines).rstrip() + "\n"


#: Pages generated from the library's own declarations, by file name.
LIBRARY_PAGES: dict[str, Callable[[], str]] = {
    "data-model.md": data_model_markdown,
    "settings.md": settings_markdown,
    "indicators.md": indicators_markdown,
}


def generated_pages(cli_app=None, cli_notes: str = "") -> dict[str, Callable[[], str]]:
    """Renderers of every generated page by file name; ``cli.md`` only when a CLI app is given."""
    pages = dict(LIBRARY_PAGES)
    if cli_app is not None:
        pages["cli.md"] = lambda: cli_markdown(cli_app, cli_notes)
    return pages


def write_docs(out: Path, cli_app=None, cli_notes: str = "") -> list[Path]:
    """Write every generated page into ``out`` (``cli.md`` from ``cli_app`` when given); return the paths."""
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for name, render in generated_pages(cli_app, cli_notes).items():
        path = out / name
        path.write_text(render(), encoding="utf-8")
        written.append(path)
    return written
