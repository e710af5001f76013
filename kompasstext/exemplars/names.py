"""Municipality names in a sentence, found by structure and confirmed by a gazetteer.

Structures: a capitalised word (or two) before ``kommun``/``stad`` ("Lidköpings kommun"), a
capitalised name after a model cue ("Se gärna på Umeås arbete", "inspiration från Tanum"), and a
genitive ``-s`` form before a noun ("Skövdes modell").  A candidate is confirmed by
``kompasstext/lang/sv/municipalities.txt`` (Sweden's 290 municipalities, public data); the
``X kommun`` structure is strong enough on its own unless X is a function word ("En kommun").

>>> municipality_names("Se gärna på Umeås arbete med chefskontrakt.")
['Umeå']
>>> municipality_names("Nyföretagarcentrum i samverkan med Järfälla kommun.")
['Järfälla']
>>> municipality_names("Nackas styrning är exemplarisk.", exclude="Nacka")
[]
>>> municipality_names("En kommun som utvärderas får värdefull information.")
[]
"""
from __future__ import annotations

import re
from functools import lru_cache

from .cues import LANG_DIR, vocabulary

_NAME = r"[A-ZÅÄÖ][a-zåäöéü]+(?:(?:-| )[A-ZÅÄÖ][a-zåäöéü]+)?"
_KOMMUN = re.compile(rf"(?<![\w-])(?P<name>{_NAME})\s+(?:kommuns?|stads?)\b")
_GENITIVE = re.compile(rf"(?<![\w-])(?P<name>{_NAME}s)\s+(?=[a-zåäö])")


def _key(name: str) -> str:
    return re.sub(r"[\s-]+", " ", name).strip().casefold()


@lru_cache(maxsize=None)
def gazetteer() -> dict[str, str]:
    """``{normalised name: official spelling}`` of Sweden's municipalities."""
    lines = (LANG_DIR / "municipalities.txt").read_text(encoding="utf-8").splitlines()
    return {_key(n): n.strip() for n in lines if n.strip() and not n.startswith("#")}


@lru_cache(maxsize=None)
def _function_words() -> frozenset[str]:
    lines = (LANG_DIR / "stopwords.txt").read_text(encoding="utf-8").splitlines()
    return frozenset(w.strip().casefold() for w in lines if w.strip() and not w.startswith("#"))


@lru_cache(maxsize=None)
def _after_cue() -> re.Pattern:
    cues = sorted(vocabulary()["name_cues"]["before_name"], key=len, reverse=True)
    alt = "|".join(re.escape(c).replace(r"\ ", r"\s+") for c in cues)
    return re.compile(rf"(?i:(?<![\w-])(?:{alt}))\s+(?P<name>{_NAME})")


def confirm(candidate: str) -> str | None:
    """The official spelling of ``candidate`` (as written, or minus a genitive ``-s``), else None."""
    g = gazetteer()
    for form in (candidate, candidate[:-1] if candidate.endswith("s") else None):
        if form and _key(form) in g:
            return g[_key(form)]
    return None


def municipality_names(text: str, exclude: str | None = None) -> list[str]:
    """Municipalities named in ``text`` (official spelling, text order, unique), minus ``exclude``."""
    found: list[tuple[int, str]] = []
    for m in _KOMMUN.finditer(text):
        name = m.group("name")
        official = confirm(name)
        if official is None and m.start() > 0 and name.split()[0].casefold() not in _function_words():
            official = name  # "X kommun" names a municipality even if X is misspelt or abroad
        if official:
            found.append((m.start(), official))
    for pattern in (_after_cue(), _GENITIVE):
        for m in pattern.finditer(text):
            official = confirm(m.group("name"))
            if official and m.start("name") > 0:
                found.append((m.start("name"), official))
    skip = _key(exclude) if exclude else None
    out: list[str] = []
    for _, name in sorted(found):
        if _key(name) != skip and name not in out:
            out.append(name)
    return out
