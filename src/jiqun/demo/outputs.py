"""What the demo writes after loading: every analysis that exists, as CSV and Excel.

Outputs carry English column names in CSV and Chinese headers in the Excel
workbook that analysts forward.
"""

from __future__ import annotations

from pathlib import Path

from .. import marts

#: English column -> Chinese header for the Excel export.
ZH_HEADERS = {
    "cluster_id": "集群编号", "cluster_zh": "集群", "city_code": "城市代码", "city_zh": "城市", "year": "年份",
    "n_firms": "企业数", "n_above_size": "规上企业数", "revenue_yuan": "营业收入(元)",
    "output_value_yuan": "工业总产值(元)", "employment": "从业人员(人)", "exports_yuan": "出口交货值(元)",
    "rd_expenditure_yuan": "研发经费(元)", "top_firm_share": "最大企业占比",
    "load_id": "加载编号", "table_name": "目标表", "source_file": "源文件", "rows_in_file": "文件行数",
    "rows_inserted": "新增行数", "rows_updated": "更新行数", "rows_rejected": "拒绝行数", "sha256": "SHA-256",
    "loaded_at": "加载时间", "vintage": "数据版本",
}


def _named(con, table):
    clusters = con.table("clusters").select("cluster_id", cluster_zh="name_zh")
    regions = con.table("regions").select(city_code="region_code", city_zh="name_zh")
    out = table
    if "cluster_id" in table.columns:
        out = out.left_join(clusters, "cluster_id").drop("cluster_id_right")
    return out.left_join(regions, "city_code").drop("city_code_right")


def monitoring_frames(con) -> dict:
    """Indicator catalogue results (also stored in ``indicator_results``), strength flags, alerts."""
    from ..metrics import store_strength, write_indicator_results
    from ..metrics.compute import store_alerts
    from ..metrics.export import published

    write_indicator_results(con)
    stored = con.table("indicator_results")
    return {
        "indicators": published(stored.execute()),
        "cluster_strength": store_strength(con).execute(),
        "alerts": store_alerts(con, stored).execute(),
    }


def evaluation_frames(con) -> dict:
    """Competitiveness evaluation with the shipped scheme, province-wide and per city (also stored)."""
    from ..evaluation.report import flat_table
    from ..evaluation.scheme import load_scheme
    from ..evaluation.store import evaluate_store, write_evaluation_results

    scheme = load_scheme()
    frames = {}
    for level in ("province", "city"):
        evaluations, units = evaluate_store(con, scheme, level)
        write_evaluation_results(con, evaluations, scheme, units)
        frames[f"evaluation_{level}"] = flat_table(evaluations, units)
    return frames


def write_outputs(con, out_dir: Path, note: str) -> list[Path]:
    """Compute the marts and write them; return the files written."""
    out_dir.mkdir(parents=True, exist_ok=True)
    frames = {
        "cluster_city_year": _named(con, marts.cluster_city_year(con)).execute(),
        "city_year": _named(con, marts.city_year(con)).execute(),
        "loads": con.table("loads").drop("user_name").execute(),
    }
    frames.update(monitoring_frames(con))
    frames.update(evaluation_frames(con))
    written = []
    for name, frame in frames.items():
        path = out_dir / f"{name}.csv"
        frame.to_csv(path, index=False)
        written.append(path)
    xlsx = out_dir / "jiqun-demo-summary.xlsx"
    import pandas as pd

    with pd.ExcelWriter(xlsx, engine="xlsxwriter") as writer:
        pd.DataFrame({"说明 Note": [note.strip()]}).to_excel(writer, sheet_name="说明", index=False)
        for name, frame in frames.items():
            if name == "indicators":
                from ..metrics.export import chinese

                clusters = dict(con.table("clusters").select("cluster_id", "name_zh").execute().values.tolist())
                regions = dict(con.table("regions").select("region_code", "name_zh").execute().values.tolist())
                frame = chinese(frame, clusters, regions)
            frame.rename(columns=ZH_HEADERS).to_excel(writer, sheet_name=name[:31], index=False)
    written.append(xlsx)
    (out_dir / "README.txt").write_text(note, encoding="utf-8")
    written.append(out_dir / "README.txt")
    return written
