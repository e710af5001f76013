"""The page layout of a PDF: text lines with font and position, ruled tables with their cells, running
headers and footers — read with ``pypdfium2`` (PDFium, the PDF engine of Chromium).

Coordinates are PDF points with the origin at the top left of the page (``top`` grows downwards), the
convention of ``pdfplumber`` and of the ``#page=N`` viewers.  Pages are 1-based.

>>> lay = read_layout("tests/data/pdf/osthammar_2017.pdf")          # doctest: +SKIP
>>> lay.n_pages, lay.tables[0].n_cols                                # doctest: +SKIP
(27, 2)
"""
from __future__ import annotations

import ctypes
import re
import statistics
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import MESSAGES, ReportFormatError, ReportNotFoundError
from ..model import Diagnostic

#: characters that open a list item (the private-use ones are Word's Symbol/Wingdings bullets as PDFs
#: export them: U+F0B7 is the default "•" of a Word bullet list)
BULLETS = "•●▪◦‣∙·■□➢►–-\uf0b7\uf0a7\uf0d8\uf076\uf0fc\uf0a8\uf0e0\uf02d"
#: share of the page height at the top/bottom where running headers and footers sit
MARGIN_ZONE = 0.11
_RULE = 2.0  # a path object thinner than this (points) is a ruling
_SNAP = 3.0  # rulings this close are the same line


@dataclass
class Line:
    """One run of text on one baseline (inside one table cell or column of text)."""

    page: int
    x0: float
    top: float
    x1: float
    bottom: float
    text: str
    size: float
    bold: bool = False
    italic: bool = False
    #: x0 of each character of ``text`` (PDF lines only; lets a line be cut at a column gap)
    xs: list[float] = field(default_factory=list, repr=False)

    @property
    def baseline(self) -> float:
        return self.bottom

    @property
    def bbox(self) -> tuple[float, float, float, float]:
        return (round(self.x0, 1), round(self.top, 1), round(self.x1, 1), round(self.bottom, 1))


@dataclass
class Cell:
    x0: float
    top: float
    x1: float
    bottom: float
    lines: list[Line] = field(default_factory=list)

    @property
    def text(self) -> str:
        return join_lines(self.lines)


@dataclass
class Table:
    """A ruled table on one page: rows of cells (a row split over a page break is two tables; see
    :func:`kompasstext.readers.pdf` for how they are joined)."""

    page: int
    x0: float
    top: float
    x1: float
    bottom: float
    rows: list[list[Cell]] = field(default_factory=list)
    col_edges: list[float] = field(default_factory=list)
    #: the table this one continues from the previous page (a table split by a page break), and back
    continues: "Table | None" = field(default=None, repr=False)
    continued_by: "Table | None" = field(default=None, repr=False)
    #: what a reader made of the table ("list", "other") and its working state
    role: str | None = None
    state: dict = field(default_factory=dict, repr=False)

    @property
    def n_cols(self) -> int:
        return max((len(r) for r in self.rows), default=0)


@dataclass
class Page:
    number: int
    width: float
    height: float
    lines: list[Line] = field(default_factory=list)   # text outside tables, headers/footers removed
    tables: list[Table] = field(default_factory=list)
    n_chars: int = 0
    n_images: int = 0


@dataclass
class Layout:
    path: str
    pages: list[Page] = field(default_factory=list)
    diagnostics: list[Diagnostic] = field(default_factory=list)
    removed: list[Line] = field(default_factory=list)   # running headers, footers, page numbers
    #: False for a layout rebuilt from plain text: no bold or italics (an italic improvement is not seen)
    fonts: bool = True

    @property
    def n_pages(self) -> int:
        return len(self.pages)

    @property
    def tables(self) -> list[Table]:
        return [t for p in self.pages for t in p.tables]


# ---- text helpers --------------------------------------------------------------------------------------
_SUSPENDED = {"och", "eller", "samt", "respektive", "resp.", "till", "som", "and", "or"}


def join_lines(lines: list[Line], vocabulary: set[str] | None = None) -> str:
    """The text of consecutive lines: one space between lines, a word hyphenated at a line end joined.

    A line ending in ``-`` right after a letter is a hyphenation unless the next line starts with a
    capital or digit, with a conjunction (``kultur- och fritid``), or the part before the hyphen is an
    abbreviation (``IT-``, ``e-``); when ``vocabulary`` (the document's words) knows the hyphenated form
    and not the joined one, the hyphen stays.

    >>> L = lambda t: Line(1, 0, 0, 1, 1, t, 10)
    >>> join_lines([L("en verksam-"), L("hetsplan och IT-"), L("stöd, kultur-"), L("och fritid")])
    'en verksamhetsplan och IT-stöd, kultur- och fritid'
    """
    out = ""
    for ln in lines:
        t = " ".join(ln.text.split())
        if not t:
            continue
        if not out:
            out = t
            continue
        m = re.search(r"(\w+)-$", out)
        if m and m.group(1)[-1:].isalpha():
            first = t.split()[0]
            head = m.group(1)
            if first.lower() in _SUSPENDED or not first[:1].islower():
                out += (" " if first.lower() in _SUSPENDED else "") + t
                continue
            if len(head) <= 2 or head.isupper() or re.search(r"\d", head):
                out += t
                continue
            tail = re.match(r"\w*", first).group(0)
            joined, hyph = (head + tail).lower(), (head + "-" + tail).lower()
            vocab = vocabulary or set()
            if joined in vocab and hyph not in vocab:
                keep = False
            elif hyph in vocab and joined not in vocab:
                keep = True
            elif _known(joined):
                keep = False
            else:  # a real compound ("utvecklings-tid") continues with a word of its own
                keep = len(tail) >= 3 and _known(tail.lower())
            out = (out + t) if keep else (out[:-1] + t)
            continue
        out += " " + t
    return out


def _known(word: str) -> bool:
    import simplemma

    return simplemma.is_known(word, lang="sv")


def starts_with_bullet(text: str) -> bool:
    t = text.lstrip()
    return bool(t) and t[0] in BULLETS and (len(t) == 1 or t[1].isspace())


def strip_bullet(text: str) -> str:
    t = text.lstrip()
    return t[1:].lstrip() if starts_with_bullet(t) else t


# ---- reading ------------------------------------------------------------------------------------------
def _open(path: str | Path):
    """The PDFium document, or a typed error (E004, E020 encrypted, E022 corrupt, E023 no pages)."""
    import pypdfium2 as pdfium
    import pypdfium2.raw as raw

    p = Path(path)
    if not p.exists():
        raise ReportNotFoundError("E004", p)
    data = p.read_bytes()
    if not data.strip():
        raise ReportFormatError("E001", p)
    if b"%PDF" not in data[:1024]:
        raise ReportFormatError("E022", p, MESSAGES["E022"] + " (no %PDF header)")
    try:
        doc = pdfium.PdfDocument(data)
    except pdfium.PdfiumError as exc:
        code = getattr(exc, "err_code", None)
        if code in (raw.FPDF_ERR_PASSWORD, raw.FPDF_ERR_SECURITY):
            raise ReportFormatError("E020", p) from None
        # PDFium refuses a document without pages without an error code of its own (the last error may
        # be a stale one): a page tree that counts 0 pages tells
        if code == raw.FPDF_ERR_SUCCESS or re.search(rb"/Type\s*/Pages\b[^>]{0,200}?/Count\s+0\b", data):
            raise ReportFormatError("E023", p) from None
        raise ReportFormatError("E022", p, f"{MESSAGES['E022']} ({exc})") from None
    if len(doc) == 0:
        raise ReportFormatError("E023", p)
    return doc


def read_layout(path: str | Path) -> Layout:
    """Lines, tables and removed running headers/footers of every page of the PDF at ``path``."""
    import pypdfium2.raw as raw

    doc = _open(path)
    lay = Layout(str(path))
    bad: list[int] = []
    try:
        for i in range(len(doc)):
            try:
                page = doc[i]
            except Exception:  # a page PDFium cannot load: skipped with W120
                bad.append(i + 1)
                continue
            try:
                lay.pages.append(_read_page(page, i + 1, raw))
            except Exception:
                bad.append(i + 1)
            finally:
                page.close()
    finally:
        doc.close()
    if bad:
        lay.diagnostics.append(Diagnostic("W120", MESSAGES["W120"] + f": page(s) {_ranges(bad)} skipped"))
    _remove_running(lay)
    _borderless_lists(lay)
    return lay


def _ranges(nums: list[int]) -> str:
    out, start, prev = [], None, None
    for n in nums + [None]:
        if start is None:
            start = prev = n
        elif n is not None and n == prev + 1:
            prev = n
        else:
            out.append(f"{start}" if start == prev else f"{start}–{prev}")
            start = prev = n
    return ", ".join(out)


def _read_page(page, number: int, raw) -> Page:
    width, height = page.get_size()
    pg = Page(number, width, height)
    rules_h, rules_v = [], []
    for obj in page.get_objects(max_depth=4):
        if obj.type == raw.FPDF_PAGEOBJ_IMAGE:
            pg.n_images += 1
        elif obj.type == raw.FPDF_PAGEOBJ_PATH:
            left, bottom, right, top = obj.get_bounds()
            w, h = right - left, top - bottom
            if h < _RULE and w > 8:
                rules_h.append((left, height - (top + bottom) / 2, right))
            elif w < _RULE and h > 4:
                rules_v.append(((left + right) / 2, height - top, height - bottom))
    tp = page.get_textpage()
    try:
        lines = _text_lines(tp, number, height, raw, rules_v)
        pg.n_chars = tp.count_chars()
    finally:
        tp.close()
    tables = _tables(rules_h, rules_v, number)
    free = []
    for ln in lines:
        cx, cy = (ln.x0 + ln.x1) / 2, (ln.top + ln.bottom) / 2
        cell = _cell_at(tables, ln.x0 + 1, cy) or _cell_at(tables, cx, cy)
        if cell is not None:
            cell.lines.append(ln)
        else:
            free.append(ln)
    for t in tables:
        for row in t.rows:
            for c in row:
                c.lines.sort(key=lambda ln: (round(ln.baseline), ln.x0))
    pg.lines = sorted(free, key=lambda ln: (round(ln.baseline, 0), ln.x0))
    pg.tables = [t for t in tables if any(c.lines for r in t.rows for c in r)]
    return pg


def _text_lines(tp, number: int, height: float, raw, rules_v: list = ()) -> list[Line]:
    """Runs of characters on one baseline (split where PDFium starts a new line or at a wide gap)."""
    n = tp.count_chars()
    if n == 0:
        return []
    text = tp.get_text_range(0, n)
    if len(text) != n:  # surrogate pairs: fall back to per-char text
        text = "".join(chr(raw.FPDFText_GetUnicode(tp.raw, k) or 32) for k in range(n))
    rules = sorted(rules_v)
    rule_x = [r[0] for r in rules]
    L, R, B, T = (ctypes.c_double() for _ in range(4))
    buf = ctypes.create_string_buffer(128)
    flags = ctypes.c_int()
    lines: list[Line] = []
    chars: list[str] = []
    xs: list[float] = []
    tops: list[float] = []
    bottoms: list[float] = []
    st: dict = {}

    def flush():
        raw_t = "".join(chars)
        t = raw_t.strip()
        if t and bottoms:
            base = statistics.median(bottoms)
            lead = len(raw_t) - len(raw_t.lstrip())
            lines.append(Line(number, st["x0"], min(tops), st["x1"], base, t, st["size"], st["bold"], st["italic"],
                              xs=xs[lead:lead + len(t)]))
        chars.clear(), xs.clear(), tops.clear(), bottoms.clear(), st.clear()

    for k in range(n):
        ch = text[k]
        if ch in "\r\n":
            flush()
            continue
        if ch == "\ufffe":  # PDFium marks a hyphen at a line end so
            ch = "-"
        if ch.isspace() or ch == "\u00ad":
            if st:
                chars.append(" ")
                xs.append(st["x1"])
            continue
        raw.FPDFText_GetCharBox(tp.raw, k, L, R, B, T)
        x0, x1, top, bottom = L.value, R.value, height - T.value, height - B.value
        if st:
            size = st["size"]
            base = bottoms[len(bottoms) // 2] if bottoms else bottom
            if ch.isalnum() and bottoms:
                off_line = abs(bottom - base) > size * 0.5
            else:  # punctuation (quotes sit high): on the line if it overlaps the line's letters
                off_line = bottom < min(tops or [base - size]) - 0.2 * size or top > base + 0.3 * size
            if off_line or x0 - st["x1"] > 2.5 * size or x0 < st["x1"] - size:
                flush()
            elif rule_x and x0 > st["x1"] + 0.5 and _ruled_between(rule_x, rules, st["x1"] - 1, x0 + 1, bottom):
                flush()  # a table ruling between the characters: two cells
        if not st or (not st["font"] and ch.isalnum()):
            # the font of the line is the font of its first letter (a bullet glyph has a symbol font)
            size = raw.FPDFText_GetFontSize(tp.raw, k) or max(1.0, bottom - top)
            raw.FPDFText_GetFontInfo(tp.raw, k, buf, 128, ctypes.byref(flags))
            name = buf.value.decode("latin-1", "replace")
            weight = raw.FPDFText_GetFontWeight(tp.raw, k)
            if not st:
                st.update(x0=x0, x1=x1)
            st.update(size=size, font=ch.isalnum(),
                      bold=weight >= 600 or "bold" in name.lower() or bool(flags.value & 0x40000),
                      italic=bool(flags.value & 0x40) or bool(re.search(r"italic|oblique", name, re.I)))
        st["x1"] = max(st["x1"], x1)
        if ch.isalnum():
            tops.append(top)
            bottoms.append(bottom)
        chars.append(ch)
        xs.append(x0)
    flush()
    return lines


def _ruled_between(rule_x: list[float], rules: list, a: float, b: float, y: float) -> bool:
    """A vertical ruling with x in [a, b] that spans height ``y`` (``rules`` sorted by x)."""
    import bisect

    for i in range(bisect.bisect_left(rule_x, a), bisect.bisect_right(rule_x, b)):
        if rules[i][1] <= y <= rules[i][2]:
            return True
    return False


def split_line(ln: Line, x: float) -> tuple[Line, Line] | None:
    """``ln`` cut at the word gap nearest before ``x`` (two cells' texts on one baseline), else None."""
    if len(ln.xs) != len(ln.text):
        return None
    first = next((i for i, cx in enumerate(ln.xs) if cx >= x - 3 and not ln.text[i].isspace()), None)
    if first is None or first == 0:
        return None
    j = ln.text.rfind(" ", 0, first)
    if j <= 0 or ln.text[j + 1:first].strip():
        return None
    lt, rt = ln.text[:j].rstrip(), ln.text[first:].strip()
    if not lt or not rt:
        return None
    left = Line(ln.page, ln.x0, ln.top, ln.xs[j - 1] + ln.size * 0.5, ln.bottom, lt, ln.size, ln.bold, ln.italic,
                xs=ln.xs[:len(lt)])
    right = Line(ln.page, ln.xs[first], ln.top, ln.x1, ln.bottom, rt, ln.size, ln.bold, ln.italic,
                 xs=ln.xs[first:first + len(rt)])
    return left, right


def _snap(values: list[float]) -> list[float]:
    out: list[float] = []
    for v in sorted(values):
        if not out or v - out[-1] > _SNAP:
            out.append(v)
    return out


def _tables(rules_h: list, rules_v: list, number: int) -> list[Table]:
    """Tables from the page's rulings: horizontal and vertical segments that touch form one table; rows
    are the bands between horizontal rules, cells the spans between the vertical rules crossing a band."""
    if not rules_h or not rules_v:
        return []
    segs = [("h", r) for r in rules_h] + [("v", r) for r in rules_v]
    parent = list(range(len(segs)))

    def find(i):
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    hs = [i for i, s in enumerate(segs) if s[0] == "h"]
    vs = [i for i, s in enumerate(segs) if s[0] == "v"]
    for i in hs:
        x0, y, x1 = segs[i][1]
        for j in vs:
            x, y0, y1 = segs[j][1]
            if x0 - _SNAP <= x <= x1 + _SNAP and y0 - _SNAP <= y <= y1 + _SNAP:
                parent[find(i)] = find(j)
    groups: dict[int, list[int]] = {}
    for i in range(len(segs)):
        groups.setdefault(find(i), []).append(i)
    tables = []
    for members in groups.values():
        h = [segs[i][1] for i in members if segs[i][0] == "h"]
        v = [segs[i][1] for i in members if segs[i][0] == "v"]
        if len(h) < 2 or len(v) < 2:
            continue
        ys = _snap([r[1] for r in h])
        xs = _snap([r[0] for r in v])
        t = Table(number, xs[0], ys[0], xs[-1], ys[-1], col_edges=xs)
        for a, b in zip(ys, ys[1:]):
            mid = (a + b) / 2
            edges = _snap([r[0] for r in v if r[1] - _SNAP <= mid <= r[2] + _SNAP])
            if len(edges) < 2:
                continue
            t.rows.append([Cell(l, a, r, b) for l, r in zip(edges, edges[1:])])
        if t.rows:
            tables.append(t)
    tables.sort(key=lambda t: t.top)
    return tables


def _cell_at(tables: list[Table], x: float, y: float) -> Cell | None:
    for t in tables:
        if t.x0 - 1 <= x <= t.x1 + 1 and t.top - 1 <= y <= t.bottom + 1:
            for row in t.rows:
                if row[0].top - 1 <= y <= row[0].bottom + 1:
                    for c in row:
                        if c.x0 - 1 <= x <= c.x1 + 1:
                            return c
    return None


_DIGITS = re.compile(r"\d+")


def _remove_running(lay: Layout) -> None:
    """Drop running headers, footers and page numbers: lines in the top/bottom margin zone whose text
    (digits ignored) repeats at the same height on several pages, or that are only a page number ("7", "7 (25)", "Sida 7")."""
    if not lay.pages:
        return
    shapes: Counter = Counter()
    for pg in lay.pages:
        seen = set()
        for ln in pg.lines:
            if _in_margin(ln, pg):
                seen.add(_shape(ln))
        shapes.update(seen)
    # on most pages (a list table that happens to open two pages at the same height is no header)
    need = max(2, -(-2 * len(lay.pages) // 5)) if len(lay.pages) >= 2 else 1
    page_no = re.compile(r"^(?:(?:sida|page|s\.)\s*)?\d{1,3}(?:\s*\(\s*\d{1,3}\s*\)|\s*(?:/|av|of)\s*\d{1,3})?$", re.I)
    for pg in lay.pages:
        keep = []
        for ln in pg.lines:
            if _in_margin(ln, pg) and (shapes[_shape(ln)] >= need
                                       or (page_no.match(ln.text.strip())  # its own number, not a score
                                           and abs(int(_DIGITS.search(ln.text).group(0)) - pg.number) <= 4)):
                lay.removed.append(ln)
            else:
                keep.append(ln)
        pg.lines = keep


def _borderless_lists(lay: Layout) -> None:
    """Two-column list tables drawn without rulings: a "Styrkor" and a "Förbättrings..." line side by side
    open a table whose left column ends where the right header starts; it runs (over page breaks) until a
    heading, an "Område N" line or a line that crosses the column gap."""
    from .tables import header_kind

    size = Counter(round(ln.size, 1) for pg in lay.pages for ln in pg.lines).most_common(1)
    body = size[0][0] if size else 10.0
    open_t: Table | None = None
    for pg in lay.pages:
        free: list[Line] = []
        cur = None
        if open_t is not None:
            cur = Table(pg.number, open_t.x0, 0, open_t.x1, 0, col_edges=list(open_t.col_edges))
            cur.rows = [[Cell(open_t.col_edges[0], 0, open_t.col_edges[1], 0),
                         Cell(open_t.col_edges[1], 0, open_t.col_edges[2], 0)]]
            cur.top = None
        lines = pg.lines
        i = 0
        while i < len(lines):
            ln = lines[i]
            nxt = lines[i + 1] if i + 1 < len(lines) else None
            if len(ln.text.split()) == 2 and header_kind(ln.text) is None:  # "Styrkor Förbättringsområden"
                a, b = ln.text.split()
                if header_kind(a) and header_kind(b) and header_kind(a) != header_kind(b):
                    cut = split_line(ln, ln.xs[ln.text.index(b)])
                    if cut is not None:
                        lines = lines[:i] + list(cut) + lines[i + 1:]
                        continue
            k1, k2 = header_kind(ln.text), header_kind(nxt.text) if nxt is not None else None
            if (nxt is not None and k1 and k2 and k1 != k2 and abs(ln.baseline - nxt.baseline) < 2
                    and nxt.x0 > ln.x1 + 10):
                if cur is not None and cur.top is not None:
                    pg.tables.append(cur)
                split = nxt.x0 - 2
                cur = Table(pg.number, ln.x0 - 2, ln.top - 2, pg.width, ln.bottom,
                            col_edges=[ln.x0 - 2, split, max(split + 50, pg.width - ln.x0 + 2)])
                cur.rows = [[Cell(cur.col_edges[0], ln.top, split, ln.bottom, [ln]),
                             Cell(split, ln.top, cur.col_edges[2], ln.bottom, [nxt])],
                            [Cell(cur.col_edges[0], ln.bottom, split, 0), Cell(split, ln.bottom, cur.col_edges[2], 0)]]
                i += 2
                continue
            heading = (ln.size >= body + 1 or re.match(r"^Område\s+\d", ln.text)
                       or (ln.bold and not starts_with_bullet(ln.text)))
            if cur is not None and not heading and ln.x0 < cur.col_edges[1] - 5 and ln.x1 > cur.col_edges[1] + 5:
                cut = split_line(ln, cur.col_edges[1])
                if cut is not None:  # the two cells' lines read as one run
                    lines = lines[:i] + list(cut) + lines[i + 1:]
                    continue
            if cur is not None:
                split = cur.col_edges[1]
                ends = ((heading and ln.x0 < split - 5) or ln.size >= body + 1
                        or (ln.x0 < split - 5 and ln.x1 > split + 5))
                if not ends:
                    if cur.top is None:
                        cur.top = ln.top
                    cur.rows[-1][0 if ln.x0 < split - 3 else 1].lines.append(ln)
                    cur.bottom = max(cur.bottom, ln.bottom)
                    i += 1
                    continue
                if cur.top is not None:
                    pg.tables.append(cur)
                cur = None
            free.append(ln)
            i += 1
        open_t = None
        if cur is not None and cur.top is not None:
            pg.tables.append(cur)
            open_t = cur
        pg.lines = free
        pg.tables.sort(key=lambda t: t.top)


def _shape(ln: Line) -> tuple[str, int]:
    """A running line's identity: its text with digits as ``#`` and where it sits (to 6 points)."""
    return _DIGITS.sub("#", ln.text.casefold()), round(ln.baseline / 6)


def _in_margin(ln: Line, pg: Page) -> bool:
    return ln.bottom < pg.height * MARGIN_ZONE or ln.top > pg.height * (1 - MARGIN_ZONE)


def body_pitch(lay: Layout) -> tuple[float, float]:
    """(body font size, baseline pitch of consecutive lines inside a paragraph), the document's modes."""
    sizes: Counter = Counter()
    pitches: Counter = Counter()
    for pg in lay.pages:
        seqs = [pg.lines] + [c.lines for t in pg.tables for r in t.rows for c in r]
        for seq in seqs:
            for a, b in zip(seq, seq[1:]):
                sizes[round(a.size, 1)] += 1
                if abs(a.size - b.size) < 0.2 and b.baseline > a.baseline:
                    pitches[round(b.baseline - a.baseline, 1)] += 1
    size = sizes.most_common(1)[0][0] if sizes else 10.0
    pitch = pitches.most_common(1)[0][0] if pitches else size * 1.2
    if not (size * 0.9 <= pitch <= size * 1.8):
        pitch = statistics.median([p for p in pitches.elements()] or [size * 1.2])
    return size, pitch
