"""Text similarity for linking: e5 sentence embeddings plus character n-gram TF-IDF (compound-friendly).

Swedish compounds ("medborgardialog" / "dialog med medborgarna") defeat word overlap, and e5-small's
cosines are compressed; the two together are a robust similarity.  Everything is computed once for
the whole set of texts (one ``encode`` call) and looked up by text.

>>> import numpy as np
>>> class Toy:                      # any object with encode(list[str]) -> normalised float32 rows
...     def encode(self, texts):
...         X = np.array([[len(t), 1.0] for t in texts], np.float32)
...         return X / np.linalg.norm(X, axis=1, keepdims=True)
>>> sim = TextSim(["Information om resultat", "Resultat till invånarna", "Ledarutveckling"], embedder=Toy())
>>> S = sim.lexical(["Information om resultat"], ["Resultat till invånarna", "Ledarutveckling"])
>>> bool(S[0, 0] > S[0, 1])
True
"""
from __future__ import annotations

from typing import Any, Sequence

import numpy as np

#: e5 cosines and char-TF-IDF cosines are put on one scale: score = cos_e5 / E5_SCALE + tfidf / TFIDF_SCALE
E5_SCALE, TFIDF_SCALE = 0.03, 0.15


def default_embedder() -> Any:
    """``kompasstext.embedding.Embedder()`` (imported lazily: heavy)."""
    from ..embedding import Embedder

    return Embedder(prompt="query: ")


class TextSim:
    """Embeddings and char-n-gram TF-IDF vectors for a fixed set of texts.

    ``texts`` are all texts that will be compared (duplicates are fine); ``embedder`` is any object with
    ``encode(list[str]) -> np.ndarray`` (L2-normalised rows); ``None`` uses :func:`default_embedder`.
    ``use_embeddings=False`` uses the lexical part only (fast, no model).
    """

    def __init__(self, texts: Sequence[str], *, embedder: Any = None, use_embeddings: bool = True):
        uniq = list(dict.fromkeys(t for t in texts if t))
        self.index = {t: i for i, t in enumerate(uniq)}
        self.T = char_tfidf(uniq) if uniq else None
        self.E: np.ndarray | None = None
        if use_embeddings and uniq:
            emb = embedder if embedder is not None else default_embedder()
            self.E = np.asarray(emb.encode(uniq), dtype=np.float32)

    def _rows(self, texts: Sequence[str]) -> list[int]:
        return [self.index[t] for t in texts]

    def lexical(self, a: Sequence[str], b: Sequence[str]) -> np.ndarray:
        """Char-n-gram TF-IDF cosine matrix (len(a), len(b))."""
        if not len(a) or not len(b):
            return np.zeros((len(a), len(b)))
        A, B = self.T[self._rows(a)], self.T[self._rows(b)]
        return np.asarray((A @ B.T).todense(), dtype=float)

    def semantic(self, a: Sequence[str], b: Sequence[str]) -> np.ndarray:
        """e5 cosine matrix (zeros when embeddings are off)."""
        if self.E is None or not len(a) or not len(b):
            return np.zeros((len(a), len(b)))
        return (self.E[self._rows(a)] @ self.E[self._rows(b)].T).astype(float)

    def score(self, a: Sequence[str], b: Sequence[str]) -> np.ndarray:
        """Combined similarity in "logit" units: differences of 1 are meaningful (see the scales)."""
        return self.semantic(a, b) / E5_SCALE + self.lexical(a, b) / TFIDF_SCALE

    def against(self, b: Sequence[str]) -> "Against":
        """:meth:`score` against the fixed texts ``b``, with their matrices sliced once (for many calls)."""
        return Against(self, list(b))


class Against:
    """``TextSim.score(a, b)`` for a fixed ``b`` (see :meth:`TextSim.against`)."""

    def __init__(self, sim: TextSim, b: list[str]):
        self.sim, self.n = sim, len(b)
        rows = sim._rows(b)
        self.E = sim.E[rows] if sim.E is not None and rows else None
        self.TT = sim.T[rows].T.tocsr() if sim.T is not None and rows else None

    def score(self, a: Sequence[str]) -> np.ndarray:
        if not len(a) or not self.n:
            return np.zeros((len(a), self.n))
        rows = self.sim._rows(a)
        sem = (self.sim.E[rows] @ self.E.T).astype(float) if self.E is not None else 0.0
        lex = np.asarray((self.sim.T[rows] @ self.TT).todense(), dtype=float)
        return sem / E5_SCALE + lex / TFIDF_SCALE


def char_tfidf(texts: Sequence[str]) -> Any:
    """``TfidfVectorizer(analyzer="char_wb", ngram_range=(3, 5), sublinear_tf=True).fit_transform(texts)``,
    the same matrix, its counts per distinct word (:func:`kompasstext.ngrams.counts`: ``char_wb``
    n-grams never cross a space, so a text's counts are the sum of its words').

    >>> from sklearn.feature_extraction.text import TfidfVectorizer
    >>> docs = ["Information om resultat", "Resultat till  invånarna", "Ledarutveckling", "IT i KF"]
    >>> ref = TfidfVectorizer(analyzer="char_wb", ngram_range=(3, 5), sublinear_tf=True).fit_transform(docs)
    >>> float(abs(char_tfidf(docs) - ref).max()) < 1e-12
    True
    """
    from sklearn.feature_extraction.text import TfidfTransformer

    from ..ngrams import counts

    C, _ = counts([t.lower().split() for t in texts], dtype=np.float64)
    return TfidfTransformer(norm="l2", use_idf=True, smooth_idf=True, sublinear_tf=True).fit_transform(C)


def softmax(x: np.ndarray, axis: int = -1) -> np.ndarray:
    """Numerically stable softmax."""
    z = x - x.max(axis=axis, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=axis, keepdims=True)
