"""Readers: report files of any known shape → :class:`~kompasstext.model.Report`.

>>> from kompasstext import read_report
>>> r = read_report("corpora/kommunkompassen/osthammar_2017.txt")  # doctest: +SKIP
>>> r.municipality, r.framework, len(r.findings)                    # doctest: +SKIP
('Östhammar', '2015', 91)
"""
from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from ..errors import MESSAGES, ReportFormatError
from ..model import Diagnostic, Report
from .base import available_readers, get_reader, register_reader
from .multiple import report_starts
from .source import SourceText, check_report_path

__all__ = ["read_report", "read_reports", "read_text", "register_reader", "available_readers", "SourceText"]

#: below this sniff confidence no reader is trusted and E003 is raised
MIN_CONFIDENCE = 0.2


def read_report(path: str | Path, *, format: str | None = None, warn: bool = True) -> Report:
    """Read one report file.

    ``format`` forces a reader (``"docplayer"``, ``"htmltable"``, ``"markdown"``, ``"tabtable"``,
    ``"pdftotext"``, ``"pdf"``); by
    default the shape is detected.  Problems that leave a usable partial result are kept in
    ``Report.diagnostics`` and (``warn=True``) issued as :class:`~kompasstext.errors.ParseWarning`.
    A PDF (``.pdf`` or ``%PDF`` content) is read from its page layout (:mod:`kompasstext.readers.pdf`).
    """
    from .pdf import is_pdf, read_pdf

    check_report_path(path)  # typed errors for directories, FIFOs, links, permissions; nothing opened yet
    if format == "pdf" or (format is None and Path(path).suffix.lower() == ".pdf"):
        return read_pdf(path, warn=warn)
    if format is None and is_pdf(path):  # PDF content under another name; if it won't open: binary (E002)
        try:
            return read_pdf(path, warn=warn)
        except ReportFormatError as exc:
            if exc.code != "E022":
                raise
    doc = SourceText.from_path(path)
    return _read(doc, format=format, warn=warn)


def read_reports(path: str | Path, *, format: str | None = None, warn: bool = True) -> list[Report]:
    """Every report in one file: a list of one, or one per report when several were concatenated into the
    file (where :func:`read_report` raises E013).  Report ``k`` of such a file is named
    ``<stem>#<k><suffix>`` (its ``source``; ``report.text`` is its own part of the file) and carries a W115
    note saying which lines of the file it came from.
    """
    from .pdf import is_pdf

    check_report_path(path)
    if format == "pdf" or (format is None and is_pdf(path)):
        return [read_report(path, format=format, warn=warn)]
    doc = SourceText.from_path(path)
    starts = report_starts(doc.text)
    if len(starts) == 1:
        return [_read(doc, format=format, warn=warn, single=False)]
    p, out = Path(path), []
    bounds = [*starts, len(doc.text)]
    for k, (a, b) in enumerate(zip(bounds, bounds[1:]), start=1):
        part = SourceText(text=doc.text[a:b], path=str(p.with_name(f"{p.stem}#{k}{p.suffix}")),
                          encoding=doc.encoding,
                          diagnostics=[replace(d, start=None, end=None, line=None) for d in doc.diagnostics])
        part.diagnostics.append(Diagnostic(
            "W115", f"{MESSAGES['W115']}: report {k} of {len(starts)} in {p} (lines {doc.line_of(a)}–"
            f"{doc.line_of(max(a, b - 1))})", severity="info"))
        out.append(_read(part, format=format, warn=warn, single=False))
    return out


def read_text(text: str, *, path: str = "<string>", format: str | None = None, warn: bool = True) -> Report:
    """Read a report from a string (see :func:`read_report`)."""
    return _read(SourceText.from_string(text, path=path), format=format, warn=warn)


def _read(doc: SourceText, *, format: str | None, warn: bool, single: bool = True) -> Report:
    if single:
        starts = report_starts(doc.text)
        if len(starts) > 1:
            lines = ", ".join(str(doc.line_of(s)) for s in starts[1:])
            raise ReportFormatError("E013", doc.path, f"{MESSAGES['E013']} ({len(starts)} reports; the next "
                                    f"one starts at line {lines}): read it with read_corpus(), which reads "
                                    "each report of the file")
    if format is not None:
        reader = get_reader(format)
    else:
        scored = sorted(((r.sniff(doc), r.name, r) for r in available_readers()), key=lambda t: (-t[0], t[1]))
        conf, _, reader = scored[0]
        if conf < MIN_CONFIDENCE:
            raise ReportFormatError("E003", doc.path, MESSAGES["E003"]
                                    + " (no 'Område N' area headings with Styrkor/Förbättrings lists)")
    report = reader.read(doc)
    report.diagnostics[:0] = doc.diagnostics
    if not report.areas:
        raise ReportFormatError("E003", doc.path, MESSAGES["E003"] + f" (the {reader.name} reader found no areas)")
    from .finalize import finish

    return finish(report, doc, warn=warn)
