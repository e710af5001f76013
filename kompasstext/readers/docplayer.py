"""Reader for docplayer-style transcripts: one PDF page per line, lists flattened without bullets.

Structure used (no report-specific strings): an optional transcript marker line (``Transkript:``)
after which the pages start; a page header repeated at the start of the page lines (found as the most
common ``<prefix> N (M)`` pattern, whatever its words); inline area headings ``Område N <title> Rubriker
… Poäng NN``; list headings (``Styrkor`` / ``Förbättringsmöjligheter`` and variants, any case) that open
run-on lists, which the segmenter splits into items; and the score overview section.
"""
from __future__ import annotations

import re
from collections import Counter

from ..errors import MESSAGES
from ..lang.sv import heading_kind, list_heading_pattern
from ..model import Area, Diagnostic, Finding, Passage, Report
from ..segmentation import segment_excerpt
from ..segmentation.features import blank_spans
from .base import register_reader
from .cleaning import collapse_ws
from .excerpt import Excerpt
from .recover import recover_inline_headings
from .source import SourceText

_TRANSCRIPT = re.compile(r"^[ \t]*Transkript(?:ion)?:?[ \t]*$", re.M | re.I)
_AREA = re.compile(r"(?<![\w.])Område\s+(?P<num>[1-9])\s+(?P<title>[^\n]{3,120}?)\s+Rubriker\b")
# templates without a rubric box: the title runs up to the score or the first section word
_AREA_LOOSE = re.compile(r"(?<![\w.])Område\s+(?P<num>[1-9])\s+(?P<title>[A-ZÅÄÖ][^\n.]{2,100}?)"
                         r"\s+(?=Poäng\b|Allmänt\b|Sammanfattning\b|Inledning\b)")
_POINTS = re.compile(r"\bPoäng\s*:?\s*(?P<score>\d{1,3})\b")
_SCORE_SECTION = re.compile(r"(?<![\w])(?:\d\.?\s+)?Översikt\s+av\s+poängfördelning(?!\s*\.{2,})", re.I)
_PAGE_NO = re.compile(r"^(?P<prefix>.{0,160}?)(?<!\d)(?P<page>\d{1,3})\s?\(\s?(?P<of>\d{1,3})\s?\)\s", re.M)
_SENT_END = re.compile(r"[.!?:)”\"]\s*$")
#: segmented items below this boundary confidence get a W130 diagnostic (out of sample, items above it
#: are exact far more often than items below it: see benchmarks/README.md)
UNCERTAIN_BOUNDARY = 0.7
_SENTENCE = re.compile(r"[^.!?]+(?:[.!?]+(?=\s+[A-ZÅÄÖ0-9])|[.!?]*$)")


@register_reader("docplayer")
class DocplayerReader:
    """Reads transcripts whose lines are whole PDF pages."""

    name = "docplayer"

    def sniff(self, doc: SourceText) -> float:
        lines = [t for _, _, t in doc.lines() if t.strip()]
        if not lines:
            return 0.0
        long_chars = sum(len(t) for t in lines if len(t) > 800)
        share = long_chars / max(1, sum(len(t) for t in lines))
        has_areas = any(len({m.group("num") for m in rx.finditer(doc.text)}) >= 2 for rx in (_AREA, _AREA_LOOSE)) \
            or _AREA.search(doc.text) is not None  # one area with its Rubriker box: a transcript cut short
        tabs = doc.text.count("\t") / max(1, len(lines))
        score = share * (1.0 if has_areas else 0.3) * (0.3 if tabs > 0.5 else 1.0)
        return round(score, 3)

    def read(self, doc: SourceText) -> Report:
        from .metadata import extract_metadata
        from .scores import parse_score_tables

        text = doc.text
        m = _TRANSCRIPT.search(text)
        body = m.end() if m else 0
        diags: list[Diagnostic] = []
        page_starts = [s for s, e, t in doc.lines() if s >= body and t.strip()]
        header = _page_header(doc, page_starts)

        meta = extract_metadata(text, body)
        diags.extend(meta.diagnostics)
        score_sec = _SCORE_SECTION.search(text, body)
        area_end_limit = score_sec.start() if score_sec else len(text)
        heads, repeats = _area_headings_and_repeats(text, body, area_end_limit)
        heads = recover_inline_headings(text, heads, area_end_limit, score_sec.start() if score_sec else None, diags)
        stops = sorted([h.start() for h in heads] + [r.start() for r in repeats])
        for r in repeats:  # a second section of an area already read: said and skipped
            stop = next((x for x in stops if x > r.start()), area_end_limit)
            diags.append(Diagnostic(
                "W113", f"{MESSAGES['W113']}: a second 'Område {r.group('num')} {collapse_ws(r.group('title'))}' "
                f"(lines {doc.line_of(r.start())}–{doc.line_of(max(r.start(), stop - 1))}) is not read; area "
                f"{r.group('num')} is read from its first section", area=int(r.group("num")), start=r.start(),
                end=stop, line=doc.line_of(r.start())))
        areas, blocks = [], []
        for i, h in enumerate(heads):
            end = next((x for x in stops if x > h.start()), area_end_limit)
            area, area_blocks = self._read_area(doc, h, end, header, diags)
            areas.append(area)
            blocks += [(area, kind, ex) for kind, ex in area_blocks]
        # the prose (lists blanked) is the segmenter's evidence of names and collocations
        prose = blank_spans(text, [(s, e) for _, _, ex in blocks for _, s, e in ex.pieces])
        for area, kind, ex in blocks:
            self._add_items(doc, area, kind, ex, prose, diags)
        for area in areas:
            # strengths first, then improvements, each in document order
            area.findings.sort(key=lambda f: (f.kind != "strength", f.start or 0))
        if heads and not score_sec:
            diags.append(Diagnostic("W102", "no score overview section: the transcript seems truncated",
                                    line=doc.line_of(len(text) - 1)))
        report = Report(municipality=meta.municipality, year=meta.year, framework=None,
                        evaluators=meta.evaluators, total_score=meta.total_score, areas=areas,
                        source=doc.path, format=self.name, diagnostics=diags, page_starts=page_starts)
        if score_sec:
            tables, totals, sdiags = parse_score_tables(text, score_sec.start(), len(text))
            diags.extend(sdiags)
            for a in areas:
                a.subquestions = tables.get(a.number, [])
                if a.score is None and a.number in totals:
                    a.score = totals[a.number][0]
        return report

    # -- one area ---------------------------------------------------------------------------------
    def _read_area(self, doc: SourceText, head: re.Match, end: int, header: re.Pattern | None,
                   diags: list[Diagnostic]) -> tuple[Area, list[tuple[str, Excerpt]]]:
        """The area with its score, rubrics and narrative, and its list blocks (kind, excerpt)."""
        text = doc.text
        num = int(head.group("num"))
        title = collapse_ws(head.group("title"))
        area = Area(number=num, title=title, start=head.start(), end=end)
        # the rubric box: "Rubriker <rubrics> Poäng NN" or "Rubriker Poäng <rubrics> NN"
        box = text[head.end():min(end, head.end() + 1500)]
        pm = _POINTS.search(box)
        narrative_start = head.end()
        if pm:
            area.score = int(pm.group("score"))
            narrative_start = head.end() + pm.end()
        else:
            pm2 = re.match(r"\s*Poäng\s+(?P<rub>.{3,600}?)\s(?P<score>\d{1,3})\s+(?=[A-ZÅÄÖ])", box)
            if pm2:
                area.score = int(pm2.group("score"))
                area.rubrics = _split_rubrics(pm2.group("rub"))
                narrative_start = head.end() + pm2.end()
            else:
                diags.append(Diagnostic("W108", f"no 'Poäng' score for area {num}", area=num,
                                        line=doc.line_of(head.start())))
        if pm and not area.rubrics:
            area.rubrics = _split_rubrics(box[:pm.start()])
        markers = _list_markers(text, narrative_start, end)
        list_start = markers[0].start() if markers else end
        area.passages = _passages(doc, narrative_start, list_start, header)
        if not markers:
            diags.append(Diagnostic("W109", f"area {num} has no Styrkor/Förbättrings list", area=num,
                                    line=doc.line_of(head.start())))
        blocks = []
        for j, mk in enumerate(markers):
            b_end = markers[j + 1].start() if j + 1 < len(markers) else end
            blocks.append((heading_kind(mk.group("word")), Excerpt.from_pieces(text, _strip_headers(doc, mk.end(), b_end, header))))
        return area, blocks

    @staticmethod
    def _add_items(doc: SourceText, area: Area, kind: str, ex: Excerpt, prose: str, diags: list[Diagnostic]) -> None:
        for s, e, conf in segment_excerpt(ex, context=prose, with_confidence=True):
            ss, se = ex.to_source(s, e)
            item = collapse_ws(ex.text[s:e])
            if not item:
                continue
            area.findings.append(Finding(kind=kind, text=item, area=area.number, start=ss, end=se, segmented=True,
                                         boundary_confidence=conf))
            if conf < UNCERTAIN_BOUNDARY:
                diags.append(Diagnostic("W130", f"uncertain item boundaries in area {area.number} (confidence "
                                        f"{conf:.2f}): «{_clip(item)}»", area=area.number, start=ss, end=se,
                                        line=doc.line_of(ss)))
            if len(item.split()) > 45:
                diags.append(Diagnostic("W105", f"unusually long item in area {area.number} ({len(item.split())} "
                                        "words): it may include narrative", area=area.number, start=ss, end=se,
                                        line=doc.line_of(ss)))


def _clip(text: str, n: int = 90) -> str:
    return text if len(text) <= n else text[: n - 1] + "…"


def _area_headings(text: str, start: int, end: int) -> list[re.Match]:
    """The body's area headings, one per number, in order (table-of-contents entries are skipped:
    they have no ``Rubriker`` box after them)."""
    return _area_headings_and_repeats(text, start, end)[0]


def _area_headings_and_repeats(text: str, start: int, end: int) -> tuple[list[re.Match], list[re.Match]]:
    """:func:`_area_headings`, and the later headings of a number already seen (a duplicated section)."""
    found: dict[int, re.Match] = {}
    repeats: list[re.Match] = []
    for rx in (_AREA, _AREA_LOOSE):
        repeats = []
        for m in rx.finditer(text, start, end):
            num = int(m.group("num"))
            if num in found and found[num].re is rx:
                repeats.append(m)
            found.setdefault(num, m)
        if len(found) >= 2:
            break
    heads = sorted(found.values(), key=lambda m: m.start())
    return heads, repeats


def _page_header(doc: SourceText, page_starts: list[int]) -> re.Pattern | None:
    """The running page header, learned from the page lines (most common prefix before ``N (M)``)."""
    shapes: Counter = Counter()
    for s in page_starts:
        m = _PAGE_NO.match(doc.text, s)
        if m:
            shapes[re.sub(r"\d+", r"\\d+", re.escape(m.group("prefix")))] += 1
    if not shapes:
        return None
    shape, n = shapes.most_common(1)[0]
    if n < 2:
        return None
    return re.compile(shape + r"(?<!\d)\d{1,3}\s?\(\s?\d{1,3}\s?\)\s*")


def _strip_headers(doc: SourceText, start: int, end: int, header: re.Pattern | None) -> list[tuple[int, int]]:
    """Pieces of ``[start, end)`` without line breaks and page headers."""
    pieces: list[tuple[int, int]] = []
    pos = start
    text = doc.text
    for m in re.finditer(r"\n+", text[start:end]):
        pieces.append((pos, start + m.start()))
        pos = start + m.end()
        if header:
            hm = header.match(text, pos, end)
            if hm:
                pos = hm.end()
    pieces.append((pos, end))
    out = []
    for s, e in pieces:
        while s < e and text[s].isspace():
            s += 1
        while e > s and text[e - 1].isspace():
            e -= 1
        if e > s:
            out.append((s, e))
    return out


def _list_markers(text: str, start: int, end: int) -> list[re.Match]:
    """List headings inside an area: a heading word that stands after a sentence or block end and is
    followed by an item (a capital letter or digit); the first must be a strengths or improvements
    heading after the narrative."""
    out = []
    for m in list_heading_pattern().finditer(text, start, end):
        before = text[max(start, m.start() - 3):m.start()]
        after = text[m.end():m.end() + 3]
        if not re.match(r"\s+[A-ZÅÄÖ0-9\"”“•]", after):
            continue
        if m.start() > start and not (_SENT_END.search(before) or before.strip() == "" or "\n" in before):
            # inside running prose ("... styrkor och ...") unless the previous list block ends here
            if not out:
                continue
        word = m.group("word")
        if out and word[0].islower():
            continue
        out.append(m)
    # the lists are the last heading of each kind; earlier matches are mentions in the prose
    last: dict[str | None, int] = {}
    for i, m in enumerate(out):
        last[heading_kind(m.group("word"))] = i
    return out[min(last.values()):] if last else []


def _split_rubrics(box: str) -> list[str]:
    """Split a flattened rubric list at capitalised words (rubrics start with a capital)."""
    box = collapse_ws(box.replace("Poäng", " "))
    parts = re.split(r"\s(?=[A-ZÅÄÖ])", box)
    return [p.strip() for p in parts if p.strip()]


def _passages(doc: SourceText, start: int, end: int, header: re.Pattern | None) -> list[Passage]:
    """Narrative sentences of an area (docplayer has no paragraph breaks; a passage is a sentence)."""
    out = []
    for s, e in _strip_headers(doc, start, end, header):
        for m in _SENTENCE.finditer(doc.text, s, e):
            t = collapse_ws(m.group(0))
            if len(t.split()) >= 3:
                out.append(Passage(text=t, heading=None, start=m.start(), end=m.end()))
    return out
