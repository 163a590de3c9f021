"""The demo's chain outputs: every cluster's chain map (segments), its weak links and a picture, a shock
example (ESRI ranking of one cluster's suppliers, a cut of its most systemic import country), a firm
network example and the chokepoint inventory of every cluster."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from ..excel import write_csv

# The shock example's cluster (新一代信息技术/物联网: the demo's most import-dependent chain) and the
# share of the chosen country's exports that fails in it.
SHOCK_EXAMPLE_CLUSTER = "iot"
SHOCK_EXAMPLE_SHARE = 0.5


def write_chain_outputs(con, out_dir: Path) -> list[Path]:
    """Write ``chain_segments.csv`` (every cluster's segments in the latest year, with weakness and
    reasons), ``chain_weak_links.csv`` and ``chains/<cluster_id>.svg``; return the files written.

    Pictures need a CJK font (:func:`jiqun.pictures.fonts.cjk_font_family`); without one they are left
    out and ``chains/README.txt`` says why, so the gap is visible.
    """
    from ..chains import chain_map, picture_frames
    from ..pictures import chain_picture
    from ..pictures.fonts import CJKFontMissing

    clusters = con.table("clusters").select("cluster_id", "name_zh").execute()
    pictures = out_dir / "chains"
    pictures.mkdir(parents=True, exist_ok=True)
    written, segments, weak, missing_font = [], [], [], None
    for cluster_id, name_zh in clusters.itertuples(index=False):
        chain = chain_map(con, cluster_id)
        segments.append(chain.segments.assign(cluster_id=cluster_id, cluster_zh=name_zh))
        weak.append(chain.weak_links)
        if missing_font is None:
            nodes, links = picture_frames(chain)
            try:
                data = chain_picture(nodes, links, fmt="svg", title=f"{name_zh} 产业链图谱 · {chain.year}")
            except CJKFontMissing as exc:
                missing_font = str(exc)
                continue
            path = pictures / f"{cluster_id}.svg"
            path.write_bytes(data)
            written.append(path)
    if missing_font:
        note = pictures / "README.txt"
        note.write_text(f"Chain pictures not drawn: {missing_font}\n", encoding="utf-8")
        written.append(note)
    written.append(write_csv(pd.concat(segments, ignore_index=True), out_dir / "chain_segments.csv"))
    written.append(write_csv(pd.concat(weak, ignore_index=True), out_dir / "chain_weak_links.csv"))
    written.extend(write_shock_example(con, out_dir))
    written.extend(write_network_example(con, out_dir))
    written.extend(write_chokepoint_inventory(con, out_dir))
    return written


def write_shock_example(con, out_dir: Path, cluster: str = SHOCK_EXAMPLE_CLUSTER,
                        share: float = SHOCK_EXAMPLE_SHARE) -> list[Path]:
    """Write ``chain_esri_<cluster>.csv`` (the cluster's 50 systemically most important suppliers by
    ESRI) and ``chain_shock_<cluster>.xlsx`` (imports from the top-ranked country cut by ``share``,
    the country chosen from the ranking, not fixed, so the example follows the data); return them.
    """
    from ..chains.export import write_esri, write_shock_workbook
    from ..chains.simulation import cluster_esri, shock_scenario

    ranking = cluster_esri(con, cluster, top=50, candidates=1000)
    written = [write_esri(ranking, "csv", out_dir / f"chain_esri_{ranking.cluster_id}.csv")]
    countries = ranking.ranking[ranking.ranking["kind"] == "country"]
    if countries.empty:  # a chain without imports: fail its most systemic firm instead
        removal = f"firm:{ranking.ranking['uscc'].iloc[0]}"
    else:
        removal = str(countries["uscc"].iloc[0])
    run = shock_scenario(con, cluster, removal, share=share)
    written.append(write_shock_workbook(run, out_dir / f"chain_shock_{run.cluster_id}.xlsx"))
    return written


def write_network_example(con, out_dir: Path, cluster: str = SHOCK_EXAMPLE_CLUSTER) -> list[Path]:
    """Write ``chain_network_<cluster>.xlsx``: the cluster's key firms, communities, leaders' supplier
    bases and bridging firms (:func:`jiqun.chains.simulation.cluster_firm_network`); return it."""
    from ..chains.export import write_network
    from ..chains.simulation import cluster_firm_network

    report = cluster_firm_network(con, cluster, top=50)
    return write_network(report, "xlsx", out_dir / f"chain_network_{report.cluster_id}.xlsx")


def write_chokepoint_inventory(con, out_dir: Path) -> list[Path]:
    """Write ``chokepoints.xlsx`` (全省 and one sheet per cluster) and ``chokepoints.json`` (one record per
    item, as ``jiqun chokepoints --format json``): every cluster's inventory in the latest year under the
    GeoDep criteria, without world trade (world concentration not assessable); return them."""
    from ..chokepoints.export import write_inventory_json, write_inventory_workbook
    from ..chokepoints.inventory import chokepoint_inventory

    items = chokepoint_inventory(con)
    names = dict(con.table("clusters").select("cluster_id", "name_zh").execute().values.tolist())
    notes = [f"年份 year: {int(items.year.iloc[0])}; 依赖标准 criteria: geodep; 世界贸易 world trade: 未提供 not given",
             "SYNTHETIC demo data 合成演示数据"]
    workbook = write_inventory_workbook(items, out_dir / "chokepoints.xlsx", notes, names)
    target = out_dir / "chokepoints.json"
    write_inventory_json(items, target)
    return [workbook, target]
