"""Reader "pdf": Kommunkompassen reports as published, read from the page layout.

The layout (:mod:`kompasstext.readers.pdflayout`: lines with font and position, ruled tables with cells)
is turned into paragraphs and tables in reading order, running headers/footers removed:

* two-column ``Styrkor | Förbättringsområden`` tables are read cell by cell, column by column; a bullet or
  a hanging indent (else a paragraph gap) starts an item, wrapped lines are joined and de-hyphenated, a
  table row or an item split over a page break is joined;
* where a cell holds one undivided text block (bullets and paragraph breaks lost) the segmenter splits it
  (:func:`kompasstext.segmentation.segment_spans`, W105 as for transcripts);
* bullets outside tables (2011 template: thematic subheadings, improvements in italics) are findings too;
* ``Rubriker | Poäng`` boxes, score tables and every other table are read from their cells.

The paragraphs and tables are written out as a clean reading-order text (``Report.text``; every span and
``Report.page_starts`` point into it), so metadata, area headings and score tables are read by the same
code as for the text shapes.  Every finding keeps its ``page`` and ``bbox`` (PDF points, top-left origin).

>>> r = read_pdf("tests/data/pdf/osthammar_2017.pdf", warn=False)
>>> r.municipality, r.format, len(r.findings), r.findings[0].page
('Östhammar', 'pdf', 91, 5)
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import MESSAGES, ReportFormatError
from ..model import Area, Diagnostic, Finding, Passage, Report
from .cleaning import collapse_ws
from .pdflayout import (Cell, Layout, Line, Table, body_pitch, join_lines, read_layout, starts_with_bullet,
                        strip_bullet)
from .source import SourceText
from .tables import header_kind

_SENT_END = re.compile(r"[.!?:;)”\"]$")
_PROSE_HEADINGS = re.compile(r"^(?:allmänt|inledning|bakgrund)$", re.I)


def is_pdf(path: str | Path) -> bool:
    """True for a ``.pdf`` name or a file starting with ``%PDF``."""
    p = Path(path)
    if p.suffix.lower() == ".pdf":
        return True
    try:
        if not p.is_file():  # never open a FIFO or device to sniff it (the text path refuses those)
            return False
        with open(p, "rb") as fh:
            return fh.read(5) == b"%PDF-"
    except OSError:
        return False


@dataclass
class _Para:
    lines: list[Line]
    heading: bool = False

    @property
    def bullet(self) -> bool:
        return starts_with_bullet(self.lines[0].text)

    def heading_like(self, body: float) -> bool:
        first = self.lines[0]
        return first.bold or first.size >= body + 1.0

    @property
    def italic(self) -> bool:
        return sum(ln.italic for ln in self.lines) * 2 > len(self.lines)


@dataclass
class _Item:
    """A list item assembled from layout lines (possibly over a page break)."""

    kind: str
    lines: list[Line] = field(default_factory=list)
    segmented: bool = False
    text: str = ""
    heading: str | None = None
    start: int = 0
    end: int = 0


@dataclass
class _Emitted:
    text: str
    page_starts: list[int]
    items: list[_Item]
    headings: set[int]            # start offsets of heading paragraphs
    skip: list[tuple[int, int]]   # list spans (not narrative)
    flow_bullets: list[tuple[_Item, _Para]]
    diagnostics: list[Diagnostic]


class _Writer:
    """Writes paragraphs and tables in reading order into one text, remembering where everything went."""

    def __init__(self, lay: Layout):
        self.lay = lay
        self.size, self.pitch = body_pitch(lay)
        self.table_pitch = _pitch([c.lines for t in lay.tables for r in t.rows for c in r], self.pitch)
        self.vocab = _vocabulary(lay)
        self.parts: list[str] = []
        self.pos = 0
        self.out = _Emitted("", [], [], set(), [], [], [])

    def write(self, s: str) -> int:
        start = self.pos
        self.parts.append(s)
        self.pos += len(s)
        return start

    def join(self, lines: list[Line]) -> str:
        return join_lines(lines, self.vocab)

    def mark(self, page: int) -> None:
        """Pages up to ``page`` start here (called before an element of ``page`` is written)."""
        while len(self.out.page_starts) < page:
            self.out.page_starts.append(self.pos)

    # -- elements ---------------------------------------------------------------------------------------
    def run(self) -> _Emitted:
        elements = _elements(self.lay)
        _link_continued_tables(elements)
        paras: list[_Para] = []
        for kind, _page, obj in elements:
            if kind == "line":
                if paras and self._continues(paras[-1], paras[-1].lines[-1], obj):
                    paras[-1].lines.append(obj)
                else:
                    self._flush(paras)
                    paras.append(_Para([obj]))
                continue
            self._flush(paras)
            self._table(obj)
        self._flush(paras)
        self.mark(self.lay.n_pages)
        self.out.text = "".join(self.parts)
        return self.out

    def _continues(self, para: _Para, prev: Line, ln: Line) -> bool:
        if abs(prev.size - ln.size) > 0.6 or prev.bold != ln.bold or starts_with_bullet(ln.text):
            return False
        if para.heading_like(self.size):
            return ln.page == prev.page and 0 < ln.baseline - prev.baseline <= ln.size * 1.6
        if ln.page != prev.page:  # over a page break: only an unfinished sentence continues
            return not _SENT_END.search(prev.text.rstrip()) and (ln.text[:1].islower() or para.bullet)
        gap = ln.baseline - prev.baseline
        if gap <= 0 or gap > self.pitch + 0.3 * ln.size:
            return False
        if para.bullet:  # hanging indent: continuation lines are indented past the bullet
            return ln.x0 > para.lines[0].x0 + 3
        return ln.x0 < prev.x0 + 3 * ln.size

    def _flush(self, paras: list[_Para]) -> None:
        for p in paras:
            self._para(p)
        paras.clear()

    def _para(self, p: _Para) -> None:
        self.mark(p.lines[0].page)
        text = self.join(p.lines)
        words = len(text.split())
        p.heading = (not p.bullet and len(p.lines) <= 2 and words <= 16 and p.heading_like(self.size)
                     and not re.search(r"[.!?;,]$", text))
        if p.heading:
            start = self.write(text.rstrip(":").rstrip() + "\n\n")
            self.out.headings.add(start)
            return
        if p.bullet:
            item = _Item("strength", p.lines, text=strip_bullet(text))
            item.start = self.write("• ") + 2
            self.write(item.text)
            item.end = self.pos
            self.write("\n\n")
            self.out.flow_bullets.append((item, p))
            return
        self.write(text + "\n\n")

    # -- tables -----------------------------------------------------------------------------------------
    def _table(self, t: Table) -> None:
        self.mark(t.page)
        cont = t.continues
        rows = t.rows
        if cont is not None and cont.role == "list":
            t.role, t.state = "list", cont.state  # one state (kinds, columns) for the whole table
            if rows and _header_kinds(rows[0]) == t.state["kinds"]:  # a repeated header row
                rows = rows[1:]
            self._list_rows(t, rows, continued=True)
            return
        kinds = _header_kinds(rows[0]) if rows else None
        if kinds:
            t.role = "list"
            t.state.update(kinds=kinds, columns=[[] for _ in kinds])
            t.state["start"] = self.write("\t".join("Styrkor" if k == "strength" else "Förbättringsområden"
                                                    for k in kinds) + "\n")
            self._list_rows(t, rows[1:], continued=False)
            return
        t.role = "other"
        first = [collapse_ws(c.text) for c in rows[0]] if rows else []
        if len(first) == 2 and first[0].casefold().startswith("rubrik") and first[1].casefold().startswith("poäng"):
            self.write("Rubriker\tPoäng\n")
            for row in rows[1:]:
                rub = " ".join("• " + it for it in self._cell_items(row[0]))
                score = collapse_ws(self.join(row[1].lines)) if len(row) > 1 else ""
                self.write(f"{rub}\t{score}\n")
            self.write("\n")
            return
        acc = cont.state.get("rows", []) if cont is not None else []
        for i, row in enumerate(rows):
            cells = [c.lines for c in row]
            if i == 0 and acc and _rest_of_row(acc[-1], cells):
                acc[-1] = [a + b for a, b in zip(acc[-1], cells)]  # a row split over the page break
            else:
                acc.append(cells)
        t.state["rows"] = acc
        if t.continued_by is not None:
            return
        for cells in acc:
            self.write("\t".join(collapse_ws(self.join(c)) for c in cells) + "\n")
        self.write("\n")

    def _cell_items(self, cell: Cell) -> list[str]:
        items: list[list[Line]] = []
        for ln in cell.lines:
            if starts_with_bullet(ln.text) or not items:
                items.append([ln])
            else:
                items[-1].append(ln)
        return [strip_bullet(self.join(ls)) for ls in items]

    def _list_rows(self, t: Table, rows: list[list[Cell]], continued: bool) -> None:
        for r_i, row in enumerate(rows):
            for col, cell in enumerate(row[:len(t.state["kinds"])]):
                if cell.lines:
                    self._split_cell(cell, t.state["kinds"][col], t.state["columns"][col],
                                     continued=continued and r_i == 0)
        if t.continued_by is not None:
            return  # the rest of the table is on the next page: write the items there
        for items in t.state["columns"]:
            for it in items:
                if not it.segmented:
                    it.text = strip_bullet(self.join(it.lines))
                if not it.text:
                    self.out.diagnostics.append(Diagnostic("W109", "empty list item skipped", severity="info"))
                    continue
                it.start = self.write("• ") + 2
                self.write(it.text)
                it.end = self.pos
                self.write("\n")
                self.out.items.append(it)
        self.write("\n")
        self.out.skip.append((t.state["start"], self.pos))

    def _split_cell(self, cell: Cell, kind: str, column: list[_Item], continued: bool) -> None:
        """Split one cell into items appended to ``column``; a cell continued from the previous page may
        first extend the column's last item."""
        lines = cell.lines
        seen = [ln for it in column for ln in it.lines] if continued else []
        every = seen + lines
        bulleted = any(starts_with_bullet(ln.text) for ln in every)
        base = min(ln.x0 for ln in every)
        hanging = not bulleted and any(ln.x0 > base + 4 for ln in every)
        gaps = [b.baseline - a.baseline for a, b in zip(lines, lines[1:])]
        gap_limit = self.table_pitch + 0.25 * self.size
        spaced = any(g > gap_limit for g in gaps)
        if not (bulleted or hanging or spaced or continued) and len(lines) > 2:
            column.append(_Item(kind, list(lines), segmented=True, text=self.join(lines)))
            return
        for i, ln in enumerate(lines):
            if bulleted:
                new = starts_with_bullet(ln.text)
            elif hanging:
                new = ln.x0 <= base + 4
            elif i > 0:
                new = gaps[i - 1] > gap_limit
            else:
                new = bool(_SENT_END.search(column[-1].lines[-1].text)) if column else True
            if i == 0 and not continued:
                new = True
            if new or not column:
                column.append(_Item(kind, [ln]))
            else:
                column[-1].lines.append(ln)


def _rest_of_row(prev: list[list[Line]], cells: list[list[Line]]) -> bool:
    """True if the row opening a continued table is the rest of the previous piece's last row (a row split
    over the page break): same cells, the first empty, and no number where the previous row has one
    (a total row after a page break is a row of its own)."""
    if len(prev) != len(cells) or cells[0]:
        return False
    num = re.compile(r"^\d[\d\s%,.]*$")
    for a, b in zip(prev, cells):
        if b and (not a or num.match(" ".join(ln.text for ln in b)) and num.match(" ".join(ln.text for ln in a))):
            return False
    return True


def _pitch(seqs: list[list[Line]], default: float) -> float:
    from collections import Counter

    c: Counter = Counter()
    for seq in seqs:
        for a, b in zip(seq, seq[1:]):
            if abs(a.size - b.size) < 0.2 and b.baseline > a.baseline and a.page == b.page:
                c[round(b.baseline - a.baseline, 1)] += 1
    return c.most_common(1)[0][0] if c else default


def _vocabulary(lay: Layout) -> set[str]:
    words: set[str] = set()
    for pg in lay.pages:
        seqs = [pg.lines] + [c.lines for t in pg.tables for r in t.rows for c in r]
        for seq in seqs:
            for ln in seq:
                toks = ln.text.split()
                words.update(re.sub(r"^\W+|\W+$", "", w).lower() for w in toks[:-1])
    return words


def _header_kinds(row: list[Cell]) -> list[str] | None:
    if len(row) != 2:
        return None
    kinds = [header_kind(collapse_ws(c.text)) for c in row]
    if None in kinds or kinds[0] == kinds[1]:
        return None
    return kinds  # type: ignore[return-value]


def _elements(lay: Layout) -> list[tuple[str, int, object]]:
    """("line" | "table", page, object) in reading order: per page top to bottom."""
    out = []
    for pg in lay.pages:
        els = [(ln.top, "line", ln) for ln in pg.lines] + [(t.top, "table", t) for t in pg.tables]
        els.sort(key=lambda e: (e[0], 0 if e[1] == "table" else 1))
        out.extend((k, pg.number, o) for _, k, o in els)
    return out


def _link_continued_tables(elements: list[tuple[str, int, object]]) -> None:
    """Mark a table that opens a page and has the columns of the table that closed the previous page
    as its continuation (a table row split over a page break)."""
    for i, (kind, page, obj) in enumerate(elements):
        if kind != "table" or i == 0:
            continue
        first_on_page = elements[i - 1][1] != page
        pk, ppage, prev = elements[i - 1]
        if first_on_page and pk == "table" and ppage == page - 1:
            same = len(prev.col_edges) == len(obj.col_edges) and all(
                abs(a - b) < 3 for a, b in zip(prev.col_edges, obj.col_edges))
            if same:
                obj.continues = prev
                prev.continued_by = obj


# ---- the report -----------------------------------------------------------------------------------------
def layout_text(path: str | Path) -> tuple[Layout, _Emitted]:
    """The layout of the PDF and its reading-order text (with item and heading positions)."""
    lay = read_layout(path)
    _check_text(lay)
    return lay, _Writer(lay).run()


def _check_text(lay: Layout) -> None:
    """E021 for a PDF without a text layer (scanned: OCR is needed); W121 for such pages among others."""
    empty = [pg.number for pg in lay.pages if pg.n_chars == 0]
    if len(empty) == len(lay.pages):
        images = sum(pg.n_images for pg in lay.pages)
        detail = MESSAGES["E021"] + (f" ({images} image(s), no text on {len(empty)} page(s))" if images
                                     else f" (no text on {len(empty)} page(s))")
        raise ReportFormatError("E021", lay.path, detail)
    from .pdflayout import _ranges

    scanned = [n for n in empty if lay.pages[n - 1].n_images]
    if scanned:
        lay.diagnostics.append(Diagnostic("W121", MESSAGES["W121"] + f": page(s) {_ranges(scanned)}"))
    blank = [n for n in empty if not lay.pages[n - 1].n_images]
    if blank:
        lay.diagnostics.append(Diagnostic("W120", MESSAGES["W120"] + f": page(s) {_ranges(blank)} have no "
                                          "readable content"))


def read_pdf(path: str | Path, *, warn: bool = True) -> Report:
    """Read a Kommunkompassen report PDF (see the module docstring).  Bad PDFs raise
    :class:`~kompasstext.errors.ReportFormatError` naming the file: E020 encrypted, E021 no text layer
    (OCR needed), E022 corrupt, E023 no pages, E024 not a Kommunkompassen report."""
    from .finalize import finish

    lay = read_layout(path)
    _check_text(lay)
    report, doc = report_from_layout(lay, str(path))
    return finish(report, doc, warn=warn, path=path)


def report_from_layout(lay: Layout, path: str, *, fmt: str = "pdf", not_a_report: str = "E024"
                       ) -> tuple[Report, SourceText]:
    """The report of a page layout and the reading-order text its spans point into (not finalized)."""
    from .assemble import assemble_report
    from .sections import blocks, passages_from_blocks

    em = _Writer(lay).run()
    doc = SourceText(text=em.text, path=path)
    report_diags: list[Diagnostic] = []

    def read_body(doc: SourceText, area: Area, start: int, end: int, skip: list[tuple[int, int]]):
        findings: list[Finding] = []
        diags: list[Diagnostic] = []
        table_items = [it for it in em.items if start <= it.start < end]
        for it in table_items:
            if it.segmented:
                findings.extend(_segmented(doc.text, it, area.number, diags))
            else:
                findings.append(_finding(it, area.number))
        flow = [(it, p) for it, p in em.flow_bullets if start <= it.start < end]
        skips = list(skip) + [s for s in em.skip if start <= s[0] < end]
        if flow and not table_items:
            found = _flow_findings(doc.text, flow, area.number, start, em.headings, diags)
            findings.extend(found)
            if found and not lay.fonts and not any(d.code == "W123" for d in report_diags):
                report_diags.append(Diagnostic("W123", MESSAGES["W123"], area=area.number))
            skips += [(it.start - 2, it.end + 1) for it, _ in flow if it.kind]
        findings.sort(key=lambda f: (f.kind != "strength", f.start or 0))
        heads = em.headings
        passages: list[Passage] = passages_from_blocks(
            doc.text, blocks(doc.text, start, end, skips),
            heading_of=lambda b: b.start in heads)
        return findings, passages, diags

    report = assemble_report(doc, fmt, read_body)
    report.page_starts = em.page_starts
    report.diagnostics[:0] = lay.diagnostics + em.diagnostics + report_diags
    what = "PDF" if fmt == "pdf" else "text"
    if not report.areas:
        raise ReportFormatError(not_a_report, path, MESSAGES[not_a_report] + f" (no 'Område N' area headings in the {what})")
    if not report.findings:
        raise ReportFormatError(not_a_report, path,
                                MESSAGES[not_a_report] + f" (no Styrkor/Förbättringsområden lists in the {what})")
    return report, doc


def _finding(it: _Item, area: int) -> Finding:
    first = it.lines[0]
    return Finding(kind=it.kind, text=it.text, area=area, heading=it.heading, start=it.start, end=it.end,
                   page=first.page, segmented=it.segmented, bbox=_bbox([ln for ln in it.lines if ln.page == first.page]))


def _segmented(text: str, it: _Item, area: int, diags: list[Diagnostic]) -> list[Finding]:
    """A cell that is one undivided text block, split by the segmenter (boundaries are its guess: W105)."""
    from ..segmentation import segment_spans

    out = []
    for s, e in segment_spans(text, it.start, it.end):
        t = collapse_ws(text[s:e])
        if t:
            f = _finding(it, area)
            f.text, f.start, f.end, f.segmented = t, s, e, True
            out.append(f)
    diags.append(Diagnostic("W105", f"area {area}: {it.kind} cell on page {it.lines[0].page} has no bullets, "
                            f"indents or paragraph breaks; split into {len(out)} items by the segmenter",
                            severity="info", area=area, start=it.start, end=it.end))
    return out


def _bbox(lines: list[Line]) -> tuple[float, float, float, float]:
    return (round(min(ln.x0 for ln in lines), 1), round(min(ln.top for ln in lines), 1),
            round(max(ln.x1 for ln in lines), 1), round(max(ln.bottom for ln in lines), 1))


def _flow_findings(text: str, flow, area: int, start: int, headings: set[int], diags: list[Diagnostic]
                   ) -> list[Finding]:
    """Bullets outside tables: under "Styrkor"/"Förbättrings..." headings of that kind, else italic items
    are improvements (the 2011 template); the nearest other subheading is ``Finding.heading``."""
    heads = sorted(h for h in headings if h >= start)
    out = []
    for it, para in flow:
        prior = [h for h in heads if h < it.start]
        heading, override = None, None
        for h in prior:
            t = text[h:text.index("\n", h)]
            k = header_kind(t)
            if k is not None:
                override = k
            elif not re.match(r"^Område\s+\d", t):
                heading, override = t, None
        if heading is not None and _PROSE_HEADINGS.match(heading) and override is None:
            it.kind = ""
            continue
        it.kind = override or ("improvement" if para.italic else "strength")
        it.heading = heading
        out.append(_finding(it, area))
    return out
