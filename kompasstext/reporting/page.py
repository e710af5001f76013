"""Render a :class:`~.pipeline.ReportData` as one self-contained HTML page (Swedish).

No request leaves the page: CSS and JS are read from ``templates/`` and inlined, charts are inline SVG,
and a Content-Security-Policy (``default-src 'none'``) forbids loading anything else.
"""
from __future__ import annotations

import datetime as _dt
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from . import svg
from .html import Markup, esc, join, missing, num, table, tag
from .pipeline import ReportData

TEMPLATES = Path(__file__).resolve().parent / "templates"
CSP = ("default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:; "
       "base-uri 'none'; form-action 'none'")
KIND_SV = {"strength": "Styrka", "improvement": "Förbättringsmöjlighet", "absent": "Ej nämnt"}
GROUP_SV = {"strength": "Styrka", "improvement": "Förbättring", "both": "Både och", "absent": "Ej nämnt"}
GROUP_COLOR = {"strength": svg.STRENGTH, "improvement": svg.IMPROVEMENT, "both": svg.BOTH, "absent": svg.ABSENT}
MATRIX_SV = {"S": "styrka", "I": "förbättringsmöjlighet", "S+I": "både styrka och förbättringsmöjlighet"}
#: findings listed per theme section; a bigger theme shows those closest to it (all are in the Excel file)
MAX_FINDINGS = 60
FRAMEWORK_SV = {"2010": "2010 (t.o.m. 2014)", "2015": "2015–2019", "2020": "2020–"}


def theme_anchor(theme_id: Any) -> str:
    return f"tema-{int(theme_id)}"


def render(data: ReportData, *, page_size: int = 25, max_findings: int | None = MAX_FINDINGS) -> str:
    """The report page as a string.  ``max_findings``: findings listed per theme section (a bigger theme
    shows those closest to it, with a note; None: all) — keeps the page light at archive scale."""
    css = (TEMPLATES / "report.css").read_text(encoding="utf-8")
    js = (TEMPLATES / "report.js").read_text(encoding="utf-8")
    nav = [("oversikt", "Översikt"), ("temaindex", "Temaindex"), ("teman", "Teman"), ("matris", "Ramverksmatris")]
    if data.municipality:
        nav.append(("profil", f"Profil: {data.municipality}"))
    nav.append(("otematiserade", "Ej tematiserade"))
    body = join([
        _overview(data, page_size),
        _theme_index(data, page_size),
        _theme_sections(data, max_findings),
        _matrix(data),
        _profile(data, page_size) if data.municipality else "",
        _unthemed(data, page_size),
        _footer(data),
    ])
    head = Markup(
        '<!DOCTYPE html>\n<html lang="sv">\n<head>\n<meta charset="utf-8">\n'
        f'<meta http-equiv="Content-Security-Policy" content="{esc(CSP)}">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        '<meta name="referrer" content="no-referrer">\n'
        f"<title>{esc(data.title)}</title>\n<style>\n{css}\n</style>\n</head>\n")
    header = tag("header", tag("h1", data.title),
                 tag("nav", join(tag("a", label, href=f"#{a}") for a, label in nav)),
                 Markup('<div class="filter"><label for="kt-filter">Filtrera</label>'
                        '<input id="kt-filter" type="search" autocomplete="off" '
                        'placeholder="tema, nyckelord, kommun …">'
                        '<span id="kt-filter-count" class="count" aria-live="polite"></span></div>'),
                 cls="top")
    # "</" cannot occur inside the inlined script except as written by us; guard anyway
    script = js.replace("</", "<\\/")
    return str(head + Markup("<body>\n") + header + tag("main", body) +
               Markup(f"\n<script>\n{script}\n</script>\n</body>\n</html>\n"))


# ------------------------------------------------------------------------------------ sections
def _overview(d: ReportData, page_size: int) -> Markup:
    f = d.findings
    n_themed = int((f["theme"] >= 0).sum())
    stats = tag("div", *(tag("div", tag("b", v), k, cls="stat") for k, v in [
        ("rapporter", len(d.reports)), ("kommuner", d.reports["municipality"].nunique()),
        ("fynd", len(f)), ("styrkor", int((f["kind"] == "strength").sum())),
        ("förbättringsmöjligheter", int((f["kind"] == "improvement").sum())), ("teman", len(d.themes)),
        ("tematiserade fynd", f"{n_themed} ({100 * n_themed / max(len(f), 1):.0f} %)".replace(".", ","))]),
                cls="stats")
    rep = d.reports
    rows = [[r.get("municipality"), r.get("year"), FRAMEWORK_SV.get(str(r.get("framework")), r.get("framework")),
             num(r.get("total_score")), r.get("n_strengths"), r.get("n_improvements"), r.get("n_themed"),
             r.get("format"), r.get("file")] for r in records(rep)]
    reports = table(["Kommun", "År", "Ramverk", "Totalpoäng", "Styrkor", "Förbättringar", "Tematiserade", "Format",
                     "Fil"], rows, numeric=[3, 4, 5, 6], page_size=page_size)
    fw = rep.groupby("framework", dropna=False)["municipality"].apply(lambda s: ", ".join(map(str, s)))
    frameworks = tag("ul", join(tag("li", tag("b", f"Ramverk {FRAMEWORK_SV.get(str(k), k)}: "), v)
                                for k, v in fw.items()))
    return tag("section", tag("h2", "Översikt"),
               tag("p", "Teman som återkommer i utvärderarnas styrkor och förbättringsmöjligheter, "
                        "kopplade till delfrågornas poäng.", cls="lead"),
               stats, tag("h3", "Rapporter"), reports, tag("h3", "Ramverk"), frameworks,
               tag("h3", "Poäng per område"), _area_heatmap(d), id="oversikt", cls="block")


def _area_heatmap(d: ReportData) -> Markup:
    a = d.areas.dropna(subset=["area"])
    if a.empty:
        return tag("p", "Inga områdespoäng.", cls="empty")
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
            t_row.append(f"{r} · område {c} {title}: {'–' if v is None else f'{v:.0f} poäng'}")
        vals.append(v_row)
        titles.append(t_row)
    chart = svg.heatmap(vals, rows, [str(c) for c in cols], vmin=0, vmax=100, titles=titles, cell=40,
                        rotate=False, col_titles=[f"Område {c}" for c in cols], css_class="heatmap areas", aria_label="områdespoäng per kommun")
    legend = tag("p", "Kolumnerna är områdena 1–8; poäng av 100 per område (mörkare = högre), grått = saknas. Områdenas namn skiljer sig "
                      "något mellan ramverken – håll muspekaren över en ruta.", cls="muted")
    return tag("div", chart, cls="scroll") + legend


def _theme_index(d: ReportData, page_size: int) -> Markup:
    t = d.themes
    if t.empty:
        return tag("section", tag("h2", "Temaindex"), tag("p", "Inga återkommande teman hittades.", cls="empty"),
                   id="temaindex", cls="block")
    top = int(max(t["n_findings"].max(), 1))
    rows, attrs = [], []
    for r in records(_ordered_themes(d)):
        tid = int(r["theme_id"])
        rows.append([tid, tag("a", r["label"] or f"Tema {tid}", href=f"#{theme_anchor(tid)}"), r["n_findings"],
                     r["n_municipalities"], join([svg.split_bar(int(r["n_strengths"]), int(r["n_improvements"]),
                                                                total=top),
                                                  tag("span", f" {r['n_strengths']} / {r['n_improvements']}",
                                                      cls="muted")]),
                     ", ".join(map(str, list(r.get("keyphrases") or [])[:5]))])
        attrs.append({"data_theme": tid})
    index = table(["#", "Tema", "Fynd", "Kommuner", "Styrkor / förbättringar", "Nyckelfraser"], rows,
                  numeric=[0, 2, 3], page_size=page_size, row_attrs=attrs, cls="index filterable")
    legend = tag("div", Markup(f'<span style="--c:{svg.STRENGTH}">Styrkor</span>'
                               f'<span style="--c:{svg.IMPROVEMENT}">Förbättringsmöjligheter</span>'), cls="legend")
    return tag("section", tag("h2", "Temaindex"), legend, index, id="temaindex", cls="block")


def _ordered_themes(d: ReportData) -> pd.DataFrame:
    """Themes spanning most municipalities first, then most findings, then id."""
    return d.themes.sort_values(["n_municipalities", "n_findings", "theme_id"], ascending=[False, False, True],
                                kind="stable")


def _theme_sections(d: ReportData, max_findings: int | None = MAX_FINDINGS) -> Markup:
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
    parts = []
    for r in records(_ordered_themes(d)):
        tid = int(r["theme_id"])
        summary = tag("summary", r["label"] or f"Tema {tid}",
                      tag("span", f"#{tid} · {r['n_findings']} fynd · {r['n_municipalities']} kommuner · "
                                  f"{r['n_strengths']} styrkor / {r['n_improvements']} förbättringar", cls="meta"))
        kp = list(r.get("keyphrases") or [])
        body = [tag("h4", "Nyckelfraser"),
                tag("ul", join(tag("li", k) for k in kp), cls="chips") if kp else tag("p", "–", cls="empty"),
                tag("h4", "Fynd per kommun"), _findings_by_municipality(by_theme.get(tid, []), max_findings),
                tag("h4", "Kopplade delfrågor och poäng"),
                _subquestions(panels.get(tid, []), dist.get(tid, []), sl.get(tid, []), points),
                tag("h4", "Goda exempel"), _examples(ex.get(tid, d.examples.iloc[0:0]))]
        parts.append(tag("details", summary, tag("div", join(body), cls="body"), cls="theme", id=theme_anchor(tid),
                         data_theme=tid))
    return tag("section", tag("h2", "Teman"),
               tag("p", "Klicka på ett tema för att se dess fynd, kopplade delfrågor och goda exempel.", cls="lead"),
               join(parts), id="teman", cls="block")


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


def _cite(r: dict) -> Any:
    """The citation; for a PDF source a link that opens the PDF at the finding's page (``x.pdf#page=N``)."""
    text, src, page = r.get("citation"), r.get("source"), r.get("page")
    src = src if not missing(src) and src else r.get("file")
    if missing(src) or not str(src).lower().endswith(".pdf") or missing(page):
        return text
    from pathlib import Path

    p = Path(str(src))
    href = p.resolve().as_uri() if p.exists() else p.name
    return tag("a", text, href=f"{href}#page={int(page)}", cls="pdf")


def _finding_item(r: dict) -> Markup:
    kind = str(r.get("kind"))
    extra = []
    if not missing(r.get("area")):
        extra.append(f"område {int(r['area'])}")
    if not missing(r.get("subquestion")):
        extra.append(f"delfråga {r['subquestion']}")
    return tag("li", tag("span", KIND_SV.get(kind, kind), cls=f"badge {kind}"), r.get("text"),
               tag("cite", _cite(r), (" · " + " · ".join(extra)) if extra else ""), cls=kind)


def _findings_by_municipality(members: list[dict], max_findings: int | None = MAX_FINDINGS) -> Markup:
    """A theme's findings (records) grouped by municipality; a bigger theme than ``max_findings`` shows
    those closest to it (its fit score), the rest are in the Excel file and ``ReportData.findings``."""
    if not members:
        return tag("p", "Inga fynd.", cls="empty")
    order = lambda r: (str(r.get("municipality")), _key(r.get("year")), _key(r.get("area")),  # noqa: E731
                       str(r.get("kind")), _key(r.get("finding_index")))
    shown, note = members, ""
    if max_findings is not None and len(members) > max_findings:
        fit = lambda r: (1, 0.0) if missing(r.get("theme_score")) else (0, -float(r["theme_score"]))  # noqa: E731
        shown = sorted(members, key=lambda r: (fit(r), order(r)))[:max_findings]
        note = tag("p", f"Visar de {max_findings} fynd som ligger närmast temat av {len(members)}; alla fynd finns i "
                        "Excel-filen (kompasstext report --xlsx) och i tabellen ReportData.findings.", cls="muted")
    by_mun: dict[str, list[dict]] = {}
    for r in sorted(shown, key=order):
        by_mun.setdefault(str(r.get("municipality")), []).append(r)
    out = [note] if note else []
    for mun in sorted(by_mun):
        g = by_mun[mun]
        years = ", ".join(str(y) for y in sorted({r["year"] for r in g if not missing(r.get("year"))}))
        out.append(tag("h5", f"{mun} ({years})") if years else tag("h5", mun))
        out.append(tag("ul", join(_finding_item(r) for r in g), cls="findings"))
    return join(out)


def _concept_points(points: pd.DataFrame | None) -> dict[Any, tuple[np.ndarray, np.ndarray, np.ndarray]]:
    """``{concept: (report ids, percents, municipalities)}`` of the ``concept_scores`` table."""
    if points is None or points.empty:
        return {}
    return {c: (g["report_id"].to_numpy(dtype=object), g["percent"].to_numpy(dtype=float),
                g["municipality"].to_numpy(dtype=object))
            for c, g in points.groupby("concept", sort=False)}


def _names(values: Any, limit: int = 12) -> str:
    """Sorted distinct names, at most ``limit`` of them and how many more."""
    names = sorted({str(v) for v in values if not missing(v)})
    if not names:
        return "–"
    more = f" … och {len(names) - limit} till" if len(names) > limit else ""
    return ", ".join(names[:limit]) + more


def _subquestions(panels: list[dict], rows: list[dict], sl: list[dict],
                  points: dict[Any, tuple[np.ndarray, np.ndarray, np.ndarray]]) -> Markup:
    """A theme's linked sub-question panels: ``panels`` and ``rows`` are its rows of ``theme_concepts`` and
    ``distribution`` (reports where the theme appears), ``sl`` its score-links rows; the "absent" group is
    every other report's score on the concept (``points``)."""
    if not panels:
        return tag("p", "Inga poängsatta delfrågor kopplade till temat.", cls="empty")
    by_concept: dict[Any, list[dict]] = {}
    for r in rows:
        by_concept.setdefault(r["concept"], []).append(r)
    verdicts: dict[Any, dict] = {}
    for r in sl:
        verdicts.setdefault(r.get("concept"), r)
    out = []
    for panel in panels:
        concept = panel["concept"]
        g = by_concept.get(concept, [])
        pct = {k: [r["percent"] for r in g if r["group"] == k] for k in GROUPS_ORDER}
        muns = {k: [r["municipality"] for r in g if r["group"] == k] for k in GROUPS_ORDER}
        if concept in points:
            rids, vals, names = points[concept]
            rest = ~np.isin(rids, np.array(sorted({str(r["report_id"]) for r in g}), dtype=object))
            pct["absent"] = pct["absent"] + vals[rest].tolist()
            muns["absent"] = muns["absent"] + names[rest].tolist()
        shown = [k for k in GROUPS_ORDER if k != "both" or pct["both"]]
        groups = [(GROUP_SV[k], GROUP_COLOR[k], pct[k]) for k in shown]
        stats_rows = []
        for k in shown:
            v = [float(x) for x in pct[k] if not missing(x)]
            stats_rows.append([tag("span", GROUP_SV[k], cls=f"badge {k}"), len(pct[k]),
                               num(float(np.median(v)), 0) if v else ("–" if not pct[k] else ""),
                               num(float(np.mean(v)), 1) if v else ("–" if not pct[k] else ""), _names(muns[k])])
        verdict: Any = tag("p", verdict_sv(verdicts[concept]), cls="muted") if concept in verdicts else ""
        out.append(tag("div", tag("b", panel["subquestion_label"]),
                       tag("span", f" · {int(panel['n_links'])} av temats fynd kopplade hit", cls="muted"),
                       tag("div", svg.strip(groups), table(["Grupp", "n", "Median %", "Medel %", "Kommuner"],
                                                           stats_rows, numeric=[1, 2, 3]), cls="sq-grid"),
                       verdict, cls="sq"))
    return join(out) + tag("p", "Poäng i procent av delfrågans maxpoäng, en punkt per rapport, grupperat efter om "
                                "temat finns bland rapportens styrkor, bland dess förbättringsmöjligheter, båda "
                                "eller inte alls. Strecket är medianen.", cls="muted")


GROUPS_ORDER = ("strength", "improvement", "both", "absent")


def verdict_sv(r: Any) -> str:
    """What a ``score_links`` row says, in Swedish (its ``note`` is English)."""
    try:
        from ..links.stats import MIN_GROUP
    except ImportError:  # pragma: no cover
        MIN_GROUP = 3
    n_s, n_i = int(r.get("n_strength") or 0), int(r.get("n_improvement") or 0)
    diff, p = r.get("difference"), r.get("p_adjusted")
    if missing(diff):
        head = "Skillnaden styrka − förbättring kan inte beräknas (en av grupperna saknas)"
    else:
        head = f"Skillnad styrka − förbättring: {num(diff, 1)} procentenheter"
    if min(n_s, n_i) < MIN_GROUP:
        tail = (f"för få rapporter för att dra slutsatser (styrka {n_s}, förbättring {n_i}; minst {MIN_GROUP} "
                "i varje grupp behövs)")
    elif missing(p) or float(p) >= 0.05:
        tail = "ingen påvisad skillnad (BH-justerat p ≥ 0,05); litet underlag, endast beskrivande"
    else:
        tail = (f"styrkegruppen har {'högre' if float(diff) > 0 else 'lägre'} poäng (BH-justerat p < 0,05); "
                "litet underlag: utforskande, inte orsakssamband")
    return f"{head}; {tail}."


def _examples(ex: pd.DataFrame) -> Markup:
    """The theme's good examples (its rows of the examples table)."""
    if ex.empty:
        return tag("p", "Inga goda exempel hittades.", cls="empty")
    items = []
    for r in records(ex):
        items.append(_example_item(r))
    return tag("ul", join(items), cls="findings examples")


def _example_item(r: dict) -> Markup:
    meta = [str(r.get("municipality") or "")]
    if not missing(r.get("year")):
        meta[0] += f" {int(r['year'])}"
    if not missing(r.get("subquestion")) and not missing(r.get("percent")):
        meta.append(f"delfråga {r['subquestion']}: {num(r['percent'])} %")
    if not missing(r.get("praise_cue")) and r.get("praise_cue"):
        meta.append(f"utvärderarna: ”{r['praise_cue']}”")
    text = r.get("finding") if "finding" in r else r.get("text")
    passage = r.get("passage")
    return tag("li", tag("b", " · ".join(m for m in meta if m)), Markup("<br>"), text,
               tag("cite", _cite(r)),
               tag("details", tag("summary", "Utvärderarnas text", cls="muted"),
                   tag("blockquote", passage, tag("cite", r.get("passage_citation"))), cls="passage")
               if not missing(passage) and passage else "", cls="strength")


def _matrix(d: ReportData) -> Markup:
    cat, counts = d.matrix, d.matrix_counts
    if cat.empty or cat.shape[1] == 0:
        return tag("section", tag("h2", "Ramverksmatris"), tag("p", "Ingen matris.", cls="empty"), id="matris",
                   cls="block")
    labels = dict(zip(d.themes["theme_id"].astype(int), d.themes["label"]))
    cols = [int(c) for c in cat.columns]
    col_labels = [f"{c} {labels.get(c, '')}".strip() for c in cols]
    fills = {"S": svg.STRENGTH, "I": svg.IMPROVEMENT, "S+I": svg.BOTH, "": "#f4f5f7"}
    vals, colors, texts, titles = [], [], [], []
    for mun in cat.index:
        v_row, c_row, t_row, ti_row = [], [], [], []
        for c in cat.columns:
            k = str(cat.loc[mun, c] or "")
            n = int(counts.loc[mun, c]) if mun in counts.index and c in counts.columns else 0
            v_row.append(n)
            c_row.append(fills.get(k, "#f4f5f7"))
            t_row.append(str(n) if n else "")
            what = f"{n} fynd, {MATRIX_SV[k]}" if k in MATRIX_SV else "inget fynd"
            ti_row.append(f"{mun} · {labels.get(int(c), c)}: {what}")
        vals.append(v_row); colors.append(c_row); texts.append(t_row); titles.append(ti_row)
    chart = svg.heatmap(vals, [str(i) for i in cat.index], col_labels, colors=colors, texts=texts, titles=titles,
                        col_titles=col_labels, cell=24, rotate=True, max_label=30, css_class="heatmap matrix",
                        aria_label="kommun × tema")
    legend = tag("div", Markup(f'<span style="--c:{svg.STRENGTH}">styrka</span>'
                               f'<span style="--c:{svg.IMPROVEMENT}">förbättringsmöjlighet</span>'
                               f'<span style="--c:{svg.BOTH}">båda</span>'), cls="legend")
    return tag("section", tag("h2", "Ramverksmatris"),
               tag("p", "Vilka teman som finns hos vilka kommuner: färgen visar om temat är en styrka, en "
                        "förbättringsmöjlighet eller båda; siffran är antalet fynd.", cls="lead"),
               legend, tag("div", chart, cls="scroll"), id="matris", cls="block")


def _profile(d: ReportData, page_size: int) -> Markup:
    mun = d.municipality
    f = d.findings
    mine = f[(f["municipality"] == mun) & (f["theme"] >= 0)]
    peers = f[(f["municipality"] != mun) & (f["theme"] >= 0)]
    labels = dict(zip(d.themes["theme_id"].astype(int), d.themes["label"]))
    rows = []
    n_peers = max(f.loc[f["municipality"] != mun, "municipality"].nunique(), 1)
    for tid, g in mine.groupby("theme"):
        p = peers[peers["theme"] == tid]
        rows.append([tag("a", labels.get(int(tid), f"Tema {tid}"), href=f"#{theme_anchor(tid)}"),
                     int((g["kind"] == "strength").sum()), int((g["kind"] == "improvement").sum()),
                     f"{p['municipality'].nunique()} av {n_peers}",
                     int((p["kind"] == "strength").sum()), int((p["kind"] == "improvement").sum())])
    rows.sort(key=lambda r: (-(r[1] + r[2]), str(r[0])))
    themes_tab = table(["Tema", f"{mun}: styrkor", f"{mun}: förbättringar", "Övriga kommuner med temat",
                        "Övrigas styrkor", "Övrigas förbättringar"], rows, numeric=[1, 2, 4, 5], page_size=page_size,
                       cls="filterable") if rows else tag("p", "Kommunen har inga tematiserade fynd.", cls="empty")
    improvements = f[(f["municipality"] == mun) & (f["kind"] == "improvement")]
    prof = d.profile if d.profile is not None else pd.DataFrame()
    items = []
    for r in records(improvements):
        ex = _examples_for_improvement(prof, r)
        inner = join(_example_item(e) for e in records(ex)) if len(ex) else \
            tag("li", "Ingen annan kommun har en styrka som motsvarar detta.", cls="empty")
        items.append(tag("li", tag("span", "Förbättringsmöjlighet", cls="badge improvement"), r.get("text"),
                         tag("cite", _cite(r)), tag("ul", inner, cls="findings"), cls="improvement"))
    return tag("section", tag("h2", f"Kommunprofil: {mun}"),
               tag("h3", "Kommunens teman jämfört med övriga"), themes_tab,
               tag("h3", "Förbättringsmöjligheter – vem gör det bra?"),
               tag("ul", join(items), cls="findings") if items else tag("p", "Inga förbättringsmöjligheter.", cls="empty"),
               id="profil", cls="block")


def _examples_for_improvement(prof: pd.DataFrame, r: dict) -> pd.DataFrame:
    """The rows of ``examples_for``'s table that answer improvement ``r``."""
    need = {"improvement_report_id", "improvement_area", "improvement_index"}
    if prof.empty or not need <= set(prof.columns):
        return prof.iloc[0:0]
    m = ((prof["improvement_report_id"] == r.get("report_id")) & (prof["improvement_area"] == r.get("area"))
         & (prof["improvement_index"] == r.get("finding_index")))
    return prof[m]


def _unthemed(d: ReportData, page_size: int) -> Markup:
    f = d.findings[d.findings["theme"] < 0]
    rows = [[r.get("municipality"), KIND_SV.get(str(r.get("kind")), r.get("kind")), r.get("text"), r.get("citation")]
            for r in records(f)]
    return tag("section", tag("h2", "Ej tematiserade fynd"),
               tag("p", f"{len(f)} fynd hör inte till något återkommande tema (de är unika för en kommun eller "
                        "för olika från temana).", cls="lead"),
               table(["Kommun", "Typ", "Fynd", "Källa"], rows, page_size=page_size, cls="filterable"),
               id="otematiserade", cls="block")


def _footer(d: ReportData) -> Markup:
    from .. import __version__

    when = _dt.date.today().isoformat()
    notes = join(tag("li", n) for n in d.notes)
    timing = ", ".join(f"{k} {v:.1f} s".replace(".", ",") for k, v in d.timings.items())
    return tag("footer", tag("p", f"Skapad {when} med kompasstext {__version__}."
                                  + (f" Tidsåtgång: {timing}." if timing else "")),
               tag("p", "Källhänvisningar anger fil, sida (där källan markerar sidor) och teckenposition i den "
                        "avkodade källtexten."),
               tag("ul", notes) if d.notes else "")
