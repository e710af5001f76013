"""Checks and derived fields common to every reader: framework revision, score validation, totals, pages."""
from __future__ import annotations

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
    report.diagnostics.extend(check_scores(report))
    if report.total_score is None:
        scores = [a.score for a in report.areas]
        if len(scores) == 8 and all(s is not None for s in scores):
            report.total_score = sum(scores)
            report.diagnostics.append(Diagnostic(
                "W108", f"total score not printed; derived as the sum of the area scores ({report.total_score})",
                severity="info"))
    return report
