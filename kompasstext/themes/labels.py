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

from .keyphrases import contains_name
from .text import WORD, lemma_tokens

MAX_WORDS = 5
#: words that open a subordinate clause or an adjunct: a noun phrase label stops before them
_BOUNDARY_WORDS = {"som", "att", "genom", "där", "så", "när", "eftersom", "men", "i", "inom", "på", "vid", "med",
                   "utifrån", "kring", "mellan", "både", "även", "ex", "t", "bl", "inkl", "dock", "är", "har",
                   "kan", "ska", "skall", "finns", "sker", "gäller", "för", "–", "-"}
#: quantifiers and attributive adjectives: a label neither starts nor ends with them
#: ("Alla chefsmöten" → "Chefsmöten", "Populärversioner av vissa" → "Populärversioner")
_QUANTIFIERS = {"alla", "flera", "vissa", "några", "samtliga", "olika", "övriga", "flertalet", "många", "andra",
                "egna", "ordinarie", "befintliga", "respektive", "del",
                # adverbs a noun phrase cannot end with
                "tillsammans", "framgent", "regelbundet", "kontinuerligt", "löpande", "gärna", "också", "även",
                "vidare", "redan", "idag", "mer", "mera", "bättre", "direkt", "aktivt", "internt", "externt",
                # pronouns
                "dem", "dessa", "detta", "denna", "sig"}
#: heads too generic to name a theme on their own
_GENERIC = {"kommunen", "kommun", "arbetet", "arbete", "verksamheten", "verksamheterna", "organisationen"}
#: prepositions that open an adjunct: a label does not start with one
_LEADING_PREPOSITIONS = {"under", "på", "i", "inom", "utifrån", "för", "med", "vid", "genom", "efter", "inför",
                         "kring", "mellan", "enligt"}
_CLAUSE_END = re.compile(r"[.,;:!?()\u2013\u2014\"”/]| - ")


def _is_finite_verb(word: str) -> bool:
    """A present, past or passive verb form (*utvecklas*, *driver*, *används*): its lemma is an -a
    infinitive other than the word; plural nouns in -or (*frågor*) are not."""
    from .text import lemma

    w = word.lower()
    if len(w) < 3 or not w.isalpha() or w.endswith(("or", "ande", "ende")):  # -ande: a participle
        return False
    lem = lemma(w)
    return lem != w and lem.endswith(("a", "å")) and w.endswith(("ar", "er", "ir", "yr", "år", "s", "de", "te"))


def _dangling(word: str) -> bool:
    """A word a noun phrase cannot end with: a function word or a genitive (*kommunens*)."""
    from ..segmentation.features import function_words

    w = word.lower()
    return (w in function_words() or w in {"gentemot", "samt"} or w in _QUANTIFIERS
            or (w.endswith(("ens", "ets", "arnas", "ernas")) and len(w) > 5))


def noun_phrase(text: str) -> str:
    """The opening noun phrase of ``text`` (see module doc): leading articles and determiners dropped,
    cut before a finite verb, never ending in a function word or a genitive."""
    from ..segmentation.features import determiners

    head = _CLAUSE_END.split(text, maxsplit=1)[0]
    words = list(WORD.finditer(head))
    while words and (words[0].group().lower() in determiners() or words[0].group().lower() in _QUANTIFIERS
                     or (len(words) > 1 and words[0].group().lower() in _LEADING_PREPOSITIONS)):
        words = words[1:]  # "Under budgetprocessen", "På tjänstemannanivå": the noun phrase after it
    if words and _is_finite_verb(words[0].group()):
        return ""  # a clause ("Pågår en översyn …"), not a noun phrase
    if words and words[0].group().lower() in function_words_():
        return ""  # an indirect question or a clause ("hur kommunen framgent ska …")
    out: list[re.Match] = []
    for k, m in enumerate(words):
        if k > 0 and (m.group().lower() in _BOUNDARY_WORDS or _is_finite_verb(m.group())
                      or (m.group().lower() in ("en", "ett") and k > 0 and words[k - 1].group().lower() != "och")):
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


def function_words_() -> frozenset[str]:
    from ..segmentation.features import function_words

    return function_words()


def _capitalise(phrase: str) -> str:
    return phrase[:1].upper() + phrase[1:] if phrase else phrase


def rank_labels(cores: Sequence[str], member_emb: np.ndarray, cand_emb: np.ndarray, candidates: Sequence[str],
                keyphrases: Sequence[str], *, exclude_names: Sequence[str] = ()) -> list[tuple[str, float]]:
    """Candidates with their scores, best first (see module doc); ``cand_emb`` are the embeddings of
    ``candidates``.  A candidate naming one of ``exclude_names`` (the corpus's municipalities) sinks to
    the bottom: a theme recurs across municipalities, its label names none of them."""
    if not len(candidates):
        return []
    centre = member_emb.mean(0)
    centre = centre / max(float(np.linalg.norm(centre)), 1e-12)
    top = set(keyphrases[:3])
    scored = []
    for cand, e in zip(candidates, cand_emb):
        n_words = len(cand.split())
        if n_words == 0:
            continue
        toks = set(lemma_tokens(cand))
        score = float(e @ centre) - 0.01 * max(n_words - 3, 0) + 0.02 * len(toks & top) - (0.05 if not toks else 0)
        if contains_name(cand, exclude_names):
            score -= 1.0
        scored.append((_capitalise(cand), round(score, 9)))
    return sorted(scored, key=lambda cs: (-cs[1], cs[0]))


def choose_label(cores: Sequence[str], member_emb: np.ndarray, cand_emb: np.ndarray, candidates: Sequence[str],
                 keyphrases: Sequence[str], *, exclude_names: Sequence[str] = ()) -> str:
    """The best candidate of :func:`rank_labels` (``""`` when there is none)."""
    ranked = rank_labels(cores, member_emb, cand_emb, candidates, keyphrases, exclude_names=exclude_names)
    return ranked[0][0] if ranked else ""


def unique_labels(ranked: dict[int, list[tuple[str, float]]], keyphrases: dict[int, Sequence[str]]) -> dict[int, str]:
    """One label per theme, no two alike: the theme whose best candidate scores higher keeps it, the
    other takes its next candidate; with none left, its top keyphrase is added ("Jämförelser – enhet").

    >>> unique_labels({1: [("Jämförelser", 0.9)], 2: [("Jämförelser", 0.8), ("Externa jämförelser", 0.7)]}, {})
    {1: 'Jämförelser', 2: 'Externa jämförelser'}
    >>> unique_labels({1: [("Jämförelser", 0.9)], 2: [("Jämförelser", 0.8)]}, {2: ["enhet", "varandra"]})
    {1: 'Jämförelser', 2: 'Jämförelser – enhet'}
    """
    order = sorted(ranked, key=lambda t: (-(ranked[t][0][1] if ranked[t] else -np.inf), t))
    taken: set[str] = set()
    out: dict[int, str] = {}
    for t in order:
        label = next((c for c, _ in ranked[t] if c.casefold() not in taken), None)
        if label is None:
            base = ranked[t][0][0] if ranked[t] else ""
            extra = [k for k in keyphrases.get(t, []) if k.casefold() not in base.casefold()]
            label = f"{base} – {extra[0]}" if base and extra else base
            n = 2
            while label and label.casefold() in taken:
                label, n = f"{base} ({n})", n + 1
        out[t] = label
        if label:
            taken.add(label.casefold())
    return {t: out[t] for t in sorted(out)}
