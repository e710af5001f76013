"""The docplayer transcript reader on synthetic transcripts (page headers, lists over page breaks)."""
from __future__ import annotations

import warnings

from kompasstext import read_text
from kompasstext.readers.docplayer import DocplayerReader
from kompasstext.readers.source import SourceText

HEADER = "Sveriges Kommuner och Regioner 2019-05-02 {n} (30)"
PROSE = ("Kommunen arbetar aktivt med dialog och har tagit fram en plan. Arbetet med Medborgarpanelen "
         "har utvärderats under året och fungerar väl. ") * 8


def transcript(list1: str, list2: str) -> str:
    pages = [
        "KommunKompassen ANALYS AV TESTBY KOMMUN MARS 2019 Utvärderare: Eva Ek, SKR, Per Al, Borås stad",
        HEADER.format(n=2) + " Område 1 Offentlighet och demokrati Rubriker Strategi Information Poäng 55 "
        "Allmänt " + PROSE + list1,
        HEADER.format(n=3) + " Område 2 Tillgänglighet och brukarorientering Rubriker Strategi Bemötande "
        "Poäng 48 Allmänt " + PROSE + list2,
    ]
    return "Relaterade dokument\n\nKommunKompassen ANNANSTAD KOMMUN 2016 ANALYS AV.\n\nTranskript:\n\n" + "\n\n".join(pages)


def read(text: str):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return read_text(text, path="testby_2019.txt")


def test_reader_chosen_and_metadata_from_after_the_transcript_marker():
    text = transcript("Styrkor Tydlig plan Förbättringsmöjligheter Utveckla dialogen",
                      "Styrkor Gott bemötande Förbättringsmöjligheter Mät tillgängligheten")
    assert DocplayerReader().sniff(SourceText.from_string(text)) > 0.5
    r = read(text)
    assert r.format == "docplayer"
    assert (r.municipality, r.year) == ("Testby", 2019)
    assert r.evaluators == ["Eva Ek", "Per Al"]
    assert [(a.number, a.title, a.score) for a in r.areas] == [
        (1, "Offentlighet och demokrati", 55), (2, "Tillgänglighet och brukarorientering", 48)]


def test_list_over_a_page_break_is_joined_without_the_header():
    list1 = ("Styrkor Tydlig plan för demokratiutveckling Arbetet med Medborgarpanelen "
             "Förbättringsmöjligheter Utveckla dialogen med unga Förenkla möjligheterna att ta del "
             "av\n\n" + HEADER.format(n=3) + " handlingar och protokoll")
    text = transcript("", "Styrkor Gott bemötande Förbättringsmöjligheter Mät tillgängligheten")
    text = text.replace(PROSE + "\n\n" + HEADER.format(n=3), PROSE + list1 + " Område", 1)
    text = text.replace(" Område Område 2", " Område 2")
    r = read(text)
    a1 = r.area(1)
    assert [f.text for f in a1.strengths] == ["Tydlig plan för demokratiutveckling", "Arbetet med Medborgarpanelen"]
    assert [f.text for f in a1.improvements] == [
        "Utveckla dialogen med unga", "Förenkla möjligheterna att ta del av handlingar och protokoll"]
    joined = a1.improvements[1]
    assert "(30)" in r.text[joined.start:joined.end]  # the span covers both pieces …
    assert "(30)" not in joined.text  # … the text leaves the page header out
    assert all(f.segmented for f in a1.findings)


def test_uppercase_headings_and_variant_words():
    r = read(transcript("STYRKOR Tydlig plan FÖRBÄTTRINGSOMRÅDEN Utveckla dialogen",
                        "STYRKOR Gott bemötande FÖRBÄTTRINGSOMRÅDEN Mät tillgängligheten"))
    assert [(f.area, f.kind, f.text) for f in r.findings] == [
        (1, "strength", "Tydlig plan"), (1, "improvement", "Utveckla dialogen"),
        (2, "strength", "Gott bemötande"), (2, "improvement", "Mät tillgängligheten")]


def test_truncated_transcript_warns():
    r = read(transcript("Styrkor Tydlig plan Förbättringsmöjligheter Utveckla dialogen",
                        "Styrkor Gott bemötande Förbättringsmöjligheter Mät tillgängligheten"))
    codes = {d.code for d in r.diagnostics}
    assert "W102" in codes and "W104" in codes


def test_pages_from_the_page_lines(parsed):
    r = parsed["norrtalje_2018"]
    first = r.area(1).findings[0]
    assert first.page == 8  # "… 8 (25)" is the page the area-1 lists sit on
    assert r.area(8).findings[-1].page == 21


def test_template_without_rubric_box():
    text = transcript("Styrkor Tydlig plan Förbättringsmöjligheter Utveckla dialogen",
                      "Styrkor Gott bemötande Förbättringsmöjligheter Mät tillgängligheten")
    text = text.replace(" Rubriker Strategi Information Poäng 55", " Poäng 55").replace(
        " Rubriker Strategi Bemötande Poäng 48", " Poäng 48")
    r = read(text)
    assert [(a.number, a.title, a.score) for a in r.areas] == [
        (1, "Offentlighet och demokrati", 55), (2, "Tillgänglighet och brukarorientering", 48)]
    assert [f.text for f in r.findings] == ["Tydlig plan", "Utveckla dialogen", "Gott bemötande", "Mät tillgängligheten"]


def test_a_duplicated_area_section_is_said_and_skipped(tmp_path, corpus_dir):
    """A transcript with area 2's section twice (the second copy altered) reads area 2 from its first
    section, says so in W113 with the lines, and keeps every other area as it was."""
    import kompasstext as kt

    src = (corpus_dir / "norrtalje_2018.txt").read_text(encoding="utf-8")
    i = src.index("Område 2 Tillgänglighet och brukarorientering Rubriker")
    j = src.index("Område 3 Politisk styrning och kontroll Rubriker")
    copy = src[i:j].replace("Styrkor", "Styrkor Ett påhittat extra objekt", 1)
    path = tmp_path / "norrtalje_2018.txt"
    path.write_text(src[:j] + copy + src[j:], encoding="utf-8")
    got = kt.read_report(path, warn=False)
    want = kt.read_report(corpus_dir / "norrtalje_2018.txt", warn=False)
    assert [(f.area, f.kind, f.text) for f in got.findings] == [(f.area, f.kind, f.text) for f in want.findings]
    w113 = [d for d in got.diagnostics if d.code == "W113"]
    assert len(w113) == 1 and w113[0].area == 2 and "lines" in w113[0].message
