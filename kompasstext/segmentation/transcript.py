"""Render a report (its gold extraction) as a docplayer transcript, for out-of-sample reading tests.

Docplayer transcripts are the archive's most common shape, and only one bundled report has it.  This
writes any report in that shape — a ``Transkript:`` marker, then one line per PDF page that starts with
a running header ``<organisation> <date> N (M)``, area headings ``Område N <title> Rubriker … Poäng NN``,
the narrative, the lists under ``Styrkor`` / ``Förbättringsområden`` flattened without bullets, and the
score overview (``Översikt av poängfördelning``) — with pages broken at a fixed length wherever that falls,
mid-item included.  :mod:`.evaluate` reads the result with the docplayer reader and a boundary model
trained without the report.

>>> gold = {"municipality": "Exempel", "year": 2017, "evaluators": ["A B"], "areas": [{"number": 1,
...   "title": "Offentlighet och demokrati", "score": 50, "subquestions": [], "findings": [
...   {"kind": "strength", "text": "Tydlig vision"}, {"kind": "improvement", "text": "Utveckla rutiner"}]}]}
>>> text = render_transcript(gold, narrative={1: ["Kommunen har en plan."]}, rubrics={1: ["Information"]})
>>> "Område 1 Offentlighet och demokrati Rubriker Information Poäng 50" in text
True
"""
from __future__ import annotations

from typing import Mapping, Sequence

#: characters per transcript page line (a PDF page of running text)
PAGE_CHARS = 2600
HEADER = "Sveriges Kommuner och Landsting {date} {page} ({pages})"


def _area_text(area: dict, narrative: Sequence[str], rubrics: Sequence[str]) -> str:
    items = {k: [" ".join(f["text"].split()) for f in area["findings"] if f["kind"] == k]
             for k in ("strength", "improvement")}
    parts = [f"Område {area['number']} {area['title']} Rubriker {' '.join(rubrics)} Poäng {area['score']}",
             "Allmänt", " ".join(narrative)]
    if items["strength"]:
        parts += ["Styrkor", " ".join(items["strength"])]
    if items["improvement"]:
        parts += ["Förbättringsområden", " ".join(items["improvement"])]
    return " ".join(p for p in parts if p)


def _scores_text(gold: dict) -> str:
    out = ["4. Översikt av poängfördelning Nedanstående tabeller visar kommunens resultat fördelat på delfrågor "
           "inom respektive område."]
    for a in gold["areas"]:
        if not a.get("subquestions"):
            continue
        out.append(f"{a['number']}. {a['title']} Uppnått Max Procent")
        for q in a["subquestions"]:
            pct = f" {q['percent']}%" if q.get("percent") is not None else ""
            out.append(f"{q['id']} {q['text']} {q['achieved']} {q['max']}{pct}")
        total_max = sum(q["max"] or 0 for q in a["subquestions"])
        out.append(f"{a['score']} {total_max} {round(100 * a['score'] / total_max) if total_max else 0}%")
    return " ".join(out)


def render_transcript(gold: dict, *, narrative: Mapping[int, Sequence[str]] = {},
                      rubrics: Mapping[int, Sequence[str]] = {}, page_chars: int = PAGE_CHARS,
                      date: str = "2017-05-10") -> str:
    """The docplayer transcript of ``gold`` (a gold-schema report dict) with the given narrative passages
    and rubric names per area number."""
    title = (f"KommunKompassen ANALYS AV {gold['municipality'].upper()} KOMMUN {gold['year']}. "
             f"Utvärderare: {', '.join(gold.get('evaluators') or [])}")
    intro = (f"1 Inledning Utvärderingen av {gold['municipality']} kommun genomfördes år {gold['year']} "
             "enligt Kommunkompassen.")
    body = " ".join([intro, "3 Resultat per område"]
                    + [_area_text(a, narrative.get(a["number"], []), rubrics.get(a["number"], []))
                       for a in gold["areas"]] + [_scores_text(gold)])
    words, pages, cur = body.split(" "), [], []
    size = 0
    for w in words:
        if size + len(w) + 1 > page_chars and cur:
            pages.append(" ".join(cur))
            cur, size = [], 0
        cur.append(w)
        size += len(w) + 1
    if cur:
        pages.append(" ".join(cur))
    n = len(pages) + 1
    lines = [title, "", "Transkript:", ""]
    for k, p in enumerate(pages, start=2):
        lines += [HEADER.format(date=date, page=k, pages=n) + " " + p, ""]
    return "\n".join(lines)
