"""Keyphrases as a reader sees them: the words the findings use, not the lemmatiser's guesses.

c-TF-IDF ranks lemma terms (so *planer* and *plan* count together), but a lemma can be a word the text
never had (simplemma gives *plana* for *plan*, *muta* for *mutor*, *upplands-broa*).  Each ranked
term is shown in the members' own most frequent surface form of each of its lemmas, and a term is
dropped when it names a municipality (one of the corpus's, or a gazetteer name the members write
capitalised), when one of its lemmas is no word of the members' texts (a compound part such as
*barhet* from *uppföljningsbarhet*), when a word is shorter than three letters, or when it repeats an
earlier term.

>>> surface_keyphrases(["plana", "muta jäva", "norrtäljepanel"], ["En plan för miljön", "Policy mot mutor och jäv",
...                    "Dialog i Norrtäljepanelen"], municipalities=["Norrtälje"])
['plan', 'mutor jäv']
"""
from __future__ import annotations

import re
from collections import Counter, defaultdict
from functools import lru_cache
from pathlib import Path
from typing import Iterable, Sequence

from .text import WORD, lemma

_LANG = Path(__file__).resolve().parent.parent / "lang" / "sv"


@lru_cache(maxsize=1)
def gazetteer() -> frozenset[str]:
    """Sweden's municipality names, lower-cased (``lang/sv/municipalities.txt``)."""
    lines = (_LANG / "municipalities.txt").read_text(encoding="utf-8").splitlines()
    return frozenset(s.strip().lower() for s in lines if s.strip() and not s.startswith("#"))


def surface_forms(texts: Iterable[str]) -> tuple[dict[str, str], set[str]]:
    """``lemma → most frequent lower-cased surface word`` over ``texts`` (whole words only: a compound's
    head is not a word of the text), and the words that stand capitalised after a lower-case word."""
    forms: dict[str, Counter] = defaultdict(Counter)
    proper: set[str] = set()
    for text in texts:
        prev_lower = False
        for m in WORD.finditer(text):
            raw = m.group()
            if text[m.end():m.end() + 1] == "-":
                continue  # "löne- och medarbetarsamtal": the first part of a shared compound
            w = raw.lower()
            if raw[0].isupper() and prev_lower:
                proper.add(w)
            prev_lower = raw.islower()
            forms[lemma(w)][w] += 1
    best = {lem: sorted(c.items(), key=lambda kv: (-kv[1], kv[0]))[0][0] for lem, c in forms.items()}
    return best, proper


def _trie_pattern(node: dict) -> str:
    """The regular expression of a character trie (``{char: child}``, ``""`` marks a word's end): a
    position of the text follows one branch per character instead of trying every word."""
    alts = [re.escape(c) + _trie_pattern(child) for c, child in sorted(node.items()) if c]
    if not alts:
        return ""
    body = alts[0] if len(alts) == 1 and "" not in node else "(?:" + "|".join(alts) + ")"
    return body + "?" if "" in node else body


@lru_cache(maxsize=8)
def _name_pattern(names: tuple[str, ...]) -> re.Pattern | None:
    """One regular expression for all ``names`` (lower-cased): their character trie."""
    trie: dict = {}
    for n in {n.lower() for n in names if n}:
        node = trie
        for ch in n:
            node = node.setdefault(ch, {})
        node[""] = {}
    return re.compile(_trie_pattern(trie)) if trie else None


def contains_name(text: str, names: Sequence[str]) -> bool:
    """True when one of ``names`` (case-insensitive) occurs anywhere in ``text``, as a substring (one
    compiled pattern per set of names: an archive has thousands of municipality names to test).

    >>> contains_name("Nackas värdegrund", ["Nacka", "Täby"]), contains_name("Värdegrund", ["Nacka"])
    (True, False)
    """
    rx = _name_pattern(tuple(names))
    return rx is not None and rx.search(text.lower()) is not None


def _names_a_municipality(word: str, names: Sequence[str], proper: set[str]) -> bool:
    w = word.lower()
    if contains_name(w, names):
        return True
    return w in proper and w in gazetteer()


def surface_keyphrases(terms: Sequence[str], texts: Sequence[str], *, municipalities: Sequence[str] = (),
                       top: int | None = None) -> list[str]:
    """``terms`` (ranked lemma uni-/bigrams) in the surface forms of ``texts`` (see module doc)."""
    forms, proper = surface_forms(texts)
    names = [n.lower() for n in municipalities if n]
    out: list[str] = []
    for term in terms:
        words = [forms.get(t) for t in term.split()]
        if any(w is None or len(w) < 3 or w.startswith("-") or _names_a_municipality(w, names, proper)
               for w in words):
            continue  # a lemma no member writes as a word (a compound part), a fragment, or a name
        shown = " ".join(words)
        if shown in out or (len(words) == 2 and words[0] == words[1]):
            continue
        if len(words) == 1 and any(re.search(rf"(?<!\S){re.escape(shown)}(?!\S)", o) for o in out):
            continue  # a word already shown inside a better-ranked phrase
        out.append(shown)
        if top is not None and len(out) == top:
            break
    return out
