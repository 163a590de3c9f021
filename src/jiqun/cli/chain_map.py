"""Commands of ``jiqun chain`` (registered on :data:`jiqun.cli.chain.chain_app`): map, weak-links."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Optional

import typer

from ..names import NameNotFound
from ..session import connect
from ..store import StoreError
from .base import check_output_file, console, db_option, db_path, fail
from .chain import chain_app

MAP_FORMATS = ("table", "xlsx", "json", "svg", "png")
WEAK_FORMATS = ("table", "csv", "xlsx", "json")


def _open(db):
    try:
        return connect(db_path(db), create=False, read_only=True)
    except StoreError as exc:
        fail(str(exc))


def _on_store(db, compute):
    """``compute(con)`` on the store opened read-only; a refused argument (ValueError other than an
    unknown name, which the CLI's handler words with the choices) is one line and exit 2."""
    con = _open(db)
    try:
        return compute(con)
    except NameNotFound:
        raise
    except ValueError as exc:
        fail(str(exc), 2)
    finally:
        con.disconnect()


def _cluster_map(con, cluster, year, region):
    """The chain map and the cluster's Chinese name (for picture titles)."""
    from ..chains import chain_map

    chain = chain_map(con, cluster, year, region)
    names = dict(con.table("clusters").select("cluster_id", "name_zh").execute().values.tolist())
    return chain, names.get(chain.cluster_id, chain.cluster_id)


def _print(frame, title: str) -> None:
    from rich.table import Table as RichTable

    table = RichTable(*frame.columns, title=title)
    for row in frame.itertuples(index=False):
        table.add_row(*[str(v) for v in row])
    console.print(table)


@chain_app.command("map")
def chain_map_command(
    cluster: str = typer.Option(..., "--cluster", help="Cluster id or name (iot, 物联网; `jiqun clusters`)."),
    year: Optional[str] = typer.Option(None, "--year", help="A year with data (default: the latest)."),
    region: Optional[str] = typer.Option(None, "--region", help="Province (default) or a prefecture city: code "
                                         "or name (320500, 苏州)."),
    fmt: str = typer.Option("table", "--format", help="table, xlsx (Chinese headers), json (nodes and links for "
                            "the dashboard) or svg (a picture of the chain)."),
    out: Optional[Path] = typer.Option(None, "--out", help="Output file (default: chain_map_<cluster>.<format>)."),
    db: Optional[str] = db_option(),
) -> None:
    """The chain map of a cluster: segments with local firms, capacity, purchases by origin, local
    supporting rates, concentration and weak links. 产业链图谱。"""
    from ..chains import chain_graph, picture_frames
    from ..chains.export import segment_display, write_map_workbook

    if fmt not in MAP_FORMATS:
        fail(f"--format must be one of {', '.join(MAP_FORMATS)} 输出格式无效", 2)
    check_output_file(out)
    chain, cluster_zh = _on_store(db, lambda con: _cluster_map(con, cluster, year, region))
    target = out or Path(f"chain_map_{chain.cluster_id}.{fmt}")
    if fmt == "table":
        comp = chain.completeness.iloc[0] if len(chain.completeness) else None
        title = (f"产业链图谱 chain map {chain.cluster_id} · {chain.names.get('scope', chain.scope)} · {chain.year}"
                 + (f" · 完整度 completeness {comp.completeness_weighted:.1%}" if comp is not None
                    and comp.completeness_weighted == comp.completeness_weighted else ""))
        _print(segment_display(chain.segments), title + " (金额: 亿元, 比重: %)")
        return
    if fmt == "json":
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(json.dumps(chain_graph(chain), ensure_ascii=False, indent=1), encoding="utf-8")
    elif fmt == "xlsx":
        write_map_workbook(chain, target, db_path(db))
    else:
        from ..pictures import chain_picture
        from ..pictures.fonts import CJKFontMissing

        nodes, links = picture_frames(chain)
        title = f"{cluster_zh} 产业链图谱 · {chain.names.get('scope', chain.scope)} · {chain.year}"
        try:
            data = chain_picture(nodes, links, fmt=fmt, title=title)
        except CJKFontMissing as exc:
            fail(str(exc), 2)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
    console.print(f"wrote {target} 已写出")


@chain_app.command("weak-links")
def weak_links_command(
    cluster: Optional[str] = typer.Option(None, "--cluster", help="Only this cluster (default: all)."),
    year: Optional[str] = typer.Option(None, "--year", help="A year with data (default: the latest)."),
    region: Optional[str] = typer.Option(None, "--region", help="Province (default) or a prefecture city."),
    fmt: str = typer.Option("table", "--format", help="table, csv (UTF-8 with BOM), xlsx or json."),
    out: Optional[Path] = typer.Option(None, "--out", help="Output file (default: weak_links.<format>)."),
    db: Optional[str] = db_option(),
) -> None:
    """The weak links (短板) of the clusters' chains, with their evidence (rules: chains/data/weak_links.yaml)."""
    from ..chains import weak_links
    from ..chains.export import weak_display, write_weak_links

    if fmt not in WEAK_FORMATS:
        fail(f"--format must be one of {', '.join(WEAK_FORMATS)} 输出格式无效", 2)
    check_output_file(out)
    found = _on_store(db, lambda con: weak_links(con, cluster, year, region))
    if fmt == "table":
        _print(weak_display(found), f"产业链短板 weak links ({len(found):,})")
        return
    target = out or Path(f"weak_links.{fmt}")
    write_weak_links(found, fmt, target, db_path(db))
    console.print(f"wrote {len(found):,} weak links to {target} 已写出")
