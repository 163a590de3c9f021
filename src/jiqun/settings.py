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
    Setting("lock_wait", "30", "Seconds a command waits for the store while another process holds it (the "
            "web server's readers for a load, a load for the server's readers) before it gives up; 0: at once."),
    Setting("threads", "", "Worker threads of the store's engine; default: one per core."),
    Setting("spark_driver_memory", "2g", "Spark 驱动内存 (driver memory) of a `spark://` store started by "
            "jiqun, e.g. 4g; it holds the driver's JVM heap, local-mode workers included."),
    Setting("spark_shuffle_partitions", "8", "Spark 洗牌分区数 (`spark.sql.shuffle.partitions`) of a `spark://` "
            "store: small on a laptop (Spark's 200 makes small jobs slow); raise it on a cluster."),
    Setting("spark_warehouse", "", "Spark 数据仓库目录 (warehouse folder) where a `spark://` store keeps its "
            "tables; default: a new temporary folder (never the working directory)."),
    Setting("debug", "", "1: show the full traceback of an unexpected error (as `jiqun --debug`); default: one "
            "line and a log file."),
    Setting("missing_markers", "-,--,—,——,－,/,／,…,……,...,无,N/A,n/a,#N/A,NULL,null,空",
            "Cell texts read as missing values by ingest (comma-separated), e.g. the dashes statistics "
            "tables print for \"no data\". Compared after trimming spaces. `NA` is not in the default: it is "
            "Namibia's ISO code."),
    Setting("outlier_ratio", "1000", "Ingest refuses (unless `--accept-outliers`) a firm-year money value more "
            "than this many times above or below the median of the same firm's other years: a unit slip "
            "(元 for 万元 is 10,000x) rather than a real change."),
    Setting("revenue_per_employee_min_yuan", "1000", "Lowest plausible revenue per employee (yuan a year): "
            "below it (a year's revenue smaller than a month's wage) the revenue is almost surely in 万元 "
            "read as 元. Refused unless `--accept-outliers`."),
    Setting("revenue_per_employee_max_yuan", "1000000000", "Highest plausible revenue per employee (yuan a "
            "year, 10 亿元): even refineries and trading arms stay far below; above it revenue or "
            "employment is in the wrong unit. Refused unless `--accept-outliers`."),
    Setting("talent_min_moves", "5", "Talent flows 人才流动: a count of moves between 1 and this number minus one "
            "is blanked in every output (with the rates computed from it), so no cell points at a few people; "
            "1: nothing is blanked."),
    Setting("talent_alert_share", "0.5", "Poaching alert 挖人预警: a city or firm is flagged when at least this "
            "share of its departing executives and senior engineers in a year went to one rival of its cluster "
            "(and at least `talent_min_moves` of them)."),
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


def get_float(name: str) -> float:
    value = get(name)
    try:
        return float(value)
    except ValueError:
        raise ValueError(f"setting {name} ({_BY_NAME[name].env}) must be a number, got {value!r}") from None


def get_list(name: str) -> list[str]:
    """A comma-separated setting as a list (empty items dropped)."""
    return [item.strip() for item in get(name).split(",") if item.strip()]


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
    for setting in SETTINGS:
        lines.append(f"| `{setting.name}` | `{setting.env}` | `{setting.default}` | {setting.help} |")
    return "\n".join(lines) + "\n"
