"""Outputs of an evaluation: JSON records, a flat table, an Excel workbook and a reproducibility record.

:func:`write_evaluations` and :func:`evaluation_text` serve every output format of
``jiqun evaluate`` (:data:`FORMATS`) from the same functions.

The reproducibility record (:func:`record`) holds everything needed to re-run a published
ranking exactly: the scheme text and its SHA-256, the data vintage, the input matrix
after imputation, the weights and the results.
"""

from __future__ import annotations

import datetime as dt
import json
import math
from pathlib import Path

import pandas as pd

from .._version import __version__
from ..display import unit_label
from ..excel import About, Column, Sheet, write_csv, write_workbook
from .run import Evaluation
from .typology import TYPES_ZH


def json_ready(value):
    """``value`` with every NaN or infinite float replaced by None (valid JSON: null), recursively."""
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {k: json_ready(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [json_ready(v) for v in value]
    return value


def records_json(evaluations: list[Evaluation], unit_names: dict | None = None) -> str:
    """The records as JSON text: numbers as numbers, NaN as null."""
    return json.dumps(json_ready(records(evaluations, unit_names)), ensure_ascii=False, indent=1)


def records(evaluations: list[Evaluation], unit_names: dict | None = None) -> list[dict]:
    """JSON-ready records of every unit of every evaluation (best first within a year)."""
    return [rec for ev in evaluations for rec in ev.records(unit_names)]


def flat_table(evaluations: list[Evaluation], unit_names: dict | None = None) -> pd.DataFrame:
    """One row per unit and year: scores, ranks, type, dimension scores, interval, explanations."""
    rows = []
    for rec in records(evaluations, unit_names):
        row = {k: rec.get(k) for k in ("cluster", "region", "year", "name_zh", "name_en", "score", "rank", "type",
                                       "rank_p05", "rank_p95", "kmeans_type", "weakest_dimension")}
        row.update({f"dim_{k}": v for k, v in rec["dimensions"].items()})
        row.update({f"p_{k}": v for k, v in (rec.get("type_probability") or {}).items()})
        row.update(explanation_zh=rec["explanation_zh"], explanation_en=rec["explanation_en"],
                   scheme_sha256=rec["scheme_sha256"], vintage=rec["vintage"])
        rows.append(row)
    return pd.DataFrame(rows)


def record(ev: Evaluation, unit_names: dict | None = None) -> dict:
    """Reproducibility record of one evaluation (scheme, hash, vintage, inputs, weights, results)."""
    return {
        "jiqun_version": __version__,
        "created_at": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
        "scheme_name": ev.scheme.name, "scheme_sha256": ev.scheme.sha256, "scheme_text": ev.scheme.text,
        "scheme_document": ev.scheme.document, "vintage": ev.vintage, "year": ev.year,
        "units": [list(u) for u in ev.units], "indicators": ev.indicators,
        "directions": ev.directions.tolist(), "inputs": ev.raw.tolist(),
        "imputed": [[i, j] for i, j in ev.imputed], "dimensions": ev.dimensions,
        "dimension_weights": ev.dimension_weights.tolist(), "indicator_weights": ev.indicator_weights.tolist(),
        "reference": {"name": ev.reference_name, "values": ev.reference.tolist()},
        "notes": ev.notes,
        "monte_carlo": None if ev.mc is None else {
            "draws": ev.mc.draws, "settings": {k: v for k, v in ev.scheme.uncertainty.items()},
            "ambiguous_pairs": [[ev.units[i][0], ev.units[j][0], p] for i, j, p in ev.mc.ambiguous_pairs()],
        },
        "results": ev.records(unit_names),
    }


def write_record(evaluations: list[Evaluation], path: Path, unit_names: dict | None = None) -> Path:
    """Write the reproducibility record(s) as UTF-8 JSON."""
    path = Path(path)
    path.write_text(json.dumps(json_ready([record(ev, unit_names) for ev in evaluations]), ensure_ascii=False,
                               indent=1),
                    encoding="utf-8")
    return path


def _catalogue() -> dict:
    from ..metrics.catalogue import load_catalogue

    return load_catalogue()


RESULT_COLUMNS = {
    "year": Column("year", "年份", "year", "评价年份 year evaluated"),
    "rank": Column("rank", "排名", "integer", "总分排名 rank by total score (1 = best)"),
    "name_zh": Column("name_zh", "名称", description="评价单元名称 unit (cluster, or city + cluster)"),
    "cluster": Column("cluster", "集群编号", "code", "cluster id"),
    "region": Column("region", "地区代码", "code", "GB/T 2260 region code"),
    "score": Column("score", "总分", "score", "综合得分 total score (0-1)"),
    "type_zh": Column("type_zh", "类型", description="引领型 / 突破型 / 赶超型 type by the scheme's rules"),
    "type": Column("type", "类型编号", "code", "type code: leading / breakthrough / catch_up"),
    "rank_p05": Column("rank_p05", "排名区间下限(5%)", "integer", "蒙特卡洛排名5%分位 Monte Carlo rank, 5th percentile"),
    "rank_p95": Column("rank_p95", "排名区间上限(95%)", "integer",
                       "蒙特卡洛排名95%分位 Monte Carlo rank, 95th percentile"),
    "weakest_zh": Column("weakest_zh", "短板维度", description="得分最低的维度 weakest dimension"),
    "kmeans_zh": Column("kmeans_zh", "聚类检验", description="k-means分组（检验）k-means grouping of the profiles"),
    "explanation_zh": Column("explanation_zh", "说明", description="类型依据（中文）why this type"),
    "explanation_en": Column("explanation_en", "说明（英文）", description="why this type (English)"),
}


def result_sheet(table: pd.DataFrame, evaluations: list[Evaluation]) -> Sheet:
    """The results of :func:`flat_table` as an Excel sheet: Chinese labels beside every code."""
    dims = evaluations[0].scheme.dimensions
    out = table.assign(type_zh=table["type"].map(TYPES_ZH),
                       weakest_zh=table["weakest_dimension"].map(lambda dim: dims[dim].name_zh if dim in dims else dim),
                       kmeans_zh=table["kmeans_type"].map(lambda code: TYPES_ZH.get(code, "")))
    empty = {c for c in ("rank_p05", "rank_p95", "kmeans_zh") if c in out.columns
             and out[c].replace("", None).isna().all()}
    columns = [c for k, c in RESULT_COLUMNS.items() if k in out.columns and k not in {"explanation_zh",
                                                                                        "explanation_en"} | empty]
    columns += [Column(f"dim_{d}", f"维度得分：{dims[d].name_zh}", "score", f"{dims[d].name_en} dimension score (0-1)")
                for d in dims if f"dim_{d}" in out.columns]
    columns += [Column(f"p_{t}", f"{TYPES_ZH[t]}概率", "share", f"P(type = {t}) over the Monte Carlo draws")
                for t in TYPES_ZH if f"p_{t}" in out.columns]
    columns += [RESULT_COLUMNS["explanation_zh"], RESULT_COLUMNS["explanation_en"]]
    return Sheet("评价结果", out, columns, "竞争力评价结果 competitiveness scores, ranks and types")


def _detail_sheets(evaluations: list[Evaluation], unit_names: dict | None = None) -> list[Sheet]:
    """Weights, world-class gaps and the pairs whose order is not robust."""
    cat = _catalogue()
    unit_names = unit_names or {}
    weights, gaps, pairs = [], [], []
    for ev in evaluations:
        for column, ind in enumerate(ev.indicators):
            dimension = ev.scheme.dimensions[ev.dimensions[ev.dimension_of[column]]]
            weights.append({"year": ev.year, "dimension_zh": dimension.name_zh,
                            "indicator_zh": cat[ind].name_zh if ind in cat else ind, "indicator": ind,
                            "direction_zh": "正向" if ev.directions[column] > 0 else "逆向",
                            "weight": ev.indicator_weights[column], "reference": ev.reference[column],
                            "unit": cat[ind].unit if ind in cat else ""})
        for unit, (cid, region) in enumerate(ev.units):
            for gap in ev.largest_gaps(unit):
                ind = gap["indicator"]
                gaps.append({"year": ev.year, "name_zh": unit_names.get((cid, region), (cid,))[0], "cluster": cid,
                             "region": region,
                             "indicator_zh": cat[ind].name_zh if ind in cat else ind, "indicator": ind,
                             "gap": gap["gap"], "value": gap["value"], "reference": gap["reference"],
                             "unit": cat[ind].unit if ind in cat else ""})
        if ev.mc is not None:
            for unit_a, unit_b, p_above in ev.mc.ambiguous_pairs():
                pairs.append({"year": ev.year,
                              "unit_a": unit_names.get(ev.units[unit_a], ("/".join(ev.units[unit_a]),))[0],
                              "unit_b": unit_names.get(ev.units[unit_b], ("/".join(ev.units[unit_b]),))[0],
                              "p_a_above_b": p_above})
    year, ind_zh = Column("year", "年份", "year", "year"), Column("indicator_zh", "指标", description="indicator name")
    ind = Column("indicator", "指标编号", "code", "indicator id")
    value_note = "原始单位换算：金额亿元，比重% in the indicator's unit"
    return [
        Sheet("权重", pd.DataFrame(weights, columns=["year", "dimension_zh", "indicator_zh", "indicator", "direction_zh",
                                                    "weight", "reference", "unit"]),
              [year, Column("dimension_zh", "维度", description="dimension"), ind_zh, ind,
               Column("direction_zh", "方向", description="正向 benefit / 逆向 cost"),
               Column("weight", "权重", "share", "综合权重 overall weight of the indicator"),
               Column("reference", "参照值", "by_unit", "世界级参照值 world-class reference; " + value_note,
                      unit_field="unit")], "指标权重 indicator weights"),
        Sheet("世界级差距", pd.DataFrame(gaps, columns=["year", "name_zh", "cluster", "region", "indicator_zh",
                                                      "indicator", "gap", "value", "reference", "unit"]),
              [year, Column("name_zh", "名称", description="评价单元名称 unit name"),
               Column("cluster", "集群编号", "code", "cluster id"),
               Column("region", "地区代码", "code", "region code"), ind_zh, ind,
               Column("gap", "差距", "share", "相对差距 relative gap to the reference (0 = at it, 100% = none of it)"),
               Column("value", "数值", "by_unit", "单元的指标值 the unit's value; " + value_note, unit_field="unit"),
               Column("reference", "参照值", "by_unit", "参照值 reference; " + value_note, unit_field="unit")],
              "每个单元最大的三项差距 the three largest gaps of each unit"),
        Sheet("排序不稳健的组合", pd.DataFrame(pairs, columns=["year", "unit_a", "unit_b", "p_a_above_b"]),
              [year, Column("unit_a", "单元A", description="评价单元名称 unit name"),
               Column("unit_b", "单元B", description="评价单元名称 unit name"),
               Column("p_a_above_b", "A排在B前的概率", "share", "P(A ranked above B) over the draws")],
              "排序不稳健的组合（概率0.2-0.8）pairs whose order is not meaningful"),
    ]


def write_xlsx(evaluations: list[Evaluation], path: Path, unit_names: dict | None = None, store: str = "") -> Path:
    """Excel workbook with Chinese headers and labels: results, weights, world-class gaps, order
    robustness and a 说明 sheet (scheme, its SHA-256, data vintage, every column, the indicators)."""
    table = flat_table(evaluations, unit_names)
    sheets = [result_sheet(table, evaluations)] + _detail_sheets(evaluations, unit_names)
    ev = evaluations[0]
    cat = _catalogue()
    definitions = [(i, f"{cat[i].name_zh} {cat[i].name_en}", unit_label(cat[i].unit), cat[i].definition)
                   for i in ev.indicators if i in cat]
    about = About("集群竞争力评价 Cluster competitiveness evaluation", ev.vintage, store,
                  notes=[f"方案 Scheme: {ev.scheme.name}", f"方案 SHA-256: {ev.scheme.sha256}"]
                  + [f"提示 ({e.year}): {n}" for e in evaluations for n in e.notes],
                  definitions=definitions)
    return write_workbook(Path(path), sheets, about)


#: The file formats of an evaluation (a terminal table is :func:`evaluation_display_table`).
FORMATS = ("csv", "json", "xlsx")


def evaluation_text(evaluations: list[Evaluation], fmt: str, unit_names: dict | None = None) -> str:
    """The evaluations as JSON records (``fmt="json"``) or as the CSV text of :func:`flat_table`."""
    if fmt == "json":
        return records_json(evaluations, unit_names)
    if fmt == "csv":
        return flat_table(evaluations, unit_names).to_csv(index=False)
    raise ValueError(f"text format must be json or csv, got {fmt!r}")


def write_evaluations(evaluations: list[Evaluation], fmt: str, path: Path, unit_names: dict | None = None,
                      store: str = "") -> Path:
    """Write the evaluations to ``path`` in one of :data:`FORMATS`; return the path written.

    ``xlsx``: :func:`write_xlsx` (``store`` is named on its 说明 sheet); ``csv``: :func:`flat_table`
    with a UTF-8 BOM (for Excel); ``json``: :func:`records_json` as UTF-8.
    """
    if fmt == "xlsx":
        return write_xlsx(evaluations, path, unit_names, store)
    if fmt == "csv":
        return write_csv(flat_table(evaluations, unit_names), path)
    if fmt == "json":
        path = Path(path)
        path.write_text(records_json(evaluations, unit_names), encoding="utf-8")
        return path
    raise ValueError(f"format must be one of {', '.join(FORMATS)}, got {fmt!r}")


TYPES_EN = {"leading": "leading", "breakthrough": "breakthrough", "catch_up": "catch-up"}


def evaluation_display_table(ev: Evaluation, unit_names: dict | None = None) -> pd.DataFrame:
    """Readable text of one evaluation for a terminal: bilingual headers and labels, scores to 3
    decimals, the 90% rank interval, dimension scores and the weakest dimension."""
    dims = ev.scheme.dimensions
    rows = []
    for rec in ev.records(unit_names):
        unit = rec["cluster"] if rec["region"].endswith("0000") else f"{rec['cluster']} {rec['region']}"
        row = {"rank 排名": str(rec["rank"]), "cluster 集群": f"{rec['name_zh']}\n{unit}",
               "score 总分": f"{rec['score']:.3f}",
               "type 类型": f"{TYPES_ZH[rec['type']]} {TYPES_EN[rec['type']]}",
               "90% rank 排名区间": f"{rec['rank_p05']}–{rec['rank_p95']}" if "rank_p05" in rec else ""}
        for dim, value in rec["dimensions"].items():
            row[f"{dims[dim].name_zh}\n{dims[dim].name_en}"] = "—" if not math.isfinite(value) else f"{value:.2f}"
        weakest = dims[rec["weakest_dimension"]]
        row["weakest 短板"] = weakest.name_zh
        rows.append(row)
    return pd.DataFrame(rows)
