"""Metadata extraction: municipality (genitive handling), evaluation year, evaluators, printed total."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from kompasstext.readers.metadata import base_name, extract_metadata, split_names

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "corpora" / "kommunkompassen"
GOLD = Path(__file__).resolve().parent / "data" / "gold"


@pytest.mark.parametrize("name", ["osthammar_2017", "upplands-bro_2011", "nacka_2021", "norrtalje_2018"])
def test_metadata_matches_gold(name):
    text = (CORPUS / f"{name}.txt").read_text(encoding="utf-8")
    start = text.index("Transkript:") + len("Transkript:") if "Transkript:" in text else 0
    g = json.loads((GOLD / f"{name}.gold.json").read_text(encoding="utf-8"))
    md = extract_metadata(text, start)
    assert (md.municipality, md.year, md.evaluators) == (g["municipality"], g["year"], g["evaluators"])
    printed = {"upplands-bro_2011": 383, "norrtalje_2018": 462}
    assert md.total_score == printed.get(name)


def test_evaluation_year_wins_over_cover_date():
    text = ("Kommunkompassen Analys av Exempelby kommun\n\n2020-04-26 Utvärderare Anna Berg, SKR\n\n"
            "Utvärderingen av Exempelby kommun genomfördes i februari år 2021 och var kommunens första.")
    md = extract_metadata(text)
    assert (md.municipality, md.year, md.evaluators) == ("Exempelby", 2021, ["Anna Berg"])


def test_upper_case_title_line_after_start():
    text = ("Relaterat: KommunKompassen TRANÅS KOMMUN 2017 ANALYS AV.\nTranskript:\n"
            "KommunKompassen ANALYS AV NORRTÄLJE KOMMUN FEBRUARI 2018 Utvärderare: Linda Nordberg, SKL, "
            "Anna Marnell, Katrineholms kommun\n")
    md = extract_metadata(text, text.index("Transkript:") + 11)
    assert (md.municipality, md.year, md.evaluators) == ("Norrtälje", 2018, ["Linda Nordberg", "Anna Marnell"])


def test_genitive_s_only_dropped_with_evidence():
    assert base_name("Östhammars", "Östhammar har en plan. Östhammars kommun") == "Östhammar"
    assert base_name("Borås", "Borås kommun har en plan.") == "Borås"
    assert base_name("Vännäs", "Vännäs kommun") == "Vännäs"
    assert base_name("NORRTÄLJE", "") == "Norrtälje"


@pytest.mark.parametrize("raw,names", [
    ("Linda Nordberg, Karin Peedu, SKR, Ulrika Elming, Kraftringen", ["Linda Nordberg", "Karin Peedu", "Ulrika Elming"]),
    ("Lars Strid, senior konsult (SKL) och Anders Bergenek, Halmstad", ["Lars Strid", "Anders Bergenek"]),
    ("LARS STRID (F.D. SKL) OCH JOSEPHINE HÄRDIN", ["Lars Strid", "Josephine Härdin"]),
])
def test_evaluator_affiliations_are_dropped(raw, names):
    assert split_names(raw) == names


def test_totals_and_missing_metadata():
    assert extract_metadata("<b>TOTALT</b>\t<b>383</b>").total_score == 383
    assert extract_metadata("Norrtäljes totalpoäng är 462 poäng.").total_score == 462
    md = extract_metadata("Ingen information här.")
    assert md.municipality is None and md.year is None
    assert {d.code for d in md.diagnostics} == {"W108"}
