"""HTML of the comparison page (对比) and of the chokepoint inventory page (卡脖子清单), with their charts
(drawing only: page data in, text out; labels from :mod:`jiqun.web.labels`)."""

from __future__ import annotations

from html import escape, unescape

from ..display import format_value
from .html import downloads_line, link_to, name_of, page_html, priority_text, table_html
from .labels import label

#: Items of the position chart labelled on the chart (by province priority); the others in tooltips.
LABELLED_ITEMS = 8
CLASS_COLOURS = {"fully_dependent": "#b91c1c", "lagging": "#b45309", "rd_base": "#1d4ed8"}



# -- comparison --------------------------------------------------------------------------------------
def portfolio_svgs(data: dict, lang: str) -> dict[str, str]:
    """The portfolio chart of each compared cluster or city, by chart id (``portfolio-1`` …)."""
    from ..metrics import load_catalogue
    from ..pictures.charts import bubble_chart_svg

    catalogue = load_catalogue()
    axes = {axis: catalogue[indicator] for axis, indicator in data["axes"].items()}
    names = {axis: spec.name_zh if lang == "zh" else spec.name_en for axis, spec in axes.items()}
    charts = {}
    for index, portfolio in enumerate(data["portfolios"], start=1):
        bubbles = [{"label": name_of(b, lang), "x": b["x"], "y": b["y"], "size": b["size"]} for b in portfolio["bubbles"]]
        charts[f"portfolio-{index}"] = bubble_chart_svg(
            bubbles, f'{name_of(portfolio, lang)} · {label("portfolio", lang)} · {data["year"]}', names["x"], names["y"],
            lambda v: format_value(v, axes["x"].unit), lambda v: format_value(v, axes["y"].unit),
            lambda v: f'{names["size"]} {format_value(v, axes["size"].unit, True)}', css_id=f"portfolio-{index}")
    return charts


def compare_page(data: dict, lang: str) -> str:
    """Up to ten clusters or cities side by side: the compared indicators in one table, then each one's
    cluster portfolio (specialisation against growth, bubble size = employment)."""
    ids = ",".join(item["id"] for item in data["items"])
    params = {"kind": data["kind"], "ids": ids, "year": data["year"]}
    form = (f'<form id="compare-form" method="get" action="/compare">'
            + ('<input type="hidden" name="lang" value="en">' if lang == "en" else "")
            + f'<label>{escape(label("compare_kind", lang))} <select name="kind">'
            + "".join(f'<option value="{k}"{" selected" if k == data["kind"] else ""}>{escape(label("kind_" + k, lang))}'
                      f'</option>' for k in ("clusters", "cities"))
            + f'</select></label> <label>{escape(label("compare_ids", lang))} <input type="text" name="ids" size="60" '
              f'value="{escape(ids)}"></label> <button type="submit">{escape(label("show", lang))}</button>'
              f'<p class="note">{escape(label("compare_note", lang))}：{escape(", ".join(data["choices"]))}</p></form>')
    headers = [label("indicator", lang)] + [name_of(item, lang) for item in data["items"]]
    shown = [i for i in data["indicators"] if any(item["values"].get(i["indicator"]) is not None for item in data["items"])]
    rows = [[escape(i["name_zh"] if lang == "zh" else i["name_en"])]
            + [format_value(item["values"].get(i["indicator"]), i["unit"], True) for item in data["items"]]
            for i in shown]
    if data["kind"] == "clusters":
        rows.append([escape(label("type", lang))] + [escape(label("type_" + item["type"], lang)) if item.get("type")
                                                     else "—" for item in data["items"]])
        rows.append([escape(label("rank", lang) + "（" + label("rank_interval", lang) + "）")]
                    + ["—" if item.get("rank") is None else f'{item["rank"]}（{item["rank_p05"]}–{item["rank_p95"]}）'
                       for item in data["items"]])
    else:
        rows.append([escape(label("n_strong", lang))] + [str(item["n_strong"]) for item in data["items"]])
        rows.append([escape(label("top_clusters", lang))] + [escape("、".join(
            f'{c["name_zh"]}（{format_value(c["lq"], "index")}）' for c in item["top_clusters"])) for item in data["items"]])
    table = table_html(headers, rows, set(range(1, len(headers))), "compare-table")
    charts = portfolio_svgs(data, lang)
    figures = "".join(f'<figure>{svg}</figure>' for svg in charts.values())
    body = (form + f'<h2>{escape(label("side_by_side", lang))}</h2>' + table
            + downloads_line(lang, {label("side_by_side", lang): unescape(link_to("/compare", lang, **params))},
                             {chart: unescape(link_to(f"/compare/charts/{chart}", lang, **params)) for chart in charts})
            + f'<h2>{escape(label("portfolio", lang))}</h2><p class="note">{escape(label("portfolio_note", lang))}</p>'
            + figures)
    return page_html(f'{label("compare", lang)} · {data["year"]}', body, lang, "/compare",
                     link_to("/api/compare", "zh", **params), **params)


# -- chokepoint inventory ----------------------------------------------------------------------------
def position_svg(data: dict, lang: str) -> str:
    """Each item's position (产品空间/技术空间): relatedness density (how near the province's strengths
    it lies) against complexity; product space where world trade gives it, else technology space."""
    from ..pictures.charts import bubble_chart_svg

    bubbles = []
    for item in data["items"]:
        product = item.get("density") is not None and item.get("pci") is not None
        x, y = (item.get("density"), item.get("pci")) if product else (item.get("tech_density"), item.get("tech_pci"))
        if x is None or y is None:
            continue
        bubbles.append({"label": f'{item["priority"]}·{item.get("name_zh") or item.get("node_id")}', "x": x, "y": y,
                        "size": item.get("imports") or item.get("purchases_abroad_yuan") or 1.0,
                        "colour": CLASS_COLOURS.get(item["class"]),
                        "labelled": (item.get("priority_province") or LABELLED_ITEMS + 1) <= LABELLED_ITEMS})
    return bubble_chart_svg(bubbles, label("position_title", lang), label("position_x", lang), label("position_y", lang),
                            lambda v: f"{v:.2f}", lambda v: f"{v:.2f}", lambda v: label("size_imports", lang),
                            x_reference=None, y_reference=0.0, width=640, height=420, css_id="position")


def inventory_page(data: dict, lang: str) -> str:
    """The chokepoint inventory of the province by class and priority, with the evidence of each item,
    its product- or technology-space position, filters and downloads."""
    params = {"cluster": data["cluster_id"], "class": data["class"], "max_priority": data["max_priority"]}
    cluster_options = f'<option value="">{escape(label("all", lang))}</option>' + "".join(
        f'<option value="{escape(c)}"{" selected" if c == data["cluster_id"] else ""}>{escape(c)}</option>'
        for c in data["clusters"])
    class_options = f'<option value="">{escape(label("all", lang))}</option>' + "".join(
        f'<option value="{escape(k)}"{" selected" if k == data["class"] else ""}>{escape(label("class_" + k, lang))}'
        f'（{data["counts"].get(k, 0)}）</option>' for k in data["classes"])
    form = (f'<form id="inventory-form" method="get" action="/chokepoints">'
            + ('<input type="hidden" name="lang" value="en">' if lang == "en" else "")
            + f'<label>{escape(label("cluster", lang))} <select name="cluster">{cluster_options}</select></label> '
              f'<label>{escape(label("class", lang))} <select name="class">{class_options}</select></label> '
              f'<label>{escape(label("max_priority", lang))} <input type="number" min="1" name="max_priority" '
              f'value="{data["max_priority"] or ""}"></label> <button type="submit">{escape(label("show", lang))}</button>'
              f'</form>')
    rows = [[str(i.get("priority_province") or ""), priority_text(i), escape(i.get("cluster_zh") or i["cluster"]),
             escape(i.get("name_zh") or i.get("node_id") or ""), escape(i["product"] or "—"),
             f'<span style="color:{CLASS_COLOURS.get(i["class"], "#1f2933")}">{escape(label("class_" + i["class"], lang))}'
             f'</span>', format_value(i.get("import_share"), "ratio"),
             "—" if i.get("window_years") is None else f'{i["window_years"]:.0f}', escape(i.get("rule_text") or ""),
             escape(i.get("window_reason") or "")] for i in data["items"]]
    headers = [label(k, lang) for k in ("priority_province", "priority_range", "cluster", "segment", "product", "class",
                                        "import_share", "window", "rule", "window_reason")]
    body = (form + f'<p>{escape(label("n_items", lang))} {len(data["items"])}</p>'
            + table_html(headers, rows, {0, 1, 6, 7}, "inventory")
            + downloads_line(lang, {label("chokepoints", lang): unescape(link_to("/chokepoints", lang, **params))},
                             {label("position_title", lang): unescape(link_to("/chokepoints/charts/position", lang,
                                                                              **params))})
            + f'<h2>{escape(label("position_title", lang))}</h2><p class="note">{escape(label("position_note", lang))}</p>'
            + f'<figure>{position_svg(data, lang)}</figure>')
    return page_html(label("chokepoints", lang), body, lang, "/chokepoints", link_to("/api/chokepoints", "zh", **params),
                     **params)
