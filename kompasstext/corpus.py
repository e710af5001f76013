"""A corpus of reports, with pandas DataFrames as the lingua franca.

>>> import kompasstext as kt
>>> corpus = kt.read_corpus("corpora/kommunkompassen")                    # doctest: +SKIP
>>> corpus.findings.pivot_table(index="municipality", columns="kind",
...                             values="text", aggfunc="count")            # doctest: +SKIP
"""
from __future__ import annotations

import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable, Iterator

import pandas as pd

from .errors import ParseWarning, ReportNotFoundError
from .model import Report

PathLike = str | Path

#: columns of :attr:`Corpus.findings`, in order
FINDING_COLUMNS = ["report_id", "municipality", "year", "framework", "area", "area_title", "kind", "text",
                   "heading", "finding_index", "start", "end", "page", "source"]
#: columns of :attr:`Corpus.scores`
SCORE_COLUMNS = ["report_id", "municipality", "year", "framework", "area", "area_title", "area_score",
                 "subquestion", "subquestion_text", "achieved", "max", "percent", "percent_computed"]


def report_id(report: Report) -> str:
    """A stable key for a report: the source file's stem, else ``<municipality>_<year>``."""
    if report.source:
        return Path(report.source).stem
    return f"{report.municipality or 'unknown'}_{report.year or ''}"


@dataclass
class Corpus:
    """Reports plus tabular views of their findings and scores."""

    reports: list[Report] = field(default_factory=list)

    def __post_init__(self) -> None:
        # a canonical order: the same set of files gives the same corpus whatever order they came in
        self.reports = sorted(self.reports, key=lambda r: (report_id(r), r.year or 0))
        self._cache: dict[str, pd.DataFrame] = {}

    def __len__(self) -> int:
        return len(self.reports)

    def __iter__(self) -> Iterator[Report]:
        return iter(self.reports)

    def __getitem__(self, key: int | str) -> Report:
        if isinstance(key, int):
            return self.reports[key]
        for r in self.reports:
            if key in (report_id(r), r.municipality):
                return r
        raise KeyError(key)

    @property
    def findings(self) -> pd.DataFrame:
        """One row per finding (see :data:`FINDING_COLUMNS`)."""
        if "findings" not in self._cache:
            rows = []
            for r in self.reports:
                rid = report_id(r)
                for a in r.areas:
                    for i, f in enumerate(a.findings):
                        rows.append((rid, r.municipality, r.year, r.framework, a.number, a.title, f.kind, f.text,
                                     f.heading, i, f.start, f.end, f.page, r.source))
            df = pd.DataFrame(rows, columns=FINDING_COLUMNS)
            self._cache["findings"] = df.astype({"area": "int64", "finding_index": "int64"})
        if "links" in self._cache and "subquestion" not in self._cache["findings"].columns:
            self._cache["findings"] = self._with_links(self._cache["findings"])
        return self._cache["findings"]

    #: columns :attr:`links` adds to :attr:`findings`
    LINK_COLUMNS = ["subquestion", "link_confidence", "subquestion_2", "achieved", "max", "percent"]

    @property
    def links(self) -> pd.DataFrame:
        """Each finding's sub-question link (``kompasstext.links.link_findings``), computed on first access
        (it needs embeddings) and cached; from then on :attr:`findings` also carries
        :attr:`LINK_COLUMNS`."""
        if "links" not in self._cache:
            from .links import link_findings

            self._cache["links"] = link_findings(self)
        return self._cache["links"]

    @property
    def linked_findings(self) -> pd.DataFrame:
        """:attr:`findings` with the link columns (computes :attr:`links` if needed)."""
        self.links  # noqa: B018 - computes and caches
        return self.findings

    def _with_links(self, df: pd.DataFrame) -> pd.DataFrame:
        keys = ["report_id", "area", "kind", "finding_index"]
        lk = self._cache["links"][keys + self.LINK_COLUMNS]
        return df.merge(lk, on=keys, how="left", validate="one_to_one")

    @property
    def scores(self) -> pd.DataFrame:
        """One row per scored sub-question (see :data:`SCORE_COLUMNS`)."""
        if "scores" not in self._cache:
            rows = []
            for r in self.reports:
                rid = report_id(r)
                for a in r.areas:
                    for q in a.subquestions:
                        pc = round(100 * q.achieved / q.max, 1) if q.achieved is not None and q.max else None
                        rows.append((rid, r.municipality, r.year, r.framework, a.number, a.title, a.score, q.id,
                                     q.text, q.achieved, q.max, q.percent, pc))
            self._cache["scores"] = pd.DataFrame(rows, columns=SCORE_COLUMNS)
        return self._cache["scores"]

    @property
    def areas(self) -> pd.DataFrame:
        """One row per area: report keys, area number, title and score."""
        rows = [(report_id(r), r.municipality, r.year, r.framework, a.number, a.title, a.score,
                 len(a.strengths), len(a.improvements)) for r in self.reports for a in r.areas]
        return pd.DataFrame(rows, columns=["report_id", "municipality", "year", "framework", "area", "area_title",
                                           "score", "n_strengths", "n_improvements"])

    @property
    def praise(self) -> pd.DataFrame:
        """Where the evaluators hold something up as a good example ("Gott exempel.", "föredömligt", …),
        one row per mention: see :func:`kompasstext.examples.praise`."""
        if "praise" not in self._cache:
            from .examples.mining import praise

            self._cache["praise"] = praise(self)
        return self._cache["praise"]

    @property
    def diagnostics(self) -> pd.DataFrame:
        """Everything the readers skipped, repaired or doubted, one row per diagnostic."""
        rows = [(report_id(r), d.code, d.severity, d.area, d.line, d.start, d.end, d.message)
                for r in self.reports for d in r.diagnostics]
        return pd.DataFrame(rows, columns=["report_id", "code", "severity", "area", "line", "start", "end",
                                           "message"])


def iter_report_paths(paths: PathLike | Iterable[PathLike]) -> list[Path]:
    """Expand files and directories into a sorted list of report files (a directory contributes its
    ``*.txt`` files; a file named explicitly is taken whatever its suffix)."""
    if isinstance(paths, (str, Path)):
        paths = [paths]
    out: list[Path] = []
    for p in map(Path, paths):
        if p.is_dir():
            out.extend(sorted(q for q in p.iterdir() if q.suffix.lower() == ".txt" and q.is_file()))
        elif p.exists():
            out.append(p)
        else:
            raise ReportNotFoundError("E004", p)
    if not out:
        raise ReportNotFoundError("E005", ", ".join(map(str, paths)))
    return sorted(set(out))


def read_corpus(paths: PathLike | Iterable[PathLike], *, warn: bool = True, errors: str = "raise") -> Corpus:
    """Read report files and/or directories into a :class:`Corpus`.

    ``errors="raise"`` stops at the first unreadable file; ``errors="warn"`` skips it with a
    :class:`~kompasstext.errors.ParseWarning` naming the file and the reason.
    """
    from .errors import KompassError
    from .readers import read_report

    reports = []
    for path in iter_report_paths(paths):
        try:
            reports.append(read_report(path, warn=warn))
        except KompassError as exc:
            if errors == "raise":
                raise
            warnings.warn(f"skipped {path}: {exc}", ParseWarning, stacklevel=2)
    return Corpus(reports)
