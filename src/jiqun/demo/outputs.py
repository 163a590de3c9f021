"""What the demo writes after loading: every analysis that exists, as CSV and Excel.

The CSV files (UTF-8 with a BOM) carry the published English column names, the same as the
CLI (``cluster``, ``region``, ``year``; stored units: yuan, ratios); the Excel workbook that
analysts forward has Chinese headers, money in 亿元, shares as % and a 说明 sheet
(:mod:`jiqun.excel`).
"""

from __future__ import annotations

from pathlib import Path

from .. import marts
from ..excel import About, Column, Sheet, columns_for, write_csv, write_workbook

_MONEY = "金额合计，亿元 sum over the cluster's firms, 100m yuan (CSV: yuan)"

#: Columns of the demo's own frames (marts, loads, cluster strength) -> Excel column.
COLUMNS = {c.field: c for c in [
    Column("cluster_zh", "集群", description="集群名称 cluster name"),
    Column("cluster", "集群编号", "code", "cluster id"),
    Column("region_zh", "地区", description="地区名称 region name"),
    Column("region", "地区代码", "code", "GB/T 2260 region code (prefecture city)"),
    Column("year", "年份", "year", "年份 year"),
    Column("n_firms", "企业数", "integer", "有当年数据的企业数 firms with accounts that year"),
    Column("n_above_size", "规上企业数", "integer", "营业收入≥2000万元的企业数 firms above designated size"),
    Column("revenue_yuan", "营业收入", "money_yi", "营业收入 revenue; " + _MONEY),
    Column("output_value_yuan", "工业总产值", "money_yi", "工业总产值 gross output value; " + _MONEY),
    Column("employment", "从业人员（人）", "integer", "从业人员 employment, persons"),
    Column("exports_yuan", "出口交货值", "money_yi", "出口交货值 export delivery value; " + _MONEY),
    Column("rd_expenditure_yuan", "研发经费", "money_wan", "研发经费 R&D expenditure; 金额合计，万元 sum, 10k yuan "
           "(CSV: yuan)"),
    Column("top_firm_share", "最大企业占比", "share", "最大企业营业收入占比 largest firm's revenue share"),
    Column("load_id", "加载编号", "integer", "load id"),
    Column("table_name", "目标表", "code", "table loaded"),
    Column("source_file", "源文件", description="source file"),
    Column("rows_in_file", "文件行数", "integer", "rows in the file"),
    Column("rows_inserted", "新增行数", "integer", "rows inserted"),
    Column("rows_updated", "更新行数", "integer", "rows updated"),
    Column("rows_rejected", "拒绝行数", "integer", "rows rejected"),
    Column("rows_unchanged", "未变行数", "integer", "rows already stored with the same values"),
    Column("file_format", "文件格式", "code", "file format"),
    Column("encoding", "编码", "code", "text encoding of the file"),
    Column("mode", "加载方式", "code", "load mode"),
    Column("jiqun_version", "jiqun 版本", "code", "jiqun version of the load"),
    Column("sha256", "SHA-256", "code", "SHA-256 of the file"),
    Column("loaded_at", "加载时间", "timestamp", "time of the load (UTC)"),
    Column("vintage", "数据版本", description="declared data vintage"),
    Column("establishments", "企业（机构）数", "integer", "establishments (firms with accounts)"),
    Column("traded", "可贸易集群", "flag", "traded cluster (US Cluster Mapping)"),
    Column("lq", "区位熵", "decimal", "就业区位熵 employment location quotient"),
    Column("region_share", "占本地就业比重", "share", "cluster's share of the region's employment"),
    Column("cluster_share", "占全国集群就业比重", "share", "region's share of the cluster's national employment"),
    Column("strong", "强集群", "flag", "strong cluster (top 25% by LQ among the regions)"),
    Column("strong10", "强集群（前10%）", "flag", "strong cluster (top 10%)"),
    Column("significant", "显著", "flag", "significant (LQ and size thresholds)"),
    Column("qualifying", "合格", "flag", "qualifying for stars"),
    Column("star_size", "规模星", "flag", "ECO star: size"),
    Column("star_specialisation", "专业化星", "flag", "ECO star: specialisation"),
    Column("star_focus", "聚焦星", "flag", "ECO star: focus"),
]}
SHEET_NAMES = {"cluster_city_year": "集群×城市×年份", "city_year": "城市×年份", "loads": "加载记录",
               "indicators": "监测指标", "cluster_strength": "集群强度", "alerts": "预警",
               "evaluation_province": "评价（全省）", "evaluation_city": "评价（城市）"}


def _named(con, table):
    """A mart with published names (cluster, region) and Chinese names beside the ids."""
    clusters = con.table("clusters").select(cluster="cluster_id", cluster_zh="name_zh")
    regions = con.table("regions").select(region="region_code", region_zh="name_zh")
    out = table.rename(region="city_code")
    if "cluster_id" in table.columns:
        out = out.rename(cluster="cluster_id").left_join(clusters, "cluster").drop("cluster_right")
    out = out.left_join(regions, "region").drop("region_right")
    first = [c for c in ("cluster", "region", "year") if c in out.columns]
    last = [c for c in ("cluster_zh", "region_zh") if c in out.columns]
    return out.select(*first, *[c for c in out.columns if c not in first + last], *last)


def _names_first(frame):
    """Excel order: the Chinese name before each id (集群, 集群编号, 地区, 地区代码, …)."""
    first = [c for c in ("cluster_zh", "cluster", "region_zh", "region") if c in frame.columns]
    return frame[first + [c for c in frame.columns if c not in first]]


def monitoring_frames(con) -> dict:
    """Indicator catalogue results (also stored in ``indicator_results``), strength flags, alerts."""
    from ..metrics import store_alerts, store_strength, write_indicator_results
    from ..metrics.alert_report import published_alerts
    from ..metrics.export import published

    write_indicator_results(con)
    stored = con.table("indicator_results")
    return {
        "indicators": published(stored.execute()),
        "cluster_strength": _published_order(store_strength(con).execute()),
        "alerts": published_alerts(store_alerts(con, stored).execute()),
    }


def _published_order(frame):
    """``cluster, region, year`` first, as in every published layout."""
    first = ["cluster", "region", "year"]
    return frame[first + [c for c in frame.columns if c not in first]]


def evaluation_frames(con) -> dict:
    """Competitiveness evaluation with the shipped scheme, province-wide and per city (also stored)."""
    from ..evaluation.scheme import load_scheme
    from ..evaluation.store import evaluate_store, write_evaluation_results
    from ..schema.vocab import ANALYSED_REGION_LEVELS

    scheme = load_scheme()
    frames = {}
    for level in reversed(ANALYSED_REGION_LEVELS):  # province first: its sheet leads the workbook
        evaluations, units = evaluate_store(con, scheme, level)
        write_evaluation_results(con, evaluations, scheme, units)
        frames[f"evaluation_{level}"] = (evaluations, units)
    return frames


def _scheme_notes(evaluations: dict) -> list[str]:
    evs = [ev for evs, _units in evaluations.values() for ev in evs]
    return [f"评价方案 Evaluation scheme: {evs[0].scheme.name} (SHA-256 {evs[0].scheme.sha256})"] if evs else []


def _store_path(con) -> str:
    from .._duck import duckdb_connection, fetch_one

    row = fetch_one(duckdb_connection(con), "SELECT path FROM duckdb_databases() WHERE database_name = current_database()")
    return str(row[0]) if row and row[0] else ""


def _sheets(con, frames: dict, evaluations: dict) -> list[Sheet]:
    """Excel sheets of every output (Chinese headers and labels)."""
    from ..evaluation.report import flat_table, result_sheet
    from ..metrics.alert_report import ALERT_SHEET_COLUMNS
    from ..metrics.export import indicator_sheet, labelled

    clusters = dict(con.table("clusters").select("cluster_id", "name_zh").execute().values.tolist())
    regions = dict(con.table("regions").select("region_code", "name_zh").execute().values.tolist())
    sheets = []
    for name, frame in frames.items():
        title = SHEET_NAMES.get(name, name)
        if name == "indicators":
            sheets.append(indicator_sheet(frame, clusters, regions, title))
        elif name == "alerts":
            named = labelled(frame, clusters, regions)
            sheets.append(Sheet(title, named, ALERT_SHEET_COLUMNS, "预警清单 alerts fired, every year"))
        elif name == "cluster_strength":
            named = _names_first(frame.assign(cluster_zh=frame.cluster.map(clusters),
                                              region_zh=frame.region.map(regions)))
            sheets.append(Sheet(title, named, columns_for(named, COLUMNS), "集群强度 US Cluster Mapping flags"))
        elif name == "loads":  # the columns with a Chinese header (a newer store may have more)
            known = frame[[c for c in frame.columns if c in COLUMNS]]
            sheets.append(Sheet(title, known, columns_for(known, COLUMNS), "加载记录 loads of the store"))
        else:
            named = _names_first(frame)
            sheets.append(Sheet(title, named, columns_for(named, COLUMNS)))
    for name, (evs, units) in evaluations.items():
        sheet = result_sheet(flat_table(evs, units), evs)
        sheet.name = SHEET_NAMES[name]
        sheets.append(sheet)
    return sheets


def write_outputs(con, out_dir: Path, note: str) -> list[Path]:
    """Compute the marts and write them (CSV with a BOM, one Excel workbook, the chain maps); return the
    files written."""
    from .actor_outputs import write_actor_outputs
    from .chain_outputs import write_chain_outputs
    from ..evaluation.report import flat_table
    from ..metrics.engine import data_vintage
    from ..metrics.export import indicator_definitions

    out_dir.mkdir(parents=True, exist_ok=True)
    frames = {
        "cluster_city_year": _named(con, marts.cluster_city_year(con)).execute(),
        "city_year": _named(con, marts.city_year(con)).execute(),
        "loads": con.table("loads").drop("user_name").execute(),
    }
    frames.update(monitoring_frames(con))
    evaluations = evaluation_frames(con)
    written = []
    for name, frame in frames.items():
        written.append(write_csv(frame, out_dir / f"{name}.csv"))
    for name, (evs, units) in evaluations.items():
        written.append(write_csv(flat_table(evs, units), out_dir / f"{name}.csv"))
    written.extend(write_chain_outputs(con, out_dir))
    written.extend(write_actor_outputs(con, out_dir))
    xlsx = out_dir / "jiqun-demo-summary.xlsx"
    about = About("jiqun 演示输出 demo outputs", data_vintage(con), _store_path(con),
                  notes=[line for line in note.strip().splitlines() if line.strip()] + _scheme_notes(evaluations),
                  definitions=indicator_definitions())
    written.append(write_workbook(xlsx, _sheets(con, frames, evaluations), about))
    (out_dir / "README.txt").write_text(note, encoding="utf-8")
    written.append(out_dir / "README.txt")
    return written
