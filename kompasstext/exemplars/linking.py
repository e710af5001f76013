"""The linked sub-question of every finding, from :mod:`kompasstext.links` when it is available.

``Corpus.links`` (which caches ``link_findings(corpus)``) is used when the corpus has it.  Without the
links stage (not installed, or failing on this corpus: then also a ``KompassWarning``) every finding
gets empty sub-question columns and a note saying why: ranking then has no score component.

>>> cols, note = LINK_COLUMNS, None
>>> cols[:2]
['subquestion', 'subquestion_text']
"""
from __future__ import annotations

import warnings
from typing import Any

import pandas as pd

from ..errors import KompassWarning
from ..model import FINDING_KEY

#: the sub-question columns added to ranked findings
LINK_COLUMNS = ["subquestion", "subquestion_text", "achieved", "max", "percent", "link_confidence"]
_KEYS = FINDING_KEY


def _subquestion_texts(corpus: Any) -> dict[tuple[str, int, str], str]:
    sc = corpus.scores
    return {(r, int(a), str(q)): t for r, a, q, t in zip(sc["report_id"], sc["area"], sc["subquestion"],
                                                         sc["subquestion_text"])}


def linked_findings(corpus: Any, findings: pd.DataFrame) -> tuple[pd.DataFrame, str | None]:
    """``(frame aligned to findings' rows with LINK_COLUMNS, note or None)``."""
    empty = pd.DataFrame({c: [None] * len(findings) for c in LINK_COLUMNS}, index=findings.index)
    try:
        if hasattr(corpus, "links"):  # Corpus caches link_findings(corpus)
            linked = corpus.links
        else:
            from ..links import link_findings

            linked = link_findings(corpus)
    except ImportError as exc:
        return empty, f"links unavailable ({exc}): score component 0 for every finding"
    except Exception as exc:  # an unfinished or failing links stage must not take examples down with it
        note = f"links failed ({type(exc).__name__}: {exc}): score component 0 for every finding"
        warnings.warn(note, KompassWarning, stacklevel=3)
        return empty, note
    linked = getattr(linked, "findings", linked)
    need = {"subquestion", "percent"}
    if not isinstance(linked, pd.DataFrame) or need - set(linked.columns):
        return empty, "links returned no subquestion/percent columns: score component 0 for every finding"
    keys = [k for k in _KEYS if k in linked.columns]
    cols = [c for c in LINK_COLUMNS if c in linked.columns]
    merged = findings[_KEYS].merge(linked[keys + cols].drop_duplicates(keys), on=keys, how="left")
    merged.index = findings.index
    out = empty.copy()
    for c in cols:
        out[c] = merged[c].astype(object).where(merged[c].notna(), None)
    if "subquestion_text" not in cols:
        texts = _subquestion_texts(corpus)
        out["subquestion_text"] = [texts.get((r, int(a), str(q))) if q is not None else None
                                   for r, a, q in zip(findings["report_id"], findings["area"], out["subquestion"])]
    if "link_confidence" not in cols:
        out["link_confidence"] = [1.0 if q is not None else None for q in out["subquestion"]]
    return out, None
