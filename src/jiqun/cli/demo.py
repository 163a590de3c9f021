"""The demo command."""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer
from rich.table import Table as RichTable
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

from .. import settings
from ..ingest import IngestError
from ..store import StoreError
from .base import app, console, fail, setting_help
from .data import print_refusal


@app.command()
def demo(
    out: Optional[Path] = typer.Option(None, "--out", help=setting_help("demo_out") + " [env: JIQUN_DEMO_OUT]"),
    db: Optional[str] = typer.Option(None, "--db", help="Store to create (default: OUT/jiqun.duckdb)."),
    scale: Optional[str] = typer.Option(None, help=setting_help("demo_scale")),
    seed: Optional[int] = typer.Option(None, help=setting_help("demo_seed")),
) -> None:
    """Generate the synthetic Jiangsu demo, load it through validated ingest and analyse it. 演示。"""
    from ..demo.run import run_demo

    out_dir = out or Path(settings.get("demo_out"))
    if out_dir.exists() and not out_dir.is_dir():
        fail(f"--out {out_dir} is a file; the demo writes a folder — give a folder name 输出路径须为文件夹", 2)
    scale = scale or settings.get("demo_scale")
    if scale not in ("small", "city", "province"):
        fail("--scale must be small, city or province", 2)
    seed = seed if seed is not None else settings.get_int("demo_seed")
    with Progress(TextColumn("{task.description}"), BarColumn(), TextColumn("{task.completed}/{task.total}"),
                  TimeElapsedColumn(), console=console) as bar:
        task = bar.add_task("demo", total=1)

        def progress(step: str, done: int, total: int) -> None:
            bar.update(task, description=step, completed=done, total=max(total, 1))

        try:
            result = run_demo(out_dir, Path(db) if db else None, scale=scale, seed=seed, progress=progress)
        except (StoreError, IngestError) as exc:
            bar.stop()
            if isinstance(exc, IngestError):
                print_refusal(exc)
            fail(str(exc).splitlines()[0])
    _print_demo_summary(result)


#: Display labels of the evaluation's cluster types.
TYPE_LABELS = {"leading": "引领型 leading", "breakthrough": "突破型 breakthrough", "catch_up": "赶超型 catch-up"}


def _print_demo_summary(result) -> None:
    """Print the loads and the figures of :func:`jiqun.demo.demo_summary` that ``run_demo`` collected."""
    console.print("[bold]SYNTHETIC DATA 合成数据[/] — calibrated to published facts, not statistics.")
    loads = RichTable("table 表", "rows 行", "inserted 新增", "rows/s", title="validated loads 校验加载")
    for load in result.loads:
        loads.add_row(load.table, f"{load.rows_in_file:,}", f"{load.rows_inserted:,}", f"{load.rows_per_second:,.0f}")
    console.print(loads)
    summary = result.summary
    latest = summary["year"]
    city_table = RichTable("rank", "city 城市", "firms 企业", "revenue 营收 (亿元)",
                           title=f"cities by revenue, {latest} 城市营收排名")
    for rank, row in enumerate(summary["cities"].itertuples(), 1):
        city_table.add_row(str(rank), row.name_zh, f"{row.n_firms:,}",
                           f"{row.revenue_yuan / 1e8:,.1f}")
    console.print(city_table)
    cluster_table = RichTable("cluster 集群", "firms 企业", "revenue 营收 (亿元)", title=f"clusters, {latest} 集群规模")
    for row in summary["clusters"].itertuples():
        cluster_table.add_row(row.name_zh, f"{row.n_firms:,}", f"{row.revenue_yuan / 1e8:,.1f}")
    console.print(cluster_table)
    evaluation = summary["evaluation"]
    if len(evaluation):
        ranking = RichTable("rank 排名", "cluster 集群", "score 得分", "type 类型", "90% rank 区间",
                            title=f"competitiveness {summary['evaluation_year']} 竞争力评价 (province 全省)")
        for row in evaluation.itertuples():
            interval = "" if row.rank_p05 != row.rank_p05 else f"{int(row.rank_p05)}-{int(row.rank_p95)}"
            ranking.add_row(str(row.rank), row.name_zh, f"{row.score:.3f}",
                            TYPE_LABELS.get(row.type, row.type), interval)
        console.print(ranking)
        console.print("cluster × city types 集群×城市类型: " + ", ".join(
            f"{label} {summary['city_types'].get(kind, 0)}" for kind, label in TYPE_LABELS.items()))
    console.print(f"store 数据库: {result.db_path}")
    console.print(_next_steps(result.db_path))
    console.print(f"outputs 输出: {result.out_dir / 'outputs'} ({len(result.outputs)} files)")
    console.print(f"time 用时: generate {result.seconds_generate:.1f}s, ingest {result.seconds_ingest:.1f}s, "
                  f"analyse {result.seconds_analyse:.1f}s")



def _next_steps(store: Path) -> str:
    """Which store the next commands will use: this one by default, or say how to choose it."""
    import os

    default = Path(settings.get("db"))
    found = (not os.environ.get("JIQUN_DB") and not default.exists()
             and Path(settings.get("demo_out")) / "jiqun.duckdb" == store)
    if found:
        return ("next 下一步: `jiqun indicators --cluster 物联网`, `jiqun evaluate`, `jiqun alerts`, `jiqun serve` (the web "
                "pages at http://127.0.0.1:8000/) — run from here, they use this store; reports 专报 in outputs/reports/")
    return (f"next 下一步: `jiqun evaluate --db {store}`, `jiqun serve --db {store}` (and the same --db for the other "
            "commands); reports 专报 in outputs/reports/")
