"""Links between what evaluators wrote and how they scored: findings → sub-questions, a concept map
across framework revisions, themes against scores, and theme matrices.

>>> from kompasstext.links import concept_map, concept_of
>>> concept_of("2020", "1.4")
'demokrati.resultat'
"""
from __future__ import annotations

from .concepts import concept_map, concept_of, related_subquestions, subquestion_for
from .linker import LINK_COLUMNS, LinkWeights, link_findings

__all__ = ["LINK_COLUMNS", "LinkWeights", "concept_map", "concept_of", "framework_matrix", "link_findings",
           "related_subquestions", "score_links", "subquestion_for", "theme_crosstab"]


def __getattr__(name: str):
    if name == "score_links":
        from .stats import score_links

        return score_links
    if name in ("framework_matrix", "theme_crosstab"):
        from . import matrix

        return getattr(matrix, name)
    raise AttributeError(f"module 'kompasstext.links' has no attribute {name!r}")
