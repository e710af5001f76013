"""Render a :class:`~.pipeline.ReportData` as one self-contained HTML page (Swedish, or English).

The page is written by the Jinja2 templates in ``templates/`` (``report.html`` and its sections) with
autoescaping on: every value a template prints is escaped unless it is :class:`markupsafe.Markup` (only
the inline SVG charts of :mod:`.svg` are).  This module turns the report's tables into what the
templates show (rows, labels, numbers in the language's style); the words are those of
``kompasstext/lang/<lang>/report.json`` (:mod:`.strings`).

No request leaves the page: CSS and JS are inlined, charts are inline SVG, and a Content-Security-Policy
(``default-src 'none'``) forbids loading anything else.
"""
from __future__ import annotations

import datetime as _dt
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from jinja2 import Environment, FileSystemLoader, StrictUndefined
from markupsafe import Markup

from . import svg
from .pipeline import ReportData, impossible_score
from .strings import DEFAULT_LANG, Strings, load, missing

TEMPLATES = Path(__file__).resolve().parent / "templates"
CSP = ("default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:; "
       "base-uri 'none'; form-action 'none'")
GROUP_COLOR = {"strength": svg.STRENGTH, "improvement": svg.IMPROVEMENT, "both": svg.BOTH, "absent": svg.ABSENT}
GROUPS_ORDER = ("strength", "improvement", "both", "absent")
#: findings listed per theme section; a bigger theme shows those closest to it (all are in the Excel file)
MAX_FINDINGS = 60
#: themes the municipality × theme heatmap shows at most (those in the most municipalities)
MAX_MATRIX_THEMES = 100
#: the timings' keys of reports computed before they were English (``ReportData.timings``)
_STAGE_KEYS_SV = {"läsa": "reading", "kopplingar": "links", "teman": "themes", "poäng och matris": "scores",
                  "exempel": "examples"}


def theme_anchor(theme_id: Any) -> str:
    return f"tema-{int(theme_id)}"


@lru_cache(maxsize=1)
def environment() -> Environment:
    """The Jinja2 environment of the report: autoescaping on, missing values printed as ''."""
    env = Environment(loader=FileSystemLoader(str(TEMPLATES)), autoescape=True, undefined=StrictUndefined,
                      trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True,
                      finalize=lambda v: "" if missing(v) else v)
    env.globals["anchor"] = theme_anchor
    return env


def render(data: ReportData, *, page_size: int = 25, max_findings: int | None = MAX_FINDINGS,
           lang: str = DEFAULT_LANG) -> str:
    """The report page as a string.  ``max_findings``: findings listed per theme section (a bigger theme
    shows those closest to it, with a note; None: all) — keeps the page light at archive scale.
    ``lang``: ``"sv"`` (default) or ``"en"``."""
    t = load(lang)
    env = environment()
    nav = [("oversikt", t("nav.oversikt")), ("temaindex", t("nav.temaindex")), ("teman", t("nav.teman")),
           ("matris", t("nav.matris"))]
    if data.municipality:
        nav.append(("profil", t("nav.profil", municipality=data.municipality)))
    nav.append(("otematiserade", t("nav.otematiserade")))
    js = (TEMPLATES / "report.js").read_text(encoding="utf-8")
    return env.get_template("report.html").render(
        t=t, title=_title(data.title, t), csp=CSP, nav=nav, colors=GROUP_COLOR,
        css=Markup((TEMPLATES / "report.css").read_text(encoding="utf-8")),
        # "</" cannot occur inside the inlined script except as written by us; guard anyway
        script=Markup(js.replace("</", "<\\/")), js_strings=t.get("js"),
        overview=_overview(data, t), index=_theme_index(data, t), themes=_theme_sections(data, t, max_findings),
        matrix=_matrix(data, t), matrix_note=_matrix_note(data, t),
        profile=_profile(data, t) if data.municipality else None,
        unthemed=_unthemed(data, t), footer=_footer(data, t), page_size=page_size)


def _title(title: str, t: Strings) -> str:
    """The page's title: the default one in the report's language, or the one given."""
    return t("title") if not title or title == load("sv")("title") else title


# ------------------------------------------------------------------------------------ sections
def _overview(d: ReportData, t: Strings) -> dict:
    f = d.findings
    n_themed = int((f["theme"] >= 0).sum())
    themed = t("overview.themed_value", n=n_themed, percent=t.decimal(f"{100 * n_themed / max(len(f), 1):.0f}"))
    stats = [(len(d.reports), t("overview.stat_reports")),
             (d.reports["municipality"].nunique(), t("overview.stat_municipalities")),
             (len(f), t("overview.stat_findings")), (int((f["kind"] == "strength").sum()), t("overview.stat_strengths")),
             (int((f["kind"] == "improvement").sum()), t("overview.stat_improvements")),
             (len(d.themes), t("overview.stat_themes")), (themed, t("overview.stat_themed"))]
    rep = d.reports
    rows = [[r.get("municipality"), r.get("year"), t.label("framework", r.get("framework")),
             t.num(r.get("total_score")), r.get("n_strengths"), r.get("n_improvements"), r.get("n_themed"),
             r.get("format"), r.get("file")] for r in records(rep)]
    fw = rep.groupby("framework", dropna=False)["municipality"].apply(lambda s: ", ".join(map(str, s)))
    frameworks = [(t("overview.framework_item", name=t.label("framework", k)), v) for k, v in fw.items()]
    return dict(stats=stats, reports=rows, frameworks=frameworks, areas=_area_heatmap(d, t))


def _area_heatmap(d: ReportData, t: Strings) -> Markup | None:
    """The area scores' heatmap (None without area scores); an impossible score is flagged in its tooltip."""
    a = d.areas.dropna(subset=["area"])
    if a.empty:
        return None
    a = a.assign(row=[f"{m} {y}" for m, y in zip(a["municipality"], a["year"])])
    rows = list(dict.fromkeys(a.sort_values(["municipality", "year"])["row"]))
    cols = sorted(int(x) for x in a["area"].unique())
    vals, titles = [], []
    for r in rows:
        ar = a[a["row"] == r]
        v_row, t_row = [], []
        for c in cols:
            hit = ar[ar["area"] == c]
            v = hit["score"].iloc[0] if len(hit) else None
            v = None if missing(v) else float(v)
            title = hit["area_title"].iloc[0] if len(hit) else ""
            v_row.append(v)
            t_row.append(t("overview.area_cell", row=r, area=c, title=title, value=_area_value(v, t)))
        vals.append(v_row)
        titles.append(t_row)
    return svg.heatmap(vals, rows, [str(c) for c in cols], vmin=0, vmax=100, titles=titles, cell=40, rotate=False,
                       col_titles=[t("overview.area_column", area=c) for c in cols], css_class="heatmap areas",
                       aria_label=t("overview.area_aria"))


def _area_value(v: float | None, t: Strings) -> str:
    if v is None:
        return t("empty_value")
    if not 0 <= v <= 100:
        return t("overview.area_flagged", value=f"{v:.0f}", mark=t("flag.mark"))
    return t("overview.area_points", value=f"{v:.0f}")


def _ordered_themes(d: ReportData) -> pd.DataFrame:
    """Themes spanning most municipalities first, then most findings, then id."""
    return d.themes.sort_values(["n_municipalities", "n_findings", "theme_id"], ascending=[False, False, True],
                                kind="stable")


def _theme_name(label: Any, tid: int, t: Strings) -> str:
    return label or t("theme_n", id=tid)


def _theme_index(d: ReportData, t: Strings) -> list[dict]:
    """The rows of the theme index (empty without themes)."""
    if d.themes.empty:
        return []
    top = int(max(d.themes["n_findings"].max(), 1))
    rows = []
    for r in records(_ordered_themes(d)):
        tid = int(r["theme_id"])
        rows.append(dict(id=tid, name=_theme_name(r["label"], tid, t), n_findings=r["n_findings"],
                         n_municipalities=r["n_municipalities"],
                         bar=svg.split_bar(int(r["n_strengths"]), int(r["n_improvements"]), total=top, t=t),
                         split=f" {r['n_strengths']} / {r['n_improvements']}",
                         keyphrases=", ".join(map(str, list(r.get("keyphrases") or [])[:5]))))
    return rows


def _theme_sections(d: ReportData, t: Strings, max_findings: int | None = MAX_FINDINGS) -> list[dict]:
    f = d.findings
    cols = [c for c in ("municipality", "year", "area", "kind", "finding_index", "text", "citation", "subquestion",
                        "theme_score", "source", "page") if c in f.columns]
    recs = records(f[cols])
    by_theme = {k: [recs[i] for i in v] for k, v in _indices(f, "theme").items()}
    panels = d.theme_concepts
    if (panels is None or panels.empty) and not d.distribution.empty:  # a full distribution table given by hand
        panels = d.distribution[["theme_id", "concept", "subquestion_label", "n_links"]].drop_duplicates(
            ["theme_id", "concept"])
    panels = {k: records(v) for k, v in _groups(panels, "theme_id").items()}
    dist = {k: records(v) for k, v in _groups(d.distribution, "theme_id").items()}
    points = _concept_points(d.concept_scores)
    sl = {k: records(v) for k, v in _groups(d.score_links, "theme").items()}
    ex = _groups(d.examples, "theme_id")
    out = []
    for r in records(_ordered_themes(d)):
        tid = int(r["theme_id"])
        note, by_mun = _findings_by_municipality(by_theme.get(tid, []), t, max_findings)
        out.append(dict(
            id=tid, name=_theme_name(r["label"], tid, t),
            meta=t("themes.meta", id=tid, n_findings=r["n_findings"], n_municipalities=r["n_municipalities"],
                   n_strengths=r["n_strengths"], n_improvements=r["n_improvements"]),
            keyphrases=list(r.get("keyphrases") or []), capped=note, by_municipality=by_mun,
            panels=_subquestions(panels.get(tid, []), dist.get(tid, []), sl.get(tid, []), points, t),
            examples=[_example(e, t) for e in records(ex.get(tid, d.examples.iloc[0:0]))]))
    return out


def _indices(df: pd.DataFrame, col: str) -> dict[int, np.ndarray]:
    """``{int(value): row positions}`` of ``df`` grouped by ``col`` (positions ascending)."""
    if df is None or df.empty or col not in df.columns:
        return {}
    return {int(k): v for k, v in df.groupby(col, sort=False).indices.items() if not missing(k)}


def records(df: pd.DataFrame) -> list[dict]:
    """The rows of ``df`` as dicts, built from whole columns (``DataFrame.to_dict("records")`` goes row by
    row through pandas indexing, which dominates rendering at archive scale)."""
    cols = list(df.columns)
    return [dict(zip(cols, vals)) for vals in zip(*(df[c].tolist() for c in cols))] if len(df) else []


def _key(v: Any) -> tuple:
    """Sort key putting missing values last (as pandas' ``na_position="last"``)."""
    return (1, 0) if missing(v) else (0, v)


def _groups(df: pd.DataFrame, col: str) -> dict[int, pd.DataFrame]:
    """``{int(value): rows}`` of ``df`` grouped by ``col`` (row order kept); empty when the column is absent."""
    return {k: df.iloc[v] for k, v in _indices(df, col).items()}


def _cite(r: dict, t: Strings, key: str = "citation") -> dict:
    """The citation of a finding (``{"text", "href"}``); for a PDF source ``href`` opens the PDF at the
    finding's page (``x.pdf#page=N``)."""
    text, src, page = t.citation(r.get(key)), r.get("source"), r.get("page")
    src = src if not missing(src) and src else r.get("file")
    if key != "citation" or missing(src) or not str(src).lower().endswith(".pdf") or missing(page):
        return dict(text=text, href=None)
    p = Path(str(src))
    href = p.resolve().as_uri() if p.exists() else p.name
    return dict(text=text, href=f"{href}#page={int(page)}")


def _finding(r: dict, t: Strings) -> dict:
    """What the template shows of a finding: its kind, text, citation and where it is."""
    kind = str(r.get("kind"))
    extra = []
    if not missing(r.get("area")):
        extra.append(t("themes.area", area=int(r["area"])))
    if not missing(r.get("subquestion")):
        extra.append(t("themes.subquestion", id=r["subquestion"]))
    return dict(kind=kind, badge=t.label("kind", kind), text=r.get("text"), cite=_cite(r, t),
                where=(" · " + " · ".join(extra)) if extra else "")


def _finding_item(r: dict, lang: str = DEFAULT_LANG) -> Markup:
    """One finding as the ``<li>`` of a theme section (the ``finding`` macro of ``macros.html``)."""
    return Markup(environment().get_template("macros.html").module.finding(_finding(r, load(lang))))


def _findings_by_municipality(members: list[dict], t: Strings, max_findings: int | None = MAX_FINDINGS
                              ) -> tuple[str | None, list[dict]]:
    """A theme's findings (records) grouped by municipality: ``(note, [{heading, findings}])``; a bigger
    theme than ``max_findings`` shows those closest to it (its fit score) with a note, the rest are in the
    Excel file and ``ReportData.findings``."""
    order = lambda r: (str(r.get("municipality")), _key(r.get("year")), _key(r.get("area")),  # noqa: E731
                       str(r.get("kind")), _key(r.get("finding_index")))
    shown, note = members, None
    if max_findings is not None and len(members) > max_findings:
        fit = lambda r: (1, 0.0) if missing(r.get("theme_score")) else (0, -float(r["theme_score"]))  # noqa: E731
        shown = sorted(members, key=lambda r: (fit(r), order(r)))[:max_findings]
        note = t("themes.capped", shown=max_findings, total=len(members))
    by_mun: dict[str, list[dict]] = {}
    for r in sorted(shown, key=order):
        by_mun.setdefault(str(r.get("municipality")), []).append(r)
    groups = []
    for mun in sorted(by_mun):
        g = by_mun[mun]
        years = ", ".join(str(y) for y in sorted({r["year"] for r in g if not missing(r.get("year"))}))
        groups.append(dict(heading=f"{mun} ({years})" if years else mun, findings=[_finding(r, t) for r in g]))
    return note, groups


def _concept_points(points: pd.DataFrame | None) -> dict[Any, tuple[np.ndarray, np.ndarray, np.ndarray]]:
    """``{concept: (report ids, percents, municipalities)}`` of the ``concept_scores`` table."""
    if points is None or points.empty:
        return {}
    return {c: (g["report_id"].to_numpy(dtype=object), g["percent"].to_numpy(dtype=float),
                g["municipality"].to_numpy(dtype=object))
            for c, g in points.groupby("concept", sort=False)}


def _names(values: Any, t: Strings, limit: int = 12) -> str:
    """Sorted distinct names, at most ``limit`` of them and how many more."""
    names = sorted({str(v) for v in values if not missing(v)})
    if not names:
        return t("empty_value")
    more = t("subquestions.more", n=len(names) - limit) if len(names) > limit else ""
    return ", ".join(names[:limit]) + more


def _subquestions(panels: list[dict], rows: list[dict], sl: list[dict],
                  points: dict[Any, tuple[np.ndarray, np.ndarray, np.ndarray]], t: Strings) -> list[dict]:
    """A theme's linked sub-question panels: ``panels`` and ``rows`` are its rows of ``theme_concepts`` and
    ``distribution`` (reports where the theme appears), ``sl`` its score-links rows; the "absent" group is
    every other report's score on the concept (``points``)."""
    by_concept: dict[Any, list[dict]] = {}
    for r in rows:
        by_concept.setdefault(r["concept"], []).append(r)
    verdicts: dict[Any, dict] = {}
    for r in sl:
        verdicts.setdefault(r.get("concept"), r)
    return [_panel(p, by_concept.get(p["concept"], []), points, verdicts.get(p["concept"]), t) for p in panels]


def _panel(panel: dict, g: list[dict], points: dict[Any, tuple[np.ndarray, np.ndarray, np.ndarray]],
           verdict_row: dict | None, t: Strings) -> dict:
    """One sub-question panel: its label, the strip chart and the table of the groups, the verdict."""
    concept = panel["concept"]
    pct = {k: [r["percent"] for r in g if r["group"] == k] for k in GROUPS_ORDER}
    muns = {k: [r["municipality"] for r in g if r["group"] == k] for k in GROUPS_ORDER}
    if concept in points:
        rids, vals, names = points[concept]
        rest = ~np.isin(rids, np.array(sorted({str(r["report_id"]) for r in g}), dtype=object))
        pct["absent"] = pct["absent"] + vals[rest].tolist()
        muns["absent"] = muns["absent"] + names[rest].tolist()
    shown = [k for k in GROUPS_ORDER if k != "both" or pct["both"]]
    chart = svg.strip([(t.label("group", k), GROUP_COLOR[k], pct[k]) for k in shown], t=t)
    stats = []
    for k in shown:
        v = [float(x) for x in pct[k] if not missing(x)]
        none = t("empty_value") if not pct[k] else ""
        stats.append(dict(group=k, label=t.label("group", k), n=len(pct[k]),
                          median=t.num(float(np.median(v)), 0) if v else none,
                          mean=t.num(float(np.mean(v)), 1) if v else none, names=_names(muns[k], t)))
    return dict(label=t.translate(panel["subquestion_label"], "subquestions.label"),
                n_links=t("subquestions.n_links", n=int(panel["n_links"])), chart=chart, stats=stats,
                verdict=verdict(verdict_row, t) if verdict_row is not None else None)


def verdict(r: Any, t: Strings | None = None) -> str:
    """What a ``score_links`` row says, in the report's language (its ``note`` is English)."""
    t = t or load()
    try:
        from ..links.stats import MIN_GROUP
    except ImportError:  # pragma: no cover
        MIN_GROUP = 3
    n_s, n_i = int(r.get("n_strength") or 0), int(r.get("n_improvement") or 0)
    diff, p = r.get("difference"), r.get("p_adjusted")
    head = t("verdict.no_difference") if missing(diff) else t("verdict.difference", diff=t.num(diff, 1))
    if min(n_s, n_i) < MIN_GROUP:
        tail = t("verdict.too_few", n_strength=n_s, n_improvement=n_i, min_group=MIN_GROUP)
    elif missing(p) or float(p) >= 0.05:
        tail = t("verdict.not_shown")
    else:
        tail = t("verdict.shown", direction=t("verdict.higher") if float(diff) > 0 else t("verdict.lower"))
    return t("verdict.sentence", head=head, tail=tail)


def verdict_sv(r: Any) -> str:
    """:func:`verdict` in Swedish."""
    return verdict(r, load("sv"))


def _example(r: dict, t: Strings) -> dict:
    """What the template shows of a good example: who, the sub-question's score (an impossible one as its
    raw figures, flagged), the finding, its citation and the evaluators' passage.  ``meta`` is a list of
    ``(text, flagged)`` parts."""
    head = str(r.get("municipality") or "")
    if not missing(r.get("year")):
        head += f" {int(r['year'])}"
    meta = [(head, False)]
    if not missing(r.get("subquestion")) and not missing(r.get("percent")):
        if impossible_score(r.get("achieved"), r.get("max"), r.get("percent")):
            points = t("flag.points", achieved=_figure(r.get("achieved"), t), max=_figure(r.get("max"), t))
            meta.append((t("examples.subquestion_flagged", id=r["subquestion"], points=points), True))
        else:
            meta.append((t("examples.subquestion", id=r["subquestion"], percent=t.num(r["percent"])), False))
    if not missing(r.get("praise_cue")) and r.get("praise_cue"):
        meta.append((t("examples.cue", cue=r["praise_cue"]), False))
    passage = r.get("passage")
    return dict(meta=[m for m in meta if m[0]], text=r.get("finding") if "finding" in r else r.get("text"),
                cite=_cite(r, t), passage=passage if not missing(passage) and passage else None,
                passage_cite=t.citation(r.get("passage_citation")))


def _figure(v: Any, t: Strings) -> str:
    """A score as printed (``95``, ``7,5``; ``?`` when missing)."""
    if missing(v):
        return "?"
    v = float(v)
    return t.num(v, 0 if v.is_integer() else 1)


def _matrix_columns(cat: pd.DataFrame) -> pd.DataFrame:
    """The heatmap's themes: all of them up to :data:`MAX_MATRIX_THEMES`, else those found in the most
    municipalities (ties: lower theme id), in the matrix's order — an archive has thousands of themes, a
    heatmap of all of them is neither readable nor small.  The full matrix stays in ``ReportData.matrix``
    and the workbook."""
    if cat.shape[1] <= MAX_MATRIX_THEMES:
        return cat
    present = (cat.to_numpy(dtype=object) != "").sum(axis=0)
    ids = np.array([int(c) for c in cat.columns])
    best = np.lexsort((ids, -present))[:MAX_MATRIX_THEMES]
    return cat.iloc[:, np.sort(best)]


def _matrix_note(d: ReportData, t: Strings) -> str | None:
    """Which themes the heatmap shows when it can't show them all (None when it shows all)."""
    n = d.matrix.shape[1] if not d.matrix.empty else 0
    return t("matrix.capped", shown=MAX_MATRIX_THEMES, total=n) if n > MAX_MATRIX_THEMES else None


def _matrix(d: ReportData, t: Strings) -> Markup | None:
    """The municipality × theme heatmap (None without a matrix)."""
    cat, counts = d.matrix, d.matrix_counts
    if cat.empty or cat.shape[1] == 0:
        return None
    cat = _matrix_columns(cat)
    labels = dict(zip(d.themes["theme_id"].astype(int), d.themes["label"]))
    cols = [int(c) for c in cat.columns]
    col_labels = [f"{c} {labels.get(c, '')}".strip() for c in cols]
    fills = {"S": svg.STRENGTH, "I": svg.IMPROVEMENT, "S+I": svg.BOTH, "": "#f4f5f7"}
    kinds = t.get("matrix_kind")
    vals, colors, texts, titles = [], [], [], []
    # plain arrays first: one pandas lookup per cell made a 300 x 700 matrix take minutes
    K = cat.to_numpy(dtype=object)
    N = counts.reindex(index=cat.index, columns=cat.columns).fillna(0).to_numpy()
    for i, mun in enumerate(cat.index):
        v_row, c_row, t_row, ti_row = [], [], [], []
        for j, c in enumerate(cat.columns):
            k = str(K[i, j] or "")
            n = int(N[i, j])
            v_row.append(n)
            c_row.append(fills.get(k, "#f4f5f7"))
            t_row.append(str(n) if n else "")
            what = t("matrix.cell", n=n, what=kinds[k]) if k in kinds else t("matrix.no_finding")
            ti_row.append(t("matrix.tooltip", municipality=mun, theme=labels.get(int(c), c), what=what))
        vals.append(v_row)
        colors.append(c_row)
        texts.append(t_row)
        titles.append(ti_row)
    return svg.heatmap(vals, [str(i) for i in cat.index], col_labels, colors=colors, texts=texts, titles=titles,
                       col_titles=col_labels, cell=24, rotate=True, max_label=30, css_class="heatmap matrix",
                       aria_label=t("matrix.aria"))


def _profile(d: ReportData, t: Strings) -> dict:
    """The municipality's profile: its themes against its peers' and, per improvement, who does it well."""
    mun = d.municipality
    f = d.findings
    mine = f[(f["municipality"] == mun) & (f["theme"] >= 0)]
    peers = f[(f["municipality"] != mun) & (f["theme"] >= 0)]
    labels = dict(zip(d.themes["theme_id"].astype(int), d.themes["label"]))
    rows = []
    n_peers = max(f.loc[f["municipality"] != mun, "municipality"].nunique(), 1)
    for tid, g in mine.groupby("theme"):
        p = peers[peers["theme"] == tid]
        rows.append(dict(id=int(tid), name=labels.get(int(tid), t("theme_n", id=tid)),
                         cells=[int((g["kind"] == "strength").sum()), int((g["kind"] == "improvement").sum()),
                                t("profile.peers", n=p["municipality"].nunique(), total=n_peers),
                                int((p["kind"] == "strength").sum()), int((p["kind"] == "improvement").sum())]))
    # most findings first; ties in the order of the themes' anchors (as the hand-written page had them)
    rows.sort(key=lambda r: (-(r["cells"][0] + r["cells"][1]), theme_anchor(r["id"])))
    header = [h.format(municipality=mun) for h in t.get("profile.header")]
    improvements = f[(f["municipality"] == mun) & (f["kind"] == "improvement")]
    prof = d.profile if d.profile is not None else pd.DataFrame()
    items = [dict(finding=dict(_finding(r, t), where=""), examples=[_example(e, t) for e in records(_examples_for(prof, r))])
             for r in records(improvements)]
    return dict(municipality=mun, header=header, themes=rows, improvements=items)


def _examples_for(prof: pd.DataFrame, r: dict) -> pd.DataFrame:
    """The rows of ``examples_for``'s table that answer improvement ``r``."""
    need = {"improvement_report_id", "improvement_area", "improvement_index"}
    if prof.empty or not need <= set(prof.columns):
        return prof.iloc[0:0]
    m = ((prof["improvement_report_id"] == r.get("report_id")) & (prof["improvement_area"] == r.get("area"))
         & (prof["improvement_index"] == r.get("finding_index")))
    return prof[m]


def _unthemed(d: ReportData, t: Strings) -> list[list]:
    """The rows of the unthemed findings' table."""
    f = d.findings[d.findings["theme"] < 0]
    return [[r.get("municipality"), t.label("kind", r.get("kind")), r.get("text"), t.citation(r.get("citation"))]
            for r in records(f)]


def _footer(d: ReportData, t: Strings) -> dict:
    from .. import __version__

    items = [t("footer.timing_item", stage=_stage(k, t), seconds=t.decimal(f"{v:.1f}")) for k, v in d.timings.items()]
    created = t("footer.created", date=_dt.date.today().isoformat(), version=__version__)
    timing = t("footer.timing", timing=", ".join(items)) if items else ""
    notes = [t.translate(t.translate(n, "notes.uncertain_links"), "notes.impossible_scores") for n in d.notes]
    return dict(created=created + timing, notes=notes)


def _stage(key: str, t: Strings) -> str:
    """A pipeline stage's name (``ReportData.timings`` keys are English; older Swedish ones are read too)."""
    return t.label("stages", _STAGE_KEYS_SV.get(key, key))
