"""A corpus of reports, with pandas DataFrames as the lingua franca.

>>> import kompasstext as kt
>>> corpus = kt.read_corpus("corpora/kommunkompassen")                    # doctest: +SKIP
>>> corpus.findings.pivot_table(index="municipality", columns="kind",
...                             values="text", aggfunc="count")            # doctest: +SKIP
"""
from __future__ import annotations

import os
import sys
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable, Iterator

import pandas as pd

from .errors import ParseWarning, ReportAccessError, ReportNotFoundError
from .model import FINDING_KEY, Report, report_id

PathLike = str | Path

#: columns of :attr:`Corpus.findings`, in order
FINDING_COLUMNS = ["report_id", "municipality", "year", "framework", "area", "area_title", "kind", "text",
                   "heading", "finding_index", "start", "end", "page", "source", "segmented", "boundary_confidence"]
#: columns of :attr:`Corpus.scores`
SCORE_COLUMNS = ["report_id", "municipality", "year", "framework", "area", "area_title", "area_score",
                 "subquestion", "subquestion_text", "achieved", "max", "percent", "percent_computed"]


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

    def __repr__(self) -> str:
        """Counts and names, never the reports' contents (one line, whatever the corpus' size).

        >>> Corpus([])
        Corpus(0 reports, 0 findings (0 strengths, 0 improvements); municipalities: -; frameworks: -; years: -)
        """
        from .display import shorten_names, span

        rs = self.reports
        n = sum(len(a.findings) for r in rs for a in r.areas)
        n_s = sum(len(a.strengths) for r in rs for a in r.areas)
        return (f"Corpus({len(rs)} reports, {n} findings ({n_s} strengths, {n - n_s} improvements); "
                f"municipalities: {shorten_names(sorted({r.municipality for r in rs if r.municipality}))}; "
                f"frameworks: {shorten_names(sorted({r.framework for r in rs if r.framework}))}; "
                f"years: {span(r.year for r in rs)})")

    def _repr_html_(self) -> str:
        """A notebook summary: one row per report (the first :data:`~kompasstext.display.MAX_ROWS`)."""
        from .display import html_table

        rows = [(report_id(r), r.municipality, r.year, r.framework, r.format, r.total_score, len(r.areas),
                 sum(len(a.strengths) for a in r.areas), sum(len(a.improvements) for a in r.areas),
                 len(r.diagnostics)) for r in self.reports]
        n = sum(row[7] + row[8] for row in rows)
        return html_table(["report_id", "municipality", "year", "framework", "format", "total score", "areas",
                           "strengths", "improvements", "diagnostics"], rows,
                          caption=f"Corpus: {len(rows)} reports, {n} findings")

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
                                     f.heading, i, f.start, f.end, f.page, r.source, f.segmented,
                                     f.boundary_confidence))
            df = pd.DataFrame(rows, columns=FINDING_COLUMNS)
            self._cache["findings"] = df.astype({"area": "int64", "finding_index": "int64"})
        # a copy: the frame is the same whatever ran before (links, a caller's edits of an earlier result)
        return self._cache["findings"].copy()

    #: columns :attr:`linked_findings` adds to :attr:`findings`
    LINK_COLUMNS = ["subquestion", "link_confidence", "link_probability", "link_uncertain", "subquestion_2", "achieved",
                    "max", "percent"]

    @property
    def links(self) -> pd.DataFrame:
        """Each finding's sub-question link (``kompasstext.links.link_findings``), computed on first access
        (it needs embeddings) and cached.  :attr:`findings` never changes because of it: the view with
        the link columns is :attr:`linked_findings`."""
        if "links" not in self._cache:
            from .links import link_findings

            self._cache["links"] = link_findings(self)
        return self._cache["links"]

    @property
    def linked_findings(self) -> pd.DataFrame:
        """:attr:`findings` plus :attr:`LINK_COLUMNS`, computing :attr:`links` if needed — what
        :class:`~kompasstext.themes.ThemeModel` fits on for its concept view."""
        if "linked_findings" not in self._cache:
            self._cache["linked_findings"] = self._with_links(self.findings)
        return self._cache["linked_findings"].copy()

    def _with_links(self, df: pd.DataFrame) -> pd.DataFrame:
        keys = FINDING_KEY
        lk = self.links[keys + self.LINK_COLUMNS]
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
        one row per mention: see :func:`kompasstext.exemplars.praise`."""
        if "praise" not in self._cache:
            from .exemplars.mining import praise

            self._cache["praise"] = praise(self)
        return self._cache["praise"]

    def review_segmentation(self, threshold: float = 0.7) -> pd.DataFrame:
        """The segmented findings whose boundaries are uncertain (``boundary_confidence < threshold``),
        least certain first, with the neighbouring items of the same list — what an analyst checks
        before correcting a split with :class:`kompasstext.segmentation.Overrides`.

        >>> corpus = read_corpus("corpora/kommunkompassen", warn=False)  # doctest: +SKIP
        >>> corpus.review_segmentation().columns[:4].tolist()             # doctest: +SKIP
        ['report_id', 'area', 'kind', 'finding_index']
        """
        df = self.findings
        cols = ["report_id", "area", "kind", "finding_index", "boundary_confidence", "previous", "text", "next",
                "start", "end", "source"]
        same = df.groupby(["report_id", "area", "kind"], sort=False)["text"]
        df = df.assign(previous=same.shift(1), next=same.shift(-1))
        conf = pd.to_numeric(df["boundary_confidence"], errors="coerce")
        out = df[df["segmented"].astype(bool) & (conf < threshold)]
        return out.sort_values(["boundary_confidence", "report_id", "area", "finding_index"])[cols].reset_index(
            drop=True)

    @property
    def diagnostics(self) -> pd.DataFrame:
        """Everything the readers skipped, repaired or doubted, one row per diagnostic."""
        rows = [(report_id(r), d.code, d.severity, d.area, d.line, d.start, d.end, d.message)
                for r in self.reports for d in r.diagnostics]
        return pd.DataFrame(rows, columns=["report_id", "code", "severity", "area", "line", "start", "end",
                                           "message"])


def iter_report_paths(paths: PathLike | Iterable[PathLike]) -> list[Path]:
    """Expand files and directories into a sorted list of report files (a directory contributes its
    ``*.txt`` and ``*.pdf`` files; a file named explicitly is taken whatever its suffix)."""
    if isinstance(paths, (str, Path)):
        paths = [paths]
    out: list[Path] = []
    for p in map(Path, paths):
        if _is_dir(p):
            try:
                entries = sorted(p.iterdir())
            except OSError as exc:
                raise ReportAccessError("E011" if isinstance(exc, PermissionError) else "E012", p,
                                        f"the folder cannot be listed: {exc.strerror or exc}") from None
            # every *.txt entry that is not a folder: FIFOs, broken links and unreadable files are
            # refused by read_report with a typed error (skipped with a warning under errors="warn")
            out.extend(q for q in entries if q.suffix.lower() in (".txt", ".pdf") and not _is_dir(q))
        elif os.path.lexists(p):
            out.append(p)
        else:
            raise ReportNotFoundError("E004", p)
    if not out:
        raise ReportNotFoundError("E005", ", ".join(map(str, paths)))
    return sorted(set(out))


def _is_dir(p: Path) -> bool:
    """``p`` is (or links to) a directory; ``False`` when it can't be examined (the reader says why)."""
    try:
        return p.is_dir()
    except OSError:
        return False


#: ``read_corpus(n_jobs=None)`` reads in worker processes from this many files on (below it, process
#: start-up costs more than it saves)
PARALLEL_MIN_FILES = 24


def _auto_jobs(n_files: int) -> int:
    """Worker processes for ``n_files`` files: one per available core, at least 12 files each."""
    try:
        cores = len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        cores = os.cpu_count() or 1
    if n_files < PARALLEL_MIN_FILES:
        return 1
    return max(1, min(cores, n_files // 12))


def _read_one(path: Path, warn: bool) -> tuple[list[Report] | None, tuple | None, list[tuple[type, str]]]:
    """Worker side of :func:`read_corpus`: (reports of the file, error fields, warnings issued) for one file.

    Errors and warnings travel as plain fields (``KompassError`` doesn't unpickle by itself) and are
    raised / re-issued by the parent in file order."""
    from .errors import KompassError
    from .readers import read_reports

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            reports = read_reports(path, warn=warn)
        except KompassError as exc:
            return None, (type(exc), exc.code, exc.path, exc.detail, exc.where), \
                [(w.category, str(w.message)) for w in caught]
    return reports, None, [(w.category, str(w.message)) for w in caught]


def _pool_context():
    """``fork`` (workers inherit the imported readers) unless torch is loaded (forking after OpenMP
    threads have run can hang the child); then ``forkserver``, else the platform default."""
    import multiprocessing as mp

    methods = mp.get_all_start_methods()
    if "fork" in methods and "torch" not in sys.modules:
        return mp.get_context("fork")
    if "forkserver" in methods:
        return mp.get_context("forkserver")
    return mp.get_context()


def read_corpus(paths: PathLike | Iterable[PathLike], *, warn: bool = True, errors: str = "raise",
                n_jobs: int | None = None) -> Corpus:
    """Read report files and/or directories into a :class:`Corpus`.

    ``errors="raise"`` stops at the first unreadable file; ``errors="warn"`` skips it with a
    :class:`~kompasstext.errors.ParseWarning` naming the file and the reason.  A file holding several
    concatenated reports gives one report each (see :func:`kompasstext.readers.read_reports`).

    ``n_jobs``: worker processes that read the files (``concurrent.futures.ProcessPoolExecutor``);
    ``None`` = one per core from :data:`PARALLEL_MIN_FILES` files on, else in this process; ``1`` = in
    this process; ``-1`` = one per core.  The result doesn't depend on it: reports, errors (the first
    unreadable file in path order) and warnings (re-issued in path order) are the same as serially.
    """
    from .errors import KompassError
    from .readers import read_reports

    if errors not in ("raise", "warn"):
        raise ValueError(f"errors must be 'raise' or 'warn', not {errors!r}")
    files = iter_report_paths(paths)
    jobs = _auto_jobs(len(files)) if n_jobs is None else (_auto_jobs(10 ** 9) if n_jobs == -1 else int(n_jobs))
    if jobs < 1:
        raise ValueError(f"n_jobs must be a positive int, -1 or None, not {n_jobs!r}")
    reports = []
    if jobs == 1 or len(files) < 2:
        for path in files:
            try:
                reports.extend(read_reports(path, warn=warn))
            except KompassError as exc:
                if errors == "raise":
                    raise
                warnings.warn(f"skipped {path}: {exc}", ParseWarning, stacklevel=2)
        return Corpus(reports)

    from concurrent.futures import ProcessPoolExecutor

    jobs = min(jobs, len(files))
    chunk = max(1, min(16, len(files) // (4 * jobs)))
    with ProcessPoolExecutor(max_workers=jobs, mp_context=_pool_context()) as pool:
        results = pool.map(_read_one, files, [warn] * len(files), chunksize=chunk)
        try:
            for path, (file_reports, err, caught) in zip(files, results):
                for category, message in caught:
                    warnings.warn(message, category, stacklevel=2)
                if err is not None:
                    cls, code, epath, detail, where = err
                    exc = cls(code, epath, detail, where=where)
                    if errors == "raise":
                        raise exc
                    warnings.warn(f"skipped {path}: {exc}", ParseWarning, stacklevel=2)
                    continue
                reports.extend(file_reports)
        except BaseException:
            pool.shutdown(wait=True, cancel_futures=True)
            raise
    return Corpus(reports)
