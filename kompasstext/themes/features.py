"""The views of a finding that themes compare, and the space that produces them.

* ``text``: the sentence embedding of its core text (directive stripped), mean-centred over the corpus,
  with the corpus' few dominant common directions removed ("all-but-the-top", Mu & Viswanath 2018:
  about ``dim / 100`` principal components, which carry style shared by all findings rather than
  topic) and re-normalised;
* ``lex``: TF-IDF over character 3-5-grams of its lemmas, a **sparse** CSR matrix (lexical overlap that
  survives Swedish compounding and derivation: "chefskontrakt" ~ "resultatkontrakt");
* ``area``: the embedding of its area title, a context prior (zero columns when ``concept`` is used);
* ``concept``: the linked cross-revision concepts (:mod:`kompasstext.links`) weighted by link
  confidence; a finer version of the same context, so it replaces ``area``.

The n-grams are counted by :mod:`kompasstext.ngrams` (scikit-learn's ``char_wb`` analyzer over the
distinct lemmas, as the links' TF-IDF counts the texts' words), so the Python work is per distinct lemma
and the memory proportional to the n-grams findings actually have; the weights are ``log1p(tf) * idf``
(smooth idf), rows L2-normalised.

>>> char_ngrams(["avtal"], (3, 3))
[' av', 'avt', 'vta', 'tal', 'al ']
>>> C = ngram_tfidf([["avtal"], ["avtal", "chef"]], *ngram_idf([["avtal"], ["chef"]]))
>>> C.shape[0], round(float(C[0].multiply(C[0]).sum()), 6)
(2, 1.0)
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Sequence

import numpy as np
from scipy import sparse

from ..ngrams import NGRAMS, analyzer, counts
#: at least this many findings per removed common direction of the text view
ROWS_PER_COMPONENT = 50


def normalize_rows(X: np.ndarray) -> np.ndarray:
    X = np.asarray(X, dtype=np.float32)
    return X / np.clip(np.linalg.norm(X, axis=1, keepdims=True), 1e-12, None)


def weights4(weights: Sequence[float]) -> tuple[float, float, float, float]:
    """``(text, lexical, area, concept)``; a 3-tuple (older models) has concept weight 0."""
    w = tuple(float(x) for x in weights)
    return (w + (0.0,) * 4)[:4]  # type: ignore[return-value]


def char_ngrams(tokens: Sequence[str], ngrams: tuple[int, int] = NGRAMS) -> list[str]:
    """Character n-grams of each token padded with a space on both sides (scikit-learn's ``char_wb``
    analyzer, applied token by token)."""
    out: list[str] = []
    for t in tokens:
        out += _token_ngrams(t, ngrams)
    return out


@lru_cache(maxsize=1 << 18)
def _token_ngrams(token: str, ngrams: tuple[int, int] = NGRAMS) -> tuple[str, ...]:
    return tuple(analyzer(ngrams)(token)) if token else ()


def _ngram_counts(tokens: Sequence[Sequence[str]], vocabulary: dict[str, int] | None = None
                  ) -> tuple[sparse.csr_matrix, dict[str, int]]:
    """Documents x lemma n-gram counts (float32) and the vocabulary (:func:`kompasstext.ngrams.counts`,
    per distinct lemma)."""
    return counts(tokens, vocabulary=vocabulary, ngrams=NGRAMS)


def ngram_idf(tokens: Sequence[Sequence[str]]) -> tuple[dict[str, int], np.ndarray]:
    """``(vocabulary, idf)`` of the lemmas' character n-grams over the documents ``tokens``: vocabulary
    sorted, smooth idf ``ln((1 + n) / (1 + df)) + 1`` (as scikit-learn's ``TfidfTransformer``)."""
    vocab, idf, _ = _fit_counts(tokens)
    return vocab, idf


def _fit_counts(tokens: Sequence[Sequence[str]]) -> tuple[dict[str, int], np.ndarray, sparse.csr_matrix]:
    C, vocab = _ngram_counts(tokens)
    if not vocab:
        return vocab, np.zeros(0, np.float32), C
    # TfidfTransformer(smooth_idf=True)'s formula, in float64 before the cast (its fit on float32
    # counts rounds first, which moves ties between identical findings)
    df = np.bincount(C.indices, minlength=len(vocab))
    idf = np.log((1.0 + len(tokens)) / (1.0 + df)) + 1.0
    return vocab, idf.astype(np.float32), C


def ngram_tfidf(tokens: Sequence[Sequence[str]], vocabulary: dict[str, int], idf: np.ndarray,
                counts: sparse.csr_matrix | None = None) -> sparse.csr_matrix:
    """Rows L2-normalised ``log1p(tf) * idf`` of each document's lemma n-grams (CSR, float32), computed in
    place on the counts (``counts``: those of ``tokens`` if already at hand)."""
    C = counts if counts is not None else _ngram_counts(tokens, vocabulary)[0]
    if not vocabulary:
        return sparse.csr_matrix((len(tokens), 0), dtype=np.float32)
    C.data = np.log1p(C.data, dtype=np.float32) * idf[C.indices]
    # row norms accumulated in float64 (float32 sums round differently and move ties between findings)
    lengths = np.diff(C.indptr)
    rows = np.repeat(np.arange(C.shape[0], dtype=np.int32), lengths)
    norms = np.sqrt(np.bincount(rows, weights=np.square(C.data, dtype=np.float64), minlength=C.shape[0]))
    C.data *= (1.0 / np.clip(norms, 1e-12, None)).astype(np.float32)[rows]
    return C


@dataclass
class Features:
    """The views of a set of findings (rows L2-normalised, or zero where a view is absent; ``lex`` sparse)."""

    text: np.ndarray
    lex: sparse.csr_matrix
    area: np.ndarray
    concept: np.ndarray | None = None

    def __post_init__(self) -> None:
        if self.concept is None:
            self.concept = np.zeros((len(self.text), 0), np.float32)

    def __len__(self) -> int:
        return len(self.text)

    def take(self, idx: Sequence[int] | np.ndarray) -> Features:
        idx = np.asarray(idx, dtype=int)
        return Features(self.text[idx], self.lex[idx], self.area[idx], self.concept[idx])

    @staticmethod
    def concat(parts: Sequence[Features]) -> Features:
        return Features(np.concatenate([p.text for p in parts]), sparse.vstack([p.lex for p in parts]).tocsr(),
                        np.concatenate([p.area for p in parts]), np.concatenate([p.concept for p in parts]))


@dataclass
class Space:
    """What turns raw embeddings, lemmas and links into :class:`Features`: fitted on the corpus, stored
    with the model."""

    text_mean: np.ndarray
    area_mean: np.ndarray
    vocabulary: dict[str, int]
    idf: np.ndarray
    text_components: np.ndarray | None = None  # (d, dim) common directions removed from the text view
    concepts: tuple[str, ...] = ()  # the concept view's columns (empty: no concept view, area view kept)

    @classmethod
    def fit(cls, text_emb: np.ndarray, area_emb: np.ndarray | None, tokens: Sequence[Sequence[str]],
            concepts: Sequence[dict[str, float]] | None = None) -> Space:
        vocab, idf, _ = _fit_counts(tokens)
        return cls._fitted(text_emb, area_emb, concepts, vocab, idf)

    @classmethod
    def fit_transform(cls, text_emb: np.ndarray, area_emb: np.ndarray | None, tokens: Sequence[Sequence[str]],
                      concepts: Sequence[dict[str, float]] | None = None) -> tuple[Space, Features]:
        """``fit`` then ``transform`` of the same findings, counting their n-grams once."""
        vocab, idf, counts = _fit_counts(tokens)
        space = cls._fitted(text_emb, area_emb, concepts, vocab, idf)
        return space, space.transform(text_emb, area_emb, tokens, concepts, counts=counts)

    @classmethod
    def _fitted(cls, text_emb: np.ndarray, area_emb: np.ndarray | None, concepts: Sequence[dict[str, float]] | None,
                vocab: dict[str, int], idf: np.ndarray) -> Space:
        mean = text_emb.mean(0)
        area_mean = area_emb.mean(0) if area_emb is not None and len(area_emb) else np.zeros_like(mean)
        return cls(mean.astype(np.float32), area_mean.astype(np.float32), vocab, idf,
                   top_components(text_emb, mean), tuple(sorted({c for d in concepts or () for c in d})))

    def transform(self, text_emb: np.ndarray, area_emb: np.ndarray | None, tokens: Sequence[Sequence[str]],
                  concepts: Sequence[dict[str, float]] | None = None, *,
                  counts: sparse.csr_matrix | None = None) -> Features:
        lex = ngram_tfidf(tokens, self.vocabulary, self.idf, counts)
        text = np.asarray(text_emb, dtype=np.float32) - self.text_mean
        P = self.text_components
        for s in range(0, len(text), 65536):  # in place, a block at a time
            B = text[s:s + 65536]
            if P is not None and len(P):
                B -= (B @ P.T) @ P
            B /= np.clip(np.linalg.norm(B, axis=1, keepdims=True), 1e-12, None)
        con = np.zeros((len(tokens), len(self.concepts)), np.float32)
        if self.concepts:
            col = {c: j for j, c in enumerate(self.concepts)}
            for r, d in enumerate(concepts or ()):
                for c, p in d.items():
                    if c in col:
                        con[r, col[c]] += p
            area = np.zeros((len(tokens), 0), np.float32)  # the linked concept replaces the area title
        else:
            if area_emb is None:
                raise ValueError("the area view needs area-title embeddings")
            area = normalize_rows(area_emb - self.area_mean)
        return Features(text, lex, area, con)


def top_components(X: np.ndarray, mean: np.ndarray | None = None) -> np.ndarray:
    """The ``round(dim / 100)`` leading principal directions of the rows ``X`` centred by ``mean`` (fewer
    when there are fewer than :data:`ROWS_PER_COMPONENT` rows per direction), as rows of ``(d, dim)``."""
    n, dim = X.shape
    return leading_directions(X, min(int(round(dim / 100)), max(n - 1, 0) // ROWS_PER_COMPONENT), mean)


def leading_directions(X: np.ndarray, k: int, mean: np.ndarray | None = None) -> np.ndarray:
    """The ``k`` leading principal directions (unit rows, ``(k, dim)``, float32) of the rows ``X`` centred
    by ``mean`` (or already centred), from the eigenvectors of ``X.T @ X`` accumulated a block of rows at
    a time (memory O(dim^2), not O(n * dim)); a direction's sign does not matter for projecting it out."""
    dim = X.shape[1]
    k = max(0, min(int(k), dim))
    if k == 0:
        return np.zeros((0, dim), np.float32)
    G = np.zeros((dim, dim))
    for s in range(0, len(X), 65536):
        B = np.asarray(X[s:s + 65536], dtype=np.float64)
        if mean is not None:
            B = B - mean
        G += B.T @ B
    vals, vecs = np.linalg.eigh(G)  # ascending
    return vecs[:, ::-1][:, :k].T.astype(np.float32)
