"""What the two table-shaped readers (``htmltable``, ``tabtable``) share: reading an area body (list
tables → findings, the rest → passages) and the structural features their sniffers score.

>>> from kompasstext.readers.source import SourceText
>>> f = structure_features(SourceText.from_string("Område 1 X\\nStyrkor\\tFörbättringsområden\\n<p>A</p>\\t<p>B</p>\\n"))
>>> f.area_headings, f.table_headers, f.p_rows, f.bullet_rows
(1, 1, 1, 0)
"""
from __future__ import annotations

import re
from dataclasses import dataclass, replace

from ..model import Area, Diagnostic, Finding, Passage
from .sections import blocks, find_area_headings, passages_from_blocks
from .source import SourceText
from .tables import _BULLET, _P, find_list_tables, read_list_tables


def read_table_body(doc: SourceText, area: Area, start: int, end: int, skip: list[tuple[int, int]]
                    ) -> tuple[list[Finding], list[Passage], list[Diagnostic]]:
    """Findings from the area's list tables; every other paragraph is a passage under its subheading."""
    findings, tables, diags = read_list_tables(doc.text, start, end, area.number, line_of=doc.line_of)
    skip = list(skip) + [(t.start, t.end + 1) for t in tables]
    passages = passages_from_blocks(doc.text, blocks(doc.text, start, end, skip))
    return findings, passages, diags


@dataclass
class Features:
    """Counts of the structures that tell the source shapes apart."""

    lines: int = 0
    longest_line: int = 0
    tab_lines: int = 0
    area_headings: int = 0
    table_headers: int = 0
    bullet_rows: int = 0
    p_rows: int = 0
    plain_rows: int = 0
    md_headings: int = 0
    md_bullets: int = 0
    italic_bullets: int = 0
    transcript_marker: bool = False


_MD_HEADING = re.compile(r"^#{1,6}\s+\S", re.M)
_MD_BULLET = re.compile(r"^[ \t]{0,3}[-*+][ \t]+(.*)$", re.M)
_ITALIC_WHOLE = re.compile(r"^(\*|_)(?![*_\s])(?:(?!\1).)+(?<!\s)\1[ \t]*$")


def structure_features(doc: SourceText) -> Features:
    """The :class:`Features` of ``doc`` (computed once per document and text: every sniffer asks)."""
    cached = doc.__dict__.get("_structure_features")
    if cached is not None and cached[0] is doc.text:
        return replace(cached[1])
    f = _structure_features(doc.text)
    doc.__dict__["_structure_features"] = (doc.text, f)
    return replace(f)


def _structure_features(text: str) -> Features:
    f = Features()
    lines = text.split("\n")
    f.lines = len(lines)
    f.longest_line = max((len(x) for x in lines), default=0)
    f.tab_lines = sum(1 for x in lines if "\t" in x)
    f.area_headings = len(find_area_headings(text))
    for t in find_list_tables(text, 0, len(text)):
        f.table_headers += 1
        for row in t.rows:
            cells = " ".join(text[c.start:c.end] for c in row)
            if _BULLET.search(cells):
                f.bullet_rows += 1
            elif _P.search(cells):
                f.p_rows += 1
            else:
                f.plain_rows += 1
    f.md_headings = len(_MD_HEADING.findall(text))
    for m in _MD_BULLET.finditer(text):
        f.md_bullets += 1
        if _ITALIC_WHOLE.match(m.group(1).strip()):
            f.italic_bullets += 1
    f.transcript_marker = bool(re.search(r"^\s*Transkript:\s*$", text, re.M))
    return f


def looks_like_transcript(f: Features) -> bool:
    """One very long line per PDF page, no tabs: a docplayer transcript (another reader's shape)."""
    return f.transcript_marker or (f.longest_line > 1500 and f.tab_lines == 0)


def is_whole_italic(item: str) -> bool:
    """True if a list item's whole text is one ``*...*``/``_..._`` emphasis (an improvement in the 2011
    markdown reports)."""
    t = item.strip()
    if t.startswith("***") and t.endswith("***"):
        t = t[2:-2]
    elif t.startswith("**") and t.endswith("**") and not t.startswith("***"):
        return False
    return bool(_ITALIC_WHOLE.match(t))
