"""The concept map: one row per sub-question concept across the 2010, 2015 and 2020 catalogs.

``links/data/concepts.csv`` is reviewed data (read off the three catalogs, see each row's ``note``):
``concept_id, label, id_2010, id_2015, id_2020, related, note``.  An empty id means the revision has no
question of its own for the concept; ``related`` lists ``framework:id`` questions that partly cover it.
Every catalog id appears in exactly one row, so ``(framework, id) -> concept`` is a function.

>>> cm = concept_map()
>>> cm.loc[cm.concept_id == "demokrati.resultat", ["id_2010", "id_2015", "id_2020"]].values.tolist()
[['1.3', '1.3', '1.4']]
>>> concept_of("2020", "1.4"), concept_of("2015", "1.3")
('demokrati.resultat', 'demokrati.resultat')
>>> subquestion_for("demokrati.dialog", "2020")
'1.3'
>>> related_subquestions("samhalle.kultur", "2020")
['2.4']
"""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

DATA = Path(__file__).resolve().parent / "data" / "concepts.csv"
CONCEPT_COLUMNS = ["concept_id", "label", "id_2010", "id_2015", "id_2020", "related", "note"]


@lru_cache(maxsize=None)
def _rows() -> tuple[dict[str, str], ...]:
    import csv

    with DATA.open(encoding="utf-8", newline="") as fh:
        return tuple(dict(r) for r in csv.DictReader(fh))


def concept_map() -> "pd.DataFrame":
    """The concept map as a DataFrame (columns :data:`CONCEPT_COLUMNS`; empty id = ``""``)."""
    import pandas as pd

    return pd.DataFrame(list(_rows()), columns=CONCEPT_COLUMNS)


@lru_cache(maxsize=None)
def _index() -> dict[tuple[str, str], str]:
    out: dict[tuple[str, str], str] = {}
    for r in _rows():
        for fw in ("2010", "2015", "2020"):
            if r[f"id_{fw}"]:
                out[(fw, r[f"id_{fw}"])] = r["concept_id"]
    return out


def concept_of(framework: str | None, subquestion: str | None) -> str | None:
    """The concept of sub-question ``subquestion`` of revision ``framework`` (None if unknown)."""
    if framework is None or subquestion is None:
        return None
    return _index().get((str(framework), str(subquestion)))


def subquestion_for(concept: str | None, framework: str | None) -> str | None:
    """The sub-question id of ``concept`` in revision ``framework`` (None when it has none)."""
    for r in _rows():
        if r["concept_id"] == concept and framework is not None:
            return r.get(f"id_{framework}") or None
    return None


def related_subquestions(concept: str | None, framework: str | None) -> list[str]:
    """Ids of revision ``framework`` that partly cover ``concept`` (the ``related`` column)."""
    for r in _rows():
        if r["concept_id"] == concept:
            out = []
            for item in filter(None, r["related"].split(";")):
                fw, _, q = item.partition(":")
                if fw == framework:
                    out.append(q)
            return out
    return []


def concept_labels() -> dict[str, str]:
    """``concept_id -> label``."""
    return {r["concept_id"]: r["label"] for r in _rows()}
