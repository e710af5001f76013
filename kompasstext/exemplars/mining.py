"""Praise mining: where the evaluators hold something up as a good example, as a table.

Cues ("Gott exempel.", "ett gott exempel på …", "goda exempel", "föredömligt", "förebild",
"Se gärna på …", "kan med fördel titta på …", "inspiration från …") come from
``kompasstext/lang/sv/praise_cues.json``; they are matched in the whole report text, so mentions in the
general and summary chapters are found too (``area`` None).  Each mention is tied to the finding or
narrative passage it sits in, to the sentence that carries it, and to any *other* municipality that
sentence names (``names.municipality_names``).

>>> import kompasstext as kt
>>> corpus = kt.read_corpus("corpora/kommunkompassen")                       # doctest: +SKIP
>>> p = praise(corpus)                                                        # doctest: +SKIP
>>> p.loc[p.cue == "gott exempel", ["municipality", "area", "praised"]].head()  # doctest: +SKIP
"""
from __future__ import annotations

import re
from typing import Any

import pandas as pd

from ..model import Area, Report
from .cite import citation, page_of, source_file
from .cues import find_cues
from .names import municipality_names
from .sentences import clean, sentence_span

#: columns of :func:`praise`, in order
PRAISE_COLUMNS = ["report_id", "municipality", "year", "area", "area_title", "source", "kind", "finding_index",
                  "praised", "sentence", "cue", "cue_text", "generic", "other_municipality", "passage",
                  "passage_heading", "start", "end", "cue_start", "cue_end", "page", "file", "citation"]
#: a sentence with at most this many words besides the cue is a bare verdict ("Gott exempel.")
_BARE_WORDS = 2


def _locate(report: Report, pos: int) -> tuple[Area | None, Any, Any]:
    """(area, (index, finding) or None, passage or None) containing offset ``pos``."""
    for a in report.areas:
        if a.start is not None and a.end is not None and a.start <= pos < a.end:
            hit_f = next(((i, f) for i, f in enumerate(a.findings)
                          if f.start is not None and f.start <= pos < f.end), None)
            hit_p = next((p for p in a.passages if p.start is not None and p.start <= pos < p.end), None)
            return a, hit_f, hit_p
    return None, None, None


def _is_rubric(report: Report, sentence: str) -> bool:
    """True when ``sentence`` holds a rubric or sub-question title (a table of the framework, not praise:
    "Högsta cheferna som förebilder")."""
    low = sentence.casefold()
    titles = {t for a in report.areas for t in [*a.rubrics, *(q.text for q in a.subquestions)] if len(t) > 8}
    return any(t.casefold() in low for t in titles)


#: characters either side of a cue that its line is looked for in (a longer line — a whole transcript on
#: one line — is cut there, at a sentence end), so each mention costs O(window), not O(line)
LINE_WINDOW = 8000


def _line_bounds(text: str, pos: int) -> tuple[int, int]:
    """The line around ``pos``, at most :data:`LINE_WINDOW` characters either side (cut at a sentence end).

    >>> _line_bounds("Bra.\\nGott exempel.\\nSlut", 8)
    (5, 18)
    """
    w_lo, w_hi = max(0, pos - LINE_WINDOW), min(len(text), pos + LINE_WINDOW)
    nl = text.rfind("\n", w_lo, pos)
    lo = nl + 1 if nl >= 0 else w_lo
    hi = text.find("\n", pos, w_hi)
    hi = w_hi if hi < 0 else hi
    if lo == w_lo and lo > 0:  # cut inside a line: start after the first sentence end in the window
        m = _SENTENCE_END.search(text, lo, pos)
        lo = m.end() if m else lo
    if hi == w_hi and hi < len(text):
        m = None
        for m in _SENTENCE_END.finditer(text, pos, hi):
            pass
        hi = m.end() if m else hi
    return lo, hi


_SENTENCE_END = re.compile(r"[.!?](?=\s)\s*")


def _mention_row(report: Report, rid: str, cue) -> dict:
    text = report.text
    area, hit_f, passage = _locate(report, cue.start)
    if hit_f is not None:
        idx, f = hit_f
        lo, hi, source = f.start, f.end, "finding"
    elif passage is not None:
        lo, hi, source = passage.start, passage.end, "passage"
    else:
        (lo, hi), source = _line_bounds(text, cue.start), "text"
    s0, s1 = sentence_span(text, cue.start, lo, hi)
    sentence = clean(text[s0:s1])
    if hit_f is not None:
        p0, p1, praised = f.start, f.end, f.text
    else:
        p0, p1 = s0, s1
        if len(sentence.split()) - len(cue.text.split()) <= _BARE_WORDS and s0 > lo:  # "Gott exempel." alone
            p0 = sentence_span(text, max(lo, s0 - 2), lo, hi)[0]
        praised = clean(text[p0:p1])
    others = municipality_names(praised, exclude=report.municipality)
    generic = cue.generic or (source == "text" and _is_rubric(report, sentence))
    page = page_of(report, p0, (f.page if hit_f is not None else passage.page if passage is not None else None))
    file = source_file(report)
    return dict(
        report_id=rid, municipality=report.municipality, year=report.year,
        area=area.number if area is not None else None, area_title=area.title if area is not None else None,
        source=source, kind=f.kind if hit_f is not None else None, finding_index=idx if hit_f is not None else None,
        praised=praised, sentence=sentence, cue=cue.name, cue_text=cue.text, generic=generic,
        other_municipality=", ".join(others) or None,
        passage=(passage.text if passage is not None else clean(text[lo:hi]) if source == "text" else None),
        passage_heading=passage.heading if passage is not None else None,
        start=p0, end=p1, cue_start=cue.start, cue_end=cue.end, page=page, file=file,
        citation=citation(file, page, p0, p1))


def report_praise(report: Report, report_id: str) -> list[dict]:
    """The praise rows of one report (see :data:`PRAISE_COLUMNS`), in text order."""
    return [_mention_row(report, report_id, cue) for cue in find_cues(report.text)]


def praise(corpus: Any) -> pd.DataFrame:
    """Every praise mention in ``corpus`` (a :class:`~kompasstext.corpus.Corpus` or a list of reports).

    One row per cue occurrence: ``report_id``, ``municipality`` (of the report), ``area`` (None in the
    general/summary chapters), ``source`` ("finding" / "passage" / "text"), ``praised`` (the finding, or
    the sentence — with the one before it when the sentence is a bare "Gott exempel."), ``sentence``,
    ``cue`` and ``cue_text``, ``generic`` (good examples or role models mentioned, nothing praised:
    "sprida goda exempel", a rubric "Högsta cheferna som förebilder"), ``other_municipality`` (named in the praised text, comma-separated), ``passage``, and the
    citation (``start``/``end`` of ``praised`` in ``report.text``, ``page``, ``file``, ``citation``).

    >>> from kompasstext.model import Area, Finding, Report
    >>> text = "Område 1\\n- Heltidsprojektet inom äldreomsorgen. Gott exempel.\\n"
    >>> f = Finding("strength", "Heltidsprojektet inom äldreomsorgen. Gott exempel.", 1, start=11, end=62)
    >>> r = Report("Upplands-Bro", 2011, "2010", areas=[Area(1, "Demokrati", findings=[f], start=0, end=63)],
    ...            source="ub.txt", text=text)
    >>> praise([r])[["area", "source", "praised", "citation"]].values.tolist()
    [[1, 'finding', 'Heltidsprojektet inom äldreomsorgen. Gott exempel.', 'ub.txt, tecken 11–62']]
    """
    from ..corpus import report_id

    rows = [row for r in getattr(corpus, "reports", corpus) for row in report_praise(r, report_id(r))]
    df = pd.DataFrame(rows, columns=PRAISE_COLUMNS)
    for col in ("area", "finding_index", "page"):
        df[col] = df[col].astype("Int64")
    return df
