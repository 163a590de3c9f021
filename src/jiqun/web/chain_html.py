"""HTML of the chain page (产业链页面), its segment panel, the shock form and the background job page
(drawing only: page data in, text out; labels from :mod:`jiqun.web.labels`)."""

from __future__ import annotations

from html import escape, unescape

from ..display import format_value
from .html import downloads_line, link_to, name_of, page_html, table_html
from .labels import label

#: Key figures of a segment shown in its panel: (metric, unit of jiqun.display.format_value).
SEGMENT_FIGURES = (("n_local_firms", "firms"), ("capacity_yuan", "yuan"), ("purchases_yuan", "yuan"),
                   ("local_supporting_rate_province", "ratio"), ("local_supporting_rate_city", "ratio"),
                   ("import_share", "ratio"), ("top_import_country", None), ("n_suppliers", "firms"),
                   ("supplier_hhi", "index"), ("top_supplier_share", "ratio"), ("sales_yuan", "yuan"),
                   ("n_patents", "applications"), ("n_suppliers_moved_out", "firms"))



def chain_svg(chain: dict, lang: str, selected: str | None = None) -> str:
    """The clickable segment graph of the chain page (also its SVG/PNG download)."""
    from ..pictures.chain import WEAKNESS_LABELS
    from ..pictures.chainweb import chain_graph_svg

    path = f'/clusters/{chain["cluster_id"]}/chain'
    nodes = [{"node_id": n["node_id"], "stage": n["stage"], "label": name_of(n, lang), "weakness": n["weakness"],
              "tip": f'{name_of(n, lang)}：{n["reasons_zh"] or label("no_weakness", lang)}'} for n in chain["nodes"]]
    links = [{"from": l["from"], "to": l["to"], "amount": l["amount_yuan"]} for l in chain["links"]]
    stages = {s: label("stage_" + s, lang) for s in ("upstream", "midstream", "downstream")}
    # the drawing escapes the address itself
    return chain_graph_svg(nodes, links, lambda node: unescape(link_to(path, lang, year=chain["year"], segment=node))
                           + "#segment",
                           stages, list(WEAKNESS_LABELS), selected, f'{label("chain", lang)} · {chain["year"]}')


def chain_page(chain: dict, segment: dict | None, lang: str, name: dict) -> str:
    """A cluster's chain: the segment graph coloured by weakness (a click opens the segment's firms and
    flows), the weak links, the shock scenario form, and downloads."""
    cluster_id, year = chain["cluster_id"], chain["year"]
    path = f"/clusters/{cluster_id}/chain"
    downloads = downloads_line(lang, {label("n_segments", lang): unescape(link_to(path + "/segments", lang, year=year))},
                               {label("chain", lang): unescape(link_to(path + "/charts/chain-graph", lang, year=year))})
    done = chain.get("completeness") or {}
    summary = (f'<p>{escape(chain.get("scope_zh") or "")} · {escape(label("n_segments", lang))} {len(chain["nodes"])} · '
               f'{escape(label("weak_links", lang))} {len(chain["weak_links"])}'
               + (f' · {escape(label("coverage", lang))} {format_value(done.get("coverage"), "ratio")}'
                  if done.get("coverage") is not None else "") + "</p>")
    parts = [summary, f'<p class="note">{escape(label("chain_click", lang))}</p>',
             f'<figure class="wide">{chain_svg(chain, lang, segment and segment["node_id"])}</figure>', downloads]
    if segment:
        parts.append(segment_html(segment, lang))
    parts += [_weak_html(chain["weak_links"], lang), shock_form(chain, lang)]
    title = f'{name_of(name, lang)} · {label("chain", lang)} · {year}'
    twin = link_to("/api" + path + (f'/segments/{segment["node_id"]}' if segment else ""), "zh", year=year)
    return page_html(title, "".join(parts), lang, path, twin, year=year,
                     segment=segment["node_id"] if segment else None)


def _weak_html(weak: list[dict], lang: str) -> str:
    title = f'<h2>{escape(label("weak_links", lang))}</h2>'
    if not weak:
        return title + f'<p class="note">{escape(label("no_weak_links", lang))}</p>'
    rows = [[escape(w.get("name_zh") or w["node_id"]), escape(w["rule_zh"] if lang == "zh" else w["rule_en"]),
             str(w["severity"]), escape(w["evidence_zh"] if lang == "zh" else w["evidence_en"])] for w in weak]
    return title + table_html([label(k, lang) for k in ("segment", "rule", "severity", "evidence")], rows, {2},
                              "weak-links")


def segment_html(segment: dict, lang: str) -> str:
    """The panel of one segment: key figures, weak links, flows in and out, and (firm-level scope) its
    province firms, largest suppliers and the firm flows behind it."""
    from ..pictures.chainweb import flow_graph_svg

    metrics = segment["metrics"]
    figures = [[escape(label("m_" + key, lang)), escape(str(metrics.get(key) or "—")) if unit is None else
                format_value(metrics.get(key), unit, True)] for key, unit in SEGMENT_FIGURES]
    parts = [f'<section id="segment"><h2>{escape(label("segment", lang))}：{escape(name_of(segment, lang))} '
             f'（{escape(label("stage_" + segment["stage"], lang))}）</h2>',
             f'<p>{escape(label("weakness", lang))} {segment["weakness"]}：'
             f'{escape(segment["reasons_zh"] or label("no_weakness", lang))}</p>',
             table_html([label("indicator", lang), label("value", lang)], figures, {1}, "segment-figures")]
    flow_rows = [[escape(f["from_zh"] or f["from_node_id"]), escape(f["to_zh"] or f["to_node_id"]),
                  format_value(f["amount_yuan"], "yuan", True)] for f in segment["inflows"] + segment["outflows"]]
    parts.append(f'<h3>{escape(label("segment_links", lang))}</h3>' + table_html(
        [label("from", lang), label("to", lang), label("amount", lang)], flow_rows, {2}, "segment-links"))
    if not segment["firm_level"]:
        parts.append(f'<p class="note">{escape(label("firm_level_hidden", lang))}</p></section>')
        return "".join(parts)
    firm_rows = [[escape(f["name"]), escape(f.get("city_zh") or f["city"]), escape(label("own_" + (f["ownership"] or
                 "other"), lang)), escape(label("yes" if f["is_branch"] else "no", lang)),
                  format_value(f["output_value_yuan"], "yuan", True), format_value(f["employment"], "persons")]
                 for f in segment["firms"]]
    parts.append(f'<h3>{escape(label("segment_firms", lang))}（{segment["n_firms"] or 0}）</h3>' + table_html(
        [label(k, lang) for k in ("firm", "city", "ownership", "branch", "output", "employment")], firm_rows,
        {4, 5}, "segment-firms"))
    supplier_rows = [[str(s["rank"]), escape(s["seller_name"] or s["seller_id"]),
                      format_value(s["amount_yuan"], "yuan", True), format_value(s["share"], "ratio")]
                     for s in segment["suppliers"]]
    parts.append(f'<h3>{escape(label("segment_suppliers", lang))}</h3>' + table_html(
        ["#", label("supplier", lang), label("amount", lang), label("share", lang)], supplier_rows, {0, 2, 3},
        "segment-suppliers"))
    flows = [{"seller": f["seller_name"] or "—", "buyer": f["buyer_name"] or f["buyer_uscc"], "amount": f["amount_yuan"]}
             for f in segment["flows"]]
    parts.append(f'<h3>{escape(label("segment_flows", lang))}</h3>' + flow_graph_svg(
        flows, label("segment_flows", lang), lambda v: format_value(v, "yuan", True),
        (label("supplier", lang), label("buyer", lang))) + "</section>")
    return "".join(parts)


def shock_form(chain: dict, lang: str) -> str:
    """The shock scenario form: what fails (a segment's local firms or a country's imports) and ψ."""
    choices = chain["shock_choices"]
    options = "".join(f'<option value="segment:{escape(s["node_id"])}">{escape(label("segment", lang))}：'
                      f'{escape(name_of(s, lang))}</option>' for s in choices["segments"])
    options += "".join(f'<option value="country:{escape(c)}">{escape(label("imports_from", lang))} {escape(c)}</option>'
                       for c in choices["countries"])
    return (f'<h2>{escape(label("shock", lang))}</h2><p class="note">{escape(label("shock_note", lang))}</p>'
            f'<form id="shock-form" method="post" action="/clusters/{escape(chain["cluster_id"])}/shock">'
            f'<input type="hidden" name="lang" value="{lang}"><label>{escape(label("shock_remove", lang))} '
            f'<select name="remove">{options}</select></label> <label>{escape(label("shock_share", lang))} '
            f'<input type="number" name="share" min="0.05" max="1" step="0.05" value="1"></label> '
            f'<button type="submit">{escape(label("run", lang))}</button></form>')


def job_page(job: dict, lang: str) -> str:
    """A background job: its progress while it runs (the page reloads itself each second, no script),
    then its result (a shock's tables, a report's file) or the reason it failed."""
    running = job["state"] in ("queued", "running")
    message = job["message_zh"] if lang == "zh" else job["message_en"]
    percent = round(100 * job["progress"])
    parts = [f'<p id="job-state" data-state="{escape(job["state"])}">{escape(label("job_" + job["state"], lang))} · '
             f'{escape(message)} · {job["seconds"]:.1f} s</p>',
             f'<progress id="job-progress" max="100" value="{percent}">{percent}%</progress>']
    if job["state"] == "failed":
        parts.append(f'<p class="refused" id="job-error">{escape(job["error"] or "")}</p>')
    if job["state"] == "done" and job["kind"] == "shock":
        parts.append(shock_result_html(job["result"], lang))
    if job["state"] == "done" and job["kind"] == "report":
        parts.append(f'<p><a id="report-download" href="{escape(job["result"]["download"])}">'
                     f'{escape(label("download", lang))}：{escape(job["result"]["file"])}</a></p>')
    refresh = '<meta http-equiv="refresh" content="1">' if running else ""
    page = page_html(job["title"], "".join(parts), lang, f'/jobs/{job["job_id"]}', f'/api/jobs/{job["job_id"]}')
    return page.replace("<head>", "<head>" + refresh, 1)


def shock_result_html(result: dict, lang: str) -> str:
    """A shock's summary and its output at risk by segment, city and cluster, and the firms hit hardest."""
    s = result["summary"]
    parts = [f'<h2>{escape(label("shock_result", lang))}</h2><p id="shock-summary">ESRI {s["esri"]:.4f} · '
             f'{escape(label("output_at_risk", lang))} {format_value(s["output_at_risk_yuan"], "yuan", True)} '
             f'（{format_value(s["output_at_risk_share"], "ratio")}）· {escape(label("firms_hit", lang))} '
             f'{s["firms_hit"]:,} / {s["n_nodes"]:,}</p>']

    def at_risk(rows, key, names, css_id, heading):
        body = [[escape(str(r.get(names) or r[key])), f'{r["n_firms"]:,}', format_value(r["output_yuan"], "yuan", True),
                 format_value(r["output_at_risk_yuan"], "yuan", True), format_value(r["output_at_risk_share"], "ratio")]
                for r in rows[:15]]
        headers = [heading, label("firms", lang), label("output", lang), label("output_at_risk", lang),
                   label("share", lang)]
        return f'<h3>{escape(heading)}</h3>' + table_html(headers, body, {1, 2, 3, 4}, css_id)

    parts.append(at_risk(result["by_segment"], "node_id", "node_id", "shock-segments", label("segment", lang)))
    parts.append(at_risk(result["by_city"], "city_code", "city_zh", "shock-cities", label("city", lang)))
    parts.append(at_risk(result["by_cluster"], "cluster_id", "name_zh", "shock-clusters", label("cluster", lang)))
    if result.get("hardest_hit"):
        rows = [[escape(h["name"] or h["uscc"]), escape(str(h["city_code"] or "")), format_value(h["loss"], "ratio"),
                 format_value(h["output_at_risk_yuan"], "yuan", True)] for h in result["hardest_hit"][:15]]
        parts.append(f'<h3>{escape(label("hardest_hit", lang))}</h3>' + table_html(
            [label("firm", lang), label("city", lang), label("loss", lang), label("output_at_risk", lang)], rows,
            {2, 3}, "shock-hardest"))
    return "".join(parts)
