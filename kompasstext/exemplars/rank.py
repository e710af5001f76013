"""Rank findings as good examples: semantic similarity, the linked sub-question's score, explicit praise.

``rank_score = similarity * (1 + WEIGHTS["score"] * score_component + WEIGHTS["praise"] * praise_component)``
for a positive similarity (a query given); ``rank_score = similarity`` when it is 0 or below; without a
query, ``rank_score = WEIGHTS["score"] * score_component + WEIGHTS["praise"] * praise_component``.

* ``similarity = WEIGHTS["text"] * cos(e5 embeddings, centred, dominant directions removed)
  + WEIGHTS["lexical"] * cos(lemma TF-IDF)`` between the query and the finding (see
  :mod:`kompasstext.exemplars.index`);
* ``score_component`` in [0, 1]: the percent achieved on the sub-question the finding is linked to
  (:func:`kompasstext.links.link_findings`) times the link confidence, for strengths (a strength where
  the municipality scored high is the stronger example); ``1 - percent`` for improvements; 0 with a
  note in ``df.attrs["notes"]`` when links are unavailable;
* ``praise_component``: 1 when the finding itself says "Gott exempel" (or another cue), 0.5 when a praise
  sentence of the same area's narrative is attached to it, else 0 (generic mentions such as "sprida
  goda exempel" never count).

Relevance first: score and praise scale the similarity (at most +15 %) instead of adding to it, so they
reorder near-equals but can't lift an off-topic finding (whose similarity is small) past a relevant one;
an additive bonus of the same size did exactly that.  The evaluators' explicit praise weighs twice the
linked score, which rests on an inferred link.
Measured on the gold themes (``tests/test_examples.py``, top-5 precision of theme-label queries): centred
embedding alone 0.567; lexical 0.3 → 0.589; the additive bonus cost 0.011 of it (0.578), the proportional
one costs nothing (0.589); removing the two dominant directions (index) → 0.606.
Ties are broken by ``report_id``, ``area``, ``kind``, ``finding_index``: the ranking is deterministic.

>>> sorted(WEIGHTS)
['lexical', 'praise', 'score', 'text']
>>> kt.examples(corpus, query="Utveckla resultatorienterade chefskontrakt", top=3)  # doctest: +SKIP
"""
from __future__ import annotations

import numbers
from typing import Any

import numpy as np
import pandas as pd

from ..model import Finding
from .cite import citation, page_of, source_file
from .index import SearchIndex, get_index
from .linking import LINK_COLUMNS, linked_findings

#: the ranking weights (documented above); few on purpose
WEIGHTS: dict[str, float] = {"text": 1.0, "lexical": 0.3, "score": 0.05, "praise": 0.1}

#: columns of :func:`examples`, in order
EXAMPLE_COLUMNS = [
    "rank", "report_id", "municipality", "year", "framework", "area", "area_title", "kind", "finding_index",
    "finding", "subquestion", "subquestion_text", "percent", "achieved", "max", "link_confidence",
    "theme", "theme_label", "praise_cue", "passage", "passage_heading", "file", "page", "start", "end",
    "citation", "passage_start", "passage_end", "passage_page", "passage_citation",
    "rank_score", "similarity", "score_component", "praise_component"]
_KINDS = ("strength", "improvement")


# --------------------------------------------------------------------------- per-index caches
def _links(ix: SearchIndex, corpus: Any) -> tuple[pd.DataFrame, str | None]:
    if "links" not in ix.cache:
        ix.cache["links"] = linked_findings(corpus, ix.findings)
    return ix.cache["links"]


def _themes_of(ix: SearchIndex, themes: Any) -> tuple[np.ndarray, dict[int, str]]:
    """Theme id of every indexed finding by ``themes.predict`` (cached per model), and the labels."""
    key = ("themes", id(themes))
    if key not in ix.cache:
        ix.cache[key] = (_fitted_or_predicted(ix.findings, themes), themes)
    labels = dict(zip(themes.themes_["theme_id"].astype(int).tolist(), themes.themes_["label"].tolist()))
    return ix.cache[key][0], labels


def _fitted_or_predicted(findings: pd.DataFrame, themes: Any) -> np.ndarray:
    """``themes.predict(findings)``, through ``themes.assignment`` when the model has it (a fitted corpus'
    assignment is read, not recomputed)."""
    if hasattr(themes, "assignment"):
        return np.asarray(themes.assignment(findings)[0], int)
    return np.asarray(themes.predict(findings), int)


def _theme_texts(ix: SearchIndex, themes: Any) -> dict[int, list[str]]:
    """The texts of each theme's fitted findings, in the model's order (cached per model)."""
    key = ("theme_texts", id(themes))
    if key not in ix.cache:
        fr = themes.transform_frame()
        out: dict[int, list[str]] = {}
        for t, text in zip(fr["theme"].to_numpy(dtype=int).tolist(), fr["text"].astype(str).tolist()):
            out.setdefault(t, []).append(text)
        ix.cache[key] = (out, themes)
    return ix.cache[key][0]


def _theme_queries(ix: SearchIndex, themes: Any) -> dict[int, tuple[np.ndarray, np.ndarray]]:
    """Each theme's query vectors ``(search-space vector, TF-IDF row)``: the means over its fitted
    findings (the label for a theme without any), all themes encoded in one call (cached per model)."""
    key = ("theme_queries", id(themes))
    if key not in ix.cache:
        texts = _theme_texts(ix, themes)
        labels = dict(zip(themes.themes_["theme_id"].astype(int).tolist(), themes.themes_["label"].astype(str).tolist()))
        per = {t: texts.get(t) or [labels[t]] for t in labels}
        uniq = sorted({x for xs in per.values() for x in xs})
        qc, ql = ix.encode_queries(uniq) if uniq else (np.zeros((0, ix.centred.shape[1]), np.float32), None)
        pos = {x: i for i, x in enumerate(uniq)}
        out = {}
        for t, xs in per.items():
            rows = [pos[x] for x in xs]
            c = qc[rows].mean(0)
            out[t] = (c / max(float(np.linalg.norm(c)), 1e-12), np.asarray(ql[rows].mean(0)))
        ix.cache[key] = (out, themes)
    return ix.cache[key][0]


def _columns(ix: SearchIndex, corpus: Any) -> dict[str, Any]:
    """Per-index arrays the ranking reads row by row: findings' columns as lists, the score and praise
    components, each finding's tie-break rank and its report (cached)."""
    if "columns" not in ix.cache:
        links, _ = _links(ix, corpus)
        f = ix.findings
        cols: dict[str, Any] = {c: f[c].tolist() for c in ("report_id", "municipality", "year", "framework", "area",
                                                           "area_title", "kind", "finding_index", "text", "start",
                                                           "end", "page")}
        cols["links"] = {c: links[c].tolist() for c in LINK_COLUMNS}
        cols["score"] = _score_component(links, f["kind"])
        cols["praise"] = ix.praise_component.astype(float)
        keys = list(zip(cols["report_id"], [int(a) for a in cols["area"]], cols["kind"],
                        [int(i) for i in cols["finding_index"]]))
        tie = np.empty(len(keys), np.int64)
        tie[sorted(range(len(keys)), key=keys.__getitem__)] = np.arange(len(keys))
        cols["tie"] = tie
        cols["reports"] = dict(zip(_report_ids(corpus), corpus.reports))
        ix.cache["columns"] = cols
    return ix.cache["columns"]


# --------------------------------------------------------------------------- query
def _query_vectors(ix: SearchIndex, query: Any, themes: Any) -> tuple[np.ndarray, Any, tuple | None]:
    """(centred vector, TF-IDF row, key of a finding given as the query or None)."""
    if isinstance(query, numbers.Integral) and not isinstance(query, bool):
        if themes is None:
            raise ValueError("an integer query is a theme id: pass the fitted ThemeModel as themes=")
        queries = _theme_queries(ix, themes)
        if int(query) not in queries:
            raise ValueError(f"no theme {query} in the theme model")
        qc, ql = queries[int(query)]
        return qc, ql, None
    exclude = None
    if isinstance(query, Finding):
        text = query.text
    elif isinstance(query, (pd.Series, dict)):
        text = str(query["text"])
        if all(k in query for k in ("report_id", "area", "kind", "finding_index")):
            exclude = (query["report_id"], int(query["area"]), query["kind"], int(query["finding_index"]))
    elif isinstance(query, str):
        text = query
    else:
        raise TypeError(f"query must be text, a finding (row/dict/Finding) or a theme id, not {type(query).__name__}")
    qc, ql = ix.encode_queries([text])
    return qc[0], ql, exclude


def _as_sparse_row(ql: Any) -> Any:
    from scipy import sparse

    return ql if sparse.issparse(ql) else sparse.csr_matrix(np.asarray(ql).reshape(1, -1))


# --------------------------------------------------------------------------- ranking core
def _score_component(links: pd.DataFrame, kinds: pd.Series) -> np.ndarray:
    pct = pd.to_numeric(links["percent"], errors="coerce").to_numpy(dtype=float) / 100.0
    conf = pd.to_numeric(links["link_confidence"], errors="coerce").fillna(1.0).to_numpy(dtype=float)
    pct = np.clip(pct, 0.0, 1.0)
    val = np.where(kinds.to_numpy() == "improvement", 1.0 - pct, pct) * np.clip(conf, 0.0, 1.0)
    return np.nan_to_num(val, nan=0.0)


def rank_scores(sim: np.ndarray, score: np.ndarray, praise: np.ndarray, *, query: bool = True) -> np.ndarray:
    """The ranking formula of the module doc: boosts proportional to a positive similarity (relevance
    first); without a query the boosts alone."""
    boost = WEIGHTS["score"] * np.asarray(score, float) + WEIGHTS["praise"] * np.asarray(praise, float)
    sim = np.asarray(sim, float)
    return sim + np.maximum(sim, 0.0) * boost if query else sim + boost


def _ranked(ix: SearchIndex, corpus: Any, qc: np.ndarray, ql: Any, mask: np.ndarray, top: int | None,
            themes: Any, query: bool = True) -> pd.DataFrame:
    col = _columns(ix, corpus)
    cand = np.where(mask)[0]
    sim = ix.similarity(qc, _as_sparse_row(ql), WEIGHTS, rows=cand)
    score, praise = col["score"][cand], col["praise"][cand]
    total = rank_scores(sim, score, praise, query=query)
    # rank by total (rounded: equal up to float noise is a tie), ties by report, area, kind, finding index
    order = np.lexsort((col["tie"][cand], -np.round(total, 6)))
    order = order[:top] if top is not None else order
    theme_ids, labels = _themes_of(ix, themes) if themes is not None else (None, {})
    links = col["links"]
    rows = []
    for rank, k in enumerate(order.tolist(), 1):
        i = int(cand[k])
        rid = col["report_id"][i]
        rep = col["reports"][rid]
        start, end, page = int(col["start"][i]), int(col["end"][i]), col["page"][i]
        file = source_file(rep)
        page = page_of(rep, start, None if pd.isna(page) else int(page))
        p = ix.supporting_passage(i)
        p_page = None if p is None else page_of(rep, p["start"], None if pd.isna(p["page"]) else int(p["page"]))
        tid = int(theme_ids[i]) if theme_ids is not None else None
        rows.append(dict(
            rank=rank, report_id=rid, municipality=col["municipality"][i], year=col["year"][i],
            framework=col["framework"][i], area=int(col["area"][i]), area_title=col["area_title"][i],
            kind=col["kind"][i], finding_index=int(col["finding_index"][i]), finding=col["text"][i],
            **{c: links[c][i] for c in LINK_COLUMNS}, theme=tid,
            theme_label=labels.get(tid) if tid is not None else None, praise_cue=ix.praise_cue[i],
            passage=None if p is None else p["text"], passage_heading=None if p is None else p["heading"],
            file=file, page=page, start=start, end=end, citation=citation(file, page, start, end),
            passage_start=None if p is None else int(p["start"]), passage_end=None if p is None else int(p["end"]),
            passage_page=p_page,
            passage_citation=None if p is None else citation(file, p_page, int(p["start"]), int(p["end"])),
            rank_score=float(total[k]), similarity=float(sim[k]), score_component=float(score[k]),
            praise_component=float(praise[k])))
    return pd.DataFrame(rows, columns=EXAMPLE_COLUMNS)


def _report_ids(corpus: Any) -> list[str]:
    from ..corpus import report_id

    return [report_id(r) for r in corpus.reports]


def _mask(ix: SearchIndex, *, kind: str | None, area: int | None, framework: str | None,
          min_percent: float | None, links: pd.DataFrame) -> np.ndarray:
    f = ix.findings
    m = np.ones(len(f), bool)
    if kind is not None:
        if kind not in _KINDS:
            raise ValueError(f"kind must be one of {_KINDS} or None, not {kind!r}")
        m &= (f["kind"] == kind).to_numpy()
    if area is not None:
        m &= (f["area"] == int(area)).to_numpy()
    if framework is not None:
        m &= (f["framework"].astype(str) == str(framework)).to_numpy()
    if min_percent is not None:
        pct = pd.to_numeric(links["percent"], errors="coerce")
        m &= (pct >= float(min_percent)).fillna(False).to_numpy()
    return m


# --------------------------------------------------------------------------- public API
def examples(corpus: Any, *, query: Any = None, theme: int | str | None = None, kind: str | None = "strength",
             area: int | None = None, framework: str | None = None, min_percent: float | None = None,
             top: int | None = 10, embedder: Any = None, themes: Any = None) -> pd.DataFrame:
    """The best examples in ``corpus`` for ``query``, ranked (columns :data:`EXAMPLE_COLUMNS`).

    query
        Free Swedish text ("Utveckla resultatorienterade chefskontrakt"), a finding (a row of
        ``corpus.findings``, a dict with ``text``, or a :class:`~kompasstext.model.Finding`; the finding
        itself is left out), or a theme id (int) with the fitted ``themes=`` model.  None: rank by score
        and praise only.
    theme
        Keep findings of this theme (id, or label) as ``themes.predict`` assigns them.
    kind, area, framework, min_percent
        Filters: ``"strength"`` (default), ``"improvement"`` or None for both; area number; framework
        revision ("2010"/"2015"/"2020"); minimum percent achieved on the linked sub-question (findings
        without a linked score are dropped).
    top
        Rows returned (None: all).
    embedder, themes
        An embedder with ``encode(texts)`` (default :class:`kompasstext.embedding.Embedder` with
        "query: "); a fitted :class:`~kompasstext.themes.ThemeModel` (adds ``theme``/``theme_label``).

    Notes (e.g. links unavailable) are in ``df.attrs["notes"]``.  See :mod:`kompasstext.exemplars.rank`
    for the ranking formula and :data:`WEIGHTS`.

    >>> import kompasstext as kt
    >>> corpus = kt.read_corpus("corpora/kommunkompassen")                       # doctest: +SKIP
    >>> df = kt.examples(corpus, query="Utveckla resultatorienterade chefskontrakt", top=3)  # doctest: +SKIP
    >>> df[["municipality", "finding", "citation", "rank_score"]]               # doctest: +SKIP
    """
    ix = get_index(corpus, embedder)
    links, note = _links(ix, corpus)
    notes = [note] if note else []
    if min_percent is not None and note:
        notes.append("min_percent needs linked sub-question scores: no finding passes it")
    mask = _mask(ix, kind=kind, area=area, framework=framework, min_percent=min_percent, links=links)
    if theme is not None:
        if themes is None:
            raise ValueError("theme= needs the fitted ThemeModel as themes=")
        ids, labels = _themes_of(ix, themes)
        tid = theme if isinstance(theme, numbers.Integral) else next(
            (k for k, v in labels.items() if str(v).casefold() == str(theme).casefold()), None)
        if tid is None:
            raise ValueError(f"no theme labelled {theme!r}")
        mask &= ids == int(tid)
    if query is None:
        qc, exclude = np.zeros(ix.centred.shape[1], np.float32), None
        ql = np.zeros((1, len(ix.vectorizer.vocabulary_)), np.float32)
    else:
        qc, ql, exclude = _query_vectors(ix, query, themes)
    if exclude is not None:
        f = ix.findings
        mask &= ~((f["report_id"] == exclude[0]) & (f["area"] == exclude[1]) & (f["kind"] == exclude[2])
                  & (f["finding_index"] == exclude[3])).to_numpy()
    df = _ranked(ix, corpus, qc, ql, mask, top, themes, query=query is not None)
    df.attrs["notes"] = notes
    return df


def examples_by_theme(corpus: Any, themes: Any, *, top: int = 3, kind: str | None = "strength",
                      embedder: Any = None) -> pd.DataFrame:
    """The ``top`` examples of every theme of the fitted ``themes`` model — for each theme the same rows
    as ``examples(corpus, query=theme_id, theme=theme_id, themes=themes, kind=kind, top=top)`` — in
    one pass (query vectors encoded together, masks built once).  Columns ``theme_id`` +
    :data:`EXAMPLE_COLUMNS`; notes in ``df.attrs["notes"]``.

    >>> kt.exemplars.examples_by_theme(corpus, model, top=3)   # doctest: +SKIP
    """
    ix = get_index(corpus, embedder)
    links, note = _links(ix, corpus)
    base = _mask(ix, kind=kind, area=None, framework=None, min_percent=None, links=links)
    ids, _ = _themes_of(ix, themes)
    queries = _theme_queries(ix, themes)
    members = pd.Series(np.arange(len(ids))).groupby(ids).indices
    parts = []
    for t in themes.themes_["theme_id"].astype(int).tolist():
        mask = np.zeros(len(ids), bool)
        mask[members.get(t, [])] = True
        mask &= base
        if not mask.any():
            continue
        qc, ql = queries[t]
        parts.append(_ranked(ix, corpus, qc, ql, mask, top, themes).assign(theme_id=t))
    cols = ["theme_id"] + EXAMPLE_COLUMNS
    out = pd.concat(parts, ignore_index=True)[cols] if parts else pd.DataFrame(columns=cols)
    out.attrs["notes"] = [note] if note else []
    return out


def _municipality_reports(corpus: Any, municipality: str) -> list[str]:
    want = str(municipality).casefold()
    ids = [rid for rid, r in zip(_report_ids(corpus), corpus.reports)
           if want in (rid.casefold(), str(r.municipality or "").casefold())]
    if not ids:
        known = sorted({str(r.municipality) for r in corpus.reports})
        raise ValueError(f"no report of {municipality!r} in the corpus (municipalities: {', '.join(known)})")
    return ids


def examples_for(corpus: Any, municipality: str, top: int = 3, *, area: int | None = None,
                 embedder: Any = None, themes: Any = None) -> pd.DataFrame:
    """"Who does this well": for each improvement of ``municipality``, the ``top`` best strengths of
    *other* municipalities (columns ``improvement_*`` then :data:`EXAMPLE_COLUMNS`).

    >>> import kompasstext as kt
    >>> corpus = kt.read_corpus("corpora/kommunkompassen")                         # doctest: +SKIP
    >>> kt.examples_for(corpus, "Norrtälje", top=2)[["improvement", "municipality", "finding"]]  # doctest: +SKIP
    """
    ix = get_index(corpus, embedder)
    links, note = _links(ix, corpus)
    rids = _municipality_reports(corpus, municipality)
    f = ix.findings
    own = f["report_id"].isin(rids).to_numpy()
    others = _mask(ix, kind="strength", area=None, framework=None, min_percent=None, links=links) & ~own
    mine = np.where(own & (f["kind"] == "improvement").to_numpy()
                    & ((f["area"] == int(area)).to_numpy() if area is not None else True))[0]
    reports = dict(zip(_report_ids(corpus), corpus.reports))
    parts = []
    for i in mine:
        r = f.iloc[i]
        _, ql = ix.encode_queries([str(r["text"])])
        got = _ranked(ix, corpus, ix.centred[i], ql, others, top, themes)
        rep = reports[r["report_id"]]
        page = page_of(rep, r["start"], None if pd.isna(r["page"]) else int(r["page"]))
        got.insert(0, "improvement_citation", citation(source_file(rep), page, int(r["start"]), int(r["end"])))
        got.insert(0, "improvement", r["text"])
        got.insert(0, "improvement_index", int(r["finding_index"]))
        got.insert(0, "improvement_area", int(r["area"]))
        got.insert(0, "improvement_report_id", r["report_id"])
        parts.append(got)
    cols = ["improvement_report_id", "improvement_area", "improvement_index", "improvement",
            "improvement_citation"] + EXAMPLE_COLUMNS
    out = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=cols)
    out.attrs["notes"] = [note] if note else []
    return out
