"""The search index behind :func:`~kompasstext.exemplars.examples`: one per (corpus, embedder), built once.

Findings are embedded by their core text (opening directive stripped, as themes do) with the same
:class:`~kompasstext.embedding.Embedder` ("query: " prompt), then post-processed "all but the top"
(Mu & Viswanath 2018): mean-centred over the corpus, the :data:`DOMINANT_COMPONENTS` top principal
directions of the centred vectors projected out, and re-normalised.  e5 vectors crowd in a narrow cone
and centring spreads the cone; the dominant directions then carry form and the broadest contrasts
rather than the practice a finding names (on the bundled corpus the first orders terse noun phrases
before whole sentences, "Kommunen stödjer …", Spearman 0.59 with length; the second is the wide
steering/follow-up ↔ citizen-information axis), so projecting them out lets finer topic decide.
Queries go through the same transform.  Next to it, a TF-IDF of the findings' lemmas with compound heads
("chefskontrakt" ~ "resultatkontrakt").  Narrative passages are embedded as
they are, to find each finding's supporting passage.  Praise mentions are attached to findings here.

>>> ix = get_index(corpus)                         # doctest: +SKIP
>>> qc, ql = ix.encode_queries(["Chefskontrakt"])  # doctest: +SKIP
"""
from __future__ import annotations

import weakref
from typing import Any

import numpy as np
import pandas as pd

#: dominant principal directions projected out of the centred embeddings (at most; fewer for tiny corpora).
#: Measured on the gold themes (tests/test_examples.py, top-5 precision of theme-label queries, with the
#: relevance-proportional boosts of rank.py): 0 → 0.589, 1 → 0.600, 2 → 0.606, 3 → 0.589, 4 → 0.594,
#: 5 → 0.583; on the labels of all 55 themes with ≥ 2 strengths 0.524 → 0.527–0.538 for 1–5; with the
#: codebook definitions as queries flat (0.656 → 0.650–0.667).  A small gain, one or two hits per value.
DOMINANT_COMPONENTS = 2
#: a narrative praise sentence is attached to the strength of its area it resembles most, if the
#: centred cosine reaches this (below it the sentence praises something the lists don't name)
PRAISE_ATTACH_MIN = 0.3
#: praise component of a finding that carries a cue itself / that a narrative praise sentence is attached to
PRAISE_DIRECT, PRAISE_NARRATIVE = 1.0, 0.5

_INDEXES: dict[tuple[int, Any], "SearchIndex"] = {}


def _identity(tokens: list[str]) -> list[str]:
    return tokens


def _normalize(X: np.ndarray) -> np.ndarray:
    X = np.asarray(X, dtype=np.float32)
    return X / np.clip(np.linalg.norm(X, axis=-1, keepdims=True), 1e-12, None)


def default_embedder() -> Any:
    """``kompasstext.embedding.Embedder(prompt="query: ")``, imported only when needed."""
    from ..embedding import Embedder

    return Embedder(prompt="query: ")


class SearchIndex:
    """Vectors of a corpus' findings and passages, and each finding's praise component.

    Holds no reference to the corpus (only a weak one), so a cached index doesn't keep it alive.
    """

    def __init__(self, corpus: Any, embedder: Any) -> None:
        from sklearn.feature_extraction.text import TfidfVectorizer

        from ..themes.text import core_text, lemma_tokens

        self.corpus_ref = weakref.ref(corpus)
        self.embedder = embedder
        self.cache: dict[Any, Any] = {}
        self._core, self._tokens = core_text, lemma_tokens
        # with the link columns once the links were computed (a theme model with a concept view needs them)
        linked = "links" in (getattr(corpus, "_cache", None) or {}) and hasattr(corpus, "linked_findings")
        self.findings = (corpus.linked_findings if linked else corpus.findings).reset_index(drop=True).copy()
        cores = [core_text(str(t)) for t in self.findings["text"]]
        self.emb = self._encode(cores)
        self.mean = self.emb.mean(0) if len(self.emb) else np.zeros(self.emb.shape[1], np.float32)
        self.dominant = _dominant_directions(self.emb - self.mean, DOMINANT_COMPONENTS)
        self.centred = self.transform(self.emb)
        self.vectorizer = TfidfVectorizer(analyzer=_identity, sublinear_tf=True)
        self.lex = self.vectorizer.fit_transform([lemma_tokens(c) for c in cores]) if cores else None
        self.passages = self._passage_frame(corpus)
        self.passage_emb = self._encode(list(self.passages["text"]))
        self._passage_rows: dict[tuple[str, int], np.ndarray] = {
            (str(k[0]), int(k[1])): np.asarray(v, dtype=int)
            for k, v in self.passages.groupby(["report_id", "area"], sort=False).indices.items()}
        self._keys = list(zip(self.findings["report_id"].astype(str), self.findings["area"].astype(int)))
        self.praise_component, self.praise_cue = self._attach_praise(corpus)

    # ------------------------------------------------------------------ encoding
    def transform(self, X: np.ndarray) -> np.ndarray:
        """Normalised embeddings → the search space: centred, dominant directions removed, re-normalised."""
        Xc = np.asarray(X, np.float32) - self.mean
        if len(self.dominant):
            Xc = Xc - (Xc @ self.dominant.T) @ self.dominant
        return _normalize(Xc)

    def _encode(self, texts: list[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, 1), np.float32)
        return _normalize(self.embedder.encode(list(texts)))

    def encode_queries(self, texts: list[str]) -> tuple[np.ndarray, Any]:
        """Centred embeddings and TF-IDF rows of query texts (directives stripped like findings)."""
        cores = [self._core(t) or t for t in texts]
        return self.transform(self._encode(cores)), self.vectorizer.transform([self._tokens(c) for c in cores])

    def similarity(self, qc: np.ndarray, ql: Any, weights: dict[str, float],
                   rows: np.ndarray | None = None) -> np.ndarray:
        """``w_text * cosine in the search space + w_lexical * TF-IDF cosine`` of one query to every
        finding (or to the findings ``rows``)."""
        centred, lexm = (self.centred, self.lex) if rows is None else \
            (self.centred[rows], self.lex[rows] if self.lex is not None else None)
        lex = (lexm @ ql.T).toarray().ravel() if lexm is not None else 0.0
        return weights["text"] * (centred @ qc) + weights["lexical"] * lex

    # ------------------------------------------------------------------ passages
    @staticmethod
    def _passage_frame(corpus: Any) -> pd.DataFrame:
        from ..corpus import report_id

        rows = [(report_id(r), a.number, p.heading, p.text, p.start, p.end, p.page)
                for r in corpus.reports for a in r.areas for p in a.passages if p.text.strip()]
        return pd.DataFrame(rows, columns=["report_id", "area", "heading", "text", "start", "end", "page"])

    def supporting_passage(self, i: int) -> pd.Series | None:
        """The passage of finding ``i``'s report and area most similar to it (None if the area has none)."""
        idx = self._passage_rows.get(self._keys[i])
        if idx is None or not len(idx):
            return None
        sims = self.passage_emb[idx] @ self.emb[i]
        return self.passages.iloc[int(idx[int(np.argmax(sims))])]

    # ------------------------------------------------------------------ praise
    def _attach_praise(self, corpus: Any) -> tuple[np.ndarray, list[str | None]]:
        from .mining import praise

        table = praise(corpus)
        self.praise_table = table
        comp = np.zeros(len(self.findings), np.float32)
        cue: list[str | None] = [None] * len(self.findings)
        key = {k: i for i, k in enumerate(zip(self.findings["report_id"], self.findings["area"],
                                               self.findings["finding_index"]))}
        useful = table[~table["generic"] & table["area"].notna()]
        direct = useful[useful["source"] == "finding"]
        for r in direct.itertuples():
            i = key.get((r.report_id, int(r.area), int(r.finding_index)))
            if i is not None:
                comp[i], cue[i] = PRAISE_DIRECT, r.cue_text
        narrative = useful[useful["source"] != "finding"]
        if len(narrative):
            V = self.transform(self._encode([self._core(s) or s for s in narrative["praised"]]))
            strengths = (self.findings["kind"] == "strength").to_numpy()
            by_area: dict[tuple[str, int], list[int]] = {}
            for i, k in enumerate(self._keys):
                if strengths[i]:
                    by_area.setdefault(k, []).append(i)
            for v, r in zip(V, narrative.itertuples()):
                cand = np.asarray(by_area.get((str(r.report_id), int(r.area)), []), dtype=int)
                if not len(cand):
                    continue
                sims = self.centred[cand] @ v
                j = int(cand[int(np.argmax(sims))])
                if sims.max() >= PRAISE_ATTACH_MIN and comp[j] < PRAISE_NARRATIVE:
                    comp[j], cue[j] = PRAISE_NARRATIVE, r.cue_text
        return comp, cue


def _dominant_directions(Xc: np.ndarray, k: int) -> np.ndarray:
    """The top ``k`` principal directions (rows, unit length) of centred rows ``Xc``: at most
    ``len(Xc) // 2 - 1`` of them, so a tiny corpus keeps its few directions."""
    from ..themes.features import leading_directions

    dim = Xc.shape[1] if Xc.ndim == 2 else 0
    return leading_directions(Xc.reshape(len(Xc), dim), min(int(k), len(Xc) // 2 - 1))


def get_index(corpus: Any, embedder: Any = None) -> SearchIndex:
    """The index of ``corpus`` for ``embedder`` (default: e5 with "query: "), built on first use and kept
    while the corpus lives."""
    key = (id(corpus), id(embedder) if embedder is not None else "default")
    ix = _INDEXES.get(key)
    if ix is None or ix.corpus_ref() is not corpus:
        ix = SearchIndex(corpus, embedder if embedder is not None else default_embedder())
        _INDEXES[key] = ix
        weakref.finalize(corpus, _INDEXES.pop, key, None)
    return ix
