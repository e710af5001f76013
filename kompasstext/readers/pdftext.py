"""Reader "pdftotext": the plain text poppler's ``pdftotext`` writes from a report PDF, with or without
``-layout`` — the two text shapes users most often make from a PDF by hand.

Both shapes have a form feed after every page.  The text is turned back into a page layout (lines with a
column position, tables with cells) and read by the PDF layout reader (:mod:`kompasstext.readers.pdf`):

* ``-layout``: tables keep their columns; a table is a header line of two or more cells (``Styrkor
  Förbättringsområden``, ``Rubriker Poäng``, ``1. Title Uppnått Max Procent``) and the indented lines after
  it, over page breaks; cells are cut at the header's column starts.  Bullets and hanging indents are
  kept, so items are read as from the PDF.
* raw (no ``-layout``): cells come one after the other — a ``Styrkor`` line, its items, a
  ``Förbättringsområden`` line, its items; on a page the table continues on, the left cell's rest and
  then (after a blank line) the right cell's — and are read as a two-column table.  Bullets printed
  apart from their text are counted and an item starts at a capital after them.

Running headers and footers (lines repeated on many pages) and page numbers are removed.  What plain text
cannot keep is lost: fonts (so italic improvements of 2011-style reports read as strengths) and a list
table continued on the next page in raw mode is only joined back as well as its order allows.

>>> from kompasstext.readers.source import SourceText
>>> page = ("Område {n} {title}\\n Styrkor                 Förbättringsområden\\n"
...         " • {a}               • Följ upp\\n • {b}\\n\\f")
>>> text = (page.format(n=1, title="Demokrati", a="Bra webb", b="Tydliga mål")
...         + page.format(n=2, title="Service", a="Kundval", b="E-tjänster"))
>>> r = PdfToTextReader().read(SourceText.from_string(text))
>>> [(f.kind, f.text) for f in r.areas[0].findings]
[('strength', 'Bra webb'), ('strength', 'Tydliga mål'), ('improvement', 'Följ upp')]
"""
from __future__ import annotations

import re
from collections import Counter

from ..errors import MESSAGES
from ..model import Diagnostic, Report
from .base import register_reader
from .pdflayout import BULLETS, Cell, Layout, Line, Page, Table, starts_with_bullet
from .source import SourceText
from .tables import header_kind

#: pseudo geometry of a text line: points per character column and per line
CHAR_W, LINE_H, SIZE = 2.0, 12.0, 10.0
_SEG = re.compile(r"\S+(?: \S+)*")
_AREA = re.compile(r"^\s*Område\s+\d{1,2}\s+\S", re.M)
_SCORE_HEAD = re.compile(r"^\s*\d{1,2}\.?\s+.*\bUppnått\b", re.I)
_PAGE_NO = re.compile(r"^(?:(?:sida|page|s\.)\s*)?\d{1,3}(?:\s*\(\s*\d{1,3}\s*\)|\s*(?:/|av|of)\s*\d{1,3})?$", re.I)
_DIGITS = re.compile(r"\d+")


def _pages(text: str) -> list[list[str]]:
    pages = text.split("\f")
    if pages and not pages[-1].strip():
        pages = pages[:-1]
    return [p.split("\n") for p in pages]


def _running(pages: list[list[str]]) -> set[str]:
    """Line shapes (digits as #) that repeat on many pages: running headers and footers."""
    c: Counter = Counter()
    for p in pages:
        body = [ln for ln in p if ln.strip()]
        edge = body[:3] + body[-3:]  # running lines sit at the top and bottom of a page
        c.update({_DIGITS.sub("#", " ".join(ln.split())).casefold() for ln in edge
                  if not _AREA.match(ln) and not all(header_kind(w) for w in ln.split())})
    need = max(2, int(0.4 * len(pages)))
    return {s for s, n in c.items() if n >= need}


def _is_running(line: str, running: set[str], edge: bool, page: int = 0) -> bool:
    """A running header/footer line, or the page's number at its top or bottom (``edge``): a number near
    the page's place in the file (a score "75" at the foot of page 19 is not a page number)."""
    t = " ".join(line.split())
    if not t:
        return False
    if _DIGITS.sub("#", t).casefold() in running:
        return True
    m = _PAGE_NO.match(t) if edge else None
    return bool(m) and abs(int(_DIGITS.search(t).group(0)) - page) <= 4


def _body_lines(lines: list[str], running: set[str], page: int = 0) -> list[str]:
    nonblank = [i for i, ln in enumerate(lines) if ln.strip()]
    edge = set(nonblank[:3] + nonblank[-3:])
    return [ln.rstrip() for i, ln in enumerate(lines) if not _is_running(ln, running, i in edge, page)]


def is_layout_shape(text: str) -> bool:
    """``pdftotext -layout`` output: many lines hold runs of 3+ spaces between words (columns)."""
    lines = [ln for ln in text.split("\n") if ln.strip()]
    wide = sum(1 for ln in lines if re.search(r"\S {3,}\S", ln))
    return wide > 0.05 * max(1, len(lines))


def _segments(line: str) -> list[tuple[int, str]]:
    """(column, text) of the parts of a line separated by two or more spaces."""
    return [(m.start(), m.group(0)) for m in re.finditer(r"\S+(?: \S+)*", line)]


def _header(line: str) -> list[int] | None:
    """Column starts of a table header line (indented, two or more cells), else None."""
    if not line.startswith(" ") or not line.strip():
        return None
    segs = _segments(line)
    if len(segs) < 2:
        return None
    words = [s for _, s in segs]
    if len(segs) == 2 and all(header_kind(w) for w in words) and header_kind(words[0]) != header_kind(words[1]):
        return [c for c, _ in segs]
    if words[0].casefold().startswith("rubrik") and words[-1].casefold().startswith("poäng"):
        return [c for c, _ in segs]
    if _SCORE_HEAD.match(line):
        return [c for c, _ in segs]
    return None


def _cut(line: str, cols: list[int]) -> list[str]:
    """The cells of a table line: its parts (separated by two or more spaces) each go to the column whose
    start is nearest; a cell's text is indented to the column it starts at on the line."""
    cells = [""] * len(cols)
    for start, part in _segments(line):
        j = min(range(len(cols)), key=lambda k: abs(cols[k] - start) if start >= cols[k] - 3 else 10 ** 6 + k)
        if cells[j]:
            cells[j] += " " + part
        else:
            cells[j] = " " * start + part  # the part's own column (a hanging indent shows in it)
    return cells


_SCORE_ROW = re.compile(r"^\s*(\d{1,2}\.\d{1,2})\.?\s+(.*?)\s{2,}(\d{1,3})\s+(\d{1,3})(?:\s+(\d{1,3}\s?%))?\s*$")
_TOTAL_ROW = re.compile(r"^\s+(\d{1,3})\s+(\d{1,3})(?:\s+(\d{1,3}\s?%))?\s*$")


def _score_cells(line: str, n: int) -> list[str]:
    """The cells of a score-table line by its shape (id, question, achieved, max[, percent]); a line of
    text only continues the question of the row above.  Column positions are not trusted: pdftotext
    places a table continued on another page at other columns."""
    m = _SCORE_ROW.match(line)
    if m:
        cells = [m.group(1), m.group(2), m.group(3), m.group(4)] + ([m.group(5) or ""] if n > 4 else [])
    else:
        m = _TOTAL_ROW.match(line)
        if m:
            cells = ["", "", m.group(1), m.group(2)] + ([m.group(3) or ""] if n > 4 else [])
        else:
            cells = ["", line.strip()] + [""] * (n - 2)
    return cells[:n] + [""] * (n - len(cells))


def _align_pieces(tables: list[Table]) -> None:
    """pdftotext -layout counts columns from the leftmost text of each page, so a table continued on the
    next page may sit a few columns off: shift each column of a continuation to the item-start column of
    the table's first piece (where the piece shows item starts and continuation lines both)."""
    for t in tables:
        first = t.state.get("first_piece")
        if first is None or not t.rows or not first.rows:
            continue
        for j in range(min(len(t.rows[-1]), len(first.rows[-1]))):
            ref = [ln.x0 for ln in first.rows[-1][j].lines]
            own = [ln.x0 for r in t.rows for ln in r[j].lines] if j < len(t.rows[0]) else []
            if not ref or not own or max(own) - min(own) < 4:
                continue
            shift = min(ref) - min(own)
            for r in t.rows:
                for ln in r[j].lines:
                    ln.x0 += shift
                    ln.x1 += shift


def _line(page: int, row: int, col: float, text: str, bold: bool = False) -> Line:
    x0 = col * CHAR_W
    top = row * LINE_H
    return Line(page, x0, top, x0 + len(text) * CHAR_W, top + SIZE, text, SIZE, bold=bold)


def _looks_heading(t: str, nxt: str) -> bool:
    """A line that reads as a heading in plain text: short, capitalised, unpunctuated, and followed by a
    line (not the end of a wrapped sentence: the next line starts in upper case)."""
    t = t.strip()
    if not t or len(t.split()) > 9 or re.search(r"[.,;:!?]$", t) or starts_with_bullet(t):
        return False
    if not (t[0].isupper() or t[0].isdigit()):
        return False
    return not nxt.strip()[:1].islower()


def text_layout(text: str, path: str = "<string>") -> Layout:
    """The pseudo page layout of ``pdftotext`` output (either shape)."""
    pages = _pages(text)
    running = _running(pages)
    layout = is_layout_shape(text)
    lay = Layout(path, fonts=False)
    open_table: Table | None = None
    cols: list[int] = []
    scores = False
    raw_cells: dict[str, int] | None = None
    raw_table: Table | None = None
    rubric: dict | None = None
    for pn, raw_lines in enumerate(pages, 1):
        lines = _body_lines(raw_lines, running, pn)
        width = max((len(x) for x in lines), default=80)
        pg = Page(pn, width * CHAR_W, (len(lines) + 2) * LINE_H, n_chars=sum(len(x) for x in lines))
        lay.pages.append(pg)
        row, gap = 0, 0
        if raw_cells is not None:  # a raw table over the page break: the left cell's rest comes first
            raw_cells.update(col=0, cont=1)
        table = None
        if open_table is not None and layout:
            table = Table(pn, 0, 0, pg.width, 0, col_edges=open_table.col_edges)
            table.state["first_piece"] = open_table.state.get("first_piece", open_table)
        for i, ln in enumerate(lines):
            row += 1
            if not ln.strip():
                gap += 1
                continue
            nxt = next((x for x in lines[i + 1:] if x.strip()), "")
            if layout:
                hdr = _header(ln)
                if hdr is not None:
                    cols = hdr
                    scores = bool(_SCORE_HEAD.match(ln))
                    table = Table(pn, 0, row * LINE_H, pg.width, row * LINE_H, col_edges=[c * CHAR_W for c in cols])
                    pg.tables.append(table)
                    table.rows.append([Cell(c * CHAR_W, row * LINE_H, 0, 0, [_line(pn, row, c, s, bold=True)])
                                       for c, s in zip(cols, _cut(ln, cols))])
                    if not scores:
                        table.rows.append([Cell(c * CHAR_W, row * LINE_H, 0, 0, []) for c in cols])
                    gap = 0
                    continue
                if table is not None and (ln.startswith(" ") or starts_with_bullet(ln)
                                          or re.search(r"\S {3,}\S", ln)):
                    cells = _score_cells(ln, len(cols)) if scores else _cut(ln, cols)
                    if not table.rows:  # a table continued from the previous page
                        pg.tables.append(table)
                        table.top = row * LINE_H
                        table.rows.append([Cell(c * CHAR_W, row * LINE_H, 0, 0, []) for c in cols])
                    elif scores and (cells[0].strip() or any(re.fullmatch(r"\s*\d[\d%,.]*\s*", x) for x in cells[2:])):
                        table.rows.append([Cell(c * CHAR_W, row * LINE_H, 0, 0, []) for c in cols])
                    for j, (c, cell_text) in enumerate(zip(cols, cells)):
                        if cell_text.strip():
                            at = len(cell_text) - len(cell_text.lstrip()) if not scores else c
                            table.rows[-1][j].lines.append(_line(pn, row, at, cell_text.strip()))
                    table.bottom = row * LINE_H
                    gap = 0
                    continue
                table = None
            else:
                if rubric is not None:  # raw "Rubriker" box: bullets, then "Poäng", then the score
                    if ln.strip().casefold() == "poäng":
                        rubric["score"] = True
                    elif rubric.get("score") and re.fullmatch(r"\s*\d{1,3}\s*", ln):
                        rubric["table"].rows[1][1].lines.append(_line(pn, row, 0, ln.strip()))
                        rubric = None
                    elif not rubric.get("score"):
                        rubric["table"].rows[1][0].lines.append(
                            _line(pn, row, 0 if starts_with_bullet(ln) else 2, ln.strip()))
                    else:
                        rubric = None
                    if rubric is not None or re.fullmatch(r"\s*\d{1,3}\s*", ln):
                        gap = 0
                        continue
                if ln.strip().casefold() == "rubriker" and raw_cells is None:
                    t = Table(pn, 0, row * LINE_H, pg.width, row * LINE_H, col_edges=[0, 300])
                    t.rows = [[Cell(0, 0, 300, 0, [_line(pn, row, 0, "Rubriker", True)]),
                               Cell(300, 0, 600, 0, [_line(pn, row, 150, "Poäng", True)])],
                              [Cell(0, 0, 300, 0, []), Cell(300, 0, 600, 0, [])]]
                    pg.tables.append(t)
                    rubric = {"table": t}
                    gap = 0
                    continue
                kind = header_kind(ln.strip()) if len(ln.split()) <= 2 else None
                if kind is not None and (raw_cells is not None or kind == "strength"):
                    if raw_cells is None:
                        raw_table = Table(pn, 0, row * LINE_H, pg.width, row * LINE_H, col_edges=[0, 300])
                        pg.tables.append(raw_table)
                        raw_cells = {}
                        raw_table.rows.append([Cell(0, row * LINE_H, 300, 0, [_line(pn, row, 0, "Styrkor", True)]),
                                           Cell(300, row * LINE_H, 600, 0,
                                                [_line(pn, row, 50, "Förbättringsområden", True)])])
                        raw_table.rows.append([Cell(0, 0, 300, 0, []), Cell(300, 0, 600, 0, [])])
                    raw_cells.update(col=0 if kind == "strength" else 1, cont=0)
                    gap = 0
                    continue
                if raw_cells is not None:
                    if _AREA.match(ln) or _SCORE_HEAD.match(ln) or re.match(r"^Översikt av poäng", ln):
                        raw_cells, raw_table = None, None
                    else:
                        if ln.strip() in BULLETS:  # a bullet printed apart from its text (counted)
                            raw_cells["detached"] = raw_cells.get("detached", 0) + 1
                            gap = 0
                            continue
                        if raw_cells.get("cont") == 2 and gap:  # the next block: the right cell's rest
                            raw_cells.update(col=1, cont=0)
                        elif raw_cells.get("cont") == 1:
                            raw_cells["cont"] = 2
                        j = raw_cells["col"]
                        text_ = ln.strip()
                        cell_lines = raw_table.rows[-1][j].lines
                        if (raw_cells.get("detached") and not starts_with_bullet(text_)
                                and (text_[:1].isupper() or text_[:1].isdigit())
                                and not (cell_lines and cell_lines[-1].text.endswith("-"))):
                            # one of the bullets printed apart: an item starts at a capital after them
                            text_ = "• " + text_
                            raw_cells["detached"] -= 1
                        cell_lines.append(_line(pn, row, 0 if starts_with_bullet(text_) else 2, text_))
                        gap = 0
                        continue
            if gap or (pg.lines and re.search(r"[.!?:]$", pg.lines[-1].text)
                       and len(pg.lines[-1].text) < 0.8 * width):
                row += 1  # a paragraph break: blank line, or a short line ending a sentence
            gap = 0
            bold = bool(_AREA.match(ln)) or _looks_heading(ln, nxt) and (not pg.lines or pg.lines[-1].top < (row - 1) * LINE_H
                                                or re.search(r"[.!?:]$", pg.lines[-1].text) is not None)
            lead = len(ln) - len(ln.lstrip())
            pg.lines.append(_line(pn, row, lead, ln.strip(), bold=bold))
            if bold:
                row += 1
        open_table = table if (table is not None and layout) else None
    _align_pieces([t for pg in lay.pages for t in pg.tables])
    for pg in lay.pages:
        pg.tables = [t for t in pg.tables if t.rows]
        for t in pg.tables:
            for r in t.rows:
                for c in r:
                    c.lines.sort(key=lambda ln: (ln.top, ln.x0))
    return lay


@register_reader("pdftotext")
class PdfToTextReader:
    """``pdftotext`` output (with or without ``-layout``): form-fed pages of a report."""

    name = "pdftotext"

    def sniff(self, doc: SourceText) -> float:
        text = doc.text
        pages = text.count("\f")
        if pages < 2 or "\t" in text[:20000]:
            return 0.0
        areas = len(set(m.group(0).split()[1] for m in _AREA.finditer(text)))
        return 0.95 if areas >= 2 else 0.3

    def read(self, doc: SourceText) -> Report:
        from .pdf import report_from_layout

        lay = text_layout(doc.text, doc.path)
        if not is_layout_shape(doc.text):
            lay.diagnostics.append(Diagnostic("W122", MESSAGES["W122"]))
        report, read = report_from_layout(lay, doc.path, fmt=self.name, not_a_report="E003")
        # spans and pages point into the reading-order text: it becomes the document's text
        doc.text = read.text
        doc.__post_init__()
        return report
