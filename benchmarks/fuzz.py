"""The reader fuzz of issue 15 as a longer run: N hypothesis examples, every one checked (a failure is
recorded and the run goes on), then the count tried, the failures and the slowest reads.

Same strategies, mutations and properties as ``tests/test_fuzz.py`` (``tests/helpers/fuzz.py``): no
exception other than ``KompassError``, a read within 10 s + 60 s/MB, no finding lost without a warning.
``--seed`` makes a run repeatable; without it each run draws new examples.

Run from the repository root::

    .venv/bin/python benchmarks/fuzz.py 2000
    .venv/bin/python benchmarks/fuzz.py 500 --seed 15
"""
from __future__ import annotations

import argparse
import sys
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from hypothesis import HealthCheck, given, seed, settings  # noqa: E402

from helpers.fuzz import check_example, mutations, report_names  # noqa: E402


def run(n: int, rng_seed: int | None) -> tuple[list[tuple], Counter]:
    """``n`` examples; returns ``(records, outcome counts)``, a record being
    ``(seconds, size, name, ops, problem)``."""
    records: list[tuple] = []
    kinds: Counter = Counter()

    @settings(max_examples=n, deadline=None, database=None, derandomize=False,
              suppress_health_check=list(HealthCheck))
    @given(name=report_names, ops=mutations)
    def one(name, ops):
        out = check_example(name, ops)
        records.append((out.seconds, out.size, name, ops, out.problem))
        kinds["failure" if out.problem else out.error or "read"] += 1

    (seed(rng_seed)(one) if rng_seed is not None else one)()
    return records, kinds


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("n", type=int, nargs="?", default=1000, help="examples to try (default 1000)")
    ap.add_argument("--seed", type=int, default=None, help="a fixed seed (repeatable run)")
    ap.add_argument("--slowest", type=int, default=5, help="how many of the slowest reads to list")
    args = ap.parse_args(argv)
    t0 = time.perf_counter()
    records, kinds = run(args.n, args.seed)
    wall = time.perf_counter() - t0
    failures = [r for r in records if r[4]]
    print(f"examples tried: {len(records)} in {wall:.0f} s (seed {args.seed if args.seed is not None else 'random'})")
    print("outcomes: " + ", ".join(f"{k} {v}" for k, v in sorted(kinds.items())))
    print(f"failures: {len(failures)}")
    for sec, size, name, ops, problem in failures[:20]:
        print(f"  {name} {ops}: {problem}")
    print(f"slowest {args.slowest}:")
    for sec, size, name, ops, _ in sorted(records, key=lambda r: -r[0])[:args.slowest]:
        print(f"  {sec:6.2f} s  {size / 1e6:5.2f} MB  {name} {ops}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
