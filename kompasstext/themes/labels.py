"""Theme labels: a noun phrase taken from the theme's own findings, the one most central to the theme.

Candidates are the opening noun phrases of the members' core texts (directive stripped), cut at a
clause boundary (punctuation, a relative/infinitive marker, a preposition opening a purpose clause)
and at most ``MAX_WORDS`` words.  The label is the candidate whose embedding is closest to the theme's
mean embedding, with a small preference for short phrases and for phrases holding the top keyphrase.

>>> noun_phrase("resultatkontrakt till samtliga chefer i organisationen")
'resultatkontrakt till samtliga chefer'
>>> noun_phrase("populärversioner av viktiga handlingar ex. årsredovisningen")
'populärversioner av viktiga handlingar'
>>> noun_phrase("En tydlig rollfördelning mellan politiker och tjänstemän")
'tydlig rollfördelning'
>>> noun_phrase("Styrmodellen utvecklas succesivt")
'Styrmodellen'
"""
from __future__ import annotations

import re
from typing import Sequence

import numpy as np

from .text import WORD, lemma_tokens

MAX_WORDS = 5
#: words that open a subordinate clause or an adjunct: a noun phrase label stops before them
_BOUNDARY_WORDS = {"som", "att", "genom", "där", "så", "när", "eftersom", "men", "i", "inom", "på", "vid", "med",
                   "utifrån", "kring", "mellan", "både", "även", "ex", "t", "bl", "inkl", "dock", "är", "har",
                   "kan", "ska", "skall", "finns", "sker", "gäller", "för", "–", "-"}
#: heads too generic to name a theme on their own
_GENERIC = {"kommunen", "kommun", "arbetet", "arbete", "verksamheten", "verksamheterna", "organisationen"}
_CLAUSE_END = re.compile(r"[.,;:!?()\u2013\u2014\"”/]| - ")


def _is_finite_verb(word: str) -> bool:
    """A present, past or passive verb form (*utvecklas*, *driver*, *används*): its lemma is an -a
    infinitive other than the word; plural nouns in -or (*frågor*) are not."""
    from .text import lemma

    w = word.lower()
    if len(w) < 3 or not w.isalpha() or w.endswith("or"):
        return False
    lem = lemma(w)
    return lem != w and lem.endswith(("a", "å")) and w.endswith(("ar", "er", "ir", "yr", "år", "s", "de", "te"))


def _dangling(word: str) -> bool:
    """A word a noun phrase cannot end with: a function word or a genitive (*kommunens*)."""
    from ..segmentation.features import function_words

    w = word.lower()
    return w in function_words() or w in {"gentemot", "samt"} or (w.endswith(("ens", "ets", "arnas", "ernas"))
                                                                  and len(w) > 5)


def noun_phrase(text: str) -> str:
    """The opening noun phrase of ``text`` (see module doc): leading articles and determiners dropped,
    cut before a finite verb, never ending in a function word or a genitive."""
    from ..segmentation.features import determiners

    head = _CLAUSE_END.split(text, maxsplit=1)[0]
    words = list(WORD.finditer(head))
    while words and words[0].group().lower() in determiners():
        words = words[1:]
    if words and _is_finite_verb(words[0].group()):
        return ""  # a clause ("Pågår en översyn …"), not a noun phrase
    out: list[re.Match] = []
    for k, m in enumerate(words):
        if k > 0 and (m.group().lower() in _BOUNDARY_WORDS or _is_finite_verb(m.group())):
            break
        out.append(m)
        if len(out) == MAX_WORDS:
            break
    while out and _dangling(out[-1].group()):
        out.pop()
    if len(out) == 1 and out[0].group().lower() in _GENERIC:
        return ""
    # the original span, so hyphens and inner punctuation stay as written ("Chefs- och ledarstrategi")
    return head[out[0].start():out[-1].end()] if out else ""


def _capitalise(phrase: str) -> str:
    return phrase[:1].upper() + phrase[1:] if phrase else phrase


def choose_label(cores: Sequence[str], member_emb: np.ndarray, cand_emb: np.ndarray, candidates: Sequence[str],
                 keyphrases: Sequence[str], *, exclude_names: Sequence[str] = ()) -> str:
    """The best candidate (see module doc); ``cand_emb`` are the embeddings of ``candidates``.  A candidate
    naming one of ``exclude_names`` (the members' municipalities) is used only if nothing else is left."""
    if not candidates:
        return ""
    centre = member_emb.mean(0)
    centre = centre / max(float(np.linalg.norm(centre)), 1e-12)
    top = set(keyphrases[:3])
    best, best_score = candidates[0], -np.inf
    for cand, e in zip(candidates, cand_emb):
        n_words = len(cand.split())
        if n_words == 0:
            continue
        toks = set(lemma_tokens(cand))
        score = float(e @ centre) - 0.01 * max(n_words - 3, 0) + 0.02 * len(toks & top) - (0.05 if not toks else 0)
        if any(name and name.lower() in cand.lower() for name in exclude_names):
            score -= 1.0  # a theme recurs across municipalities: its label names none of them
        if score > best_score + 1e-9 or (abs(score - best_score) <= 1e-9 and cand < best):
            best, best_score = cand, score
    return _capitalise(best)
