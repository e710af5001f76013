"""Character n-gram counts of tokenised documents, counted once per distinct token.

scikit-learn's ``char_wb`` analyzer pads each whitespace-separated word with spaces and never lets an
n-gram cross a word boundary, so a document's n-gram counts are the sum of its words'.  :func:`counts`
runs ``CountVectorizer(analyzer="char_wb")`` over the *distinct* tokens and sums them per document with
one sparse product (documents x tokens @ tokens x n-grams): the Python work is per distinct token, not
per token of every document.  Used by the links' TF-IDF (words of the texts) and the themes' lexical
view (lemmas).

>>> C, vocab = counts([["avtal"], ["avtal", "chef"]], ngrams=(3, 3))
>>> sorted(vocab)[:4], C.toarray().sum(axis=1).tolist()
([' av', ' ch', 'al ', 'avt'], [5.0, 9.0])
"""
from __future__ import annotations

from functools import lru_cache
from typing import Callable, Sequence

import numpy as np
from scipy import sparse
from sklearn.feature_extraction.text import CountVectorizer

#: the n-gram lengths both users count
NGRAMS = (3, 5)


def vectorizer(ngrams: tuple[int, int] = NGRAMS, vocabulary: dict[str, int] | None = None) -> CountVectorizer:
    """``CountVectorizer(analyzer="char_wb")`` over single tokens (no lower-casing: callers decide)."""
    return CountVectorizer(analyzer="char_wb", ngram_range=ngrams, lowercase=False, vocabulary=vocabulary,
                           dtype=np.float32)


@lru_cache(maxsize=8)
def analyzer(ngrams: tuple[int, int] = NGRAMS) -> Callable[[str], list[str]]:
    """The ``char_wb`` analyzer: a text's padded word n-grams."""
    return vectorizer(ngrams).build_analyzer()


def _doc_token_matrix(docs: Sequence[Sequence[str]]) -> tuple[sparse.csr_matrix, list[str]]:
    """Documents x distinct tokens (counts; empty tokens skipped), and the tokens in column order."""
    ids: dict[str, int] = {}
    indices: list[int] = []
    indptr = [0]
    for toks in docs:
        for t in toks:
            if t:
                indices.append(ids.setdefault(t, len(ids)))
        indptr.append(len(indices))
    big = len(indices) >= 2 ** 31
    D = sparse.csr_matrix((np.ones(len(indices), np.float32), np.asarray(indices, np.int32),
                           np.asarray(indptr, np.int64 if big else np.int32)), shape=(len(docs), len(ids)))
    D.sum_duplicates()
    return D, list(ids)


def counts(docs: Sequence[Sequence[str]], *, vocabulary: dict[str, int] | None = None,
           ngrams: tuple[int, int] = NGRAMS, dtype: type = np.float32) -> tuple[sparse.csr_matrix, dict[str, int]]:
    """Documents (token lists) x n-gram counts (CSR, sorted indices, ``dtype``) and the vocabulary:
    ``vocabulary`` given, n-grams outside it are ignored; None, every n-gram, sorted (as
    ``CountVectorizer`` sorts its features)."""
    D, tokens = _doc_token_matrix(docs)
    if not tokens or vocabulary == {}:
        vocab = vocabulary or {}
        return sparse.csr_matrix((len(docs), len(vocab)), dtype=dtype), vocab
    if vocabulary is None:
        cv = vectorizer(ngrams)
        L = cv.fit_transform(tokens)
        vocabulary = {g: int(j) for g, j in cv.vocabulary_.items()}
    else:
        L = vectorizer(ngrams, vocabulary).transform(tokens)
    C = (D @ L).tocsr()
    C.sort_indices()
    return C.astype(dtype, copy=False), vocabulary
