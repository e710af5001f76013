"""Strengths / improvements tables: ``Styrkor<TAB>Förbättringsmöjligheter`` headers, their rows and cells,
and the items in each cell (``•`` bullets, ``<p>`` paragraphs, one item per cell, or a run-on cell).

>>> text = "Styrkor\\tFörbättringsmöjligheter\\n<ul>• Bra webb • Tydliga mål\\t<ul>• Följ upp\\n"
>>> [(f.kind, f.text) for f in read_list_tables(text, 0, len(text), area=1)[0]]
[('strength', 'Bra webb'), ('strength', 'Tydliga mål'), ('improvement', 'Följ upp')]
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from ..lang.sv import heading_kind
from ..model import Diagnostic, Finding, Kind
from .cleaning import BULLET_CHARS, clean_item, strip_emphasis, strip_tags
from .sections import iter_lines

_SEPARATOR = re.compile(r"^[ \t]*-{2,}[ \t]*(?:\t[ \t]*-{2,}[ \t]*)+$")
# a middle dot is a bullet only standing alone (legacy code pages have no "•" and write "·")
_BULLET = re.compile(rf"[{BULLET_CHARS.replace('·', '')}]|(?<!\S)·(?=\s)")
_P = re.compile(r"<p\b[^>]*>(.*?)</p>", re.S | re.I)
_LIST_START = re.compile(rf"^[ \t]*(?:<(?:ul|ol|li|p)\b|[{BULLET_CHARS}])", re.I)
_NUMBERS = re.compile(r"[\d\s%,.()/–-]+")
_LEAD_JUNK = re.compile(r"^(?:\s|<(?:ul|ol)\b[^>]*>)+", re.I)
_TRAIL_JUNK = re.compile(r"(?:\s|<(?:ul|ol)\b[^>]*>|</(?:ul|ol)>)+$", re.I)


def header_kind(cell: str) -> Kind | None:
    """``"strength"``/``"improvement"`` if a header cell names that list ("STYRKOR", "Förbättringsområden",
    "Utvecklingsområden", ...), else ``None``."""
    t = strip_emphasis(strip_tags(cell)).strip().rstrip(":").strip()
    if not t or len(t) > 40:
        return None
    return heading_kind(t, header=True)  # type: ignore[return-value]


def header_kinds(line: str) -> list[Kind] | None:
    """The column kinds of a list-table header line (two tab-separated cells of different kinds)."""
    if line.count("\t") != 1:  # fast path: not two cells
        return None
    cells = [c for c in line.split("\t")]
    if len(cells) != 2:
        return None
    kinds = [header_kind(c) for c in cells]
    if None in kinds or kinds[0] == kinds[1]:
        return None
    return kinds  # type: ignore[return-value]


@dataclass
class Cell:
    start: int
    end: int
    kind: Kind


@dataclass
class ListTable:
    """One table: its header line and rows (each a list of cells, one per column)."""

    kinds: list[Kind]
    start: int
    end: int
    rows: list[list[Cell]] = field(default_factory=list)


def find_list_tables(text: str, start: int, end: int,
                     diagnostics: list[Diagnostic] | None = None, area: int | None = None,
                     line_of=None) -> list[ListTable]:
    """Every strengths/improvements table in the range.  Rows are the tab-separated lines after the header
    (blank lines between rows allowed; ``--<TAB>--`` separator rows ignored); the table ends at the first
    other non-blank line or at the next header."""
    tables: list[ListTable] = []
    cur: ListTable | None = None
    last_kinds: list[Kind] = ["strength", "improvement"]  # the templates' column order
    for line in iter_lines(text, start, end):
        kinds = header_kinds(line.text)
        if kinds:
            cur = ListTable(kinds, line.start, line.end)
            tables.append(cur)
            last_kinds = kinds
            continue
        if cur is None and diagnostics is not None:
            where = dict(area=area, start=line.start, end=line.end, line=line_of(line.start) if line_of else None)
            if _orphan_row(line.text):
                # a list row whose header line is gone: read under the last header's columns, and say so
                cur = ListTable(list(last_kinds), line.start, line.start)
                tables.append(cur)
                diagnostics.append(Diagnostic(
                    "W117", f"a list table row without its header line read as {' | '.join(last_kinds)}", **where))
            elif _plain_orphan_row(line.text):
                diagnostics.append(Diagnostic(
                    "W118", "a tab-separated line outside any list table (a list row without its header line, "
                            "or moved away from its table?) was not read as findings: it stays in the narrative",
                    **where))
        if cur is None or line.blank:
            continue
        if _SEPARATOR.match(line.text):
            cur.end = line.end
            continue
        if "\t" in line.text:
            parts, pos = [], line.start
            for i, piece in enumerate(line.text.split("\t", len(cur.kinds) - 1)):
                parts.append(Cell(pos, pos + len(piece), cur.kinds[i]))
                pos += len(piece) + 1
            cur.rows.append(parts)
            cur.end = line.end
            continue
        if _LIST_START.match(line.text):  # a row whose later cells are missing (no tab)
            cur.rows.append([Cell(line.start, line.end, cur.kinds[0])])
            cur.end = line.end
            if diagnostics is not None:
                diagnostics.append(Diagnostic(
                    "W105", f"table row without a tab read as a '{cur.kinds[0]}' cell only", severity="info",
                    area=area, start=line.start, end=line.end, line=line_of(line.start) if line_of else None))
            continue
        cur = None
    return tables


def _orphan_row(line: str) -> bool:
    """A two-cell line whose cells are list items (``<p>``/``<ul>``/bullets), or empty: the row of a list
    table whose header line is missing.

    >>> _orphan_row("<p>Bra webb</p>\\t<p>Följ upp</p>"), _orphan_row("1.1 Finns en plan?\\t5\\t10")
    (True, False)
    """
    if line.count("\t") != 1:
        return False
    cells = [c.strip() for c in line.split("\t")]
    return any(cells) and all(not c or _LIST_START.match(c) for c in cells)


def _plain_orphan_row(line: str) -> bool:
    """A two-cell line of plain text outside any list table — not a number cell (score, page), not a
    Rubriker/Poäng box header, at least two words: the shape of a list table row whose header line is
    missing or that was moved away from its table.

    >>> [_plain_orphan_row(x) for x in ("Kundval 2.0-utvecklingsarbetet\\t", "Rubriker\\tPoäng",
    ...                                 "Område 1 Demokrati\\t7", "<b>TOTALT</b>\\t<b>383</b>")]
    [True, False, False, False]
    """
    if line.count("\t") != 1 or _LIST_START.match(line):
        return False
    cells = [strip_tags(c).strip() for c in line.split("\t")]
    if any(_NUMBERS.fullmatch(c) or c.casefold().startswith(("rubrik", "poäng")) for c in cells if c):
        return False
    return any(len(c.split()) >= 2 for c in cells)


def _trim(text: str, s: int, e: int) -> tuple[int, int]:
    """Shrink a span past surrounding whitespace and list-container tags."""
    m = _LEAD_JUNK.match(text, s, e)
    if m:
        s = m.end()
    seg = text[s:e]
    m = _TRAIL_JUNK.search(seg)
    if m:
        e = s + m.start()
    return s, e


@dataclass
class _Item:
    kind: Kind
    pieces: list[tuple[int, int]]
    segmented: bool = False  # boundaries decided by the segmenter (a run-on cell), not by delimiters
    confidence: float | None = None  # the segmenter's boundary confidence of a segmented item


def _cell_pieces(text: str, cell: Cell, bullet_table: bool) -> tuple[tuple[int, int] | None, list[tuple[int, int]]]:
    """(continuation piece or None, item spans) of one cell."""
    s, e = cell.start, cell.end
    seg = text[s:e]
    if bullet_table:
        marks = [m.start() + s for m in _BULLET.finditer(seg)]
        first = marks[0] if marks else e
        cont = None
        if clean_item(text[s:first]):
            cont = _trim(text, s, first)
        items = []
        for i, b in enumerate(marks):
            nxt = marks[i + 1] if i + 1 < len(marks) else e
            items.append(_trim(text, b, nxt))
        return cont, items
    ps = list(_P.finditer(seg))
    if ps:
        items, last = [], 0
        for m in ps:
            if clean_item(seg[last:m.start()]):  # text between paragraphs: keep it as an item of its own
                items.append(_trim(text, s + last, s + m.start()))
            items.append((s + m.start(), s + m.end()))
            last = m.end()
        if clean_item(seg[last:]):
            items.append(_trim(text, s + last, e))
        return None, items
    if clean_item(seg):
        return None, [_trim(text, s, e)]
    return None, []


def read_list_tables(text: str, start: int, end: int, area: int, *, line_of=None,
                     segmenter=None) -> tuple[list[Finding], list[ListTable], list[Diagnostic]]:
    """Findings of every list table in ``text[start:end]`` (an area).

    Order: tables in document order; within a table each column top to bottom, columns in header order.
    Cell shapes: ``•`` bullets (text before a cell's first bullet continues the column's last item: a
    row split by a page break), ``<p>`` paragraphs (one item each), plain cells (one item per cell), and a
    single-row table of plain cells (run-on lists, split with ``segmenter(text, start, end)``).
    """
    diags: list[Diagnostic] = []
    tables = find_list_tables(text, start, end, diags, area, line_of)
    findings: list[Finding] = []
    for table in tables:
        if not table.rows:
            diags.append(Diagnostic("W105", "list table header without rows", area=area,
                                    start=table.start, end=table.end,
                                    line=line_of(table.start) if line_of else None))
            continue
        cells = [c for row in table.rows for c in row]
        bullet_table = any(_BULLET.search(text[c.start:c.end]) for c in cells)
        plain = not bullet_table and not any(_P.search(text[c.start:c.end]) for c in cells)
        runon = plain and len(table.rows) == 1
        columns: dict[Kind, list[_Item]] = {k: [] for k in table.kinds}
        for row in table.rows:
            for cell in row:
                col = columns[cell.kind]
                if runon:
                    if segmenter is None:
                        from functools import partial

                        from ..segmentation import segment_spans
                        segmenter = partial(segment_spans, with_confidence=True)
                    s, e = _trim(text, cell.start, cell.end)
                    if s >= e:
                        continue
                    # (start, end) or (start, end, boundary confidence) per item
                    scored = [(_trim(text, sp[0], sp[1]), sp[2] if len(sp) > 2 else None)
                              for sp in segmenter(text, s, e)]
                    spans = [sp for sp, _ in scored]
                    col.extend(_Item(cell.kind, [sp], segmented=True, confidence=c) for sp, c in scored
                               if sp[0] < sp[1])
                    diags.append(Diagnostic(
                        "W105", f"run-on {cell.kind} cell split into {len(spans)} items by the segmenter",
                        severity="info", area=area, start=s, end=e, line=line_of(s) if line_of else None))
                    continue
                cont, items = _cell_pieces(text, cell, bullet_table)
                if cont is not None:
                    if col:
                        col[-1].pieces.append(cont)
                    else:
                        col.append(_Item(cell.kind, [cont]))
                        diags.append(Diagnostic(
                            "W105", f"{cell.kind} cell starts without a bullet and there is no item to continue;"
                            " kept as an item of its own", area=area, start=cont[0], end=cont[1],
                            line=line_of(cont[0]) if line_of else None))
                col.extend(_Item(cell.kind, [sp]) for sp in items)
        for kind in table.kinds:
            for item in columns[kind]:
                texts = [clean_item(text[a:b]) for a, b in item.pieces]
                joined = " ".join(t for t in texts if t)
                s0, e0 = item.pieces[0][0], item.pieces[-1][1]
                if not joined:
                    diags.append(Diagnostic("W109", "empty list item skipped", severity="info", area=area,
                                            start=s0, end=e0, line=line_of(s0) if line_of else None))
                    continue
                findings.append(Finding(kind=kind, text=joined, area=area, start=s0, end=e0, segmented=item.segmented,
                                        boundary_confidence=item.confidence))
    return findings, tables, diags
