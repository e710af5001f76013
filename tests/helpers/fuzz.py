"""The reader fuzz of issue 15, shared by ``tests/test_fuzz.py`` (a fixed-seed CI run) and
``benchmarks/fuzz.py`` (a longer run): the hypothesis strategies, the mutations and the property check.

An example is one bundled report with 1–4 random mutations — lines deleted, duplicated or swapped, the
file truncated anywhere, bytes injected (NUL, control bytes, invalid UTF-8), the encoding changed — read
with :func:`kompasstext.read_report`.  :func:`check_example` returns what went wrong (``None`` when the
properties hold):

* no exception other than :class:`~kompasstext.errors.KompassError` (typed, numbered, naming the file);
* it returns within a time bound proportional to the size (:data:`SECONDS_BASE` + :data:`SECONDS_PER_MB`);
* every finding of the original whose words are still in one of the areas read either appears in the result
  or the result carries a warning that explains the loss (nothing is dropped silently).
"""
from __future__ import annotations

import tempfile
import time
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Sequence

from hypothesis import strategies as st

CORPUS = Path(__file__).resolve().parents[2] / "corpora" / "kommunkompassen"
REPORTS = ["norrtalje_2018", "osthammar_2017", "upplands-bro_2011", "nacka_2021"]
#: seconds allowed per read: a constant plus this much per MB of input
SECONDS_BASE, SECONDS_PER_MB = 10.0, 60.0
#: byte strings an ``inject`` mutation puts into the file
JUNK = [b"\x00", b"\x00\x00\x1b", b"\xff", b"\xc3", b"\x80\x80", b"\x07", b"\x7f"]

Op = tuple  # (kind, a, b): see :data:`mutation`

mutation = st.one_of(
    st.tuples(st.just("delete"), st.floats(0, 1), st.integers(1, 5)),
    st.tuples(st.just("duplicate"), st.floats(0, 1), st.integers(1, 40)),
    st.tuples(st.just("swap"), st.floats(0, 1), st.floats(0, 1)),
    st.tuples(st.just("truncate"), st.floats(0.05, 1), st.just(0)),
    st.tuples(st.just("inject"), st.floats(0, 1), st.sampled_from(JUNK)),
    st.tuples(st.just("encode"), st.sampled_from(["cp1252", "utf-16", "utf-16-le", "utf-8-sig"]), st.just(0)),
)
#: the mutations of one example
mutations = st.lists(mutation, min_size=1, max_size=4)
report_names = st.sampled_from(REPORTS)


def original(name: str) -> bytes:
    return (CORPUS / f"{name}.txt").read_bytes()


def mutate(data: bytes, ops: Sequence[Op]) -> bytes:
    """Apply the mutations in order (encoding changes re-encode the text decoded so far)."""
    for op, a, b in ops:
        if op == "truncate":
            data = data[:max(1, int(a * len(data)))]
            continue
        if op == "inject":
            at = int(a * len(data))
            data = data[:at] + b + data[at:]
            continue
        if op == "encode":
            try:
                data = data.decode("utf-8").encode(a, errors="replace")
            except UnicodeDecodeError:
                pass
            continue
        lines = data.split(b"\n")
        i = min(len(lines) - 1, int(a * len(lines)))
        if op == "delete":
            del lines[i:i + b]
        elif op == "duplicate":
            lines[i:i] = lines[i:i + b]
        elif op == "swap":
            j = min(len(lines) - 1, int(b * len(lines)))
            lines[i], lines[j] = lines[j], lines[i]
        data = b"\n".join(lines)
    return data


@dataclass
class Outcome:
    """What one example did: ``problem`` is ``None`` when every property holds."""

    problem: str | None
    seconds: float
    size: int
    error: str | None = None


_ORIGINAL_FINDINGS: dict[str, list[str]] = {}


def original_findings(name: str) -> list[str]:
    """The findings of the intact report that stand in its text as they are (not rebuilt from cells or
    markup), whitespace collapsed."""
    import kompasstext as kt

    if name not in _ORIGINAL_FINDINGS:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            r = kt.read_report(CORPUS / f"{name}.txt")
        text = " ".join(r.text.split())
        _ORIGINAL_FINDINGS[name] = [t for t in (" ".join(f.text.split()) for f in r.findings) if t in text]
    return _ORIGINAL_FINDINGS[name]


def check_example(name: str, ops: Sequence[Op]) -> Outcome:
    """Mutate report ``name`` with ``ops``, read it, and check the three properties."""
    import kompasstext as kt
    from kompasstext.errors import KompassError

    expected = original_findings(name)
    data = mutate(original(name), ops)
    with tempfile.TemporaryDirectory() as tmp:
        p = Path(tmp) / f"{name}.txt"
        p.write_bytes(data)
        t0 = time.perf_counter()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            try:
                r = kt.read_report(p)
            except KompassError as exc:
                ok = exc.code.startswith("E") and p.name in str(exc)
                return Outcome(None if ok else f"error without its file name: {exc}", time.perf_counter() - t0,
                               len(data), exc.code)
            except Exception as exc:  # noqa: BLE001 - an untyped exception is what the fuzz looks for
                return Outcome(f"untyped {type(exc).__name__}: {exc}", time.perf_counter() - t0, len(data))
        elapsed = time.perf_counter() - t0
    bound = SECONDS_BASE + SECONDS_PER_MB * len(data) / 1e6
    if elapsed > bound:
        return Outcome(f"read took {elapsed:.1f} s (bound {bound:.1f} s)", elapsed, len(data))
    got = {" ".join(f.text.split()) for f in r.findings}
    # a finding whose words the damage removed, or moved out of every area, is not lost by the reader
    still = " | ".join(" ".join(r.text[a.start:a.end].split()) for a in r.areas)
    lost = [t for t in expected if t in still and t not in got and not any(t in g or g in t for g in got)]
    if lost and not any(d.severity == "warning" for d in r.diagnostics):
        return Outcome(f"{len(lost)} findings lost without a warning: {lost[:3]}", elapsed, len(data))
    return Outcome(None, elapsed, len(data))
