"""The ``jiqun`` app, its consoles and the helpers every command uses.

Exit status: 0 success, 2 refused input (nothing written), 1 other errors.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Optional

import typer
from rich.console import Console
from rich.markup import escape
from typer.core import TyperGroup

from .. import settings
from .._version import __version__


class JiqunGroup(TyperGroup):
    """The app's command group: every error a command lets through becomes one line and an exit code.

    Usage errors (unknown option, bad value) exit 2; store errors (:class:`jiqun.store.StoreError`)
    and file errors (:class:`OSError`) exit 1 with their message; unknown names
    (:class:`jiqun.names.NameNotFound`) exit 2 with the valid choices; any other exception is
    unexpected: one line, the traceback in a log file, exit 1. ``--debug`` (or ``JIQUN_DEBUG=1``)
    lets every exception through with its traceback.
    """

    def parse_args(self, ctx: typer.Context, args: list[str]) -> list[str]:
        try:
            return super().parse_args(ctx, args)
        except typer.TyperException as exc:  # the app's own options (jiqun --bogus)
            if type(exc).__name__ == "NoArgsIsHelpError":
                raise
            report_error(exc)

    def invoke(self, ctx: typer.Context):
        try:
            return super().invoke(ctx)
        except (typer.Exit, typer.Abort, KeyboardInterrupt):
            raise
        except Exception as exc:  # noqa: BLE001  (the last-resort handler of the CLI)
            if debugging(ctx) or type(exc).__name__ == "NoArgsIsHelpError":
                raise
            report_error(exc)


#: How every command picks its store, reads names and reports errors (docs/cli.md, from `jiqun docs`).
CLI_NOTES = """\
**Which store.** `--db PATH`, else `JIQUN_DB`, else `./jiqun.duckdb`. When neither is given and
`./jiqun.duckdb` does not exist but the demo store does (`jiqun-demo/jiqun.duckdb`, setting
`demo_out`), the commands that read use the demo store and say so on stderr ("using the demo store
…"); `init` and `ingest` never do (real data never goes into the demo store). `--db` must be a
DuckDB file: a CSV, an Excel workbook, an empty file or a folder is refused by every command and left
untouched. Only `init`, `ingest` and `demo` create a store, and only under a name ending in
`.duckdb`; reading commands never create one. A store in use by another program is refused with
that program's PID and command line.

**Names.** `--cluster` takes an id or a Chinese or English name (`iot`, `物联网`, `Internet of
Things`); `--region` a code or a name, with or without 市/区/县 (`320500`, `苏州市`, `苏州`, `Suzhou`;
`province` / `全省` is Jiangsu); `--year` a year that has data. An unknown or ambiguous name is
refused with the closest matches and the valid values; `jiqun clusters` and `jiqun regions` list them.

**Errors.** Every error is one line on stderr beginning `error:` (what, where, how to fix, in
English and Chinese) and a non-zero exit status: 2 for refused input (nothing written), 1 for
anything else. An unexpected error says so, asks to be reported and writes its traceback to a
log file (`jiqun-error-*.log` in the temporary folder); `jiqun --debug COMMAND …` or `JIQUN_DEBUG=1`
shows the traceback instead.
"""

app = typer.Typer(help="jiqun (集群): industrial-cluster observatory.", add_completion=False, cls=JiqunGroup)
console = Console()
err_console = Console(stderr=True)


def setting_help(name: str) -> str:
    """The help text of a setting (from :data:`jiqun.settings.SETTINGS`)."""
    return next(s.help for s in settings.SETTINGS if s.name == name)


def db_option():
    """The ``--db`` option every store command takes."""
    return typer.Option(None, "--db", help=setting_help("db") + " [env: JIQUN_DB]")


def db_path(value: Optional[str], demo_fallback: bool = True) -> str:
    """The store path: ``--db`` if given, else the ``db`` setting (``JIQUN_DB``, default ./jiqun.duckdb).

    With ``demo_fallback``, when neither ``--db`` nor ``JIQUN_DB`` is given and ./jiqun.duckdb does not
    exist but the demo store (``demo_out``/jiqun.duckdb) does, the demo store is used, and stderr says
    so. Commands that load data pass ``demo_fallback=False``: real data never goes into the demo store.
    """
    if value:
        return value
    configured = settings.get("db")
    if not demo_fallback or os.environ.get("JIQUN_DB") or Path(configured).exists():
        return configured
    demo_store = Path(settings.get("demo_out")) / "jiqun.duckdb"
    if demo_store.is_file():
        err_console.print(f"using the demo store {escape(str(demo_store))} 使用演示数据库 (no {escape(configured)} "
                          "here; --db or JIQUN_DB chooses another store)", soft_wrap=True)
        return str(demo_store)
    return configured


def fail(message: str, code: int = 1) -> None:
    """Print one error line (line breaks of ``message`` folded, never wrapped) and exit with ``code``."""
    err_console.print(f"[bold red]error:[/] {escape(' '.join(str(message).split()))}", soft_wrap=True)
    raise typer.Exit(code)



@app.callback(invoke_without_command=True)
def main(ctx: typer.Context,
         version: bool = typer.Option(False, "--version", help="Print the version and exit."),
         debug: bool = typer.Option(False, "--debug", help="Show the full traceback of an unexpected error "
                                    "(also JIQUN_DEBUG=1). 显示错误详情。")) -> None:
    """jiqun (集群): monitoring, evaluation and chain intelligence for industrial clusters."""
    if version:
        console.print(f"jiqun {__version__}")
        raise typer.Exit()
    if ctx.invoked_subcommand is None:
        console.print(ctx.get_help())
        raise typer.Exit()



def debugging(ctx: typer.Context | None = None) -> bool:
    """Whether ``--debug`` was given or ``JIQUN_DEBUG`` is set (to anything but 0/false/no)."""
    root = ctx.find_root() if ctx is not None else None
    if root is not None and root.params.get("debug"):
        return True
    return settings.get("debug").strip().lower() not in ("", "0", "false", "no")


def report_error(exc: Exception) -> None:
    """Print one line for an exception that escaped a command and exit (see :class:`JiqunGroup`)."""
    from ..names import NameNotFound
    from ..store import StoreError

    if isinstance(exc, typer.TyperException):  # usage: unknown option, missing argument, bad value
        command = " ".join(["jiqun", *getattr(getattr(exc, "ctx", None), "command_path", "jiqun").split()[1:]])
        fail(f"{exc.format_message()} — see `{command} --help` 用法错误，请查看帮助", getattr(exc, "exit_code", 2))
    if isinstance(exc, NameNotFound):
        fail(str(exc), 2)
    if isinstance(exc, StoreError):
        fail(str(exc), 1)
    if isinstance(exc, OSError) and exc.strerror:
        where = f" {exc.filename}" if exc.filename else ""
        fail(f"cannot use{where}: {exc.strerror} — check the path, the folder and the permissions "
             "文件或文件夹无法访问，请检查路径和权限", 1)
    if isinstance(exc, UnicodeDecodeError):
        fail(f"a file is not in the expected text encoding ({exc.encoding}: {exc.reason} at byte {exc.start}) — "
             "save it as UTF-8, or give --encoding where the command has it 文件编码不符，请另存为 UTF-8", 2)
    log = write_error_log(exc)
    where = f"the details are in {log}" if log else "rerun with `jiqun --debug …` for the details"
    fail(f"unexpected {type(exc).__name__}: {str(exc).strip() or 'no message'} — please report this (内部错误，请报告); "
         f"{where} (or rerun with `jiqun --debug …`)", 1)


def write_error_log(exc: Exception) -> Optional[Path]:
    """Write the command line and traceback of an unexpected error to a log file; its path (or None)."""
    import datetime as dt
    import sys
    import tempfile
    import traceback

    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    folder = Path(settings.get("temp_dir") or tempfile.gettempdir())
    path = folder / f"jiqun-error-{stamp}-{os.getpid()}.log"
    try:
        path.write_text(f"jiqun {__version__}\ncommand: {' '.join(sys.argv)}\n\n"
                        + "".join(traceback.format_exception(exc)), encoding="utf-8")
    except OSError:
        return None
    return path


def check_input_file(path: Path, code: int = 2) -> None:
    """Refuse (one line, exit ``code``) an input path that is missing, a folder or unreadable."""
    if not path.exists():
        fail(f"no such file {path} — check the name and the folder 文件不存在，请检查文件名和路径", code)
    if path.is_dir():
        fail(f"{path} is a folder, not a file — give the path of a data file 这是文件夹而非文件，请指定数据文件", code)
    if not os.access(path, os.R_OK):
        fail(f"cannot read {path}: permission denied 无权读取该文件", code)


def check_encoding(name: Optional[str]) -> None:
    """Refuse (one line, exit 2) a text encoding Python does not know."""
    import codecs

    if name is None:
        return
    try:
        codecs.lookup(name)
    except LookupError:
        fail(f"unknown encoding {name!r} for --encoding — use utf-8, gbk or gb18030, or leave --encoding out "
             "to detect it 未知编码，请使用 utf-8、gbk 或 gb18030，或省略以自动识别", 2)


def check_output_file(path: Optional[Path]) -> None:
    """Refuse (one line, exit 2) an output file path that is a folder or lies under a file."""
    if path is None:
        return
    if path.is_dir():
        fail(f"--out {path} is a folder — give a file name, e.g. {path / 'result.xlsx'} "
             "输出路径是文件夹，请给出文件名", 2)
    for parent in path.parents:
        if parent.exists():
            if not parent.is_dir():
                fail(f"--out {path}: {parent} is a file, not a folder 输出路径的上级不是文件夹", 2)
            break


def no_rows_message(what: str, **filters) -> str:
    """The one line for an empty answer: what was asked, and where to look for valid values."""
    given = " ".join(f"--{name} {value}" for name, value in filters.items() if value is not None)
    if given:
        return (f"no {what} for {given} 无符合条件的结果 — nothing matches that combination; "
                "`jiqun clusters`, `jiqun regions` and `jiqun tables` show what there is")
    return (f"no {what}: the store holds no data for them yet 尚无数据 — load data with `jiqun ingest FILE "
            "--table firm_years` or run `jiqun demo`")


def is_new_store(store: str) -> bool:
    """Whether ``store`` (a path or ``duckdb://`` URL) names a file that does not exist yet."""
    from ..store import parse_url

    location = parse_url(store)[1]
    return location != ":memory:" and not Path(location).exists()


def discard_new_store(store: str) -> None:
    """Delete a store this command created (and its WAL), e.g. after its first load was refused."""
    from ..store import parse_url

    location = Path(parse_url(store)[1])
    for path in (location, Path(str(location) + ".wal")):
        path.unlink(missing_ok=True)


def emit_json(records: list, out: Optional[Path], what: str) -> None:
    """``records`` as JSON (UTF-8, numbers as numbers): printed when ``out`` is None, else written to it."""
    import json
    import sys

    text = json.dumps(records, ensure_ascii=False, indent=1)
    if out is None:
        sys.stdout.write(text + "\n")
        return
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(text, encoding="utf-8")
    console.print(f"wrote {what} to {out} 已写出")

