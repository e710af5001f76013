"""The "Översikt av poängfördelning" score tables of raw ``pdftotext`` output (no ``-layout``), put back
together from their columns.

Raw ``pdftotext`` writes a table column after column, in blocks separated by blank lines: the id column
(``1.``, ``1.1`` …), the question texts (an area's title, then its questions, wrapped), and the numbers as
rotating blocks of achieved / max / percent (or achieved / max where the table has no Procent column).
Each triple of number blocks has equal length; the first achieved block of an area carries the column
header ("Uppnått", "Max", "Procent"); the last row of an area is its total.  The order of the blocks on a
page is poppler's, not the table's: the id and number streams keep the rows' order, the text blocks may
not (an area's text can come after the next area's), so the texts are put to the areas by their titles.

A table is read only when it checks out: as many number rows as ids plus the total row, sub-question ids
``N.1 … N.n`` under ``N.``, achieved ≤ max, the printed percent = achieved/max (up to the rounding of the
printed points), the maxima summing to the total row's and the achieved points to its achieved (up to
rounding), and a question text for every row — from the text column where it aligns (as many questions
after the area's title as ids, each like the catalog's question of that id when the revision is known),
else from the catalog of the framework revision the ids and maxima identify.  Otherwise the table is
left unread and a reason is given (W125).

>>> lines = ("Översikt av poängfördelning|1.|1.1|1.2||Offentlighet och demokrati|Finns en plan/strategi för "
...          "demokratiutveckling och|information?|Informeras invånarna om aktuella frågor i politiken?||"
...          "Uppnått|11||Max|15||Procent|75%||17|28||20|35||84%|80%").split("|")
>>> tables, problems = read_raw_score_tables([lines])
>>> [(t.area, t.title, t.total) for t in tables], problems
([(1, 'Offentlighet och demokrati', (28, 35, 80))], [])
>>> for row in tables[0].rows:
...     print(row)
('1.1', 'Finns en plan/strategi för demokratiutveckling och information?', 11, 15, 75)
('1.2', 'Informeras invånarna om aktuella frågor i politiken?', 17, 20, 84)
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

OVERVIEW = re.compile(r"^\s*Översikt av poängfördelning\s*$", re.I)
_ID = re.compile(r"^(\d{1,2})\.(\d{1,2})?$")
_INT = re.compile(r"^\d{1,3}$")
_PCT = re.compile(r"^(\d{1,3}(?:[.,]\d+)?)\s?%$")
#: the column headers of a score table, over its achieved / max / percent blocks
_HEADS = {"uppnått": "a", "max": "m", "procent": "p"}
#: similarity (0–1) of a text line to a catalog area title for it to be taken as that area's title
TITLE_MATCH = 0.6

Where = tuple[int, int]  # (page index, line index)


@dataclass
class _Block:
    kind: str | None  # "id", "int", "pct", "text"; None: a header word not yet followed by numbers
    head: str | None = None
    head_at: Where | None = None
    items: list[str] = field(default_factory=list)
    where: list[Where] = field(default_factory=list)


@dataclass
class RawScoreTable:
    """One area's table: rows ``(id, text, achieved, max, percent)``, the total row, the lines used."""

    area: int
    title: str
    rows: list[tuple[str, str, int, int, int | None]]
    total: tuple[int, int, int | None]
    has_pct: bool
    lines: set[Where]
    #: where the question texts came from: "text" (the text column) or "catalog" (the revision's)
    texts_from: str = "text"


def _blocks(pages: list[list[str]], p0: int, i0: int) -> list[_Block]:
    """The blocks of the lines after (p0, i0): runs of lines of one kind, ended by a blank line, a page
    break, a change of kind or a column header word."""
    out: list[_Block] = []
    for p in range(p0, len(pages)):
        cur: _Block | None = None
        for i in range(i0 + 1 if p == p0 else 0, len(pages[p])):
            t = pages[p][i].strip()
            if not t:
                cur = None
                continue
            head = _HEADS.get(t.casefold())
            if head is not None:
                cur = _Block(None, head, (p, i))
                out.append(cur)
                continue
            kind = "id" if _ID.match(t) else "int" if _INT.match(t) else "pct" if _PCT.match(t) else "text"
            if cur is not None and cur.kind is None and kind in ("int", "pct"):
                cur.kind = kind
            elif cur is None or cur.kind != kind:
                cur = _Block(kind)
                out.append(cur)
            cur.items.append(t)
            cur.where.append((p, i))
    return out


def _pct(s: str) -> int:
    return int(round(float(_PCT.match(s).group(1).replace(",", "."))))


def _number_areas(blocks: list[_Block]) -> tuple[list[list[tuple]], bool, str | None]:
    """The number rows ``(achieved, max, percent, lines)`` of each area in order (an area starts at an
    achieved block headed "Uppnått"), whether the table has a percent column, and the problem that
    stopped the reading (the rows of the area it was in are kept: its row count decides whether it was
    complete, as when numbers of another kind follow the last table)."""
    nums = [b for b in blocks if b.kind in ("int", "pct") or b.head is not None]
    has_pct = any(b.kind == "pct" or b.head == "p" for b in nums)
    step = 3 if has_pct else 2
    areas: list[list[tuple]] = []
    k = 0
    while k < len(nums):
        grp = nums[k:k + step]
        if len(grp) < step:
            return areas, has_pct, "the number columns end in the middle of a row group"
        a, m = grp[0], grp[1]
        p = grp[2] if has_pct else None
        first = a.head == "a"
        if not areas and not first:  # a number before the first "Uppnått" header is no table's
            k += 1
            continue
        ok = (a.kind == "int" and m.kind == "int" and len(a.items) == len(m.items)
              and a.head in (None, "a") and m.head == ("m" if first else None))
        if p is not None:
            ok = ok and p.kind == "pct" and len(p.items) == len(a.items) and p.head == ("p" if first else None)
        if not ok:
            return areas, has_pct, "the achieved, max and percent blocks do not line up"
        if first:
            areas.append([])
        for j in range(len(a.items)):
            where = {b.where[j] for b in grp}
            if j == 0 and first:  # the header words' lines
                where |= {b.head_at for b in grp}
            areas[-1].append((int(a.items[j]), int(m.items[j]), _pct(p.items[j]) if p is not None else None,
                              where))
        k += step
    return areas, has_pct, None


def _id_areas(blocks: list[_Block]) -> list[tuple[int, list[str], set[Where], bool]]:
    """The id column: ``(area, sub-question ids, lines, well-formed)`` in order; well-formed when the ids
    are ``N.1 … N.n`` under ``N.``."""
    out: list[list] = []
    for b in blocks:
        if b.kind != "id":
            continue
        for t, w in zip(b.items, b.where):
            m = _ID.match(t)
            if m.group(2) is None:
                out.append([int(m.group(1)), [], {w}, True])
            elif out:
                n = len(out[-1][1]) + 1
                out[-1][1].append(f"{int(m.group(1))}.{int(m.group(2))}")
                out[-1][2].add(w)
                if int(m.group(1)) != out[-1][0] or int(m.group(2)) != n:
                    out[-1][3] = False
    return [tuple(x) for x in out]


def _entries(blocks: list[_Block]) -> list[tuple[str, list[Where]]]:
    """The text column as entries (a title or a question): a line starting in lower case, or after a line
    ending in a comma, hyphen or slash, continues the entry above in its block."""
    out: list[tuple[str, list[Where]]] = []
    for b in blocks:
        if b.kind != "text":
            continue
        for k, (t, w) in enumerate(zip(b.items, b.where)):
            if k and (t[:1].islower() or b.items[k - 1].rstrip()[-1:] in ",-–/"):
                text, where = out[-1]
                out[-1] = (text + " " + t, where + [w])
            else:
                out.append((t, [w]))
    return out


def _identified_revision(tables: dict[int, tuple[list[str], list[int]]]) -> str | None:
    """The one framework revision whose catalog has exactly these ids and maxima in every area read."""
    from ..frameworks import FRAMEWORKS, load

    fits = []
    for fw in FRAMEWORKS:
        cat = {a["number"]: [(q["id"], q["max"]) for q in a["subquestions"]] for a in load(fw)["areas"]}
        if tables and all(cat.get(n) == list(zip(ids, maxes)) for n, (ids, maxes) in tables.items()):
            fits.append(fw)
    return fits[0] if len(fits) == 1 else None


def _title_sim(text: str, area: int) -> float:
    """How like ``text`` is to area ``area``'s title (or an alternative) in any revision."""
    from ..frameworks import FRAMEWORKS, _titles, similarity

    return max(similarity(text, t) for fw in FRAMEWORKS for t in _titles(fw, area))


def _consistent(rows: list[tuple], total: tuple, has_pct: bool) -> str | None:
    """Why the number rows of one area do not check out, or None."""
    for a, m, p, _ in rows + [total]:
        if m <= 0 or a > m:
            return f"{a} of {m} points"
        # the printed percent is of the unrounded points: off by up to 0.5 points, plus its own rounding
        if has_pct and abs(100 * a / m - p) > 50 / m + 1:
            return f"{a}/{m} printed as {p}%"
    sa, sm = sum(r[0] for r in rows), sum(r[1] for r in rows)
    if sm != total[1]:
        return f"the maxima sum to {sm}, the total row says {total[1]}"
    if abs(sa - total[0]) > (len(rows) + 1) / 2:  # each printed value rounded by up to 0.5
        return f"the achieved points sum to {sa}, the total row says {total[0]}"
    return None


def read_raw_score_tables(pages: list[list[str]]) -> tuple[list[RawScoreTable], list[str]]:
    """The score tables after the "Översikt av poängfördelning" heading in raw ``pdftotext`` lines (one
    list of lines per page, running headers removed), and the reasons tables were left unread."""
    from ..frameworks import MATCH_THRESHOLD, load, similarity

    at = next(((p, i) for p, lines in enumerate(pages) for i, ln in enumerate(lines) if OVERVIEW.match(ln)),
              None)
    if at is None:
        return [], []
    blocks = _blocks(pages, *at)
    ids = _id_areas(blocks)
    if not ids:
        return [], []
    numbers, has_pct, stopped = _number_areas(blocks)
    problems = []
    if len(numbers) > len(ids):
        problems.append(f"score tables: {len(numbers)} 'Uppnått' headers for {len(ids)} areas in the id column")
        numbers = numbers[:len(ids)]
    good: dict[int, tuple] = {}
    for k, (area, sub, where, wellformed) in enumerate(ids):
        rows = numbers[k] if k < len(numbers) else None
        if rows is None:
            problems.append(f"area {area}: no number columns read" + (f" ({stopped})" if stopped else ""))
        elif not wellformed or not sub:
            problems.append(f"area {area}: the id column is not {area}.1 … {area}.n")
        elif len(rows) != len(sub) + 1:
            problems.append(f"area {area}: {len(rows)} number rows for {len(sub)} questions and the total"
                            + (f" ({stopped})" if stopped and k == len(numbers) - 1 else ""))
        else:
            why = _consistent(rows[:-1], rows[-1], has_pct)
            if why:
                problems.append(f"area {area}: {why}")
            else:
                good[area] = (sub, rows, where)
    fw = _identified_revision({n: (sub, [r[1] for r in rows[:-1]]) for n, (sub, rows, _) in good.items()})
    catalog = {a["number"]: a for a in load(fw)["areas"]} if fw else {}
    # the text column: each area's title (like a catalog title of its number) and the entries after it
    entries = _entries(blocks)
    anchors: dict[int, int] = {}
    for area in dict.fromkeys(a for a, *_ in ids):  # every area's title ends the text of the one before
        sims = [(_title_sim(t, area), k) for k, (t, _) in enumerate(entries)]
        best = max(sims, default=(0.0, -1))
        if best[0] >= TITLE_MATCH and best[1] not in anchors.values():
            anchors[area] = best[1]
    starts = sorted(anchors.values())
    out = []
    for area, (sub, rows, where) in good.items():
        title, texts, used, source = "", None, set(), "text"
        if area in anchors:
            k = anchors[area]
            nxt = next((s for s in starts if s > k), len(entries))
            group = entries[k + 1:nxt]
            title = entries[k][0]
            if len(group) == len(sub):
                texts = [t for t, _ in group]
                if catalog:  # each like the catalog's question of its id
                    cat = {q["id"]: q for q in catalog[area]["subquestions"]}
                    if any(max(similarity(t, c) for c in [cat[i]["text"], *cat[i].get("alt_texts", [])])
                           < MATCH_THRESHOLD for i, t in zip(sub, texts)):
                        texts = None
                if texts is not None:
                    used = {w for _, ws in entries[k:nxt] for w in ws}
        if texts is None and catalog:
            texts, source = [q["text"] for q in catalog[area]["subquestions"]], "catalog"
            title = title or catalog[area]["title"]
        if texts is None:
            problems.append(f"area {area}: the question texts do not line up with the ids")
            continue
        total = rows[-1][:3]
        lines = set(where) | used | {w for r in rows for w in r[3]}
        out.append(RawScoreTable(area, title, [(i, t, r[0], r[1], r[2]) for i, t, r in zip(sub, texts, rows)],
                                 total, has_pct, lines, source))
    out.sort(key=lambda t: t.area)
    return out, problems
