"""The hostile-user case list of issue 15 as one parametrised suite: each bad input, next to one good
report, through ``read_report``, ``read_corpus`` (``errors="raise"`` and ``"warn"``) and ``kompasstext parse
--json``.  Every case ends in a typed, numbered error naming the file, or a result whose warnings explain
what was skipped or repaired — never an untyped exception, a traceback or a silent loss.  (The ``themes``
and ``report`` commands read through the same ``read_corpus``; their own checks are in the CLI tests.)"""
from __future__ import annotations

import json
import os
import warnings

import pytest

import kompasstext as kt
from conftest import CORPUS
from kompasstext.cli import main as cli_main
from kompasstext.errors import KompassError

GOOD = "upplands-bro_2011"


def _text(name):
    return (CORPUS / f"{name}.txt").read_text(encoding="utf-8")


def _bytes(name):
    return (CORPUS / f"{name}.txt").read_bytes()


def _cut(name, frac):
    data = _bytes(name)
    return data[:int(len(data) * frac)]


def _area_dup(name):
    t = _text(name)
    i = t.index("Område 2 ", 3000)
    j = t.index("Område 3 ", i)
    return (t[:j] + t[i:j] + t[j:]).encode()


def _heading_gone(name):
    t = _text(name)
    i = t.index("Område 3 ", 3000)
    return (t[:i] + t[t.index("\n", i) + 1:]).encode()


def _inject(name, at_frac, junk):
    data = _bytes(name)
    at = int(len(data) * at_frac)
    at = next(k for k in range(at, len(data)) if data[k] < 0x80)  # between characters
    return data[:at] + junk + data[at:]


#: name -> (bytes of the case file | a callable making the path, expected: "error" code or "ok" + warnings)
CASES = {
    "empty": (b"", "E001"),
    "whitespace": (b" \n\n\t\n", "E001"),
    "binary": (b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 40, "E002"),
    "letter": ("Hej!\n\nVänliga hälsningar\n".encode(), "E003"),
    "only_toc": ("Innehåll\n\tOmråde 1 Demokrati.....\t3\n".encode(), "E003"),
    "nul_early": (_inject("osthammar_2017", 0.1, b"\x00"), "W112"),
    "nul_late": (_inject("nacka_2021", 0.9, b"\x00\x00"), "W112"),
    "escape_chars": (_inject("osthammar_2017", 0.5, b"\x1b[31m\x07"), "W112"),
    "utf16_bom": (_text("osthammar_2017").encode("utf-16"), "ok"),
    "utf16_le": (_text("nacka_2021").encode("utf-16-le"), "ok"),
    "utf16_be": (_text(GOOD).encode("utf-16-be"), "ok"),
    "utf8_bom": (_text("osthammar_2017").encode("utf-8-sig"), "ok"),
    "cp1252": (_text("osthammar_2017").encode("cp1252", errors="replace"), "W101"),
    "stray_byte": (_inject("nacka_2021", 0.4, b"\xff"), "W111"),
    "crlf": (_text("nacka_2021").replace("\n", "\r\n").encode(), "ok"),
    "cut_25": (_cut("osthammar_2017", 0.25), "W114"),
    "cut_50": (_cut("nacka_2021", 0.5), "W114"),
    "cut_75": (_cut("norrtalje_2018", 0.75), "W114"),
    "cut_in_char": (None, "W111"),
    "two_reports": ((_text("nacka_2021") + "\n" + _text("norrtalje_2018")).encode(), "E013"),
    "duplicated_area": (_area_dup("nacka_2021"), "W113"),
    "heading_gone": (_heading_gone("osthammar_2017"), "W107"),
    "impossible_score": (_text("osthammar_2017").replace("\t11\t15\t75%", "\t95\t15\t75%", 1).encode(), "W103"),
    "directory": ("dir", "E009"),
    "symlink_loop": ("loop", "E008"),
    "dangling_link": ("dangling", "E004"),
    "fifo": ("fifo", "E010"),
}


def _cut_in_char():
    data = _bytes("osthammar_2017")
    at = next(i for i in range(len(data) // 2, len(data)) if data[i] >= 0xC0)
    return data[:at + 1]


def _make(tmp_path, case):
    data, _ = CASES[case]
    p = tmp_path / f"case_{case}.txt"
    if case == "cut_in_char":
        data = _cut_in_char()
    if data == "dir":
        p.mkdir()
        (p / "inner.txt").write_text("x", encoding="utf-8")
        return p
    if data == "loop":
        os.symlink(p, p)
        return p
    if data == "dangling":
        os.symlink(tmp_path / "nowhere.txt", p)
        return p
    if data == "fifo":
        os.mkfifo(p)
        return p
    p.write_bytes(data)
    return p


@pytest.mark.parametrize("case", sorted(CASES))
def test_case_through_every_reading_interface(tmp_path, capsys, case):
    _, expect = CASES[case]
    folder = tmp_path / "corpus"
    folder.mkdir()
    (folder / f"{GOOD}.txt").write_bytes(_bytes(GOOD))
    path = _make(folder, case)
    is_error = expect.startswith("E")

    # read_report
    with warnings.catch_warnings(record=True) as rec:
        warnings.simplefilter("always")
        try:
            r = kt.read_report(path)
            assert not is_error, f"expected {expect}"
            codes = {d.code for d in r.diagnostics}
            assert expect == "ok" or expect in codes, (expect, codes)
            assert r.findings
            if expect != "ok":
                assert any(expect in str(w.message) and path.name in str(w.message) for w in rec)
        except KompassError as exc:
            assert exc.code == expect and path.name in str(exc)

    # read_corpus, errors="raise": the same typed error, or the case read next to the good report
    # (a file holding two reports gives two)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        if is_error and expect not in ("E013", "E009"):
            with pytest.raises(KompassError, match=expect):
                kt.read_corpus(folder)
        else:
            c = kt.read_corpus(folder)
            n_case = 2 if expect == "E013" else 0 if expect == "E009" else 1
            assert len(c) == 1 + n_case
    # read_corpus, errors="warn": the case skipped with a warning naming it, the good report read
    with warnings.catch_warnings(record=True) as rec:
        warnings.simplefilter("always")
        c = kt.read_corpus(folder, errors="warn", warn=False)
    ids = {r.municipality for r in c}
    assert "Upplands-Bro" in ids
    if is_error and expect not in ("E013", "E009"):
        assert len(c) == 1
        assert any("skipped" in str(w.message) and path.name in str(w.message) and expect in str(w.message)
                   for w in rec)

    # kompasstext parse --json: exit 0 with JSON, or 1 with the typed error; never a traceback
    capsys.readouterr()
    rc = cli_main(["parse", "--json", str(path)])
    out, err = capsys.readouterr()
    assert "Traceback" not in err
    if is_error:  # a folder named on the command line is read as a folder: its own file is the error
        assert rc != 0 and (expect in err if expect != "E009" else "inner.txt" in err and "[E003]" in err)
    else:
        assert rc == 0 and json.loads(out)["areas"]
