"""A strict scorer of a parsed report against its gold (exact texts, one-to-one within area and kind)."""
from __future__ import annotations

from collections import Counter


def finding_f1(pred: dict, gold: dict) -> tuple[float, list, list]:
    """Exact-text F1 over findings grouped by (area, kind); returns (f1, missed, spurious)."""
    def bag(rep):
        c = Counter()
        for a in rep["areas"]:
            for f in a["findings"]:
                c[(int(a["number"]), f["kind"], " ".join(f["text"].split()))] += 1
        return c
    p, g = bag(pred), bag(gold)
    tp = sum((p & g).values())
    n_p, n_g = sum(p.values()), sum(g.values())
    f1 = 2 * tp / (n_p + n_g) if n_p + n_g else 1.0
    return f1, sorted((g - p).elements()), sorted((p - g).elements())


def subquestion_rows(rep: dict) -> set:
    return {(int(a["number"]), q["id"], q["achieved"], q["max"], q["percent"])
            for a in rep["areas"] for q in a["subquestions"]}


def meta(rep: dict) -> tuple:
    return (rep["municipality"], int(rep["year"]), rep["framework"],
            frozenset(e.casefold() for e in rep["evaluators"]), rep["total_score"])


def areas(rep: dict) -> list[tuple]:
    return [(int(a["number"]), " ".join(a["title"].split()), a["score"]) for a in rep["areas"]]


def headings(rep: dict) -> list[tuple]:
    return [(int(a["number"]), f["kind"], f["text"], f.get("heading")) for a in rep["areas"] for f in a["findings"]]
