"""Area headings lost from a flattened transcript, found again from the area's own Rubriker box.

Every area of a transcript opens with ``Område N <title> Rubriker <rubrics> Poäng NN``.  When the
``Område N <title>`` words are gone, the ``Rubriker … Poäng NN`` box is still there: inside the previous
area's span a second box starts the next area.  It is numbered after the area it sits in (when that number
is missing and fits before the next heading); its title comes from the score overview.

>>> import re
>>> text = ("Område 1 Demokrati Rubriker Etik Poäng 50 Text om demokrati. Styrkor Bra. "
...         "Rubriker Service Poäng 60 Text om service. Styrkor Också bra. "
...         "Översikt av poängfördelning 2. Tillgänglighet Uppnått Max 1 2")
>>> heads = [re.search(r"Område (?P<num>1) (?P<title>Demokrati) Rubriker", text)]
>>> diags = []
>>> [(int(h.group("num")), h.group("title")) for h in recover_inline_headings(text, heads, text.index("Översikt"),
...                                                                          text.index("Översikt"), diags)]
[(1, 'Demokrati'), (2, 'Tillgänglighet')]
>>> diags[0].code
'W107'
"""
from __future__ import annotations

import re

from ..errors import MESSAGES
from ..model import Diagnostic
from .finalize import LOST_TITLE

# "Rubriker <rubrics> Poäng NN" or "Rubriker Poäng <rubrics> NN"
_BOX = re.compile(r"(?<![\w.])Rubriker\b(?=\s+Poäng\b|.{0,1500}?\bPoäng\s*:?\s*\d{1,3}\b)", re.S)
_FLAT_TITLE = re.compile(r"(?<![\d.])(\d{1,2})\.\s+([^\d\n]{3,160}?)\s+Uppnått\s+Max")
#: areas of a complete report
N_AREAS = 8


class LostHeading:
    """Stands in for the ``re.Match`` of a heading that is not in the text (``group``, ``start``, ``end``)."""

    def __init__(self, number: int, title: str, start: int, end: int):
        self._groups = {"num": str(number), "title": title}
        self._start, self._end = start, end

    def group(self, name: str) -> str:
        return self._groups[name]

    def start(self) -> int:
        return self._start

    def end(self) -> int:
        return self._end


def recover_inline_headings(text: str, heads: list, end: int, score_start: int | None,
                            diags: list[Diagnostic]) -> list:
    """``heads`` (matches with ``num``/``title`` groups, in order) plus a :class:`LostHeading` for every
    area found only by its Rubriker box, in document order; W107 for each."""
    if not heads:
        return heads
    titles: dict[int, str] = {}
    if score_start is not None:
        for m in _FLAT_TITLE.finditer(text, score_start):
            titles.setdefault(int(m.group(1)), " ".join(m.group(2).split()))
    known = {int(h.group("num")) for h in heads}
    out = list(heads)
    first = int(heads[0].group("num"))
    before = list(_BOX.finditer(text, max(0, heads[0].start() - 20000), heads[0].start()))
    if first == 2 and before:  # the first area's heading is gone: its box is the last one before area 2
        m = before[-1]
        out.append(LostHeading(1, titles.get(1, LOST_TITLE), m.start(), m.end()))
        known.add(1)
        diags.append(Diagnostic("W107", f"{MESSAGES['W107']}: no 'Område 1' heading, but a Rubriker box before "
                                "area 2 starts the first area: read as area 1", area=1, start=m.start(), end=m.end()))
    for i, h in enumerate(heads):
        stop = heads[i + 1].start() if i + 1 < len(heads) else end
        limit = int(heads[i + 1].group("num")) if i + 1 < len(heads) else N_AREAS + 1
        num = int(h.group("num"))
        for m in _BOX.finditer(text, h.end(), stop):
            num += 1
            if num in known or num >= limit:
                break
            title = titles.get(num, LOST_TITLE)
            out.append(LostHeading(num, title, m.start(), m.end()))
            known.add(num)
            diags.append(Diagnostic(
                "W107", f"{MESSAGES['W107']}: no 'Område {num}' heading, but a Rubriker box starts an area after "
                f"area {num - 1}: read as area {num}" + (f" ({title}, title from the score table)"
                                                         if num in titles else ""),
                area=num, start=m.start(), end=m.end()))
    return sorted(out, key=lambda h: h.start())
