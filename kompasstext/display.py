"""Short reprs and notebook summary tables (``_repr_html_``) for the data objects.

Nothing here knows a pipeline stage: it formats counts and names the objects hand it.

>>> shorten_names(["Nacka", "Norrtälje", "Östhammar"], 2)
'Nacka, Norrtälje, … (+1)'
>>> print(html_table(["a", "b"], [(1, "<x>")], caption="T"))
<table class="kompasstext-summary"><caption style="text-align:left">T</caption><thead><tr><th>a</th><th>b</th></tr></thead><tbody><tr><td>1</td><td>&lt;x&gt;</td></tr></tbody></table>
"""
from __future__ import annotations

from collections.abc import Iterable, Sequence
from html import escape
from typing import Any

#: at most this many names in a short repr, rows in a summary table
MAX_NAMES = 6
MAX_ROWS = 20


def shorten_names(names: Iterable[Any], limit: int = MAX_NAMES) -> str:
    """``a, b, c, … (+n)``: the first ``limit`` distinct names in order, and how many were left out."""
    seen = list(dict.fromkeys(str(n) for n in names if n is not None and n == n))
    if len(seen) <= limit:
        return ", ".join(seen) or "-"
    return ", ".join(seen[:limit]) + f", … (+{len(seen) - limit})"


def span(values: Iterable[Any]) -> str:
    """``2011–2021`` (or one value, or ``-``) of the known values."""
    known = sorted({v for v in values if v is not None and v == v})
    if not known:
        return "-"
    return str(known[0]) if len(known) == 1 else f"{known[0]}–{known[-1]}"


def _cell(v: Any) -> str:
    if v is None or (isinstance(v, float) and v != v):
        return ""
    return escape(str(v))


def html_table(columns: Sequence[str], rows: Sequence[Sequence[Any]], *, caption: str | None = None,
               max_rows: int = MAX_ROWS) -> str:
    """A small escaped HTML table; past ``max_rows`` rows a last row says how many were left out."""
    head = "".join(f"<th>{escape(c)}</th>" for c in columns)
    body = ["<tr>" + "".join(f"<td>{_cell(v)}</td>" for v in r) + "</tr>" for r in rows[:max_rows]]
    if len(rows) > max_rows:
        body.append(f'<tr><td colspan="{len(columns)}">… {len(rows) - max_rows} more</td></tr>')
    cap = f'<caption style="text-align:left">{escape(caption)}</caption>' if caption else ""
    return (f'<table class="kompasstext-summary">{cap}<thead><tr>{head}</tr></thead>'
            f'<tbody>{"".join(body)}</tbody></table>')
