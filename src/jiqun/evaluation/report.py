"""Outputs of an evaluation: JSON records, a flat table, an Excel workbook and a reproducibility record.

The reproducibility record (:func:`record`) holds everything needed to re-run a published
ranking exactly: the scheme text and its SHA-256, the data vintage, the input matrix
after imputation, the weights and the results.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pandas as pd

from .. import __version__
from .run import Evaluation
from .typology import TYPES_ZH

COLUMNS_ZH = {
    "cluster": "集群", "region": "地区", "year": "年份", "name_zh": "名称", "score": "总分", "rank": "排名",
    "type_zh": "类型", "rank_p05": "排名区间下限(5%)", "rank_p95": "排名区间上限(95%)",
    "weakest_dimension": "短板维度", "explanation_zh": "说明", "kmeans_type": "聚类检验",
}


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
    path.write_text(json.dumps([record(ev, unit_names) for ev in evaluations], ensure_ascii=False, indent=1),
                    encoding="utf-8")
    return path


def write_xlsx(evaluations: list[Evaluation], path: Path, unit_names: dict | None = None) -> Path:
    """Excel workbook with Chinese headers: results, weights, world-class gaps, order robustness, scheme."""
    path = Path(path)
    table = flat_table(evaluations, unit_names)
    table.insert(table.columns.get_loc("type") + 1, "type_zh", table["type"].map(TYPES_ZH))
    results = table[[c for c in COLUMNS_ZH if c in table.columns]].rename(columns=COLUMNS_ZH)
    weights, gaps, pairs = [], [], []
    for ev in evaluations:
        for j, ind in enumerate(ev.indicators):
            weights.append({"年份": ev.year, "维度": ev.dimensions[ev.dimension_of[j]], "指标": ind,
                            "方向": "正向" if ev.directions[j] > 0 else "逆向", "权重": ev.indicator_weights[j],
                            "参照值": ev.reference[j]})
        for i, u in enumerate(ev.units):
            for gap in ev.largest_gaps(i):
                gaps.append({"年份": ev.year, "集群": u[0], "地区": u[1], "指标": gap["indicator"],
                             "差距": gap["gap"], "数值": gap["value"], "参照值": gap["reference"]})
        if ev.mc is not None:
            for i, j, p in ev.mc.ambiguous_pairs():
                pairs.append({"年份": ev.year, "单元A": "/".join(ev.units[i]), "单元B": "/".join(ev.units[j]),
                              "A排在B前的概率": p})
    with pd.ExcelWriter(path, engine="xlsxwriter") as xl:
        results.to_excel(xl, sheet_name="评价结果", index=False)
        pd.DataFrame(weights).to_excel(xl, sheet_name="权重", index=False)
        pd.DataFrame(gaps).to_excel(xl, sheet_name="世界级差距", index=False)
        pd.DataFrame(pairs or [{"说明": "无"}]).to_excel(xl, sheet_name="排序不稳健的组合", index=False)
        ev = evaluations[0]
        pd.DataFrame({"项目": ["方案", "SHA-256", "数据版本"], "值": [ev.scheme.name, ev.scheme.sha256, ev.vintage]}
                     ).to_excel(xl, sheet_name="方案", index=False)
    return path
