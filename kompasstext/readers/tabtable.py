"""Reader "tabtable": tab tables under ``Styrkor<TAB>Förbättringsmöjligheter`` headers without bullets, in
three shapes: a run-on row (items flattened, split by :func:`kompasstext.segmentation.segment_spans`),
``<p>`` cells (one item per paragraph) and one row per line (strength TAB improvement, either may be empty).

>>> from kompasstext.readers.source import SourceText
>>> doc = SourceText.from_string("Område 6 Kvalitet\\n\\nStyrkor\\tFörbättringsmöjligheter\\n"
...                              "Långtgående delegering\\tFortsätt utveckla\\nKundval 2.0\\t\\n")
>>> [(f.kind, f.text) for f in TabTableReader().read(doc).areas[0].findings]
[('strength', 'Långtgående delegering'), ('strength', 'Kundval 2.0'), ('improvement', 'Fortsätt utveckla')]
"""
from __future__ import annotations

from ..model import Report
from .assemble import assemble_report
from .base import register_reader
from .source import SourceText
from .tabular import looks_like_transcript, read_table_body, structure_features


@register_reader("tabtable")
class TabTableReader:
    """Area headings + Rubriker/Poäng boxes + bullet-less list tables."""

    name = "tabtable"

    def sniff(self, doc: SourceText) -> float:
        f = structure_features(doc)
        if looks_like_transcript(f) or not f.table_headers:
            return 0.0
        rows = f.bullet_rows + f.p_rows + f.plain_rows
        if not rows:
            return 0.2
        share = (f.p_rows + f.plain_rows) / rows
        base = 0.5 + 0.4 * share if share > 0.5 else 0.3 * share
        return round(base * (1.0 if f.area_headings else 0.5), 3)

    def read(self, doc: SourceText) -> Report:
        return assemble_report(doc, self.name, read_table_body)
