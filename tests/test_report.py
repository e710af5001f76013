"""The theme report: self-contained HTML, escaping, a section per theme, the Excel workbook.

Rendering is tested on small synthetic tables (fast, no model); the end-to-end test runs the whole
pipeline once per session on the bundled corpus (:func:`bundled_report`, shared with the browser test).
"""
from __future__ import annotations

import re
import time
import warnings
from html.parser import HTMLParser
from pathlib import Path

import pandas as pd
import pytest

ROOT = Path(__file__).resolve().parent.parent
ARTIFACTS = Path(__file__).resolve().parent / "_artifacts"
EVIL = '<script>alert("x")</script> & <img src="http://example.com/x.png">'

_BUNDLED: dict = {}


def bundled_report() -> dict:
    """Generate the report of ``corpora/kommunkompassen`` once per session: ``{html, xlsx, data, seconds}``."""
    if not _BUNDLED:
        from kompasstext.reporting import report

        out = ARTIFACTS / "report"
        t = time.perf_counter()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            data = report(ROOT / "corpora" / "kommunkompassen", out=out / "themes.html", xlsx=out / "themes.xlsx",
                          municipality="Nacka")
        _BUNDLED.update(html=data.paths["html"], xlsx=data.paths["xlsx"], data=data,
                        seconds=time.perf_counter() - t)
    return _BUNDLED


# ------------------------------------------------------------------------------- synthetic data
def synthetic(evil: str = EVIL):
    from kompasstext.reporting import ReportData

    rows = []
    muns = [("Aby", 2015, "2015"), ("Bro <b>", 2017, "2015"), ("Cstad", 2021, "2020")]
    texts = {0: ["Tydlig styrmodell", "Styrmodellen är väl förankrad", "Styrmodell saknas i förvaltningarna"],
             1: ["Bra medborgardialog", evil, "Dialogen kan utvecklas"]}
    for k, (m, y, fw) in enumerate(muns):
        for t, tx in texts.items():
            kind = "improvement" if k == 2 else "strength"
            rows.append(dict(report_id=f"{m}_{y}", municipality=m, year=y, framework=fw, area=t + 1,
                             area_title=f"Område {t + 1}", kind=kind, text=tx[k], heading=None, finding_index=k,
                             start=100 * k, end=100 * k + 20, page=k + 1, source=f"corpora/x/{m}_{y}.txt",
                             theme=t, subquestion=f"{t + 1}.1", subquestion_text="Delfråga <i>", concept=f"c{t}",
                             link_confidence=0.9))
        rows.append(dict(report_id=f"{m}_{y}", municipality=m, year=y, framework=fw, area=3, area_title="Område 3",
                         kind="improvement", text=f"Unikt fynd {k}", heading=None, finding_index=9, start=None,
                         end=None, page=None, source=None, theme=-1, subquestion=None, subquestion_text=None,
                         concept=None, link_confidence=None))
    findings = pd.DataFrame(rows)
    themes = pd.DataFrame([
        dict(theme_id=0, label="Styrmodell", keyphrases=["styrmodell", "förankring"], n_findings=3,
             n_municipalities=3, n_strengths=2, n_improvements=1, representatives=[]),
        dict(theme_id=1, label="Dialog " + evil, keyphrases=["dialog", evil], n_findings=3, n_municipalities=3,
             n_strengths=2, n_improvements=1, representatives=[])])
    areas = pd.DataFrame([dict(report_id=f"{m}_{y}", municipality=m, year=y, framework=fw, area=a,
                               area_title=f"Område {a}", score=40 + 10 * a + k)
                          for k, (m, y, fw) in enumerate(muns) for a in range(1, 9)])
    scores = pd.DataFrame([dict(report_id=f"{m}_{y}", municipality=m, year=y, framework=fw, area=a,
                                area_title=f"Område {a}", subquestion=f"{a}.1", subquestion_text="Delfråga <i>",
                                achieved=5 + k, max=10, percent=None, percent_computed=50.0 + 10 * k,
                                concept=f"c{a - 1}")
                           for k, (m, y, fw) in enumerate(muns) for a in (1, 2)])
    examples = pd.DataFrame([dict(theme_id=1, municipality="Aby", year=2015, finding=evil, kind="strength",
                                  citation="Aby_2015.txt, s. 2, tecken 10–20", rank_score=0.8, subquestion="2.1",
                                  percent=50.0, praise_cue=evil, passage=evil, passage_citation="Aby_2015.txt")])
    profile = pd.DataFrame([dict(improvement_report_id="Cstad_2021", improvement_area=1, improvement_index=2,
                                 improvement="Styrmodell saknas i förvaltningarna", municipality="Aby", year=2015,
                                 finding="Styrmodellen är väl förankrad – gott exempel",
                                 citation="Aby_2015.txt, s. 1")])
    return ReportData.from_tables(findings, themes, areas, scores=scores, examples=examples,
                                  municipality="Cstad", profile=profile, notes=[evil])


class _Scan(HTMLParser):
    """Collects tags, attributes, and the text of <script>/<style>."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict]] = []
        self.scripts: list[str] = []
        self._in: str | None = None
        self.text: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))
        self._in = tag if tag in ("script", "style") else None

    def handle_endtag(self, tag):
        self._in = None

    def handle_data(self, data):
        if self._in == "script":
            self.scripts.append(data)
        elif self._in is None:
            self.text.append(data)


def scan(html: str) -> _Scan:
    p = _Scan()
    p.feed(html)
    return p


def assert_self_contained(html: str) -> _Scan:
    p = scan(html)
    names = [t for t, _ in p.tags]
    assert "link" not in names, "no <link> (stylesheets, icons, fonts) may be loaded"
    assert not any(t in names for t in ("iframe", "object", "embed", "img", "video", "audio", "source", "base"))
    for t, a in p.tags:
        for k in ("src", "href", "xlink:href", "action", "srcset", "poster", "data"):
            v = (a.get(k) or "").strip().lower()
            assert not re.match(r"^(https?:|//|ftp:)", v), f"<{t} {k}={v!r}> points off the page"
        if t == "script":
            assert "src" not in a, "scripts must be inline"
        if t == "a" and a.get("href"):
            assert a["href"].startswith("#"), f"link {a['href']!r} leaves the page"
    assert "@import" not in html and "url(" not in html.replace("data:", ""), "CSS must not fetch anything"
    assert re.search(r"<meta http-equiv=\"Content-Security-Policy\" content=\"default-src &#x27;none&#x27;", html)
    assert "<style>" in html and "<script>" in html, "CSS and JS are inlined"
    return p


# ------------------------------------------------------------------------------------ synthetic
def test_render_escapes_every_text():
    from kompasstext.reporting import render

    html = render(synthetic())
    assert EVIL not in html
    assert "<script>alert" not in html
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in html
    assert "Bro &lt;b&gt;" in html and "Bro <b>" not in html
    assert "Delfråga &lt;i&gt;" in html
    p = scan(html)
    assert len(p.scripts) == 1 and "alert" not in p.scripts[0], "only our own script is executable"
    assert not any(t == "img" for t, _ in p.tags)
    assert EVIL in "".join(p.text), "the finding is shown as text"


def test_render_is_self_contained_and_swedish():
    from kompasstext.reporting import render

    html = render(synthetic())
    assert_self_contained(html)
    assert '<html lang="sv">' in html
    for heading in ("Översikt", "Temaindex", "Teman", "Ramverksmatris", "Kommunprofil: Cstad", "Nyckelfraser",
                    "Fynd per kommun", "Kopplade delfrågor och poäng", "Goda exempel", "Ej tematiserade fynd"):
        assert f">{heading}<" in html, heading
    assert html.count("<svg") >= 4  # area heatmap, split bars, strips, matrix


def test_render_sections_per_theme_with_citations_and_groups():
    from kompasstext.reporting import render

    data = synthetic()
    html = render(data)
    for tid in data.themes["theme_id"]:
        assert f'id="tema-{tid}"' in html and f'data-theme="{tid}"' in html
        assert f'href="#tema-{tid}"' in html
    assert "Aby_2015.txt, s. 1, tecken 0–20" in html
    # score distribution by theme presence with n per group
    assert "Styrka (n=2)" in html and "Förbättring (n=1)" in html and "Ej nämnt (n=0)" in html
    assert "vem gör det bra?" in html and "Styrmodellen är väl förankrad – gott exempel" in html


def test_matrix_and_distribution_tables():
    from kompasstext.reporting.pipeline import score_distribution, theme_matrix

    data = synthetic()
    cat, n = theme_matrix(data.findings, data.themes)
    assert n.loc["Aby", 0] == 1 and cat.loc["Aby", 0] == "S" and cat.loc["Cstad", 0] == "I"
    assert list(n.columns) == [0, 1] == list(cat.columns)
    d = score_distribution(data.findings, data.scores)
    g = d[d["theme_id"] == 0].groupby("group").size().to_dict()
    assert g == {"strength": 2, "improvement": 1}


def test_paging_marks_long_tables():
    from kompasstext.reporting import render

    html = render(synthetic(), page_size=1)
    assert 'class="index filterable paged" data-page-size="1"' in html
    assert 'class="paged"' not in render(synthetic(), page_size=100)


def test_big_theme_sections_show_the_closest_findings_with_a_note():
    from kompasstext.reporting import render
    from kompasstext.reporting.page import MAX_FINDINGS

    data = synthetic()
    f = data.findings
    data.findings = f.assign(theme_score=[0.9 if "saknas" in str(t) else 0.5 if "förankrad" in str(t) else 0.1
                                          for t in f["text"]])
    html = render(data, max_findings=2)
    section = html[html.index('id="tema-0"'):html.index('id="tema-1"')]
    assert "Visar de 2 fynd som ligger närmast temat av 3" in section
    # the two closest to the theme are listed (grouped by municipality), the farthest is not
    assert "Styrmodell saknas i förvaltningarna" in section and "Styrmodellen är väl förankrad" in section
    assert "Tydlig styrmodell" not in section
    assert "Visar de" not in render(data)  # 3 findings are below the default cap
    assert MAX_FINDINGS >= 20


def test_xlsx_sheets(tmp_path):
    from openpyxl import load_workbook

    from kompasstext.reporting import write_xlsx

    data = synthetic("=HYPERLINK(\"http://x\")\x01")
    path = write_xlsx(data, tmp_path / "t.xlsx")
    wb = load_workbook(path)
    assert wb.sheetnames == ["findings", "scores", "themes", "matrix", "score_links", "examples"]
    for name in ("findings", "scores", "themes", "matrix", "examples"):
        assert wb[name].max_row > 1, name
    texts = [c.value for c in wb["findings"]["H"]]  # column "text"
    assert wb["findings"]["H1"].value == "text"
    hit = [c for c in wb["findings"]["H"] if isinstance(c.value, str) and c.value.startswith("=HYPERLINK")]
    assert hit and all(c.data_type == "s" for c in hit), "formula-looking text stays text"
    assert texts


def test_cli_registers_report():
    from kompasstext.cli import build_parser

    args = build_parser().parse_args(["report", "x", "-o", "a.html", "--xlsx", "a.xlsx", "--municipality", "Nacka"])
    assert args.out == "a.html" and args.xlsx == "a.xlsx" and args.municipality == "Nacka"


# ----------------------------------------------------------------------------- bundled corpus
@pytest.mark.slow
def test_bundled_report_end_to_end():
    res = bundled_report()
    data, html = res["data"], res["html"].read_text(encoding="utf-8")
    assert_self_contained(html)
    assert len(data.themes) >= 10
    for tid in data.themes["theme_id"]:
        assert f'<details class="theme" id="tema-{tid}" data-theme="{tid}">' in html
    for label in data.themes["label"].head(5):
        assert str(label).replace("&", "&amp;") in html
    # citations with file and character span; the sub-question links with the score distribution
    assert re.search(r"nacka_2021\.txt, (s\. \d+, )?tecken \d+–\d+", html)
    assert not data.distribution.empty and set(data.distribution["group"]) <= {"strength", "improvement", "both", "absent"}
    assert "(n=" in html
    assert set(data.matrix.index) == set(data.findings["municipality"])
    assert 'id="profil"' in html and "Kommunprofil: Nacka" in html
    assert res["seconds"] < 300


@pytest.mark.slow
def test_bundled_xlsx_has_rows():
    from openpyxl import load_workbook

    wb = load_workbook(bundled_report()["xlsx"], read_only=True)
    assert wb.sheetnames == ["findings", "scores", "themes", "matrix", "score_links", "examples"]
    for name in wb.sheetnames:
        assert wb[name].max_row > 1, f"sheet {name} is empty"


def test_unknown_municipality_is_a_clear_error():
    from kompasstext.errors import KompassError
    from kompasstext.reporting import compute

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with pytest.raises(KompassError, match="Göteborg.*Nacka"):
            compute(ROOT / "corpora" / "kommunkompassen", municipality="Göteborg")


def test_large_groups_are_drawn_as_boxes_and_absent_comes_from_concept_scores():
    from kompasstext.reporting import svg
    from kompasstext.reporting.pipeline import score_distribution

    many = [float(v % 100) for v in range(500)]
    chart = svg.strip([("Ej nämnt", svg.ABSENT, many), ("Styrka", svg.STRENGTH, [40.0, 60.0])])
    assert chart.count("<circle") == 2 and "<rect" in chart and "n=500" in chart
    assert len(chart) < 6000
    # the report keeps "absent" implicitly: present rows + every report's score per concept
    data = synthetic()
    full = score_distribution(data.findings, data.scores)
    assert set(data.distribution["group"]) <= {"strength", "improvement", "both"}
    assert len(data.concept_scores) == len(data.scores) and len(data.theme_concepts) == 2
    present = score_distribution(data.findings, data.scores, absent=False)
    assert len(full) == len(present) + int((full["group"] == "absent").sum())
