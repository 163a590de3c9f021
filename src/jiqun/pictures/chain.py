"""A static picture of one industrial chain (产业链图), SVG or PNG, for reports.

Drawing only: the nodes (segments of the chain) and links come as tables from the chain analytics
(or straight from the catalogue's chain templates); nothing is computed here but the layout. Three
columns 上游 / 中游 / 下游, one box per node with its Chinese name (and the reasons of its weakness,
when given), filled by weakness level (a legend says which colour is which), arrows for the links
(line width by amount when the links carry ``amount_yuan``).

Output is deterministic: the SVG has a fixed hash salt and no date, the PNG no software/date stamp, so
the same tables give the same bytes. Chinese glyphs need a CJK font (:mod:`jiqun.pictures.fonts`); text
stays text in the SVG (searchable, selectable).
"""

from __future__ import annotations

import io
import math

import pandas as pd

from .fonts import cjk_font_family

SEGMENTS = ("upstream", "midstream", "downstream")
SEGMENT_LABELS = {"upstream": "上游 upstream", "midstream": "中游 midstream", "downstream": "下游 downstream"}

#: Fill colour by weakness level (0 = no weakness; the last colour for every level beyond it).
WEAKNESS_COLOURS = ("#d9ead3", "#fff2cc", "#f9cb9c", "#e06666", "#990000")
WEAKNESS_LABELS = ("0 无短板 none", "1 轻度 mild", "2 中度 moderate", "3 严重 severe", "≥4 极弱 critical")
#: Text colour on each fill (dark fills get white text).
TEXT_COLOURS = ("#1a1a1a", "#1a1a1a", "#1a1a1a", "#1a1a1a", "#ffffff")
LEGEND_TITLE = "短板程度 weakness"

NODE_COLUMNS = ("node_id", "segment", "name_zh", "weakness", "reasons")
LINK_COLUMNS = ("from_node_id", "to_node_id")

# Layout, in inches (the axes span the figure with one data unit per inch, y growing downwards).
FIGURE_WIDTH = 12.0
COLUMN_CENTRES = (2.0, 6.0, 10.0)
BOX_WIDTH = 3.0
NAME_LINE = 0.25
REASON_LINE = 0.19
BOX_PADDING = 0.12
BOX_GAP = 0.32
TITLE_SPACE = 0.55
HEADER_SPACE = 0.55
LEGEND_SPACE = 0.85
NAME_WIDTH = 30  # display width (CJK character = 2) before a name wraps
REASON_WIDTH = 44
REASON_MAX_LINES = 3
NAME_POINTS = 10.5
#: Punctuation that never starts a line (it stays on the line before, a little over the width).
NO_LINE_START = set("、，。；：！？）》」』】,.;:!?)")
REASON_POINTS = 8.0


def weakness_colour(level: int) -> str:
    """Fill colour of a weakness level (0 = none; levels beyond the palette take its last colour)."""
    return WEAKNESS_COLOURS[min(max(int(level), 0), len(WEAKNESS_COLOURS) - 1)]


def _text_colour(level: int) -> str:
    return TEXT_COLOURS[min(max(int(level), 0), len(TEXT_COLOURS) - 1)]


def _display_width(text: str) -> int:
    return sum(1 if ord(ch) < 0x1100 else 2 for ch in text)


def _tokens(text: str) -> list[str]:
    """Runs of ASCII letters and digits stay whole; every other character is a token of its own."""
    tokens: list[str] = []
    for ch in text:
        if ch.isascii() and ch.isalnum() and tokens and tokens[-1].isascii() and tokens[-1][-1:].isalnum():
            tokens[-1] += ch
        else:
            tokens.append(ch)
    return tokens


def wrap_text(text: str, width: int, max_lines: int | None = None) -> list[str]:
    """Lines of ``text`` at most ``width`` display units wide (a CJK character counts 2, ASCII 1).

    With ``max_lines``, the last line kept ends with "…" when text was cut.
    """
    lines: list[str] = []
    current = ""
    for token in _tokens(" ".join(str(text).split())):
        if current and _display_width(current + token) > width and token not in NO_LINE_START:
            lines.append(current.rstrip())
            current = token.lstrip()
        else:
            current += token
    if current.strip():
        lines.append(current.rstrip())
    if max_lines is not None and len(lines) > max_lines:
        lines = lines[:max_lines]
        lines[-1] = lines[-1][:-1] + "…"
    return lines


def _check_tables(nodes: pd.DataFrame, links: pd.DataFrame) -> None:
    missing = [c for c in NODE_COLUMNS if c not in nodes.columns]
    if missing:
        raise ValueError(f"chain_picture: nodes lack columns {missing} (need {list(NODE_COLUMNS)})")
    missing = [c for c in LINK_COLUMNS if c not in links.columns]
    if missing:
        raise ValueError(f"chain_picture: links lack columns {missing} (need {list(LINK_COLUMNS)})")
    if nodes.empty:
        raise ValueError("chain_picture: nodes is empty, nothing to draw")
    if nodes["node_id"].duplicated().any():
        dup = sorted(nodes.loc[nodes["node_id"].duplicated(), "node_id"].astype(str))[:5]
        raise ValueError(f"chain_picture: duplicate node_id {dup}")
    bad = sorted(set(nodes["segment"]) - set(SEGMENTS), key=str)
    if bad:
        raise ValueError(f"chain_picture: unknown segment {bad}; use one of {list(SEGMENTS)}")
    weakness = pd.to_numeric(nodes["weakness"], errors="coerce")
    if weakness.isna().any() or (weakness < 0).any() or (weakness != weakness.round()).any():
        raise ValueError("chain_picture: weakness must be an integer level ≥ 0 for every node")
    unknown = sorted((set(links["from_node_id"]) | set(links["to_node_id"])) - set(nodes["node_id"]), key=str)
    if unknown:
        raise ValueError(f"chain_picture: links name nodes that are not in nodes: {unknown[:5]}")


def _box_lines(row) -> tuple[list[str], list[str]]:
    reasons = "" if pd.isna(row.reasons) else str(row.reasons)
    return wrap_text(row.name_zh, NAME_WIDTH), wrap_text(reasons, REASON_WIDTH, REASON_MAX_LINES)


def _layout(nodes: pd.DataFrame, top: float) -> tuple[dict, float]:
    """Box of every node: {node_id: (x_left, y_top, height, column, name lines, reason lines)}; bottom y."""
    boxes: dict = {}
    bottom = top
    for column, segment in enumerate(SEGMENTS):
        y = top
        for row in nodes[nodes["segment"] == segment].itertuples(index=False):
            names, reasons = _box_lines(row)
            height = 2 * BOX_PADDING + NAME_LINE * len(names) + REASON_LINE * len(reasons)
            boxes[row.node_id] = (COLUMN_CENTRES[column] - BOX_WIDTH / 2, y, height, column, names, reasons)
            y += height + BOX_GAP
        bottom = max(bottom, y)
    return boxes, bottom


def _draw_box(ax, node_id, box, level: int, family: str) -> None:
    from matplotlib.patches import FancyBboxPatch

    x, y, height, _column, names, reasons = box
    patch = FancyBboxPatch((x, y), BOX_WIDTH, height, boxstyle="round,pad=0,rounding_size=0.08",
                           facecolor=weakness_colour(level), edgecolor="#444444", linewidth=0.9, zorder=3)
    patch.set_gid(f"node-{node_id}")
    ax.add_patch(patch)
    colour = _text_colour(level)
    text_y = y + BOX_PADDING + NAME_LINE * len(names) / 2
    label = ax.text(x + BOX_WIDTH / 2, text_y, "\n".join(names), ha="center", va="center", fontsize=NAME_POINTS,
                    color=colour, family=family, fontweight="bold", linespacing=1.25, zorder=4)
    label.set_gid(f"label-{node_id}")
    if reasons:
        reason_y = y + BOX_PADDING + NAME_LINE * len(names) + REASON_LINE * len(reasons) / 2
        note = ax.text(x + BOX_WIDTH / 2, reason_y, "\n".join(reasons), ha="center", va="center",
                       fontsize=REASON_POINTS, color=colour, family=family, linespacing=1.2, zorder=4)
        note.set_gid(f"reasons-{node_id}")


def _anchor_offsets(links: pd.DataFrame, boxes: dict, key: str, other: str) -> dict:
    """Vertical attachment point of every link end on its box, spread over the box in the order of the
    other end's height (fewer crossings)."""
    anchors: dict = {}
    for node_id, group in links.groupby(key, sort=False):
        x, y, height, *_ = boxes[node_id]
        order = sorted(group.index, key=lambda i: boxes[links.at[i, other]][1] + boxes[links.at[i, other]][2] / 2)
        count = len(order)
        for rank, index in enumerate(order):
            anchors[index] = y + height * (0.5 if count == 1 else 0.2 + 0.6 * rank / (count - 1))
    return anchors


def _line_widths(links: pd.DataFrame) -> pd.Series:
    if "amount_yuan" not in links.columns:
        return pd.Series(1.1, index=links.index)
    amount = pd.to_numeric(links["amount_yuan"], errors="coerce").clip(lower=0)
    largest = amount.max()
    if not largest or math.isnan(largest):
        return pd.Series(1.1, index=links.index)
    return (0.6 + 3.4 * (amount / largest) ** 0.5).fillna(0.6)


def _draw_links(ax, links: pd.DataFrame, boxes: dict) -> None:
    from matplotlib.patches import FancyArrowPatch

    links = links.reset_index(drop=True)
    starts = _anchor_offsets(links, boxes, "from_node_id", "to_node_id")
    ends = _anchor_offsets(links, boxes, "to_node_id", "from_node_id")
    widths = _line_widths(links)
    for index, link in links.iterrows():
        source, target = boxes[link["from_node_id"]], boxes[link["to_node_id"]]
        step = target[3] - source[3]
        if step == 0:  # within one column: leave and enter on the right, bulging into the gap
            start, end = (source[0] + BOX_WIDTH, starts[index]), (target[0] + BOX_WIDTH, ends[index])
            style = f"arc3,rad={-0.5 if end[1] > start[1] else 0.5}"
        elif step > 0:
            start, end = (source[0] + BOX_WIDTH, starts[index]), (target[0], ends[index])
            style = "arc3,rad=0" if step == 1 else "arc3,rad=-0.12"
        else:
            start, end = (source[0], starts[index]), (target[0] + BOX_WIDTH, ends[index])
            style = "arc3,rad=0.2"
        arrow = FancyArrowPatch(start, end, arrowstyle="-|>", mutation_scale=11, connectionstyle=style,
                                linewidth=float(widths[index]), color="#5b6770", alpha=0.85, zorder=2,
                                shrinkA=0, shrinkB=1)
        arrow.set_gid(f"link-{link['from_node_id']}-{link['to_node_id']}")
        ax.add_patch(arrow)


def _draw_frame(ax, title, top: float, family: str) -> None:
    if title:
        ax.text(FIGURE_WIDTH / 2, TITLE_SPACE / 2 + 0.05, title, ha="center", va="center", fontsize=15,
                fontweight="bold", family=family, color="#1a1a1a")
    header_y = top - HEADER_SPACE / 2 - 0.05
    for column, segment in enumerate(SEGMENTS):
        ax.text(COLUMN_CENTRES[column], header_y, SEGMENT_LABELS[segment], ha="center", va="center",
                fontsize=12.5, fontweight="bold", family=family, color="#333333")


def _draw_legend(ax, bottom: float, with_amounts: bool, family: str) -> None:
    from matplotlib.patches import Rectangle

    y = bottom + 0.25
    ax.text(0.35, y + 0.14, LEGEND_TITLE, ha="left", va="center", fontsize=10, fontweight="bold", family=family)
    x = 2.2
    for colour, label in zip(WEAKNESS_COLOURS, WEAKNESS_LABELS):
        swatch = Rectangle((x, y), 0.3, 0.28, facecolor=colour, edgecolor="#444444", linewidth=0.7)
        swatch.set_gid(f"legend-{label.split()[0]}")
        ax.add_patch(swatch)
        ax.text(x + 0.38, y + 0.14, label, ha="left", va="center", fontsize=9, family=family)
        x += 0.38 + 0.075 * _display_width(label) + 0.3
    if with_amounts:
        # Below the swatches, right-aligned: after five labels the row has no room left for it.
        ax.text(FIGURE_WIDTH - 0.35, y - 0.2, "箭头粗细 ∝ 交易额 line width ∝ amount", ha="right", va="center",
                fontsize=9, family=family, color="#555555")


def chain_picture(nodes: pd.DataFrame, links: pd.DataFrame, *, fmt: str = "svg", title: str | None = None) -> bytes:
    """Picture of one chain: columns 上游 / 中游 / 下游, boxes coloured by weakness, arrows for links.

    Parameters
    ----------
    nodes : pandas.DataFrame
        One row per node (segment of the chain), drawn top-down in row order within its column:
        ``node_id``, ``segment`` (``upstream`` / ``midstream`` / ``downstream``), ``name_zh``,
        ``weakness`` (integer level, 0 = none, higher = weaker), ``reasons`` (text shown under the name,
        may be empty or missing).
    links : pandas.DataFrame
        ``from_node_id``, ``to_node_id`` (both in ``nodes``), optional ``amount_yuan`` (line width ∝ √amount).
    fmt : {"svg", "png"}
        Output format.
    title : str, optional
        Title over the picture.

    Returns
    -------
    bytes
        The SVG document (UTF-8; text kept as text, each box a group with id ``node-<node_id>``) or the
        PNG image (150 dpi). Same tables, same bytes.

    Raises
    ------
    ValueError
        Bad ``fmt``, missing columns, unknown segments, non-integer weakness, links to unknown nodes.
    jiqun.pictures.fonts.CJKFontMissing
        When no font with Chinese glyphs is installed (the message says how to install one).
    """
    if fmt not in ("svg", "png"):
        raise ValueError(f"chain_picture: unknown format {fmt!r}; use 'svg' or 'png'")
    _check_tables(nodes, links)
    family = cjk_font_family()
    import matplotlib
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    top = (TITLE_SPACE if title else 0.15) + HEADER_SPACE
    boxes, bottom = _layout(nodes, top)
    height = bottom + LEGEND_SPACE
    rc = {"svg.hashsalt": "jiqun-chain-picture", "svg.fonttype": "none", "font.family": [family, "DejaVu Sans"],
          "axes.unicode_minus": False, "path.simplify": False}
    with matplotlib.rc_context(rc):
        figure = Figure(figsize=(FIGURE_WIDTH, height))
        FigureCanvasAgg(figure)
        ax = figure.add_axes((0, 0, 1, 1))
        ax.set_xlim(0, FIGURE_WIDTH)
        ax.set_ylim(height, 0)
        ax.set_axis_off()
        _draw_frame(ax, title, top, family)
        _draw_links(ax, links, boxes)
        for row in nodes.itertuples(index=False):
            _draw_box(ax, row.node_id, boxes[row.node_id], int(row.weakness), family)
        _draw_legend(ax, bottom, "amount_yuan" in links.columns, family)
        buffer = io.BytesIO()
        if fmt == "svg":
            figure.savefig(buffer, format="svg", metadata={"Date": None, "Creator": "jiqun"})
        else:
            figure.savefig(buffer, format="png", dpi=150, metadata={"Software": None})
    return buffer.getvalue()
