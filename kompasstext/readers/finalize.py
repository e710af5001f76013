"""Checks and derived fields common to every reader: framework revision, score validation, totals, pages."""
from __future__ import annotations

from ..errors import MESSAGES
from ..model import Diagnostic, Report
from .source import SourceText


def finalize(report: Report, doc: SourceText) -> Report:
    """Complete a freshly read report in place (and return it)."""
    from ..frameworks import assign_framework
    from .scores import check_scores

    report.text = doc.text
    report.source = report.source or doc.path
    report.encoding = doc.encoding
    report.areas.sort(key=lambda a: a.number)
    for area in report.areas:
        for f in area.findings:
            if f.page is None and f.start is not None:
                f.page = report.page_at(f.start)
        for p in area.passages:
            if p.page is None and p.start is not None:
                p.page = report.page_at(p.start)
    assign_framework(report)
    _titles_of_lost_headings(report)
    report.diagnostics.extend(check_scores(report))
    numbers = {a.number for a in report.areas}
    gaps = sorted(set(range(1, max(numbers, default=0))) - numbers)
    if gaps and not any(d.code == "W107" for d in report.diagnostics):
        report.diagnostics.append(Diagnostic(
            "W107", f"{MESSAGES['W107']}: area{'s' if len(gaps) > 1 else ''} {', '.join(map(str, gaps))} not found; "
            f"the areas read are {', '.join(map(str, sorted(numbers)))}"))
    stop = truncation_note(report, doc)
    if stop is not None:
        report.diagnostics.append(stop)
    if report.total_score is None:
        scores = [a.score for a in report.areas]
        if len(scores) == 8 and all(s is not None for s in scores):
            report.total_score = sum(scores)
            report.diagnostics.append(Diagnostic(
                "W108", f"total score not printed; derived as the sum of the area scores ({report.total_score})",
                severity="info"))
    return report


#: areas of a complete report (every framework revision has eight)
N_AREAS = 8


def truncation_note(report: Report, doc: SourceText) -> Diagnostic | None:
    """A W114 warning saying where the text stops, when the report seems cut (a W102 from the reader: no
    score overview, or score rows without numbers; or a W111 multi-byte character cut at the end): the
    line and character, the area or section it stops in, the areas not in the text, and the last words.

    >>> from kompasstext.model import Area
    >>> doc = SourceText.from_string("Område 1 Demokrati\\nStyrkor\\tFörbättringar\\nBra\\tMer dial")
    >>> r = Report("A", 2020, None, areas=[Area(1, "Demokrati", start=0, end=len(doc.text))],
    ...            diagnostics=[Diagnostic("W102", "no score overview")])
    >>> print(truncation_note(r, doc).message)
    the text stops early: at line 3, character 53, in area 1 (Demokrati), whose lists may be cut there; areas 2–8 are not in the text; it ends «Bra Mer dial»
    """
    cut_char = any(d.code == "W111" and "ends inside" in d.message for d in report.diagnostics)
    if not cut_char and not any(d.code == "W102" for d in report.diagnostics):
        return None
    text = doc.text
    n = len(text.rstrip())
    line = doc.line_of(max(0, n - 1))
    last = max(report.areas, key=lambda a: a.start or 0) if report.areas else None
    if last is not None and (last.end or 0) >= n:
        where = f"in area {last.number} ({last.title}), whose lists may be cut there"
    elif last is not None:
        where = "after the areas, in the score overview (areas without their table have a W104)"
    else:
        where = "before the first area"
    top = max((a.number for a in report.areas), default=0)
    missing = f"; areas {top + 1}–{N_AREAS} are not in the text" if top < N_AREAS - 1 else \
        f"; area {N_AREAS} is not in the text" if top == N_AREAS - 1 else ""
    tail = " ".join(text[max(text.rfind("\n", 0, n) + 1, n - 60):n].split())
    return Diagnostic("W114", f"{MESSAGES['W114']}: at line {line}, character {n}, {where}{missing}; it ends «{tail}»",
                      area=last.number if last is not None and (last.end or 0) >= n else None,
                      start=n, end=n, line=line)


#: the title a reader gives an area found without its heading (see ``readers.recover``)
LOST_TITLE = "(heading missing)"


def _titles_of_lost_headings(report: Report) -> None:
    """Areas whose heading was lost and whose title no score table gave: the framework catalog's title."""
    if report.framework is None or not any(a.title == LOST_TITLE for a in report.areas):
        return
    from ..frameworks import load

    catalog = {a["number"]: a["title"] for a in load(report.framework)["areas"]}
    for a in report.areas:
        if a.title == LOST_TITLE and a.number in catalog:
            a.title = catalog[a.number]
            report.diagnostics.append(Diagnostic("W107", f"area {a.number}: title taken from the framework "
                                                 f"{report.framework} catalog ({a.title})", severity="info",
                                                 area=a.number))


def finish(report: Report, doc: SourceText, *, warn: bool, path=None) -> Report:
    """:func:`finalize`, then (``warn``) every warning-level diagnostic issued as a ``ParseWarning``
    naming the file — the last step of every reader path."""
    import warnings

    from ..errors import ParseWarning

    finalize(report, doc)
    if warn:
        for d in report.diagnostics:
            if d.severity == "warning":
                warnings.warn(f"{path or doc.path}: {d}", ParseWarning, stacklevel=4)
    return report
