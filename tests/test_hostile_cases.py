"""The hostile-user case list of issue 15 as one parametrised suite (``tests/helpers/hostile.py``: 39 bad
inputs and 8 CLI argument/output checks).  Each input, next to one good report, goes through
``kompasstext parse --json``, ``read_report`` and ``read_corpus`` (``errors="raise"`` and ``"warn"``); the
verdict (``tests/helpers/hostile_check.py``) must be ``handled``: the typed, numbered error naming the file,
or the report read with the expected warning and every finding — never an untyped exception, a traceback,
a hang or a silent loss (the good report's findings or the case's missing unsaid, or counted twice).
``themes`` and ``report`` read through the same ``read_corpus``; all six interfaces run in
``benchmarks/hostile_cases.py``.
"""
from __future__ import annotations

import warnings

import pytest

from helpers.hostile import BY_NAME, CASES, CLI_CASES, COUNTS, CORPUS, MUNICIPALITY
from helpers.hostile_check import classify, classify_cli, run_case, run_cli_case

READING = ["parse", "read_report", "corpus", "corpus_warn"]
#: the 5 MB single line is timed by benchmarks/long_input.py and tests/test_bad_input.py (praise linear)
SLOW = {"huge_line_5mb"}


def test_the_case_list_is_the_issues_46_and_one_more():
    assert len(CASES) + len(CLI_CASES) == 47
    assert len(BY_NAME) == len(CASES)


def test_reference_counts_are_the_bundled_reports():
    import kompasstext as kt

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for name, n in COUNTS.items():
            r = kt.read_report(CORPUS / f"{name}.txt")
            assert (r.municipality, len(r.findings)) == (MUNICIPALITY[name], n)


@pytest.mark.parametrize("name", [c.name for c in CASES if c.name not in SLOW])
def test_case_through_every_reading_interface(name, tmp_path):
    case = BY_NAME[name]
    probe = tmp_path / "probe"
    probe.mkdir()
    path_name = case.make(probe).name
    results = run_case(case, READING)
    verdicts = {i: classify(case, i, results[i], path_name) for i in READING}
    assert all(v == "handled" for v, _ in verdicts.values()), verdicts


@pytest.mark.parametrize("case", CLI_CASES, ids=[c.name for c in CLI_CASES])
def test_cli_argument_and_output_checks(case):
    (res,) = run_cli_case(case).values()
    verdict, note = classify_cli(case, res)
    assert verdict == "handled", (note, res.get("stderr"))
    assert "Traceback" not in res["stderr"] and res["seconds"] < 30


def test_the_verdicts_catch_a_silent_loss_and_a_double_count():
    """The classifier is not vacuous: fewer findings without a diagnostic, or more than the file holds,
    fail; a typed error for a case that must be read is only degraded."""
    case = BY_NAME["duplicated_area"]
    good = {"municipality": "Upplands-Bro", "n": COUNTS["upplands-bro_2011"], "codes": []}

    def corpus(n, codes):
        return {"reports": [good, {"municipality": "Nacka", "n": n, "codes": codes}], "warnings": []}

    assert classify(case, "corpus", corpus(93, ["W113"]), "x.txt")[0] == "handled"
    assert classify(case, "corpus", corpus(110, ["W113"]), "x.txt")[0] == "FAILED"
    assert classify(case, "corpus", corpus(50, []), "x.txt")[0] == "FAILED"
    assert classify(case, "corpus", corpus(50, ["W113"]), "x.txt")[0] == "degraded"
    assert classify(case, "read_report", {"error": {"code": "E003", "message": "x"}, "warnings": []},
                    "x.txt")[0] == "degraded"
    assert classify(case, "read_report", {"exception": "ValueError: boom", "warnings": []}, "x.txt")[0] == "FAILED"
    assert classify(case, "read_report", {"hang": True, "seconds": 60, "warnings": []}, "x.txt")[0] == "FAILED"
