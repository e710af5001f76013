"""Compute the tables of the theme report: read → themes → links → score links → matrix → examples.

:func:`compute` returns a :class:`ReportData` — plain pandas tables that :mod:`.page` renders and
:mod:`.xlsx` exports.  Tests build a ``ReportData`` by hand (see :func:`ReportData.from_tables`).

Columns the renderer relies on (extra columns are kept and exported):

``findings``     report_id, municipality, year, framework, area, area_title, kind, text, finding_index,
                 file, page, start, end, citation, theme, theme_label, subquestion, subquestion_text,
                 concept, link_confidence, achieved, max, percent
``themes``       theme_id, label, keyphrases, n_findings, n_municipalities, n_strengths, n_improvements
``areas``        report_id, municipality, year, framework, area, area_title, score
``distribution`` theme_id, concept, subquestion_label, n_links, group, report_id, municipality, percent
                 (one row per theme × linked concept × scored report *where the theme appears*: group =
                 strength / improvement / both, as :func:`kompasstext.links.score_links` groups them; the
                 "absent" group is the rest of ``concept_scores`` — :func:`score_distribution` gives all rows)
``theme_concepts`` theme_id, concept, subquestion_label, n_links: the sub-question panels of each theme
``concept_scores`` concept, report_id, municipality, framework, subquestion, percent: every scored report
``score_links``  :func:`kompasstext.links.score_links` (means, difference, CI, p-values, note)
``matrix``       :func:`kompasstext.links.framework_matrix`: municipality × theme id, "S" / "I" / "S+I" / "";
                 ``matrix_counts`` the number of findings
``examples``     theme_id + :data:`kompasstext.exemplars.EXAMPLE_COLUMNS` (municipality, finding, citation,
                 rank_score, ...): the good examples of each theme
``profile``      (with a municipality) :func:`kompasstext.exemplars.examples_for`
"""
from __future__ import annotations

import time
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ..model import FINDING_KEY

KEYS = FINDING_KEY
GROUPS = ("strength", "improvement", "both", "absent")


def citation(file: Any, page: Any, start: Any, end: Any) -> str:
    """``"<file>, s. <page>, tecken <start>–<end>"`` (unknown parts left out), as in :mod:`kompasstext.exemplars`."""
    parts = [str(file) if _ok(file) else "?"]
    if _ok(page):
        parts.append(f"s. {int(page)}")
    if _ok(start) and _ok(end):
        parts.append(f"tecken {int(start)}–{int(end)}")
    return ", ".join(parts)


def _ok(v: Any) -> bool:
    return v is not None and not (isinstance(v, float) and np.isnan(v)) and v is not pd.NA and v == v


@dataclass
class ReportData:
    findings: pd.DataFrame
    themes: pd.DataFrame
    reports: pd.DataFrame
    areas: pd.DataFrame
    scores: pd.DataFrame = field(default_factory=pd.DataFrame)
    distribution: pd.DataFrame = field(default_factory=pd.DataFrame)
    score_links: pd.DataFrame = field(default_factory=pd.DataFrame)
    #: the panels (theme x linked concept) and every report's score per concept: see distribution_parts
    theme_concepts: pd.DataFrame = field(default_factory=pd.DataFrame)
    concept_scores: pd.DataFrame = field(default_factory=pd.DataFrame)
    matrix: pd.DataFrame = field(default_factory=pd.DataFrame)
    matrix_counts: pd.DataFrame = field(default_factory=pd.DataFrame)
    examples: pd.DataFrame = field(default_factory=pd.DataFrame)
    municipality: str | None = None
    profile: pd.DataFrame | None = None
    title: str = "Temarapport – Kommunkompassen"
    timings: dict[str, float] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    #: files written by :func:`kompasstext.reporting.report`: ``{"html": Path, "xlsx": Path}``
    paths: dict[str, Path] = field(default_factory=dict)

    @classmethod
    def from_tables(cls, findings: pd.DataFrame, themes: pd.DataFrame, areas: pd.DataFrame, **kw: Any) -> "ReportData":
        """Assemble from hand-made tables (tests, other pipelines): missing columns and tables are derived."""
        findings = _complete_findings(findings.copy())
        reports = kw.pop("reports", None)
        if reports is None:
            reports = _reports_table(findings, areas)
        data = cls(findings=findings, themes=themes, reports=reports, areas=areas, **kw)
        if data.matrix.empty:
            data.matrix, data.matrix_counts = theme_matrix(findings, themes)
        if data.theme_concepts.empty and not data.scores.empty:
            scores, note = possible_scores(data.scores)
            if note and note not in data.notes:
                data.notes.append(note)
            data.theme_concepts, data.concept_scores, present = distribution_parts(findings, scores)
            if data.distribution.empty:
                data.distribution = present
        return data


# ------------------------------------------------------------------------------------------ steps
def compute(corpus_or_paths: Any, *, municipality: str | None = None, themes: Any = None, embedder: Any = None,
            n_examples: int = 3, title: str | None = None, progress: Any = None,
            exclude_uncertain_links: bool = True) -> ReportData:
    """Run the pipeline on a :class:`~kompasstext.corpus.Corpus` or report paths.

    ``themes``: a fitted :class:`~kompasstext.themes.ThemeModel`, a directory written by its ``save``, or
    None (fit one here).  ``embedder`` is shared by the theme model and the linker.
    ``exclude_uncertain_links``: the score statistics (theme × score table and distribution) leave out
    findings whose link is ``link_uncertain`` (they stay in every other table); said in ``notes``.
    ``progress``: a callable taking a message (e.g. ``print``) for stage-by-stage timings.
    """
    from ..corpus import Corpus, read_corpus
    from ..errors import KompassError

    say = progress or (lambda msg: None)
    timings: dict[str, float] = {}
    notes: list[str] = []
    t0 = time.perf_counter()

    def lap(name: str) -> None:
        nonlocal t0
        now = time.perf_counter()
        timings[name] = round(now - t0, 2)
        say(f"{name}: {timings[name]:.1f} s")
        t0 = now

    corpus = corpus_or_paths if isinstance(corpus_or_paths, Corpus) else read_corpus(corpus_or_paths)
    if municipality is not None:
        known = sorted({str(r.municipality) for r in corpus.reports})
        match = [m for m in known if m.casefold() == municipality.casefold()]
        if not match:
            raise KompassError("E006", None, f"--municipality {municipality!r}: no report of it in the corpus "
                                             f"(municipalities: {', '.join(known)})")
        municipality = match[0]
    lap("reading")

    links = _links(corpus, embedder)  # first: the theme model uses the linked concepts as a view
    lap("links")

    model = _theme_model(corpus, themes, embedder)
    findings = _themed_findings(corpus, model)
    extra = [c for c in links.columns if c not in findings.columns or c in KEYS]
    findings = findings.merge(links[extra].drop_duplicates(KEYS), on=KEYS, how="left")
    lap("themes")

    scores = corpus.scores.copy()
    scores["concept"] = _concepts(scores["framework"], scores["subquestion"])
    stat_findings, note = score_findings(findings, exclude_uncertain_links)
    stat_scores, bad = possible_scores(scores)
    notes += [n for n in (note, bad) if n]
    panels, points, distribution = distribution_parts(stat_findings, stat_scores)
    score_tab = _score_links(stat_findings, stat_scores)
    theme_tab = model.themes_.copy()
    matrix, matrix_counts = theme_matrix(findings, theme_tab)
    lap("scores")

    examples = _examples(corpus, model, theme_tab, n_examples, embedder)
    profile = _profile(corpus, municipality, model, embedder) if municipality else None
    for table in (examples, profile):
        for note in (getattr(table, "attrs", None) or {}).get("notes", []):
            if note and note not in notes:
                notes.append(str(note))
    lap("examples")

    areas = corpus.areas
    return ReportData(findings=findings, themes=theme_tab, reports=_reports_table(findings, areas, corpus),
                      areas=areas, scores=scores, distribution=distribution, score_links=score_tab,
                      theme_concepts=panels, concept_scores=points,
                      matrix=matrix, matrix_counts=matrix_counts, examples=examples, municipality=municipality,
                      profile=profile, title=title or "Temarapport – Kommunkompassen", timings=timings, notes=notes)


def score_findings(findings: pd.DataFrame, exclude_uncertain_links: bool = True) -> tuple[pd.DataFrame, str | None]:
    """The findings the score statistics use, and the report's note (Swedish) saying what was left out:
    without the findings whose link is ``link_uncertain`` when ``exclude_uncertain_links``.

    >>> f = pd.DataFrame({"text": ["a", "b", "c"], "link_uncertain": [False, True, None]})
    >>> kept, note = score_findings(f)
    >>> kept["text"].tolist(), note.split(" vars")[0]
    (['a', 'c'], 'Poängstatistiken bygger inte på de 1 iakttagelser')
    >>> score_findings(f, exclude_uncertain_links=False)[0]["text"].tolist()
    ['a', 'b', 'c']
    """
    if not exclude_uncertain_links or "link_uncertain" not in findings.columns:
        return findings, None
    uncertain = findings["link_uncertain"].astype("boolean").fillna(False).to_numpy(dtype=bool)
    from ..links import LinkWeights

    below = f"{LinkWeights().uncertain_below:.1f}".replace(".", ",")
    from .strings import load

    note = load("sv")("notes.uncertain_links", n=int(uncertain.sum()), below=below)
    return findings[~uncertain], note


def impossible_score(achieved: Any, maximum: Any, percent: Any = None) -> bool:
    """A score no evaluation can give: more points than the maximum, fewer than none, or a percentage
    outside 0–100 (the reader keeps such rows as printed, with a W103 warning).

    >>> impossible_score(95, 20), impossible_score(7, 10, 70.0), impossible_score(None, None, 475.0)
    (True, False, True)
    """
    ach, mx, pct = (None if not _ok(v) else float(v) for v in (achieved, maximum, percent))
    if ach is not None and (ach < 0 or (mx is not None and ach > mx)):
        return True
    return pct is not None and not 0 <= pct <= 100


def possible_scores(scores: pd.DataFrame) -> tuple[pd.DataFrame, str | None]:
    """The score rows the score statistics use (without :func:`impossible_score` ones) and the report's
    note (Swedish) saying how many were left out.

    >>> s = pd.DataFrame({"achieved": [7, 95], "max": [10, 20], "percent": [70.0, None]})
    >>> kept, note = possible_scores(s)
    >>> len(kept), note.split(" med")[0]
    (1, '1 poängrader')
    """
    if scores.empty:
        return scores, None
    cols = [scores[c] if c in scores.columns else pd.Series([None] * len(scores), index=scores.index)
            for c in ("achieved", "max", "percent")]
    bad = np.array([impossible_score(a, m, p) for a, m, p in zip(*cols)], dtype=bool)
    if not bad.any():
        return scores, None
    from .strings import load

    return scores[~bad], load("sv")("notes.impossible_scores", n=int(bad.sum()))


def _theme_model(corpus: Any, themes: Any, embedder: Any) -> Any:
    from ..themes import ThemeModel

    if themes is None:
        return ThemeModel(embedder=embedder).fit(corpus.linked_findings)
    if isinstance(themes, (str, Path)):
        return ThemeModel.load(themes, embedder=embedder)
    return themes


def _themed_findings(corpus: Any, model: Any) -> pd.DataFrame:
    """Corpus findings + file/page/citation + theme/theme_label/theme_score (``ThemeModel.assignment``)."""
    linked = corpus.linked_findings  # the links ran first (compute): the concept view for a loaded model
    df = _complete_findings(linked.copy(), corpus)
    labels = dict(zip(model.themes_["theme_id"], model.themes_["label"]))
    theme, score = model.assignment(linked)
    df["theme"] = np.asarray(theme, dtype=int)
    df["theme_score"] = score  # similarity to the best theme
    df["theme_label"] = [labels.get(t) for t in df["theme"]]
    return df


def _complete_findings(df: pd.DataFrame, corpus: Any = None) -> pd.DataFrame:
    """Add ``file``, ``page`` (from the report's page marks when the reader had none) and ``citation``."""
    if "file" not in df.columns:
        df["file"] = [Path(str(s)).name if _ok(s) else None for s in df.get("source", pd.Series([None] * len(df)))]
    if corpus is not None and "page" in df.columns:
        by_id = {}
        from ..corpus import report_id

        for r in corpus.reports:
            by_id[report_id(r)] = r
        pages = []
        for rid, page, start in zip(df["report_id"], df["page"], df["start"]):
            if _ok(page):
                pages.append(int(page))
            elif _ok(start) and rid in by_id:
                pages.append(by_id[rid].page_at(int(start)))
            else:
                pages.append(None)
        df["page"] = pd.array(pages, dtype="Int64")
    for c in ("page", "start", "end"):
        if c not in df.columns:
            df[c] = None
    if "citation" not in df.columns:
        df["citation"] = [citation(f, p, s, e) for f, p, s, e in zip(df["file"], df["page"], df["start"], df["end"])]
    if "theme" not in df.columns:
        df["theme"] = -1
    if "theme_label" not in df.columns:
        df["theme_label"] = None
    return df


def _links(corpus: Any, embedder: Any) -> pd.DataFrame:
    """:func:`kompasstext.links.link_findings` of the corpus, computed once with ``embedder`` and cached
    as ``Corpus.links`` (so ``corpus.linked_findings`` and the examples stage reuse it)."""
    from ..links import link_findings

    cache = getattr(corpus, "_cache", None)
    if embedder is None and hasattr(type(corpus), "links"):
        return corpus.links
    if isinstance(cache, dict) and "links" in cache:
        return cache["links"]
    links = link_findings(corpus, embedder=embedder)
    if isinstance(cache, dict):
        cache["links"] = links
    return links


def _concepts(frameworks: pd.Series, subquestions: pd.Series) -> list[str | None]:
    try:
        from ..links import concept_of
    except ImportError:
        return [None] * len(subquestions)
    return [concept_of(None if not _ok(f) else str(f), None if not _ok(q) else str(q))
            for f, q in zip(frameworks, subquestions)]


# --------------------------------------------------------------------------- score distribution
def _group(kinds: set) -> str:
    """The group of a report for a theme, as :func:`kompasstext.links.score_links` forms them."""
    if {"strength", "improvement"} <= kinds:
        return "both"
    return "strength" if "strength" in kinds else "improvement" if "improvement" in kinds else "absent"


DIST_COLUMNS = ["theme_id", "concept", "subquestion_label", "n_links", "group", "report_id", "municipality",
                "framework", "subquestion", "percent"]
PANEL_COLUMNS = ["theme_id", "concept", "subquestion_label", "n_links"]
POINT_COLUMNS = ["concept", "report_id", "municipality", "framework", "subquestion", "percent"]


def distribution_parts(findings: pd.DataFrame, scores: pd.DataFrame, *, max_concepts: int = 3
                       ) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """The score distribution of :func:`score_distribution` in three compact tables, O(themes + reports)
    rather than O(themes x reports):

    ``panels``  theme_id, concept, subquestion_label, n_links — a theme's linked concepts (at most
                ``max_concepts``, most links first) that have scores in the corpus;
    ``points``  concept, report_id, municipality, framework, subquestion, percent — every scored report's
                percent per concept (the same for every theme);
    ``present`` the :data:`DIST_COLUMNS` rows of the reports where the theme appears (group strength,
                improvement or both); a panel's "absent" group is the rest of the concept's points.
    """
    empty = (pd.DataFrame(columns=PANEL_COLUMNS), pd.DataFrame(columns=POINT_COLUMNS), pd.DataFrame(columns=DIST_COLUMNS))
    if "concept" not in findings.columns or scores.empty:
        return empty
    sc = scores.copy()
    if "concept" not in sc.columns:
        sc["concept"] = _concepts(sc["framework"], sc["subquestion"])
    ach = pd.to_numeric(sc["achieved"], errors="coerce")
    mx = pd.to_numeric(sc["max"], errors="coerce")
    sc["pct"] = (100.0 * ach / mx.where(mx > 0)).fillna(pd.to_numeric(sc["percent"], errors="coerce"))
    sc = sc.dropna(subset=["concept", "pct"])
    f = findings[(findings["theme"] >= 0)]
    kinds = f.groupby(["theme", "report_id"])["kind"].agg(set).to_dict()
    try:
        from ..links.concepts import concept_labels

        clabels = concept_labels()
    except ImportError:  # pragma: no cover
        clabels = {}
    per_concept: dict[Any, tuple[str, list] | None] = {}  # the same for every theme: computed once

    def concept_points(c: Any) -> tuple[str, list] | None:
        if c not in per_concept:
            cs = sc[sc["concept"] == c]
            if cs.empty:
                per_concept[c] = None
            else:
                ids = ", ".join(sorted({f"{fw}: {q}" for fw, q in zip(cs["framework"], cs["subquestion"])}))
                texts = cs["subquestion_text"].dropna() if "subquestion_text" in cs.columns else pd.Series(dtype=str)
                label = f"{clabels.get(c) or (texts.iloc[0] if len(texts) else c)} (delfråga {ids})"
                pts = cs.groupby(["report_id", "municipality", "framework", "subquestion"], as_index=False)["pct"].mean()
                per_concept[c] = (label, list(zip(*(pts[k].tolist() for k in ("report_id", "municipality",
                                                                              "framework", "subquestion", "pct")))))
        return per_concept[c]

    panels, present = [], []
    for t, ft in f[f["concept"].notna()].groupby("theme", sort=True):
        counts = ft["concept"].value_counts()
        for c in sorted(counts.index, key=lambda k: (-counts[k], k))[:max_concepts]:
            got = concept_points(c)
            if got is None:
                continue
            label, points = got
            panels.append((int(t), c, label, int(counts[c])))
            for rid, mun, fw, q, pct in points:
                if (t, rid) not in kinds:
                    continue
                present.append((int(t), c, label, int(counts[c]), _group(kinds[(t, rid)]), rid, mun, fw, q, float(pct)))
    points = [(c, *p) for c, got in per_concept.items() if got is not None for p in got[1]]
    return (pd.DataFrame(panels, columns=PANEL_COLUMNS), pd.DataFrame(points, columns=POINT_COLUMNS),
            pd.DataFrame(present, columns=DIST_COLUMNS))


def score_distribution(findings: pd.DataFrame, scores: pd.DataFrame, *, max_concepts: int = 3,
                       absent: bool = True) -> pd.DataFrame:
    """Per theme and linked sub-question concept: every scored report's percent, grouped by how the theme
    appears in the report's findings: only as a strength, only as an improvement, both, or not at all
    (the groups of :func:`kompasstext.links.score_links`, whose means these points make up).

    A theme's concepts are those its findings link to (at most ``max_concepts``, most links first).
    ``absent=False`` leaves out the "absent" rows (themes x reports of them at archive scale; the report
    keeps them implicitly, see :func:`distribution_parts`).
    """
    panels, points, present = distribution_parts(findings, scores, max_concepts=max_concepts)
    if not absent or panels.empty:
        return present
    seen = set(zip(present["theme_id"], present["concept"], present["report_id"]))
    by_concept = {c: list(g.itertuples(index=False)) for c, g in points.groupby("concept", sort=False)}
    rows = []
    for p in panels.itertuples(index=False):
        for q in by_concept.get(p.concept, []):
            if (p.theme_id, p.concept, q.report_id) not in seen:
                rows.append((p.theme_id, p.concept, p.subquestion_label, p.n_links, "absent", q.report_id,
                             q.municipality, q.framework, q.subquestion, float(q.percent)))
    out = pd.concat([present, pd.DataFrame(rows, columns=DIST_COLUMNS)], ignore_index=True)
    # the order of the full table: theme, its concepts in panel order, then the concept's points in order
    rank = {(t, c): i for i, (t, c) in enumerate(zip(panels["theme_id"], panels["concept"]))}
    pos = {(c, r, q): i for i, (c, r, q) in enumerate(zip(points["concept"], points["report_id"], points["subquestion"]))}
    key = [(rank[(t, c)], pos[(c, r, q)]) for t, c, r, q in zip(out["theme_id"], out["concept"], out["report_id"],
                                                              out["subquestion"])]
    return out.iloc[sorted(range(len(out)), key=key.__getitem__)].reset_index(drop=True)


def _score_links(findings: pd.DataFrame, scores: pd.DataFrame) -> pd.DataFrame:
    from ..links import score_links

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return pd.DataFrame(score_links(findings, scores))


# ------------------------------------------------------------------------------------- matrix
def theme_matrix(findings: pd.DataFrame, themes: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Municipality × theme: ``framework_matrix`` (``"S"``, ``"I"``, ``"S+I"``, ``""``) and the number of
    findings, both with every municipality and every theme."""
    from ..links import framework_matrix

    ids = [int(t) for t in themes["theme_id"]]
    muns = sorted(findings["municipality"].dropna().astype(str).unique())
    f = findings[findings["theme"] >= 0]
    cat = framework_matrix(f) if len(f) else pd.DataFrame()
    cat = cat.reindex(index=muns, columns=ids).fillna("")
    cat.index.name, cat.columns.name = "municipality", "theme"
    n = pd.crosstab(f["municipality"], f["theme"]).reindex(index=muns, columns=ids, fill_value=0).fillna(0)
    return cat, n.astype(int)


# ----------------------------------------------------------------------------------- examples
def _examples(corpus: Any, model: Any, themes: pd.DataFrame, n: int, embedder: Any) -> pd.DataFrame:
    """The top ``n`` strengths of each theme, ranked by :func:`kompasstext.exemplars.examples` with the
    theme as the query (all themes in one pass: :func:`~kompasstext.exemplars.rank.examples_by_theme`)."""
    from ..exemplars.rank import examples_by_theme

    return examples_by_theme(corpus, model, top=n, embedder=embedder)


def _profile(corpus: Any, municipality: str, model: Any, embedder: Any) -> pd.DataFrame:
    from ..exemplars import examples_for

    return examples_for(corpus, municipality, themes=model, embedder=embedder)


# ------------------------------------------------------------------------------------ overview
def _reports_table(findings: pd.DataFrame, areas: pd.DataFrame, corpus: Any = None) -> pd.DataFrame:
    rows = []
    if corpus is not None:
        from ..corpus import report_id

        for r in corpus.reports:
            rows.append(dict(report_id=report_id(r), municipality=r.municipality, year=r.year, framework=r.framework,
                             format=r.format, total_score=r.total_score,
                             file=Path(r.source).name if r.source else None))
        rep = pd.DataFrame(rows)
    else:
        rep = findings.groupby("report_id", as_index=False).agg(
            municipality=("municipality", "first"), year=("year", "first"), framework=("framework", "first"),
            file=("file", "first"))
        tot = areas.groupby("report_id")["score"].sum(min_count=1)
        rep["format"] = None
        rep["total_score"] = rep["report_id"].map(tot)
    k = findings.groupby(["report_id", "kind"]).size().unstack(fill_value=0)
    rep["n_strengths"] = rep["report_id"].map(k.get("strength", pd.Series(dtype=int))).fillna(0).astype(int)
    rep["n_improvements"] = rep["report_id"].map(k.get("improvement", pd.Series(dtype=int))).fillna(0).astype(int)
    themed = findings[findings["theme"] >= 0].groupby("report_id").size()
    rep["n_themed"] = rep["report_id"].map(themed).fillna(0).astype(int)
    return rep.sort_values(["municipality", "year"], kind="stable").reset_index(drop=True)
