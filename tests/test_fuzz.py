"""Fuzzing the readers with random damage to the bundled reports (issue 15, "a suite that keeps it so").

Each example takes one bundled report and applies 1–4 random mutations — lines deleted, duplicated or
swapped, the file truncated anywhere, bytes injected (NUL, control bytes, invalid UTF-8), the encoding
changed — then reads it with :func:`kompasstext.read_report`.  Properties:

* no exception other than :class:`~kompasstext.errors.KompassError` (typed, numbered, naming the file);
* it returns within a time bound proportional to the size;
* every finding of the original whose words are still in one of the areas read either appears in the result
  or the result carries a warning that explains the loss (nothing is dropped silently).

The seed is fixed (``derandomize``), so CI runs the same examples every time.  A longer run, as a
benchmark: ``KOMPASSTEXT_FUZZ_EXAMPLES=1000 .venv/bin/python -m pytest -q tests/test_fuzz.py``.
"""
from __future__ import annotations

import os
import tempfile
import time
import warnings
from pathlib import Path

import pytest

hypothesis = pytest.importorskip("hypothesis")
from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

import kompasstext as kt  # noqa: E402
from conftest import CORPUS, REPORTS  # noqa: E402
from kompasstext.errors import KompassError  # noqa: E402

EXAMPLES = int(os.environ.get("KOMPASSTEXT_FUZZ_EXAMPLES", "40"))
#: seconds allowed per read: a constant plus this much per MB of input
SECONDS_BASE, SECONDS_PER_MB = 10.0, 60.0

_ORIGINAL = {name: (CORPUS / f"{name}.txt").read_bytes() for name in REPORTS}

mutation = st.one_of(
    st.tuples(st.just("delete"), st.floats(0, 1), st.integers(1, 5)),
    st.tuples(st.just("duplicate"), st.floats(0, 1), st.integers(1, 40)),
    st.tuples(st.just("swap"), st.floats(0, 1), st.floats(0, 1)),
    st.tuples(st.just("truncate"), st.floats(0.05, 1), st.just(0)),
    st.tuples(st.just("inject"), st.floats(0, 1),
              st.sampled_from([b"\x00", b"\x00\x00\x1b", b"\xff", b"\xc3", b"\x80\x80", b"\x07", b"\x7f"])),
    st.tuples(st.just("encode"), st.sampled_from(["cp1252", "utf-16", "utf-16-le", "utf-8-sig"]), st.just(0)),
)


def mutate(data: bytes, ops) -> bytes:
    """Apply the mutations in order (encoding changes re-encode the text decoded so far)."""
    for op, a, b in ops:
        lines = data.split(b"\n")
        i = min(len(lines) - 1, int(a * len(lines))) if isinstance(a, float) else 0
        if op == "delete":
            del lines[i:i + b]
        elif op == "duplicate":
            lines[i:i] = lines[i:i + b]
        elif op == "swap":
            j = min(len(lines) - 1, int(b * len(lines)))
            lines[i], lines[j] = lines[j], lines[i]
        elif op == "truncate":
            data = data[:max(1, int(a * len(data)))]
            continue
        elif op == "inject":
            at = int(a * len(data))
            data = data[:at] + b + data[at:]
            continue
        elif op == "encode":
            try:
                data = data.decode("utf-8").encode(a, errors="replace")
            except UnicodeDecodeError:
                pass
            continue
        data = b"\n".join(lines)
    return data


@settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(name=st.sampled_from(REPORTS), ops=st.lists(mutation, min_size=1, max_size=4))
def test_damaged_reports_never_crash_hang_or_lose_silently(name, ops):
    original = _original_findings(name)
    data = mutate(_ORIGINAL[name], ops)
    with tempfile.TemporaryDirectory() as tmp:
        p = Path(tmp) / f"{name}.txt"
        p.write_bytes(data)
        t0 = time.perf_counter()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            try:
                r = kt.read_report(p)
            except KompassError as exc:
                assert exc.code.startswith("E") and p.name in str(exc)
                return
            elapsed = time.perf_counter() - t0
    assert elapsed < SECONDS_BASE + SECONDS_PER_MB * len(data) / 1e6, (ops, elapsed)
    got = {" ".join(f.text.split()) for f in r.findings}
    # a finding whose words the damage removed, or moved out of every area, is not lost by the reader
    still = " | ".join(" ".join(r.text[a.start:a.end].split()) for a in r.areas)
    lost = [t for t in original if t in still and t not in got and not any(t in g or g in t for g in got)]
    if lost:
        warned = [d for d in r.diagnostics if d.severity == "warning"]
        assert warned, f"{len(lost)} findings lost without a warning after {ops}: {lost[:3]}"


_CACHE: dict[str, list[str]] = {}


def _original_findings(name: str) -> list[str]:
    if name not in _CACHE:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            r = kt.read_report(CORPUS / f"{name}.txt")
        text = " ".join(r.text.split())
        # the findings that stand in the text as they are (not rebuilt from cells or markup)
        _CACHE[name] = [t for t in (" ".join(f.text.split()) for f in r.findings) if t in text]
    return _CACHE[name]
