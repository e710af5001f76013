"""Swedish morphology shared by the segmenter, themes and labels: a cached simplemma lemma.

>>> lemma("tydliggör"), lemma("fortsatt")
('tydliggöra', 'fortsätta')
"""
from __future__ import annotations

from functools import lru_cache


@lru_cache(maxsize=65536)
def lemma(word: str) -> str:
    """simplemma's Swedish lemma of a (lower-cased) word."""
    import simplemma

    return simplemma.lemmatize(word, lang="sv")
