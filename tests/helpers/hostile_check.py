"""Running one hostile-input case (``tests/helpers/hostile.py``) through the interfaces and judging each
result: shared by ``tests/test_hostile_cases.py`` (the four reading interfaces) and
``benchmarks/hostile_cases.py`` (all six, with ``themes`` and ``report``, printed as a table).

:func:`run_case` returns one raw result per interface (the report summary, the typed error, the captured
CLI output, an untyped exception or a hang); :func:`classify` turns one into ``(verdict, note)``:

* ``handled`` — what the case list expects: the typed error (code and file named), or the report read
  with the expected warning and every finding (the good report's too, and nothing counted twice);
* ``degraded`` — no traceback and nothing lost unsaid, but not the expected outcome (another code, fewer
  findings with a warning, a reader warning ``report`` does not show);
* ``FAILED`` — an untyped exception or internal error (E036), a hang (over the time limit), or a silent
  loss (findings of the good report or of the case missing with no diagnostic, or more than there are).

Running as root, "permission denied" is simulated: the file's mode is 000 and opening it raises
``PermissionError`` as it would for any other user (root reads any file whatever its mode).
"""
from __future__ import annotations

import builtins
import contextlib
import errno
import io
import json
import os
import re
import signal
import tempfile
import time
import warnings
from pathlib import Path
from typing import Any, Iterator

from .hostile import CLI_CASES, CORPUS, COUNTS, GOOD, GOOD_MUNICIPALITY, Case, CliCase

INTERFACES = ["parse", "read_report", "corpus", "corpus_warn", "themes", "report"]
#: seconds an interface may take (the 5 MB line gets more) before it counts as a hang
LIMIT, LIMIT_HUGE = 60.0, 240.0


class Hang(BaseException):
    """Raised by the alarm; a BaseException so that no ``except Exception`` in the code under test eats it."""


# ------------------------------------------------------------------------------------------- worker
@contextlib.contextmanager
def _alarm(seconds: float) -> Iterator[None]:
    def fire(signum, frame):
        raise Hang()
    old = signal.signal(signal.SIGALRM, fire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, old)


@contextlib.contextmanager
def _eacces(path: Path | None) -> Iterator[None]:
    """Opening ``path`` raises ``PermissionError`` (what a user without read permission gets; root reads
    any file whatever its mode)."""
    if path is None or os.geteuid() != 0:
        yield
        return
    real_open, real_io_open = builtins.open, io.open
    target = str(path)

    def guarded(opener):
        def open_(file, *a, **k):
            if isinstance(file, (str, os.PathLike)) and os.fspath(file) == target:
                raise PermissionError(errno.EACCES, "Permission denied", target)
            return opener(file, *a, **k)
        return open_

    builtins.open, io.open = guarded(real_open), guarded(real_io_open)
    try:
        yield
    finally:
        builtins.open, io.open = real_open, real_io_open


def _cli(argv: list[str]) -> dict[str, Any]:
    """``kompasstext.cli.main(argv)`` with its stdout and stderr captured."""
    from kompasstext.cli import main

    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        rc = main(argv)
    return {"rc": rc, "stdout": out.getvalue(), "stderr": err.getvalue()}


def _report_summary(r) -> dict[str, Any]:
    return {"municipality": r.municipality, "n": len(r.findings),
            "codes": sorted({d.code for d in r.diagnostics if d.severity != "info"})}


def _run_interface(name: str, case: Case, folder: Path, path: Path, tmp: Path) -> dict[str, Any]:
    import kompasstext as kt
    from kompasstext.errors import KompassError

    res: dict[str, Any] = {}
    with warnings.catch_warnings(record=True) as rec:
        warnings.simplefilter("always")
        try:
            if name == "parse":
                res.update(_cli(["parse", "--json", str(path)]))
            elif name == "read_report":
                r = kt.read_report(path)
                res["reports"] = [_report_summary(r)]
                res["check"] = case.check(r) if case.check else None
            elif name in ("corpus", "corpus_warn"):
                c = kt.read_corpus(folder, errors="warn" if name == "corpus_warn" else "raise")
                res["reports"] = [_report_summary(r) for r in c]
            elif name == "themes":
                res.update(_cli(["themes", str(folder), "--json", str(tmp / "themes.json")]))
                if res["rc"] == 0:
                    found = json.loads((tmp / "themes.json").read_text(encoding="utf-8"))["findings"]
                    by: dict[str, int] = {}
                    for f in found:
                        by[f["municipality"]] = by.get(f["municipality"], 0) + 1
                    res["by_municipality"] = by
            elif name == "report":
                res.update(_cli(["report", str(folder), "-o", str(tmp / "report.html")]))
                m = re.search(r"(\d+) reports, (\d+) findings", res["stderr"])
                res["n"] = int(m.group(2)) if m else None
                html = tmp / "report.html"
                res["html_controls"] = bool(re.search("[\x00-\x08\x0e-\x1f]", html.read_text(encoding="utf-8"))) \
                    if html.exists() else None
        except KompassError as exc:
            res["error"] = {"code": exc.code, "message": str(exc)}
        except Hang:
            res["hang"] = True
        except Exception as exc:  # noqa: BLE001 - the point: any untyped exception is a finding
            res["exception"] = f"{type(exc).__name__}: {exc}"[:300]
    res["warnings"] = [str(w.message)[:400] for w in rec]
    return res


def run_case(case: Case, interfaces: list[str] | None = None) -> dict[str, Any]:
    """The interfaces (default: all six) on one case, in this process; one raw result per interface."""
    out: dict[str, Any] = {}
    with tempfile.TemporaryDirectory(prefix=f"hostile_{case.name}_") as tmp_s:
        tmp = Path(tmp_s)
        folder = tmp / "corpus"
        folder.mkdir()
        (folder / f"{GOOD}.txt").write_bytes((CORPUS / f"{GOOD}.txt").read_bytes())
        path = case.make(folder)
        limit = LIMIT_HUGE if "huge" in case.name else LIMIT
        for name in interfaces or INTERFACES:
            t0 = time.perf_counter()
            with _eacces(path if case.simulate_eacces else None), _alarm(limit):
                res = _run_interface(name, case, folder, path, tmp)
            res["seconds"] = round(time.perf_counter() - t0, 2)
            out[name] = res
        with contextlib.suppress(OSError):
            path.chmod(0o644) if case.simulate_eacces else None
    return out


def run_cli_case(case: CliCase) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix=f"hostile_{case.name}_") as tmp_s:
        tmp = Path(tmp_s)
        folder = tmp / "corpus"
        folder.mkdir()
        (folder / f"{GOOD}.txt").write_bytes((CORPUS / f"{GOOD}.txt").read_bytes())
        t0 = time.perf_counter()
        res: dict[str, Any] = {}
        try:
            with _alarm(LIMIT):
                res.update(_cli(case.argv(folder, tmp)))
        except Hang:
            res["hang"] = True
        except Exception as exc:  # noqa: BLE001
            res["exception"] = f"{type(exc).__name__}: {exc}"[:300]
        res["seconds"] = round(time.perf_counter() - t0, 2)
    return {case.command: res}


# ------------------------------------------------------------------------------------ classification
def _expected_total(case: Case, with_good: bool = True) -> int:
    n = COUNTS[GOOD] if with_good else 0
    if case.split:
        return n + sum(case.split.values())
    if case.refused or case.findings is None:
        return n
    return n + abs(case.findings)


def _findings_verdict(case: Case, n: int | None, warned: bool) -> tuple[str, str]:
    """Verdict on the case's own finding count ``n`` (``None``: not read)."""
    if n is None:
        return ("degraded", "not read") if warned else ("FAILED", "not read, no diagnostic")
    want = case.findings
    if want is None:
        return "handled", ""
    if want >= 0 and n > want:
        return "FAILED", f"{n} findings, {want} in the file (counted twice?)"
    if n < abs(want):
        return ("degraded", f"{n} of {abs(want)} findings, with a warning") if warned else \
            ("FAILED", f"{n} of {abs(want)} findings, no diagnostic")
    return "handled", ""


def _exception_verdict(res: dict[str, Any]) -> tuple[str, str] | None:
    if res.get("hang"):
        return "FAILED", f"hang (over {res['seconds']:.0f} s)"
    if "exception" in res:
        return "FAILED", res["exception"]
    if "rc" in res and (res["rc"] == 70 or "Traceback" in res["stderr"] or "[E036]" in res["stderr"]):
        return "FAILED", res["stderr"].strip().splitlines()[-1][:200] if res["stderr"].strip() else "exit 70"
    return None


def classify(case: Case, iface: str, res: dict[str, Any], path_name: str) -> tuple[str, str]:
    """``(verdict, note)`` of one interface's result on one case."""
    bad = _exception_verdict(res)
    if bad:
        return bad
    if iface in ("parse", "read_report"):
        return _classify_single(case, iface, res, path_name)
    if iface in ("corpus", "corpus_warn"):
        return _classify_corpus(case, iface, res, path_name)
    return _classify_command(case, iface, res, path_name)


def _single_outcome(iface: str, res: dict[str, Any]) -> tuple[str | None, dict[str, Any] | None]:
    """``(error code or None, report summary or None)`` of ``parse`` or ``read_report``."""
    if iface == "read_report":
        if "error" in res:
            return res["error"]["code"], None
        return None, res["reports"][0]
    if res["rc"] != 0:
        m = re.search(r"\[(E\d{3})\]", res["stderr"])
        return (m.group(1) if m else "?"), None
    d = json.loads(res["stdout"])
    codes = sorted({x["code"] for x in d.get("diagnostics", []) if x.get("severity") != "info"})
    return None, {"municipality": d["municipality"], "n": sum(len(a["findings"]) for a in d["areas"]),
                  "codes": codes, "json": res["stdout"]}


def _classify_single(case: Case, iface: str, res: dict[str, Any], path_name: str) -> tuple[str, str]:
    code, rep = _single_outcome(iface, res)
    if case.in_folder == "ignored" and iface == "parse":  # a folder on the command line is read as a folder
        return ("handled", f"read as a folder: {rep['n']} findings") if rep else ("degraded", f"{code}")
    text = res.get("stderr", "") + json.dumps(res.get("error", {}), ensure_ascii=False)
    if case.refused:
        if code == case.expect:
            named = path_name in text or case.name == "directory"
            return ("handled", code) if named else ("degraded", f"{code} without the file name")
        if code:
            return "degraded", f"{code} (expected {case.expect})"
        return "FAILED", f"read with {rep['n']} findings, expected {case.expect}"
    if code:
        return "degraded", f"refused {code}; expected it read"
    verdict, note = _findings_verdict(case, rep["n"], bool(rep["codes"]))
    if verdict != "handled":
        return verdict, note
    if case.warn and case.warn not in rep["codes"]:
        return "degraded", f"no {case.warn}"
    if iface == "read_report" and case.warn and not any(case.warn in w and path_name in w for w in res["warnings"]):
        return "degraded", f"{case.warn} not issued as a warning naming the file"
    if res.get("check"):
        return "FAILED", res["check"]
    if "json" in rep and re.search(r"\\u000[0-8]|\\u001[0-9a-f]", rep["json"]):
        return "FAILED", "control characters in the JSON"
    return "handled", f"{rep['n']} findings" + (f", {case.warn}" if case.warn else "")


def _good_of(reports: list[dict[str, Any]]) -> int:
    return sum(r["n"] for r in reports if r["municipality"] == GOOD_MUNICIPALITY)


def _classify_corpus(case: Case, iface: str, res: dict[str, Any], path_name: str) -> tuple[str, str]:
    warned_case = any(path_name in w for w in res["warnings"])
    if "error" in res:
        if iface == "corpus" and case.refused and case.in_folder == "skip" and res["error"]["code"] == case.expect:
            return "handled", case.expect
        return ("degraded", f"{res['error']['code']} (expected the folder read)") if iface == "corpus" else \
            ("FAILED", f"errors='warn' raised {res['error']['code']}")
    reports = res["reports"]
    if _good_of(reports) != COUNTS[GOOD]:
        return "FAILED", f"good report: {_good_of(reports)} of {COUNTS[GOOD]} findings"
    others = [r for r in reports if r["municipality"] != GOOD_MUNICIPALITY]
    if case.refused and case.in_folder == "skip":
        if iface == "corpus":
            return "FAILED", f"no {case.expect} raised"
        if others:
            return "FAILED", f"read with {others[0]['n']} findings, expected {case.expect}"
        if not warned_case:
            return "FAILED", "skipped without a warning"
        coded = any(case.expect in w for w in res["warnings"] if path_name in w)
        return ("handled", f"skipped, {case.expect}") if coded else ("degraded", "warning without the code")
    if case.refused and case.in_folder == "ignored":
        return ("handled", "not a report file") if not others else ("FAILED", "read")
    if case.split:
        got = {r["municipality"]: r["n"] for r in others}
        return ("handled", f"{len(got)} reports") if got == case.split else ("FAILED", f"{got} != {case.split}")
    if not others:
        return ("degraded", "skipped with a warning") if iface == "corpus_warn" and warned_case else \
            ("FAILED", "case missing, no diagnostic")
    verdict, note = _findings_verdict(case, others[0]["n"], bool(others[0]["codes"]))
    return verdict, note or f"{others[0]['n']} findings"


def _classify_command(case: Case, iface: str, res: dict[str, Any], path_name: str) -> tuple[str, str]:
    if res["rc"] != 0:
        m = re.search(r"\[(E\d{3})\]", res["stderr"])
        return "degraded", f"exit {res['rc']} {m.group(1) if m else ''}".strip()
    if iface == "themes":
        by = res.get("by_municipality", {})
        total, good = sum(by.values()), by.get(GOOD_MUNICIPALITY, 0)
    else:
        total, good = res.get("n"), None
        if res.get("html_controls"):
            return "FAILED", "control characters in the HTML"
    want = _expected_total(case)
    if good is not None and good != COUNTS[GOOD]:
        return "FAILED", f"good report: {good} of {COUNTS[GOOD]} findings"
    if case.refused and case.in_folder == "skip" and not (path_name in res["stderr"] and case.expect in res["stderr"]):
        return "FAILED", "case skipped without naming it"
    if total is None:
        return "FAILED", "no findings count"
    if total > want and case.findings is not None and case.findings >= 0:
        return "FAILED", f"{total} findings, {want} in the files"
    if total < want:
        warned = path_name in res["stderr"] or "W1" in res["stderr"]
        return ("degraded", f"{total} of {want} findings") if warned else ("FAILED", f"{total} of {want}, unsaid")
    if iface == "report" and case.warn and case.warn not in res["stderr"]:  # issue 15: report shows them
        return "degraded", f"{total} findings; {case.warn} not shown"
    return "handled", f"{total} findings"


def classify_cli(case: CliCase, res: dict[str, Any]) -> tuple[str, str]:
    bad = _exception_verdict(res)
    if bad:
        return bad
    m = re.search(r"\[(E\d{3})\]", res["stderr"])
    code = m.group(1) if m else None
    if code == case.code and res["rc"] == case.rc:
        return "handled", f"{code}, exit {res['rc']}, {res['seconds']:.1f} s"
    return "degraded", f"{code or 'no code'}, exit {res['rc']} (expected {case.code}, exit {case.rc})"


CLI_BY_NAME = {c.name: c for c in CLI_CASES}
