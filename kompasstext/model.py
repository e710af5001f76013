"""The typed model of a report: Report → Area → SubQuestion / Finding / Passage.

All offsets (``start``/``end``) are character offsets into the decoded text of the source file
(``Report.text``), so ``report.text[f.start:f.end]`` is the raw source of finding ``f`` (with its
bullets, tags and any page header that interrupted it).

>>> f = Finding(kind="strength", text="Chefskontrakt", area=4, start=10, end=23)
>>> f.to_dict()["text"]
'Chefskontrakt'
"""
from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Literal

#: the columns that identify a finding in every findings table (``Corpus.findings``, links, themes)
FINDING_KEY = ["report_id", "area", "kind", "finding_index"]

Kind = Literal["strength", "improvement"]
Framework = Literal["2010", "2015", "2020"]
Severity = Literal["info", "warning", "error"]


@dataclass
class Diagnostic:
    """Something a reader skipped, repaired or doubted.  ``code`` is a key of ``errors.MESSAGES``."""

    code: str
    message: str
    severity: Severity = "warning"
    area: int | None = None
    start: int | None = None
    end: int | None = None
    line: int | None = None

    def __str__(self) -> str:
        where = []
        if self.line is not None:
            where.append(f"line {self.line}")
        if self.area is not None:
            where.append(f"area {self.area}")
        loc = f" ({', '.join(where)})" if where else ""
        return f"[{self.code}]{loc} {self.message}"


@dataclass
class SubQuestion:
    """One scored sub-question row ("1.3 Informeras invånare om resultat? 7 of 25")."""

    id: str
    text: str
    achieved: int | None
    max: int | None
    percent: int | None = None
    start: int | None = None
    end: int | None = None

    def to_dict(self) -> dict:
        return {"id": self.id, "text": self.text, "achieved": self.achieved, "max": self.max,
                "percent": self.percent}


@dataclass
class Finding:
    """One strength or improvement item."""

    kind: Kind
    text: str
    area: int
    heading: str | None = None
    start: int | None = None
    end: int | None = None
    page: int | None = None
    #: True when the item boundaries were decided by the segmenter (a run-on list), not by delimiters
    segmented: bool = False
    #: for a segmented item: the probability that it is exactly one item (both boundaries hold, no
    #: boundary inside), from the segmenter's posterior; None when delimiters decided the boundaries
    boundary_confidence: float | None = None
    #: where the item starts on ``page`` in a PDF: (x0, top, x1, bottom) in points, origin top left
    bbox: tuple[float, float, float, float] | None = None

    def to_dict(self) -> dict:
        d = {"kind": self.kind, "text": self.text, "heading": self.heading,
             "span": [self.start, self.end], "page": self.page}
        if self.bbox is not None:
            d["bbox"] = list(self.bbox)
        if self.boundary_confidence is not None:
            d["boundary_confidence"] = self.boundary_confidence
        return d


@dataclass
class Passage:
    """A narrative paragraph of an area, with the subheading it sits under."""

    text: str
    heading: str | None = None
    start: int | None = None
    end: int | None = None
    page: int | None = None


@dataclass
class Area:
    number: int
    title: str
    score: int | None = None
    subquestions: list[SubQuestion] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    passages: list[Passage] = field(default_factory=list)
    rubrics: list[str] = field(default_factory=list)
    start: int | None = None
    end: int | None = None

    @property
    def strengths(self) -> list[Finding]:
        return [f for f in self.findings if f.kind == "strength"]

    @property
    def improvements(self) -> list[Finding]:
        return [f for f in self.findings if f.kind == "improvement"]

    def __repr__(self) -> str:
        return (f"Area({self.number}, {self.title!r}, score={self.score}, {len(self.subquestions)} sub-questions, "
                f"{len(self.strengths)} strengths, {len(self.improvements)} improvements)")

    def to_dict(self) -> dict:
        return {"number": self.number, "title": self.title, "score": self.score,
                "subquestions": [q.to_dict() for q in self.subquestions],
                "findings": [f.to_dict() for f in self.findings]}


@dataclass
class Report:
    """One evaluation report.  ``text`` is the decoded source text all spans point into."""

    municipality: str | None
    year: int | None
    framework: Framework | None
    evaluators: list[str] = field(default_factory=list)
    total_score: int | None = None
    areas: list[Area] = field(default_factory=list)
    source: str | None = None
    format: str | None = None
    encoding: str = "utf-8"
    diagnostics: list[Diagnostic] = field(default_factory=list)
    text: str = field(default="", repr=False)
    page_starts: list[int] = field(default_factory=list, repr=False)

    @property
    def findings(self) -> list[Finding]:
        return [f for a in self.areas for f in a.findings]

    def __repr__(self) -> str:
        """Counts, not contents: ``Report('Nacka', 2021, framework='2020', 8 areas, …)``."""
        from pathlib import Path

        f = self.findings
        n_s = sum(x.kind == "strength" for x in f)
        src = f", source={Path(self.source).name!r}" if self.source else ""
        return (f"Report({self.municipality!r}, {self.year}, framework={self.framework!r}, "
                f"total_score={self.total_score}, {len(self.areas)} areas, {len(f)} findings "
                f"({n_s} strengths, {len(f) - n_s} improvements), {len(self.diagnostics)} diagnostics{src})")

    def _repr_html_(self) -> str:
        """A notebook summary: one row per area."""
        from .display import html_table

        rows = [(a.number, a.title, a.score, len(a.subquestions), len(a.strengths), len(a.improvements))
                for a in self.areas]
        cap = (f"{self.municipality or '?'} {self.year or ''} · framework {self.framework or '?'} · total score "
               f"{self.total_score if self.total_score is not None else '?'} · {len(self.diagnostics)} diagnostics")
        return html_table(["area", "title", "score", "sub-questions", "strengths", "improvements"], rows,
                          caption=cap)

    def area(self, number: int) -> Area:
        for a in self.areas:
            if a.number == number:
                return a
        raise KeyError(f"{self.municipality} {self.year} has no area {number}")

    def page_at(self, offset: int) -> int | None:
        """1-based page of a character offset, where the source marks pages."""
        if not self.page_starts:
            return None
        import bisect

        return bisect.bisect_right(self.page_starts, offset) or None

    def to_dict(self) -> dict:
        """The gold schema (``SCHEMA.md``) plus ``source_file``, ``format`` and ``diagnostics``."""
        from pathlib import Path

        return {
            "source_file": Path(self.source).name if self.source else None,
            "municipality": self.municipality,
            "year": self.year,
            "framework": self.framework,
            "evaluators": list(self.evaluators),
            "total_score": self.total_score,
            "areas": [a.to_dict() for a in self.areas],
            "format": self.format,
            "encoding": self.encoding,
            "diagnostics": [asdict(d) for d in self.diagnostics],
        }


def report_id(report: Report) -> str:
    """A stable key for a report: the source file's stem, else ``<municipality>_<year>`` (the
    ``report_id`` column of every table; it lives here, in the data model, so every stage can use it).

    >>> report_id(Report("Nacka", 2021, "2020", source="corpora/kommunkompassen/nacka_2021.txt"))
    'nacka_2021'
    >>> report_id(Report("Nacka", 2021, "2020"))
    'Nacka_2021'
    """
    from pathlib import Path

    if report.source:
        return Path(report.source).stem
    return f"{report.municipality or 'unknown'}_{report.year or ''}"
