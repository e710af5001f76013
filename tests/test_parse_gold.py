"""The acceptance figures of the reader, pinned against the gold copies (all four bundled reports)."""
from __future__ import annotations

import pytest

from conftest import REPORTS, load_gold
from goldscore import areas, finding_f1, headings, meta, subquestion_rows

#: bulleted formats must be exact; the flattened transcript at least 0.98
MIN_F1 = {"norrtalje_2018": 0.98, "osthammar_2017": 1.0, "upplands-bro_2011": 1.0, "nacka_2021": 0.98}


@pytest.mark.parametrize("name", REPORTS)
def test_findings_exact_f1(parsed, name):
    f1, missed, spurious = finding_f1(parsed[name].to_dict(), load_gold(name))
    assert f1 >= MIN_F1[name], f"{name}: F1 {f1:.3f}\nmissed {missed}\nspurious {spurious}"


@pytest.mark.parametrize("name", REPORTS)
def test_metadata(parsed, name):
    assert meta(parsed[name].to_dict()) == meta(load_gold(name))


@pytest.mark.parametrize("name", REPORTS)
def test_area_titles_and_scores(parsed, name):
    assert areas(parsed[name].to_dict()) == areas(load_gold(name))


@pytest.mark.parametrize("name", REPORTS)
def test_subquestion_tables_exact(parsed, name):
    assert subquestion_rows(parsed[name].to_dict()) == subquestion_rows(load_gold(name))


@pytest.mark.parametrize("name", REPORTS)
def test_kind_and_area_of_every_finding(parsed, name):
    gold = {(a, k, t) for a, k, t, _ in headings(load_gold(name))}
    pred = {(a, k, t) for a, k, t, _ in headings(parsed[name].to_dict())}
    texts_gold = {t: (a, k) for a, k, t in gold}
    for a, k, t in pred:
        if t in texts_gold:
            assert texts_gold[t] == (a, k), t


def test_headings_of_grouped_items(parsed):
    gold = headings(load_gold("upplands-bro_2011"))
    pred = headings(parsed["upplands-bro_2011"].to_dict())
    assert pred == gold


def test_truncated_transcript_reports_missing_tables(parsed):
    r = parsed["norrtalje_2018"]
    assert [a.number for a in r.areas if a.subquestions] == [1, 2]
    missing = [d for d in r.diagnostics if d.code == "W104"]
    assert sorted(d.area for d in missing) == [3, 4, 5, 6, 7, 8]


def test_spans_point_at_the_items_source(parsed):
    """Each finding's span holds its raw source: cleaning the span gives back the finding's words."""
    from kompasstext.readers.cleaning import clean_item

    for name, r in parsed.items():
        for f in r.findings:
            assert f.start < f.end, (name, f.text)
            cleaned = clean_item(r.text[f.start:f.end])
            # page headers between the pieces of a split item are in the span but not in the text
            words = cleaned.split()
            for w in f.text.split():
                assert w in words or w in cleaned, (name, w, f.text)


def test_list_regions_fully_covered(parsed):
    """Nothing lost: between a report's first and last finding of a list, every word of the raw list text
    is in some finding (bullets, tags and page headers aside)."""
    import re

    from kompasstext.readers.cleaning import clean_item

    for name, r in parsed.items():
        for a in r.areas:
            for kind in ("strength", "improvement"):
                fs = sorted((f for f in a.findings if f.kind == kind), key=lambda f: f.start)
                covered = " ".join(f.text for f in fs)
                for f, g in zip(fs, fs[1:]):
                    gap = clean_item(r.text[f.end:g.start])
                    # what lies between two items of one list is markup or the other column's cell
                    assert len(re.findall(r"\w{4,}", gap)) == 0 or r.format != "docplayer", (name, gap)
                assert covered
