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

from .boundary import BoundaryModel, Segmentation, boundaries, decode, split_text, use_model
from .features import NameEvidence
from .overrides import Overrides, active_overrides, use_overrides

__all__ = ["segment_spans", "segment_excerpt", "segment_flat", "split_text", "decode", "boundaries", "BoundaryModel",
           "Segmentation", "NameEvidence", "use_model", "Overrides", "use_overrides"]


@lru_cache(maxsize=8)
def _names_for(context: str) -> NameEvidence:
    return NameEvidence(context)


def _trim(chunk: str, a: int, b: int) -> tuple[int, int]:
    while a < b and chunk[a].isspace():
        a += 1
    while b > a and chunk[b - 1].isspace():
        b -= 1
    return a, b


def segment_flat(text: str, *, names: NameEvidence | None = None, breaks=(), model: BoundaryModel | None = None,
                 with_confidence: bool = False) -> list[tuple[int, int]] | list[tuple[int, int, float]]:
    """Item spans of the run-on list ``text``; ``breaks`` are offsets of tokens after a page break.
    ``with_confidence=True`` adds each item's confidence (see :meth:`Segmentation.item_confidence`).

    >>> text = "Tydlig vision Utveckla rutiner"
    >>> segment_flat(text, with_confidence=True)[0][:2]
    (0, 13)
    """
    ov = active_overrides()
    forced, forbidden = ov.constraints(text) if ov else (frozenset(), frozenset())
    seg = decode(text, model=model or BoundaryModel.load(), names=names or NameEvidence(""), breaks=breaks,
                 forced=forced, forbidden=forbidden)
    cuts = [0] + seg.cuts() + [len(text)]
    conf = seg.item_confidence()
    spans = []
    for k, (a, b) in enumerate(zip(cuts, cuts[1:])):
        a, b = _trim(text, a, b)
        if b > a:
            spans.append((a, b, conf[k]) if with_confidence else (a, b))
    return spans


def _segment(text: str, start: int, end: int, context: str | None, *,
             names: NameEvidence | None = None, breaks=(), with_confidence: bool = False):
    if names is None:
        names = _names_for(context) if context else NameEvidence("")
    chunk = text[start:end]
    spans = segment_flat(chunk, names=names, breaks=[b - start for b in breaks], with_confidence=with_confidence)
    return [(start + s[0], start + s[1], *s[2:]) for s in spans]


def segment_spans(text: str, start: int = 0, end: int | None = None, *, context: str | None = None,
                  with_confidence: bool = False) -> list[tuple[int, int]] | list[tuple[int, int, float]]:
    """Spans ``(start, end)`` of the items of the run-on list ``text[start:end]``.

    ``context`` is the report's prose (its text with the list regions blanked), the evidence of which
    capitalised words are names and which words belong together; it defaults to ``text`` with this list
    blanked.
    """
    end = len(text) if end is None else end
    if context is None:  # the report minus this list (the whole text's evidence is built once, cached)
        return _segment(text, start, end, None, names=_names_for(text).minus(NameEvidence(text[start:end])),
                        with_confidence=with_confidence)
    return _segment(text, start, end, context, with_confidence=with_confidence)


def segment_excerpt(excerpt, *, context: str | None = None, with_confidence: bool = False):
    """Item spans in an :class:`~kompasstext.readers.excerpt.Excerpt`'s own text; the joins between its
    pieces (where a page header was left out) are page breaks."""
    breaks = [off for off, _, _ in excerpt.pieces[1:]]
    return _segment(excerpt.text, 0, len(excerpt.text), context, breaks=breaks, with_confidence=with_confidence)
