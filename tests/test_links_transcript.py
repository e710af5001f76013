"""Links out of sample on the archive's commonest shape: each structured report rendered as a docplayer
transcript (``segmentation/transcript.py``: narrative flattened into running sentences with its subheadings
glued on, lists without bullets, score tables flattened over page breaks) and linked next to the other three
reports as they are.  Gold measures only."""
from __future__ import annotations

import warnings
from pathlib import Path

import pytest

from kompasstext import read_report
from kompasstext.corpus import Corpus
from kompasstext.links import link_findings
from kompasstext.links.linker import LinkWeights
from kompasstext.readers.scores import parse_score_tables
from kompasstext.segmentation.transcript import render_transcript
from test_links import score_links_against_gold


def as_transcript(report, folder: Path):
    """``report`` written as a docplayer transcript (from what was read, never from gold), read back."""
    narrative = {}
    for a in report.areas:
        out, last = [], None
        for p in a.passages:
            out.append((p.heading + " " if p.heading and p.heading != last else "") + p.text)
            last = p.heading
        narrative[a.number] = out
    text = render_transcript(report.to_dict(), narrative=narrative,
                             rubrics={a.number: list(a.rubrics) for a in report.areas})
    path = folder / (Path(report.source).stem + ".txt")
    path.write_text(text, encoding="utf-8")
    return read_report(path, format="docplayer", warn=False)


@pytest.fixture(scope="module")
def transcript_links(corpus, tmp_path_factory):
    """{report: (links with inline headings, links without)} for Nacka and Östhammar as transcripts."""
    out = {}
    folder = tmp_path_factory.mktemp("transcripts")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for name in ("nacka_2021", "osthammar_2017"):
            k = next(i for i, r in enumerate(corpus.reports) if Path(r.source).stem == name)
            reports = list(corpus.reports)
            reports[k] = as_transcript(reports[k], folder)
            out[name] = (link_findings(Corpus(reports)),
                         link_findings(Corpus(reports), weights=LinkWeights(inline_headings=False)))
    return out


def test_transcript_reads_every_score_row(corpus, tmp_path):
    """A flattened score table cut by a page header, rows without the percent its header announces:
    every row of the original table is read back."""
    r = next(r for r in corpus.reports if Path(r.source).stem == "nacka_2021")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        tr = as_transcript(r, tmp_path)
    assert [[(q.id, q.achieved, q.max) for q in a.subquestions] for a in tr.areas] == \
        [[(q.id, q.achieved, q.max) for q in a.subquestions] for a in r.areas]


def test_flat_table_over_a_page_break():
    text = ("1. Demokrati Uppnått Max Procent 1.1 Finns en plan? 15 20 1.2 Informeras invånarna? 7\n\n"
            "Sveriges Kommuner och Landsting 2017-05-10 37 (37) 10 1.3 Etik 26 30 48 60 80%\n")
    rows, totals, _ = parse_score_tables(text)
    assert [(q.id, q.achieved, q.max) for q in rows[1]] == [("1.1", 15, 20), ("1.2", 7, 10), ("1.3", 26, 30)]
    assert totals[1][:2] == (48, 60)


@pytest.mark.parametrize("name", ["nacka_2021", "osthammar_2017"])
def test_transcript_links_keep_their_accuracy(transcript_links, name):
    """The subheadings glued into the flattened narrative are found again: the transcript links nearly as
    well as the structured report (0.90 Nacka, 0.89 Östhammar), and better than without them."""
    with_h, without = (score_links_against_gold(x)[name]["acc"] for x in transcript_links[name])
    assert with_h >= 0.76 and with_h > without + 0.05, (with_h, without)
