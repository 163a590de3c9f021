"""``jiqun organizations``: evaluation of the cluster promotion organisations (集群促进机构评价)."""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import pandas as pd
import typer

from .base import app, check_output_file, console, db_option, db_path, emit_json, fail
from .chain_map import _on_store, _print

FORMATS = ("table", "xlsx", "json")


@app.command("organizations")
def organizations_command(
    view: str = typer.Option("ranking", "--view", help="ranking (score, rank interval, tier, improvement areas), "
                             "pool (entries, exits and tier changes of the cultivation pool) or levels (every "
                             "indicator and the level it reaches)."),
    year: Optional[int] = typer.Option(None, "--year", help="A year with organisation data (default: the latest)."),
    scheme: Optional[Path] = typer.Option(None, "--scheme", help="Organisation scheme (YAML; default the shipped "
                                          "organizations/data/scheme.yaml)."),
    draws: Optional[int] = typer.Option(None, "--draws", help="Monte Carlo draws for the rank intervals (default: "
                                        "the scheme's; 0 skips them)."),
    fmt: str = typer.Option("table", "--format", help="table, xlsx or json (records of the view)."),
    out: Optional[Path] = typer.Option(None, "--out", help="Output file (xlsx default: organizations.xlsx)."),
    db: Optional[str] = db_option(),
) -> None:
    """Cluster promotion organisations: scored by the cluster evaluation on ESCA's six benchmarking areas and
    MIIT's expectations, bronze / silver / gold-like tiers with the rule that placed each, improvement areas
    and the cultivation pool (培育库). 集群促进机构评价。"""
    from ..evaluation.scheme import SchemeError
    from ..organizations import evaluate_organizations, load_organization_scheme
    from ..organizations.export import VIEWS, organization_records, write_organization_workbook

    if view not in VIEWS:
        fail(f"--view must be one of {', '.join(VIEWS)}, not {view!r}", 2)
    if fmt not in FORMATS:
        fail(f"--format must be one of {', '.join(FORMATS)} 输出格式无效", 2)
    if draws is not None and draws < 0:
        fail(f"--draws must be 0 or more, not {draws}", 2)
    if scheme is not None and not scheme.is_file():
        fail(f"--scheme {scheme}: no such file — give a YAML scheme (copy organizations/data/scheme.yaml)", 2)
    check_output_file(out)
    try:
        chosen = load_organization_scheme(scheme)
    except SchemeError as exc:
        fail(f"--scheme {scheme}: {exc}", 2)
    result = _on_store(db, lambda con: evaluate_organizations(con, year, chosen, draws))
    if fmt == "json":
        emit_json(organization_records(result, view), out, view)
        return
    if fmt == "xlsx":
        target = out or Path("organizations.xlsx")
        write_organization_workbook(target, result, db_path(db))
        console.print(f"wrote {len(result.organizations)} organisations to {target} 已写出")
        return
    if view == "pool":
        _print(result.pool.astype(str), "培育库变动 cultivation pool")
        return
    if view == "levels":
        _print(result.levels[["organization_id", "indicator", "value", "level"]].astype(str), "指标水平")
        return
    frame = result.organizations
    _print(pd.DataFrame({
        "排名": frame["rank"].astype(str),
        "区间": [f"{a}–{b}" if pd.notna(a) else "—" for a, b in zip(frame.rank_p05, frame.rank_p95)],
        "机构": frame.name, "得分": frame.score.map(lambda v: f"{v:.3f}"), "等级": frame.tier_zh,
        "依据": frame.rule.str.slice(0, 30),
        "改进方向": [", ".join(item["name_zh"] for item in items if item.get("target")) for items in frame.improvement],
    }), f"集群促进机构评价 · {int(frame.year.iloc[0])}")
