"""Escaping helpers for the report's HTML.

Every piece of text that reaches the page goes through :func:`esc`; only :class:`Markup` (markup this
package built itself) passes through unchanged.  Building HTML by concatenating ``Markup`` values keeps
that invariant easy to check.

>>> esc("<script>alert(1)</script>")
'&lt;script&gt;alert(1)&lt;/script&gt;'
>>> tag("td", "a & b", cls="num")
'<td class="num">a &amp; b</td>'
>>> tag("p", Markup("<b>ok</b>"))
'<p><b>ok</b></p>'
"""
from __future__ import annotations

import html as _html
import math
from typing import Any, Iterable


class Markup(str):
    """A string of trusted HTML (built here); :func:`esc` leaves it alone."""

    __slots__ = ()

    def __add__(self, other: Any) -> "Markup":
        return Markup(str.__add__(self, esc(other)))

    def __radd__(self, other: Any) -> "Markup":
        return Markup(str.__add__(esc(other), self))


def missing(value: Any) -> bool:
    """None, NaN, pandas NA/NaT."""
    if value is None:
        return True
    try:
        import pandas as pd

        if value is pd.NA or value is pd.NaT:
            return True
    except ImportError:  # pragma: no cover
        pass
    return isinstance(value, float) and math.isnan(value)


def esc(value: Any) -> Markup:
    """``value`` as HTML text: escaped (``&<>"'``), missing values as the empty string."""
    if isinstance(value, Markup):
        return value
    if missing(value):
        return Markup("")
    return Markup(_html.escape(str(value), quote=True))


def join(parts: Iterable[Any], sep: str = "") -> Markup:
    """Concatenate, escaping whatever is not :class:`Markup` already."""
    return Markup(esc(sep).join(esc(p) for p in parts))


def attrs(**kw: Any) -> Markup:
    """`` name="value"`` pairs; ``cls`` → ``class``, ``data_x`` → ``data-x``; None/False dropped, True bare."""
    out = []
    for k, v in kw.items():
        if v is None or v is False:
            continue
        name = "class" if k == "cls" else k.rstrip("_").replace("_", "-")
        out.append(f" {name}" if v is True else f' {name}="{esc(v)}"')
    return Markup("".join(out))


def tag(name: str, *content: Any, **kw: Any) -> Markup:
    """``<name attrs>content</name>`` with the content escaped (unless it is Markup)."""
    return Markup(f"<{name}{attrs(**kw)}>{join(content)}</{name}>")


def num(value: Any, digits: int = 0) -> str:
    """A number for a table cell ('' when missing), Swedish decimal comma."""
    if missing(value):
        return ""
    try:
        v = float(value)
    except (TypeError, ValueError):
        return str(value)
    s = f"{v:,.{digits}f}".replace(",", "\u00a0")
    return s.replace(".", ",")


def table(header: Iterable[Any], rows: Iterable[Iterable[Any]], *, cls: str = "", page_size: int | None = None,
          numeric: Iterable[int] = (), row_attrs: Iterable[dict] | None = None) -> Markup:
    """A ``<table>``; ``page_size`` makes it paged client-side (class ``paged``) when it has more rows."""
    rows = [list(r) for r in rows]
    numeric = set(numeric)
    ra = list(row_attrs) if row_attrs is not None else [{}] * len(rows)
    classes = [c for c in cls.split() if c]
    if page_size and len(rows) > page_size:
        classes.append("paged")
    head = join(tag("th", h, cls="num" if j in numeric else None) for j, h in enumerate(header))
    body = join(tag("tr", *(tag("td", c, cls="num" if j in numeric else None) for j, c in enumerate(r)), **a)
                for r, a in zip(rows, ra))
    return tag("div", tag("table", tag("thead", tag("tr", head)), tag("tbody", body),
                          cls=" ".join(classes) or None,
                          data_page_size=page_size if "paged" in classes else None), cls="scroll")
