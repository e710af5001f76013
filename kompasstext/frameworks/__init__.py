"""The Kommunkompassen framework revisions ("2010", "2015", "2020") as catalogs of areas and sub-questions,
and deciding which revision a report was evaluated with.

The catalogs (``frameworks/data/<revision>.json``) were derived from the score tables of real reports:
2010 from a 2011 report, 2015 (version 2.1) from 2017–2018 reports, 2020 from a 2021 report.

>>> sorted(FRAMEWORKS)
['2010', '2015', '2020']
>>> df = catalog("2020")
>>> df.loc[df.id == "1.1", ["area", "text", "max"]].values.tolist()
[[1, 'Strategi för demokratiutveckling och information', 20]]
"""
from __future__ import annotations

import json
import re
import unicodedata
from difflib import SequenceMatcher
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

from ..model import Diagnostic, Report, SubQuestion

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

DATA = Path(__file__).resolve().parent / "data"
FRAMEWORKS = ("2010", "2015", "2020")
#: text similarity (0–1) at which a sub-question counts as the catalog's
MATCH_THRESHOLD = 0.6
#: below this share of matched sub-questions, or this margin to the runner-up, the revision is uncertain
MIN_SHARE, MIN_MARGIN = 0.6, 0.15


@lru_cache(maxsize=None)
def load(framework: str) -> dict:
    """The catalog of one revision (areas with ``title``, ``alt_titles`` and ``subquestions``)."""
    if framework not in FRAMEWORKS:
        from ..errors import KompassError

        raise KompassError("E006", detail=f"unknown framework {framework!r}; known: {list(FRAMEWORKS)}")
    return json.loads((DATA / f"{framework}.json").read_text(encoding="utf-8"))


def catalog(framework: str) -> "pd.DataFrame":
    """The sub-questions of a revision: columns framework, area, area_title, id, text, max."""
    import pandas as pd

    cat = load(framework)
    rows = [{"framework": framework, "area": a["number"], "area_title": a["title"], "id": q["id"],
             "text": q["text"], "max": q["max"]} for a in cat["areas"] for q in a["subquestions"]]
    return pd.DataFrame(rows, columns=["framework", "area", "area_title", "id", "text", "max"])


@lru_cache(maxsize=65536)
def _norm(s: str) -> str:
    s = unicodedata.normalize("NFC", s or "").casefold()
    s = re.sub(r"[^\w\s]", " ", s)
    return " ".join(s.split())


@lru_cache(maxsize=262144)
def similarity(a: str, b: str) -> float:
    """Character-level similarity of two normalised texts (0–1); cached, since the same question texts
    recur in every report of a revision."""
    a, b = _norm(a), _norm(b)
    if not a or not b:
        return 0.0
    return SequenceMatcher(None, a, b, autojunk=False).ratio()


def match_subquestion(q: SubQuestion, framework: str) -> tuple[dict | None, float]:
    """The catalog entry a report sub-question corresponds to (same id, same max, similar text), with the
    similarity; ``(None, best)`` if none qualifies."""
    area = q.id.split(".")[0]
    best, best_sim = None, 0.0
    for a in load(framework)["areas"]:
        if str(a["number"]) != area:
            continue
        for entry in a["subquestions"]:
            sim = max(similarity(q.text, t) for t in [entry["text"], *entry.get("alt_texts", [])])
            if entry["id"] == q.id:
                sim += 0.05  # same position: prefer it on ties
            if q.max is not None and entry["max"] != q.max:
                sim -= 0.2
            if sim > best_sim:
                best, best_sim = entry, sim
    return (best, best_sim) if best_sim >= MATCH_THRESHOLD else (None, best_sim)


def _table_scores(report: Report) -> dict[str, float]:
    qs = [q for a in report.areas for q in a.subquestions]
    if not qs:
        return {}
    return {fw: sum(match_subquestion(q, fw)[0] is not None for q in qs) / len(qs) for fw in FRAMEWORKS}


def _title_scores(report: Report) -> dict[str, float]:
    if not report.areas:
        return {}
    out = {}
    for fw in FRAMEWORKS:
        areas = {a["number"]: a for a in load(fw)["areas"]}
        sims = []
        for a in report.areas:
            cat = areas.get(a.number)
            sims.append(max(similarity(a.title, t) for t in [cat["title"], *cat["alt_titles"]]) if cat else 0.0)
        out[fw] = sum(sims) / len(sims)
    return out


def _best(scores: dict[str, float]) -> tuple[str, float, float]:
    ranked = sorted(scores.items(), key=lambda kv: -kv[1])
    second = ranked[1][1] if len(ranked) > 1 else 0.0
    return ranked[0][0], ranked[0][1], ranked[0][1] - second


def assign_framework(report: Report) -> str | None:
    """Decide ``report.framework`` (kept if a reader already set it): the scored sub-question table first
    (ids, texts and maxima matched against each catalog), else the area titles.  Adds W106 when the
    decision is uncertain or the headings point elsewhere, and W110 for each sub-question that matches no
    entry of the chosen catalog."""
    diags = report.diagnostics
    table, titles = _table_scores(report), _title_scores(report)
    chosen = report.framework
    if chosen is None and table:
        fw, share, margin = _best(table)
        chosen = fw
        if share < MIN_SHARE or margin < MIN_MARGIN:
            diags.append(Diagnostic("W106", f"framework {fw} chosen from the score table, but only "
                                    f"{share:.0%} of its sub-questions match (runner-up {margin:.0%} behind)"))
    elif chosen is None and titles:
        fw, score, margin = _best(titles)
        if score < 0.5:
            diags.append(Diagnostic("W106", "no score table and the area titles match no framework"))
            return None
        chosen = fw
        if margin < 0.02:
            diags.append(Diagnostic("W106", f"framework {fw} chosen from the area titles alone; "
                                    "the revisions' titles are nearly the same here"))
    if chosen is None:
        return None
    if titles:
        tfw, tscore, tmargin = _best(titles)
        if tfw != chosen and tmargin >= 0.02:
            diff = [a for a in report.areas
                    if max(similarity(a.title, t) for t in _titles(tfw, a.number)) >
                    max(similarity(a.title, t) for t in _titles(chosen, a.number))]
            where = ", ".join(f"area {a.number} '{a.title}'" for a in diff[:3])
            diags.append(Diagnostic("W106", f"the area headings look like framework {tfw} ({where}) but the "
                                    f"score table is framework {chosen}; the score table decides"))
    report.framework = chosen  # type: ignore[assignment]
    for a in report.areas:
        for q in a.subquestions:
            entry, sim = match_subquestion(q, chosen)
            if entry is None:
                diags.append(Diagnostic("W110", f"sub-question {q.id} '{q.text}' (max {q.max}) is not in the "
                                        f"{chosen} catalog (best similarity {sim:.2f})", area=a.number,
                                        start=q.start, end=q.end))
    return chosen


def _titles(fw: str, number: int) -> list[str]:
    for a in load(fw)["areas"]:
        if a["number"] == number:
            return [a["title"], *a["alt_titles"]]
    return [""]
