"""Framework catalogs and deciding a report's revision."""
from __future__ import annotations

import warnings
from pathlib import Path

import pytest

from kompasstext.frameworks import FRAMEWORKS, assign_framework, catalog, load
from kompasstext.model import Area, Report, SubQuestion

CORPUS = Path(__file__).resolve().parent.parent / "corpora" / "kommunkompassen"


@pytest.mark.parametrize("fw", FRAMEWORKS)
def test_catalogs_are_complete(fw):
    df = catalog(fw)
    assert list(df.columns) == ["framework", "area", "area_title", "id", "text", "max"]
    assert sorted(df.area.unique()) == list(range(1, 9))
    assert (df.groupby("area")["max"].sum() == 100).all()
    assert df.id.is_unique


def test_revision_markers():
    titles = {fw: {a["number"]: a["title"] for a in load(fw)["areas"]} for fw in FRAMEWORKS}
    assert titles["2010"][7] == "Verksamhetsutveckling"
    assert titles["2015"][7] == "Ständiga förbättringar"
    assert titles["2020"][1] == "Samspel mellan förtroendevalda och medborgare"
    assert not catalog("2015").text.str.contains("valfrihet", case=False).any()


def _report(titles, subqs=()):
    areas = [Area(n, t) for n, t in titles.items()]
    for q in subqs:
        [a for a in areas if a.number == int(q.id.split(".")[0])][0].subquestions.append(q)
    return Report("X", 2017, None, areas=areas)


def _from(fw):
    return {a["number"]: a["title"] for a in load(fw)["areas"]}


def test_scored_table_decides_over_old_headings():
    """Old-template headings (area 7 Verksamhetsutveckling) with a v2.1 score table → 2015 + W106."""
    qs = [SubQuestion(r.id, r.text, 5, r.max) for r in catalog("2015").itertuples()]
    r = _report(_from("2010"), qs)
    assert assign_framework(r) == "2015" and r.framework == "2015"
    assert [d.code for d in r.diagnostics] == ["W106"]
    assert "Verksamhetsutveckling" in r.diagnostics[0].message


@pytest.mark.parametrize("fw", FRAMEWORKS)
def test_titles_alone(fw):
    r = _report(_from(fw))
    assert assign_framework(r) == fw


def test_unknown_subquestion_gets_w110():
    qs = [SubQuestion(r.id, r.text, 5, r.max) for r in catalog("2020").itertuples()]
    qs.append(SubQuestion("8.9", "Hur arbetar kommunen med rymdfart?", 1, 5))
    r = _report(_from("2020"), qs)
    assert assign_framework(r) == "2020"
    assert [(d.code, d.area) for d in r.diagnostics] == [("W110", 8)]


def test_uncertain_without_evidence():
    r = _report({1: "Något helt annat", 2: "Okänt område"})
    assert assign_framework(r) is None
    assert [d.code for d in r.diagnostics] == ["W106"]


@pytest.mark.parametrize("name,fw", [("osthammar_2017", "2015"), ("upplands-bro_2011", "2010"),
                                     ("nacka_2021", "2020"), ("norrtalje_2018", "2015")])
def test_bundled_reports(name, fw):
    from kompasstext import read_report

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        r = read_report(CORPUS / f"{name}.txt")
    assert r.framework == fw
    assert not [d for d in r.diagnostics if d.code == "W110"]
