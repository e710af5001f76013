"""Bad input: a clear typed error naming the file, or a warning with a partial result."""
from __future__ import annotations

import warnings

import pytest

import kompasstext as kt
from conftest import CORPUS
from kompasstext.errors import ParseWarning, ReportFormatError, ReportNotFoundError
from kompasstext.cli import main as cli_main


def test_empty_file(tmp_path):
    p = tmp_path / "tom.txt"
    p.write_text("  \n\n", encoding="utf-8")
    with pytest.raises(ReportFormatError) as e:
        kt.read_report(p)
    assert e.value.code == "E001" and "tom.txt" in str(e.value)


def test_binary_file(tmp_path):
    p = tmp_path / "rapport.txt"
    p.write_bytes(b"%PDF-1.7\x00\x01\x02" + bytes(range(256)) * 20)
    with pytest.raises(ReportFormatError) as e:
        kt.read_report(p)
    assert e.value.code == "E002" and "rapport.txt" in str(e.value)


def test_no_structure(tmp_path):
    p = tmp_path / "brev.txt"
    p.write_text("Hej!\n\nHär kommer protokollet från mötet i tisdags. Vänliga hälsningar\n", encoding="utf-8")
    with pytest.raises(ReportFormatError) as e:
        kt.read_report(p)
    assert e.value.code == "E003" and "brev.txt" in str(e.value)


def test_missing_file_and_empty_directory(tmp_path):
    with pytest.raises(ReportNotFoundError) as e:
        kt.read_report(tmp_path / "finns-inte.txt")
    assert e.value.code == "E004"
    with pytest.raises(ReportNotFoundError) as e:
        kt.read_corpus(tmp_path)
    assert e.value.code == "E005"


@pytest.mark.parametrize("encoding", ["cp1252", "latin-1"])
@pytest.mark.parametrize("name", ["osthammar_2017", "norrtalje_2018"])
def test_legacy_encodings_still_parse(tmp_path, parsed, name, encoding):
    text = (CORPUS / f"{name}.txt").read_text(encoding="utf-8")
    if encoding == "latin-1":  # latin-1 has no "•": legacy converters write a middle dot instead
        text = text.replace("•", "·")
    p = tmp_path / f"{name}.txt"
    p.write_bytes(text.encode(encoding, errors="replace"))
    with pytest.warns(ParseWarning, match="W101"):
        r = kt.read_report(p)
    assert r.encoding == encoding.replace("latin-1", "cp1252") or r.encoding in ("cp1252", "latin-1")
    ref = parsed[name]
    assert (r.municipality, r.year, r.framework) == (ref.municipality, ref.year, ref.framework)
    # the texts differ only where a character had no place in the code page
    assert len(r.findings) == len(ref.findings)
    same = sum(a.text == b.text for a, b in zip(r.findings, ref.findings))
    assert same >= 0.9 * len(ref.findings)


def test_truncated_report_warns_with_partial_result(tmp_path):
    text = (CORPUS / "osthammar_2017.txt").read_text(encoding="utf-8")
    cut = text.index("Område 5 Resultat och effektivitet\n\nRubriker")
    p = tmp_path / "osthammar_2017.txt"
    p.write_text(text[:cut], encoding="utf-8")
    with pytest.warns(ParseWarning) as rec:
        r = kt.read_report(p)
    assert [a.number for a in r.areas] == [1, 2, 3, 4]
    assert all(a.findings for a in r.areas)
    codes = {d.code for d in r.diagnostics}
    assert "W104" in codes  # the score tables are gone: reported missing, not invented
    assert any("osthammar_2017.txt" in str(w.message) for w in rec)


def test_score_table_that_does_not_add_up(tmp_path):
    text = (CORPUS / "osthammar_2017.txt").read_text(encoding="utf-8")
    bad = text.replace("1.1\tFinns en plan/strategi för demokratiutveckling och information?\t11\t15\t75%",
                       "1.1\tFinns en plan/strategi för demokratiutveckling och information?\t1\t15\t75%")
    assert bad != text
    p = tmp_path / "osthammar_2017.txt"
    p.write_text(bad, encoding="utf-8")
    with pytest.warns(ParseWarning, match="W103"):
        r = kt.read_report(p)
    d = [d for d in r.diagnostics if d.code == "W103"]
    assert d and d[0].area == 1 and "1.1" in d[0].message


def test_cli_reports_errors_without_traceback(tmp_path, capsys):
    p = tmp_path / "tom.txt"
    p.write_text("", encoding="utf-8")
    assert cli_main(["parse", str(p)]) == 1
    err = capsys.readouterr().err
    assert "E001" in err and "tom.txt" in err and "Traceback" not in err


def test_uppercase_heading_variant_of_transcripts(tmp_path, parsed):
    """The STYRKOR / FÖRBÄTTRINGSOMRÅDEN variant of docplayer transcripts gives the same findings."""
    text = (CORPUS / "norrtalje_2018.txt").read_text(encoding="utf-8")
    variant = text.replace(" Styrkor ", " STYRKOR ").replace(" Förbättringsmöjligheter ", " FÖRBÄTTRINGSOMRÅDEN ")
    assert variant.count("STYRKOR") == 8
    p = tmp_path / "variant.txt"
    p.write_text(variant, encoding="utf-8")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ParseWarning)
        r = kt.read_report(p)
    assert [(f.kind, f.text) for f in r.findings] == [(f.kind, f.text) for f in parsed["norrtalje_2018"].findings]


# ---- paths that are not readable report files (issue 15, failures 3 and 4) ----------------------------

def _good_copy(tmp_path, name="nacka_2021"):
    p = tmp_path / f"{name}.txt"
    p.write_bytes((CORPUS / f"{name}.txt").read_bytes())
    return p


def _deny(monkeypatch, target):
    """Make reading ``target`` fail with PermissionError (the tests may run as root, where chmod doesn't)."""
    import pathlib

    real = pathlib.Path.read_bytes

    def read_bytes(self):
        if self == target:
            raise PermissionError(13, "Permission denied", str(self))
        return real(self)

    monkeypatch.setattr(pathlib.Path, "read_bytes", read_bytes)


def test_permission_denied_is_typed_and_skipped_under_warn(tmp_path, monkeypatch, capsys):
    good = _good_copy(tmp_path)
    bad = tmp_path / "locked.txt"
    bad.write_bytes(good.read_bytes())
    _deny(monkeypatch, bad)
    with pytest.raises(kt.errors.ReportAccessError) as e:
        kt.read_report(bad)
    assert e.value.code == "E011" and "locked.txt" in str(e.value)
    with pytest.raises(kt.errors.KompassError, match="E011"):
        kt.read_corpus(tmp_path)
    with pytest.warns(ParseWarning, match=r"skipped .*locked\.txt.*E011"):
        c = kt.read_corpus(tmp_path, errors="warn", warn=False)
    assert [r.municipality for r in c] == ["Nacka"]
    assert cli_main(["parse", str(bad)]) == 1
    err = capsys.readouterr().err
    assert "E011" in err and "locked.txt" in err and "Traceback" not in err


@pytest.mark.skipif(not hasattr(__import__("os"), "geteuid") or __import__("os").geteuid() == 0,
                    reason="root reads files whatever their mode")
def test_permission_denied_real_mode(tmp_path):
    bad = _good_copy(tmp_path)
    bad.chmod(0)
    with pytest.raises(kt.errors.ReportAccessError, match="E011"):
        kt.read_report(bad)


def test_directory_given_to_read_report(tmp_path):
    _good_copy(tmp_path)
    with pytest.raises(kt.errors.ReportAccessError) as e:
        kt.read_report(tmp_path)
    assert e.value.code == "E009" and str(tmp_path) in str(e.value) and "read_corpus" in str(e.value)


def test_symlink_loop_and_dangling_link(tmp_path):
    import os

    _good_copy(tmp_path)
    loop = tmp_path / "loop.txt"
    os.symlink(loop, loop)
    with pytest.raises(kt.errors.ReportAccessError) as e:
        kt.read_report(loop)
    assert e.value.code == "E008" and "loop.txt" in str(e.value)
    dangling = tmp_path / "gone.txt"
    os.symlink(tmp_path / "nowhere.txt", dangling)
    with pytest.raises(ReportNotFoundError, match=r"E004.*symlink"):
        kt.read_report(dangling)
    # in a folder neither is dropped silently: each is skipped with a warning naming it
    with pytest.warns(ParseWarning) as rec:
        c = kt.read_corpus(tmp_path, errors="warn", warn=False)
    msgs = " ".join(str(w.message) for w in rec)
    assert "loop.txt" in msgs and "E008" in msgs and "gone.txt" in msgs and "E004" in msgs
    assert len(c) == 1


def test_fifo_is_refused_without_blocking(tmp_path):
    import os

    fifo = tmp_path / "pipe.txt"
    os.mkfifo(fifo)  # nobody writes: opening it for reading would block forever
    with pytest.raises(kt.errors.ReportAccessError) as e:
        kt.read_report(fifo)
    assert e.value.code == "E010" and "FIFO" in str(e.value) and "pipe.txt" in str(e.value)
    _good_copy(tmp_path)
    with pytest.warns(ParseWarning, match=r"pipe\.txt.*E010"):
        assert len(kt.read_corpus(tmp_path, errors="warn", warn=False)) == 1


# ---- bytes: control characters, UTF-16, invalid UTF-8 (failure 6, degraded decoding) -------------------

def test_nul_and_control_characters_anywhere_are_stripped_with_their_offsets(tmp_path, parsed):
    text = (CORPUS / "nacka_2021.txt").read_text(encoding="utf-8")
    ref = parsed["nacka_2021"]
    victim = ref.findings[-5].text  # past the first 64 KiB
    pos = text.index(victim) + 4
    assert pos > 65536
    bad = text[:pos] + "\x00\x1b" + text[pos:]
    p = tmp_path / "nacka_2021.txt"
    p.write_text(bad, encoding="utf-8")
    with pytest.warns(ParseWarning, match="W112"):
        r = kt.read_report(p)
    assert "\x00" not in r.text and "\x1b" not in r.text
    assert [f.text for f in r.findings] == [f.text for f in ref.findings]
    d = next(d for d in r.diagnostics if d.code == "W112")
    assert str(pos) in d.message and "U+0000" in d.message and d.start == pos
    # a NUL at the very start of the text is no longer "binary" either when the rest is text
    p.write_text("\x00" * 3 + text, encoding="utf-8")
    assert kt.read_report(p, warn=False).findings


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-le", "utf-16-be"])
def test_utf16_with_and_without_bom(tmp_path, parsed, encoding):
    text = (CORPUS / "osthammar_2017.txt").read_text(encoding="utf-8")
    p = tmp_path / "osthammar_2017.txt"
    p.write_bytes(text.encode(encoding))
    r = kt.read_report(p, warn=False)
    assert r.encoding == encoding
    assert [f.text for f in r.findings] == [f.text for f in parsed["osthammar_2017"].findings]


def test_stray_invalid_utf8_byte_is_replaced_not_a_code_page_fallback(tmp_path, parsed):
    data = (CORPUS / "osthammar_2017.txt").read_bytes()
    at = data.index("Område 3".encode()) + 2
    bad = data[:at] + b"\xff" + data[at:]
    p = tmp_path / "osthammar_2017.txt"
    p.write_bytes(bad)
    with pytest.warns(ParseWarning, match="W111"):
        r = kt.read_report(p)
    assert r.encoding == "utf-8"
    d = next(d for d in r.diagnostics if d.code == "W111")
    assert f"byte offset(s) {at}" in d.message
    assert len(r.findings) == len(parsed["osthammar_2017"].findings)
    assert not any(d.code == "W101" for d in r.diagnostics)


def test_cut_inside_a_multibyte_character(tmp_path, parsed):
    data = (CORPUS / "osthammar_2017.txt").read_bytes()
    half = len(data) // 2
    at = data.index("ä".encode(), half) + 1  # between the two bytes of "ä"
    p = tmp_path / "osthammar_2017.txt"
    p.write_bytes(data[:at])
    with pytest.warns(ParseWarning, match="W111"):
        r = kt.read_report(p)
    assert r.encoding == "utf-8" and "\ufffd" not in r.text
    assert {1, 2, 3, 4} <= {a.number for a in r.areas}
    d = next(d for d in r.diagnostics if d.code == "W111")
    assert str(at - 1) in d.message and "truncated" in d.message


# ---- size: a whole report on one huge line (failure 5) -------------------------------------------------

def test_praise_on_one_huge_line_is_linear():
    """Every mention's sentence and passage come from a bounded window, not from the whole line (the old
    sentence split rescanned the line from its start at every mention: quadratic)."""
    import time

    from kompasstext.exemplars.mining import LINE_WINDOW, praise
    from kompasstext.model import Report

    unit = "Kommunen har en tydlig plan för dialog med invånarna. " * 10 + "Det är ett gott exempel. "
    sizes, seconds = [], []
    for reps in (400, 1_600):  # ~0.23 and ~0.93 MB on one line
        text = unit * reps
        r = Report("Exempel", 2020, None, source="one-line.txt", text=text)
        t0 = time.perf_counter()
        rows = praise([r])
        seconds.append(time.perf_counter() - t0)
        sizes.append(len(text))
        assert len(rows) == reps
        assert rows["sentence"].iloc[-1] == "Det är ett gott exempel."
        assert rows["passage"].str.len().max() <= 2 * LINE_WINDOW
    assert seconds[1] < 10  # quadratic: minutes
    assert seconds[1] < 4 * (sizes[1] / sizes[0]) * max(seconds[0], 0.05)


# ---- structure: two reports in one file, a duplicated area (failures 1 and 2) --------------------------

@pytest.mark.parametrize("first,second", [("nacka_2021", "norrtalje_2018"), ("norrtalje_2018", "nacka_2021"),
                                          ("osthammar_2017", "upplands-bro_2011"),
                                          ("upplands-bro_2011", "osthammar_2017")])
def test_two_reports_in_one_file_lose_nothing(tmp_path, parsed, first, second):
    from kompasstext.readers import read_reports

    p = tmp_path / "both.txt"
    p.write_text((CORPUS / f"{first}.txt").read_text(encoding="utf-8") + "\n"
                 + (CORPUS / f"{second}.txt").read_text(encoding="utf-8"), encoding="utf-8")
    with pytest.raises(ReportFormatError) as e:
        kt.read_report(p, warn=False)
    assert e.value.code == "E013" and "both.txt" in str(e.value) and "read_corpus" in str(e.value)
    reports = read_reports(p, warn=False)
    assert [r.municipality for r in reports] == [parsed[first].municipality, parsed[second].municipality]
    for r, name in zip(reports, (first, second)):
        assert [(f.area, f.kind, f.text) for f in r.findings] == \
            [(f.area, f.kind, f.text) for f in parsed[name].findings]
        assert any(d.code == "W115" for d in r.diagnostics)
    c = kt.read_corpus(tmp_path, warn=False)
    assert c.findings.groupby("report_id").size().to_dict() == {
        "both#1": len(parsed[first].findings), "both#2": len(parsed[second].findings)}


def test_two_reports_cli_parse_is_a_typed_error(tmp_path, capsys):
    p = tmp_path / "both.txt"
    text = (CORPUS / "nacka_2021.txt").read_text(encoding="utf-8")
    p.write_text(text + "\n" + text, encoding="utf-8")
    assert cli_main(["parse", str(p)]) == 1
    err = capsys.readouterr().err
    assert "E013" in err and "Traceback" not in err


@pytest.mark.parametrize("name,area,nxt", [("nacka_2021", "Område 2 Samhällsutveckling\n", "Område 3 "),
                                           ("osthammar_2017", "Område 2 Tillgänglighet", "Område 3 "),
                                           ("nacka_2021", "Område 8 Chefs", "4. Översikt av poängfördelning\n")])
def test_duplicated_area_section_is_skipped_as_said(tmp_path, parsed, name, area, nxt):
    text = (CORPUS / f"{name}.txt").read_text(encoding="utf-8")
    i = text.index(area, 3000)
    j = text.index(nxt, i + len(area))
    p = tmp_path / f"{name}.txt"
    p.write_text(text[:j] + text[i:j] + text[j:], encoding="utf-8")
    with pytest.warns(ParseWarning, match="W113"):
        r = kt.read_report(p)
    ref = parsed[name]
    assert [(f.area, f.kind, f.text) for f in r.findings] == [(f.area, f.kind, f.text) for f in ref.findings]
    assert [len(a.subquestions) for a in r.areas] == [len(a.subquestions) for a in ref.areas]
    d = next(d for d in r.diagnostics if d.code == "W113")
    assert "not read" in d.message and d.start == j


def test_area_out_of_order_is_read_not_dropped(tmp_path, parsed):
    text = (CORPUS / "nacka_2021.txt").read_text(encoding="utf-8")
    i = text.index("Område 2 Samhällsutveckling\n", 3000)
    j = text.index("Område 3 ", i)
    k = text.index("Område 4 ", j)
    p = tmp_path / "nacka_2021.txt"
    p.write_text(text[:i] + text[j:k] + text[i:j] + text[k:], encoding="utf-8")  # areas 1 3 2 4 …
    with pytest.warns(ParseWarning, match="W107"):
        r = kt.read_report(p)
    ref = parsed["nacka_2021"]
    assert [a.number for a in r.areas] == list(range(1, 9))
    assert sorted((f.area, f.kind, f.text) for f in r.findings) == sorted((f.area, f.kind, f.text) for f in ref.findings)


def test_impossible_score_is_warned(tmp_path):
    text = (CORPUS / "osthammar_2017.txt").read_text(encoding="utf-8")
    row = "1.1\tFinns en plan/strategi för demokratiutveckling och information?\t11\t15\t75%"
    bad = text.replace(row, row.replace("\t11\t15\t", "\t95\t15\t"))
    assert bad != text
    p = tmp_path / "osthammar_2017.txt"
    p.write_text(bad, encoding="utf-8")
    with pytest.warns(ParseWarning, match="impossible"):
        r = kt.read_report(p)
    d = [d for d in r.diagnostics if d.code == "W103" and "impossible" in d.message]
    assert len(d) == 1 and d[0].area == 1 and "1.1" in d[0].message and "95 of 15" in d[0].message


@pytest.mark.parametrize("name", ["upplands-bro_2011", "nacka_2021", "osthammar_2017"])
def test_tag_like_text_in_a_finding_is_kept(tmp_path, parsed, name):
    """Only HTML element names are markup: "<Projekt X>" or "<5 %" inside an item stay in the finding."""
    ref = parsed[name]
    f = next(f for f in ref.findings if not f.segmented and len(f.text.split()) > 4 and f.text in ref.text)
    words = f.text.split()
    changed = " ".join([words[0], "<Trygg", "kommun>", *words[1:3], "<5", "%", *words[3:]])
    p = tmp_path / f"{name}.txt"
    p.write_text(ref.text.replace(f.text, changed, 1), encoding="utf-8")
    r = kt.read_report(p, warn=False)
    assert changed in [g.text for g in r.findings]
    assert len(r.findings) == len(ref.findings)


def test_worker_processes_read_split_files_and_skip_bad_ones_alike(tmp_path):
    import os

    text = (CORPUS / "nacka_2021.txt").read_text(encoding="utf-8")
    (tmp_path / "both.txt").write_text(text + "\n" + (CORPUS / "osthammar_2017.txt").read_text(encoding="utf-8"),
                                       encoding="utf-8")
    (tmp_path / "one.txt").write_text(text, encoding="utf-8")
    os.mkfifo(tmp_path / "pipe.txt")
    serial, parallel = [], []
    for jobs, out in ((1, serial), (2, parallel)):
        with pytest.warns(ParseWarning, match=r"pipe\.txt.*E010"):
            c = kt.read_corpus(tmp_path, errors="warn", warn=False, n_jobs=jobs)
        out.append(c)
    assert [r.source for r in serial[0]] == [r.source for r in parallel[0]]
    assert len(serial[0]) == 3
    assert serial[0].findings.equals(parallel[0].findings)


def test_area_names_listed_after_the_overview_are_not_a_second_report(tmp_path, parsed):
    ref = parsed["nacka_2021"]
    appendix = "\n\nBilaga: områdena\n\n" + "".join(f"Område {a.number} {a.title}\nSe ovan.\n" for a in ref.areas)
    p = tmp_path / "nacka_2021.txt"
    p.write_text(ref.text + appendix, encoding="utf-8")
    r = kt.read_report(p, warn=False)
    assert [(f.area, f.text) for f in r.findings] == [(f.area, f.text) for f in ref.findings]


def test_vertical_tabs_are_line_breaks(tmp_path, parsed):
    """Word processors export a manual line break as VT (U+000B): a line break, not binary, not glue."""
    ref = parsed["nacka_2021"]
    p = tmp_path / "nacka_2021.txt"
    p.write_text(ref.text.replace("\n", "\x0b"), encoding="utf-8")
    r = kt.read_report(p, warn=False)
    assert [(f.area, f.text) for f in r.findings] == [(f.area, f.text) for f in ref.findings]
    assert not any(d.code == "W112" for d in r.diagnostics)


def _read_without_header(tmp_path, row_start: str, code: str):
    """Nacka without the list-table header line right above the row that starts with ``row_start``, read
    (warning ``code`` expected): ``(report, its text, where the header was, the diagnostic)``."""
    text = (CORPUS / "nacka_2021.txt").read_text(encoding="utf-8")
    row = text.index(row_start)
    at = text.rindex("Styrkor\t", 0, row)
    assert not text[text.index("\n", at):row].strip()  # only blank lines between header and row
    cut = text[:at] + text[text.index("\n", at) + 1:]
    p = tmp_path / "nacka_2021.txt"
    p.write_text(cut, encoding="utf-8")
    with pytest.warns(ParseWarning, match=code):
        r = kt.read_report(p)
    return r, cut, at, next(d for d in r.diagnostics if d.code == code)


def test_a_list_row_whose_header_line_is_gone_is_read_and_said(tmp_path, parsed):
    """A ``<p>`` row without its Styrkor/Förbättringsmöjligheter line: read under the templates' columns
    (strengths | improvements), with W117 at the row — not left in the narrative."""
    r, _, at, d = _read_without_header(tmp_path, "<p>Medarbetarpolicyn som kommunens", "W117")
    ref = parsed["nacka_2021"]
    assert [(f.area, f.kind, f.text) for f in r.findings] == [(f.area, f.kind, f.text) for f in ref.findings]
    assert d.severity == "warning" and d.start == at and "strength | improvement" in d.message


def test_a_run_on_row_whose_header_line_is_gone_is_a_warning(tmp_path, parsed):
    """A plain run-on row (strengths TAB improvements, no markup) without its header line is not taken
    for findings (plain two-cell lines may be other tables) but never dropped silently: W118 at its line."""
    r, cut, at, d = _read_without_header(tmp_path, "Delaktighet i fokus i nämndmålen", "W118")
    assert d.area == 1 and d.start == at and d.line == cut[:at].count("\n") + 1
    ref = parsed["nacka_2021"]
    assert [(f.area, f.text) for f in r.findings if f.area != 1] == [(f.area, f.text) for f in ref.findings if f.area != 1]
