"""Subheadings glued into a flattened narrative, found again.

A docplayer transcript flattens a report's narrative into running sentences: its subheadings (in these
reports almost always the area's "Rubriker" names or the sub-question texts, more or less verbatim) are left
at the start of the sentence that follows them — ``"… kommunalval. Information till medborgarna Kommunen
har …"``.  :func:`inline_headings` finds them again: a sentence whose first words resemble one of the
area's names and are followed by a capitalised word gets that name's heading, and the sentences after it
sit under it until the next one.  A generic heading ("Allmänt", "Sammanfattning") closes the section.

>>> from kompasstext.model import Passage
>>> ps = [Passage("Allmänt En kommun är en politiskt styrd organisation."),
...       Passage("Information till medborgarna Kommunen har en ny webbplats."),
...       Passage("Protokollen publiceras inom en vecka."),
...       Passage("Motverkan av korruption Kommunen har en policy mot mutor.")]
>>> [(p.heading, p.text[:20]) for p in inline_headings(ps, ["Information till medborgare",
...                                                          "Etik – motverkan av korruption"])]
[(None, 'En kommun är en poli'), ('Information till medborgarna', 'Kommunen har en ny w'), ('Information till medborgarna', 'Protokollen publicer'), ('Motverkan av korruption', 'Kommunen har en poli')]
"""
from __future__ import annotations

import re
from dataclasses import replace
from functools import lru_cache
from typing import Sequence

from ..frameworks import _norm, similarity
from ..model import Passage

#: headings that open a section saying nothing about one sub-question
GENERIC = ("allmänt", "sammanfattning", "inledning", "övrigt", "bakgrund")
#: least character similarity of a sentence's first words to a name for them to be its subheading
MIN_SIMILARITY = 0.8
#: a subheading has at most this many words
MAX_WORDS = 14
#: fewest subheadings found for the narrative to count as headed
MIN_HEADINGS = 2

_WORD = re.compile(r"\S+")


def _starts_sentence(word: str) -> bool:
    return bool(word) and (word[0].isupper() or word[0].isdigit())


def _name_parts(name: str) -> list[str]:
    """A name and its halves around a dash or colon ("Etik – motverkan av korruption" → both halves)."""
    name = " ".join(name.replace("?", " ").split())
    parts = [name] + [p.strip() for p in re.split(r"\s[-–:]\s|:\s", name) if p.strip() and p.strip() != name]
    return [p for p in parts if len(p) >= 4]


@lru_cache(maxsize=4096)
def _parts_of(names: tuple[str, ...]) -> tuple[tuple[str, int], ...]:
    """Every name's parts with their normalised lengths (an area's names head all of its passages)."""
    return tuple((p, len(_norm(p))) for n in names for p in _name_parts(n))


def _contained(prefix: str, name: str) -> float:
    """1.0 when every word of a name of two or more words is among the prefix's words, and the prefix is
    at most two words longer ("Tydliga politiska mål" for "Politiska mål"), else 0.0."""
    pw = [w.strip(",.:;()").casefold() for w in prefix.split()]
    nw = [w.strip(",.:;()").casefold() for w in name.split()]
    if len(nw) < 2 or len(pw) > len(nw) + 2:
        return 0.0
    return 1.0 if all(w in pw for w in nw) else 0.0


def heading_prefix(text: str, names: Sequence[str]) -> tuple[int, str | None] | None:
    """``(end, heading)`` when ``text`` opens with a subheading: the character end of the heading words
    and the heading as written (None for a generic one); None when it does not.

    >>> heading_prefix("Tydliga politiska mål Kommunen har mål.", ["Politiska mål"])
    (21, 'Tydliga politiska mål')
    >>> heading_prefix("Tydliga politiska mål Kommunen har mål.", ["Tydliga mål för politiken"])
    >>> heading_prefix("Politiska mål Kommunen har mål.", ["Politiska mål"])
    (13, 'Politiska mål')
    >>> heading_prefix("Politiska mål saknas i flera nämnder.", ["Politiska mål"]) is None
    True
    """
    words = list(_WORD.finditer(text))
    if len(words) < 3:
        return None
    first = words[0].group(0).casefold().rstrip(":.")
    if first in GENERIC and _starts_sentence(words[1].group(0)):
        return words[0].end(), None
    parts = _parts_of(tuple(names))
    best: tuple[float, int] | None = None
    for k in range(1, min(MAX_WORDS, len(words) - 2) + 1):
        nxt = words[k].group(0)
        last = words[k - 1].group(0)
        if not _starts_sentence(nxt) or re.search(r"[.!?,;]$", last):
            continue
        prefix = text[:words[k - 1].end()]
        n = len(_norm(prefix))
        # a ratio 2M / (n + m) can't reach MIN_SIMILARITY when 2 min(n, m) / (n + m) doesn't: skip those
        score = max((max(similarity(prefix, p) if 2 * min(n, m) >= MIN_SIMILARITY * (n + m) else 0.0,
                         _contained(prefix, p)) for p, m in parts), default=0.0)
        if score >= MIN_SIMILARITY and (best is None or score > best[0]):
            best = (score, words[k - 1].end())
    if best is None:
        return None
    return best[1], text[:best[1]]


def inline_headings(passages: Sequence[Passage], names: Sequence[str]) -> list[Passage]:
    """The passages with the subheadings found at their starts (see the module docstring); unchanged
    when fewer than :data:`MIN_HEADINGS` are found."""
    out: list[Passage] = []
    current: str | None = None
    found = 0
    for p in passages:
        hit = heading_prefix(p.text, names)
        if hit is not None:
            end, current = hit
            found += current is not None
            rest = p.text[end:].lstrip()
            p = replace(p, text=rest, heading=current,
                        start=None if p.start is None else p.start + len(p.text) - len(rest))
        else:
            p = replace(p, heading=current)
        out.append(p)
    return out if found >= MIN_HEADINGS else list(passages)
