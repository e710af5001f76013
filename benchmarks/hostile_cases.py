"""The hostile-input case list of issue 15 through the six interfaces, as one command that prints a table.

Each input case (``tests/helpers/hostile.py``: two reports in one file, a duplicated area, permission
denied, a FIFO, a 5 MB single line, NUL after 64 KiB, UTF-16, a stray invalid byte, …) is built in a
temporary folder next to one good report (``upplands-bro_2011``) and run through

``parse``        ``kompasstext parse --json CASE``
``read_report``  ``kompasstext.read_report(CASE)``
``corpus``       ``kompasstext.read_corpus(FOLDER)`` (``errors="raise"``)
``corpus_warn``  ``kompasstext.read_corpus(FOLDER, errors="warn")``
``themes``       ``kompasstext themes FOLDER --json OUT``
``report``       ``kompasstext report FOLDER -o OUT.html``

and each CLI argument/output case (``-o`` at a folder, ``--cut-quantile 5``, a corrupt ``--themes``
model, an empty query, …) through its command.  Every cell is ``handled``, ``degraded`` or ``FAILED``
(traceback or internal error, hang, silent loss): see ``tests/helpers/hostile_check.py``, which the unit
tests share for the four reading interfaces.

The CLI commands run in-process (``kompasstext.cli.main``, the function the console script calls) in
worker processes, so the embedding and link models load once per worker; the embedding cache is the
default ``$KOMPASSTEXT_HOME`` one (warm after the first case).  A hang is caught by an alarm per
interface and, as a backstop, by killing the worker.

Run from the repository root::

    .venv/bin/python benchmarks/hostile_cases.py              # everything, 2 workers
    .venv/bin/python benchmarks/hostile_cases.py fifo utf16_le --jobs 1
"""
from __future__ import annotations

import argparse
import contextlib
import json
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))
from helpers.hostile import BY_NAME, CASES, CLI_CASES, Case  # noqa: E402
from helpers.hostile_check import (CLI_BY_NAME, INTERFACES, LIMIT, LIMIT_HUGE, classify,  # noqa: E402
                                   classify_cli, run_case, run_cli_case)

def worker() -> int:
    """Read case names from stdin, write one JSON line of results per case to stdout."""
    real_stdout = sys.stdout
    for line in sys.stdin:
        name = line.strip()
        if not name:
            continue
        res = run_cli_case(CLI_BY_NAME[name]) if name in CLI_BY_NAME else run_case(BY_NAME[name])
        real_stdout.write(json.dumps({"case": name, "results": res}, ensure_ascii=False) + "\n")
        real_stdout.flush()
    return 0



# ------------------------------------------------------------------------------------------- parent
def _path_name(case: Case) -> str:
    with tempfile.TemporaryDirectory() as tmp:
        p = case.make(Path(tmp))
        name = p.name
        with contextlib.suppress(OSError):
            p.chmod(0o644)
    return name


class Worker:
    """One worker process (``--worker``), restarted when a case outlives its time limit."""

    def __init__(self) -> None:
        self.proc: subprocess.Popen | None = None

    def start(self) -> None:
        self.proc = subprocess.Popen([sys.executable, __file__, "--worker"], stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, text=True, bufsize=1, cwd=ROOT)

    def run(self, name: str, timeout: float) -> dict[str, Any] | None:
        if self.proc is None or self.proc.poll() is not None:
            self.start()
        assert self.proc and self.proc.stdin and self.proc.stdout
        self.proc.stdin.write(name + "\n")
        self.proc.stdin.flush()
        result: list[str] = []
        reader = ThreadPoolExecutor(1)
        fut = reader.submit(self.proc.stdout.readline)
        try:
            result.append(fut.result(timeout=timeout))
        except Exception:  # noqa: BLE001 - timeout: the worker hangs
            self.proc.kill()
            self.proc.wait()
            self.proc = None
            return None
        finally:
            reader.shutdown(wait=False)
        return json.loads(result[0])["results"] if result[0] else None

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.stdin.close()
            self.proc.wait(timeout=30)


def _rows_for(name: str, results: dict[str, Any] | None) -> list[tuple[str, str, dict[str, tuple[str, str]]]]:
    if name in CLI_BY_NAME:
        case = CLI_BY_NAME[name]
        cell = classify_cli(case, results[case.command]) if results else ("FAILED", "worker hung")
        return [("CLI", name, {case.command: cell})]
    case = BY_NAME[name]
    pname = _path_name(case)
    cells = {i: classify(case, i, results[i], pname) if results else ("FAILED", "worker hung")
             for i in INTERFACES}
    return [(case.group, name, cells)]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("cases", nargs="*", help="case names (default: all)")
    ap.add_argument("--jobs", type=int, default=2, help="worker processes (default 2)")
    ap.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    ap.add_argument("--json", metavar="OUT", help="also write the raw results as JSON")
    ap.add_argument("--verbose", action="store_true", help="a note in every cell, not only the non-handled ones")
    args = ap.parse_args(argv)
    if args.worker:
        return worker()
    names = args.cases or [c.name for c in CASES] + [c.name for c in CLI_CASES]
    unknown = [n for n in names if n not in BY_NAME and n not in CLI_BY_NAME]
    if unknown:
        ap.error(f"unknown case(s): {', '.join(unknown)}")
    t0 = time.perf_counter()
    workers = [Worker() for _ in range(max(1, args.jobs))]
    queue = list(names)
    raw: dict[str, Any] = {}

    def drain(w: Worker) -> None:
        while queue:
            name = queue.pop(0)
            limit = (LIMIT_HUGE if "huge" in name else LIMIT) * len(INTERFACES) + 120
            raw[name] = w.run(name, limit)

    with ThreadPoolExecutor(len(workers)) as pool:
        list(pool.map(drain, workers))
    for w in workers:
        w.stop()
    print_table(names, raw, verbose=args.verbose)
    print(f"\n{len(names)} cases in {time.perf_counter() - t0:.0f} s")
    if args.json:
        Path(args.json).write_text(json.dumps(raw, ensure_ascii=False, indent=1), encoding="utf-8")
    return 0


def print_table(names: list[str], raw: dict[str, Any], *, verbose: bool = False) -> None:
    cols = INTERFACES + ["examples"]
    print("| group | case | " + " | ".join(cols) + " |")
    print("|---|---|" + "---|" * len(cols))
    totals: dict[str, int] = {}
    per_case: dict[str, int] = {}
    for name in names:
        for group, case, cells in _rows_for(name, raw.get(name)):
            row = []
            for c in cols:
                if c not in cells:
                    row.append("—")
                    continue
                verdict, note = cells[c]
                totals[verdict] = totals.get(verdict, 0) + 1
                row.append(verdict if verdict == "handled" and not verbose else f"{verdict}: {note}")
            worst = min((v for v, _ in cells.values()), key=["FAILED", "degraded", "handled"].index)
            per_case[worst] = per_case.get(worst, 0) + 1
            print(f"| {group} | {case} | " + " | ".join(row) + " |")
    print("\ncells: " + ", ".join(f"{k} {v}" for k, v in sorted(totals.items())))
    print("cases (worst cell): " + ", ".join(f"{k} {v}" for k, v in sorted(per_case.items())))


if __name__ == "__main__":
    sys.exit(main())
