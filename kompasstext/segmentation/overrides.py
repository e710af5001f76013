"""Analyst corrections of the segmenter, kept outside the report so that they survive re-reading.

An :class:`Overrides` holds text anchors: ``split_before`` (an item starts where this text starts) and
``join`` (no item boundary inside this text).  They are applied as hard constraints to every run-on list
that contains an anchor, while the block is active, and can be kept in a JSON file beside the reports.

>>> from kompasstext.segmentation import split_text
>>> ov = Overrides(join=["Informationsmaterial såsom Kommunnytt"], split_before=["Enkäter till"])
>>> with use_overrides(ov):
...     split_text("Informationsmaterial såsom Kommunnytt Bra dialog kopplat till detta Enkäter till alla")
['Informationsmaterial såsom Kommunnytt', 'Bra dialog kopplat till detta', 'Enkäter till alla']

File form (``Overrides.load(path)`` / ``.save(path)``)::

    {"split_before": ["Enkäter till nyinflyttade"], "join": ["En gemensam värdegrund Kompassrosen"]}
"""
from __future__ import annotations

import contextvars
import json
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator

from ..errors import ReportFormatError


@dataclass(frozen=True)
class Overrides:
    """Forced (``split_before``) and forbidden (``join``) item boundaries, by text anchor."""

    split_before: tuple[str, ...] = field(default_factory=tuple)
    join: tuple[str, ...] = field(default_factory=tuple)

    def __post_init__(self) -> None:
        object.__setattr__(self, "split_before", tuple(" ".join(t.split()) for t in self.split_before if t.strip()))
        object.__setattr__(self, "join", tuple(" ".join(t.split()) for t in self.join if t.strip()))

    def __repr__(self) -> str:
        return f"Overrides({len(self.split_before)} split_before, {len(self.join)} join)"

    @classmethod
    def load(cls, path: str | Path) -> "Overrides":
        """Read an overrides JSON file (typed error E006 naming the file when it is not one)."""
        try:
            data = json.loads(Path(path).read_text(encoding="utf-8"))
            if not isinstance(data, dict):
                raise ValueError("not a JSON object")
            return cls(split_before=tuple(map(str, data.get("split_before", []))),
                       join=tuple(map(str, data.get("join", []))))
        except (OSError, ValueError) as exc:
            raise ReportFormatError("E006", path, f"segmentation overrides unreadable: {exc}") from None

    def save(self, path: str | Path) -> None:
        data = {"split_before": list(self.split_before), "join": list(self.join)}
        Path(path).write_text(json.dumps(data, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")

    def constraints(self, text: str) -> tuple[frozenset[int], frozenset[int]]:
        """``(forced, forbidden)`` character offsets of token starts in ``text`` (whitespace-normalised
        matching: the anchors match across line breaks and double spaces)."""
        import re

        forced, forbidden = set(), set()
        for anchor in self.split_before:
            for m in re.finditer(r"\s+".join(map(re.escape, anchor.split())), text):
                forced.add(m.start())
        for anchor in self.join:
            for m in re.finditer(r"\s+".join(map(re.escape, anchor.split())), text):
                for t in re.finditer(r"(?<=\s)\S", text[m.start():m.end()]):
                    forbidden.add(m.start() + t.start())
        return frozenset(forced), frozenset(forbidden - forced)


_ACTIVE: contextvars.ContextVar[Overrides | None] = contextvars.ContextVar("kompass_overrides", default=None)


def active_overrides() -> Overrides | None:
    return _ACTIVE.get()


@contextmanager
def use_overrides(overrides: Overrides | str | Path) -> Iterator[Overrides]:
    """Apply analyst corrections to every list segmented inside the block (``read_report``,
    ``read_corpus`` …); a path is read with :meth:`Overrides.load`."""
    ov = overrides if isinstance(overrides, Overrides) else Overrides.load(overrides)
    token = _ACTIVE.set(ov)
    try:
        yield ov
    finally:
        _ACTIVE.reset(token)
