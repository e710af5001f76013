"""Theme labels: a noun phrase taken from the theme's own findings, the one most central to the theme.

Candidates are the opening noun phrases of the members' core texts (directive stripped), cut at a
clause boundary (punctuation, a relative/infinitive marker, a preposition opening a purpose clause)
and at most ``MAX_WORDS`` words.  The label is the candidate whose embedding is closest to the theme's
mean embedding, with a small preference for short phrases and for phrases holding the top keyphrase.

>>> noun_phrase("resultatkontrakt till samtliga chefer i organisationen")
'resultatkontrakt till samtliga chefer'
>>> noun_phrase("populärversioner av viktiga handlingar ex. årsredovisningen")
'populärversioner av viktiga handlingar'
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
_CLAUSE_END = re.compile(r"[.,;:!?()\u2013\u2014\"”/]| - ")


def noun_phrase(text: str) -> str:
    """The opening noun phrase of ``text`` (see module doc)."""
    head = _CLAUSE_END.split(text, maxsplit=1)[0]
    words = list(WORD.finditer(head))
    out: list[re.Match] = []
    for k, m in enumerate(words):
        if k > 0 and m.group().lower() in _BOUNDARY_WORDS:
            break
        out.append(m)
        if len(out) == MAX_WORDS:
            break
    while out and out[-1].group().lower() in {"och", "samt", "eller", "av", "till", "för", "om"}:
        out.pop()
    # the original span, so hyphens and inner punctuation stay as written ("Chefs- och ledarstrategi")
    return head[out[0].start():out[-1].end()] if out else ""


def _capitalise(phrase: str) -> str:
    return phrase[:1].upper() + phrase[1:] if phrase else phrase


def choose_label(cores: Sequence[str], member_emb: np.ndarray, cand_emb: np.ndarray, candidates: Sequence[str],
                 keyphrases: Sequence[str]) -> str:
    """The best candidate (see module doc); ``cand_emb`` are the embeddings of ``candidates``."""
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
        if score > best_score + 1e-9 or (abs(score - best_score) <= 1e-9 and cand < best):
            best, best_score = cand, score
    return _capitalise(best)
