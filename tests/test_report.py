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
def synthetic(evil: str = EVIL, impossible: bool = False):
    """Three municipalities, two themes, ``evil`` text everywhere; ``impossible``: one score row and the
    good example's score are 95 of 20 points (as a misread score table gives)."""
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
    if impossible:
        scores.loc[(scores["municipality"] == "Aby") & (scores["area"] == 2), ["achieved", "max"]] = [95, 20]
    examples = pd.DataFrame([dict(theme_id=1, municipality="Aby", year=2015, finding=evil, kind="strength",
                                  citation="Aby_2015.txt, s. 2, tecken 10–20", rank_score=0.8, subquestion="2.1",
                                  percent=50.0, praise_cue=evil, passage=evil, passage_citation="Aby_2015.txt")])
    if impossible:
        examples = examples.assign(achieved=95.0, max=20.0, percent=475.0)
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
    assert re.search(r"<meta http-equiv=\"Content-Security-Policy\" content=\"default-src &#(x27|39);none&#(x27|39);", html)
    assert "<style>" in html and "<script>" in html, "CSS and JS are inlined"
    return p


# ------------------------------------------------------------------------------------ synthetic
def test_render_escapes_every_text():
    from kompasstext.reporting import render

    html = render(synthetic())
    assert EVIL not in html
    assert "<script>alert" not in html
    assert re.search(r"&lt;script&gt;alert\((&quot;|&#34;)x(&quot;|&#34;)\)&lt;/script&gt;", html)
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


SHEETS_SV = ["fynd", "poäng", "teman", "matris", "teman och poäng", "goda exempel"]
SHEETS_EN = ["findings", "scores", "themes", "matrix", "score_links", "examples"]


def test_xlsx_sheets(tmp_path):
    from openpyxl import load_workbook

    from kompasstext.reporting import write_xlsx

    data = synthetic("=HYPERLINK(\"http://x\")\x01")
    wb = load_workbook(write_xlsx(data, tmp_path / "t.xlsx", lang="en"))
    assert wb.sheetnames == SHEETS_EN
    for name in ("findings", "scores", "themes", "matrix", "examples"):
        assert wb[name].max_row > 1, name
    texts = [c.value for c in wb["findings"]["H"]]  # column "text"
    assert wb["findings"]["H1"].value == "text"
    hit = [c for c in wb["findings"]["H"] if isinstance(c.value, str) and c.value.startswith("=HYPERLINK")]
    assert hit and all(c.data_type == "s" for c in hit), "formula-looking text stays text"
    assert texts
    assert {c.value for c in wb["findings"]["G"][1:]} == {"strength", "improvement"}  # column "kind"


def test_xlsx_is_swedish_by_default(tmp_path):
    from openpyxl import load_workbook

    from kompasstext.reporting import write_xlsx

    data = synthetic()
    wb = load_workbook(write_xlsx(data, tmp_path / "t.xlsx"))
    assert wb.sheetnames == SHEETS_SV
    assert_swedish_workbook(wb, data)
    assert wb["fynd"]["H1"].value == "text" and wb["fynd"]["G1"].value == "typ"
    assert {c.value for c in wb["fynd"]["G"][1:]} == {"styrka", "förbättringsmöjlighet"}
    assert {c.value for row in wb["matris"].iter_rows(min_row=2, min_col=2) for c in row} <= {"styrka", "förbättring",
                                                                                             "båda", None}


def assert_swedish_workbook(wb, data) -> None:
    """Every column name is a Swedish one (the matrix' theme columns are "id label"), none repeats."""
    from kompasstext.reporting.strings import load

    names = set(load("sv").get("xlsx.columns").values())
    themes = {f"{i} {label}".strip() for i, label in zip(data.themes["theme_id"], data.themes["label"])}
    for ws in wb.worksheets:
        header = [c.value for c in next(ws.iter_rows(max_row=1))]
        if header == [None]:
            continue  # an empty table
        assert len(header) == len(set(header)), (ws.title, header)
        foreign = [h for h in header if h not in names and h not in themes]
        assert not foreign, f"sheet {ws.title}: columns without a Swedish name: {foreign}"


def test_impossible_score_is_flagged_not_a_percent():
    from kompasstext.reporting import render

    data = synthetic(impossible=True)
    html = render(data)
    assert "475" not in html, "an impossible score is no percentage"
    p = scan(html)
    flagged = [a for t, a in p.tags if t == "span" and a.get("class") == "flagged"]
    assert len(flagged) == 1 and "omöjligt värde" in flagged[0]["title"]
    assert "Aby 2015 · delfråga 2.1: 95 av 20 poäng ⚠" in " ".join(" ".join(p.text).split())
    # left out of the score statistics, with a note saying so
    assert len(data.concept_scores) == len(data.scores) - 1
    assert "1 poängrader med omöjliga värden" in html
    en = render(data, lang="en")
    assert "sub-question 2.1: 95 of 20 points" in en and "1 score rows with impossible values" in en
    assert "475" not in en
    fine = render(synthetic())
    assert 'class="flagged"' not in fine and "delfråga 2.1: 50 %" in fine


def test_impossible_score_rules():
    from kompasstext.reporting.pipeline import impossible_score, possible_scores

    assert [impossible_score(*x) for x in [(95, 20), (20, 20), (-1, 20), (None, 20, 101.0), (5, 10, 50.0),
                                           (None, None, None), (float("nan"), 10)]] == \
        [True, False, True, True, False, False, False]
    scores = synthetic(impossible=True).scores
    kept, note = possible_scores(scores)
    assert len(kept) == len(scores) - 1 and note.startswith("1 poängrader")
    assert possible_scores(synthetic().scores)[1] is None


def _impossible_corpus(tmp_path: Path) -> Path:
    text = (ROOT / "corpora" / "kommunkompassen" / "osthammar_2017.txt").read_text(encoding="utf-8")
    row = "1.1\tFinns en plan/strategi för demokratiutveckling och information?\t11\t15\t75%"
    assert row in text
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "osthammar_2017.txt").write_text(text.replace(row, row.replace("\t11\t15\t", "\t95\t15\t")),
                                               encoding="utf-8")
    for name in ("nacka_2021.txt", "norrtalje_2018.txt"):
        src = ROOT / "corpora" / "kommunkompassen" / name
        if src.exists():
            (folder / name).write_text(src.read_text(encoding="utf-8"), encoding="utf-8")
    return folder


@pytest.mark.parametrize("verbose", [False, True])
def test_report_command_counts_reader_warnings(tmp_path, capsys, monkeypatch, verbose):
    """``kompasstext report`` says how many reader warnings there were (W160), the first few or all, and
    passes ``--lang`` on; the pipeline itself is replaced by the synthetic report (no model needed)."""
    import kompasstext.reporting as reporting
    from kompasstext.cli import main
    from kompasstext.commands.report import FIRST_WARNINGS, reader_warnings
    from kompasstext.corpus import read_corpus

    folder = _impossible_corpus(tmp_path)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        expected = reader_warnings(read_corpus(folder))
    assert any("95 of 15 points is impossible" in w and w.startswith("osthammar_2017.txt: [W103]") for w in expected)
    seen = {}

    def fake_report(corpus, **kw):
        seen.update(kw, n=len(corpus))
        data = synthetic()
        data.paths["html"] = reporting.write_html(data, kw["out"], lang=kw["lang"])
        return data

    monkeypatch.setattr(reporting, "report", fake_report)
    out = tmp_path / "r.html"
    argv = ["report", str(folder), "-o", str(out), "--lang", "en"] + (["--verbose"] if verbose else [])
    assert main(argv) == 0
    err = capsys.readouterr().err
    assert f"[W160] {len(expected)} reader warning" in err and "Traceback" not in err
    listed = [w for w in expected if w in err]
    assert len(listed) == (len(expected) if verbose else min(len(expected), FIRST_WARNINGS))
    assert ("more (--verbose lists them all)" in err) == (not verbose and len(expected) > FIRST_WARNINGS)
    assert seen["lang"] == "en" and '<html lang="en">' in out.read_text(encoding="utf-8")
    assert main(argv + ["--quiet"]) == 0
    assert "W160" not in capsys.readouterr().err


def test_cli_lang_option():
    from kompasstext.cli import build_parser, main

    assert build_parser().parse_args(["report", "x"]).lang == "sv"
    assert build_parser().parse_args(["report", "x", "--lang", "en"]).lang == "en"
    assert main(["report", "x", "--lang", "de"]) == 2


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

    wb = load_workbook(bundled_report()["xlsx"])
    assert wb.sheetnames == SHEETS_SV
    for name in wb.sheetnames:
        assert wb[name].max_row > 1, f"sheet {name} is empty"
    assert_swedish_workbook(wb, bundled_report()["data"])


def test_snapshot_workbook_has_only_swedish_column_names(tmp_path):
    """The bundled report's tables (the fixed data of tests/data/report): every column has a Swedish name."""
    from openpyxl import load_workbook

    import report_snapshot
    from kompasstext.reporting import write_xlsx

    data = report_snapshot.load_data()
    sv = load_workbook(write_xlsx(data, tmp_path / "sv.xlsx"), read_only=True)
    assert_swedish_workbook(sv, data)
    # the score links' note is the page's verdict, in Swedish
    rows = list(sv["teman och poäng"].iter_rows(values_only=True))
    notes = [r[rows[0].index("bedömning")] for r in rows[1:]]
    assert len(notes) == len(data.score_links) > 10
    assert all(n.startswith(("Skillnad", "Skillnaden")) and n.endswith(".") for n in notes)
    en = load_workbook(write_xlsx(data, tmp_path / "en.xlsx", lang="en"), read_only=True)
    assert en.sheetnames == SHEETS_EN
    assert [c.value for c in next(en["findings"].iter_rows(max_row=1))] == \
        [c for c in data.findings.columns if c != "source"]


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
