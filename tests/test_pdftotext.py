"""The plain text poppler's ``pdftotext`` writes from the report PDFs, with and without ``-layout``
(fixtures in tests/data/pdf/pdftotext, made from tests/data/pdf/*.pdf), read to the gold; and the rules
of the reader (kompasstext.readers.pdftext) one by one on small texts."""
from __future__ import annotations

import json
import warnings
from pathlib import Path

import pytest

from goldscore import areas, finding_f1, meta, subquestion_rows
from kompasstext import read_report, read_text
from kompasstext.errors import ParseWarning
from kompasstext.readers import pdftext as P
from kompasstext.readers.pdflayout import Layout, Line, Page

DATA = Path(__file__).parent / "data"
FIXTURES = DATA / "pdf" / "pdftotext"
NAMES = ["osthammar_2017", "norrtalje_2018", "upplands-bro_2011", "nacka_2021"]
SHAPES = ["pdftotext", "pdftotext-layout"]
#: findings exact F1 reached (measured 1.000 for every fixture but Upplands-Bro, 0.984 in both shapes:
#: two of its 44 italic-only improvements open their run without a recommendation's wording)
REACHED = {"upplands-bro_2011": 0.98}


def gold(name: str) -> dict:
    return json.loads((DATA / "gold" / f"{name}.gold.json").read_text("utf-8"))


_CACHE: dict[Path, object] = {}


def _read(path: Path):
    if path not in _CACHE:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ParseWarning)
            _CACHE[path] = read_report(path)
    return _CACHE[path]


def _kindless(d: dict) -> dict:
    return {"areas": [{"number": a["number"], "findings": [{"kind": "-", "text": f["text"]} for f in a["findings"]]}
                      for a in d["areas"]]}


@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("variant", ["", "_variant"])
@pytest.mark.parametrize("name", NAMES)
def test_fixture_reads_to_gold(name, variant, shape):
    r = _read(FIXTURES / f"{name}{variant}.{shape}.txt")
    d, g = r.to_dict(), gold(name)
    assert r.format == "pdftotext"
    f1, missed, spurious = finding_f1(d, g)
    assert f1 >= REACHED.get(name, 1.0), (missed[:3], spurious[:3])
    assert finding_f1(_kindless(d), _kindless(g))[0] == 1.0  # every item's text exact, whatever its kind
    assert areas(d) == areas(g)
    assert meta(d)[:2] == meta(g)[:2]
    # the score tables: -layout keeps their columns; raw text writes them column after column, put back
    # together (kompasstext.readers.rawscores) to the same rows, so the framework is the tables' (Östhammar
    # read 2010 from its area titles before)
    assert subquestion_rows(d) == subquestion_rows(g) and d["framework"] == g["framework"]
    texts = [{(q["id"], q["text"]) for a in x["areas"] for q in a["subquestions"]} for x in (d, g)]
    assert texts[0] == texts[1]  # the question texts too (raw: the text column's, or the catalog's)
    if shape == "pdftotext-layout":  # raw: Upplands-Bro's total (the TOTALT row of its area summary) is
        # not read, the total is summed from the areas
        assert meta(d) == meta(g)
    for f in r.findings:
        assert r.text[f.start:f.end] == f.text and f.page >= 1
    codes = {x.code for x in r.diagnostics}
    assert ("W122" in codes) == (shape == "pdftotext")
    assert "W125" not in codes  # every score table checked out
    if name == "upplands-bro_2011":  # improvements told by their wording, and said so
        assert "W124" in codes and "W123" not in codes


# ---- raw shape: words poppler joined, bullets printed apart, cells over a page break ---------------------
def test_suspended_compound_parts_split_back():
    assert P._unglue_suspended("Målen är nedbrytningsoch uppföljningsbara") == \
        "Målen är nedbrytnings- och uppföljningsbara"
    assert P._unglue_suspended("såväl översom underskott; medarbetaroch lönesamtal") == \
        "såväl över- som underskott; medarbetar- och lönesamtal"
    for kept in ("kommungemensamt arbete", "eftersom det", "gemensamt och samt", "modeller och tabeller"):
        assert P._unglue_suspended(kept) == kept


def _lines(*texts: str) -> list[Line]:
    return [Line(1, 0, 12.0 * i, 10, 12.0 * i + 10, t, 10) for i, t in enumerate(texts)]


def test_hyphen_after_a_fragment_is_a_hyphenation():
    out = P._join_fragments(_lines("chefsfrågor och rollför-", "delning mellan dem", "styr-", "och ledning"))
    assert [x.text for x in out] == ["chefsfrågor och", "rollfördelning mellan dem", "styr-", "och ledning"]
    only = P._join_fragments(_lines("rollför-", "delning mellan dem"))
    assert [x.text for x in only] == ["rollfördelning", "mellan dem"]
    kept = P._join_fragments(_lines("verksamhets-", "utveckling", "IT-", "stöd"))  # a word; an abbreviation
    assert [x.text for x in kept] == ["verksamhets-", "utveckling", "IT-", "stöd"]


def test_detached_bullets_go_to_the_likeliest_item_starts():
    lines = ["2016", "Fler styrtal som kan verifiera", "måluppfyllelse", "Politiska mål och", "Kommunens bolag",
             "Få jämförelser med andra", ""]
    block = P._block(lines, 0)
    assert block == [0, 1, 2, 3, 4, 5]
    # three bullets, four capitals: the line after "och" and then the continued cell's first line drop out
    assert P._item_starts(lines, block, 3, before="nämns inte i årsredovisningen") == {1, 3, 5}
    # a cell that did not start on the page before: its first line opens an item
    assert P._item_starts(lines, block, 4, before=None) == {0, 1, 3, 5}


RAW_TABLE = ("Område 1 Demokrati\nText om demokrati.\nStyrkor\n\u2022 Bra webb med\nöppna data\n\u2022 Tydliga mål\n"
             "Förbättringsområden\n\u2022 Följ upp målen\noch resultaten\n\u2022 Utveckla dialogen med\n"
             "medborgarna och\n\f"
             "\u2022\n\u2022\n\nföretagen\nStärk kontrollen\nInför e-tjänster\n\n"
             "Område 2 Service\nStyrkor\n\u2022 Kundval\nFörbättringsområden\n\u2022 Mät nöjdheten\n\f")


def test_raw_cell_over_a_page_break_goes_to_the_longer_column():
    r = read_text(RAW_TABLE, warn=False)
    assert r.format == "pdftotext"
    kinds = [(f.kind, f.text) for f in r.areas[0].findings]
    assert kinds == [("strength", "Bra webb med öppna data"), ("strength", "Tydliga mål"),
                     ("improvement", "Följ upp målen och resultaten"),
                     ("improvement", "Utveckla dialogen med medborgarna och företagen"),
                     ("improvement", "Stärk kontrollen"), ("improvement", "Inför e-tjänster")]
    assert [f.page for f in r.areas[0].findings][-3:] == [1, 2, 2]


def test_raw_bullet_items_outside_tables_keep_their_wrapped_lines():
    w = 60
    assert P._item_goes_on("\u2022 Bra information om vad som står på dagordningen för möten i",
                           "KF, KS och nämnder.", "", w)
    full = "\u2022 Policy mot mutor antogs i maj. Riktlinjer för bisysslor antogs i juni."
    assert P._item_goes_on(full, "Funktion för visselblåsare införs.", "", w)  # the next word did not fit
    assert not P._item_goes_on("\u2022 Policy mot mutor antogs i maj.", "Funktion för visselblåsare införs.", "", w)
    assert not P._item_goes_on("\u2022 Uppföljning av policyn.", "Information om resultat", "\u2022 Sprid", w)
    assert not P._item_goes_on("\u2022 Kort punkt.", "\u2022 Nästa punkt", "", w)
    prose = "Det finns också en plan för det här arbetet i kommunen."
    assert not P._item_goes_on("\u2022 Kort punkt.", prose, "", w)


# ---- kinds without italics: improvements told by their wording --------------------------------------------
def test_recommendations_are_told_by_their_wording():
    yes = ["Utveckla resultatfokus på hemsidan.", "Säkerställ att alla får utbildning", "Tydliggör rollerna",
           "I större utsträckning redovisa resultat", "Ta fram en plan", "Inför e-tjänster",
           "Mer fokus på idéer", "Fortsatt arbete med målen", "Tydligare strategi för dialog"]
    no = ["Bra information om dagordningen", "Kommunen har en tydlig vision", "Satsning på kommunikation",
          "Tydlig vision", "Högre höjder-arbetet ger utveckling", "Utvecklingsarbetet pågår", ""]
    assert all(P.opens_with_directive(t) for t in yes)
    assert not any(P.opens_with_directive(t) for t in no)


def _page(*rows: tuple[int, str]) -> Page:
    pg = Page(1, 600, 800)
    pg.lines = [Line(1, x, 12.0 * i, x + 100, 12.0 * i + 10, t, 10) for i, (x, t) in enumerate(rows)]
    return pg


def test_items_from_the_first_recommendation_of_a_run_on_are_marked():
    lay = Layout("x", fonts=False)
    lay.pages.append(_page((0, "Information"), (0, "\u2022 Bra webb"), (4, "med öppna data"),
                           (0, "\u2022 Utveckla e-tjänsterna"), (0, "\u2022 Fler kanaler"), (0, "Dialog"),
                           (0, "\u2022 Synpunktssystem"), (0, "\u2022 Rådgivande grupper")))
    assert P.mark_worded_improvements(lay) == 2
    assert [ln.italic for ln in lay.pages[0].lines] == [False, False, False, True, True, False, False, False]


# ---- raw shape: score tables written column after column ---------------------------------------------------
def _overview(area: str, ids: list[str], texts: list[str], columns: list[list[str]]) -> list[str]:
    """Raw ``pdftotext`` lines of one area's score table: id column, text column, then the number blocks
    (the first row under the column headers, the other rows after)."""
    out = ["Översikt av poängfördelning", f"{area}.", *ids, "", *texts, ""]
    heads = ["Uppnått", "Max", "Procent"][:len(columns)]
    for h, col in zip(heads, columns):
        out += [h, col[0], ""]
    for col in columns:
        out += [*col[1:], ""]
    return out


#: a raw (no -layout) report page: the list table's cells one after the other
RAW_PAGE = "Område {n} {title}\nStyrkor\n• {a}\n• {b}\n\nFörbättringsområden\n• Följ upp\n\f"
_TEXTS = ["Offentlighet och demokrati", "Finns en plan/strategi för demokratiutveckling och", "information?",
          "Informeras invånarna om aktuella frågor i politiken?"]


def test_raw_score_table_is_put_back_together_from_its_columns():
    from kompasstext.readers.rawscores import read_raw_score_tables

    lines = _overview("1", ["1.1", "1.2"], _TEXTS, [["11", "17", "28"], ["15", "20", "35"], ["75%", "84%", "80%"]])
    tables, problems = read_raw_score_tables([lines])
    assert problems == [] and len(tables) == 1
    t = tables[0]
    assert (t.area, t.title, t.total, t.texts_from) == (1, "Offentlighet och demokrati", (28, 35, 80), "text")
    assert t.rows == [("1.1", "Finns en plan/strategi för demokratiutveckling och information?", 11, 15, 75),
                      ("1.2", "Informeras invånarna om aktuella frågor i politiken?", 17, 20, 84)]
    # a number before the first "Uppnått" header (a stray page number) is no table's
    assert read_raw_score_tables([lines[:1] + ["7", ""] + lines[1:]])[0][0].rows == t.rows
    # no Procent column (the 2020 template): achieved / max blocks only
    lines = _overview("1", ["1.1", "1.2"], _TEXTS, [["11", "17", "28"], ["15", "20", "35"]])
    tables, problems = read_raw_score_tables([lines])
    assert problems == [] and [r[2:] for r in tables[0].rows] == [(11, 15, None), (17, 20, None)]


@pytest.mark.parametrize("columns, why", [
    ([["11", "17", "30"], ["15", "20", "35"], ["75%", "84%", "86%"]], "achieved points sum to 28"),
    ([["11", "17", "28"], ["15", "20", "40"], ["75%", "84%", "70%"]], "maxima sum to 35"),
    ([["11", "17", "28"], ["15", "20", "35"], ["75%", "50%", "80%"]], "17/20 printed as 50%"),
    ([["11", "28"], ["15", "35"], ["75%", "80%"]], "2 number rows for 2 questions"),
    ([["17", "11", "28"], ["15", "20", "35"], ["75%", "84%", "80%"]], "17 of 15 points"),
    ([["11", "17", "28"], ["15", "20"], ["75%", "84%", "80%"]], "do not line up"),
])
def test_inconsistent_raw_score_table_is_refused(columns, why):
    from kompasstext.readers.rawscores import read_raw_score_tables

    tables, problems = read_raw_score_tables([_overview("1", ["1.1", "1.2"], _TEXTS, columns)])
    assert tables == [] and len(problems) == 1 and why in problems[0], problems
    # through the reader: the area keeps no score rows, W125 says why
    page = RAW_PAGE
    text = (page.format(n=1, title="Offentlighet och demokrati", a="Bra webb", b="Tydliga mål")
            + page.format(n=2, title="Service", a="Kundval", b="E-tjänster")
            + "\n".join(_overview("1", ["1.1", "1.2"], _TEXTS, columns)) + "\n\f")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ParseWarning)
        r = read_text(text, format="pdftotext", warn=False)
    assert all(not a.subquestions for a in r.areas)
    assert any(d.code == "W125" and why in d.message for d in r.diagnostics)


def test_consistent_raw_score_table_is_read_by_the_reader():
    page = RAW_PAGE
    lines = _overview("1", ["1.1", "1.2"], _TEXTS, [["11", "17", "28"], ["15", "20", "35"], ["75%", "84%", "80%"]])
    text = (page.format(n=1, title="Offentlighet och demokrati", a="Bra webb", b="Tydliga mål")
            + page.format(n=2, title="Service", a="Kundval", b="E-tjänster") + "\n".join(lines) + "\n\f")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ParseWarning)
        r = read_text(text, format="pdftotext", warn=False)
    qs = r.areas[0].subquestions
    assert [(q.id, q.achieved, q.max, q.percent) for q in qs] == [("1.1", 11, 15, 75), ("1.2", 17, 20, 84)]
    assert qs[1].text == "Informeras invånarna om aktuella frågor i politiken?"
    assert r.text.count("Informeras invånarna") == 1  # the columns' lines are not left as text as well
    assert "W122" in {d.code for d in r.diagnostics} and "W125" not in {d.code for d in r.diagnostics}


def test_one_inconsistent_raw_score_table_leaves_the_others_read():
    from kompasstext.readers.rawscores import read_raw_score_tables

    lines = ["Översikt av poängfördelning", "1.", "1.1", "1.2", "", "2.", "2.1", "2.2", "", *_TEXTS, "",
             "Tillgänglighet och brukarorientering", "Finns det en kommunövergripande strategi för",
             "brukarfokus?", "Hur arbetar kommunen med tillgänglighet och", "bemötande?", "",
             "Uppnått", "11", "", "Max", "15", "", "Procent", "75%", "", "17", "28", "", "20", "35", "",
             "84%", "80%", "",
             "Uppnått", "9", "", "Max", "15", "", "Procent", "60%", "", "20", "35", "", "25", "40", "", "80%", "88%",
             "", "Bilaga", "", "12", "", "2019"]  # text and numbers of another kind after the tables
    tables, problems = read_raw_score_tables([lines])
    assert [t.area for t in tables] == [1], problems
    assert [r[2:] for r in tables[0].rows] == [(11, 15, 75), (17, 20, 84)]
    assert len(problems) == 1 and problems[0].startswith("area 2: the achieved points sum to 29"), problems
