"""Sentence spans in the raw report text (abbreviation-aware), and light clean-up of a raw slice.

The sentence boundaries of a text are found once, in one linear pass, and looked up by bisection, so
asking for the sentence around every cue of a report costs O(n + k log n), not O(n·k).

>>> t = "Ex. brandkåren Attunda ingår. Inom skolan är LJUS-projektet ett gott exempel. Mer."
>>> s, e = sentence_span(t, t.index("gott"))
>>> t[s:e]
'Inom skolan är LJUS-projektet ett gott exempel.'
>>> clean("- *ATT – en administration*  i takt\\nmed tiden")
'ATT – en administration i takt med tiden'
"""
from __future__ import annotations

import bisect
import re
from functools import lru_cache

from ..lang.sv import abbreviations

_END = re.compile(r"[.!?](?=\s|$)|[\n\t]")
_LEAD = " \t\n\r-–•*|#>"
_TRAIL = " \t\n\r*|"
#: how far back (characters) the word before a full stop is looked for; abbreviations are short
_WORD_WINDOW = 64


@lru_cache(maxsize=None)
def _abbrevs() -> frozenset[str]:
    a = abbreviations()
    return frozenset(x.lower() for x in a["introducing"] | a["closing"])


def _is_boundary(text: str, start: int, end: int) -> bool:
    """Whether the end mark ``text[start:end]`` ends a sentence (not an abbreviation, ordinal or initial)."""
    if text[start] in "\n\t":
        return True
    lo = max(0, start - _WORD_WINDOW)
    word_start = max(text.rfind(" ", lo, start), text.rfind("\n", lo, start), text.rfind("\t", lo, start))
    if word_start < 0:
        word_start = lo - 1
    token = text[word_start + 1: end].lower().lstrip("(\"”*")
    if token in _abbrevs() or re.fullmatch(r"\d+\.|[a-zåäö]\.", token):
        return False
    return True


@lru_cache(maxsize=4)
def _boundaries(text: str) -> tuple[list[int], list[int], list[int]]:
    """Every sentence boundary of ``text``, as three sorted lists: where the end mark starts, where the
    next sentence may start (after the mark) and where the sentence ends (after a full stop, before a
    line break or tab).  Cached per text (a str caches its hash, so a hit costs O(1))."""
    marks, after, ends = [], [], []
    for m in _END.finditer(text):
        if _is_boundary(text, m.start(), m.end()):
            marks.append(m.start())
            after.append(m.end())
            ends.append(m.end() if m.group() not in "\n\t" else m.start())
    return marks, after, ends


def sentence_span(text: str, pos: int, lo: int = 0, hi: int | None = None) -> tuple[int, int]:
    """``(start, end)`` of the sentence around offset ``pos``, kept within ``[lo, hi)`` and trimmed of
    whitespace and list/markup characters.

    >>> sentence_span("Bra. Mycket bra! Slut", 7)
    (5, 16)
    >>> sentence_span("Bra. Mycket bra! Slut", 7, lo=7, hi=12)
    (7, 11)
    """
    hi = len(text) if hi is None else hi
    marks, after, ends = _boundaries(text)
    start = lo
    k = bisect.bisect_right(after, pos) - 1  # the last boundary ending at or before pos
    if k >= 0 and marks[k] >= lo:
        start = after[k]
    # a mark right before pos counts even when pos cuts the word after it (the range ends there)
    if lo < pos <= len(text) and text[pos - 1] in ".!?" and (k < 0 or after[k] != pos) \
            and _is_boundary(text, pos - 1, pos):
        start = pos
    end = hi
    k = bisect.bisect_left(marks, pos)  # the first boundary at or after pos
    if k < len(marks) and after[k] <= hi:
        end = ends[k]
    return trim(text, start, end)


def trim(text: str, start: int, end: int) -> tuple[int, int]:
    """Shrink ``[start, end)`` past leading bullets/markup and trailing whitespace."""
    while start < end and text[start] in _LEAD:
        start += 1
    while end > start and text[end - 1] in _TRAIL:
        end -= 1
    return start, end


def clean(raw: str) -> str:
    """A raw slice as plain text: markup asterisks and bullets dropped, whitespace collapsed."""
    s = re.sub(r"[*]+", "", raw)
    s = re.sub(r"(?m)^\s*[-•]\s+", "", s)
    return re.sub(r"\s+", " ", s).strip()
