"""HTML of the pages (drawing only: page data in, text out). Self-contained: styles inline, no script or
font from elsewhere, every label from :mod:`jiqun.web.labels`, every value through
:func:`jiqun.display.format_value` (亿元, %)."""

from __future__ import annotations

from html import escape, unescape
from urllib.parse import urlencode

from ..display import format_value
from .labels import LABELS, label

STYLE = """
body{font-family:"Noto Sans CJK SC","Source Han Sans SC","Microsoft YaHei","PingFang SC",sans-serif;margin:0;
color:#1f2933;background:#f7f8fa}
header{background:#123c69;color:#fff;padding:.6rem 1.2rem;display:flex;gap:1.5rem;align-items:center}
figure.wide{overflow-x:auto;margin:0}svg a.segment:hover rect{stroke:#123c69;stroke-width:3}
header a{color:#fff;text-decoration:none}header .lang{margin-left:auto}
main{padding:1rem 1.2rem;max-width:1200px}
table{border-collapse:collapse;background:#fff;margin:.5rem 0 1.2rem;font-size:.92rem}
th,td{border:1px solid #d9dee4;padding:.3rem .55rem;text-align:left;vertical-align:top}
th{background:#eef1f5}td.num{text-align:right;font-variant-numeric:tabular-nums}
.type-leading{color:#0b6e4f;font-weight:bold}.type-breakthrough{color:#1d4ed8;font-weight:bold}
.type-catch_up{color:#b45309;font-weight:bold}.note{color:#52606d;font-size:.88rem}
.ok{color:#0b6e4f;font-weight:bold}.refused{color:#b91c1c;font-weight:bold}
"""


#: The media type of every page.
HTML = "text/html; charset=utf-8"


def name_of(item: dict, lang: str) -> str:
    """An item's name in ``lang`` (``name_zh`` / ``name_en``; the Chinese one where no English is given)."""
    return (item.get("name_zh") if lang == "zh" else item.get("name_en")) or item.get("name_zh") or ""


def link_to(path: str, lang: str, **params) -> str:
    query = {k: v for k, v in {**params, "lang": lang if lang != "zh" else None}.items() if v is not None}
    return escape(path + ("?" + urlencode(query) if query else ""))


def page_html(title: str, body: str, lang: str, path: str, twin: str, **params) -> str:
    other = "en" if lang == "zh" else "zh"
    return (f'<!doctype html><html lang="{"zh-CN" if lang == "zh" else "en"}"><head><meta charset="utf-8">'
            f'<meta name="viewport" content="width=device-width, initial-scale=1">'
            f'<title>{escape(title)} · {escape(label("site", lang))}</title>'
            f'<link rel="alternate" type="application/json" href="{escape(twin)}"><style>{STYLE}</style></head><body>'
            f'<header><a href="{link_to("/", lang)}"><b>{escape(label("site", lang))}</b></a>'
            f'<a href="{link_to("/", lang)}">{escape(label("overview", lang))}</a>'
            f'<a href="{link_to("/compare", lang)}">{escape(label("compare", lang))}</a>'
            f'<a href="{link_to("/chokepoints", lang)}">{escape(label("chokepoints", lang))}</a>'
            + "".join(f'<a href="{link_to("/" + kind, lang)}">{escape(label(kind, lang))}</a>'
                      for kind in ("firms", "organizations", "policy", "talent")) +
            f'<a href="{link_to("/data", lang)}">{escape(label("data", lang))}</a>'
            f'<a class="lang" id="lang-toggle" href="{link_to(path, other, **params)}">{escape(label("language", lang))}</a>'
            f'</header><main><h1>{escape(title)}</h1>{body}'
            f'<p class="note"><a href="{escape(twin)}">{escape(label("json_twin", lang))}</a></p></main></body></html>')


def table_html(headers: list[str], rows: list[list[str]], numeric: set[int] = frozenset(), css_id: str = "") -> str:
    head = "".join(f"<th>{escape(h)}</th>" for h in headers)
    body = "".join("<tr>" + "".join(f'<td{" class=num" if i in numeric else ""}>{cell}</td>'
                                    for i, cell in enumerate(row)) + "</tr>" for row in rows)
    attribute = f' id="{css_id}"' if css_id else ""
    return f"<table{attribute}><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _type_cell(code, lang: str) -> str:
    if not code:
        return "—"
    return f'<span class="type-{escape(code)}">{escape(label("type_" + code, lang))}</span>'


def _interval(low, high) -> str:
    return "—" if low is None or high is None else f"{low}–{high}"


def city_map_chart(data: dict, clusters: list[dict], lang: str) -> str:
    """The overview's map of the 13 cities (also its SVG/PNG download)."""
    from ..pictures.citymap import city_map_svg

    name = data["name_zh"] if lang == "zh" else data["name_en"]
    cluster_names = {c["cluster_id"]: c["name_zh"] if lang == "zh" else c["name_en"] for c in clusters}
    title = f'{cluster_names.get(data["cluster_id"], label("all_industries", lang))} · {name} · {data["year"]}'
    return city_map_svg({c["region"]: c["value"] for c in data["cities"]}, {c["region"]: c["name_zh"]
                        for c in data["cities"]}, title, lambda v: format_value(v, data["unit"], True),
                        label("no_data", lang))


def downloads_line(lang: str, tables: dict[str, str], charts: dict[str, str]) -> str:
    """One line of download links: ``tables`` {name: path without extension} as CSV and XLSX, ``charts``
    {name: path without extension} as SVG and PNG; query strings go after the extension (``?``)."""
    def link(path: str, fmt: str) -> str:
        base, _, query = path.partition("?")
        return escape(f"{base}.{fmt}" + (f"?{query}" if query else ""))

    links = [f'<a href="{link(path, fmt)}">{escape(name)} {fmt.upper()}</a>' for name, path in tables.items()
             for fmt in ("csv", "xlsx")]
    links += [f'<a href="{link(path, fmt)}">{escape(name)} {fmt.upper()}</a>' for name, path in charts.items()
              for fmt in ("svg", "png")]
    return f'<p class="note downloads">{escape(label("download", lang))}：' + " · ".join(links) + "</p>"


def _map_html(data: dict, clusters: list[dict], lang: str) -> str:
    """The city map with a form (no script) to choose the indicator and the cluster."""
    from ..metrics import load_catalogue

    catalogue = load_catalogue()
    cluster_names = {c["cluster_id"]: c["name_zh"] if lang == "zh" else c["name_en"] for c in clusters}
    svg = city_map_chart(data, clusters, lang)
    options = "".join(f'<option value="{escape(i)}"{" selected" if i == data["indicator"] else ""}>'
                      f'{escape(catalogue[i].name_zh if lang == "zh" else catalogue[i].name_en)}</option>'
                      for i in data["indicators"])
    cluster_options = "".join(f'<option value="{escape(code)}"{" selected" if code == data["cluster_id"] else ""}>'
                              f'{escape(text)}</option>'
                              for code, text in cluster_names.items())
    hidden = '<input type="hidden" name="lang" value="en">' if lang == "en" else ""
    form = (f'<form method="get" action="/" id="map-form">{hidden}<label>{escape(label("indicator", lang))} '
            f'<select name="indicator">{options}</select></label> <label>{escape(label("cluster", lang))} '
            f'<select name="cluster">{cluster_options}</select></label> '
            f'<button type="submit">{escape(label("show", lang))}</button></form>')
    chart = unescape(link_to("/charts/city-map", lang, indicator=data["indicator"], cluster=data["cluster_id"],
                             year=data["year"]))
    return (f'<h2>{escape(label("city_map", lang))}</h2>{form}<figure>{svg}</figure>'
            + downloads_line(lang, {}, {label("city_map", lang): chart}))


def overview_page(data: dict, city_map: dict, lang: str, alerts: dict | None = None) -> str:
    """The province overview: the city map of a chosen indicator and cluster, then the clusters with type,
    score, rank and interval, change and explanation, and the alerts that fire."""
    rows = []
    for c in data["clusters"]:
        name = c["name_zh"] if lang == "zh" else c["name_en"]
        change = c.get("score_change")
        rows.append([f'<a href="{link_to("/clusters/" + c["cluster_id"], lang)}">{escape(name)}</a>',
                     _type_cell(c.get("type"), lang), format_value(c.get("score"), "index"),
                     "—" if c.get("rank") is None else f'{c["rank"]}/{c["n_clusters"]}',
                     _interval(c.get("rank_p05"), c.get("rank_p95")),
                     "—" if change is None else f"{change:+.3f}",
                     escape(c.get("explanation_zh" if lang == "zh" else "explanation_en") or "")])
    headers = [label(k, lang) for k in ("cluster", "type", "score", "rank", "rank_interval", "score_change",
                                        "explanation")]
    note = "" if data["evaluated"] else f'<p class="note">{escape(label("not_evaluated", lang))}</p>'
    title = f'{label("overview", lang)} · {data["year"] or ""}'
    tables = {label("clusters", lang): unescape(link_to("/clusters", lang, year=data["year"]))}
    body = (report_form(lang) + _map_html(city_map, data["clusters"], lang)
            + f'<h2>{escape(label("clusters", lang))}</h2>' + note + table_html(headers, rows, {2, 3}, "clusters")
            + downloads_line(lang, tables, {}) + (_overview_alerts_html(alerts, lang) if alerts else ""))
    return page_html(title, body, lang, "/", link_to("/api/clusters", "zh", year=data["year"]), year=data["year"])


def _overview_alerts_html(alerts: dict, lang: str) -> str:
    """The alerts of the year: how often each rule fires and where, then every alert (folded)."""
    by_rule: dict[str, list[dict]] = {}
    for alert in alerts["alerts"]:
        by_rule.setdefault(alert["alert"], []).append(alert)
    summary = [[escape(found[0]["name_zh"] if lang == "zh" else found[0]["name_en"]), f"{len(found):,}",
                escape("、".join(dict.fromkeys((a["cluster_zh"] if lang == "zh" else a["cluster_en"]) or a["cluster_id"]
                                              for a in found)))] for found in by_rule.values()]
    rows = [[escape((a["cluster_zh"] if lang == "zh" else a["cluster_en"]) or a["cluster_id"]),
             escape(a["name_zh"] if lang == "zh" else a["name_en"]), escape(a.get("region_zh") or a["region_code"]),
             escape(a["evidence"] or "")] for a in alerts["alerts"]]
    path = unescape(link_to("/alerts", lang, year=alerts["year"]))
    return (f'<h2>{escape(label("alerts", lang))} · {alerts["year"]}</h2>'
            + table_html([label("alerts", lang), label("n_fired", lang), label("clusters", lang)], summary, {1},
                         "alert-summary")
            + f'<details><summary>{escape(label("every_alert", lang))}（{len(rows):,}）</summary>'
            + table_html([label(k, lang) for k in ("cluster", "alerts", "city", "evidence")], rows, set(), "alert-list")
            + "</details>" + downloads_line(lang, {label("alerts", lang): path}, {}) + _talent_alerts_html(alerts, lang))


def _talent_alerts_html(alerts: dict, lang: str) -> str:
    """The year's poaching alerts (挖人预警) between cities, each with its rule in words."""
    found = alerts.get("talent") or []
    rows = [[escape(a.get("name") or a["region"]), escape(a.get("rival_name") or a["rival"]), escape(a["rule"])]
            for a in found]
    body = (table_html([label("city", lang), label("rival", lang), label("evidence", lang)], rows, set(),
                       "talent-alerts") if rows else f'<p class="note">{escape(label("no_records", lang))}</p>')
    return (f'<h3>{escape(label("view_alerts", lang))}</h3>{body}'
            f'<p class="note"><a href="{link_to("/talent", lang, view="alerts")}">{escape(label("talent", lang))}</a></p>')


def report_form(lang: str, cluster_id: str | None = None) -> str:
    """The form that writes a report (专报) in the background: province or one cluster, PDF/HTML/XLSX."""
    hidden = f'<input type="hidden" name="cluster" value="{escape(cluster_id)}">' if cluster_id else ""
    options = "".join(f'<option value="{fmt}">{fmt.upper()}</option>' for fmt in ("pdf", "html", "xlsx"))
    return (f'<form id="report-form" method="post" action="/reports">{hidden}'
            f'<input type="hidden" name="lang" value="{lang}">{escape(label("report", lang))} '
            f'<select name="format">{options}</select> <button type="submit">{escape(label("write_report", lang))}'
            f'</button> <span class="note">{escape(label("report_note", lang))}</span></form>')


def _actor_links(cluster_id: str, lang: str) -> str:
    """Links to the cluster's tier candidates and talent flows (the firms and talent pages, filtered)."""
    links = [f'<a href="{link_to("/firms", lang, cluster=cluster_id)}">{escape(label("firms", lang))}</a>',
             f'<a href="{link_to("/firms", lang, view="close", cluster=cluster_id)}">{escape(label("view_close", lang))}</a>',
             f'<a href="{link_to("/talent", lang, cluster=cluster_id)}">{escape(label("talent", lang))}</a>',
             f'<a href="{link_to("/policy", lang, view="gaps")}">{escape(label("view_gaps", lang))}</a>']
    return '<p class="note" id="actor-links">' + " · ".join(links) + "</p>"


def cluster_page(data: dict, chokepoints: dict, lang: str, peers: list[dict] = (), chain: dict | None = None) -> str:
    """A cluster: evaluation and type, the four dimensions against the province's best and median (radar)
    and its gap to the world-class reference, headline indicators with their series, the chain map
    (segments coloured by weakness, each a link to its firms and flows), the leading firms, strength by
    city, alerts and the chokepoint inventory."""
    from .chain_html import chain_svg

    name = data["name_zh"] if lang == "zh" else data["name_en"]
    path = f'/clusters/{data["cluster_id"]}'
    chain_part = (f'<h2>{escape(label("chain", lang))}</h2><p id="chain-link"><a href="'
                  f'{link_to(path + "/chain", lang)}">{escape(label("chain_page", lang))} →</a></p>'
                  + (f'<figure class="wide">{chain_svg(chain, lang)}</figure>' if chain else
                     f'<p class="note">{escape(label("no_chain", lang))}</p>'))
    parts = [_evaluation_html(data.get("evaluation"), lang, peers), _world_class_html(data.get("world_class"), lang),
             _indicators_html(data["indicators"], lang), chain_part, _leaders_html(data.get("leaders"), lang),
             _actor_links(data["cluster_id"], lang),
             _strength_html(data["strength"], lang), _alerts_html(data["alerts"], lang),
             _chokepoints_html(chokepoints["items"], lang),
             downloads_line(lang, {label("chokepoints", lang): unescape(link_to("/chokepoints", lang,
                                                                               cluster=data["cluster_id"]))},
                            {label("dimensions", lang): unescape(link_to(path + "/charts/radar", lang, year=data["year"])),
                             label("world_reference", lang): unescape(link_to(path + "/charts/world-radar", lang,
                                                                               year=data["year"]))}),
             report_form(lang, data["cluster_id"])]
    return page_html(f'{name} · {data["year"]}', "".join(parts), lang, path,
                 link_to("/api" + path, "zh", year=data["year"]), year=data["year"])


def radar_chart(evaluation: dict, peers: list[dict], lang: str) -> str:
    """The cluster's four dimension scores against the best and the median of the province's clusters."""
    from ..pictures.charts import radar_svg
    from ..query.pages import dimension_references

    dims = list((evaluation.get("dimension_scores") or {}).keys())
    if not dims:
        return ""
    axes = [label("dim_" + d, lang) if ("dim_" + d) in LABELS else d for d in dims]
    references = dimension_references(list(peers))
    series = [(label("this_cluster", lang), [evaluation["dimension_scores"][d] for d in dims]),
              (label("province_best", lang), [references["best"].get(d) for d in dims]),
              (label("province_median", lang), [references["median"].get(d) for d in dims])]
    return radar_svg(axes, series, label("dimensions", lang), css_id="radar")


def world_radar(world: dict, lang: str) -> str:
    """How far each dimension reaches the world-class reference (the outer ring)."""
    from ..pictures.charts import radar_svg

    dims = list(world["dimension_gaps"])
    axes = [label("dim_" + d, lang) if ("dim_" + d) in LABELS else d for d in dims]
    reached = [None if world["dimension_gaps"][d] is None else 1 - world["dimension_gaps"][d] for d in dims]
    return radar_svg(axes, [(label("this_cluster", lang), reached), (label("world_reference", lang), [1.0] * len(dims))],
                     label("world_class", lang), css_id="world-radar")


def _world_class_html(world: dict | None, lang: str) -> str:
    """How far each dimension reaches the world-class reference (1 − the weighted indicator gap; the
    reference is the outer ring) and the indicators with the largest gaps."""
    if not world:
        return ""
    radar = world_radar(world, lang)
    rows = [[escape(g["name_zh"] if lang == "zh" else g["name_en"]), format_value(g["value"], g["unit"], True),
             format_value(g["reference"], g["unit"], True), format_value(g["gap"], "ratio")]
            for g in world["largest_gaps"]]
    reference = world["reference"] if not str(world["reference"]).startswith("best national peer") else \
        label("best_peer", lang)
    return (f'<h3>{escape(label("world_class", lang))}</h3><p class="note">{escape(label("world_note", lang))}'
            f'{escape(reference)}</p>{radar}'
            + table_html([label(k, lang) for k in ("indicator", "value", "reference_value", "gap")], rows, {1, 2, 3},
                         "world-gaps"))


def _leaders_html(leaders: list[dict] | None, lang: str) -> str:
    title = f'<h2>{escape(label("leaders", lang))}</h2>'
    if leaders is None:
        return title + f'<p class="note">{escape(label("firm_level_hidden", lang))}</p>'
    rows = [[str(f["rank"]), escape(f["name"]), escape(f.get("city_zh") or f["city_code"]),
             escape(f["origin_zh"] if lang == "zh" else f["origin_en"])
             + (f'（{escape(f["parent_group"])}）' if f.get("parent_group") else ""),
             format_value(f["output_value_yuan"], "yuan", True), format_value(f["output_share"], "ratio"),
             format_value(f["rd_intensity"], "ratio"), format_value(f["local_purchase_share"], "ratio"),
             escape(label("srdi_" + (f["srdi_level"] or "none"), lang))
             + ("、" + escape(label("single_champion", lang)) if f["single_champion"] else "")] for f in leaders]
    headers = ["#"] + [label(k, lang) for k in ("firm", "city", "controlled_from", "output", "output_share",
                                                "rd_intensity", "local_purchase_share", "firm_honours")]
    return title + table_html(headers, rows, {0, 4, 5, 6, 7}, "leaders")


def _evaluation_html(evaluation: dict | None, lang: str, peers: list[dict] = ()) -> str:
    title = f'<h2>{escape(label("evaluation", lang))}</h2>'
    if not evaluation or "type" not in evaluation:
        return title + f'<p class="note">{escape(label("not_evaluated", lang))}</p>'
    text = evaluation["explanation_zh" if lang == "zh" else "explanation_en"]
    summary = (f'<p id="type">{_type_cell(evaluation["type"], lang)} · {escape(label("score", lang))} '
               f'{format_value(evaluation["score"], "index")} · {escape(label("rank", lang))} {evaluation["rank"]} '
               f'({escape(label("rank_interval", lang))} {_interval(evaluation["rank_p05"], evaluation["rank_p95"])})</p>'
               f'<p>{escape(text or "")}</p>')
    dims = evaluation.get("dimension_scores") or {}
    rows = [[escape(label("dim_" + key, lang) if ("dim_" + key) in LABELS else key),
             format_value(value, "index")] for key, value in dims.items()]
    return title + summary + f'<h3>{escape(label("dimensions", lang))}</h3>' + radar_chart(evaluation, peers, lang) + table_html(
        [label("dimension", lang), label("score", lang)], rows, {1}, "dimensions")


def _indicators_html(indicators: list[dict], lang: str) -> str:
    from ..pictures.charts import line_chart_svg

    rows = [[escape(i["name_zh"] if lang == "zh" else i["name_en"]), format_value(i["value"], i["unit"], True),
             line_chart_svg([(p["year"], p["value"]) for p in i["series"]], i["name_zh"] if lang == "zh" else i["name_en"],
                            lambda v, unit=i["unit"]: format_value(v, unit, True), width=260, height=70,
                            css_id=f'series-{i["indicator"]}')]
            for i in indicators]
    return f'<h2>{escape(label("indicators", lang))}</h2>' + table_html(
        [label("indicator", lang), label("value", lang), label("year", lang)], rows, {1}, "indicators")


def _strength_html(strength: list[dict], lang: str) -> str:
    rows = [[escape(s.get("region_zh") or s["region"]), format_value(s["employment"], "persons"),
             format_value(s["lq"], "index"), label("yes" if s["strong"] else "no", lang)] for s in strength]
    return f'<h2>{escape(label("strength", lang))}</h2>' + table_html(
        [label(k, lang) for k in ("city", "employment", "lq", "strong")], rows, {1, 2}, "strength")


def _alerts_html(alerts: list[dict], lang: str) -> str:
    title = f'<h2>{escape(label("alerts", lang))}</h2>'
    if not alerts:
        return title + f'<p class="note">{escape(label("no_alerts", lang))}</p>'
    rows = [[escape(a["name_zh"] if lang == "zh" else a["name_en"]), escape(a.get("region_zh") or a["region_code"]),
             escape(a["evidence"] or "")] for a in alerts]
    return title + table_html([label("alerts", lang), label("city", lang), label("evidence", lang)], rows, set(), "alerts")


def priority_text(item: dict) -> str:
    """A chokepoint item's priority with the range it takes under the other weightings
    (``rank_best``–``rank_worst``), shown only where it moves."""
    best, worst = item.get("rank_best"), item.get("rank_worst")
    interval = f"（{best}–{worst}）" if best is not None and worst is not None and best != worst else ""
    return f'{item["priority"]}{interval}'


def _chokepoints_html(items: list[dict], lang: str) -> str:
    rows = [[priority_text(i), escape(i.get("name_zh") or i.get("node_id") or ""), escape(i["product"] or "—"),
             escape(label("class_" + i["class"], lang)), format_value(i.get("import_share"), "ratio"),
             "—" if i.get("window_years") is None else f'{i["window_years"]:.0f}',
             escape(i.get("rule_text") or "")] for i in items]
    headers = [label(k, lang) for k in ("priority_range", "segment", "product", "class", "import_share", "window",
                                        "rule")]
    return f'<h2>{escape(label("chokepoints", lang))}</h2>' + table_html(headers, rows, {0, 4, 5}, "chokepoints")


def _upload_form(tables: list[str], lang: str) -> str:
    options = "".join(f'<option value="{escape(t)}">{escape(t)}</option>' for t in tables)
    return (f'<h2>{escape(label("upload", lang))}</h2><form id="upload-form" method="post" action="/data" '
            f'enctype="multipart/form-data"><input type="hidden" name="lang" value="{lang}">'
            f'<label>{escape(label("table", lang))} <select name="table">{options}</select></label> '
            f'<input type="file" name="file" required> <label>{escape(label("vintage", lang))} '
            f'<input type="text" name="vintage"></label> <button type="submit">{escape(label("load", lang))}</button>'
            f'<p class="note">{escape(label("upload_note", lang))}</p></form>')


def _outcome_html(outcome: dict, lang: str) -> str:
    if "loaded" in outcome:
        done = outcome["loaded"]
        return (f'<p id="upload-result" class="ok">{escape(label("loaded", lang))}：{escape(done["source_file"])} → '
                f'{escape(done["table"])}，{done["rows_inserted"]:,} / {done["rows_updated"]:,} / '
                f'{done["rows_unchanged"]:,}（{escape(label("inserted_updated_unchanged", lang))}）</p>')
    refused = outcome.get("refused") or {}
    rows = [[str(p["row"] if p["row"] is not None else "—"), escape(p["column"] or ""), escape(str(p["value"] or "")),
             escape(p["rule"]), escape(p["message_zh"] if lang == "zh" else p["message_en"])]
            for p in refused.get("problems", [])]
    table = table_html(["#", label("column", lang), label("value", lang), label("check_rule", lang),
                    label("problem", lang)], rows, {0}, "error-report") if rows else ""
    return (f'<div id="upload-error"><p class="refused">{escape(label("refused", lang))}：{escape(refused.get("error", ""))}'
            f'</p>{table}</div>')


def data_page(data: dict, lang: str, tables: list[str] = (), outcome: dict | None = None) -> str:
    """The store's loads with provenance, the upload form and, after an upload, its result or error report."""
    rows = [[str(r["load_id"]), escape(r["source_file"]), escape(r["table_name"]), f'{r["rows_inserted"]:,}',
             escape(r.get("vintage") or ""), escape(r["loaded_at"])] for r in data["loads"]]
    headers = ["#"] + [label(k, lang) for k in ("file", "table", "rows", "vintage", "loaded_at")]
    body = (_outcome_html(outcome, lang) if outcome else "") + _upload_form(list(tables), lang)
    body += f'<h2>{escape(label("loads", lang))}</h2>' + table_html(headers, rows, {0, 3}, "loads")
    return page_html(label("data", lang), body, lang, "/data", "/api/loads")
