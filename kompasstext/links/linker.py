"""Finding → sub-question links, with a confidence and an optional runner-up, and the joined score.

Evidence, per area (all log-scores over the area's candidate sub-questions, summed with weights):

1. **text** — the finding against each sub-question's descriptions: its text, the catalog's wording,
   the area's "Rubriker" aligned to it (:func:`~kompasstext.links.align.monotone_align`) and the
   concept label of the cross-revision map;
2. **heading** — the subheading a finding sits under (2011 style), against the same descriptions;
3. **narrative** (``use_narrative``) — the passage most similar to the finding, with the sub-question
   its subheading points to; in a headless narrative (docplayer sentences, no subheadings) the passage's
   own similarity to the sub-questions instead, with its own weight (``narrative_headless``): flattened
   transcripts do not keep the sections in question order, and cutting them into monotone sections
   pulled whole runs of findings into the wrong section (``benchmarks/links_errors.py``);
4. **corpus** (``second_pass``) — nearest confidently linked findings of *other* reports, carried to
   this revision through the concept map;

then a soft order prior over each strengths / improvements list (lists follow the question order;
stepping back costs ``back_penalty``), whose posterior marginals give the link and its confidence.
Each area's narrative is weighed by its shape (``narrative_shape``: headed, headless or none), so a
report without narrative is not scored as if it had one.  ``link_confidence`` is the posterior of the
link (over-confident: the sources are not independent); ``link_probability`` is the same chain tempered
by ``confidence_temperature``, calibrated out of sample; a link whose probability is below
``uncertain_below`` carries ``link_uncertain = True`` (its best guess is kept).  ``benchmarks/README.md``
gives the out-of-sample accuracy per band.
An area without a score table (truncated transcript) is linked to the catalog's sub-questions of the
report's revision; its joined score is then missing.

>>> import kompasstext as kt
>>> corpus = kt.read_corpus("corpora/kommunkompassen")               # doctest: +SKIP
>>> links = link_findings(corpus)                                     # doctest: +SKIP
>>> links[["text", "subquestion", "link_confidence", "percent"]].head(3)  # doctest: +SKIP
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, Iterable

import numpy as np
import pandas as pd

from ..frameworks import catalog, load, similarity
from ..model import FINDING_KEY, Area, Report
from .align import monotone_align, order_marginals
from .concepts import concept_labels, concept_of, related_subquestions, subquestion_for
from .subheadings import inline_headings
from .textsim import TextSim, softmax

#: columns added by :func:`link_findings` (besides the finding keys)
LINK_COLUMNS = ["subquestion", "subquestion_text", "link_confidence", "link_probability", "link_uncertain",
                "subquestion_2", "link_confidence_2", "concept", "link_source", "achieved", "max", "percent"]
KEY_COLUMNS = ["report_id", "municipality", "year", "framework", "area", "kind", "finding_index", "text"]
#: subheadings that say nothing about a sub-question
GENERIC_HEADINGS = re.compile(r"^\s*(allmänt|sammanfattning|inledning|övrigt|styrkor|förbättringsområden)\b",
                              re.IGNORECASE)


@dataclass
class LinkWeights:
    """Weights of the evidence (log-score units) and the order prior.

    Global settings (never per report or per finding).  ``narrative``, ``narrative_headless``, ``corpus``
    and ``back_penalty`` are the values the leave-one-report-out fit of ``benchmarks/links_errors.py
    --loro`` chooses in most folds on the bundled corpus; ``headless_temperature``, ``top_passages`` and
    ``heading_string`` come from a one-at-a-time sweep; ``uncertain_below`` is the lower edge of the
    confidence band whose out-of-sample accuracy is useful (``benchmarks/README.md``)."""

    text: float = 1.0
    heading: float = 2.5
    #: narrative whose passages carry subheadings
    narrative: float = 1.6
    #: headless narrative (one passage per sentence): each passage's own similarity to the questions
    narrative_headless: float = 3.2
    #: softmax temperature of a headless passage's similarity to the questions
    headless_temperature: float = 1.0
    #: share of each neighbouring sentence's distribution mixed into a headless passage's (0: none)
    headless_context: float = 0.0
    corpus: float = 1.5
    back_penalty: float = 0.5
    #: weight of character-level string similarity when a subheading is matched to a question
    heading_string: float = 4.0
    #: softmax temperature applied to the combined similarity scores (see ``textsim``)
    temperature: float = 1.0
    #: passages voting for a finding (1 = the most similar passage)
    top_passages: int = 1
    #: a first-pass link at least this probable is "confident" (used by the corpus pass)
    confident: float = 0.6
    #: neighbours in the corpus pass
    k_neighbours: int = 7
    #: runner-up reported as ``subquestion_2`` when at least this probable
    second_min: float = 0.15
    #: ``link_probability`` is the posterior of the evidence divided by this (calibration: fitted
    #: leave-one-report-out by the log-likelihood of the links being right)
    confidence_temperature: float = 3.0
    #: a link whose ``link_probability`` is below this is flagged ``link_uncertain`` (best guess kept)
    uncertain_below: float = 0.7
    #: find the subheadings of a flattened narrative again (:mod:`.subheadings`)
    inline_headings: bool = True

    def narrative_weight(self, shape: str) -> float:
        """The narrative's weight for an area whose narrative is ``shape`` (headed / headless / none).

        >>> LinkWeights().narrative_weight("none")
        0.0
        """
        return {"headed": self.narrative, "headless": self.narrative_headless}.get(shape, 0.0)


@dataclass
class _AreaTask:
    report: Report
    area: Area
    rid: str
    qids: list[str]
    qtexts: list[str]
    source: str                                   # "table" | "catalog"
    descs: list[list[str]] = field(default_factory=list)
    scores: dict[str, tuple] = field(default_factory=dict)
    #: (flat descriptions, their scorer, column starts) — rebuilt when the descriptions change
    desc_scorer: tuple | None = None
    #: subheading -> its distribution over the questions (None: generic), per task
    heading_cache: dict[str, Any] = field(default_factory=dict)
    #: "headed" | "headless" | "none": how the area's narrative can be used (see :func:`narrative_shape`)
    shape: str = "none"
    #: the area's narrative passages, with subheadings found again in a flattened one
    passages: list = field(default_factory=list)


def narrative_shape(area: Area, use_narrative: bool = True) -> str:
    """How an area's narrative can serve as evidence: ``"headed"`` (passages under subheadings),
    ``"headless"`` (passages, none with a subheading: a flattened transcript) or ``"none"``.

    >>> from kompasstext.model import Area, Passage
    >>> narrative_shape(Area(1, "Demokrati", passages=[Passage("Kommunen informerar.")]))
    'headless'
    >>> narrative_shape(Area(1, "Demokrati"))
    'none'
    """
    ps = [p for p in area.passages if _clean(p.text)] if use_narrative else []
    if not ps:
        return "none"
    return "headed" if any(p.heading for p in ps) else "headless"


def _report_id(r: Report) -> str:
    from ..corpus import report_id

    return report_id(r)


def _candidates(report: Report, area: Area) -> tuple[list[str], list[str], str]:
    """The sub-questions a finding of ``area`` can link to: the score table's rows, completed by the
    catalog of the report's revision where the table is partial (a row lost in a flattened or truncated
    table must stay a candidate, or every finding is pulled onto the rows that were read).

    >>> from kompasstext.model import Area, Report, SubQuestion
    >>> r = Report("Exempel", 2017, "2015")
    >>> a = Area(1, "Offentlighet och demokrati", subquestions=[SubQuestion("1.2", "Information", 5, 10)])
    >>> _candidates(r, a)[0]
    ['1.1', '1.2', '1.3', '1.4', '1.5']
    """
    table = {q.id: q.text for q in area.subquestions}
    cat_ids: list[str] = []
    cat_texts: list[str] = []
    if report.framework:
        cat_ids, cat_texts = map(list, _catalog_area(report.framework, area.number))
    if table and set(cat_ids) <= set(table):
        return list(table), list(table.values()), "table"
    if table and not set(table) <= set(cat_ids):  # not the catalog's numbering: trust the table alone
        return list(table), list(table.values()), "table"
    if cat_ids:
        return cat_ids, [table.get(i, t) for i, t in zip(cat_ids, cat_texts)], "table" if table else "catalog"
    return [], [], "none"


@lru_cache(maxsize=256)
def _catalog_area(framework: str, area: int) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The catalog's sub-question ids and texts of one area of a revision (memoised: asked per area)."""
    cat = catalog(framework)
    cat = cat[cat.area == area]
    return tuple(cat.id.tolist()), tuple(cat.text.tolist())


def _catalog_texts(framework: str | None, qid: str) -> list[str]:
    if not framework:
        return []
    for a in load(framework)["areas"]:
        for q in a["subquestions"]:
            if q["id"] == qid:
                return [q["text"], *q.get("alt_texts", [])]
    return []


def _heading_parts(h: str) -> list[str]:
    parts = [h] + [p.strip() for p in re.split(r"\s[-–]\s|/", h) if p.strip() and p.strip() != h]
    return parts


@lru_cache(maxsize=1 << 16)
def _clean(text: str) -> str:
    return " ".join((text or "").split())


@lru_cache(maxsize=1 << 16)
def _core(text: str) -> str:
    """A finding without its opening directive ("Fortsätt utveckla …"), for matching."""
    try:
        from ..themes.text import core_text
    except ImportError:  # pragma: no cover - themes not installed
        return _clean(text)
    return _clean(core_text(_clean(text))) or _clean(text)


def _nearest(s: np.ndarray, by_col: list[np.ndarray], rid: np.ndarray, own: int, k: int) -> np.ndarray:
    """The ``k`` candidates nearest to a finding, not of its own report: ``s`` its similarity to each
    distinct candidate text, ``by_col`` each text's candidates (ascending), ``rid`` each candidate's
    report.  Order: similarity, then candidate position — the first ``k`` of a stable sort over all
    candidates, found by going through the distinct texts best first (no sort over all candidates)."""
    m = len(s)
    for width in (min(m, 4 * k), m):
        cols = np.argpartition(-s, width - 1)[:width] if width < m else np.arange(m)
        cols = cols[np.lexsort((cols, -s[cols]))]
        out: list[int] = []
        for c in cols:
            for p in by_col[c]:
                if rid[p] != own:
                    out.append(int(p))
                    if len(out) == k:
                        return np.asarray(out, dtype=np.intp)
    return np.asarray(out, dtype=np.intp)


class _Linker:
    def __init__(self, reports: list[Report], *, use_narrative: bool, embedder: Any, use_embeddings: bool,
                 weights: LinkWeights):
        self.reports = reports
        self.use_narrative = use_narrative
        self.w = weights
        self.tasks: list[_AreaTask] = []
        labels = concept_labels()
        texts: list[str] = []
        for r in reports:
            rid = _report_id(r)
            for a in r.areas:
                qids, qtexts, source = _candidates(r, a)
                if not qids or not a.findings:
                    continue
                t = _AreaTask(r, a, rid, qids, qtexts, source, shape=narrative_shape(a, use_narrative),
                              passages=list(a.passages))
                if t.shape == "headless" and weights.inline_headings:
                    t.passages = inline_headings(a.passages, [*a.rubrics, *qtexts])
                    if any(p.heading for p in t.passages):
                        t.shape = "headed"
                for qid, qt in zip(qids, qtexts):
                    base = [_clean(qt), *map(_clean, _catalog_texts(r.framework, qid))]
                    c = concept_of(r.framework, qid)
                    if c:
                        base.append(labels[c])
                        # the same concept's wording in the other revisions
                        for fw in ("2010", "2015", "2020"):
                            other = subquestion_for(c, fw) if fw != r.framework else None
                            if other:
                                base += [_clean(x) for x in _catalog_texts(fw, other)[:1]]
                    t.descs.append(list(dict.fromkeys(base)))
                texts += [d for ds in t.descs for d in ds] + [_clean(x) for x in a.rubrics]
                texts += [_clean(f.text) for f in a.findings] + [_core(f.text) for f in a.findings]
                texts += [p for f in a.findings if f.heading for p in _heading_parts(_clean(f.heading))]
                if use_narrative:
                    texts += [_clean(p.text) for p in t.passages]
                    texts += [p for ps in t.passages if ps.heading for p in _heading_parts(_clean(ps.heading))]
                self.tasks.append(t)
        self.sim = TextSim(texts, embedder=embedder, use_embeddings=use_embeddings)

    # -- descriptions -------------------------------------------------------------------------------
    def _add_rubrics(self, t: _AreaTask) -> None:
        rub = [_clean(x) for x in t.area.rubrics if _clean(x) and not GENERIC_HEADINGS.match(x)]
        if not rub:
            return
        S = np.array([[max(similarity(r, d) for d in ds) for ds in t.descs] for r in rub])
        n = max(len(rub), len(t.qids))
        # order prior: a rubric at the same relative position as the question gets a small bonus
        pos = np.array([[1.0 - abs(i / max(len(rub) - 1, 1) - j / max(len(t.qids) - 1, 1)) for j in
                         range(len(t.qids))] for i in range(len(rub))])
        S = S + 0.15 * pos * (n > 0)
        for i, j in monotone_align(S, min_score=0.35):
            if rub[i] not in t.descs[j]:
                t.descs[j].append(rub[i])

    def _dist(self, texts: list[str], t: _AreaTask) -> np.ndarray:
        """(len(texts), n_q) similarity scores: max over each question's descriptions (rows memoised per
        task; :meth:`_prefill` scores all of a task's texts in one product)."""
        flat = tuple(d for ds in t.descs for d in ds)
        if t.desc_scorer is None or t.desc_scorer[0] != flat:
            t.desc_scorer = (flat, self.sim.against(flat), {})
        rows = t.desc_scorer[2]
        todo = [x for x in dict.fromkeys(texts) if x not in rows]
        if todo:
            S = t.desc_scorer[1].score(todo)
            out = np.full((len(todo), len(t.qids)), -np.inf)
            k = 0
            for j, ds in enumerate(t.descs):
                if ds:
                    out[:, j] = S[:, k:k + len(ds)].max(axis=1)
                k += len(ds)
            rows.update(zip(todo, out))
        return np.stack([rows[x] for x in texts]) if len(texts) else np.zeros((0, len(t.qids)))

    def _prefill(self, t: _AreaTask) -> None:
        """Score every text the first pass will ask about for task ``t`` in one call."""
        fs = t.area.findings
        texts = [_clean(f.text) for f in fs] + [_core(f.text) for f in fs]
        heads = [f.heading for f in fs]
        ps = [p for p in t.passages if _clean(p.text)] if self.use_narrative else []
        if ps and not any(p.heading for p in ps):
            texts += [_clean(p.text) for p in ps]
        heads += [p.heading for p in ps]
        for h in dict.fromkeys(_clean(h or "") for h in heads):
            if h and not GENERIC_HEADINGS.match(h):
                texts += _heading_parts(h)
        self._dist(texts, t)

    def _heading_dist(self, heading: str | None, t: _AreaTask) -> np.ndarray | None:
        """Probability over questions that a subheading points to, or None for a generic heading
        (memoised per task: a subheading usually heads several items)."""
        h = _clean(heading or "")
        if not h or GENERIC_HEADINGS.match(h):
            return None
        if h not in t.heading_cache:
            t.heading_cache[h] = self._heading_dist_uncached(h, t)
        return t.heading_cache[h]

    def _heading_dist_uncached(self, h: str, t: _AreaTask) -> np.ndarray | None:
        parts = _heading_parts(h)
        S = self._dist(parts, t).max(axis=0)
        string = np.array([max(similarity(p, d) for p in parts for d in ds) for ds in t.descs])
        if string.max() < 0.3 and S.max() - np.median(S) < 1.0:
            return None
        return softmax(S / self.w.temperature + self.w.heading_string * string)

    # -- narrative ----------------------------------------------------------------------------------
    def _passage_dists(self, t: _AreaTask) -> tuple[list[str], list[np.ndarray | None]]:
        ps = [p for p in t.passages if _clean(p.text)]
        texts = [_clean(p.text) for p in ps]
        if not ps:
            return [], []
        if any(p.heading for p in ps):
            return texts, [self._heading_dist(p.heading, t) for p in ps]
        # headless (one passage per sentence): each sentence's own similarity to the questions (their
        # texts and the aligned Rubriker names); no section cuts (see the module docstring)
        P = softmax(self._dist(texts, t) / self.w.headless_temperature)
        c = self.w.headless_context
        if c > 0 and len(P) > 1:
            Q = P.copy()
            Q[1:] += c * P[:-1]
            Q[:-1] += c * P[1:]
            P = Q / Q.sum(axis=1, keepdims=True)
        return texts, list(P)

    def _narrative_evidence(self, t: _AreaTask, ftexts: list[str]) -> np.ndarray:
        texts, dists = self._passage_dists(t)
        n_q = len(t.qids)
        L = np.zeros((len(ftexts), n_q))
        keep = [i for i, d in enumerate(dists) if d is not None]
        if not keep:
            return L
        S = self.sim.score(ftexts, [texts[i] for i in keep])
        P = np.stack([dists[i] for i in keep])
        for r in range(len(ftexts)):
            top = np.argsort(-S[r], kind="stable")[: self.w.top_passages]
            wts = softmax(S[r, top] / self.w.temperature)
            p = wts @ P[top]
            L[r] = np.log(p + 0.02)
        return L - L.mean(axis=1, keepdims=True)

    # -- first pass -----------------------------------------------------------------------------------
    def first_pass(self) -> None:
        for t in self.tasks:
            self._add_rubrics(t)
            self._prefill(t)
            fs = t.area.findings
            ftexts = [_clean(f.text) for f in fs]
            S = np.maximum(self._dist(ftexts, t), self._dist([_core(f.text) for f in fs], t)) / self.w.temperature
            text_L = np.log(softmax(S))
            head_L = np.zeros_like(text_L)
            for i, f in enumerate(fs):
                h = self._heading_dist(f.heading, t)
                if h is not None:
                    head_L[i] = np.log(h + 0.01)
            narr_L = self._narrative_evidence(t, ftexts) if self.use_narrative else np.zeros_like(text_L)
            t.scores = {"text": text_L, "heading": head_L, "narrative": narr_L}
            t.desc_scorer, t.heading_cache = None, {}  # only needed for this task: memory O(one task)

    def _combine(self, t: _AreaTask, calibrated: bool = False) -> np.ndarray:
        """Posterior marginals over the questions; ``calibrated``: of the chain tempered by
        ``confidence_temperature`` (the sources are not independent, so the raw posterior is
        over-confident): the ``link_probability``; the link, ``link_confidence`` and the corpus pass use
        the raw one."""
        w = self.w
        tau = w.confidence_temperature if calibrated else 1.0
        L = (w.text * t.scores["text"] + w.heading * t.scores["heading"]
             + w.narrative_weight(t.shape) * t.scores["narrative"] + w.corpus * t.scores.get("corpus", 0.0))
        P = np.zeros_like(L)
        fs = t.area.findings
        # the order prior runs over each run of same-kind items, in document order
        for kind in ("strength", "improvement"):
            idx = [i for i, f in enumerate(fs) if f.kind == kind]
            if idx:
                P[idx] = order_marginals(L[idx] / tau, back_penalty=w.back_penalty / tau)
        return P

    # -- second pass: corpus neighbours ---------------------------------------------------------------
    def corpus_pass(self) -> None:
        rows = []  # (task index, finding index, concept, text)
        for ti, t in enumerate(self.tasks):
            P = self._combine(t)
            for i, f in enumerate(t.area.findings):
                j = int(np.argmax(P[i]))
                c = concept_of(t.report.framework, t.qids[j])
                if P[i, j] >= self.w.confident and c:
                    rows.append((ti, i, c, _clean(f.text)))
        if not rows:
            return
        k_nb = self.w.k_neighbours
        # the confident findings, once per pass: their distinct texts' embedding and TF-IDF rows (the
        # similarity of a finding to a confident finding is looked up through ``inv``), their report and
        # their concept (as an index into ``concepts``)
        conf_texts = [r[3] for r in rows]
        uniq = list(dict.fromkeys(conf_texts))
        upos = {x: i for i, x in enumerate(uniq)}
        inv = np.array([upos[x] for x in conf_texts], dtype=np.intp)
        urows = self.sim._rows(uniq)
        E_u = self.sim.E[urows] if self.sim.E is not None else None
        T_uT = self.sim.T[urows].T.tocsr()
        concepts = list(dict.fromkeys(r[2] for r in rows))
        cpos = {c: i for i, c in enumerate(concepts)}
        conf_c = np.array([cpos[r[2]] for r in rows], dtype=np.intp)
        rid_codes: dict[str, int] = {}
        conf_rid = np.array([rid_codes.setdefault(self.tasks[r[0]].rid, len(rid_codes)) for r in rows],
                            dtype=np.intp)
        # where each concept lands in each revision: (its own question, the related ones)
        landing: dict[str | None, list[tuple[str | None, list[str]]]] = {}

        def _landing(fw: str | None) -> list[tuple[str | None, list[str]]]:
            if fw not in landing:
                landing[fw] = [(subquestion_for(c, fw), related_subquestions(c, fw)) for c in concepts]
            return landing[fw]

        # tasks with the same revision and questions share their candidates (the confident findings whose
        # concept lands among those questions): their findings' distinct texts are scored against the
        # candidates' distinct texts in one product per group
        groups: dict[tuple, list[_AreaTask]] = {}
        for t in self.tasks:
            groups.setdefault((t.report.framework, tuple(t.qids)), []).append(t)
        for (fw, qids), tasks in groups.items():
            n_q = len(qids)
            # where each confident neighbour's concept lands among these questions
            target = np.zeros((len(concepts), n_q))
            has = np.zeros(len(concepts), dtype=bool)
            for ci, (q, related) in enumerate(_landing(fw)):
                if q in qids:
                    target[ci, qids.index(q)] = 1.0
                    has[ci] = True
                else:
                    rel = [x for x in related if x in qids]
                    for x in rel:
                        target[ci, qids.index(x)] = 0.5 / len(rel)
                    has[ci] = bool(rel)
            cand_g = np.where(has[conf_c])[0]
            if not len(cand_g):
                for t in tasks:
                    t.scores["corpus"] = np.zeros((len(t.area.findings), n_q))
                continue
            cols_u, col_of = np.unique(inv[cand_g], return_inverse=True)   # candidates' distinct texts
            E_g, T_g = (E_u[cols_u] if E_u is not None else None), T_uT[:, cols_u].tocsr()
            # each distinct text's candidates (positions in cand_g, ascending) and each report's candidates
            by_col = np.split(np.argsort(col_of, kind="stable"), np.cumsum(np.bincount(col_of))[:-1])
            rid_g = conf_rid[cand_g]
            fpos: dict[str, int] = {}
            for i, t in enumerate(tasks):
                if i % 128 == 0:  # a chunk of tasks at a time: memory O(chunk findings x distinct candidates)
                    ftexts_g = list(dict.fromkeys(_clean(f.text) for u in tasks[i:i + 128] for f in u.area.findings))
                    fpos = {x: j for j, x in enumerate(ftexts_g)}
                    S_g = self._conf_scores(ftexts_g, E_g, T_g)
                ftexts = [_clean(f.text) for f in t.area.findings]
                own = rid_codes.get(t.rid, -1)
                n_cand = int((rid_g != own).sum())
                L = np.zeros((len(ftexts), n_q))
                if n_cand:
                    k = min(k_nb, n_cand)
                    top = np.array([_nearest(S_g[fpos[x]], by_col, rid_g, own, k) for x in ftexts])  # cand_g positions
                    St = np.take_along_axis(S_g[[fpos[x] for x in ftexts]], col_of[top], axis=1)
                    wts = softmax(St / self.w.temperature)
                    tc = conf_c[cand_g[top]]                                      # concepts of the neighbours
                    votes = np.full((len(ftexts), n_q), 0.05)
                    for p in range(top.shape[1]):                                 # neighbours in rank order
                        votes += wts[:, p:p + 1] * target[tc[:, p]]
                    L = np.log(votes / votes.sum(axis=1, keepdims=True))
                    L -= L.mean(axis=1, keepdims=True)
                t.scores["corpus"] = L

    def _conf_scores(self, ftexts: list[str], E_u: np.ndarray | None, T_uT: Any) -> np.ndarray:
        """``self.sim.score(ftexts, uniq)`` against the precomputed confident-text matrices."""
        from .textsim import E5_SCALE, TFIDF_SCALE

        a = self.sim._rows(ftexts)
        n = T_uT.shape[1]
        sem = (self.sim.E[a] @ E_u.T).astype(float) if E_u is not None else np.zeros((len(a), n))
        lex = np.asarray((self.sim.T[a] @ T_uT).todense(), dtype=float)
        return sem / E5_SCALE + lex / TFIDF_SCALE

    # -- output ---------------------------------------------------------------------------------------
    def frame(self) -> pd.DataFrame:
        out = []
        for t in self.tasks:
            P, Pc = self._combine(t), self._combine(t, calibrated=True)
            qmap = {q.id: q for q in t.area.subquestions}
            for i, f in enumerate(t.area.findings):
                order = np.argsort(-P[i], kind="stable")
                j1 = int(order[0])
                j2 = int(order[1]) if len(order) > 1 else None
                second = t.qids[j2] if j2 is not None and P[i, j2] >= self.w.second_min else None
                q = qmap.get(t.qids[j1])
                pct = None
                if q is not None:
                    pct = q.percent if q.percent is not None else (
                        round(100 * q.achieved / q.max) if q.achieved is not None and q.max else None)
                out.append(dict(
                    report_id=t.rid, municipality=t.report.municipality, year=t.report.year,
                    framework=t.report.framework, area=t.area.number, kind=f.kind, finding_index=i,
                    text=f.text, subquestion=t.qids[j1], subquestion_text=t.qtexts[j1],
                    link_confidence=round(float(P[i, j1]), 4), link_probability=round(float(Pc[i, j1]), 4),
                    link_uncertain=bool(Pc[i, j1] < self.w.uncertain_below), subquestion_2=second,
                    link_confidence_2=round(float(P[i, j2]), 4) if second else None,
                    concept=concept_of(t.report.framework, t.qids[j1]),
                    link_source="table" if q is not None else "catalog",
                    achieved=q.achieved if q is not None else None, max=q.max if q is not None else None,
                    percent=pct))
        df = pd.DataFrame(out, columns=KEY_COLUMNS + LINK_COLUMNS)
        for c in ("achieved", "max", "percent", "link_confidence_2"):
            df[c] = pd.to_numeric(df[c], errors="coerce").astype("Float64" if c != "link_confidence_2"
                                                                  else "float64")
        return df


def link_findings(corpus: Any, *, use_narrative: bool = True, second_pass: bool = True,
                  embedder: Any = None, use_embeddings: bool = True,
                  weights: LinkWeights | None = None) -> pd.DataFrame:
    """Link every finding of ``corpus`` (a :class:`~kompasstext.corpus.Corpus` or reports) to the
    sub-question of its area it bears on most.

    Returns one row per finding — keys ``report_id, municipality, year, framework, area, kind,
    finding_index, text`` (as in ``Corpus.findings``) and ``subquestion, subquestion_text,
    link_confidence, link_probability, link_uncertain, subquestion_2, link_confidence_2, concept,
    link_source`` (``"table"`` or
    ``"catalog"`` when the area has no score table), with the joined score ``achieved, max, percent``
    (``percent`` as printed, else computed; missing for catalog links).  Deterministic.

    ``use_narrative=False`` ignores the report's narrative passages; ``second_pass=False`` skips the
    corpus-neighbour pass; ``embedder`` is any object with ``encode(list[str])`` (default
    ``kompasstext.embedding.Embedder``); ``use_embeddings=False`` links lexically only.
    """
    reports = list(getattr(corpus, "reports", corpus))
    if isinstance(corpus, Report):
        reports = [corpus]
    lk = _Linker(reports, use_narrative=use_narrative, embedder=embedder, use_embeddings=use_embeddings,
                 weights=weights or LinkWeights())
    lk.first_pass()
    if second_pass:
        lk.corpus_pass()
    out = lk.frame()
    # one row per finding, in Corpus.findings order (areas without candidates get no link)
    keys = FINDING_KEY
    base = pd.DataFrame([dict(report_id=_report_id(r), municipality=r.municipality, year=r.year,
                              framework=r.framework, area=a.number, kind=f.kind, finding_index=i, text=f.text)
                         for r in reports for a in r.areas for i, f in enumerate(a.findings)],
                        columns=KEY_COLUMNS)
    if base.empty:
        return out.astype({"link_uncertain": "boolean"})
    out = base.merge(out.drop(columns=[c for c in KEY_COLUMNS if c not in keys]), on=keys, how="left",
                     validate="one_to_one")
    return out.astype({"link_uncertain": "boolean"})


def iter_links(df: pd.DataFrame) -> Iterable[dict]:
    """The link rows as the evaluation format (municipality, year, area, kind, text, subquestion)."""
    for r in df.itertuples(index=False):
        yield dict(municipality=r.municipality, year=r.year, area=int(r.area), kind=r.kind, text=r.text,
                   subquestion=r.subquestion)
