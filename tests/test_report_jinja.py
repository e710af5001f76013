"""The Jinja2 page against the hand-written renderer's, and the report's two languages.

The bundled corpus' report data is a fixed input (``tests/data/report``, see :mod:`report_snapshot`), so
these tests need no model: the Swedish page must have exactly the content (findings, themes, numbers,
links, tooltips) the hand-written renderer gave it; the English page must have the same structure and
data with none of the Swedish interface words, and the Swedish page none of the English ones.
"""
from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest

import report_snapshot as snap
from test_report import EVIL, assert_self_contained, scan, synthetic

LANG = Path(__file__).resolve().parent.parent / "kompasstext" / "lang"


@pytest.fixture(scope="module")
def bundled():
    return snap.load_data()


@pytest.fixture(scope="module")
def pages(bundled):
    from kompasstext.reporting import render

    return {lang: render(bundled, lang=lang) for lang in ("sv", "en")}


def _leaves(node, path=""):
    if isinstance(node, dict):
        for k, v in node.items():
            yield from _leaves(v, f"{path}.{k}" if path else k)
    elif isinstance(node, list):
        for i, v in enumerate(node):
            yield from _leaves(v, f"{path}[{i}]")
    else:
        yield path, node


def _strings(lang: str) -> dict:
    return json.loads((LANG / lang / "report.json").read_text(encoding="utf-8"))


def _fragments(lang: str, other: str) -> set[str]:
    """The literal parts (between ``{fields}``) of ``lang``'s interface strings that ``other`` words
    differently: what must not show in a page in ``other``.  Short parts (``n``, ``%``) and the
    Excel-only strings are left out."""
    a, b = dict(_leaves(_strings(lang))), dict(_leaves(_strings(other)))
    out = set()
    for key, text in a.items():
        if not isinstance(text, str) or key.startswith("xlsx.") or key in ("lang",) or text == b.get(key):
            continue
        for part in re.split(r"\{\w+\}", text):
            part = part.strip(" .,:;·()–-")
            if len(part) >= 4 and any(ch.isalpha() for ch in part) and \
                    not any(isinstance(v, str) and part in v for v in b.values()):
                out.add(part)
    return out


class _Visible(HTMLParser):
    """The text a reader sees or hears: text nodes and the title/aria-label/placeholder attributes."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.out: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style"):
            self._skip += 1
        self.out += [v for k, v in attrs if k in ("title", "aria-label", "placeholder") and v]

    def handle_endtag(self, tag):
        if tag in ("script", "style"):
            self._skip -= 1

    def handle_data(self, data):
        if not self._skip:
            self.out.append(data)


def _interface_text(html: str, data) -> str:
    """The visible text of ``html`` without the data's own texts (findings, labels, names are Swedish in
    every language)."""
    p = _Visible()
    p.feed(html)
    text = "\n".join(" ".join(x.split()) for x in p.out)
    values = set()
    for name in snap.FRAMES:
        df = getattr(data, name)
        if df is None:
            continue
        for col in df.columns:
            if col in ("citation", "passage_citation", "subquestion_label", "note"):
                continue  # written by the pipeline from interface strings: translated, so checked
            for v in df[col].tolist():
                if isinstance(v, str) and len(v) >= 3:
                    values.add(" ".join(v.split()))
                elif isinstance(v, (list, tuple)):
                    values |= {" ".join(str(x).split()) for x in v if isinstance(x, str) and len(x) >= 3}
    for v in sorted(values, key=len, reverse=True):
        text = text.replace(v, "\x00")
    return text


# --------------------------------------------------------------------------------- the snapshot
def test_swedish_page_has_the_hand_written_pages_content(pages):
    got, want = snap.content(pages["sv"]), snap.load_content()
    assert len(got) == len(want)
    diff = [(i, w, g) for i, (w, g) in enumerate(zip(want, got)) if w != g]
    assert not diff, f"{len(diff)} lines differ, first: {diff[0]}"


def test_snapshot_holds_findings_themes_and_numbers(bundled, pages):
    """The comparison above is not vacuous: the snapshot has every theme, finding and area score."""
    want = "\n".join(snap.load_content())
    for tid, label in zip(bundled.themes["theme_id"], bundled.themes["label"]):
        assert f"@details.id=tema-{tid}" in want and str(label) in want
    unthemed = bundled.findings[bundled.findings["theme"] < 0]
    assert all(" ".join(str(t).split()) in want for t in unthemed["text"])
    assert "Nacka 2021 · område 1" in want and "(n=" in want and "Kommunprofil: Nacka" in want


def test_english_page_has_the_same_structure_and_data(bundled, pages):
    sv, en = snap.content(pages["sv"]), snap.content(pages["en"])
    anchors = lambda lines: [x for x in lines if x.startswith(("@a.href=#", "@details.id", "@tr.data-theme"))]  # noqa: E731
    assert anchors(sv) == anchors(en)
    assert_self_contained(pages["en"])
    assert '<html lang="en">' in pages["en"] and '<html lang="sv">' in pages["sv"]
    text = "\n".join(en)
    for t in bundled.findings["text"].head(50):
        assert " ".join(str(t).split()) in text  # the municipality's own words are kept
    assert "Theme index" in text and "Framework matrix" in text and "Municipality profile: Nacka" in text
    assert "Created YYYY-MM-DD" in text and "reading 2.7 s" in text


@pytest.mark.parametrize("lang, other", [("sv", "en"), ("en", "sv")])
def test_no_interface_words_of_the_other_language(bundled, pages, lang, other):
    words = _fragments(lang, other)
    assert len(words) > 80, "the check has words to look for"
    for data, html in ((bundled, pages[other]), (synthetic(), None)):
        if html is None:
            from kompasstext.reporting import render

            html = render(data, lang=other)
        text = _interface_text(html, data)
        found = sorted(w for w in words if re.search(rf"(?<!\w){re.escape(w)}(?!\w)", text))
        assert not found, f"{lang} words in the {other} page: {found[:10]}"


def test_swedish_stage_names_and_english_ones(pages):
    sv, en = (" ".join(snap.content(pages[k])) for k in ("sv", "en"))
    assert "Tidsåtgång: läsa 2,7 s, kopplingar 3,4 s, teman 3,3 s, poäng och matris 0,3 s, exempel 2,0 s." in sv
    assert "Time taken: reading 2.7 s, links 3.4 s, themes 3.3 s, scores and matrix 0.3 s, examples 2.0 s." in en


def test_english_notes_labels_and_citations_are_translated(bundled, pages):
    en = "\n".join(snap.content(pages["en"]))
    assert "The score statistics leave out the 73 findings" in en
    assert re.search(r"\(sub-question 2010: 1\.5, 2015: 1\.5, 2020: 1\.5\)", en)
    assert re.search(r"nacka_2021\.txt, characters \d+–\d+", en) and not re.search(r"\b(tecken|s\.) \d", en)
    assert "probability below 0.7)" in en
    assert "Difference strength − improvement" in en or "cannot be computed" in en


def test_strings_files_have_the_same_keys():
    def keys(d, p=""):
        return {p + k for k in d} | {x for k, v in d.items() if isinstance(v, dict) and k != "columns"
                                     for x in keys(v, f"{p}{k}.")}

    sv, en = _strings("sv"), _strings("en")
    assert keys(sv) == keys(en)
    for key, value in _leaves(sv):
        fields = set(re.findall(r"\{(\w+)\}", value)) if isinstance(value, str) else set()
        other = dict(_leaves(en)).get(key)
        if isinstance(other, str) and not key.startswith("xlsx."):
            assert fields == set(re.findall(r"\{(\w+)\}", other)), key


def test_unknown_language_is_a_numbered_error():
    from kompasstext.errors import KompassError
    from kompasstext.reporting import render

    with pytest.raises(KompassError, match=r"\[E040\].*sv or en"):
        render(synthetic(), lang="de")


def test_english_page_escapes_too():
    from kompasstext.reporting import render

    html = render(synthetic(), lang="en")
    assert EVIL not in html and "<script>alert" not in html
    p = scan(html)
    assert len(p.scripts) == 1 and "alert" not in p.scripts[0]
    assert EVIL in "".join(p.text)


def test_the_script_gets_the_languages_words():
    from kompasstext.reporting import render

    for lang, word in (("sv", "Nästa ›"), ("en", "Next ›")):
        script = scan(render(synthetic(), lang=lang)).scripts[0]
        strings = json.loads(re.search(r"var KT_STRINGS = (\{.*?\});", script).group(1))
        assert strings["next"] == word and "{pages}" in strings["page"]
        assert "Föregående" not in script.split(";", 1)[1] and "Visar" not in script.split(";", 1)[1]
