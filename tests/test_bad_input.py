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
