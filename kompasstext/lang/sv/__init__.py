"""Swedish language data used by the readers and the segmenter (data lives in the JSON/TXT files here).

>>> "Styrkor" in list_headings()["strength"]
True
"""
from __future__ import annotations

import json
import re
from functools import lru_cache
from pathlib import Path

_HERE = Path(__file__).parent


@lru_cache(maxsize=None)
def _load(name: str) -> dict:
    return json.loads((_HERE / name).read_text(encoding="utf-8"))


def list_headings() -> dict[str, list[str]]:
    """``{"strength": [...], "improvement": [...]}`` list-heading words."""
    d = _load("list_headings.json")
    return {"strength": list(d["strength"]), "improvement": list(d["improvement"])}


@lru_cache(maxsize=None)
def list_heading_pattern() -> re.Pattern:
    """A regex matching any list heading word (case-insensitive), group ``word``."""
    words = sorted((w for ws in list_headings().values() for w in ws), key=len, reverse=True)
    return re.compile(r"(?<![\w-])(?P<word>" + "|".join(map(re.escape, words)) + r")(?![\w-])", re.I)


def heading_kind(word: str, *, header: bool = False) -> str | None:
    """``"strength"``/``"improvement"`` for a list-heading word, else None; ``header=True`` also accepts
    the phrases that count only as a whole table-header cell or heading ("Att utveckla")."""
    w = " ".join(word.split()).casefold()
    d = _load("list_headings.json")
    for kind in ("strength", "improvement"):
        words = d[kind] + (d["header_only"][kind] if header else [])
        if w in {x.casefold() for x in words}:
            return kind
    return None


def abbreviations() -> dict[str, set[str]]:
    d = _load("abbreviations.json")
    return {"introducing": set(d["introducing"]), "closing": set(d["closing"])}
