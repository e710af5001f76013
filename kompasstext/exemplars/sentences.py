"""Sentence spans in the raw report text (abbreviation-aware), and light clean-up of a raw slice.

>>> t = "Ex. brandkåren Attunda ingår. Inom skolan är LJUS-projektet ett gott exempel. Mer."
>>> s, e = sentence_span(t, t.index("gott"))
>>> t[s:e]
'Inom skolan är LJUS-projektet ett gott exempel.'
>>> clean("- *ATT – en administration*  i takt\\nmed tiden")
'ATT – en administration i takt med tiden'
"""
from __future__ import annotations

import re
from functools import lru_cache

from ..lang.sv import abbreviations

_END = re.compile(r"[.!?](?=\s|$)|[\n\t]")
_LEAD = " \t\n\r-–•*|#>"
_TRAIL = " \t\n\r*|"


@lru_cache(maxsize=None)
def _abbrevs() -> frozenset[str]:
    a = abbreviations()
    return frozenset(x.lower() for x in a["introducing"] | a["closing"])


def _is_boundary(text: str, m: re.Match) -> bool:
    if m.group() in "\n\t":
        return True
    word_start = max(text.rfind(" ", 0, m.start()), text.rfind("\n", 0, m.start()), text.rfind("\t", 0, m.start()))
    token = text[word_start + 1: m.end()].lower().lstrip("(\"”*")
    if token in _abbrevs() or re.fullmatch(r"\d+\.|[a-zåäö]\.", token):
        return False
    return True


def sentence_span(text: str, pos: int, lo: int = 0, hi: int | None = None) -> tuple[int, int]:
    """``(start, end)`` of the sentence around offset ``pos``, kept within ``[lo, hi)`` and trimmed of
    whitespace and list/markup characters."""
    hi = len(text) if hi is None else hi
    start = lo
    for m in _END.finditer(text, lo, pos):
        if _is_boundary(text, m):
            start = m.end()
    end = hi
    for m in _END.finditer(text, pos, hi):
        if _is_boundary(text, m):
            end = m.end() if m.group() not in "\n\t" else m.start()
            break
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
