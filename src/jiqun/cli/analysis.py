"""Analysis commands: indicators, alerts, evaluate."""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer
from rich.markup import escape
from rich.table import Table as RichTable

from ..names import resolve_cluster, resolve_region, resolve_year
from ..session import connect
from ..store import StoreError
from .base import (app, check_input_file, check_output_file, console, db_option, db_path, err_console, fail,
                   no_rows_message)


def _names(con) -> tuple[dict, dict]:
    clusters = dict(con.table("clusters").select("cluster_id", "name_zh").execute().values.tolist())
    regions = dict(con.table("regions").select("region_code", "name_zh").execute().values.tolist())
    return clusters, regions


@app.command()
def indicators(
    db: Optional[str] = db_option(),
    cluster: Optional[str] = typer.Option(None, "--cluster", help="Only this cluster: id or name (iot, 物联网; "
                                          "`jiqun clusters` lists them)."),
    region: Optional[str] = typer.Option(None, "--region", help="Only this region: code or name (320500, 苏州市, "
                                         "苏州; province/全省 = 320000; `jiqun regions` lists them)."),
    year: Optional[int] = typer.Option(None, "--year", help="Only this year (one with data)."),
    fmt: str = typer.Option("table", "--format", help="table, csv, xlsx (Chinese headers), json or parquet."),
    out: Optional[Path] = typer.Option(None, "--out", help="Output file (default: indicators.<format>)."),
    save: bool = typer.Option(False, "--save", help="Also store the results in `indicator_results`."),
) -> None:
    """Compute the monitoring indicators per cluster × region × year. 集群监测指标。"""
    from ..metrics.engine import compute_indicator_table, data_vintage, save_indicator_results
    from ..metrics.export import FORMATS, display_table, published, write

    if fmt not in FORMATS:
        fail(f"--format must be one of {', '.join(FORMATS)}", 2)
    check_output_file(out)
    try:
        con = connect(db_path(db), create=False, read_only=not save)
    except StoreError as exc:
        fail(str(exc))
    try:
        cluster = resolve_cluster(con, cluster, allow_all=True) if cluster else None
        region = resolve_region(con, region) if region else None
        year = resolve_year(con, year) if year else None
        results = compute_indicator_table(con)  # the production engine, once
        if save:
            stored = save_indicator_results(con, results)
            err_console.print(f"stored {stored:,} rows in indicator_results")
        frame = results.to_pandas()
        if cluster:
            frame = frame[frame.cluster_id == cluster]
        if region:
            frame = frame[frame.region_code == region]
        if year:
            frame = frame[frame.year == year]
        frame = published(frame.reset_index(drop=True))
        cluster_names, region_names = _names(con)
        vintage = data_vintage(con)
    finally:
        con.disconnect()
    if frame.empty and (cluster or region or year):
        region_label = f"{region} {region_names.get(region, '')}".strip() if region else None
        fail(no_rows_message("indicators", cluster=cluster, region=region_label, year=year), 1)
    if frame.empty:  # an empty store: say so, and still write the (empty) table
        err_console.print(f"note 提示: {escape(no_rows_message('indicators'))}", soft_wrap=True)
    if fmt == "table":
        shown = display_table(frame.head(200), cluster_names, region_names)
        _print_frame(shown, f"indicators 监测指标 ({len(frame):,} rows; money 金额: 亿元, shares 比重: %)")
        if len(frame) > 200:
            console.print(f"… {len(frame) - 200:,} more rows; use --format csv --out FILE")
        return
    path = write(frame, fmt, out or Path(f"indicators.{fmt}"), cluster_names, region_names, vintage, db_path(db))
    console.print(f"wrote {len(frame):,} rows to {path}")


def _print_frame(frame, title: str) -> None:
    """Print a frame of display strings as a rich table."""
    table = RichTable(*frame.columns, title=title)
    for row in frame.itertuples(index=False):
        table.add_row(*[str(v) for v in row])
    console.print(table)


@app.command()
def alerts(
    db: Optional[str] = db_option(),
    year: Optional[int] = typer.Option(None, "--year", help="Only this year (default: the latest year with data)."),
    all_years: bool = typer.Option(False, "--all-years", help="Every year with data."),
    cluster: Optional[str] = typer.Option(None, "--cluster", help="Only this cluster id (e.g. iot)."),
    region: Optional[str] = typer.Option(None, "--region", help="Only this region code (320000 province, "
                                         "3201xx city)."),
    fmt: str = typer.Option("table", "--format", help="table, csv, json or xlsx (Chinese headers, summary sheet)."),
    out: Optional[Path] = typer.Option(None, "--out", help="Output file (xlsx default: alerts.xlsx; csv and json "
                                       "default: standard output)."),
) -> None:
    """Evaluate the alert rules (metrics/data/alerts.yaml) and list what fires, with evidence and the firm
    count behind each alert; a summary per rule first. 预警。"""
    from ..metrics.alert_report import ALERT_FORMATS, AlertSelectionError, alert_report, write_alerts

    if fmt not in ALERT_FORMATS:
        fail(f"--format must be one of {', '.join(ALERT_FORMATS)} 输出格式无效", 2)
    check_output_file(out)
    try:
        con = connect(db_path(db), create=False, read_only=True)
    except StoreError as exc:
        fail(str(exc))
    try:
        cluster = resolve_cluster(con, cluster) if cluster else None
        region = resolve_region(con, region) if region else None
        report = alert_report(con, year, all_years, cluster, region)
    except AlertSelectionError as exc:
        fail(str(exc), 2)
    finally:
        con.disconnect()
    frame = report.alerts
    if not report.years:
        err_console.print("note 提示: the store has no indicator data 数据库中无指标数据; load firm data first "
                          "(jiqun ingest FILE --table firm_years) or run jiqun demo")
    if fmt == "table":
        years = ", ".join(map(str, report.years)) if len(report.years) < 4 else \
            f"{report.years[0]}–{report.years[-1]}"
        _print_frame(report.summary.rename(columns={"alert": "rule 规则", "name_zh": "名称", "name_en": "name",
                                                    "indicator": "indicator 指标", "fired": "fired 触发"})
                     .astype(str), f"alert rules 预警规则 ({years})")
        table = RichTable("alert 预警", "cluster 集群", "region 地区", "year 年份", "firms 企业数", "evidence 依据",
                          title=f"alerts 预警 ({len(frame):,}; {years}; vintage {report.vintage})")
        for alert in frame.itertuples():
            n_firms = "" if alert.n_firms is None or alert.n_firms != alert.n_firms else f"{alert.n_firms:,}"
            table.add_row(f"{alert.alert}\n{alert.name_zh}",
                          f"{report.cluster_names.get(alert.cluster, alert.cluster)} {alert.cluster}",
                          f"{report.region_names.get(alert.region, alert.region)} {alert.region}", str(alert.year),
                          n_firms, alert.evidence)
        console.print(table)
        return
    if fmt == "xlsx" or out:
        path = write_alerts(report, fmt, out or Path("alerts.xlsx"), db_path(db))
        console.print(f"wrote {len(frame):,} alerts to {path} 已写出")
        return
    typer.echo(frame.to_csv(index=False) if fmt == "csv" else frame.to_json(orient="records", force_ascii=False,
                                                                             indent=1))


@app.command()
def evaluate(
    db: Optional[str] = db_option(),
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
    from ..evaluation.report import FORMATS, evaluation_text, write_evaluations, write_record
    from ..evaluation.run import EvaluationError
    from ..evaluation.store import LEVELS, evaluate_store, write_evaluation_results

    region = {"全省": "province", "省": "province", "市": "city", "城市": "city"}.get(region, region)
    if region not in LEVELS:
        fail("--region must be province (全省) or city (市)", 2)
    if fmt != "table" and fmt not in FORMATS:
        fail("--format must be table, csv, json or xlsx", 2)
    for given in (scheme, reference):
        if given is not None:
            check_input_file(given)
    check_output_file(out)
    check_output_file(record_path)
    plan, reference_values, con = _evaluation_inputs(db, scheme, reference, read_only=not save)
    try:
        year = resolve_year(con, year) if year is not None else None
        evaluations, units = evaluate_store(con, plan, region, year, all_years, reference_values, draws)
        if save:
            written = write_evaluation_results(con, evaluations, plan, units)
            err_console.print(f"stored 已保存 {written} rows in evaluation_results (scheme {plan.sha256[:12]})")
    except (EvaluationError, ValueError) as exc:
        fail(str(exc), 2)
    finally:
        con.disconnect()
    for ev in evaluations:
        for note in ev.notes:
            err_console.print(f"note 提示 ({ev.year}): {note}")
    if record_path:
        err_console.print(f"reproducibility record 可复现记录: {write_record(evaluations, record_path, units)}")
    if fmt == "xlsx":
        path = write_evaluations(evaluations, fmt, out or Path("evaluation.xlsx"), units, db_path(db))
        console.print(f"wrote {path}")
    elif fmt != "table" and out:
        write_evaluations(evaluations, fmt, out, units)
        err_console.print(f"wrote {out}")
    elif fmt != "table":
        typer.echo(evaluation_text(evaluations, fmt, units))
    else:
        _print_evaluations(evaluations, units)


def _evaluation_inputs(db: Optional[str], scheme: Optional[Path], reference: Optional[Path], read_only: bool):
    """The scheme, the reference profile (None: the scheme's) and the store of ``jiqun evaluate``;
    every problem with them ends the command with one line."""
    import yaml

    from ..evaluation.scheme import ReferenceProfileError, SchemeError, load_reference, load_scheme

    try:
        plan = load_scheme(scheme)
        reference_values = load_reference(reference) if reference else None
        con = connect(db_path(db), create=False, read_only=read_only)
    except ReferenceProfileError as exc:
        fail(f"--reference {exc}", 2)
    except (SchemeError, OSError, yaml.YAMLError) as exc:
        fail(str(exc), 2)
    except UnicodeDecodeError:
        files = " or ".join(str(given) for given in (scheme, reference) if given is not None)
        fail(f"{files} is not UTF-8 text — save it as UTF-8 and retry 文件须为 UTF-8 编码", 2)
    except StoreError as exc:
        fail(str(exc))
    return plan, reference_values, con


def _print_evaluations(evaluations, units: dict) -> None:
    """Each year's evaluation as a terminal table, and how many pairs are not robustly ordered."""
    from ..evaluation.report import evaluation_display_table

    for ev in evaluations:
        shown = evaluation_display_table(ev, units)
        _print_frame(shown, f"{ev.year} competitiveness 竞争力评价 — scheme 方案 {ev.scheme.name} "
                            f"({ev.scheme.sha256[:12]}), vintage 数据版本 {ev.vintage}")
        if ev.mc is not None and ev.mc.ambiguous_pairs():
            console.print(f"{len(ev.mc.ambiguous_pairs())} pair(s) whose order is not meaningful "
                          "(P(A above B) between 0.2 and 0.8) 排序不稳健; see --format xlsx")
