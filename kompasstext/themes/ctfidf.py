"""Class-based TF-IDF keyphrases over Swedish lemmas (compound heads included, stop words out).

For theme c and term t: ``w(t, c) = tf(t, c) / |c| * log(1 + A / f(t))`` where ``A`` is the mean
number of tokens per theme and ``f(t)`` the frequency of t over all themes (BERTopic's c-TF-IDF).
Terms are lemma unigrams and bigrams (adjacent content lemmas).

>>> docs = {0: [["chefskontrakt", "kontrakt"], ["resultatkontrakt", "kontrakt", "chef"]],
...         1: [["webbsändning", "fullmäktige"]]}
>>> keyphrases(docs, top=2)[0]
['kontrakt', 'chef']
"""
from __future__ import annotations

import math
from collections import Counter
from typing import Hashable, Mapping, Sequence


def terms(tokens: Sequence[str]) -> list[str]:
    """Unigrams plus bigrams of adjacent tokens (compound heads, which follow their compound, skipped
    in bigrams)."""
    out = list(tokens)
    out += [f"{a} {b}" for a, b in zip(tokens, tokens[1:]) if not a.endswith(b)]
    return out


def ctfidf(docs: Mapping[Hashable, Sequence[Sequence[str]]]) -> dict[Hashable, dict[str, float]]:
    """Weights per class from ``{class: [token list per member]}``."""
    counts = {c: Counter(t for toks in members for t in terms(toks)) for c, members in docs.items()}
    total = Counter()
    for cnt in counts.values():
        total.update(cnt)
    avg = sum(total.values()) / max(len(counts), 1)
    out: dict[Hashable, dict[str, float]] = {}
    for c, cnt in counts.items():
        size = sum(cnt.values()) or 1
        # a term must occur in two members of a theme to describe it, unless the theme is tiny
        n_members = len(docs[c])
        df = Counter(t for toks in docs[c] for t in set(terms(toks)))
        out[c] = {t: (n / size) * math.log(1 + avg / total[t]) * (1.0 if df[t] > 1 or n_members < 3 else 0.5)
                  for t, n in cnt.items()}
    return out


def keyphrases(docs: Mapping[Hashable, Sequence[Sequence[str]]], top: int = 8) -> dict[Hashable, list[str]]:
    """The ``top`` terms of each class, best first (ties broken alphabetically); a unigram is
    dropped when a better-ranked bigram contains it."""
    out = {}
    for c, w in ctfidf(docs).items():
        ranked = sorted(w, key=lambda t: (-round(w[t], 12), t))
        chosen: list[str] = []
        for t in ranked:
            if " " not in t and any(t in b.split() for b in chosen if " " in b):
                continue
            chosen.append(t)
            if len(chosen) == top:
                break
        out[c] = chosen
    return out
