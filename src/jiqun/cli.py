"""The ``jiqun`` command line: a thin layer over the library (every command calls public API).

Exit status: 0 success, 2 refused input (nothing written), 1 other errors.
"""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer
from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table as RichTable

from . import __version__, settings
from .ingest import MODES, IngestError, ingest_file
from .schema import LOADABLE, TABLES
from .store import StoreError, connect

app = typer.Typer(help="jiqun (集群): industrial-cluster observatory.", add_completion=False)
console = Console()
err_console = Console(stderr=True)


def _help(name: str) -> str:
    return next(s.help for s in settings.SETTINGS if s.name == name)


def _db_option():
    return typer.Option(None, "--db", help=_help("db") + " [env: JIQUN_DB]")


def _db(value: Optional[str]) -> str:
    return value or settings.get("db")


def _fail(message: str, code: int = 1) -> None:
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


@app.command()
def init(db: Optional[str] = _db_option()) -> None:
    """Create (or upgrade) a store and load the shipped catalogue. 创建数据库。"""
    try:
        con = connect(_db(db))
    except StoreError as exc:
        _fail(str(exc))
    counts = {t: con.table(t).count().execute() for t in TABLES if TABLES[t].layer == "catalogue"}
    con.disconnect()
    console.print(f"store ready: {_db(db)}")
    for name, n in counts.items():
        console.print(f"  {name}: {n} rows")


def _print_refusal(exc: IngestError) -> None:
    err_console.print(f"[bold red]refused 拒绝加载:[/] {exc.file} — {exc.total} problem(s); "
                      "nothing was written 未写入任何数据")
    counts = RichTable("rule 规则", "rows 行数", title="problems per rule 各规则问题数")
    for rule, n in sorted(exc.counts.items(), key=lambda kv: -kv[1]):
        counts.add_row(rule, str(n))
    err_console.print(counts)
    first = RichTable("row 行", "column 列", "value 值", "rule 规则", "message 说明", title="first problems 前几条")
    for p in exc.problems:
        value = "" if p.value is None else (p.value if len(p.value) <= 40 else p.value[:37] + "…")
        first.add_row("" if p.row is None else str(p.row), p.column or "", value, p.rule,
                      f"{p.message_en}\n{p.message_zh}")
    err_console.print(first)
    if exc.report_path:
        err_console.print(f"full report 完整错误报告: {exc.report_path}")


@app.command()
def ingest(
    file: Path = typer.Argument(..., help="CSV (UTF-8/GBK/GB18030), XLSX or Parquet file."),
    table: str = typer.Option(..., "--table", "-t", help="Target table: " + ", ".join(LOADABLE)),
    db: Optional[str] = _db_option(),
    mode: str = typer.Option("upsert", help="upsert: existing keys are updated; insert: existing keys are errors."),
    quarantine: bool = typer.Option(False, "--quarantine", help="Load valid rows; put rejected rows in `quarantine`."),
    vintage: Optional[str] = typer.Option(None, help="Data vintage recorded in `loads` (e.g. '2023 yearbook')."),
    errors: Optional[Path] = typer.Option(None, "--errors", help="Path of the full error report (CSV)."),
    sheet: Optional[str] = typer.Option(None, help="Excel sheet name or index (default: the first)."),
    encoding: Optional[str] = typer.Option(None, help="Force a text encoding (default: detect UTF-8/GBK/GB18030)."),
) -> None:
    """Validate FILE and load it into a table, all or nothing. 校验并加载数据文件。"""
    if table not in LOADABLE:
        _fail(f"unknown table {table!r}; loadable tables: {', '.join(LOADABLE)}", 2)
    if mode not in MODES:
        _fail(f"--mode must be one of {', '.join(MODES)}", 2)
    try:
        con = connect(_db(db))
    except StoreError as exc:
        _fail(str(exc))
    try:
        with console.status(f"validating and loading {file} …"):
            result = ingest_file(con, file, table, mode=mode, quarantine=quarantine, vintage=vintage,
                                 report_path=errors, sheet=sheet, encoding=encoding)
    except IngestError as exc:
        _print_refusal(exc)
        raise typer.Exit(2)
    finally:
        con.disconnect()
    if not result.changed:
        console.print(f"no change 无变化: {file} holds the same {result.rows_in_file} rows as the store")
        return
    console.print(
        f"loaded 已加载 {file} → {table}: {result.rows_inserted} inserted, {result.rows_updated} updated, "
        f"{result.rows_unchanged} unchanged, {result.rows_rejected} rejected "
        f"({result.rows_per_second:,.0f} rows/s, load #{result.load_id})"
    )
    if result.ignored_headers:
        console.print(f"ignored columns 忽略的列: {', '.join(result.ignored_headers)}")
    if result.report_path:
        console.print(f"rejected rows report 拒绝行报告: {result.report_path}")


@app.command()
def demo(
    out: Optional[Path] = typer.Option(None, "--out", help=_help("demo_out") + " [env: JIQUN_DEMO_OUT]"),
    db: Optional[str] = typer.Option(None, "--db", help="Store to create (default: OUT/jiqun.duckdb)."),
    scale: Optional[str] = typer.Option(None, help=_help("demo_scale")),
    seed: Optional[int] = typer.Option(None, help=_help("demo_seed")),
) -> None:
    """Generate the synthetic Jiangsu demo, load it through validated ingest and analyse it. 演示。"""
    from .demo.run import run_demo

    out_dir = out or Path(settings.get("demo_out"))
    scale = scale or settings.get("demo_scale")
    if scale not in ("small", "city", "province"):
        _fail("--scale must be small, city or province", 2)
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
                _print_refusal(exc)
            _fail(str(exc).splitlines()[0])
    _print_demo_summary(result)


def _print_demo_summary(result) -> None:
    import ibis

    console.print("[bold]SYNTHETIC DATA 合成数据[/] — calibrated to published facts, not statistics.")
    loads = RichTable("table 表", "rows 行", "inserted 新增", "rows/s", title="validated loads 校验加载")
    for r in result.loads:
        loads.add_row(r.table, f"{r.rows_in_file:,}", f"{r.rows_inserted:,}", f"{r.rows_per_second:,.0f}")
    console.print(loads)
    con = ibis.duckdb.connect(str(result.db_path), read_only=True)
    try:
        from .marts import cluster_city_year, city_year

        latest = con.table("firm_years").year.max().execute()
        cities = city_year(con).filter(lambda t: t.year == latest).order_by(ibis.desc("revenue_yuan")).execute()
        names = dict(con.table("regions").select("region_code", "name_zh").execute().values.tolist())
        city_table = RichTable("rank", "city 城市", "firms 企业", "revenue 营收 (亿元)",
                               title=f"cities by revenue, {latest} 城市营收排名")
        for i, row in enumerate(cities.itertuples(), 1):
            city_table.add_row(str(i), names.get(row.city_code, row.city_code), f"{row.n_firms:,}",
                               f"{row.revenue_yuan / 1e8:,.1f}")
        console.print(city_table)
        clusters = cluster_city_year(con).filter(lambda t: t.year == latest).group_by("cluster_id").aggregate(
            revenue_yuan=lambda t: t.revenue_yuan.sum(), n_firms=lambda t: t.n_firms.sum()
        ).order_by(ibis.desc("revenue_yuan")).execute()
        cluster_names = dict(con.table("clusters").select("cluster_id", "name_zh").execute().values.tolist())
        cl = RichTable("cluster 集群", "firms 企业", "revenue 营收 (亿元)", title=f"clusters, {latest} 集群规模")
        for row in clusters.itertuples():
            cl.add_row(cluster_names.get(row.cluster_id, row.cluster_id), f"{row.n_firms:,}",
                       f"{row.revenue_yuan / 1e8:,.1f}")
        console.print(cl)
        evaluated = con.table("evaluation_results").filter(lambda t: t.region_code == "320000").order_by("rank")
        ev = evaluated.execute()
        if len(ev):
            labels = {"leading": "引领型 leading", "breakthrough": "突破型 breakthrough", "catch_up": "赶超型 catch-up"}
            et = RichTable("rank 排名", "cluster 集群", "score 得分", "type 类型", "90% rank 区间",
                           title=f"competitiveness {int(ev.year.max())} 竞争力评价 (province 全省)")
            for row in ev.itertuples():
                interval = "" if row.rank_p05 != row.rank_p05 else f"{int(row.rank_p05)}-{int(row.rank_p95)}"
                et.add_row(str(row.rank), cluster_names.get(row.cluster_id, row.cluster_id), f"{row.score:.3f}",
                           labels.get(row.type, row.type), interval)
            console.print(et)
            counts = con.table("evaluation_results").filter(lambda t: t.region_code != "320000").type.value_counts()
            by_type = dict(counts.execute().values.tolist())
            console.print("cluster × city types 集群×城市类型: " + ", ".join(
                f"{labels[t]} {by_type.get(t, 0)}" for t in labels))
    finally:
        con.disconnect()
    console.print(f"store 数据库: {result.db_path}")
    console.print(f"outputs 输出: {result.out_dir / 'outputs'} ({len(result.outputs)} files)")
    console.print(f"time 用时: generate {result.seconds_generate:.1f}s, ingest {result.seconds_ingest:.1f}s, "
                  f"analyse {result.seconds_analyse:.1f}s")


@app.command()
def tables(name: Optional[str] = typer.Argument(None, help="Describe one table."),
           db: Optional[str] = _db_option()) -> None:
    """List the tables (with row counts if the store exists) or describe one. 数据表。"""
    if name:
        if name not in TABLES:
            _fail(f"unknown table {name!r}", 2)
        t = TABLES[name]
        console.print(f"[bold]{t.name}[/] {t.zh} — {t.description}\ngrain: {t.grain}\n"
                      f"key: {', '.join(t.primary_key)}")
        out = RichTable("column", "中文", "type", "unit", "required")
        for c in t.columns:
            out.add_row(c.name, c.zh, c.type, c.unit or "", "yes" if c.required else "")
        console.print(out)
        return
    counts = {}
    path = _db(db)
    if Path(path).exists():
        con = connect(path, read_only=True)
        counts = {t: con.table(t).count().execute() for t in TABLES}
        con.disconnect()
    out = RichTable("table", "中文", "layer", "grain", "rows")
    for t in TABLES.values():
        out.add_row(t.name, t.zh, t.layer, t.grain, f"{counts[t.name]:,}" if counts else "")
    console.print(out)


@app.command()
def loads(db: Optional[str] = _db_option()) -> None:
    """Show the provenance of every load. 加载记录。"""
    try:
        con = connect(_db(db), read_only=True)
    except StoreError as exc:
        _fail(str(exc))
    frame = con.table("loads").order_by("load_id").execute()
    con.disconnect()
    out = RichTable("id", "table", "file", "rows", "ins", "upd", "rej", "loaded_at", "vintage", "sha256")
    for r in frame.itertuples():
        out.add_row(str(r.load_id), r.table_name, Path(r.source_file).name, f"{r.rows_in_file:,}",
                    f"{r.rows_inserted:,}", f"{r.rows_updated:,}", f"{r.rows_rejected:,}", str(r.loaded_at),
                    r.vintage if isinstance(r.vintage, str) else "", r.sha256[:12])
    console.print(out)


@app.command()
def docs(out: Path = typer.Option(Path("docs"), "--out", help="Folder of the generated docs.")) -> None:
    """Regenerate docs/data-model.md and docs/settings.md from the declarations. 生成文档。"""
    from .docs import write_docs

    for path in write_docs(out):
        console.print(f"wrote {path}")


@app.command("settings")
def show_settings() -> None:
    """Show every setting, its environment variable, default and current value. 设置。"""
    out = RichTable("setting", "env", "default", "current", "help")
    for s in settings.SETTINGS:
        out.add_row(s.name, s.env, s.default, settings.get(s.name), s.help)
    console.print(out)


def _names(con) -> tuple[dict, dict]:
    clusters = dict(con.table("clusters").select("cluster_id", "name_zh").execute().values.tolist())
    regions = dict(con.table("regions").select("region_code", "name_zh").execute().values.tolist())
    return clusters, regions


@app.command()
def indicators(
    db: Optional[str] = _db_option(),
    cluster: Optional[str] = typer.Option(None, "--cluster", help="Only this cluster id (e.g. iot)."),
    region: Optional[str] = typer.Option(None, "--region", help="Only this region code (320000 province, 3201xx city)."),
    year: Optional[int] = typer.Option(None, "--year", help="Only this year."),
    fmt: str = typer.Option("table", "--format", help="table, csv, xlsx (Chinese headers), json or parquet."),
    out: Optional[Path] = typer.Option(None, "--out", help="Output file (default: indicators.<format>)."),
    save: bool = typer.Option(False, "--save", help="Also store the results in `indicator_results`."),
) -> None:
    """Compute the monitoring indicators per cluster × region × year. 集群监测指标。"""
    from .metrics import compute_indicators, write_indicator_results
    from .metrics.export import FORMATS, published, write

    if fmt not in FORMATS:
        _fail(f"--format must be one of {', '.join(FORMATS)}", 2)
    try:
        con = connect(_db(db), read_only=not save)
    except StoreError as exc:
        _fail(str(exc))
    try:
        if save:
            n = write_indicator_results(con)
            err_console.print(f"stored {n:,} rows in indicator_results")
        expr = compute_indicators(con)
        if cluster:
            expr = expr.filter(expr.cluster_id == cluster)
        if region:
            expr = expr.filter(expr.region_code == region)
        if year:
            expr = expr.filter(expr.year == year)
        frame = published(expr.execute())
        cluster_names, region_names = _names(con)
    finally:
        con.disconnect()
    if fmt == "table":
        table = RichTable(*frame.columns, title=f"indicators 监测指标 ({len(frame):,} rows)")
        for row in frame.head(200).itertuples(index=False):
            table.add_row(*["" if v is None else (f"{v:,.4g}" if isinstance(v, float) else str(v)) for v in row])
        console.print(table)
        if len(frame) > 200:
            console.print(f"… {len(frame) - 200:,} more rows; use --format csv --out FILE")
        return
    path = write(frame, fmt, out or Path(f"indicators.{fmt}"), cluster_names, region_names)
    console.print(f"wrote {len(frame):,} rows to {path}")


@app.command()
def alerts(
    db: Optional[str] = _db_option(),
    fmt: str = typer.Option("table", "--format", help="table, csv or json."),
    out: Optional[Path] = typer.Option(None, "--out", help="Output file for csv/json (default: standard output)."),
) -> None:
    """Evaluate the alert rules (metrics/data/alerts.yaml) and list what fires, with evidence. 预警。"""
    from .metrics.compute import store_alerts

    if fmt not in ("table", "csv", "json"):
        _fail("--format must be table, csv or json", 2)
    try:
        con = connect(_db(db), read_only=True)
    except StoreError as exc:
        _fail(str(exc))
    try:
        frame = store_alerts(con).execute()
    finally:
        con.disconnect()
    frame = frame.rename(columns={"cluster_id": "cluster", "region_code": "region"})
    if fmt == "table":
        table = RichTable("alert 预警", "cluster 集群", "region 地区", "year 年份", "evidence 依据",
                          title=f"alerts 预警 ({len(frame):,})")
        for r in frame.itertuples():
            table.add_row(f"{r.alert}\n{r.name_zh}", r.cluster, r.region, str(r.year), r.evidence)
        console.print(table)
        return
    text = frame.to_csv(index=False) if fmt == "csv" else frame.to_json(orient="records", force_ascii=False,
                                                                        indent=1)
    if out:
        Path(out).write_text(text, encoding="utf-8")
        console.print(f"wrote {len(frame):,} alerts to {out}")
    else:
        typer.echo(text)


@app.command()
def evaluate(
    db: Optional[str] = _db_option(),
    scheme: Optional[Path] = typer.Option(None, "--scheme", help="Evaluation scheme (YAML); default: the shipped "
                                          "four-dimension scheme (src/jiqun/evaluation/data/default_scheme.yaml)."),
    year: Optional[int] = typer.Option(None, "--year", help="Year to evaluate (default: the latest with values)."),
    all_years: bool = typer.Option(False, "--all-years", help="Evaluate every year with values (over time)."),
    region: str = typer.Option("province", "--region", help="province: each cluster province-wide; "
                               "city: each cluster x city."),
    fmt: str = typer.Option("table", "--format", help="table, csv, json or xlsx (Chinese headers)."),
    out: Optional[Path] = typer.Option(None, "--out", help="Output file (xlsx default: evaluation.xlsx; "
                                       "csv and json default: standard output)."),
    draws: Optional[int] = typer.Option(None, "--draws", help="Monte Carlo draws for rank intervals and type "
                                        "probabilities (default: the scheme's; 0 skips)."),
    reference: Optional[Path] = typer.Option(None, "--reference", help="World-class reference profile, YAML "
                                             "'indicator: value' (default: the scheme's, else the best peer)."),
    record_path: Optional[Path] = typer.Option(None, "--record", help="Also write the reproducibility record "
                                               "(scheme, its SHA-256, data vintage, inputs, weights, results), JSON."),
    save: bool = typer.Option(False, "--save", help="Also store the results, the scheme text and its hash in "
                              "`evaluation_results` / `evaluation_schemes`."),
) -> None:
    """Evaluate cluster competitiveness: scores, ranks, types (引领/突破/赶超), uncertainty. 竞争力评价。"""
    import json

    import yaml

    from .evaluation.report import flat_table, records, write_record, write_xlsx
    from .evaluation.run import EvaluationError
    from .evaluation.scheme import SchemeError, load_scheme
    from .evaluation.store import LEVELS, evaluate_store, write_evaluation_results

    if region not in LEVELS:
        _fail("--region must be province or city", 2)
    if fmt not in ("table", "csv", "json", "xlsx"):
        _fail("--format must be table, csv, json or xlsx", 2)
    try:
        plan = load_scheme(scheme)
        ref = yaml.safe_load(reference.read_text(encoding="utf-8")) if reference else None
        con = connect(_db(db), read_only=not save)
    except (SchemeError, OSError, yaml.YAMLError) as exc:
        _fail(str(exc), 2)
    except StoreError as exc:
        _fail(str(exc))
    try:
        evaluations, units = evaluate_store(con, plan, region, year, all_years, ref, draws)
        if save:
            written = write_evaluation_results(con, evaluations, plan, units)
            err_console.print(f"stored 已保存 {written} rows in evaluation_results (scheme {plan.sha256[:12]})")
    except (EvaluationError, ValueError) as exc:
        _fail(str(exc), 2)
    finally:
        con.disconnect()
    for ev in evaluations:
        for note in ev.notes:
            err_console.print(f"note 提示 ({ev.year}): {note}")
    if record_path:
        err_console.print(f"reproducibility record 可复现记录: {write_record(evaluations, record_path, units)}")
    if fmt == "xlsx":
        console.print(f"wrote {write_xlsx(evaluations, out or Path('evaluation.xlsx'), units)}")
        return
    if fmt in ("json", "csv"):
        text = (json.dumps(records(evaluations, units), ensure_ascii=False, indent=1) if fmt == "json"
                else flat_table(evaluations, units).to_csv(index=False))
        if out:
            Path(out).write_text(text, encoding="utf-8")
            err_console.print(f"wrote {out}")
        else:
            typer.echo(text)
        return
    for ev in evaluations:
        t = RichTable("rank 排名", "cluster 集群", "score 总分", "type 类型", "90% rank 区间",
                      *[ev.scheme.dimensions[d].name_zh for d in ev.dimensions], "短板 weakest",
                      title=f"{ev.year} competitiveness 竞争力评价 — scheme {ev.scheme.name} "
                            f"({ev.scheme.sha256[:12]}), vintage {ev.vintage}")
        for rec in ev.records(units):
            interval = f"{rec['rank_p05']}-{rec['rank_p95']}" if "rank_p05" in rec else ""
            t.add_row(str(rec["rank"]), rec["name_zh"], f"{rec['score']:.3f}", rec["type"], interval,
                      *[f"{v:.2f}" for v in rec["dimensions"].values()],
                      ev.scheme.dimensions[rec["weakest_dimension"]].name_zh)
        console.print(t)
        if ev.mc is not None and ev.mc.ambiguous_pairs():
            console.print(f"{len(ev.mc.ambiguous_pairs())} pair(s) whose order is not meaningful "
                          "(P(A above B) between 0.2 and 0.8) 排序不稳健; see --format xlsx")


if __name__ == "__main__":  # pragma: no cover
    app()
