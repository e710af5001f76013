"""Citations: where in a report a finding, passage or praise sentence is, readable by a person.

Spans are character offsets into ``Report.text`` (the decoded source file), so a reader can open the
file and go to the span; the page is given where the source marks pages.

>>> citation("nacka_2021.txt", 12, 18278, 18337)
'nacka_2021.txt, s. 12, tecken 18278–18337'
>>> citation("nacka_2021.txt", None, 18278, 18337)
'nacka_2021.txt, tecken 18278–18337'
"""
from __future__ import annotations

from pathlib import Path

from ..model import Report


def source_file(report: Report) -> str | None:
    """The file name of the report's source (no directories)."""
    return Path(report.source).name if report.source else None


def page_of(report: Report, start: int | None, page: int | None = None) -> int | None:
    """``page`` when the reader knew it, else the page of offset ``start`` (None if unmarked)."""
    if page is not None:
        return int(page)
    return report.page_at(int(start)) if start is not None else None


def citation(file: str | None, page: int | None, start: int | None, end: int | None) -> str:
    """``"<file>, s. <page>, tecken <start>–<end>"`` (parts that are unknown are left out)."""
    parts = [file or "?"]
    if page is not None:
        parts.append(f"s. {page}")
    if start is not None and end is not None:
        parts.append(f"tecken {start}–{end}")
    return ", ".join(parts)
