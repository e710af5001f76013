"""Fuzzing the readers with random damage to the bundled reports (issue 15, "a suite that keeps it so").

The strategies, mutations and properties are in ``tests/helpers/fuzz.py`` (shared with the longer run,
``benchmarks/fuzz.py``): no exception other than :class:`~kompasstext.errors.KompassError`, a time bound
proportional to the size, no finding lost without a warning.  The seed is fixed (``derandomize``), so CI
runs the same examples every time; ``KOMPASSTEXT_FUZZ_EXAMPLES`` sets how many (default 40).
"""
from __future__ import annotations

import os

import pytest

hypothesis = pytest.importorskip("hypothesis")
from hypothesis import HealthCheck, given, settings  # noqa: E402

from helpers.fuzz import check_example, mutate, mutations, report_names  # noqa: E402

EXAMPLES = int(os.environ.get("KOMPASSTEXT_FUZZ_EXAMPLES", "40"))


@settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(name=report_names, ops=mutations)
def test_damaged_reports_never_crash_hang_or_lose_silently(name, ops):
    outcome = check_example(name, ops)
    assert outcome.problem is None, (ops, outcome.problem)


def test_mutations_do_what_they_say():
    data = b"a\nb\nc\nd"
    assert mutate(data, [("delete", 0.0, 2)]) == b"c\nd"
    assert mutate(data, [("duplicate", 0.5, 1)]) == b"a\nb\nc\nc\nd"
    assert mutate(data, [("swap", 0.0, 0.99)]) == b"d\nb\nc\na"
    assert mutate(data, [("truncate", 0.5, 0)]) == b"a\nb"  # 3 of 7 bytes
    assert mutate(data, [("inject", 0.0, b"\x00")]) == b"\x00a\nb\nc\nd"
    assert mutate("å".encode(), [("encode", "cp1252", 0)]) == b"\xe5"


def test_the_property_check_catches_a_silent_loss(monkeypatch):
    """The check is not vacuous: a reader that drops an area's findings without a word fails it."""
    import kompasstext as kt

    real = kt.read_report

    def lossy(path, **kw):
        r = real(path, **kw)
        r.areas[0].findings.clear()
        r.diagnostics[:] = [d for d in r.diagnostics if d.severity != "warning"]
        return r

    monkeypatch.setattr(kt, "read_report", lossy)
    outcome = check_example("osthammar_2017", [("swap", 0.0, 0.0)])  # a no-op mutation
    assert outcome.problem and "lost without a warning" in outcome.problem
