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
from .scores import parse_score_tables
from .sections import area_spans, find_area_headings, find_rubric_box, find_score_section
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
