"""Reader "markdown": 2011-style markdown conversions.  Areas are delimited by "Område N Title" headings
(of any ``#`` level); every other heading inside an area — or a bold-only paragraph such as
``**Hållbar utveckling**`` — is a thematic subheading that becomes ``Finding.heading``.  ``- `` bullets
whose whole text is italic are improvements, other bullets strengths.  "Allmänt" sections are prose;
the Rubriker boxes are not findings.

>>> from kompasstext.readers.source import SourceText
>>> doc = SourceText.from_string("## Område 1 Demokrati\\n\\n### Information\\n\\n- Bra webb.\\n- *Följ upp.*\\n")
>>> [(f.kind, f.heading, f.text) for f in MarkdownReader().read(doc).areas[0].findings]
[('strength', 'Information', 'Bra webb.'), ('improvement', 'Information', 'Följ upp.')]
"""
from __future__ import annotations

import re

from ..model import Area, Diagnostic, Finding, Kind, Passage, Report
from .assemble import assemble_report
from .base import register_reader
from .cleaning import clean_item
from .sections import Block, blocks, iter_lines, md_heading_text, passages_from_blocks
from .source import SourceText
from .tables import header_kind, read_list_tables
from .tabular import is_whole_italic, looks_like_transcript, structure_features

_BULLET = re.compile(r"^[ \t]{0,3}[-*+][ \t]+(?=\S)")
#: subheadings whose section is prose only
_PROSE_HEADINGS = re.compile(r"^(?:allmänt|inledning|bakgrund)$", re.I)


def _bullet_spans(text: str, start: int, end: int, skip: list[tuple[int, int]]) -> list[tuple[int, int, int]]:
    """``(line_start, content_start, end)`` of each bullet item; continuation lines (indented or lazily
    following the item without a blank line) belong to it."""
    out: list[list[int]] = []
    open_item = False
    for line in iter_lines(text, start, end):
        if any(s <= line.start < e for s, e in skip) or line.blank:
            open_item = False
            continue
        m = _BULLET.match(line.text)
        if m:
            out.append([line.start, line.start + m.end(), line.end])
            open_item = True
        elif open_item and not md_heading_text(line.text) and "\t" not in line.text:
            out[-1][2] = line.end
        else:
            open_item = False
    return [tuple(x) for x in out]  # type: ignore[misc]


def read_markdown_body(doc: SourceText, area: Area, start: int, end: int, skip: list[tuple[int, int]]
                       ) -> tuple[list[Finding], list[Passage], list[Diagnostic]]:
    text = doc.text
    findings, tables, diags = read_list_tables(text, start, end, area.number, line_of=doc.line_of)
    skip = list(skip) + [(t.start, t.end + 1) for t in tables]
    items = _bullet_spans(text, start, end, skip)
    item_starts = {s for s, _, _ in items}
    heading: str | None = None
    kind_override: Kind | None = None
    bullets_iter = iter(items)
    pending = next(bullets_iter, None)
    prose_blocks: list[tuple[Block, str | None]] = []
    for b in blocks(text, start, end, skip):
        # a block may hold headings, bullets and prose lines; walk it line by line
        para: list = []
        for line in b.lines:
            h = md_heading_text(line.text) if len(b.lines) == 1 or _is_md_heading(line.text) else None
            if h is not None:
                if para:
                    prose_blocks.append((Block(para), heading))
                    para = []
                kind = header_kind(h)
                if kind is not None:  # "Styrkor" / "Förbättringsområden" as headings
                    kind_override = kind
                else:
                    heading, kind_override = h, None
                continue
            if pending is not None and line.start == pending[0]:
                if para:
                    prose_blocks.append((Block(para), heading))
                    para = []
                ls, cs, ie = pending
                raw = text[cs:ie]
                if heading is not None and _PROSE_HEADINGS.match(heading) and kind_override is None:
                    diags.append(Diagnostic("W105", f"bullet under '{heading}' read as prose, not as a finding "
                                            "(is a 'Styrkor' / 'Förbättringsområden' heading missing?)",
                                            area=area.number, start=ls, end=ie, line=doc.line_of(ls)))
                    prose_blocks.append((Block([_line(text, ls, ie)]), heading))
                else:
                    kind = kind_override or ("improvement" if is_whole_italic(" ".join(raw.split())) else "strength")
                    t = clean_item(raw)
                    if t:
                        findings.append(Finding(kind=kind, text=t, area=area.number, heading=heading,
                                                start=ls, end=ie))
                    else:
                        diags.append(Diagnostic("W109", "empty bullet skipped", severity="info",
                                                area=area.number, start=ls, end=ie, line=doc.line_of(ls)))
                pending = next(bullets_iter, None)
                continue
            if line.start in item_starts or any(ls < line.start <= ie for ls, _, ie in items):
                continue  # continuation line of a bullet
            para.append(line)
        if para:
            prose_blocks.append((Block(para), heading))
    passages: list[Passage] = []
    for blk, head in prose_blocks:
        passages.extend(passages_from_blocks(text, [blk], heading=head, heading_of=lambda _b: False))
    return findings, _merge_split(passages), diags


def _is_md_heading(line: str) -> bool:
    return bool(re.match(r"^[ \t]{0,3}#{1,6}[ \t]+\S", line))


def _line(text: str, s: int, e: int):
    from .sections import Line
    return Line(s, e, text[s:e])


def _merge_split(passages: list[Passage]) -> list[Passage]:
    """Join a passage starting in lower case to the previous one under the same heading (page breaks)."""
    out: list[Passage] = []
    for p in passages:
        if out and p.text[:1].islower() and out[-1].heading == p.heading:
            out[-1].text = f"{out[-1].text} {p.text}"
            out[-1].end = p.end
        else:
            out.append(p)
    return out


@register_reader("markdown")
class MarkdownReader:
    """``#`` headings, "Område N" areas, thematic subheadings, plain/italic bullets."""

    name = "markdown"

    def sniff(self, doc: SourceText) -> float:
        f = structure_features(doc)
        if looks_like_transcript(f) or not f.md_headings:
            return 0.0
        score = 0.3
        if f.area_headings:
            score += 0.3
        if f.md_bullets:
            score += 0.1
        if f.italic_bullets:
            score += 0.25
        if f.table_headers:  # list tables: a table reader's shape
            score -= 0.3
        return round(max(0.0, min(score, 0.95)), 3)

    def read(self, doc: SourceText) -> Report:
        return assemble_report(doc, self.name, read_markdown_body)
