"""The chain as a clickable SVG for the web page (产业链交互图), and the firm flows behind a segment.

Drawing only, plain SVG text (no script, no font file): :func:`chain_graph_svg` lays the segments out in
three columns 上游 / 中游 / 下游, fills each box by its weakness level (the colours of
:mod:`jiqun.pictures.chain`) and makes it a link to the segment's firms and flows;
:func:`flow_graph_svg` draws the largest seller → buyer flows of one segment (line width by amount).
"""

from __future__ import annotations

from html import escape

from .chain import SEGMENTS, WEAKNESS_COLOURS, _text_colour, weakness_colour

BOX_WIDTH, BOX_HEIGHT, ROW_GAP, COLUMN_GAP = 210, 46, 16, 90
TOP, SIDE = 40, 16


def _short(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def chain_graph_svg(nodes: list[dict], links: list[dict], href, stage_labels: dict, legend: list[str],
                    selected: str | None = None, title: str = "", css_id: str = "chain-graph") -> str:
    """The segment graph of one chain.

    Parameters
    ----------
    nodes : list of dict
        ``node_id, stage`` (upstream / midstream / downstream), ``label``, ``weakness`` (level ≥ 0) and
        ``tip`` (the tooltip: the reasons of the weakness).
    links : list of dict
        ``from``, ``to`` (node ids) and ``amount`` (a number or None: the line width).
    href : callable or None
        ``href(node_id)``: where a click on the segment leads (None: no links, for print).
    stage_labels : dict
        Stage → column heading.
    legend : list of str
        One label per weakness colour.
    selected : str, optional
        The segment shown in detail (outlined).
    """
    columns = {stage: [n for n in nodes if n["stage"] == stage] for stage in SEGMENTS}
    rows = max((len(c) for c in columns.values()), default=0)
    width = 2 * SIDE + 3 * BOX_WIDTH + 2 * COLUMN_GAP
    height = TOP + rows * (BOX_HEIGHT + ROW_GAP) + 46
    place = {}
    for index, stage in enumerate(SEGMENTS):
        for row, node in enumerate(columns[stage]):
            place[node["node_id"]] = (SIDE + index * (BOX_WIDTH + COLUMN_GAP), TOP + row * (BOX_HEIGHT + ROW_GAP))
    parts = [f'<text x="{SIDE + i * (BOX_WIDTH + COLUMN_GAP) + BOX_WIDTH / 2}" y="24" font-size="13" '
             f'font-weight="bold" text-anchor="middle">{escape(stage_labels.get(stage, stage))}</text>'
             for i, stage in enumerate(SEGMENTS)]
    amounts = [link["amount"] for link in links if link.get("amount")]
    largest = max(amounts) if amounts else None
    for link in links:
        if link["from"] not in place or link["to"] not in place:
            continue
        (x1, y1), (x2, y2) = place[link["from"]], place[link["to"]]
        start = (x1 + BOX_WIDTH, y1 + BOX_HEIGHT / 2) if x2 > x1 else (x1, y1 + BOX_HEIGHT / 2)
        end = (x2, y2 + BOX_HEIGHT / 2) if x2 > x1 else (x2 + BOX_WIDTH, y2 + BOX_HEIGHT / 2)
        stroke = 1 + 5 * (link["amount"] / largest) if largest and link.get("amount") else 1
        dash = "" if link.get("amount") else ' stroke-dasharray="3 3"'
        bend = (start[0] + end[0]) / 2
        parts.append(f'<path class="chain-link" d="M{start[0]:.1f},{start[1]:.1f} C{bend:.1f},{start[1]:.1f} '
                     f'{bend:.1f},{end[1]:.1f} {end[0]:.1f},{end[1]:.1f}" fill="none" stroke="#9aa5b1" '
                     f'stroke-opacity="0.8" stroke-width="{stroke:.1f}"{dash} marker-end="url(#arrow)"/>')
    for node in nodes:
        x, y = place[node["node_id"]]
        level = int(node.get("weakness") or 0)
        outline = ' stroke="#123c69" stroke-width="3"' if node["node_id"] == selected else ' stroke="#7b8794"'
        opening = (f'<a class="segment" data-node="{escape(node["node_id"])}" href="{escape(href(node["node_id"]))}">'
                   if href else f'<g class="segment" data-node="{escape(node["node_id"])}">')
        parts.append(opening + f'<rect x="{x}" y="{y}" width="{BOX_WIDTH}" height="{BOX_HEIGHT}" rx="6" '
                     f'fill="{weakness_colour(level)}"{outline}/><title>{escape(node.get("tip") or node["label"])}</title>'
                     f'<text x="{x + BOX_WIDTH / 2}" y="{y + BOX_HEIGHT / 2 + 5}" font-size="13" text-anchor="middle" '
                     f'fill="{_text_colour(level)}">{escape(_short(node["label"], 15))}</text>' + ("</a>" if href else "</g>"))
    legend_y = height - 22
    for index, text in enumerate(legend[: len(WEAKNESS_COLOURS)]):
        x = SIDE + index * 150
        parts.append(f'<rect x="{x}" y="{legend_y}" width="12" height="12" fill="{WEAKNESS_COLOURS[index]}" '
                     f'stroke="#7b8794"/><text x="{x + 16}" y="{legend_y + 10}" font-size="11">{escape(text)}</text>')
    marker = ('<defs><marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="9" markerHeight="9" '
              'markerUnits="userSpaceOnUse" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="#9aa5b1"/></marker></defs>')
    return (f'<svg id="{escape(css_id)}" class="chain-graph" xmlns="http://www.w3.org/2000/svg" '
            f'viewBox="0 0 {width} {height}" width="{width}" height="{height}" role="img" '
            f'aria-label="{escape(title)}"><title>{escape(title)}</title>{marker}{"".join(parts)}</svg>')


def flow_graph_svg(flows: list[dict], title: str, shown=str, headings: tuple[str, str] = ("", ""),
                   css_id: str = "flow-graph") -> str:
    """Sellers (left) and buyers (right) of one segment's goods, a line per flow, width by amount.

    Parameters
    ----------
    flows : list of dict
        ``seller``, ``buyer`` (labels) and ``amount`` (a number), largest first.
    shown : callable
        Formats an amount for the tooltips.
    headings : (str, str)
        Headings of the sellers' and the buyers' columns.
    """
    sellers = list(dict.fromkeys(f["seller"] for f in flows))
    buyers = list(dict.fromkeys(f["buyer"] for f in flows))
    rows = max(len(sellers), len(buyers), 1)
    width, row_height, box = 760, 26, 250
    height = 30 + rows * row_height + 10
    head = (f'<svg id="{escape(css_id)}" class="flow-graph" xmlns="http://www.w3.org/2000/svg" '
            f'viewBox="0 0 {width} {height}" width="{width}" height="{height}" role="img" '
            f'aria-label="{escape(title)}"><title>{escape(title)}</title>')
    if not flows:
        return head + f'<text x="10" y="24" font-size="12" fill="#52606d">—</text></svg>'

    def y_of(index: int) -> float:
        return 30 + index * row_height + row_height / 2

    largest = max(f["amount"] or 0 for f in flows) or 1.0
    parts = [f'<text x="{box - 6}" y="16" font-size="12" font-weight="bold" text-anchor="end">{escape(headings[0])}</text>'
             f'<text x="{width - box + 6}" y="16" font-size="12" font-weight="bold">{escape(headings[1])}</text>']
    for flow in flows:
        y1, y2 = y_of(sellers.index(flow["seller"])), y_of(buyers.index(flow["buyer"]))
        stroke = 1 + 7 * (flow["amount"] or 0) / largest
        parts.append(f'<path d="M{box},{y1:.1f} C{width / 2},{y1:.1f} {width / 2},{y2:.1f} {width - box},{y2:.1f}" '
                     f'fill="none" stroke="#1d4ed8" stroke-opacity="0.35" stroke-width="{stroke:.1f}">'
                     f'<title>{escape(flow["seller"])} → {escape(flow["buyer"])}: {escape(shown(flow["amount"]))}</title>'
                     f'</path>')
    for index, name in enumerate(sellers):
        parts.append(f'<text x="{box - 6}" y="{y_of(index) + 4:.1f}" font-size="11" text-anchor="end">'
                     f'{escape(_short(name, 20))}</text>')
    for index, name in enumerate(buyers):
        parts.append(f'<text x="{width - box + 6}" y="{y_of(index) + 4:.1f}" font-size="11">{escape(_short(name, 20))}</text>')
    return head + "".join(parts) + "</svg>"
