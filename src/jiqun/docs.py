"""Generated documentation: the data model, the settings and the CLI reference."""

from __future__ import annotations

from pathlib import Path

from .schema.docs import data_model_markdown
from .metrics.catalogue import indicators_markdown
from .settings import settings_markdown


def cli_commands() -> list[tuple[str, str, list[tuple[str, str]]]]:
    """(command, help, [(flags, help), ...]) for every registered CLI command."""
    import inspect

    from typer.models import ArgumentInfo, OptionInfo

    from .cli import app

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


def cli_markdown() -> str:
    """Every CLI command with its options and help, from the typer app (checked by a test)."""
    from .cli.base import CLI_NOTES

    lines = ["# Command line 命令行", "", "Generated from `jiqun.cli` by `jiqun docs`; do not edit by hand.", "",
             CLI_NOTES]
    for name, help_text, params in cli_commands():
        lines += [f"## `jiqun {name}`", "", help_text, ""]
        if params:
            lines += ["| option | help |", "|---|---|"]
            lines += [f"| {flags} | {text.replace('|', '/')} |" for flags, text in params]
            lines.append("")
    return "\n".join(lines).rstrip() + "\n"


GENERATED = {
    "data-model.md": data_model_markdown,
    "settings.md": settings_markdown,
    "cli.md": cli_markdown,
    "indicators.md": indicators_markdown,
}


def write_docs(out: Path) -> list[Path]:
    """Write every generated page into ``out``; return the paths."""
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for name, render in GENERATED.items():
        path = out / name
        path.write_text(render(), encoding="utf-8")
        written.append(path)
    return written
