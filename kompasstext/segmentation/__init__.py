"""Segmentation of run-on (flattened, bullet-less) lists into single findings.

``segment_spans(text, start, end)`` returns the ``(start, end)`` character spans of the items in
``text[start:end]``.
"""
from __future__ import annotations

import re

_CAND = re.compile(r"\s+(?=[A-ZÅÄÖ])")


def segment_spans(text: str, start: int = 0, end: int | None = None) -> list[tuple[int, int]]:
    """Provisional splitter (to be replaced by the learned spaCy component)."""
    end = len(text) if end is None else end
    spans, s = [], start
    while s < end and text[s].isspace():
        s += 1
    for m in _CAND.finditer(text, s, end):
        prev = text[s:m.start()].split()
        if prev and prev[-1].lower() not in {"och", "med", "av", "i", "för", "som", "till", "om", "på"}:
            spans.append((s, m.start()))
            s = m.end()
    if s < end:
        e = end
        while e > s and text[e - 1].isspace():
            e -= 1
        spans.append((s, e))
    return spans
