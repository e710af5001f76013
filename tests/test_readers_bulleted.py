"""The htmltable, markdown and tabtable readers against the gold copies, plus synthetic shape cases."""
from __future__ import annotations

import json
import warnings
from pathlib import Path

import pytest

from kompasstext.readers import read_text
from kompasstext.readers.cleaning import clean_item
from kompasstext.readers.htmltable import HtmlTableReader
from kompasstext.readers.markdown import MarkdownReader
from kompasstext.readers.source import SourceText
from kompasstext.readers.tabtable import TabTableReader
from kompasstext.readers.tabular import is_whole_italic

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "corpora" / "kommunkompassen"
GOLD = Path(__file__).resolve().parent / "data" / "gold"
READERS = {"osthammar_2017": "htmltable", "upplands-bro_2011": "markdown", "nacka_2021": "tabtable"}


def gold(name: str) -> dict:
    return json.loads((GOLD / f"{name}.gold.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def reports():
    from kompasstext import read_report

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return {n: read_report(CORPUS / f"{n}.txt") for n in READERS}


@pytest.mark.parametrize("name", list(READERS))
def test_reader_is_chosen_by_structure(name, reports):
    assert reports[name].format == READERS[name]


@pytest.mark.parametrize("name", list(READERS))
def test_metadata_and_areas_match_gold(name, reports):
    g, r = gold(name), reports[name]
    assert (r.municipality, r.year, r.framework, r.total_score) == \
        (g["municipality"], g["year"], g["framework"], g["total_score"])
    assert set(r.evaluators) == set(g["evaluators"])
    assert [(a.number, a.title, a.score) for a in r.areas] == \
        [(a["number"], a["title"], a["score"]) for a in g["areas"]]


@pytest.mark.parametrize("name", list(READERS))
def test_subquestions_match_gold(name, reports):
    for ga in gold(name)["areas"]:
        got = [q.to_dict() for q in reports[name].area(ga["number"]).subquestions]
        assert got == ga["subquestions"], ga["number"]


def _exact_findings_ok(name: str) -> list[int]:
    return [1, 2, 3, 4, 5, 6, 7, 8] if name != "nacka_2021" else [2, 3, 4, 5, 6, 7, 8]


@pytest.mark.parametrize("name", list(READERS))
def test_findings_match_gold_per_area_and_kind(name, reports):
    """Exact texts, kinds, headings and order.  Nacka's area 1 run-on cell depends on the segmenter and is
    checked separately (counts only)."""
    for ga in gold(name)["areas"]:
        if ga["number"] not in _exact_findings_ok(name):
            continue
        got = [(f.kind, f.text, f.heading) for f in reports[name].area(ga["number"]).findings]
        want = [(f["kind"], f["text"], f["heading"]) for f in ga["findings"]]
        assert got == want, ga["number"]


def test_nacka_area1_non_runon_items_exact(reports):
    got = [(f.kind, f.text) for f in reports["nacka_2021"].area(1).findings]
    want = [(f["kind"], f["text"]) for f in gold("nacka_2021")["areas"][0]["findings"]]
    assert got[-5:] == want[-5:]  # the <p> table after the page break
    assert sum(k == "strength" for k, _ in got) >= 7


@pytest.mark.parametrize("name", list(READERS))
def test_finding_spans_point_at_their_source(name, reports):
    r = reports[name]
    for f in r.findings:
        raw = r.text[f.start:f.end]
        assert f.start < f.end
        # every word of the finding is in its span (page-split items: the span covers both pieces)
        for word in f.text.split()[:3] + f.text.split()[-2:]:
            assert word.strip("”\"") in clean_item(raw) or word in raw, (f.text, raw[:80])
        assert f.page is None or f.page >= 1


@pytest.mark.parametrize("name", list(READERS))
def test_rubrics_and_passages_are_filled(name, reports):
    for a in reports[name].areas:
        assert len(a.rubrics) >= 4, a.number
        assert a.passages and a.passages[0].heading == "Allmänt", a.number
        for p in a.passages:  # list tables and the Rubriker box are not passages
            assert "•" not in p.text and "Rubriker" not in p.text and "<" not in p.text, (a.number, p.text[:60])
            assert not any(p.start <= f.start < p.end for f in a.findings), (a.number, p.text[:60])


def test_osthammar_page_split_cell_is_joined(reports):
    r = reports["osthammar_2017"]
    f = [f for f in r.area(1).improvements if f.text.startswith("Regelbunden rapportering")][0]
    assert f.text.endswith("Gärna i jämförelse med andra kommuners resultat och med kommentarer kring måluppfyllelse")
    assert "\n" in r.text[f.start:f.end] and "<p>andra" in r.text[f.start:f.end]


def test_sniff_gives_transcripts_a_low_score():
    doc = SourceText.from_path(CORPUS / "norrtalje_2018.txt")
    for reader in (HtmlTableReader(), MarkdownReader(), TabTableReader()):
        assert reader.sniff(doc) < 0.1
    fake = SourceText.from_string("Transkript:\n\n" + "Område 1 X Styrkor A B Förbättringsmöjligheter C " * 80)
    assert all(r.sniff(fake) < 0.1 for r in (HtmlTableReader(), MarkdownReader(), TabTableReader()))


# ---------------------------------------------------------------- synthetic shapes
HTML = ("Område 1 Demokrati\n\nRubriker\tPoäng\n<ul>• Strategi• Dialog\t<h1 style=\"margin: 0;\">75</h1>\n\n"
        "Allmänt\n\nLite prosa om området.\n\n"
        "STYRKOR\tFÖRBÄTTRINGSOMRÅDEN\n"
        "<ul> • Bra dialog • Öppna möten \t<ul> • Följ upp resultaten. Gärna i\n\n"
        "<ul> • Webbsändning\t<p>jämförelse med andra</p> <ul> • Enklare handlingar\n--\t--\n")


def test_page_split_cell_and_general_headers():
    r = read_text(HTML, format="htmltable", warn=False)
    a = r.area(1)
    assert a.score == 75 and a.rubrics == ["Strategi", "Dialog"]
    assert [f.text for f in a.strengths] == ["Bra dialog", "Öppna möten", "Webbsändning"]
    assert [f.text for f in a.improvements] == ["Följ upp resultaten. Gärna i jämförelse med andra",
                                                "Enklare handlingar"]
    joined = a.improvements[0]
    assert r.text[joined.start:joined.end].startswith("• Följ upp")
    assert r.text[joined.start:joined.end].endswith("jämförelse med andra</p>")
    assert [p.heading for p in a.passages] == ["Allmänt"]


def test_tabtable_row_per_line_and_p_cells_order():
    text = ("Område 2 Samhälle\n\nStyrkor\tUtvecklingsområden\nA styrka\tA förbättring\nB styrka\t\n"
            "\tC förbättring\n\nStyrkor\tFörbättringsmöjligheter\n<p>D styrka</p> <p>E styrka</p>\t<p>F bättre?</p>\n")
    r = read_text(text, format="tabtable", warn=False)
    got = [(f.kind[0], f.text) for f in r.area(2).findings]
    assert got == [("s", "A styrka"), ("s", "B styrka"), ("i", "A förbättring"), ("i", "C förbättring"),
                   ("s", "D styrka"), ("s", "E styrka"), ("i", "F bättre?")]


def test_tabtable_runon_cell_uses_the_segmenter():
    calls = []

    def fake_segmenter(text, start, end):
        calls.append(text[start:end])
        mid = text.index(" Andra", start, end)
        return [(start, mid), (mid + 1, end)]

    from kompasstext.readers.tables import read_list_tables
    text = "Styrkor\tFörbättringsmöjligheter\nFörsta saken Andra saken\tEnda förslaget Andra förslaget\n"
    findings, _, diags = read_list_tables(text, 0, len(text), area=1, segmenter=fake_segmenter)
    assert [f.text for f in findings] == ["Första saken", "Andra saken", "Enda förslaget", "Andra förslaget"]
    assert len(calls) == 2 and all(d.code == "W105" for d in diags)


def test_markdown_italic_detection():
    assert is_whole_italic("*Följ upp resultaten.*")
    assert is_whole_italic("_Följ upp_")
    assert is_whole_italic("***Följ upp***")
    assert not is_whole_italic("Projektet *ATT – en administration* är bra.")
    assert not is_whole_italic("*Ett* och *två*")
    assert not is_whole_italic("**Fetstil**")


MD = ("# Rapport\n\n## Område 1 Demokrati\n\nRubriker\tPoäng\n<ul><li>• Strategi</li></ul>\t44\n\n"
      "#### Allmänt\n\nProsa här.\n\n### Information\n\n- Bra webb.\n- *Följ upp.*\n\n- Gott exempel.\n\n"
      "**Hållbar utveckling**\n\n- Miljöplan *finns* nu.\n\n# Område 2 Service\n\n- Kundcenter.\n\n"
      "## 4 Översikt av poängfördelning\n")


def test_markdown_headings_kinds_and_area_bounds():
    r = read_text(MD, format="markdown", warn=False)
    a1, a2 = r.area(1), r.area(2)
    assert a1.score == 44 and a1.rubrics == ["Strategi"]
    assert [(f.kind[0], f.heading, f.text) for f in a1.findings] == [
        ("s", "Information", "Bra webb."), ("i", "Information", "Följ upp."),
        ("s", "Information", "Gott exempel."), ("s", "Hållbar utveckling", "Miljöplan finns nu.")]
    assert [(f.heading, f.text) for f in a2.findings] == [(None, "Kundcenter.")]
    assert [(p.heading, p.text) for p in a1.passages] == [("Allmänt", "Prosa här.")]


def test_runon_items_are_marked_segmented(reports):
    """Only the run-on cell's items come from the segmenter (and so never train it)."""
    r = reports["nacka_2021"]
    seg = [f for f in r.findings if f.segmented]
    assert seg and {f.area for f in seg} == {1}
    assert not any(f.segmented for f in reports["osthammar_2017"].findings)
