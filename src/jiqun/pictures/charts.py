"""Small charts as plain SVG text (折线图、雷达图) for the web pages and reports: no script, no font file,
no request; the numbers arrive formatted by the caller."""

from __future__ import annotations

import math
from html import escape

#: Colours of the series, in order (the first is the subject, the others references).
SERIES_COLOURS = ("#1d4ed8", "#b45309", "#6b7280", "#0b6e4f")


def _finite(value) -> bool:
    return value is not None and not (isinstance(value, float) and math.isnan(value))


def line_chart_svg(points: list[tuple[int, float | None]], title: str, shown=str, width: int = 300,
                   height: int = 120, css_id: str = "") -> str:
    """A line of yearly values with the first and last labelled.

    Parameters
    ----------
    points : list of (year, value)
        In year order; a missing value breaks the line.
    title : str
        The chart's accessible title (and tooltip).
    shown : callable
        Formats a value for the labels.
    """
    known = [(year, value) for year, value in points if _finite(value)]
    attributes = f' id="{escape(css_id)}"' if css_id else ""
    head = (f'<svg{attributes} class="line-chart" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
            f'width="{width}" height="{height}" role="img" aria-label="{escape(title)}"><title>{escape(title)}</title>')
    if not known:
        return head + f'<text x="8" y="{height / 2}" font-size="11" fill="#52606d">—</text></svg>'
    years = [year for year, _ in points]
    low, high = min(v for _, v in known), max(v for _, v in known)
    span = (high - low) or abs(high) or 1.0
    left, right, top, bottom = 8, width - 8, 18, height - 22

    def x(year):
        return left + (right - left) * ((year - years[0]) / ((years[-1] - years[0]) or 1))

    def y(value):
        return bottom - (bottom - top) * ((value - low) / span)

    segments, current = [], []
    for year, value in points:
        if _finite(value):
            current.append(f"{x(year):.1f},{y(value):.1f}")
        elif current:
            segments.append(current)
            current = []
    if current:
        segments.append(current)
    lines = "".join(f'<polyline points="{" ".join(s)}" fill="none" stroke="{SERIES_COLOURS[0]}" stroke-width="2"/>'
                    for s in segments)
    dots = "".join(f'<circle cx="{x(yr):.1f}" cy="{y(v):.1f}" r="2.5" fill="{SERIES_COLOURS[0]}">'
                   f'<title>{yr}: {escape(shown(v))}</title></circle>' for yr, v in known)
    (first_year, first), (last_year, last) = known[0], known[-1]
    labels = (f'<text x="{x(first_year):.1f}" y="{height - 6}" font-size="10" fill="#52606d">{first_year}</text>'
              f'<text x="{x(last_year):.1f}" y="{height - 6}" font-size="10" fill="#52606d" text-anchor="end">'
              f'{last_year}</text><text x="{x(last_year):.1f}" y="12" font-size="11" text-anchor="end" '
              f'fill="#1f2933">{escape(shown(last))}</text>')
    return head + lines + dots + labels + "</svg>"


def radar_svg(axes: list[str], series: list[tuple[str, list[float | None]]], title: str, size: int = 320,
              css_id: str = "") -> str:
    """A radar of scores in [0, 1] on ``axes``: the first series is the subject, the others references.

    Parameters
    ----------
    axes : list of str
        Axis labels (e.g. the four evaluation dimensions).
    series : list of (name, values)
        One value per axis in [0, 1] (None: not drawn at that axis, the polygon closes over it).
    """
    pad = 90  # room for the axis labels left and right
    width = size + 2 * pad
    centre, middle, radius = width / 2, size / 2, size / 2 - 58
    n = len(axes)

    def point(index: int, value: float) -> tuple[float, float]:
        angle = -math.pi / 2 + 2 * math.pi * index / n
        return centre + radius * value * math.cos(angle), middle + radius * value * math.sin(angle)

    rings = "".join(f'<polygon points="{" ".join(f"{p[0]:.1f},{p[1]:.1f}" for p in (point(i, level) for i in range(n)))}" '
                    f'fill="none" stroke="#d9dee4"/>' for level in (0.25, 0.5, 0.75, 1.0))
    spokes, labels = [], []
    for index, axis in enumerate(axes):
        x, y = point(index, 1.0)
        spokes.append(f'<line x1="{centre}" y1="{middle}" x2="{x:.1f}" y2="{y:.1f}" stroke="#d9dee4"/>')
        lx, ly = point(index, 1.18)
        anchor = "middle" if abs(lx - centre) < 5 else ("start" if lx > centre else "end")
        labels.append(f'<text x="{lx:.1f}" y="{ly + 4:.1f}" font-size="11" text-anchor="{anchor}">{escape(axis)}</text>')
    shapes, legend = [], []
    for order, (name, values) in enumerate(series):
        colour = SERIES_COLOURS[order % len(SERIES_COLOURS)]
        corners = [point(i, max(0.0, min(1.0, v))) for i, v in enumerate(values) if _finite(v)]
        fill = ' fill-opacity="0.18"' if order == 0 else ' fill-opacity="0"'
        dash = "" if order == 0 else ' stroke-dasharray="4 3"'
        shapes.append(f'<polygon data-series="{escape(name)}" points="{" ".join(f"{x:.1f},{y:.1f}" for x, y in corners)}" '
                      f'fill="{colour}"{fill} stroke="{colour}" stroke-width="{2 if order == 0 else 1.5}"'
                      f'{dash}><title>{escape(name)}</title></polygon>')
        legend.append(f'<rect x="8" y="{size - 16 - 14 * (len(series) - 1 - order)}" width="10" height="10" fill="{colour}"/>'
                      f'<text x="22" y="{size - 7 - 14 * (len(series) - 1 - order)}" font-size="11">{escape(name)}</text>')
    attributes = f' id="{escape(css_id)}"' if css_id else ""
    return (f'<svg{attributes} class="radar" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {size}" '
            f'width="{width}" height="{size}" role="img" aria-label="{escape(title)}"><title>{escape(title)}</title>{rings}'
            f'{"".join(spokes)}{"".join(shapes)}{"".join(labels)}{"".join(legend)}</svg>')


def bubble_chart_svg(bubbles: list[dict], title: str, x_label: str, y_label: str, shown_x=str, shown_y=str,
                     shown_size=str, x_reference: float | None = 0.0, y_reference: float | None = 1.0,
                     width: int = 520, height: int = 360, css_id: str = "") -> str:
    """A portfolio bubble chart (集群组合图): one bubble per item at (x, y), its area by ``size``, with
    reference lines (growth 0, location quotient 1) that split it into quadrants.

    Parameters
    ----------
    bubbles : list of dict
        ``label``, ``x``, ``y``, ``size`` (numbers; size ≥ 0) and optionally ``colour`` and ``labelled``
        (False: the label is only in the tooltip, for crowded charts).
    title, x_label, y_label : str
        The chart's title and axis names.
    shown_x, shown_y, shown_size : callable
        Format a value for the axis ticks and each bubble's tooltip.
    x_reference, y_reference : float, optional
        Where the dashed reference lines are drawn (None: none).
    """
    attributes = f' id="{escape(css_id)}"' if css_id else ""
    head = (f'<svg{attributes} class="bubble-chart" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
            f'width="{width}" height="{height}" role="img" aria-label="{escape(title)}"><title>{escape(title)}</title>'
            f'<text x="{width / 2}" y="16" font-size="13" text-anchor="middle" font-weight="bold">{escape(title)}</text>')
    known = [b for b in bubbles if _finite(b.get("x")) and _finite(b.get("y")) and _finite(b.get("size"))]
    if not known:
        return head + f'<text x="{width / 2}" y="{height / 2}" font-size="12" text-anchor="middle" fill="#52606d">—</text></svg>'
    left, right, top, bottom = 58, width - 16, 30, height - 44
    xs = [b["x"] for b in known] + ([x_reference] if x_reference is not None else [])
    ys = [b["y"] for b in known] + ([y_reference] if y_reference is not None else [])
    x_low, x_high = min(xs), max(xs)
    y_low, y_high = min(ys), max(ys)
    x_pad = (x_high - x_low) * 0.08 or 0.1
    y_pad = (y_high - y_low) * 0.08 or 0.1
    x_low, x_high, y_low, y_high = x_low - x_pad, x_high + x_pad, y_low - y_pad, y_high + y_pad

    def px(value):
        return left + (right - left) * (value - x_low) / (x_high - x_low)

    def py(value):
        return bottom - (bottom - top) * (value - y_low) / (y_high - y_low)

    largest = max(b["size"] for b in known) or 1.0
    parts = [f'<rect x="{left}" y="{top}" width="{right - left}" height="{bottom - top}" fill="#fff" stroke="#d9dee4"/>']
    if x_reference is not None:
        parts.append(f'<line x1="{px(x_reference):.1f}" y1="{top}" x2="{px(x_reference):.1f}" y2="{bottom}" '
                     f'stroke="#9aa5b1" stroke-dasharray="4 3"/>')
    if y_reference is not None:
        parts.append(f'<line x1="{left}" y1="{py(y_reference):.1f}" x2="{right}" y2="{py(y_reference):.1f}" '
                     f'stroke="#9aa5b1" stroke-dasharray="4 3"/>')
    for value, anchor in ((x_low + x_pad, "start"), (x_high - x_pad, "end")):
        parts.append(f'<text x="{px(value):.1f}" y="{bottom + 14}" font-size="10" text-anchor="{anchor}" '
                     f'fill="#52606d">{escape(shown_x(value))}</text>')
    for value in (y_low + y_pad, y_high - y_pad):
        parts.append(f'<text x="{left - 4}" y="{py(value) + 3:.1f}" font-size="10" text-anchor="end" '
                     f'fill="#52606d">{escape(shown_y(value))}</text>')
    parts.append(f'<text x="{(left + right) / 2}" y="{height - 8}" font-size="11" text-anchor="middle">'
                 f'{escape(x_label)}</text><text x="14" y="{(top + bottom) / 2}" font-size="11" text-anchor="middle" '
                 f'transform="rotate(-90 14 {(top + bottom) / 2})">{escape(y_label)}</text>')
    for order, bubble in enumerate(sorted(known, key=lambda b: -b["size"])):
        radius = 4 + 22 * math.sqrt(max(bubble["size"], 0) / largest)
        colour = bubble.get("colour") or SERIES_COLOURS[order % len(SERIES_COLOURS)]
        tip = (f'{bubble["label"]}: {x_label} {shown_x(bubble["x"])}, {y_label} {shown_y(bubble["y"])}, '
               f'{shown_size(bubble["size"])}')
        parts.append(f'<circle class="bubble" cx="{px(bubble["x"]):.1f}" cy="{py(bubble["y"]):.1f}" r="{radius:.1f}" '
                     f'fill="{colour}" fill-opacity="0.35" stroke="{colour}"><title>{escape(tip)}</title></circle>'
                     + (f'<text x="{px(bubble["x"]):.1f}" y="{py(bubble["y"]) + 3:.1f}" font-size="10" '
                        f'text-anchor="middle">{escape(bubble["label"])}</text>' if bubble.get("labelled", True) else ""))
    return head + "".join(parts) + "</svg>"


def score_bars_svg(rows: list[dict], title: str, shown=str, width: int = 640, css_id: str = "") -> str:
    """Horizontal bars of scores in [0, 1], best first, each with its note (rank and interval).

    Parameters
    ----------
    rows : list of dict
        ``label``, ``value`` (None: no bar), ``colour`` and ``note`` (text after the bar).
    shown : callable
        Formats a value.
    """
    row_height, left, right_room, top = 22, 170, 150, 28
    height = top + row_height * len(rows) + 10
    attributes = f' id="{escape(css_id)}"' if css_id else ""
    parts = [f'<svg{attributes} class="score-bars" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
             f'width="{width}" height="{height}" role="img" aria-label="{escape(title)}"><title>{escape(title)}</title>'
             f'<text x="{width / 2}" y="16" font-size="12" font-weight="bold" text-anchor="middle">{escape(title)}</text>']
    span = width - left - right_room
    for index, row in enumerate(rows):
        y = top + index * row_height
        parts.append(f'<text x="{left - 6}" y="{y + 14}" font-size="11" text-anchor="end">{escape(row["label"])}</text>')
        if _finite(row.get("value")):
            length = span * max(0.0, min(1.0, row["value"]))
            parts.append(f'<rect x="{left}" y="{y + 3}" width="{length:.1f}" height="{row_height - 8}" '
                         f'fill="{row.get("colour") or SERIES_COLOURS[0]}"><title>{escape(row["label"])}: '
                         f'{escape(shown(row["value"]))}</title></rect>'
                         f'<text x="{left + length + 4:.1f}" y="{y + 14}" font-size="10">{escape(shown(row["value"]))} '
                         f'{escape(row.get("note") or "")}</text>')
    return "".join(parts) + "</svg>"
