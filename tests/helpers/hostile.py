"""The hostile-input case list of issue 15, shared by ``tests/test_hostile_cases.py`` and
``benchmarks/hostile_cases.py``: how each bad input is made and what a careful reader must do with it.

Each :class:`Case` builds one bad input inside a folder (next to which the caller puts one good report)
and states the expected outcome:

* ``expect="E0xx"``: refused with that typed error, naming the file (``read_report``, ``parse``); in a
  folder (``in_folder="skip"``) ``read_corpus`` raises it and ``errors="warn"`` skips the file with a
  warning naming it; ``in_folder="ignored"`` means a folder listing never takes it for a report;
* ``expect="read"``: read, with the warning ``warn`` (if any) and ``findings`` findings — an exact count
  (content that is all still there), or ``-n`` for "at least n" (content partly gone);
* ``check``: an extra property of the read report (returns a problem, or ``None``).

The CLI argument and output cases (:data:`CLI_CASES`) are argument lists with the code and exit status
expected, each run before or instead of any work.  Nothing here imports kompasstext at import time.

The case list: issue 15's 46 (38 input cases and 8 CLI argument/output cases) and one the fuzz found\n(``utf16_cut``: a UTF-16 file cut at an odd byte was refused as binary).
"""
from __future__ import annotations

import os
import socket
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

CORPUS = Path(__file__).resolve().parents[2] / "corpora" / "kommunkompassen"
#: the good report every case is placed next to, and its municipality
GOOD, GOOD_MUNICIPALITY = "upplands-bro_2011", "Upplands-Bro"
#: findings of the bundled reports as read intact (checked by :func:`original_counts` in the tests)
COUNTS = {"norrtalje_2018": 70, "osthammar_2017": 91, "upplands-bro_2011": 123, "nacka_2021": 93}
MUNICIPALITY = {"norrtalje_2018": "Norrtälje", "osthammar_2017": "Östhammar", "upplands-bro_2011": "Upplands-Bro",
                "nacka_2021": "Nacka"}


def raw(name: str) -> bytes:
    return (CORPUS / f"{name}.txt").read_bytes()


def text(name: str) -> str:
    return raw(name).decode("utf-8")


@dataclass(frozen=True)
class Case:
    """One bad input: ``make(folder) -> path`` builds it; the rest is what must happen."""

    name: str
    group: str
    make: Callable[[Path], Path]
    expect: str = "read"
    warn: str | None = None
    findings: int | None = None
    origin: str | None = None
    in_folder: str = "skip"
    check: Callable[[Any], str | None] | None = None
    split: dict[str, int] | None = None
    simulate_eacces: bool = False

    @property
    def refused(self) -> bool:
        return self.expect.startswith("E")


# ----------------------------------------------------------------------------------------- builders
def _write(name: str, data: bytes | Callable[[], bytes], filename: str | None = None) -> Callable[[Path], Path]:
    def make(folder: Path) -> Path:
        p = folder / (filename or f"case_{name}.txt")
        p.write_bytes(data() if callable(data) else data)
        return p
    return make


def _at_ascii(data: bytes, at: int) -> int:
    """The first offset from ``at`` that sits between two characters (an ASCII byte follows)."""
    return next(k for k in range(at, len(data)) if data[k] < 0x80)


def _inject(name: str, at: float | int, junk: bytes) -> Callable[[], bytes]:
    def build() -> bytes:
        data = raw(name)
        k = _at_ascii(data, at if isinstance(at, int) else int(len(data) * at))
        return data[:k] + junk + data[k:]
    return build


def _area_dup() -> bytes:
    t = text("nacka_2021")
    i = t.index("Område 2 ", 3000)
    j = t.index("Område 3 ", i)
    return (t[:j] + t[i:j] + t[j:]).encode()


def _area_swap() -> bytes:
    t = text("nacka_2021")
    i, j = t.index("Område 3 ", 3000), t.index("Område 4 ", 3000)
    k = t.index("Område 5 ", j)
    return (t[:i] + t[j:k] + t[i:j] + t[k:]).encode()


def _heading_gone() -> bytes:
    t = text("osthammar_2017")
    i = t.index("Område 3 ", 3000)
    return (t[:i] + t[t.index("\n", i) + 1:]).encode()


def _heading_gone_transcript() -> bytes:
    t = text("norrtalje_2018")
    head = "Område 3 Politisk styrning och kontroll Rubriker"
    i = t.index(head, t.index("Översikt av poängfördelning...") + 40)
    return (t[:i] + "Rubriker" + t[i + len(head):]).encode()


def _tag_like() -> bytes:
    """Nacka with tag-like text ('<Trygg i Nacka> och <5 %') put inside one of its findings."""
    import warnings

    import kompasstext as kt

    t = text("nacka_2021")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        findings = [f.text for f in kt.read_report(CORPUS / "nacka_2021.txt").findings]
    target = next(f for f in findings if len(f.split()) > 4 and f in t)
    k = t.index(target) + len(target.split()[0])
    return (t[:k] + " <Trygg i Nacka> och <5 %" + t[k:]).encode()


def _tag_kept(report) -> str | None:
    if any("<Trygg i Nacka>" in f.text and "<5 %" in f.text for f in report.findings):
        return None
    return "the tag-like text '<Trygg i Nacka> och <5 %' is not in any finding"


def _impossible() -> bytes:
    t = text("osthammar_2017")
    assert "\t11\t15\t75%" in t
    return t.replace("\t11\t15\t75%", "\t95\t15\t75%", 1).encode()


def _no_nul(report) -> str | None:
    bad = [f for f in report.findings if any(ord(c) < 32 and c not in "\t\n\r\f" for c in f.text)]
    return f"{len(bad)} finding(s) hold control characters" if bad else None


def _no_rubric_findings(report) -> str | None:
    bad = [f.text for f in report.findings if f.text.startswith(("Poäng", "Rubriker"))]
    return f"rubric lines read as findings: {bad[:2]}" if bad else None


def _cut_in_char() -> bytes:
    data = raw("osthammar_2017")
    at = next(i for i in range(len(data) // 2, len(data)) if data[i] >= 0xC0)
    return data[:at + 1]


def _mixed_encoding() -> bytes:
    t = text("osthammar_2017")
    half = t.index("\n", len(t) // 2)
    return t[:half].encode("utf-8") + t[half:].encode("cp1252", errors="replace")


def _nbsp_headings() -> bytes:
    return text("osthammar_2017").replace("Område ", "Område\u00a0").encode()


def _nfd() -> bytes:
    import unicodedata
    return unicodedata.normalize("NFD", text("osthammar_2017")).encode()


def _long_word_line() -> bytes:
    t = text("norrtalje_2018")
    i = t.index("\n", 200)
    return (t[:i + 1] + "x" * 1_000_000 + "\n" + t[i + 1:]).encode()


def _huge_line() -> bytes:
    import sys
    sys.path.insert(0, str(CORPUS.parents[1] / "benchmarks"))
    from long_input import build
    return build(5_000_000).encode("utf-8")


def _only_headings() -> bytes:
    titles = ["Offentlighet och demokrati", "Tillgänglighet och brukarorientering", "Politisk styrning och kontroll",
              "Ledarskap, ansvar och delegation", "Resultat och effektivitet", "Kommunen som arbetsgivare",
              "Ständiga förbättringar", "Kommunen som samhällsbyggare"]
    return "".join(f"Område {i} {t}\n\n" for i, t in enumerate(titles, 1)).encode()


def _symlink_loop(folder: Path) -> Path:
    p = folder / "case_symlink_loop.txt"
    os.symlink(p, p)
    return p


def _dangling(folder: Path) -> Path:
    p = folder / "case_dangling_symlink.txt"
    os.symlink(folder / "nowhere.txt", p)
    return p


def _fifo(folder: Path) -> Path:
    p = folder / "case_fifo.txt"
    os.mkfifo(p)
    return p


def _socket(folder: Path) -> Path:
    p = folder / "case_socket.txt"
    s = socket.socket(socket.AF_UNIX)
    s.bind(str(p))
    s.close()
    return p


def _directory(folder: Path) -> Path:
    p = folder / "case_directory.txt"
    p.mkdir()
    (p / "inner.txt").write_bytes(raw("nacka_2021"))
    return p


def _unreadable(folder: Path) -> Path:
    p = folder / "case_permission_denied.txt"
    p.write_bytes(raw("norrtalje_2018"))
    p.chmod(0)
    return p


def _appledouble(folder: Path) -> Path:
    p = folder / "._nacka_2021.txt"  # a macOS resource-fork file copied along with the report
    p.write_bytes(b"\x00\x05\x16\x07\x00\x02\x00\x00Mac OS X        " + bytes(4000))
    return p


# -------------------------------------------------------------------------------------------- cases
CASES: list[Case] = [
    # failures 1-6 of the issue
    Case("two_reports", "failure 1", _write("two_reports", lambda: raw("nacka_2021") + b"\n" + raw("norrtalje_2018")),
         expect="E013", in_folder="read", split={"Nacka": 93, "Norrtälje": 70}),
    Case("duplicated_area", "failure 2", _write("duplicated_area", _area_dup), warn="W113", findings=93,
         origin="nacka_2021"),
    Case("permission_denied", "failure 3", _unreadable, expect="E011", simulate_eacces=True),
    Case("directory", "failure 3", _directory, expect="E009", in_folder="ignored"),
    Case("symlink_loop", "failure 3", _symlink_loop, expect="E008"),
    Case("dangling_symlink", "failure 3", _dangling, expect="E004"),
    Case("fifo", "failure 4", _fifo, expect="E010"),
    Case("socket", "failure 4", _socket, expect="E010"),
    Case("huge_line_5mb", "failure 5", _write("huge_line_5mb", _huge_line), findings=-60, origin="norrtalje_2018"),
    Case("nul_after_64k", "failure 6", _write("nul_after_64k", _inject("nacka_2021", 70_000, b"\x00")), warn="W112",
         findings=93, origin="nacka_2021", check=_no_nul),
    Case("control_chars", "failure 6", _write("control_chars", _inject("osthammar_2017", 0.5, b"\x1b[31m\x07")),
         warn="W112", findings=91, origin="osthammar_2017", check=_no_nul),
    # degraded cases of the issue
    Case("utf16_bom", "degraded", _write("utf16_bom", lambda: text("osthammar_2017").encode("utf-16")), findings=91,
         origin="osthammar_2017"),
    Case("utf16_le", "degraded", _write("utf16_le", lambda: text("nacka_2021").encode("utf-16-le")), findings=93,
         origin="nacka_2021"),
    Case("utf16_be", "degraded", _write("utf16_be", lambda: text("norrtalje_2018").encode("utf-16-be")), findings=70,
         origin="norrtalje_2018"),
    Case("utf16_cut", "degraded", _write("utf16_cut", lambda: text("nacka_2021").encode("utf-16-le")[:150_001]),
         warn="W111", findings=-20, origin="nacka_2021"),
    Case("stray_byte", "degraded", _write("stray_byte", _inject("nacka_2021", 0.4, b"\xff")), warn="W111",
         findings=93, origin="nacka_2021"),
    Case("cut_multibyte", "degraded", _write("cut_multibyte", _cut_in_char), warn="W111", findings=-20,
         origin="osthammar_2017"),
    Case("heading_gone", "degraded", _write("heading_gone", _heading_gone), warn="W107", findings=91,
         origin="osthammar_2017", check=_no_rubric_findings),
    Case("heading_gone_transcript", "degraded", _write("heading_gone_transcript", _heading_gone_transcript),
         warn="W107", findings=70, origin="norrtalje_2018", check=_no_rubric_findings),
    Case("tag_like", "degraded", _write("tag_like", _tag_like), findings=93, origin="nacka_2021", check=_tag_kept),
    Case("impossible_score", "degraded", _write("impossible_score", _impossible), warn="W103", findings=91,
         origin="osthammar_2017"),
    # not-a-report inputs
    Case("empty", "not a report", _write("empty", b""), expect="E001"),
    Case("whitespace_only", "not a report", _write("whitespace_only", b" \n\n\t\r\n"), expect="E001"),
    Case("binary", "not a report", _write("binary", b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 40), expect="E002"),
    Case("appledouble", "not a report", _appledouble, expect="E002"),
    Case("stray_txt", "not a report", _write("stray_txt", "Att göra: läsa rapporterna före mötet.\n".encode(),
                                             "anteckningar.txt"), expect="E003"),
    Case("only_toc", "not a report", _write("only_toc", "Innehåll\n\tOmråde 1 Demokrati.....\t3\n".encode()),
         expect="E003"),
    Case("only_headings", "not a report", _write("only_headings", _only_headings), expect="E003"),
    Case("fake_pdf", "not a report", _write("fake_pdf", b"not a pdf at all\n" * 20, "case_fake.pdf"), expect="E022"),
    # encodings, line ends, shapes that must simply be read
    Case("cp1252", "read as is", _write("cp1252", lambda: text("osthammar_2017").encode("cp1252", errors="replace")),
         warn="W101", findings=91, origin="osthammar_2017"),
    Case("mixed_encoding", "read as is", _write("mixed_encoding", _mixed_encoding), findings=91,
         origin="osthammar_2017"),
    Case("utf8_bom", "read as is", _write("utf8_bom", lambda: text("osthammar_2017").encode("utf-8-sig")),
         findings=91, origin="osthammar_2017"),
    Case("crlf", "read as is", _write("crlf", lambda: text("nacka_2021").replace("\n", "\r\n").encode()), findings=93,
         origin="nacka_2021"),
    Case("mac_cr", "read as is", _write("mac_cr", lambda: text("nacka_2021").replace("\n", "\r").encode()),
         findings=93, origin="nacka_2021"),
    Case("nfd", "read as is", _write("nfd", _nfd), findings=91, origin="osthammar_2017"),
    Case("nbsp_headings", "read as is", _write("nbsp_headings", _nbsp_headings), findings=91,
         origin="osthammar_2017"),
    Case("long_word_line", "read as is", _write("long_word_line", _long_word_line), findings=70,
         origin="norrtalje_2018"),
    Case("area_out_of_order", "read as is", _write("area_out_of_order", _area_swap), findings=93,
         origin="nacka_2021"),
    Case("cut_half", "read as is", _write("cut_half", lambda: raw("nacka_2021")[:len(raw("nacka_2021")) // 2]),
         warn="W114", findings=-10, origin="nacka_2021"),
]
BY_NAME = {c.name: c for c in CASES}


@dataclass(frozen=True)
class CliCase:
    """One CLI argument or output check: ``argv(folder, tmp)`` and the code and exit status expected."""

    name: str
    command: str
    argv: Callable[[Path, Path], list[str]]
    code: str
    rc: int


def _corrupt_model(tmp: Path) -> str:
    d = tmp / "model_corrupt"
    d.mkdir(exist_ok=True)
    (d / "model.json").write_bytes(b"{\"format\": 1, \"par")
    return str(d)


CLI_CASES: list[CliCase] = [
    CliCase("out_is_directory", "report", lambda f, t: ["report", str(f), "-o", str(t)], "E031", 3),
    CliCase("out_unwritable", "report", lambda f, t: ["report", str(f), "-o", "/proc/kompasstext-out.html"],
            "E031", 3),
    CliCase("cut_quantile_5", "themes", lambda f, t: ["themes", str(f), "--cut-quantile", "5"], "E030", 2),
    CliCase("cut_quantile_nan", "themes", lambda f, t: ["themes", str(f), "--cut-quantile", "nan"], "E030", 2),
    CliCase("themes_corrupt", "report", lambda f, t: ["report", str(f), "-o", str(t / "r.html"), "--themes",
                                                      _corrupt_model(t)], "E032", 2),
    CliCase("themes_missing", "report", lambda f, t: ["report", str(f), "-o", str(t / "r.html"), "--themes",
                                                      str(t / "no-such-model")], "E032", 2),
    CliCase("empty_query", "examples", lambda f, t: ["examples", " ?! ", str(f)], "E033", 2),
    CliCase("missing_path", "parse", lambda f, t: ["parse", "--json", str(t / "no-such-report.txt")], "E004", 1),
]
