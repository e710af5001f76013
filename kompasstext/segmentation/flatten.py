"""Flatten an explicitly delimited list the way a PDF transcript flattens it.

A docplayer transcript joins a list's items with spaces and breaks the text only at page ends, where
the page header/footer line sits.  A page break falls at a *line* end of the typeset list, so it is
more often between two items than inside one.  :func:`flatten_items` reproduces that: the items are
wrapped at a typical table-column width, and (with a seeded, deterministic draw) a page break is put at
one of the list's line ends.  Training (:mod:`.train`) and the out-of-sample harness (:mod:`.evaluate`)
both use it, so the boundary model learns what a page break says about an item boundary.

>>> flat = flatten_items(["Tydlig vision", "Utveckla rutiner för uppföljning"], key="demo", p_break=0.0)
>>> flat.text, flat.starts, flat.breaks
('Tydlig vision Utveckla rutiner för uppföljning', (0, 14), ())
"""
from __future__ import annotations

import random
import textwrap
import zlib
from dataclasses import dataclass

#: characters per line of a typeset list (a two-column Word table: about half an A4 text width)
LINE_WIDTH = 48
#: chance that a list is interrupted by a page break (one break; two when the list is long)
P_BREAK = 0.5
#: lines per page: a list longer than this has a second break
LINES_PER_PAGE = 40


@dataclass(frozen=True)
class FlatList:
    """A run-on list: its text, the offsets where items start, and where page breaks were."""

    text: str
    starts: tuple[int, ...]
    breaks: tuple[int, ...]


def _line_ends(items: list[str], width: int) -> tuple[str, list[int], list[int]]:
    """The joined text, the item starts, and the offset of the token after each typeset line end."""
    text, starts, ends = "", [], []
    for it in items:
        it = " ".join(it.split())
        if text:
            text += " "
        starts.append(len(text))
        pos = len(text)
        for line in textwrap.wrap(it, width=width, break_long_words=False, break_on_hyphens=False):
            pos += len(line) + 1
            ends.append(pos)
        text += it
    return text, starts, ends


def flatten_items(items: list[str], *, key: str, p_break: float = P_BREAK, width: int = LINE_WIDTH,
                  lines_per_page: int = LINES_PER_PAGE) -> FlatList:
    """Join ``items`` with spaces; with probability ``p_break`` (seeded by ``key``) mark a page break
    at one of the typeset list's line ends (offset of the token after the break)."""
    text, starts, ends = _line_ends(items, width)
    # a line end is the offset of the next token (the space after the line is consumed)
    cuts = sorted({e for e in ends if 0 < e < len(text)})
    rng = random.Random(zlib.crc32(key.encode("utf-8")))
    breaks: list[int] = []
    if cuts:
        n = 1 + len(ends) // lines_per_page
        for _ in range(n):
            if rng.random() < p_break:
                breaks.append(cuts[rng.randrange(len(cuts))])
    return FlatList(text=text, starts=tuple(starts), breaks=tuple(sorted(set(breaks))))
