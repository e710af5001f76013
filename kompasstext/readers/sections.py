"""Structure shared by every line-based report shape: area headings, the Rubriker/Poäng box, the score
section, subheadings and narrative passages.

All functions work on ``(text, start, end)`` ranges and return absolute character offsets into ``text``.

>>> text = "Område 1 Offentlighet och demokrati\\n\\nRubriker\\tPoäng\\n<ul>• Etik• Dialog\\t67\\n"
>>> [(h.number, h.title) for h in find_area_headings(text)]
[(1, 'Offentlighet och demokrati')]
>>> box = find_rubric_box(text, 0, len(text))
>>> box.rubrics, box.score
(['Etik', 'Dialog'], 67)
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Iterator

from ..model import Diagnostic, Passage
from .cleaning import BULLET_CHARS, clean_item, collapse_ws, strip_emphasis, strip_tags

# "Område 3 Politisk styrning och kontroll", optionally as a markdown heading or in bold.
_AREA_HEADING = re.compile(
    r"^[ \t]*(?:#{1,6}[ \t]*)?(?:\*\*|__)?[ \t]*Område[ \t]+(\d{1,2})[ \t]*[:.\-–]?[ \t]+(?P<title>[^\n\t]+?)"
    r"[ \t]*(?:\*\*|__)?[ \t]*$", re.M | re.I)
_TOC_DOTS = re.compile(r"\.{3,}|…")
# "4. Översikt av poängfördelning" (not the table-of-contents line, which has tabs)
_SCORE_SECTION = re.compile(
    r"^[ \t]*(?:#{1,6}[ \t]*)?(?:<b>)?(?:\d{1,2}\.?[ \t]*)?(?:</b>)?[ \t]*(?:<b>|\*\*)?"
    r"Översikt[ \t]+av[ \t]+poäng[^\n\t]*$", re.M | re.I)
_MD_HEADING = re.compile(r"^[ \t]{0,3}(#{1,6})[ \t]+(.*?)[ \t#]*$")
_BOLD_PARA = re.compile(r"^[ \t]*(\*\*|__)(?=\S)([^*_\n]{1,120}?)(?<=\S)\1[ \t]*$")
_NUMBERED_SECTION = re.compile(r"^[ \t]*(?:#{1,6}[ \t]*)(\d{1,2})\.?[ \t]+[A-ZÅÄÖ][^\n\t]{2,100}$", re.M)
_RUBRIC_HEADER = re.compile(r"^[ \t]*(?:<[^>]+>|\*\*)*[ \t]*Rubriker(?:<[^>]+>|\*\*)*[ \t]*\t[ \t]*"
                            r"(?:<[^>]+>|\*\*)*[ \t]*Poäng(?:<[^>]+>|\*\*)*[ \t]*$", re.M | re.I)
_SCORE_CELL = re.compile(r"^\s*(\d{1,3})\s*$")
_RUBRIC_SPLIT = re.compile(rf"[{BULLET_CHARS}]|<li\b[^>]*>|</li>")


@dataclass
class AreaHeading:
    """An "Område N Title" heading; ``start``/``end`` span the heading line."""

    number: int
    title: str
    start: int
    end: int


@dataclass
class RubricBox:
    """The "Rubriker / Poäng" box of an area: its rubric list and the area score."""

    rubrics: list[str]
    score: int | None
    start: int
    end: int


@dataclass
class Line:
    start: int
    end: int
    text: str

    @property
    def blank(self) -> bool:
        return not self.text.strip()


@dataclass
class Block:
    """A paragraph: consecutive non-blank lines."""

    lines: list[Line] = field(default_factory=list)

    @property
    def start(self) -> int:
        return self.lines[0].start

    @property
    def end(self) -> int:
        return self.lines[-1].end


def iter_lines(text: str, start: int = 0, end: int | None = None) -> Iterator[Line]:
    """Lines of ``text[start:end]`` with absolute offsets (``end`` excludes the newline)."""
    end = len(text) if end is None else end
    pos = start
    while pos < end:
        nl = text.find("\n", pos, end)
        e = end if nl < 0 else nl
        yield Line(pos, e, text[pos:e])
        pos = e + 1


def clean_title(raw: str) -> str:
    """Heading text without markdown/HTML markup, trailing TOC dots and surrounding whitespace."""
    t = collapse_ws(strip_emphasis(strip_tags(raw)))
    t = re.sub(r"^#+\s*", "", t)
    return t.rstrip(" .:").strip()


def find_area_heading_candidates(text: str, start: int = 0, end: int | None = None) -> list[AreaHeading]:
    """Every "Område N Title" line in document order, whatever its number, skipping table-of-contents
    lines (tabs, dot leaders) and titles that are only a number."""
    end = len(text) if end is None else end
    out: list[AreaHeading] = []
    for m in _AREA_HEADING.finditer(text, start, end):
        line = m.group(0)
        if "\t" in line or _TOC_DOTS.search(line):
            continue
        title = clean_title(m.group("title"))
        if not title or re.search(r"\d+$", title) and len(title.split()) <= 1:
            continue
        out.append(AreaHeading(int(m.group(1)), title, m.start(), m.end()))
    return out


def find_area_headings(text: str, start: int = 0, end: int | None = None,
                       diagnostics: list[Diagnostic] | None = None,
                       duplicates: list[AreaHeading] | None = None) -> list[AreaHeading]:
    """The "Område N Title" headings on lines of their own, in document order, skipping table-of-contents
    lines (tabs, dot leaders).  An area out of order is read (W107); a second heading for an area already
    found is left out — collected in ``duplicates`` when given (the caller skips its section), else
    skipped with W107.

    >>> dups = []
    >>> hs = find_area_headings("Område 1 A\\nx\\nOmråde 2 B\\ny\\nOmråde 2 B\\ny\\nOmråde 3 C\\n", duplicates=dups)
    >>> [h.number for h in hs], [(d.number, d.start) for d in dups]
    ([1, 2, 3], [(2, 26)])
    """
    out: list[AreaHeading] = []
    for h in find_area_heading_candidates(text, start, end):
        n = h.number
        if any(o.number == n for o in out):
            if duplicates is not None:
                duplicates.append(h)
            elif diagnostics is not None:
                diagnostics.append(Diagnostic("W107", f"heading 'Område {n}' after area {out[-1].number} skipped",
                                              area=n, start=h.start, end=h.end))
            continue
        if diagnostics is not None and n != (out[-1].number + 1 if out else 1):
            prev = out[-1].number if out else 0
            gap = ", ".join(str(k) for k in range(prev + 1, n) if not any(o.number == k for o in out))
            what = "out of order; read as area {n}" if n < prev else f"area{'s' if ',' in gap else ''} {gap} missing"
            diagnostics.append(Diagnostic("W107", f"area heading {n} follows "
                                          f"{out[-1].number if out else 'the start'}; {what.format(n=n)}",
                                          area=n, start=h.start, end=h.end))
        out.append(h)
    return out


def find_score_section(text: str, start: int = 0, end: int | None = None) -> int | None:
    """Offset of the "Översikt av poängfördelning" section heading (not its table-of-contents line)."""
    end = len(text) if end is None else end
    for m in _SCORE_SECTION.finditer(text, start, end):
        if not _TOC_DOTS.search(m.group(0)):
            return m.start()
    return None


def area_spans(text: str, headings: list[AreaHeading], end: int | None = None,
               stops: list[AreaHeading] = ()) -> list[tuple[int, int]]:
    """``(start, end)`` of each area: from its heading to the next one (or to the next of ``stops``, the
    duplicate headings whose sections are skipped); the last area ends at the score section, else at the
    next numbered markdown section heading, else at ``end``."""
    end = len(text) if end is None else end
    spans = []
    for i, h in enumerate(headings):
        cut = min((d.start for d in stops if d.start > h.start), default=None)
        if i + 1 < len(headings):
            nxt = headings[i + 1].start
            spans.append((h.start, min(nxt, cut) if cut is not None else nxt))
            continue
        if cut is not None:
            spans.append((h.start, cut))
            continue
        stop = find_score_section(text, h.end, end)
        if stop is None:
            m = _NUMBERED_SECTION.search(text, h.end, end)
            stop = m.start() if m else end
        spans.append((h.start, stop))
    return spans


def find_rubric_box(text: str, start: int, end: int) -> RubricBox | None:
    """The first ``Rubriker<TAB>Poäng`` box in the range: the next non-blank line holds the rubric list
    (``•`` items or ``<li>``) and, after a tab, the score (plain or ``<h1 ...>75</h1>``)."""
    m = _RUBRIC_HEADER.search(text, start, end)
    if not m:
        return None
    for line in iter_lines(text, m.end() + 1, end):
        if line.blank:
            continue
        left, _, right = line.text.rpartition("\t")
        if not _:
            left, right = line.text, ""
        score_m = _SCORE_CELL.match(strip_tags(right))
        score = int(score_m.group(1)) if score_m else None
        if score is None:  # the number may end the line without a tab
            tail = re.search(r"(\d{1,3})\s*(?:</\w+>\s*)*$", strip_tags(line.text))
            if tail and not _:
                score = int(tail.group(1))
                left = line.text[:line.text.rfind(tail.group(1))]
        rubrics = [clean_item(p) for p in _RUBRIC_SPLIT.split(left)]
        rubrics = [r for r in rubrics if r]
        return RubricBox(rubrics, score, m.start(), line.end)
    return RubricBox([], None, m.start(), m.end())


def rubric_box_starts(text: str, start: int = 0, end: int | None = None) -> list[int]:
    """Offsets of every ``Rubriker<TAB>Poäng`` box header in the range."""
    return [m.start() for m in _RUBRIC_HEADER.finditer(text, start, len(text) if end is None else end)]


def blocks(text: str, start: int, end: int, skip: list[tuple[int, int]] = ()) -> list[Block]:
    """Paragraphs (runs of non-blank lines) in the range, leaving out lines inside the ``skip`` spans."""
    out: list[Block] = []
    cur = Block()
    for line in iter_lines(text, start, end):
        skipped = any(s <= line.start < e for s, e in skip)
        if line.blank or skipped:
            if cur.lines:
                out.append(cur)
                cur = Block()
            continue
        cur.lines.append(line)
    if cur.lines:
        out.append(cur)
    return out


def md_heading_text(line: str) -> str | None:
    """The text of a markdown heading line (``### **Title**``) or of a bold-only line, else ``None``."""
    m = _MD_HEADING.match(line)
    if m:
        return clean_title(m.group(2)) or None
    m = _BOLD_PARA.match(line)
    if m:
        return clean_title(m.group(2)) or None
    return None


def is_plain_subheading(block: Block) -> bool:
    """A one-line paragraph that reads as a subheading in plain (non-markdown) text: short, capitalised,
    no final punctuation, no tabs or markup of a list."""
    if len(block.lines) != 1:
        return False
    t = block.lines[0].text.strip()
    if md_heading_text(t):
        return True
    if "\t" in t or "<" in t or not t or len(t) > 90 or len(t.split()) > 12:
        return False
    if not (t[0].isupper() or t[0].isdigit()) or t[0] in BULLET_CHARS or t.startswith(("- ", "* ", "+ ")):
        return False
    return not re.search(r"[.,:;!]$", t)


def passages_from_blocks(text: str, blks: list[Block], heading: str | None = None,
                         heading_of=is_plain_subheading) -> list[Passage]:
    """Narrative passages with the subheading they sit under.  A paragraph starting in lower case
    continues the previous passage (a paragraph cut by a page break) and is joined to it."""
    out: list[Passage] = []
    for b in blks:
        raw = text[b.start:b.end]
        if heading_of(b):
            heading = md_heading_text(raw.strip()) or clean_title(raw)
            continue
        clean = collapse_ws(strip_emphasis(strip_tags(raw)))
        if not clean:
            continue
        if out and clean[0].islower() and out[-1].heading == heading:
            out[-1].text = f"{out[-1].text} {clean}"
            out[-1].end = b.end
            continue
        out.append(Passage(text=clean, heading=heading, start=b.start, end=b.end))
    return out
