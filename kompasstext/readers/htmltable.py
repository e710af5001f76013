"""Reader "htmltable": HTML-ish conversions whose ``Styrkor<TAB>Förbättringsmöjligheter`` tables hold
``<ul>`` cells with ``•`` bullets (left cell strengths, right cell improvements), rows split over page breaks.

>>> from kompasstext.readers.source import SourceText
>>> doc = SourceText.from_string("Område 1 Demokrati\\n\\nStyrkor\\tFörbättringsmöjligheter\\n"
...                              "<ul>• Bra webb • Tydlig\\t<ul>• Följ upp. Gärna\\n\\n• Dialog\\t<p>med andra</p>\\n")
>>> r = HtmlTableReader().read(doc)
>>> [(f.kind, f.text) for f in r.areas[0].findings]
[('strength', 'Bra webb'), ('strength', 'Tydlig'), ('strength', 'Dialog'), ('improvement', 'Följ upp. Gärna med andra')]
"""
from __future__ import annotations

from ..model import Report
from .assemble import assemble_report
from .base import register_reader
from .source import SourceText
from .tabular import looks_like_transcript, read_table_body, structure_features


@register_reader("htmltable")
class HtmlTableReader:
    """Area headings + Rubriker/Poäng boxes + bulleted list tables."""

    name = "htmltable"

    def sniff(self, doc: SourceText) -> float:
        f = structure_features(doc)
        if looks_like_transcript(f) or not f.table_headers:
            return 0.0
        rows = f.bullet_rows + f.p_rows + f.plain_rows
        share = f.bullet_rows / rows if rows else 0.0
        base = 0.5 + 0.4 * share if share >= 0.5 else 0.3 * share
        return round(base * (1.0 if f.area_headings else 0.5), 3)

    def read(self, doc: SourceText) -> Report:
        return assemble_report(doc, self.name, read_table_body)
