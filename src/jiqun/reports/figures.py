"""The charts of a report (专报图表) as SVG text, drawn by :mod:`jiqun.pictures` from the query layer's
data: the city map of strong clusters and the score bars of the province report, the dimension radar
and the chain map of a cluster report. Each carries the CJK font stack of the PDF, so WeasyPrint sets
its Chinese labels in the same font as the text."""

from __future__ import annotations

from ..display import format_value
from .content import DIMENSIONS, TYPE_NAMES

TYPE_COLOURS = {"leading": "#0b6e4f", "breakthrough": "#1d4ed8", "catch_up": "#b45309"}
STAGE_NAMES = {"upstream": ("上游", "Upstream"), "midstream": ("中游", "Midstream"), "downstream": ("下游", "Downstream")}


def _pick(lang: str, pair: tuple[str, str]) -> str:
    return pair[0] if lang == "zh" else pair[1]


def with_font(svg: str, families: str) -> str:
    """``svg`` with ``families`` as the font of its text (set on the root element)."""
    return svg.replace("<svg ", f"<svg font-family='{families}' ", 1)


def city_strength_map(strength: dict, lang: str) -> str:
    """Strong clusters per city (:meth:`jiqun.query.Query.city_strength`) on the map of the 13 cities."""
    from ..pictures.citymap import city_map_svg

    values = {c["region"]: c["n_strong"] for c in strength["cities"]}
    names = {c["region"]: c["name_zh"] for c in strength["cities"]}
    title = _pick(lang, (f"各市强集群个数（{strength['year']}年）", f"Strong clusters by city, {strength['year']}"))
    return city_map_svg(values, names, title, lambda v: f"{v:.0f}" + ("个" if lang == "zh" else ""),
                        _pick(lang, ("无数据", "no data")))


def score_bars(clusters: list[dict], lang: str) -> str:
    """The clusters' scores, best first, coloured by type, each with its rank and 90 % interval."""
    from ..pictures.charts import score_bars_svg

    rows = []
    for c in clusters:
        if c.get("score") is None:
            continue
        kind = _pick(lang, TYPE_NAMES.get(c.get("type"), ("", "")))
        note = (f'第{c["rank"]}位（{c["rank_p05"]}–{c["rank_p95"]}）{kind}' if lang == "zh"
                else f'rank {c["rank"]} ({c["rank_p05"]}–{c["rank_p95"]}) {kind}')
        rows.append({"label": c["name_zh"] if lang == "zh" else c["name_en"], "value": c["score"],
                     "colour": TYPE_COLOURS.get(c.get("type")), "note": note})
    return score_bars_svg(rows, _pick(lang, ("综合得分与排名区间", "Scores and rank intervals")),
                          lambda v: format_value(v, "index"))


def dimension_radar(evaluation: dict, peers: list[dict], lang: str) -> str:
    """A cluster's four dimension scores against the province's best and median."""
    from ..pictures.charts import radar_svg
    from ..query.pages import dimension_references

    scores = evaluation.get("dimension_scores") or {}
    dims = list(scores)
    references = dimension_references(peers)
    series = [(_pick(lang, ("本集群", "This cluster")), [scores[d] for d in dims]),
              (_pick(lang, ("全省最高", "Province best")), [references["best"].get(d) for d in dims]),
              (_pick(lang, ("全省中位", "Province median")), [references["median"].get(d) for d in dims])]
    # axis labels start with a capital in English; the report's prose keeps them lower-case
    axes = [_pick(lang, DIMENSIONS.get(d, (d, d))) for d in dims]
    return radar_svg(axes if lang == "zh" else [axis.capitalize() for axis in axes], series,
                     _pick(lang, ("四个维度得分", "Scores of the four dimensions")))


def chain_figure(chain: dict, lang: str) -> str:
    """The chain's segments coloured by weakness (:meth:`jiqun.query.Query.chain`), without links."""
    from ..pictures.chain import WEAKNESS_LABELS
    from ..pictures.chainweb import chain_graph_svg

    nodes = [{"node_id": n["node_id"], "stage": n["stage"], "weakness": n["weakness"],
              "label": n["name_zh"] if lang == "zh" else n["name_en"], "tip": n["reasons_zh"]} for n in chain["nodes"]]
    links = [{"from": l["from"], "to": l["to"], "amount": l["amount_yuan"]} for l in chain["links"]]
    stages = {stage: _pick(lang, names) for stage, names in STAGE_NAMES.items()}
    return chain_graph_svg(nodes, links, None, stages, list(WEAKNESS_LABELS), None,
                           _pick(lang, (f"产业链短板分布（{chain['year']}年）", f"Weak links of the chain, {chain['year']}")))
