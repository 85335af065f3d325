"""Tiny server-rendered SVG charts: no chart library, no JavaScript, a few hundred bytes each.

Each chart is an ``<svg role="img">`` with a ``<title>`` and a ``<desc>`` that reads the
figures out (screen readers), a ``<title>`` per bar (hover tooltip) and text labels, and
scales with its container through its ``viewBox``. Values are integers; ``fmt`` turns one
into the text shown (money, a count, a percentage).
"""
from __future__ import annotations

from collections.abc import Callable, Sequence
from itertools import count

from markupsafe import Markup, escape

_ids = count(1)
WIDTH, HEIGHT = 640, 220
LEFT, RIGHT, TOP, BOTTOM = 8, 8, 22, 34  # room for the max label above and the x labels below


def _fmt_default(value: int) -> str:
    return f"{value:,}".replace(",", "\u202f")


def _text(x: float, y: float, label: str, anchor: str = "middle", cls: str = "lbl") -> str:
    return f'<text x="{x:.1f}" y="{y:.1f}" text-anchor="{anchor}" class="{cls}">{escape(label)}</text>'


def bar_chart(points: Sequence[tuple[str, int]], *, title: str, fmt: Callable[[int], str] = _fmt_default,
              compare: Sequence[int] | None = None, compare_label: str = "") -> Markup:
    """Vertical bars for ``(label, value)``; ``compare`` (the previous period, same order)
    is drawn as a dashed line over them."""
    uid = f"chart{next(_ids)}"
    values = [max(v, 0) for _, v in points]
    previous = [max(v, 0) for v in (compare or [])][:len(points)]
    top = max([*values, *previous, 1])
    inner_w, inner_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    slot = inner_w / max(len(points), 1)
    bar_w = max(slot * 0.7, 1)

    def y(value: int) -> float:
        return TOP + inner_h - inner_h * value / top

    parts = [f'<svg class="chart" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" aria-labelledby="{uid}-t {uid}-d" '
             f'preserveAspectRatio="xMidYMid meet" xmlns="http://www.w3.org/2000/svg">',
             f'<title id="{uid}-t">{escape(title)}</title>',
             f'<desc id="{uid}-d">{escape("; ".join(f"{label} : {fmt(v)}" for label, v in points))}</desc>',
             f'<line x1="{LEFT}" y1="{TOP + inner_h}" x2="{WIDTH - RIGHT}" y2="{TOP + inner_h}" class="axis"/>',
             _text(LEFT, TOP - 8, fmt(top), "start")]
    step = max(1, -(-len(points) // 8))  # at most ~8 x labels
    for i, ((label, _), value) in enumerate(zip(points, values, strict=True)):
        x = LEFT + i * slot + (slot - bar_w) / 2
        top_y = y(value)
        parts.append(f'<rect x="{x:.1f}" y="{top_y:.1f}" width="{bar_w:.1f}" height="{TOP + inner_h - top_y:.1f}" '
                     f'class="bar"><title>{escape(label)} : {escape(fmt(value))}</title></rect>')
        if i % step == 0:
            parts.append(_text(x + bar_w / 2, HEIGHT - BOTTOM + 16, label))
    if previous:
        line = " ".join(f"{LEFT + i * slot + slot / 2:.1f},{y(v):.1f}" for i, v in enumerate(previous))
        parts.append(f'<polyline points="{line}" class="compare"><title>{escape(compare_label)}</title></polyline>')
        parts.append(_text(WIDTH - RIGHT, TOP - 8, f"- - {compare_label}", "end", "lbl compare-lbl"))
    parts.append("</svg>")
    return Markup("".join(parts))


def hbar_chart(points: Sequence[tuple[str, int]], *, title: str, fmt: Callable[[int], str] = _fmt_default,
               maximum: int | None = None) -> Markup:
    """Horizontal bars, one per ``(label, value)``, the label on the left and the value at the end;
    ``maximum`` fixes the scale (100 for percentages)."""
    uid = f"chart{next(_ids)}"
    row, label_w, value_w = 26, 190, 90
    height = max(len(points), 1) * row + 6
    top = maximum or max([v for _, v in points] + [1])
    span = WIDTH - label_w - value_w
    parts = [f'<svg class="chart" viewBox="0 0 {WIDTH} {height}" role="img" aria-labelledby="{uid}-t {uid}-d" '
             f'xmlns="http://www.w3.org/2000/svg">',
             f'<title id="{uid}-t">{escape(title)}</title>',
             f'<desc id="{uid}-d">{escape("; ".join(f"{label} : {fmt(v)}" for label, v in points))}</desc>']
    for i, (label, value) in enumerate(points):
        y0 = 3 + i * row
        w = span * max(value, 0) / top if top else 0
        parts.append(_text(label_w - 8, y0 + 16, label, "end"))
        parts.append(f'<rect x="{label_w}" y="{y0 + 3}" width="{max(w, 1):.1f}" height="{row - 8}" class="bar">'
                     f'<title>{escape(label)} : {escape(fmt(value))}</title></rect>')
        parts.append(_text(label_w + w + 6, y0 + 16, fmt(value), "start"))
    parts.append("</svg>")
    return Markup("".join(parts))
