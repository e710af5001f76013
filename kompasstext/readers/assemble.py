"""Assembling a :class:`Report` from a line-based source: metadata, area headings, Rubriker box, score
tables — shared by the ``htmltable``, ``markdown`` and ``tabtable`` readers, which only supply how the
body of an area is read (findings and passages).

>>> from kompasstext.readers.source import SourceText
>>> doc = SourceText.from_string("Område 1 Demokrati\\n\\nRubriker\\tPoäng\\n• Etik\\t50\\n\\nText här.\\n")
>>> r = assemble_report(doc, "example", lambda doc, area, s, e, skip: ([], [], []))
>>> r.areas[0].title, r.areas[0].score, r.areas[0].rubrics
('Demokrati', 50, ['Etik'])
"""
from __future__ import annotations

from typing import Callable

from ..errors import MESSAGES
from ..model import Area, Diagnostic, Finding, Passage, Report
from .metadata import extract_metadata
from .finalize import LOST_TITLE, N_AREAS
from .scores import parse_score_tables, score_table_titles
from .sections import (AreaHeading, area_spans, find_area_headings, find_rubric_box, find_score_section,
                       rubric_box_starts)
from .source import SourceText

#: read_body(doc, area, start, end, skip_spans) -> (findings, passages, diagnostics)
BodyReader = Callable[[SourceText, Area, int, int, list[tuple[int, int]]],
                      tuple[list[Finding], list[Passage], list[Diagnostic]]]


def assemble_report(doc: SourceText, fmt: str, read_body: BodyReader) -> Report:
    """Read every area of ``doc`` with ``read_body`` and fill in metadata, rubrics, scores and score tables."""
    text = doc.text
    diags: list[Diagnostic] = []
    md = extract_metadata(text)
    diags.extend(md.diagnostics)
    duplicates: list = []
    headings = find_area_headings(text, diagnostics=diags, duplicates=duplicates)
    report = Report(municipality=md.municipality, year=md.year, framework=None, evaluators=md.evaluators,
                    total_score=md.total_score, source=doc.path, format=fmt, encoding=doc.encoding,
                    diagnostics=diags)
    score_start = find_score_section(text, headings[-1].end if headings else 0)
    rows, totals, sdiags = parse_score_tables(text, score_start, len(text)) if score_start is not None \
        else ({}, {}, [])
    diags.extend(sdiags)
    stops = sorted(duplicates, key=lambda d: d.start)
    headings = recover_lost_headings(doc, headings, stops, score_start, diags)
    for d in stops:
        later = [h.start for h in [*headings, *stops] if h.start > d.start]
        stop = min(later, default=score_start if score_start is not None and score_start > d.start else len(text))
        diags.append(Diagnostic(
            "W113", f"{MESSAGES['W113']}: a second 'Område {d.number} {d.title}' (lines {doc.line_of(d.start)}–"
            f"{doc.line_of(max(d.start, stop - 1))}) is not read; area {d.number} is read from its first section",
            area=d.number, start=d.start, end=stop, line=doc.line_of(d.start)))
    for h, (s, e) in zip(headings, area_spans(text, headings, stops=stops)):
        area = Area(number=h.number, title=h.title, start=s, end=e)
        skip = [(h.start, h.end + 1)]
        box = find_rubric_box(text, h.end, e)
        if box is not None:
            area.rubrics, area.score = box.rubrics, box.score
            skip.append((box.start, box.end + 1))
        total = totals.get(h.number)
        if area.score is None and total is not None:
            area.score = total[0]
            diags.append(Diagnostic("W109", f"area {h.number}: no score in the Rubriker box; taken from the "
                                    "score table's total row", severity="info", area=h.number))
        elif area.score is not None and total is not None and total[0] != area.score:
            diags.append(Diagnostic("W103", f"area {h.number}: the Rubriker box says {area.score}, the score "
                                    f"table's total row {total[0]}", area=h.number))
        if area.score is None:
            diags.append(Diagnostic("W108", f"area {h.number}: no area score found", area=h.number,
                                    start=h.start, end=h.end, line=doc.line_of(h.start)))
        area.subquestions = rows.get(h.number, [])
        findings, passages, bdiags = read_body(doc, area, h.end, e, skip)
        area.findings, area.passages = findings, passages
        diags.extend(bdiags)
        report.areas.append(area)
    if score_start is None and headings:
        diags.append(Diagnostic("W102", MESSAGES["W102"] + ": no 'Översikt av poängfördelning' section"))
    return report


def recover_lost_headings(doc: SourceText, headings: list[AreaHeading], stops: list[AreaHeading],
                          score_start: int | None, diags: list[Diagnostic]) -> list[AreaHeading]:
    """Areas whose "Område N" heading is gone: every area has one Rubriker box right after its heading, so
    a second box inside an area's span starts the next area (numbered after it, when that number is
    missing and fits before the next heading); its title comes from the score tables.  W107 for each.

    >>> doc = SourceText.from_string("Område 1 Demokrati\\nRubriker\\tPoäng\\n• Etik\\t50\\nText.\\n"
    ...                              "Rubriker\\tPoäng\\n• Service\\t60\\nMer text.\\n")
    >>> diags = []
    >>> hs = recover_lost_headings(doc, find_area_headings(doc.text), [], None, diags)
    >>> [(h.number, h.title, doc.line_of(h.start)) for h in hs], [d.code for d in diags]
    ([(1, 'Demokrati', 1), (2, '(heading missing)', 5)], ['W107'])
    """
    if not headings:
        return headings
    text = doc.text
    end = score_start if score_start is not None else len(text)
    boxes = rubric_box_starts(text, headings[0].start, end)
    if len(boxes) <= len(headings):
        return headings
    titles = score_table_titles(text, score_start) if score_start is not None else {}
    known = {h.number for h in headings}
    out = list(headings)
    for i, (h, (s, e)) in enumerate(zip(headings, area_spans(text, headings, end, stops=stops))):
        limit = headings[i + 1].number if i + 1 < len(headings) else N_AREAS + 1
        num = h.number
        for b in [b for b in boxes if s < b < e][1:]:
            num += 1
            if num in known or num >= limit:
                break
            ls = text.rfind("\n", 0, b) + 1
            title = titles.get(num, LOST_TITLE)
            out.append(AreaHeading(num, title, ls, ls))
            known.add(num)
            diags.append(Diagnostic(
                "W107", f"{MESSAGES['W107']}: no 'Område {num}' heading, but a Rubriker box at line "
                f"{doc.line_of(b)} starts an area after area {num - 1}: read as area {num}"
                + (f" ({title}, title from the score table)" if num in titles else ""),
                area=num, start=ls, end=b, line=doc.line_of(b)))
    out.sort(key=lambda h: h.start)
    # "area heading N follows M; areas missing" is void once the areas in between were found
    follows = {b.number: a.number for a, b in zip(out, out[1:])}
    diags[:] = [d for d in diags if not (d.code == "W107" and d.message.endswith("missing")
                                         and d.area in follows and follows[d.area] == d.area - 1)]
    return out
