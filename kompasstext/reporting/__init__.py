"""The theme report: one self-contained HTML page (and optionally an Excel workbook) from a corpus.

>>> import kompasstext as kt
>>> kt.report("corpora/kommunkompassen", out="themes.html", xlsx="themes.xlsx")   # doctest: +SKIP
PosixPath('themes.html')

Modules: :mod:`.pipeline` computes the tables (:class:`ReportData`), :mod:`.page` renders them through the
Jinja2 templates in ``templates/`` (autoescaped) with the inline SVG charts of :mod:`.svg`, :mod:`.xlsx`
exports them; the words of both are in ``kompasstext/lang/<lang>/report.json`` (:mod:`.strings`):
Swedish by default, ``lang="en"`` for English.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any, Callable

from .pipeline import ReportData, compute
from .strings import DEFAULT_LANG, LANGS

__all__ = ["LANGS", "ReportData", "compute", "render", "report", "write_html", "write_xlsx"]


def render(data: ReportData, *, page_size: int = 25, max_findings: int | None = 60, lang: str = DEFAULT_LANG) -> str:
    """The HTML page of ``data`` as a string (``max_findings``: findings listed per theme section, those
    closest to the theme first; all of them are in ``data.findings`` and the Excel export; ``lang``:
    ``"sv"`` or ``"en"``)."""
    from .page import render as _render

    return _render(data, page_size=page_size, max_findings=max_findings, lang=lang)


def write_html(data: ReportData, path: str | Path, *, page_size: int = 25, max_findings: int | None = 60,
               lang: str = DEFAULT_LANG) -> Path:
    """Write :func:`render` of ``data`` to ``path`` (UTF-8)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(render(data, page_size=page_size, max_findings=max_findings, lang=lang), encoding="utf-8")
    return path


def write_xlsx(data: ReportData, path: str | Path, *, lang: str = DEFAULT_LANG) -> Path:
    """Write the report's tables to an Excel workbook (sheet and column names in ``lang``)."""
    from .xlsx import write_xlsx as _write

    return _write(data, path, lang=lang)


def report(corpus_or_paths: Any, *, out: str | Path | None = "themes.html", xlsx: str | Path | None = None,
           municipality: str | None = None, themes: Any = None, embedder: Any = None, n_examples: int = 3,
           title: str | None = None, page_size: int = 25, lang: str = DEFAULT_LANG,
           progress: Callable[[str], Any] | None = None, exclude_uncertain_links: bool = True) -> ReportData:
    """Run the pipeline on a corpus (or report paths) and write the theme report.

    out
        HTML file to write (``None``: don't write one).
    xlsx
        Also write an Excel workbook (sheets findings, scores, themes, matrix, score_links, examples).
    municipality
        Add a profile of this municipality: its themes against its peers, and who does well what it
        should improve.
    themes
        A fitted ``ThemeModel`` or a directory written by ``ThemeModel.save`` (default: fit one).
    embedder
        Shared by the theme model and the linker (default: ``kompasstext.embedding.Embedder``).
    lang
        The language of the page and the workbook: ``"sv"`` (default) or ``"en"``.
    exclude_uncertain_links
        Leave findings whose sub-question link is uncertain (``link_uncertain``) out of the score
        statistics (default; the report says so).

    Returns the computed :class:`ReportData` (its tables are pandas DataFrames); the written paths are in
    ``data.paths``.
    """
    from .strings import load

    load(lang)  # E040 for an unknown language, before any work
    data = compute(corpus_or_paths, municipality=municipality, themes=themes, embedder=embedder,
                   n_examples=n_examples, title=title, progress=progress,
                   exclude_uncertain_links=exclude_uncertain_links)
    if out is not None:
        data.paths["html"] = write_html(data, out, page_size=page_size, lang=lang)
    if xlsx is not None:
        data.paths["xlsx"] = write_xlsx(data, xlsx, lang=lang)
    return data
