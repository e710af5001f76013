"""The "Översikt av poängfördelning" score tables: sub-question rows, area total rows, and their checks.

Two shapes are read: tab-separated lines (with or without a Procent column, ``<b>`` tags allowed) and the
flattened docplayer shape, where a whole table is one run of text and numbers may lag behind the question
texts (``2.1 <q> 2.2 <q> 11 15 70% 17 25 67%``): number groups are assigned in order to the questions and
the group after the last question is the total row.

>>> text = "1.\\tDemokrati\\tUppnått\\tMax\\n1.1\\tFinns en plan?\\t11\\t15\\n1.2\\tInformeras?\\t17\\t85\\n\\t\\t28\\t100\\n"
>>> rows, totals, diags = parse_score_tables(text)
>>> [(q.id, q.achieved, q.max, q.percent) for q in rows[1]], totals[1], diags
([('1.1', 11, 15, None), ('1.2', 17, 85, None)], (28, 100, None), [])
"""
from __future__ import annotations

import re

from ..model import Diagnostic, Report, SubQuestion
from .cleaning import collapse_ws, strip_tags
from .sections import iter_lines

Total = tuple[int, int, "int | None"]

_AREA_CELL = re.compile(r"^(\d{1,2})\.?$")
_ROW_ID = re.compile(r"^(\d{1,2})\.(\d{1,2})\.?$")
_INT = re.compile(r"^(\d{1,3})$")
_PCT = re.compile(r"^(\d{1,3}(?:[.,]\d+)?)\s*%$")
# flattened: "2. Tillgänglighet och brukarorientering Uppnått Max Procent"
_FLAT_HEADER = re.compile(r"(?<![\d.])(\d{1,2})\.\s+([^\d\n]{3,160}?)\s+Uppnått\s+Max(\s+Procent)?", re.I)
#: a flattened table's number group: "achieved max percent%", or "achieved max"
_GROUP_PCT = re.compile(r"(?<![\w.,/-])(\d{1,3})\s+(\d{1,3})\s+(\d{1,3})\s?%")
_GROUP = re.compile(r"(?<![\w.,/%-])(\d{1,3})\s+(\d{1,3})(?![\w.,%/-])")
#: a running page header inside a flattened table: the organisation's name (up to six words without
#: digits), the date and "N (M)"
_PAGE_MARK = re.compile(r"(?:\b[^\W\d]+(?:[ \t]+[^\W\d]+){0,5}\s+)?"
                        r"\b\d{4}-\d{2}-\d{2}\s+\d{1,3}\s*\(\s*\d{1,3}\s*\)")
#: percent tolerance (points) between a printed percent and achieved/max (printed points are rounded)
PCT_TOLERANCE = 12
#: tolerance (points) between the sum of achieved points and the area score
SUM_TOLERANCE = 2


def _cells(line: str) -> list[str]:
    return [collapse_ws(strip_tags(c)) for c in line.split("\t")]


def _num(cell: str) -> int | None:
    m = _INT.match(cell)
    return int(m.group(1)) if m else None


def _pct(cell: str) -> int | None:
    m = _PCT.match(cell)
    return int(round(float(m.group(1).replace(",", ".")))) if m else None


def _numbers(cells: list[str], has_pct: bool) -> tuple[int | None, int | None, int | None] | None:
    """(achieved, max, percent) from the number cells of a row, or None if they are not all there."""
    cells = [c for c in cells if c]
    if len(cells) < 2:
        return None
    a, m = _num(cells[0]), _num(cells[1])
    if a is None or m is None:
        return None
    p = _pct(cells[2]) if len(cells) > 2 else None
    if has_pct and p is None:
        return None
    return a, m, p


def score_table_titles(text: str, start: int = 0, end: int | None = None) -> dict[int, str]:
    """Area titles from the score tables' header rows (``2.<TAB>Tillgänglighet…<TAB>Uppnått<TAB>Max``).

    >>> score_table_titles("1.\\tDemokrati\\tUppnått\\tMax\\n<b>2.</b>\\t<b>Kvalitet</b>\\t<b>Uppnått</b>\\t<b>Max</b>\\n")
    {1: 'Demokrati', 2: 'Kvalitet'}
    """
    out: dict[int, str] = {}
    for line in iter_lines(text, start, len(text) if end is None else end):
        if "\t" not in line.text:
            continue
        cells = _cells(line.text)
        m = _AREA_CELL.match(cells[0])
        if m and len(cells) > 2 and "uppnått" in (c.casefold() for c in cells) and cells[1]:
            out.setdefault(int(m.group(1)), cells[1])
    return out


def parse_score_tables(text: str, start: int = 0, end: int | None = None
                       ) -> tuple[dict[int, list[SubQuestion]], dict[int, Total], list[Diagnostic]]:
    """Sub-question rows per area, the area total rows ``(achieved, max, percent)``, and diagnostics.

    Rows whose numbers are missing (a truncated table) are left out with a W102 diagnostic: nothing is
    invented.  Areas with no table at all are simply absent (see :func:`check_scores` for W104).
    """
    end = len(text) if end is None else end
    rows: dict[int, list[SubQuestion]] = {}
    totals: dict[int, Total] = {}
    diags: list[Diagnostic] = []
    area, has_pct = None, False
    # flattened tables: from a line with a flat header on, through the lines that follow (a table that
    # runs over a page break goes on in the next transcript line), up to the next tab-separated line
    flat_spans: list[list[int]] = []
    in_flat = False
    for line in iter_lines(text, start, end):
        if "\t" not in line.text:
            if _FLAT_HEADER.search(line.text) and not in_flat:
                flat_spans.append([line.start, line.end])
                in_flat = True
            elif in_flat:
                flat_spans[-1][1] = line.end
            continue
        in_flat = False
        cells = _cells(line.text)
        low = [c.casefold() for c in cells]
        m = _AREA_CELL.match(cells[0])
        if m and "uppnått" in low:
            area, has_pct = int(m.group(1)), "procent" in low
            rows.setdefault(area, [])
            continue
        if area is None:
            continue
        m = _ROW_ID.match(cells[0])
        if m:
            qid = f"{int(m.group(1))}.{int(m.group(2))}"
            if int(m.group(1)) != area:
                diags.append(Diagnostic("W103", f"row {qid} inside the table of area {area}", area=area,
                                        start=line.start, end=line.end))
            nums = _numbers(cells[2:], has_pct) if len(cells) > 2 else None
            if nums is None:
                diags.append(Diagnostic("W102", f"score row {qid} has no complete numbers (truncated?);"
                                        " left out", area=area, start=line.start, end=line.end))
                continue
            rows[area].append(SubQuestion(qid, cells[1] if len(cells) > 1 else "", *nums,
                                          start=line.start, end=line.end))
            continue
        if len(cells) >= 3 and not cells[0] and not (cells[1] if len(cells) > 1 else ""):
            nums = _numbers(cells[2:], has_pct)
            if nums is not None:
                totals[area] = nums
                area = None
    for f_start, f_end in flat_spans:
        r, t, d = _parse_flat(text, f_start, f_end)
        for k, v in r.items():
            rows.setdefault(k, []).extend(v)
        totals.update(t)
        diags.extend(d)
    for k in list(rows):
        diags.extend(_check_table(k, rows[k], totals.get(k)))
    return rows, totals, diags


def _parse_flat(text: str, start: int, end: int
                ) -> tuple[dict[int, list[SubQuestion]], dict[int, Total], list[Diagnostic]]:
    """The flattened (one run of text) tables in ``text[start:end]``."""
    rows: dict[int, list[SubQuestion]] = {}
    totals: dict[int, Total] = {}
    diags: list[Diagnostic] = []
    headers = list(_FLAT_HEADER.finditer(text, start, end))
    for i, h in enumerate(headers):
        area, has_pct = int(h.group(1)), bool(h.group(3))
        b_start, b_end = h.end(), headers[i + 1].start() if i + 1 < len(headers) else end
        block = text[b_start:b_end]
        # page headers ("2018-03-14 23 (25)") must not be read as numbers
        masked = _PAGE_MARK.sub(lambda m: " " * len(m.group(0)), block)
        id_re = re.compile(rf"(?<![\d.,])({area})\.(\d{{1,2}})(?![\d%])\s")
        n_ids = len(id_re.findall(masked))
        if has_pct and len(_GROUP_PCT.findall(masked)) < n_ids <= len(_GROUP.findall(masked)):
            has_pct = False  # a "Procent" header over rows without percents: read the two-number rows
        grp_re = _GROUP_PCT if has_pct else _GROUP
        events = [(m.start(), "q", m) for m in id_re.finditer(masked)]
        events += [(m.start(), "n", m) for m in grp_re.finditer(masked)]
        events.sort(key=lambda t: t[0])
        questions, groups = [], []
        for j, (pos, kind, m) in enumerate(events):
            if kind == "q":
                nxt = events[j + 1][0] if j + 1 < len(events) else len(masked)
                qtext = collapse_ws(strip_tags(block[m.end():nxt]))
                questions.append((f"{area}.{int(m.group(2))}", qtext, b_start + m.start(), b_start + nxt))
            else:
                nums = (int(m.group(1)), int(m.group(2)), int(m.group(3)) if has_pct else None)
                groups.append((nums, b_start + m.start(), b_start + m.end()))
        if not questions:
            continue
        lagging = any(questions[k + 1][2] < groups[k][1] for k in range(min(len(questions) - 1, len(groups))))
        if lagging:
            diags.append(Diagnostic("W105", f"area {area}: question texts and numbers are out of step in the "
                                    "flattened table; numbers assigned in order", severity="info", area=area,
                                    start=b_start, end=b_end))
        total = None
        if len(groups) == len(questions) + 1:
            total = groups[-1]
            groups = groups[:-1]
        elif len(groups) == len(questions) and len(groups) > 1 and groups[-1][0][1] == 100:
            if sum(g[0][1] for g in groups[:-1]) == 100:
                total = groups[-1]
                groups = groups[:-1]
        elif len(groups) > len(questions) + 1:
            diags.append(Diagnostic("W103", f"area {area}: {len(groups)} number groups for {len(questions)} "
                                    "questions in the flattened table; extra groups ignored", area=area,
                                    start=b_start, end=b_end))
            total = groups[len(questions)]
            groups = groups[:len(questions)]
        out = []
        for q, g in zip(questions, groups):
            out.append(SubQuestion(q[0], q[1], *g[0], start=q[2], end=g[2]))
        missing = [q[0] for q in questions[len(groups):]]
        if missing:
            diags.append(Diagnostic("W102", f"area {area}: score rows {', '.join(missing)} have no numbers "
                                    "(truncated table?); left out", area=area, start=b_start, end=b_end))
        rows[area] = out
        if total is not None:
            totals[area] = total[0]
    return rows, totals, diags


def _check_table(area: int, qs: list[SubQuestion], total: Total | None) -> list[Diagnostic]:
    """Internal consistency of one table: percent ≈ achieved/max, rows sum to the total row."""
    diags = []
    for q in qs:
        if q.percent is not None and q.max:
            if abs(100 * q.achieved / q.max - q.percent) > PCT_TOLERANCE:
                diags.append(Diagnostic("W103", f"area {area} row {q.id}: {q.achieved}/{q.max} printed as "
                                        f"{q.percent}%", area=area, start=q.start, end=q.end))
    if total is not None and qs:
        sa, sm = sum(q.achieved or 0 for q in qs), sum(q.max or 0 for q in qs)
        if abs(sa - total[0]) > SUM_TOLERANCE or sm != total[1]:
            diags.append(Diagnostic("W103", f"area {area}: rows {', '.join(q.id for q in qs)} sum to {sa}/{sm}, "
                                    f"the total row says {total[0]}/{total[1]}", area=area,
                                    start=qs[0].start, end=qs[-1].end))
    return diags


def check_scores(report: Report) -> list[Diagnostic]:
    """W103 when an area's achieved points differ from its score by more than 2 or its maxima do not sum to
    100 (naming the area and rows); W104 when an area has no score table."""
    diags = []
    for a in report.areas:
        qs = a.subquestions
        for q in qs:
            if q.achieved is not None and q.max is not None and q.achieved > q.max:
                diags.append(Diagnostic("W103", f"area {a.number} row {q.id}: {q.achieved} of {q.max} points is "
                                        "impossible (achieved above the maximum); the row is kept as printed",
                                        area=a.number, start=q.start, end=q.end))
        if a.score is not None and not 0 <= a.score <= 100:
            diags.append(Diagnostic("W103", f"area {a.number}: score {a.score} is outside 0–100", area=a.number))
        if not qs:
            diags.append(Diagnostic("W104", f"area {a.number} ({a.title}) has no sub-question score table",
                                    area=a.number))
            continue
        rows = ", ".join(f"{q.id}={q.achieved}/{q.max}" for q in qs)
        sa = sum(q.achieved or 0 for q in qs)
        sm = sum(q.max or 0 for q in qs)
        if a.score is not None and abs(sa - a.score) > SUM_TOLERANCE:
            diags.append(Diagnostic("W103", f"area {a.number}: achieved points of rows {rows} sum to {sa}, "
                                    f"the area score is {a.score}", area=a.number,
                                    start=qs[0].start, end=qs[-1].end))
        if sm != 100:
            diags.append(Diagnostic("W103", f"area {a.number}: maxima of rows {rows} sum to {sm}, not 100",
                                    area=a.number, start=qs[0].start, end=qs[-1].end))
    return diags
