"""More than one report in one file: where each report starts, whatever its shape.

A file holds a second report when a second run of area headings starts again at "Område 1" after the
first run's score overview (or after at least three areas, when the overview is missing) and goes on with
"Område 2".  A duplicated area section (``1 2 2 3 …``) or an area out of order is not a second report.
The second report starts at its cover line ("Kommunkompassen …") between the two runs, else at its
"Område 1" line.

>>> one = ("Kommunkompassen Analys av A kommun\\n\\nOmråde 1 Demokrati\\nText\\nOmråde 2 Tillgänglighet\\n"
...        "Text\\n4. Översikt av poängfördelning\\n1.\\tDemokrati\\tUppnått\\tMax\\n")
>>> report_starts(one)
[0]
>>> report_starts(one + one.replace("A kommun", "B kommun")) == [0, len(one)]
False
>>> one = one.replace("Text\\n", "Text. " * 80 + "\\n")  # areas with a body (not a list of area names)
>>> report_starts(one + one.replace("A kommun", "B kommun")) == [0, len(one)]
True
"""
from __future__ import annotations

import re

from .sections import find_area_heading_candidates

# the inline headings of flattened transcripts: "Område 3 Politisk styrning Rubriker …"
_INLINE_AREA = re.compile(r"(?<![\w.])Område\s+(?P<num>[1-9])\s+[A-ZÅÄÖ][^\n]{2,120}?\s+Rubriker\b")
_SCORE_SECTION = re.compile(r"(?<![\w])(?:\d\.?\s+)?Översikt\s+av\s+poängfördelning(?![ \t]*\.{2,})(?![^\n]*\t\d+[ \t]*$)",
                            re.I | re.M)
#: characters an area needs between its heading and the next for a second run of areas to count as a report
MIN_AREA_CHARS = 400
_COVER = re.compile(r"^[ \t#*_]*(?:<[^>]+>)*[ \t]*Kommun[ \t]?kompass", re.M | re.I)


def _headings(text: str) -> list[tuple[int, int, int]]:
    """``(start, line_start, number)`` of every area heading candidate, line-based and inline, in order."""
    found = {(h.start, h.number) for h in find_area_heading_candidates(text)}
    for m in _INLINE_AREA.finditer(text):
        found.add((m.start(), int(m.group("num"))))
    out, last = [], -1
    for start, num in sorted(found):
        if start <= last:  # the same heading found both ways
            continue
        out.append((start, text.rfind("\n", 0, start) + 1, num))
        last = text.find("\n", start)
        last = len(text) if last < 0 else last
    return out


def report_starts(text: str) -> list[int]:
    """Offsets where the reports in ``text`` start: ``[0]`` for one report, one more per further report."""
    heads = _headings(text)
    if len(heads) < 4:
        return [0]
    scores = [m.start() for m in _SCORE_SECTION.finditer(text)]
    starts = [0]
    run: list[tuple[int, int, int]] = []
    for i, h in enumerate(heads):
        if run and h[2] == 1 and len(run) >= 2:
            nxt = heads[i + 1][2] if i + 1 < len(heads) else None
            body = heads[i + 1][0] - h[0] if i + 1 < len(heads) else 0
            overview = next((s for s in scores if run[-1][0] < s < h[0]), None)
            # an area with a body of its own (not a list of area names in an appendix or summary)
            if nxt == 2 and body >= MIN_AREA_CHARS and (overview is not None or run[-1][2] >= 3):
                lo = overview if overview is not None else run[-1][0]
                cover = _COVER.search(text, lo, h[1])
                starts.append(cover.start() if cover else h[1])
                run = [h]
                continue
        run.append(h)
    return starts
