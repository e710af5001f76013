"""The praise-cue vocabulary (``kompasstext/lang/sv/praise_cues.json``) compiled, and the cue matcher.

>>> [(m.name, m.text, m.generic) for m in find_cues("Heltidsprojektet inom äldreomsorgen. Gott exempel.")]
[('gott exempel', 'Gott exempel', False)]
>>> [m.generic for m in find_cues("Att sprida goda exempel via utmärkelser är ett sätt.")]
[True]
>>> [m.generic for m in find_cues("Nacka kan lyftas som ett gott exempel till övriga kommuner.")]
[False]
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

LANG_DIR = Path(__file__).resolve().parents[1] / "lang" / "sv"
_WORD = re.compile(r"[^\W\d_]+(?:[.-][^\W\d_]+)*\.?", re.UNICODE)
_SENTENCE_END = re.compile(r"[.!?]\s|[\n\t]")


@dataclass(frozen=True)
class CueMatch:
    """One praise cue found in a text: ``name`` (the vocabulary entry), the matched ``text`` and its span."""

    name: str
    text: str
    start: int
    end: int
    generic: bool = False


@lru_cache(maxsize=None)
@lru_cache(maxsize=None)
def vocabulary() -> dict:
    """The parsed ``praise_cues.json`` (read once; do not modify)."""
    return json.loads((LANG_DIR / "praise_cues.json").read_text(encoding="utf-8"))


@lru_cache(maxsize=None)
def _compiled() -> tuple[tuple[str, re.Pattern, str | None, tuple[str, ...]], ...]:
    return tuple((c["name"], re.compile(c["pattern"], re.IGNORECASE), c.get("family"), tuple(c.get("requires", ())))
                 for c in vocabulary()["cues"])


#: characters looked at on either side of a cue for its clause's words (far more than the few words used)
_WINDOW = 1000


def _clause_words(text: str, start: int, end: int, before: bool, n: int) -> list[str]:
    """Up to ``n`` lower-cased words before/after ``[start, end)``, not crossing a sentence end."""
    if before:
        # a window before the match is enough for n words (scanning the whole text before every match
        # made mining quadratic in the report's length)
        seg = text[max(0, start - _WINDOW):start]
        cut = max((m.end() for m in _SENTENCE_END.finditer(seg)), default=0)
        return [w.lower() for w in _WORD.findall(seg[cut:])][-n:]
    seg = text[end:end + _WINDOW]
    m = _SENTENCE_END.search(seg)
    return [w.lower() for w in _WORD.findall(seg[: m.start() if m else len(seg)])][:n]


def is_generic(text: str, start: int, end: int) -> bool:
    """True when a 'gott exempel' mention at ``[start, end)`` praises nothing in particular
    ("sprida goda exempel", "lyfta fram goda exempel", "Goda exempel ... kan lyftas fram")."""
    rule = vocabulary()["generic"]
    verbs, pred = tuple(rule["verbs"]), set(rule["predicative"])
    before = _clause_words(text, start, end, True, rule["before_words"])
    for k, w in enumerate(before):
        if w.startswith(verbs) and not pred & set(before[k + 1:]):
            return True
    if text[start:end].lower().startswith("goda"):
        after = _clause_words(text, start, end, False, rule["after_words"])
        if any(w.startswith(verbs) for w in after) and not pred & set(after):
            return True
    return False


def find_cues(text: str) -> list[CueMatch]:
    """Every praise cue in ``text``, in text order (overlapping matches of different cues are kept)."""
    family = vocabulary()["generic"]["family"]
    low = text.lower()
    out = []
    for name, pattern, fam, requires in _compiled():
        if requires and not any(r in low for r in requires):
            continue  # the pattern cannot match: skip scanning the whole text with it
        for m in pattern.finditer(text):
            generic = fam == family and is_generic(text, m.start(), m.end())
            out.append(CueMatch(name, m.group(0).strip(), m.start(), m.end(), generic))
    return sorted(out, key=lambda c: (c.start, c.end, c.name))
