"""Inline SVG charts for the report: heatmaps, split bars and score strips (no JavaScript, no fonts).

Every label goes through :func:`markupsafe.escape`; the result is :class:`markupsafe.Markup`, which the
page's templates (autoescaped) insert as it is.  Words (tooltips, labels) come from a
:class:`~.strings.Strings` (Swedish by default).

>>> str(split_bar(2, 1))[:4]
'<svg'
>>> "&lt;b&gt;" in heatmap([[1.0]], ["<b>"], ["x"], vmin=0, vmax=1)
True
"""
from __future__ import annotations

import math
from typing import Sequence

from markupsafe import Markup
from markupsafe import escape as esc

from .strings import Strings, load

STRENGTH = "#2b6cb0"
IMPROVEMENT = "#c05621"
ABSENT = "#718096"
BOTH = "#6b46c1"
#: sequential scale (light -> dark), used for scores
BLUES = ["#f7fbff", "#deebf7", "#c6dbef", "#9ecae1", "#6baed6", "#4292c6", "#2171b5", "#08519c", "#08306b"]
#: diverging scale improvement (-1) .. neutral (0) .. strength (+1)
DIVERGING = ["#a63603", "#e6550d", "#fdae6b", "#fdd0a2", "#f7f7f7", "#c6dbef", "#6baed6", "#2171b5", "#08306b"]
_CHAR_W = 6.6  # rough width of a 12px label character


def _hex(c: str) -> tuple[int, int, int]:
    c = c.lstrip("#")
    return int(c[0:2], 16), int(c[2:4], 16), int(c[4:6], 16)


def scale(value: float | None, vmin: float, vmax: float, stops: Sequence[str] = BLUES) -> str:
    """Colour of ``value`` on a linear scale through ``stops``; light grey for missing values."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "#eeeeee"
    t = 0.0 if vmax <= vmin else min(1.0, max(0.0, (float(value) - vmin) / (vmax - vmin)))
    pos = t * (len(stops) - 1)
    i = min(int(pos), len(stops) - 2)
    f = pos - i
    a, b = _hex(stops[i]), _hex(stops[i + 1])
    return "#%02x%02x%02x" % tuple(round(x + (y - x) * f) for x, y in zip(a, b))


def ink(fill: str) -> str:
    """Black or white text, whichever reads on ``fill``."""
    r, g, b = _hex(fill)
    return "#111111" if (0.299 * r + 0.587 * g + 0.114 * b) > 150 else "#ffffff"


def _clip(s: str, n: int) -> str:
    s = str(s)
    return s if len(s) <= n else s[: n - 1] + "…"


def heatmap(values: Sequence[Sequence[float | None]], row_labels: Sequence[str], col_labels: Sequence[str], *,
            vmin: float | None = None, vmax: float | None = None, stops: Sequence[str] = BLUES,
            colors: Sequence[Sequence[str]] | None = None, texts: Sequence[Sequence[str]] | None = None,
            titles: Sequence[Sequence[str]] | None = None, col_titles: Sequence[str] | None = None,
            cell: int = 30, rotate: bool | None = None, max_label: int = 34, css_class: str = "heatmap",
            aria_label: str = "") -> Markup:
    """A rows × columns heatmap.

    ``values`` picks the colour (``colors`` overrides it cell by cell), ``texts`` the cell text (default:
    the rounded value), ``titles`` the hover tooltip of a cell, ``col_titles`` that of a column label.
    Column labels are rotated when they are longer than a cell is wide (or ``rotate``).
    """
    flat = [v for row in values for v in row if v is not None and not (isinstance(v, float) and math.isnan(v))]
    lo = vmin if vmin is not None else (min(flat) if flat else 0.0)
    hi = vmax if vmax is not None else (max(flat) if flat else 1.0)
    rlabels = [_clip(r, max_label) for r in row_labels]
    clabels = [_clip(c, max_label) for c in col_labels]
    left = int(max([len(r) for r in rlabels] + [1]) * _CHAR_W) + 10
    longest = max([len(c) for c in clabels] + [1]) * _CHAR_W
    rot = rotate if rotate is not None else longest > cell - 4
    top = int(longest * 0.75) + 14 if rot else 20
    width = left + cell * len(col_labels) + (int(longest * 0.75) if rot else 0) + 6
    height = top + cell * len(row_labels) + 4
    out = [f'<svg class="{esc(css_class)}" width="{width}" height="{height}" '
           f'viewBox="0 0 {width} {height}" role="img" aria-label="{esc(aria_label)}">']
    for j, lab in enumerate(clabels):
        x = left + cell * j + cell / 2
        tip = col_titles[j] if col_titles is not None else col_labels[j]
        if rot:
            out.append(f'<text x="{x:.1f}" y="{top - 6}" font-size="12" transform="rotate(-45 {x:.1f} {top - 6})">'
                       f'<title>{esc(tip)}</title>{esc(lab)}</text>')
        else:
            out.append(f'<text x="{x:.1f}" y="{top - 6}" font-size="12" text-anchor="middle">'
                       f'<title>{esc(tip)}</title>{esc(lab)}</text>')
    for i, lab in enumerate(rlabels):
        y = top + cell * i
        out.append(f'<text x="{left - 6}" y="{y + cell / 2 + 4:.1f}" font-size="12" text-anchor="end">'
                   f'<title>{esc(row_labels[i])}</title>{esc(lab)}</text>')
        for j in range(len(col_labels)):
            v = values[i][j]
            fill = colors[i][j] if colors is not None else scale(v, lo, hi, stops)
            missing = v is None or (isinstance(v, float) and math.isnan(v))
            txt = texts[i][j] if texts is not None else ("" if missing else f"{v:.0f}")
            tip = titles[i][j] if titles is not None else f"{row_labels[i]} · {col_labels[j]}: {txt or '–'}"
            x = left + cell * j
            out.append(f'<g><title>{esc(tip)}</title><rect x="{x}" y="{y}" width="{cell - 1}" height="{cell - 1}" '
                       f'fill="{fill}"/>')
            if txt:
                out.append(f'<text x="{x + (cell - 1) / 2:.1f}" y="{y + cell / 2 + 4:.1f}" font-size="11" '
                           f'text-anchor="middle" fill="{ink(fill)}">{esc(txt)}</text>')
            out.append("</g>")
    out.append("</svg>")
    return Markup("".join(out))


def split_bar(n_strengths: int, n_improvements: int, *, width: int = 110, height: int = 12,
              total: int | None = None, t: Strings | None = None) -> Markup:
    """A horizontal bar: strengths (blue) then improvements (orange), scaled to ``total`` (default: their sum)."""
    tot = total or (n_strengths + n_improvements) or 1
    ws = width * n_strengths / tot
    wi = width * n_improvements / tot
    tip = (t or load())("svg.split", n_strengths=n_strengths, n_improvements=n_improvements)
    return Markup(
        f'<svg class="split" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" role="img" aria-label="{esc(tip)}"><title>{esc(tip)}</title>'
        f'<rect x="0" y="0" width="{width}" height="{height}" fill="#edf2f7"/>'
        f'<rect x="0" y="0" width="{ws:.1f}" height="{height}" fill="{STRENGTH}"/>'
        f'<rect x="{ws:.1f}" y="0" width="{wi:.1f}" height="{height}" fill="{IMPROVEMENT}"/></svg>')


def strip(groups: Sequence[tuple[str, str, Sequence[float]]], *, width: int = 360, xmax: float = 100.0,
          unit: str = "%", label_w: int = 150, t: Strings | None = None) -> Markup:
    """Score distribution per group: one row per ``(label, colour, values)``: dots, the median as a bar, ``n``.

    Values are on 0..``xmax``; dots at the same value are stacked slightly so each stays visible.  A group
    of more than :data:`MAX_DOTS` values is drawn as a box (quartiles, whiskers to min and max) instead.
    """
    t = t or load()
    row_h, top = 24, 6
    plot_w = width - label_w - 22
    height = top + row_h * len(groups) + 22
    out = [f'<svg class="strip" width="{width}" height="{height}" '
           f'viewBox="0 0 {width} {height}" role="img" aria-label="{esc(t("svg.strip_aria"))}">']
    for tick in (0, 0.25, 0.5, 0.75, 1.0):
        x = label_w + plot_w * tick
        out.append(f'<line x1="{x:.1f}" x2="{x:.1f}" y1="{top}" y2="{top + row_h * len(groups)}" stroke="#e2e8f0"/>'
                   f'<text x="{x:.1f}" y="{height - 6}" font-size="10" text-anchor="middle" fill="#5a6474">'
                   f'{tick * xmax:.0f}{esc(unit)}</text>')
    for i, (label, color, values) in enumerate(groups):
        vals = [float(v) for v in values if v is not None and not (isinstance(v, float) and math.isnan(v))]
        y = top + row_h * i + row_h / 2
        out.append(f'<text x="{label_w - 6}" y="{y + 4:.1f}" font-size="11" text-anchor="end">'
                   f'{esc(label)} (n={len(vals)})</text>')
        if len(vals) > MAX_DOTS:
            out.append(_box(sorted(vals), y, label_w, plot_w, xmax, color, label, unit, t))
            continue
        seen: dict[float, int] = {}
        for v in sorted(vals):
            k = seen.get(v, 0)
            seen[v] = k + 1
            dy = (k % 5 - 2) * 2.5
            x = label_w + plot_w * min(max(v / xmax, 0.0), 1.0)
            out.append(f'<circle cx="{x:.1f}" cy="{y + dy:.1f}" r="3.6" fill="{color}" fill-opacity=".75">'
                       f'<title>{esc(label)}: {v:.0f}{esc(unit)}</title></circle>')
        if vals:
            med = sorted(vals)[len(vals) // 2] if len(vals) % 2 else sum(sorted(vals)[len(vals) // 2 - 1:len(vals) // 2 + 1]) / 2
            x = label_w + plot_w * min(max(med / xmax, 0.0), 1.0)
            out.append(f'<line x1="{x:.1f}" x2="{x:.1f}" y1="{y - 9:.1f}" y2="{y + 9:.1f}" stroke="#1a202c" '
                       f'stroke-width="2"><title>{esc(t("svg.median", value=f"{med:.0f}{unit}"))}</title></line>')
    out.append("</svg>")
    return Markup("".join(out))


#: above this many values a group of :func:`strip` is a box plot (thousands of dots say nothing and weigh MBs)
MAX_DOTS = 150


def _box(vals: list[float], y: float, label_w: float, plot_w: float, xmax: float, color: str, label: str,
         unit: str, t: Strings) -> str:
    """A horizontal box plot of sorted ``vals``: whiskers min–max, box Q1–Q3, median bar."""
    def q(p: float) -> float:  # linear interpolation, as numpy's default
        k = (len(vals) - 1) * p
        lo = int(k)
        return vals[lo] + (vals[min(lo + 1, len(vals) - 1)] - vals[lo]) * (k - lo)

    x = lambda v: label_w + plot_w * min(max(v / xmax, 0.0), 1.0)  # noqa: E731
    lo, q1, med, q3, hi = vals[0], q(0.25), q(0.5), q(0.75), vals[-1]
    tip = t("svg.box", label=label, n=len(vals), min=f"{lo:.0f}{unit}", q1=f"{q1:.0f}", q3=f"{q3:.0f}{unit}",
            median=f"{med:.0f}{unit}", max=f"{hi:.0f}{unit}")
    return (f'<g><title>{esc(tip)}</title>'
            f'<line x1="{x(lo):.1f}" x2="{x(hi):.1f}" y1="{y:.1f}" y2="{y:.1f}" stroke="{color}"/>'
            f'<rect x="{x(q1):.1f}" y="{y - 6:.1f}" width="{max(x(q3) - x(q1), 1.0):.1f}" height="12" fill="{color}" '
            f'fill-opacity=".45" stroke="{color}"/>'
            f'<line x1="{x(med):.1f}" x2="{x(med):.1f}" y1="{y - 9:.1f}" y2="{y + 9:.1f}" stroke="#1a202c" '
            f'stroke-width="2"/></g>')
