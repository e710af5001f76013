"""Excerpts: text assembled from pieces of a source, with a map back to source offsets.

A list that runs over a page break is one excerpt of two pieces (the page header between them left out);
segmentation works on the excerpt's text and its spans are mapped back to the source.

>>> src = "Styrkor A och B HEADER 2 C"
>>> ex = Excerpt.from_pieces(src, [(8, 15), (25, 26)])
>>> ex.text
'A och B C'
>>> ex.to_source(8, 9)
(25, 26)
"""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Excerpt:
    text: str
    #: for each piece: (offset in excerpt text, source start, source end)
    pieces: tuple[tuple[int, int, int], ...]

    @classmethod
    def from_pieces(cls, source: str, spans: list[tuple[int, int]], *, sep: str = " ") -> "Excerpt":
        parts, pieces, pos = [], [], 0
        for s, e in spans:
            if e <= s:
                continue
            if parts:
                parts.append(sep)
                pos += len(sep)
            pieces.append((pos, s, e))
            parts.append(source[s:e])
            pos += e - s
        return cls("".join(parts), tuple(pieces))

    def source_offset(self, i: int, *, end: bool = False) -> int:
        """Source offset of excerpt offset ``i`` (``end=True``: of an exclusive end)."""
        best = None
        for off, s, e in self.pieces:
            if off <= i <= off + (e - s):
                if end and i == off and best is not None:
                    return best
                best = s + (i - off)
                if not end or i < off + (e - s):
                    return best
            elif i < off:  # inside a separator: snap to the next piece (start) or previous end
                return s if not end else (best if best is not None else s)
            else:
                best = e
        return best if best is not None else 0

    def to_source(self, start: int, end: int) -> tuple[int, int]:
        return self.source_offset(start), self.source_offset(end, end=True)
