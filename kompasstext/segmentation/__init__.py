"""Segmentation of run-on (flattened, bullet-less) lists into single findings.

>>> from kompasstext.segmentation import segment_spans
>>> text = "Styrkor Tydlig vision Enkelt att nå politikerna Utveckla rutiner för uppföljning"
>>> [text[s:e] for s, e in segment_spans(text, 8)]
['Tydlig vision', 'Enkelt att nå politikerna', 'Utveckla rutiner för uppföljning']

The decisions come from :class:`~kompasstext.segmentation.boundary.BoundaryModel`, learned from
explicitly delimited lists (``python -m kompasstext.segmentation.train``); the same logic is available
as a spaCy component (``nlp.add_pipe("kompass_list_segmenter")``, see :mod:`.component`).
"""
from __future__ import annotations

from functools import lru_cache

from .boundary import BoundaryModel, boundaries, split_text
from .features import NameEvidence

__all__ = ["segment_spans", "segment_excerpt", "split_text", "BoundaryModel", "NameEvidence"]


@lru_cache(maxsize=8)
def _names_for(context: str) -> NameEvidence:
    return NameEvidence(context)


def _segment(text: str, start: int, end: int, context: str | None, *,
             names: NameEvidence | None = None) -> list[tuple[int, int]]:
    if names is None:
        names = _names_for(context) if context else NameEvidence("")
    chunk = text[start:end]
    cuts = [0] + boundaries(chunk, model=BoundaryModel.load(), names=names) + [len(chunk)]
    spans = []
    for a, b in zip(cuts, cuts[1:]):
        while a < b and chunk[a].isspace():
            a += 1
        while b > a and chunk[b - 1].isspace():
            b -= 1
        if b > a:
            spans.append((start + a, start + b))
    return spans


def segment_spans(text: str, start: int = 0, end: int | None = None, *, context: str | None = None
                  ) -> list[tuple[int, int]]:
    """Spans ``(start, end)`` of the items of the run-on list ``text[start:end]``.

    ``context`` is the report's prose (its text with the list regions blanked), the evidence of which
    capitalised words are names and which words belong together; it defaults to ``text`` with this list
    blanked.
    """
    end = len(text) if end is None else end
    if context is None:  # the report minus this list (the whole text's evidence is built once, cached)
        return _segment(text, start, end, None, names=_names_for(text).minus(NameEvidence(text[start:end])))
    return _segment(text, start, end, context)


def segment_excerpt(excerpt, *, context: str | None = None) -> list[tuple[int, int]]:
    """Item spans in an :class:`~kompasstext.readers.excerpt.Excerpt`'s own text."""
    return _segment(excerpt.text, 0, len(excerpt.text), context)
