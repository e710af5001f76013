"""Reader "pdftotext": the plain text poppler's ``pdftotext`` writes from a report PDF, with or without
``-layout`` — the two text shapes users most often make from a PDF by hand.

Both shapes have a form feed after every page.  The text is turned back into a page layout (lines with a
column position, tables with cells) and read by the PDF layout reader (:mod:`kompasstext.readers.pdf`):

* ``-layout``: tables keep their columns; a table is a header line of two or more cells (``Styrkor
  Förbättringsområden``, ``Rubriker Poäng``, ``1. Title Uppnått Max Procent``) and the indented lines after
  it, over page breaks; cells are cut at the header's column starts.  Bullets and hanging indents are
  kept, so items are read as from the PDF.
* raw (no ``-layout``): cells come one after the other — a ``Styrkor`` line, its items, a
  ``Förbättringsområden`` line, its items; on a page the table continues on, the left cell's rest and
  then (after a blank line) the right cell's, or only the cell that was longer on the page before — and
  are read as a two-column table.  Bullets printed apart from their text are counted and given to the
  lines of the block after them that most likely open an item (a capital, not after a line ending in a
  comma or a function word, not the first line of a cell that goes on from the page before).  Outside
  tables an item's wrapped lines, which lost their hanging indent, are told by the text (lower case, or
  after a full or unfinished line; a heading-like line ends the item).  Raw ``pdftotext`` joins a word
  hyphenated at a line end, also a suspended compound part: "nedbrytnings- och" is split back.  The
  score tables ("Översikt av poängfördelning"), written column after column, are put back together
  where they check out (:mod:`kompasstext.readers.rawscores`; W125 for a table left unread).

Running headers and footers (lines repeated on many pages) and page numbers are removed.  A hyphen at a
line end after a fragment that is no word is a hyphenation (plain text shows a soft hyphen as "-").
Plain text has no fonts: the italic improvements of 2011-style reports are told by their wording
(:func:`mark_worded_improvements`, W124), which is right for most but not all of them.

>>> from kompasstext.readers.source import SourceText
>>> page = ("Område {n} {title}\\n Styrkor                 Förbättringsområden\\n"
...         " • {a}               • Följ upp\\n • {b}\\n\\f")
>>> text = (page.format(n=1, title="Demokrati", a="Bra webb", b="Tydliga mål")
...         + page.format(n=2, title="Service", a="Kundval", b="E-tjänster"))
>>> r = PdfToTextReader().read(SourceText.from_string(text))
>>> [(f.kind, f.text) for f in r.areas[0].findings]
[('strength', 'Bra webb'), ('strength', 'Tydliga mål'), ('improvement', 'Följ upp')]
"""
from __future__ import annotations

import re
from collections import Counter
from dataclasses import replace
from functools import lru_cache
from pathlib import Path

from ..errors import MESSAGES
from ..model import Diagnostic, Report
from .base import register_reader
from .pdflayout import BULLETS, Cell, Layout, Line, Page, Table, starts_with_bullet, strip_bullet
from .rawscores import OVERVIEW, read_raw_score_tables
from .source import SourceText
from .tables import header_kind

#: pseudo geometry of a text line: points per character column and per line
CHAR_W, LINE_H, SIZE = 2.0, 12.0, 10.0
_SEG = re.compile(r"\S+(?: \S+)*")
_AREA = re.compile(r"^\s*Område\s+\d{1,2}\s+\S", re.M)
_SCORE_HEAD = re.compile(r"^\s*\d{1,2}\.?\s+.*\bUppnått\b", re.I)
_PAGE_NO = re.compile(r"^(?:(?:sida|page|s\.)\s*)?\d{1,3}(?:\s*\(\s*\d{1,3}\s*\)|\s*(?:/|av|of)\s*\d{1,3})?$", re.I)
_DIGITS = re.compile(r"\d+")


def _pages(text: str) -> list[list[str]]:
    pages = text.split("\f")
    if pages and not pages[-1].strip():
        pages = pages[:-1]
    return [p.split("\n") for p in pages]


def _running(pages: list[list[str]]) -> set[str]:
    """Line shapes (digits as #) that repeat on many pages: running headers and footers."""
    c: Counter = Counter()
    for p in pages:
        body = [ln for ln in p if ln.strip()]
        edge = body[:3] + body[-3:]  # running lines sit at the top and bottom of a page
        c.update({_DIGITS.sub("#", " ".join(ln.split())).casefold() for ln in edge
                  if not _AREA.match(ln) and not all(header_kind(w) for w in ln.split())})
    need = max(2, int(0.4 * len(pages)))
    return {s for s, n in c.items() if n >= need}


def _is_running(line: str, running: set[str], edge: bool, page: int = 0) -> bool:
    """A running header/footer line, or the page's number at its top or bottom (``edge``): a number near
    the page's place in the file (a score "75" at the foot of page 19 is not a page number)."""
    t = " ".join(line.split())
    if not t:
        return False
    if _DIGITS.sub("#", t).casefold() in running:
        return True
    m = _PAGE_NO.match(t) if edge else None
    return bool(m) and abs(int(_DIGITS.search(t).group(0)) - page) <= 4


def _body_lines(lines: list[str], running: set[str], page: int = 0) -> list[str]:
    nonblank = [i for i, ln in enumerate(lines) if ln.strip()]
    edge = set(nonblank[:3] + nonblank[-3:])
    return [ln.rstrip() for i, ln in enumerate(lines) if not _is_running(ln, running, i in edge, page)]


#: conjunctions after a suspended compound part ("nedbrytnings- och uppföljningsbara")
_SUSPENDERS = ("och", "eller", "samt", "som")
_GLUED = re.compile(r"\b([^\W\d_]{3,}?)(och|eller|samt|som)\b")
#: words a wrapped line cannot end an item with (a preposition, conjunction or article wants more)
_OPEN_END = frozenset("och att med av för i på till som en ett de den det samt eller från om inom mellan vid "
                      "genom efter under mot är har kan ska skall bl.a. t.ex. ex.".split())
_SENTENCE_END = re.compile(r"[.!?”\")]$")


def _unglue_suspended(line: str) -> str:
    """Raw ``pdftotext`` removes the hyphen at a line end and joins the two parts, also where the hyphen
    ended a suspended compound part: "nedbrytnings-" + "och" became "nedbrytningsoch".  A word that is no
    Swedish word but a known word followed by och/eller/samt/som is split back ("nedbrytnings- och").

    >>> _unglue_suspended("i stor utsträckning nedbrytningsoch uppföljningsbara, kommungemensamt")
    'i stor utsträckning nedbrytnings- och uppföljningsbara, kommungemensamt'
    """
    from .pdflayout import _known

    def fix(m: re.Match) -> str:
        word, head = m.group(0), m.group(1)
        if _known(word.lower()) or not _known(head.lower()):
            return word
        return f"{head}- {m.group(2)}"

    return _GLUED.sub(fix, line) if any(c in line for c in _SUSPENDERS) else line


def _open_end(line: str) -> bool:
    """A line that cannot end a list item: it ends in a comma, a hyphen or a function word."""
    t = line.rstrip()
    if not t:
        return False
    return t[-1] in ",-–" or t.split()[-1].casefold() in _OPEN_END


def _text_width(pages: list[list[str]]) -> int:
    """The width of the running text in characters: the 90th percentile of the non-blank line lengths
    (wrapped lines of a paragraph fill it; a table's long lines do not set it)."""
    lengths = sorted(len(ln.strip()) for p in pages for ln in p if ln.strip())
    return lengths[int(0.9 * (len(lengths) - 1))] if lengths else 80


def _item_goes_on(prev: str, ln: str, nxt: str, width: int) -> bool:
    """Raw shape, text outside tables: does ``ln`` continue the bulleted item whose last line is ``prev``?
    Raw ``pdftotext`` drops the hanging indent, so the item's wrapped lines are told by the text: a line
    in lower case, or after a line that cannot end an item, continues it; a heading-like line does not;
    else it continues a line that was full (the first word of ``ln`` did not fit on it) or unfinished."""
    t = ln.strip()
    if not t or starts_with_bullet(t) or _AREA.match(t):
        return False
    if t[:1].islower() or _open_end(prev):
        return True
    if _looks_heading(t, nxt):
        return False
    full = len(prev.strip()) + 1 + len(t.split()[0]) > 0.9 * width
    return full or not _SENTENCE_END.search(prev.rstrip())


def _block(lines: list[str], i: int) -> list[int]:
    """Indices of the text block of a raw table cell that starts at line ``i``: up to a blank line, a lone
    bullet, a list header or an area/score heading."""
    out = []
    for j in range(i, len(lines)):
        t = lines[j].strip()
        if (not t or t in BULLETS or _AREA.match(t) or _SCORE_HEAD.match(t)
                or (len(t.split()) <= 2 and t[:1].isupper() and header_kind(t))):
            break
        out.append(j)
    return out


def _item_starts(lines: list[str], block: list[int], bullets: int, before: str | None) -> set[int]:
    """Which lines of a raw cell block open an item, when its ``bullets`` were printed apart from the text.

    A candidate starts with a capital or digit after a line not ending in a hyphen.  Where there are more
    candidates than bullets the least likely starts are dropped: after a line that cannot end an item
    (comma, function word) first, then the block's first line if it may continue the cell's last item
    from the previous page (``before``: that item's last line), then the latest."""
    cands = []
    for k, j in enumerate(block):
        t = lines[j].strip()
        prev = lines[block[k - 1]] if k else before
        if not (t[:1].isupper() or t[:1].isdigit()) or (prev is not None and prev.rstrip().endswith("-")):
            continue
        penalty = 2 if prev is not None and _open_end(prev) else (1 if k == 0 and prev is not None else 0)
        cands.append((penalty, j))
    keep = sorted(cands, key=lambda c: (c[0], c[1]))[:bullets]
    return {j for _, j in keep}


def _rubric_tail(rubric: dict, lines: list[str], i: int, gap: int) -> bool:
    """Raw shape: the rest of a ``Rubriker`` box read after its score — bullets printed apart, counted,
    then their texts, one block of lines that each open a rubric (or wrap the one above).  True when line
    ``i`` was taken into the box."""
    t = lines[i].strip()
    if t in BULLETS:
        if rubric.get("lines"):
            return False
        rubric["tail"] += 1
        return True
    if not rubric["tail"] or (gap and rubric.get("lines")):
        return False
    if "starts" not in rubric:
        rubric["starts"] = _item_starts(lines, _block(lines, i), rubric["tail"], None)
        rubric["block"] = set(_block(lines, i))
    if i not in rubric["block"]:
        return False
    cell = rubric["table"].rows[1][0].lines
    text = "• " + t if i in rubric["starts"] else t
    cell.append(_line(rubric["page"], rubric["row"] + len(cell), 0 if i in rubric["starts"] else 2, text))
    rubric["lines"] = rubric.get("lines", 0) + 1
    return True


_FRAGMENT_END = re.compile(r"(?<![\w-])([^\W\d_]{3,})-$")


def _join_fragments(lines: list[Line]) -> list[Line]:
    """Undo hyphenations whose head is no word: plain text writes a soft hyphen at a line end as "-", so
    "chefsut-" / "maningar" would be kept as a compound when the tail is a word of its own; a head that is
    no Swedish word ("chefsut", "rollför") was cut inside a word.  The fragment is moved down onto the next
    line's first word (every line keeps its place, so gaps and indents that tell items apart stay as
    they were); a line that is only the fragment takes the next line's first word up instead.  Lines in
    reading order of one cell or page.

    >>> L = lambda t: Line(1, 0, 0, 1, 1, t, 10)
    >>> [x.text for x in _join_fragments([L("utmaningar och chefsut-"), L("maningar samt"), L("styr-"), L("och")])]
    ['utmaningar och', 'chefsutmaningar samt', 'styr-', 'och']
    """
    from .pdflayout import _known

    out: list[Line] = []
    for ln in lines:
        prev = out[-1] if out else None
        m = _FRAGMENT_END.search(prev.text) if prev is not None and prev.page == ln.page else None
        words = ln.text.split(maxsplit=1)
        if (m and words and words[0][:1].islower() and m.group(1).islower() and not _known(m.group(1))
                and words[0].casefold() not in _SUSPENDERS):
            head = prev.text[:m.start(1)].rstrip()
            if head:  # the fragment goes down to its tail
                prev.text, ln.text = head, m.group(1) + ln.text
            else:  # the line was only the fragment: its tail comes up
                prev.text = m.group(1) + words[0]
                if len(words) == 1:
                    continue
                ln.text = words[1]
        out.append(ln)
    return out


_DIRECTIVES = Path(__file__).resolve().parents[1] / "lang" / "sv" / "directives.txt"
_WORDS = re.compile(r"[^\W\d_]+", re.UNICODE)


@lru_cache(maxsize=None)
def _directive_sections() -> dict[str, tuple[tuple[str, ...], ...]]:
    """The sections of ``lang/sv/directives.txt`` ("verbs", "hedges", "particles") as word tuples."""
    out: dict[str, list[tuple[str, ...]]] = {}
    section = ""
    for raw in _DIRECTIVES.read_text(encoding="utf-8").splitlines():
        m = re.match(r"#\s*section:\s*(\w+)", raw)
        if m:
            section = m.group(1).lower()
        elif raw.strip() and not raw.lstrip().startswith("#"):
            out.setdefault(section, []).append(tuple(raw.lower().split()))
    return {k: tuple(sorted(v, key=len, reverse=True)) for k, v in out.items()}


def opens_with_directive(text: str) -> bool:
    """Is ``text`` worded as a recommendation: a directive verb (imperative or infinitive, after at most
    two hedges such as "i större utsträckning"), or a comparative opening a noun phrase ("Mer fokus på",
    "Fortsatt arbete med": the ``comparatives`` of ``directives.txt``)?  The wording of an improvement;
    strengths are noun phrases or statements.

    >>> [opens_with_directive(t) for t in ("Utveckla resultatfokus på hemsidan", "I större utsträckning "
    ...  "redovisa resultat", "Ta fram en plan", "Bra information om dagordningen", "Mer fokus på idéer",
    ...  "Tydlig vision", "Högre höjder-arbetet ger medarbetarutveckling")]
    [True, True, True, False, True, False, False]
    """
    from ..themes.text import is_directive_verb

    words = [w.lower() for w in _WORDS.findall(text[:120])]
    sections = _directive_sections()
    if words and (words[0],) in sections.get("comparatives", ()):
        return True
    verbs = {v[0] for v in sections.get("verbs", ()) if len(v) == 1}
    i = 0
    for _ in range(2):  # leading hedges
        hedge = next((h for h in sections.get("hedges", ()) if tuple(words[i:i + len(h)]) == h), None)
        if hedge is None:
            break
        i += len(hedge)
    return i < len(words) and (words[i] in verbs or is_directive_verb(words[i]))


def _bullet_groups(lay: Layout) -> list[list[list[Line]]]:
    """The bulleted items outside tables, in reading order, grouped by the run they stand in (a heading
    or a paragraph of text between them starts a new group; a page break does not)."""
    groups: list[list[list[Line]]] = []
    group: list[list[Line]] | None = None
    for pg in lay.pages:
        for ln in pg.lines:
            if starts_with_bullet(ln.text):
                if group is None:
                    group = []
                    groups.append(group)
                group.append([ln])
            elif group and ln.x0 > group[-1][0].x0 + 1 and not ln.bold:  # a wrapped line (hanging indent)
                group[-1][-1:] = [group[-1][-1], ln]
            else:
                group = None
    return groups


def mark_worded_improvements(lay: Layout) -> int:
    """Plain text has no italics, which mark the improvements among the bullets under a subheading in
    the 2011 template (strengths first, then the improvements).  In each run of bullets outside tables,
    the items from the first one worded as a recommendation (:func:`opens_with_directive`) on are marked
    italic, as the PDF shows them.  Returns how many items were marked."""
    n = 0
    for group in _bullet_groups(lay):
        texts = [strip_bullet(" ".join(ln.text for ln in item)) for item in group]
        first = next((k for k, t in enumerate(texts) if opens_with_directive(t)), None)
        if first is None:
            continue
        for item in group[first:]:
            for ln in item:
                ln.italic = True
            n += 1
    return n


def _column_lines(table: Table, col: int, page: int) -> int:
    """How many lines column ``col`` of a raw list table holds on ``page``."""
    return sum(1 for ln in table.rows[-1][col].lines if ln.page == page)


def _blocks_ahead(lines: list[str]) -> int:
    """How many text blocks a raw table continued at the top of a page has before it ends."""
    n, inside = 0, False
    for ln in lines:
        t = ln.strip()
        if _AREA.match(t) or _SCORE_HEAD.match(t) or t.startswith("Översikt av poäng"):
            break
        if not t or t in BULLETS:
            inside = False
        elif not inside:
            n, inside = n + 1, True
    return n


def _raw_score_tables(bodies: list[list[str]], lay: Layout) -> tuple[list[Table], set[tuple[int, int]]]:
    """Raw shape: the score tables put back together from their columns
    (:func:`kompasstext.readers.rawscores.read_raw_score_tables`) as tables of the layout, one per area,
    and the (page, line) places of the lines they were read from; W125 for each table left unread."""
    found, problems = read_raw_score_tables(bodies)
    for why in problems:
        lay.diagnostics.append(Diagnostic("W125", f"{MESSAGES['W125']}: {why}"))
    if not found:
        return [], set()
    page = 1 + next(p for p, b in enumerate(bodies) for ln in b if OVERVIEW.match(ln))
    cols = [0, 10, 70, 80, 90] if found[0].has_pct else [0, 10, 70, 80]

    def row(cells: list[str], r: int, bold: bool = False) -> list[Cell]:
        return [Cell(c * CHAR_W, r * LINE_H, 0, 0, [_line(page, r, c, x, bold=bold)] if x else [])
                for c, x in zip(cols, cells)]

    tables = []
    for st in found:
        pct = (lambda p: [f"{p}%"]) if st.has_pct else (lambda p: [])
        t = Table(page, 0, 0, 100 * CHAR_W, 0, col_edges=[c * CHAR_W for c in cols])
        t.rows.append(row([f"{st.area}.", st.title, "Uppnått", "Max"] + (["Procent"] if st.has_pct else []), 0, True))
        for k, (qid, text, a, m, p) in enumerate(st.rows, 1):
            t.rows.append(row([qid, text, str(a), str(m)] + pct(p), k))
        a, m, p = st.total
        t.rows.append(row(["", "", str(a), str(m)] + pct(p), len(st.rows) + 1))
        tables.append(t)
    return tables, {(p + 1, i) for st in found for p, i in st.lines}


def is_layout_shape(text: str) -> bool:
    """``pdftotext -layout`` output: many lines hold runs of 3+ spaces between words (columns)."""
    lines = [ln for ln in text.split("\n") if ln.strip()]
    wide = sum(1 for ln in lines if re.search(r"\S {3,}\S", ln))
    return wide > 0.05 * max(1, len(lines))


def _segments(line: str) -> list[tuple[int, str]]:
    """(column, text) of the parts of a line separated by two or more spaces."""
    return [(m.start(), m.group(0)) for m in re.finditer(r"\S+(?: \S+)*", line)]


def _header(line: str) -> list[int] | None:
    """Column starts of a table header line (indented, two or more cells), else None."""
    if not line.startswith(" ") or not line.strip():
        return None
    segs = _segments(line)
    if len(segs) < 2:
        return None
    words = [s for _, s in segs]
    if len(segs) == 2 and all(header_kind(w) for w in words) and header_kind(words[0]) != header_kind(words[1]):
        return [c for c, _ in segs]
    if words[0].casefold().startswith("rubrik") and words[-1].casefold().startswith("poäng"):
        return [c for c, _ in segs]
    if _SCORE_HEAD.match(line):
        return [c for c, _ in segs]
    return None


def _cut(line: str, cols: list[int]) -> list[str]:
    """The cells of a table line: its parts (separated by two or more spaces) each go to the column whose
    start is nearest; a cell's text is indented to the column it starts at on the line."""
    cells = [""] * len(cols)
    for start, part in _segments(line):
        j = min(range(len(cols)), key=lambda k: abs(cols[k] - start) if start >= cols[k] - 3 else 10 ** 6 + k)
        if cells[j]:
            cells[j] += " " + part
        else:
            cells[j] = " " * start + part  # the part's own column (a hanging indent shows in it)
    return cells


_SCORE_ROW = re.compile(r"^\s*(\d{1,2}\.\d{1,2})\.?\s+(.*?)\s{2,}(\d{1,3})\s+(\d{1,3})(?:\s+(\d{1,3}\s?%))?\s*$")
_TOTAL_ROW = re.compile(r"^\s+(\d{1,3})\s+(\d{1,3})(?:\s+(\d{1,3}\s?%))?\s*$")


def _score_cells(line: str, n: int) -> list[str]:
    """The cells of a score-table line by its shape (id, question, achieved, max[, percent]); a line of
    text only continues the question of the row above.  Column positions are not trusted: pdftotext
    places a table continued on another page at other columns."""
    m = _SCORE_ROW.match(line)
    if m:
        cells = [m.group(1), m.group(2), m.group(3), m.group(4)] + ([m.group(5) or ""] if n > 4 else [])
    else:
        m = _TOTAL_ROW.match(line)
        if m:
            cells = ["", "", m.group(1), m.group(2)] + ([m.group(3) or ""] if n > 4 else [])
        else:
            cells = ["", line.strip()] + [""] * (n - 2)
    return cells[:n] + [""] * (n - len(cells))


def _align_pieces(tables: list[Table]) -> None:
    """pdftotext -layout counts columns from the leftmost text of each page, so a table continued on the
    next page may sit a few columns off: shift each column of a continuation to the item-start column of
    the table's first piece (where the piece shows item starts and continuation lines both)."""
    for t in tables:
        first = t.state.get("first_piece")
        if first is None or not t.rows or not first.rows:
            continue
        for j in range(min(len(t.rows[-1]), len(first.rows[-1]))):
            ref = [ln.x0 for ln in first.rows[-1][j].lines]
            own = [ln.x0 for r in t.rows for ln in r[j].lines] if j < len(t.rows[0]) else []
            if not ref or not own or max(own) - min(own) < 4:
                continue
            shift = min(ref) - min(own)
            for r in t.rows:
                for ln in r[j].lines:
                    ln.x0 += shift
                    ln.x1 += shift


def _line(page: int, row: int, col: float, text: str, bold: bool = False) -> Line:
    x0 = col * CHAR_W
    top = row * LINE_H
    return Line(page, x0, top, x0 + len(text) * CHAR_W, top + SIZE, text, SIZE, bold=bold)


def _looks_heading(t: str, nxt: str) -> bool:
    """A line that reads as a heading in plain text: short, capitalised, unpunctuated, and followed by a
    line (not the end of a wrapped sentence: the next line starts in upper case)."""
    t = t.strip()
    if not t or len(t.split()) > 9 or re.search(r"[.,;:!?]$", t) or starts_with_bullet(t):
        return False
    if not (t[0].isupper() or t[0].isdigit()):
        return False
    return not nxt.strip()[:1].islower()


def text_layout(text: str, path: str = "<string>") -> Layout:
    """The pseudo page layout of ``pdftotext`` output (either shape)."""
    pages = _pages(text)
    running = _running(pages)
    layout = is_layout_shape(text)
    lay = Layout(path, fonts=False)
    open_table: Table | None = None
    cols: list[int] = []
    scores = False
    raw_cells: dict[str, int] | None = None
    raw_table: Table | None = None
    rubric: dict | None = None
    text_width = _text_width(pages)
    item_lead: int | None = None  # raw shape: the bullet column of the free-text item being read
    free_bullets = 0  # raw shape: bullets printed apart from their text outside tables (not yet placed)
    bodies = [_body_lines(raw_lines, running, pn) for pn, raw_lines in enumerate(pages, 1)]
    score_tables: list[Table] = []
    used: set[tuple[int, int]] = set()  # (page, line) of the raw score tables read from their columns
    if not layout:
        bodies = [[_unglue_suspended(x) for x in b] for b in bodies]
        score_tables, used = _raw_score_tables(bodies, lay)
    for pn, lines in enumerate(bodies, 1):
        width = max((len(x) for x in lines), default=80)
        pg = Page(pn, width * CHAR_W, (len(lines) + 2) * LINE_H, n_chars=sum(len(x) for x in lines))
        lay.pages.append(pg)
        row, gap = 0, 0
        free_starts: set[int] = set()
        if raw_cells is not None:  # a raw table over the page break: the left cell's rest comes first
            raw_cells.update(col=0, cont=1, block=0)
            longer = _column_lines(raw_table, 1, pn - 1) > _column_lines(raw_table, 0, pn - 1)
            if longer and _blocks_ahead(lines) == 1:
                # one cell goes on: the longer one (a row split over a page break fills the page with it)
                raw_cells.update(col=1, cont=0)
        table = None
        if open_table is not None and layout:
            table = Table(pn, 0, 0, pg.width, 0, col_edges=open_table.col_edges)
            table.state["first_piece"] = open_table.state.get("first_piece", open_table)
        for i, ln in enumerate(lines):
            row += 1
            if not ln.strip() or (pn, i) in used:
                gap += 1
                continue
            nxt = next((x for k, x in enumerate(lines[i + 1:], i + 1) if x.strip() and (pn, k) not in used), "")
            if layout:
                hdr = _header(ln)
                if hdr is not None:
                    cols = hdr
                    scores = bool(_SCORE_HEAD.match(ln))
                    table = Table(pn, 0, row * LINE_H, pg.width, row * LINE_H, col_edges=[c * CHAR_W for c in cols])
                    pg.tables.append(table)
                    table.rows.append([Cell(c * CHAR_W, row * LINE_H, 0, 0, [_line(pn, row, c, s, bold=True)])
                                       for c, s in zip(cols, _cut(ln, cols))])
                    if not scores:
                        table.rows.append([Cell(c * CHAR_W, row * LINE_H, 0, 0, []) for c in cols])
                    gap = 0
                    continue
                if table is not None and (ln.startswith(" ") or starts_with_bullet(ln)
                                          or re.search(r"\S {3,}\S", ln)):
                    cells = _score_cells(ln, len(cols)) if scores else _cut(ln, cols)
                    if not table.rows:  # a table continued from the previous page
                        pg.tables.append(table)
                        table.top = row * LINE_H
                        table.rows.append([Cell(c * CHAR_W, row * LINE_H, 0, 0, []) for c in cols])
                    elif scores and (cells[0].strip() or any(re.fullmatch(r"\s*\d[\d%,.]*\s*", x) for x in cells[2:])):
                        table.rows.append([Cell(c * CHAR_W, row * LINE_H, 0, 0, []) for c in cols])
                    for j, (c, cell_text) in enumerate(zip(cols, cells)):
                        if cell_text.strip():
                            at = len(cell_text) - len(cell_text.lstrip()) if not scores else c
                            table.rows[-1][j].lines.append(_line(pn, row, at, cell_text.strip()))
                    table.bottom = row * LINE_H
                    gap = 0
                    continue
                table = None
            else:
                if rubric is not None and rubric.get("done"):
                    # after the box: its bullets printed apart, then their texts (one block)
                    if _rubric_tail(rubric, lines, i, gap):
                        gap = 0
                        continue
                    rubric = None
                if rubric is not None:  # raw "Rubriker" box: bullets, then "Poäng", then the score
                    if ln.strip().casefold() == "poäng":
                        rubric["score"] = True
                    elif rubric.get("score") and re.fullmatch(r"\s*\d{1,3}\s*", ln):
                        rubric["table"].rows[1][1].lines.append(_line(pn, row, 0, ln.strip()))
                        rubric.update(done=True, tail=0, page=pn, row=row)
                    elif not rubric.get("score"):
                        rubric["table"].rows[1][0].lines.append(
                            _line(pn, row, 0 if starts_with_bullet(ln) else 2, ln.strip()))
                    else:
                        rubric = None
                    if rubric is not None or re.fullmatch(r"\s*\d{1,3}\s*", ln):
                        gap = 0
                        continue
                if ln.strip() in BULLETS and raw_cells is None:  # a bullet printed apart from its text
                    free_bullets += 1
                    continue
                if free_bullets and ln.strip():  # the texts of bullets printed apart: items start there
                    free_starts = _item_starts(lines, _block(lines, i), free_bullets, None)
                    free_bullets = 0
                if i in free_starts and not starts_with_bullet(ln):
                    ln = "• " + ln.strip()
                if ln.strip().casefold() == "rubriker" and raw_cells is None:
                    t = Table(pn, 0, row * LINE_H, pg.width, row * LINE_H, col_edges=[0, 300])
                    t.rows = [[Cell(0, 0, 300, 0, [_line(pn, row, 0, "Rubriker", True)]),
                               Cell(300, 0, 600, 0, [_line(pn, row, 150, "Poäng", True)])],
                              [Cell(0, 0, 300, 0, []), Cell(300, 0, 600, 0, [])]]
                    pg.tables.append(t)
                    rubric = {"table": t}
                    gap = 0
                    continue
                kind = header_kind(ln.strip()) if len(ln.split()) <= 2 and ln.strip()[:1].isupper() else None
                if kind is not None and (raw_cells is not None or kind == "strength"):
                    if raw_cells is None:
                        raw_table = Table(pn, 0, row * LINE_H, pg.width, row * LINE_H, col_edges=[0, 300])
                        pg.tables.append(raw_table)
                        raw_cells = {}
                        raw_table.rows.append([Cell(0, row * LINE_H, 300, 0, [_line(pn, row, 0, "Styrkor", True)]),
                                           Cell(300, row * LINE_H, 600, 0,
                                                [_line(pn, row, 50, "Förbättringsområden", True)])])
                        raw_table.rows.append([Cell(0, 0, 300, 0, []), Cell(300, 0, 600, 0, [])])
                    raw_cells.update(col=0 if kind == "strength" else 1, cont=0, block=0)
                    gap = 0
                    continue
                if raw_cells is not None:
                    if _AREA.match(ln) or _SCORE_HEAD.match(ln) or re.match(r"^Översikt av poäng", ln):
                        raw_cells, raw_table = None, None
                    else:
                        if ln.strip() in BULLETS:  # a bullet printed apart from its text (counted)
                            if raw_cells.get("block"):  # a new group of bullets: for the next block
                                raw_cells.update(detached=0, block=0)
                            raw_cells["detached"] = raw_cells.get("detached", 0) + 1
                            gap = 0
                            continue
                        if raw_cells.get("cont") == 2 and gap:  # the next block: the right cell's rest
                            raw_cells.update(col=1, cont=0)
                        elif raw_cells.get("cont") == 1:
                            raw_cells["cont"] = 2
                        j = raw_cells["col"]
                        text_ = ln.strip()
                        cell_lines = raw_table.rows[-1][j].lines
                        if gap:  # a blank line ends a block
                            raw_cells["block"] = 0
                        if not raw_cells.get("block"):  # a block's first line: where its items start
                            raw_cells["block"] = 1
                            before = cell_lines[-1].text if cell_lines else None
                            raw_cells["starts"] = _item_starts(lines, _block(lines, i),
                                                               raw_cells.get("detached", 0), before)
                        if i in raw_cells.get("starts", ()) and not starts_with_bullet(text_):
                            # one of the bullets printed apart: an item starts here
                            text_ = "• " + text_
                            raw_cells["detached"] -= 1
                        cell_lines.append(_line(pn, row, 0 if starts_with_bullet(text_) else 2, text_))
                        gap = 0
                        continue
            lead = len(ln) - len(ln.lstrip())
            if not layout:  # raw: a bulleted item's wrapped lines lost their hanging indent
                if (item_lead is not None and not gap and pg.lines
                        and _item_goes_on(pg.lines[-1].text, ln, nxt, text_width)):
                    pg.lines.append(_line(pn, row, item_lead + 2, ln.strip()))
                    continue
                item_lead = lead if starts_with_bullet(ln) else None
            if gap or (pg.lines and re.search(r"[.!?:]$", pg.lines[-1].text)
                       and len(pg.lines[-1].text) < 0.8 * width):
                row += 1  # a paragraph break: blank line, or a short line ending a sentence
            gap = 0
            bold = bool(_AREA.match(ln)) or _looks_heading(ln, nxt) and (not pg.lines or pg.lines[-1].top < (row - 1) * LINE_H
                                                or re.search(r"[.!?:]$", pg.lines[-1].text) is not None)
            pg.lines.append(_line(pn, row, lead, ln.strip(), bold=bold))
            if bold:
                row += 1
        open_table = table if (table is not None and layout) else None
        if score_tables and score_tables[0].page == pn:  # under the overview heading, in area order
            head = next((x for x in pg.lines if OVERVIEW.match(x.text)), None)
            top = head.top + LINE_H / 2 if head is not None else 0.0
            for k, t in enumerate(score_tables):
                t.top = t.bottom = top + k * 0.01
            pg.tables.extend(score_tables)
    _align_pieces([t for pg in lay.pages for t in pg.tables])
    for pg in lay.pages:
        pg.tables = [t for t in pg.tables if t.rows]
        for t in pg.tables:
            for r in t.rows:
                for c in r:
                    c.lines.sort(key=lambda ln: (ln.page, ln.top, ln.x0))
                    c.lines = _join_fragments(c.lines)
        pg.lines = _join_fragments(pg.lines)
    return lay


@register_reader("pdftotext")
class PdfToTextReader:
    """``pdftotext`` output (with or without ``-layout``): form-fed pages of a report."""

    name = "pdftotext"

    def sniff(self, doc: SourceText) -> float:
        text = doc.text
        pages = text.count("\f")
        if pages < 2 or "\t" in text[:20000]:
            return 0.0
        areas = len(set(m.group(0).split()[1] for m in _AREA.finditer(text)))
        return 0.95 if areas >= 2 else 0.3

    def read(self, doc: SourceText) -> Report:
        from .pdf import report_from_layout

        lay = text_layout(doc.text, doc.path)
        worded = mark_worded_improvements(lay)
        if not is_layout_shape(doc.text):
            lay.diagnostics.append(Diagnostic("W122", MESSAGES["W122"]))
        report, read = report_from_layout(lay, doc.path, fmt=self.name, not_a_report="E003")
        if worded:  # the improvements were told by their wording, not read as strengths: say so
            report.diagnostics = [replace(d, code="W124", message=MESSAGES["W124"]) if d.code == "W123" else d
                                  for d in report.diagnostics]
        # spans and pages point into the reading-order text: it becomes the document's text
        doc.text = read.text
        doc.__post_init__()
        return report
