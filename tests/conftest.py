"""Shared fixtures: the bundled corpus and the gold copies in tests/data/gold."""
from __future__ import annotations

import json
import warnings
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "corpora" / "kommunkompassen"
GOLD = Path(__file__).resolve().parent / "data" / "gold"
REPORTS = ["norrtalje_2018", "osthammar_2017", "upplands-bro_2011", "nacka_2021"]

#: test material, not tests: the fixture builders (tests/data/pdf/build.py needs python-docx and LibreOffice,
#: which only the maintainer who rebuilds the fixtures installs)
collect_ignore = ["data"]


def load_gold(name: str) -> dict:
    return json.loads((GOLD / f"{name}.gold.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="session")
def corpus_dir() -> Path:
    return CORPUS


@pytest.fixture(scope="session")
def parsed() -> dict:
    """Every bundled report, read once: ``{name: Report}``."""
    from kompasstext import read_report

    out = {}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for name in REPORTS:
            out[name] = read_report(CORPUS / f"{name}.txt")
    return out


@pytest.fixture(scope="session")
def corpus():
    from kompasstext import read_corpus

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return read_corpus(CORPUS)
