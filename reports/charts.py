"""Charts as inline SVG, drawn on the server: the dashboard shows them and WeasyPrint puts
them in the quarterly PDF, so no JavaScript and only basic SVG (rect, line, text, g,
pattern) with explicit colours and font sizes (WeasyPrint knows no CSS variables).

Every chart is an image with a title and a description (``role="img"``,
``aria-labelledby``), and the page shows a table with the same numbers next to it. Series
differ by fill pattern or marker shape as well as colour, and every colour has a contrast of
at least 3:1 against white. A value is an int, ``SUPPRESSED`` ("<5": drawn as a hatched stub
or an open marker, labelled "<5"), ``HIDDEN`` ("x", hidden to protect another count: a
hatched stub, or in a line no point and an "x" on the axis) or ``None`` (no data).
"""

import itertools
import math
from dataclasses import dataclass
from typing import TypeGuard

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.text import slugify
from django.utils.translation import gettext as _

from .suppression import HIDDEN, SUPPRESSED, is_hidden

# Contrast against white (WCAG): 7.9, 4.6, 5.7, 9.0, 7.0.
COLOURS = ("#0b5394", "#b35806", "#1b7837", "#762a83", "#595959")
TEXT = "#1a1a1a"
MUTED = "#595959"  # axis labels, 7.0:1
GRID = "#d9d9d9"  # decorative only
TRACK = "#f2f2f2"
SUPPRESSED_COLOUR = "#767676"  # 4.5:1
FONT = "sans-serif"
FONT_SIZE = 12
SMALL_SIZE = 11
NO_DATA = "\u2013"  # an en dash, as the tables show it
CHAR_WIDTH = 0.56  # average glyph width per font-size unit, to reserve room for labels

_ids = itertools.count(1)


@dataclass
class Series:
    name: str
    values: list  # int | "<5" | None per category


# --- Helpers ---------------------------------------------------------------------------------


def _esc(value) -> str:
    return escape(str(value))


def _num(value: float) -> str:
    """Coordinates with at most one decimal, no trailing zeros."""
    return f"{value:.1f}".rstrip("0").rstrip(".")


def _text(x, y, content, *, size=FONT_SIZE, anchor="start", fill=TEXT, weight=None) -> str:
    bold = f' font-weight="{weight}"' if weight else ""
    return (
        f'<text x="{_num(x)}" y="{_num(y)}" font-family="{FONT}" font-size="{size}" '
        f'fill="{fill}" text-anchor="{anchor}"{bold}>{_esc(content)}</text>'
    )


def _text_width(content: str, size: int = FONT_SIZE) -> float:
    return len(str(content)) * size * CHAR_WIDTH


def _wrap(label: str, width: float, size: int = FONT_SIZE, lines: int = 2) -> list[str]:
    """``label`` in at most ``lines`` lines that fit ``width``; the last one cut with "…"."""
    per_line = max(4, int(width / (size * CHAR_WIDTH)))
    words, out, line = str(label).split(), [], ""
    for word in words:
        candidate = f"{line} {word}".strip()
        if len(candidate) <= per_line or not line:
            line = candidate
        else:
            out.append(line)
            line = word
    out.append(line)
    if len(out) > lines:
        out = [*out[: lines - 1], " ".join(out[lines - 1 :])]
    return [part if len(part) <= per_line else part[: per_line - 1] + "…" for part in out]


def _is_number(value: object) -> TypeGuard[float]:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _value_label(value, unit: str = "") -> str:
    if value is None:
        return NO_DATA
    if is_hidden(value):
        return value
    if not unit:
        return str(value)
    return f"{value}{unit}" if unit.startswith("%") else f"{value} {unit}"


def _nice_max(value: float) -> tuple[float, float]:
    """An axis maximum of at least ``value`` and a round tick step (1, 2 or 5 times 10^n)."""
    value = max(value, 1)
    raw = value / 4
    power = 10 ** math.floor(math.log10(raw))
    step = next(m * power for m in (1, 2, 5, 10) if m * power >= raw)
    step = max(step, 1)
    return step * math.ceil(value / step), step


def _prefix(title: str, id_prefix: str | None) -> str:
    return id_prefix or f"chart-{slugify(title) or 'grafiek'}-{next(_ids)}"


def _svg(prefix: str, title: str, desc: str, width: int, height: float, body: list[str]):
    head = (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="app-chart" role="img" '
        f'width="{width}" height="{_num(height)}" viewBox="0 0 {width} {_num(height)}" '
        f'aria-labelledby="{prefix}-title {prefix}-desc" id="{prefix}">'
        f'<title id="{prefix}-title">{_esc(title)}</title>'
        f'<desc id="{prefix}-desc">{_esc(desc)}</desc>'
    )
    # Safe: every piece of text went through ``_esc``; the rest is markup built here.
    return mark_safe(head + "".join(body) + "</svg>")  # noqa: S308


def _patterns(prefix: str, count: int) -> list[str]:
    """Fill patterns per series (solid, diagonal, cross, vertical, dots) and the stub's."""
    defs = ["<defs>"]
    for i in range(count):
        colour = COLOURS[i % len(COLOURS)]
        kind = i % 5
        lines = {
            1: [(0, 8, 8, 0), (-2, 2, 2, -2), (6, 10, 10, 6)],
            2: [(0, 8, 8, 0), (-2, 2, 2, -2), (6, 10, 10, 6), (0, 0, 8, 8)],
            3: [(2, 0, 2, 8), (6, 0, 6, 8)],
        }.get(kind, [])
        if kind == 0:
            continue  # solid: see _fill
        defs.append(
            f'<pattern id="{prefix}-p{i}" width="8" height="8" patternUnits="userSpaceOnUse">'
        )
        if kind == 4:
            defs.append('<rect width="8" height="8" fill="#ffffff"/>')
            defs.append(f'<rect x="1" y="1" width="3" height="3" fill="{colour}"/>')
            defs.append(f'<rect x="5" y="5" width="3" height="3" fill="{colour}"/>')
        else:
            defs.append('<rect width="8" height="8" fill="#ffffff"/>')
            defs.extend(
                f'<line x1="{a}" y1="{b}" x2="{c}" y2="{d}" stroke="{colour}" stroke-width="2"/>'
                for a, b, c, d in lines
            )
        defs.append("</pattern>")
    defs.append(
        f'<pattern id="{prefix}-sup" width="6" height="6" patternUnits="userSpaceOnUse">'
        '<rect width="6" height="6" fill="#ffffff"/>'
        f'<line x1="0" y1="6" x2="6" y2="0" stroke="{SUPPRESSED_COLOUR}" stroke-width="1.5"/>'
        f'<line x1="-1" y1="1" x2="1" y2="-1" stroke="{SUPPRESSED_COLOUR}" stroke-width="1.5"/>'
        f'<line x1="5" y1="7" x2="7" y2="5" stroke="{SUPPRESSED_COLOUR}" stroke-width="1.5"/>'
        "</pattern>"
    )
    defs.append("</defs>")
    return defs


def _fill(prefix: str, i: int) -> str:
    """The first series is solid (a pattern tile would show seams in a PDF viewer)."""
    return COLOURS[0] if i % 5 == 0 else f"url(#{prefix}-p{i})"


def _legend_swatches(prefix: str, series: list[Series], width: int, y: float) -> tuple:
    """The legend as rows of swatch + name; returns the markup and the height used."""
    out, x, row_y = [], 0.0, y
    for i, s in enumerate(series):
        item = 18 + _text_width(s.name) + 20
        if x and x + item > width:
            x, row_y = 0.0, row_y + 20
        colour = COLOURS[i % len(COLOURS)]
        out.append(
            f'<rect x="{_num(x)}" y="{_num(row_y)}" width="14" height="14" '
            f'fill="{_fill(prefix, i)}" stroke="{colour}" stroke-width="1"/>'
        )
        out.append(_text(x + 20, row_y + 11, s.name))
        x += item
    return out, row_y - y + 24


def _describe(categories: list[str], series: list[Series], unit: str = "") -> str:
    parts = []
    for c, category in enumerate(categories):
        values = []
        for s in series:
            value = s.values[c] if c < len(s.values) else None
            shown = _value_label(value, unit)
            values.append(f"{s.name} {shown}" if len(series) > 1 else shown)
        parts.append(f"{category}: {', '.join(values)}")
    return "; ".join(parts) + "." if parts else _("Geen gegevens.")


# --- Bar chart -------------------------------------------------------------------------------


def bar_chart(
    title: str,
    categories: list[str],
    series: list[Series],
    *,
    width: int = 640,
    unit: str = "",
    id_prefix: str | None = None,
) -> SafeString:
    """Horizontal grouped bars: one group per category, one bar per series, the value at
    the end of each bar."""
    prefix = _prefix(title, id_prefix)
    bar_h, bar_gap, group_gap = 14, 2, 12
    label_w = min(max([_text_width(c) for c in categories] or [0]) + 10, width * 0.38)
    label_w = max(label_w, 60)
    value_w = max([_text_width(_value_label(v, unit)) for s in series for v in s.values] or [0])
    value_w = max(value_w, _text_width(SUPPRESSED)) + 10
    plot_x = label_w
    plot_w = max(width - label_w - value_w - 4, 40)
    numbers = [v for s in series for v in s.values if _is_number(v)]
    axis_max, step = _nice_max(max(numbers or [1]))
    scale = plot_w / axis_max

    body = _patterns(prefix, len(series))
    y = 4.0
    if len(series) > 1:
        legend, used = _legend_swatches(prefix, series, width, y)
        body.append(f'<g class="app-chart__legend">{"".join(legend)}</g>')
        y += used
    top = y
    group_h = len(series) * (bar_h + bar_gap) - bar_gap
    plot_h = len(categories) * (group_h + group_gap)

    # Grid lines and tick labels first, so the bars cover them.
    grid = []
    tick = 0.0
    while tick <= axis_max + 1e-9:
        x = plot_x + tick * scale
        grid.append(
            f'<line x1="{_num(x)}" y1="{_num(top)}" x2="{_num(x)}" '
            f'y2="{_num(top + plot_h)}" stroke="{GRID}" stroke-width="1"/>'
        )
        grid.append(
            _text(x, top + plot_h + 14, f"{tick:g}", size=SMALL_SIZE, anchor="middle", fill=MUTED)
        )
        tick += step
    body.append(f'<g class="app-chart__grid" aria-hidden="true">{"".join(grid)}</g>')

    for c, category in enumerate(categories):
        gy = top + c * (group_h + group_gap) + group_gap / 2
        lines = _wrap(category, label_w - 10)
        centre = gy + group_h / 2
        first = centre - (len(lines) - 1) * 7 + 4
        group = [
            _text(label_w - 8, first + i * 14, line, anchor="end") for i, line in enumerate(lines)
        ]
        for i, s in enumerate(series):
            value = s.values[c] if c < len(s.values) else None
            by = gy + i * (bar_h + bar_gap)
            colour = COLOURS[i % len(COLOURS)]
            end = plot_x
            if is_hidden(value):
                end = plot_x + 8
                group.append(
                    f'<rect x="{_num(plot_x)}" y="{_num(by)}" width="8" height="{bar_h}" '
                    f'fill="url(#{prefix}-sup)" stroke="{SUPPRESSED_COLOUR}" stroke-width="1" '
                    'stroke-dasharray="2 1"/>'
                )
            elif _is_number(value) and value > 0:
                end = plot_x + value * scale
                group.append(
                    f'<rect x="{_num(plot_x)}" y="{_num(by)}" width="{_num(value * scale)}" '
                    f'height="{bar_h}" fill="{_fill(prefix, i)}" stroke="{colour}" '
                    'stroke-width="1"/>'
                )
            group.append(_text(end + 4, by + bar_h - 3, _value_label(value, unit), size=SMALL_SIZE))
        body.append(f"<g>{''.join(group)}</g>")
    body.append(
        f'<line x1="{_num(plot_x)}" y1="{_num(top)}" x2="{_num(plot_x)}" '
        f'y2="{_num(top + plot_h)}" stroke="{MUTED}" stroke-width="1"/>'
    )
    height = top + plot_h + 20
    return _svg(prefix, title, _describe(categories, series, unit), width, height, body)


# --- Line chart ------------------------------------------------------------------------------

_DASHES = ("", "6 3", "2 3", "8 3 2 3", "1 2")


def _marker(shape: int, x: float, y: float, colour: str, *, open_: bool) -> str:
    """Circle, square, triangle, diamond: the series differ by shape, not only colour; an
    open (white) marker is a suppressed value."""
    fill = "#ffffff" if open_ else colour
    common = f'fill="{fill}" stroke="{colour}" stroke-width="1.5"'
    kind = shape % 4
    if kind == 0:
        return f'<circle cx="{_num(x)}" cy="{_num(y)}" r="4" {common}/>'
    if kind == 1:
        return f'<rect x="{_num(x - 4)}" y="{_num(y - 4)}" width="8" height="8" {common}/>'
    if kind == 2:
        points = [(x, y - 5), (x + 5, y + 4), (x - 5, y + 4)]
    else:
        points = [(x, y - 5), (x + 5, y), (x, y + 5), (x - 5, y)]
    coords = " ".join(f"{_num(a)},{_num(b)}" for a, b in points)
    return f'<polygon points="{coords}" {common}/>'


def _legend_lines(series: list[Series], width: int, y: float) -> tuple:
    out, x, row_y = [], 0.0, y
    for i, s in enumerate(series):
        item = 30 + _text_width(s.name) + 20
        if x and x + item > width:
            x, row_y = 0.0, row_y + 20
        colour = COLOURS[i % len(COLOURS)]
        dash = f' stroke-dasharray="{_DASHES[i % len(_DASHES)]}"' if i % len(_DASHES) else ""
        out.append(
            f'<line x1="{_num(x)}" y1="{_num(row_y + 7)}" x2="{_num(x + 24)}" '
            f'y2="{_num(row_y + 7)}" stroke="{colour}" stroke-width="2"{dash}/>'
        )
        out.append(_marker(i, x + 12, row_y + 7, colour, open_=False))
        out.append(_text(x + 30, row_y + 11, s.name))
        x += item
    return out, row_y - y + 24


def line_chart(
    title: str,
    categories: list[str],
    series: list[Series],
    *,
    width: int = 640,
    height: int = 240,
    id_prefix: str | None = None,
) -> SafeString:
    """Lines over the categories (quarters), a marker at every point; a "<5" point is an
    open marker at 2.5 with the label "<5", and a missing one breaks the line."""
    prefix = _prefix(title, id_prefix)
    numbers = [v for s in series for v in s.values if _is_number(v)]
    axis_max, step = _nice_max(max(numbers or [1]))
    body: list[str] = []
    top = 4.0
    if len(series) > 1:
        legend, used = _legend_lines(series, width, top)
        body.append(f'<g class="app-chart__legend">{"".join(legend)}</g>')
        top += used
    top += 8  # room for a label above the highest point
    left = _text_width(f"{axis_max:g}", SMALL_SIZE) + 10
    right = 20
    bottom: float = height - 24
    plot_h = max(bottom - top, 40)
    bottom = top + plot_h
    plot_w = width - left - right
    count = max(len(categories), 1)
    slot = plot_w / count

    def px(i: int) -> float:
        return left + slot * (i + 0.5)

    def py(value: float) -> float:
        return bottom - value / axis_max * plot_h

    grid = []
    tick = 0.0
    while tick <= axis_max + 1e-9:
        grid.append(
            f'<line x1="{_num(left)}" y1="{_num(py(tick))}" x2="{_num(left + plot_w)}" '
            f'y2="{_num(py(tick))}" stroke="{GRID}" stroke-width="1"/>'
        )
        grid.append(
            _text(left - 6, py(tick) + 4, f"{tick:g}", size=SMALL_SIZE, anchor="end", fill=MUTED)
        )
        tick += step
    for i, category in enumerate(categories):
        grid.append(_text(px(i), bottom + 16, category, size=SMALL_SIZE, anchor="middle"))
    body.append(f'<g class="app-chart__grid">{"".join(grid)}</g>')
    body.append(
        f'<line x1="{_num(left)}" y1="{_num(bottom)}" x2="{_num(left + plot_w)}" '
        f'y2="{_num(bottom)}" stroke="{MUTED}" stroke-width="1"/>'
    )

    suppressed_y = 2.5  # somewhere between 1 and 4: only "<5" is known
    labelled: set[float] = set()
    hidden_labelled: set[float] = set()
    parts_hidden: list[str] = []
    for s_index, s in enumerate(series):
        colour = COLOURS[s_index % len(COLOURS)]
        dash = _DASHES[s_index % len(_DASHES)]
        points: list[tuple[float, float, bool] | None] = []
        for i in range(len(categories)):
            value = s.values[i] if i < len(s.values) else None
            if value == SUPPRESSED:
                points.append((px(i), py(suppressed_y), True))
            elif value == HIDDEN:
                # 5 or more, but how much is not shown: no point, the marker on the axis.
                points.append(None)
                if px(i) not in hidden_labelled:
                    hidden_labelled.add(px(i))
                    parts_hidden.append(
                        _text(px(i), bottom - 6, HIDDEN, size=SMALL_SIZE, anchor="middle")
                    )
            elif _is_number(value):
                points.append((px(i), py(value), False))
            else:
                points.append(None)
        parts = []
        for a, b in itertools.pairwise(points):
            if a is None or b is None:
                continue
            # A segment to or from a suppressed point is dotted: its height is not known.
            seg_dash = "1 3" if (a[2] or b[2]) else dash
            dash_attr = f' stroke-dasharray="{seg_dash}"' if seg_dash else ""
            parts.append(
                f'<line x1="{_num(a[0])}" y1="{_num(a[1])}" x2="{_num(b[0])}" '
                f'y2="{_num(b[1])}" stroke="{colour}" stroke-width="2"{dash_attr}/>'
            )
        for point in points:
            if point is None:
                continue
            x, y, is_suppressed = point
            parts.append(_marker(s_index, x, y, colour, open_=is_suppressed))
            if is_suppressed and x not in labelled:  # one "<5" per quarter is enough
                labelled.add(x)
                parts.append(_text(x + 6, y - 6, SUPPRESSED, size=SMALL_SIZE, fill=TEXT))
        body.append(f"<g>{''.join(parts)}</g>")
    if parts_hidden:
        body.append(f"<g>{''.join(parts_hidden)}</g>")
    return _svg(prefix, title, _describe(categories, series), width, height, body)


# --- Targets ---------------------------------------------------------------------------------


def _target_texts(label: str, percent, target: int) -> tuple[str, str]:
    """What a target row says next to its bar, and in the description."""
    if percent is None:
        return (
            _("n.v.t. (doel %(target)s%%)") % {"target": target},
            _("%(label)s: niet te meten, doel %(target)s%%") % {"label": label, "target": target},
        )
    if is_hidden(percent):
        return (
            _("verborgen (doel %(target)s%%)") % {"target": target},
            _("%(label)s: verborgen (rust op een verborgen aantal), doel %(target)s%%")
            % {"label": label, "target": target},
        )
    return (
        _("%(percent)s%% (doel %(target)s%%)") % {"percent": percent, "target": target},
        _("%(label)s: %(percent)s%% behaald, doel %(target)s%%")
        % {"label": label, "percent": percent, "target": target},
    )


def target_chart(
    title: str,
    rows: list[tuple[str, int | str | None, int]],
    *,
    width: int = 640,
    id_prefix: str | None = None,
) -> SafeString:
    """Per target a 0-100% bar of what was achieved, a marker line at the target, and the
    text "n.v.t." when nothing could be measured. A percentage of ``SUPPRESSED`` ("<5")
    reads "verborgen": it was hidden because it would give a small count away."""
    prefix = _prefix(title, id_prefix)
    row_h, gap = 18, 26
    texts = [_target_texts(label, percent, target) for label, percent, target in rows]
    label_w = min(max([_text_width(label) for label, _p, _t in rows] or [0]) + 10, width * 0.4)
    label_w = max(label_w, 80)
    value_w = max([_text_width(shown, SMALL_SIZE) for shown, _d in texts] or [0])
    plot_x = label_w
    plot_w = max(width - label_w - value_w - 12, 60)
    top = 4.0
    rows_h = len(rows) * (row_h + gap)
    body = _patterns(prefix, 2)  # of these only the hatched "missed" fill is used
    grid = []
    for tick in (0, 25, 50, 75, 100):
        x = plot_x + plot_w * tick / 100
        grid.append(
            f'<line x1="{_num(x)}" y1="{_num(top)}" x2="{_num(x)}" '
            f'y2="{_num(top + rows_h)}" stroke="{GRID}" stroke-width="1"/>'
        )
        grid.append(
            _text(x, top + rows_h + 14, f"{tick}%", size=SMALL_SIZE, anchor="middle", fill=MUTED)
        )
    body.append(f'<g class="app-chart__grid">{"".join(grid)}</g>')
    for r, ((label, percent, target), (shown, _desc)) in enumerate(zip(rows, texts, strict=True)):
        y = top + r * (row_h + gap) + gap / 2
        lines = _wrap(label, label_w - 10)
        first = y + row_h / 2 - (len(lines) - 1) * 7 + 4
        parts = [
            _text(label_w - 8, first + i * 14, line, anchor="end") for i, line in enumerate(lines)
        ]
        parts.append(
            f'<rect x="{_num(plot_x)}" y="{_num(y)}" width="{_num(plot_w)}" height="{row_h}" '
            f'fill="{TRACK}" stroke="{MUTED}" stroke-width="1"/>'
        )
        if percent is None:
            parts.append(_text(plot_x + 6, y + row_h - 5, _("n.v.t."), size=SMALL_SIZE))
        elif isinstance(percent, str):  # a marker: withheld by suppression
            parts.append(
                f'<rect x="{_num(plot_x)}" y="{_num(y)}" width="8" height="{row_h}" '
                f'fill="url(#{prefix}-sup)" stroke="{SUPPRESSED_COLOUR}" stroke-width="1"/>'
            )
            parts.append(_text(plot_x + 14, y + row_h - 5, _("verborgen"), size=SMALL_SIZE))
        else:
            bounded = max(0, min(100, percent))
            met = percent >= target
            colour = COLOURS[0] if met else COLOURS[1]
            fill = colour if met else f"url(#{prefix}-p1)"  # missed: hatched, not only orange
            parts.append(
                f'<rect x="{_num(plot_x)}" y="{_num(y)}" width="{_num(plot_w * bounded / 100)}" '
                f'height="{row_h}" fill="{fill}" stroke="{colour}" stroke-width="1"/>'
            )
        tx = plot_x + plot_w * max(0, min(100, target)) / 100
        parts.append(
            f'<line x1="{_num(tx)}" y1="{_num(y - 5)}" x2="{_num(tx)}" y2="{_num(y + row_h + 5)}" '
            f'stroke="{TEXT}" stroke-width="3"/>'
        )
        parts.append(_text(plot_x + plot_w + 8, y + row_h - 5, shown, size=SMALL_SIZE))
        body.append(f"<g>{''.join(parts)}</g>")
    height = top + rows_h + 22
    descriptions = [desc for _shown, desc in texts]
    desc = "; ".join(descriptions) + "." if descriptions else _("Geen gegevens.")
    return _svg(prefix, title, desc, width, height, body)
