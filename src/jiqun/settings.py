"""Settings: one table (name, default, environment variable, help).

The same table feeds the CLI defaults, the environment variables and the
settings page of the docs (``docs/settings.md``, checked by a test).
"""

from __future__ import annotations

import getpass
import os
from dataclasses import dataclass


@dataclass(frozen=True)
class Setting:
    name: str
    default: str
    help: str

    @property
    def env(self) -> str:
        return "JIQUN_" + self.name.upper()


SETTINGS: tuple[Setting, ...] = (
    Setting("db", "jiqun.duckdb", "Path of the DuckDB store file (or a duckdb:// URL)."),
    Setting("user", "", "Name recorded in `loads.user_name` (default: the login name)."),
    Setting("max_cell_chars", "10000", "Longest text cell accepted by ingest; longer cells are refused."),
    Setting("error_preview_rows", "20", "Number of errors printed on the terminal when a load is refused."),
    Setting("demo_out", "jiqun-demo", "Folder where `jiqun demo` writes its files and outputs."),
    Setting("demo_scale", "small", "Scale of the synthetic demo: small, city or province."),
    Setting("demo_seed", "2024", "Random seed of the synthetic demo."),
    Setting("temp_dir", "", "Folder for temporary files (transcoded CSVs); default: the system's."),
    Setting("memory_limit", "auto", "Memory cap of the store's engine, e.g. 6GB (DuckDB spills to disk beyond "
            "it). `auto`: half the machine's RAM, at most 6 GB, so jiqun leaves room for Excel and the "
            "browser; empty: DuckDB's own default (80% of RAM). Raise it on a dedicated server."),
    Setting("threads", "", "Worker threads of the store's engine; default: one per core."),
    Setting("debug", "", "1: show the full traceback of an unexpected error (as `jiqun --debug`); default: one "
            "line and a log file."),
)
_BY_NAME = {s.name: s for s in SETTINGS}


def get(name: str) -> str:
    """Return a setting's value: its environment variable if set, else its default."""
    setting = _BY_NAME[name]
    value = os.environ.get(setting.env)
    if value not in (None, ""):
        return value
    if name == "user" and not setting.default:
        try:
            return getpass.getuser()
        except Exception:  # no login name in some containers
            return "unknown"
    return setting.default


def get_int(name: str) -> int:
    value = get(name)
    try:
        return int(value)
    except ValueError:
        raise ValueError(f"setting {name} ({_BY_NAME[name].env}) must be an integer, got {value!r}") from None


def settings_markdown() -> str:
    """Render the settings table as Markdown (for docs/settings.md)."""
    lines = [
        "# Settings 设置",
        "",
        "Generated from `jiqun.settings.SETTINGS`; do not edit by hand (`jiqun docs`).",
        "",
        "| setting | environment variable | default | meaning |",
        "|---|---|---|---|",
    ]
    for s in SETTINGS:
        lines.append(f"| `{s.name}` | `{s.env}` | `{s.default}` | {s.help} |")
    return "\n".join(lines) + "\n"
