"""Truncated and damaged reports give partial results (issue 11, last part of "What to build"): a text cut at
25 / 50 / 75 % of its length — also inside a multi-byte character — yields every area it still holds in full,
with a W114 warning saying where the text stops; the same for a report without its first area or its score
overview."""
from __future__ import annotations

import warnings

import pytest

import kompasstext as kt
from conftest import REPORTS
from kompasstext.errors import ParseWarning, ReportFormatError


def _findings(area):
    return [(f.kind, f.text) for f in area.findings]


def _read(path):
    with warnings.catch_warnings(record=True) as rec:
        warnings.simplefilter("always")
        r = kt.read_report(path)
    return r, [str(w.message) for w in rec]


@pytest.mark.parametrize("frac", [0.25, 0.5, 0.75])
@pytest.mark.parametrize("name", REPORTS)
def test_cut_at_a_fraction_keeps_every_whole_area(tmp_path, parsed, name, frac):
    ref = parsed[name]
    cut = int(len(ref.text) * frac)
    whole = [a for a in ref.areas if a.end <= cut]
    p = tmp_path / f"{name}.txt"
    p.write_text(ref.text[:cut], encoding="utf-8")
    first = min(a.start for a in ref.areas)
    if cut <= first + 200:  # the text stops before (or just at) the first area heading: nothing to read
        with pytest.raises(ReportFormatError, match="E003"):
            kt.read_report(p, warn=False)
        return
    r, msgs = _read(p)
    got = {a.number: a for a in r.areas}
    for a in whole:
        assert _findings(got[a.number]) == _findings(a), f"area {a.number}"
        assert got[a.number].score == a.score
    # the area the cut falls in is there too, with the findings before the cut
    partial = next(a for a in ref.areas if a.start < cut <= a.end)
    assert partial.number in got
    kept = {t for _, t in _findings(got[partial.number])}
    before = [t for k, t in _findings(partial) if t in kept]
    assert len(before) >= sum(f.end <= cut - 5 for f in partial.findings) - 1
    stop = [d for d in r.diagnostics if d.code == "W114"]
    assert len(stop) == 1, [str(d) for d in r.diagnostics]
    last_line = r.text.rstrip().count("\n") + 1
    assert f"area {partial.number} " in stop[0].message and f"at line {last_line}," in stop[0].message
    assert stop[0].start == len(r.text.rstrip())
    assert any("W114" in m and f"{name}.txt" in m for m in msgs)


@pytest.mark.parametrize("frac", [0.25, 0.5, 0.75])
@pytest.mark.parametrize("name", REPORTS)
def test_cut_inside_a_multibyte_character_at_a_fraction(tmp_path, parsed, name, frac):
    ref = parsed[name]
    data = ref.text.encode("utf-8")
    at = next(i for i in range(int(len(data) * frac), len(data)) if data[i] >= 0xC0) + 1  # inside "å", "ä", …
    p = tmp_path / f"{name}.txt"
    p.write_bytes(data[:at])
    try:
        r, _ = _read(p)
    except ReportFormatError as exc:  # only when the cut leaves no area to read (before its first list)
        assert exc.code == "E003"
        assert len(data[:at].decode("utf-8", "ignore")) <= min(a.start for a in ref.areas) + 1500
        return
    assert r.encoding == "utf-8" and "\ufffd" not in r.text
    cut = len(r.text)
    got = {a.number: a for a in r.areas}
    for a in ref.areas:
        if a.end <= cut:
            assert _findings(got[a.number]) == _findings(a)
    codes = [d.code for d in r.diagnostics]
    assert "W111" in codes and "W114" in codes and "W101" not in codes


@pytest.mark.parametrize("name", REPORTS)
def test_first_area_missing(tmp_path, parsed, name):
    ref = parsed[name]
    a1, a2 = ref.areas[0], ref.areas[1]
    p = tmp_path / f"{name}.txt"
    p.write_text(ref.text[:a1.start] + ref.text[a2.start:], encoding="utf-8")
    r, msgs = _read(p)
    assert [a.number for a in r.areas] == list(range(2, 9))
    assert [(f.area, f.kind, f.text) for f in r.findings] == [(f.area, f.kind, f.text) for f in ref.findings
                                                              if f.area != 1]
    assert any(d.code == "W107" and "1" in d.message for d in r.diagnostics)
    assert any("W107" in m for m in msgs)


@pytest.mark.parametrize("name", REPORTS)
def test_score_overview_missing(tmp_path, parsed, name):
    ref = parsed[name]
    p = tmp_path / f"{name}.txt"
    p.write_text(ref.text[:ref.areas[-1].end], encoding="utf-8")
    r, _ = _read(p)
    assert [(f.area, f.kind, f.text) for f in r.findings] == [(f.area, f.kind, f.text) for f in ref.findings]
    assert all(not a.subquestions for a in r.areas)
    codes = {d.code for d in r.diagnostics}
    assert {"W102", "W104", "W114"} <= codes


@pytest.mark.parametrize("area", [2, 3, 8])
@pytest.mark.parametrize("name", ["osthammar_2017", "upplands-bro_2011", "nacka_2021"])
def test_deleted_area_heading_is_recovered_from_the_rubric_box(tmp_path, parsed, name, area):
    """Without its "Område N" line an area used to merge into the one before (its rubric lines read as
    findings); its Rubriker box and the score table say where it starts and what it is called."""
    ref = parsed[name]
    a = ref.areas[area - 1]
    ls, le = ref.text.rfind("\n", 0, a.start) + 1, ref.text.find("\n", a.start)
    p = tmp_path / f"{name}.txt"
    p.write_text(ref.text[:ls] + ref.text[le + 1:], encoding="utf-8")
    r, msgs = _read(p)
    assert [(f.area, f.kind, f.text) for f in r.findings] == [(f.area, f.kind, f.text) for f in ref.findings]
    got = r.areas[area - 1]
    assert (got.number, got.title, got.score, got.rubrics) == (a.number, a.title, a.score, a.rubrics)
    w = [d for d in r.diagnostics if d.code == "W107"]
    assert len(w) == 1 and f"no 'Område {area}' heading" in w[0].message
    assert any("W107" in m for m in msgs)


@pytest.mark.parametrize("area", range(1, 9))
def test_deleted_heading_in_a_transcript_is_recovered_from_the_rubric_box(tmp_path, parsed, area):
    """The transcript variant: "Område N <title>" gone before "Rubriker … Poäng NN" (before, the area's
    lists replaced the previous area's and its own findings were lost)."""
    import re

    ref = parsed["norrtalje_2018"]
    a = ref.areas[area - 1]
    m = re.compile(rf"Område\s+{area}\s+[^\n]{{3,120}}?\s+(?=Rubriker)").search(ref.text, a.start)
    p = tmp_path / "norrtalje_2018.txt"
    p.write_text(ref.text[:m.start()] + ref.text[m.end():], encoding="utf-8")
    r, msgs = _read(p)
    assert [(f.area, f.kind, f.text) for f in r.findings] == [(f.area, f.kind, f.text) for f in ref.findings]
    got = r.areas[area - 1]
    assert (got.number, got.score, got.rubrics) == (a.number, a.score, a.rubrics)
    assert got.title and got.title != "(heading missing)"
    w = [d for d in r.diagnostics if d.code == "W107" and d.severity == "warning"]
    assert len(w) == 1 and f"no 'Område {area}' heading" in w[0].message
