"""kompasstext — text mining of the qualitative findings in Swedish Kommunkompassen evaluation reports.

>>> import kompasstext as kt
>>> corpus = kt.read_corpus("corpora/kommunkompassen")          # doctest: +SKIP
>>> corpus.findings.groupby(["municipality", "kind"]).size()    # doctest: +SKIP

Heavy dependencies (torch, sentence-transformers) are imported only when an embedding is asked for.
"""
from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING

__version__ = "0.1.0"

# public name -> module that defines it (imported on first use, so `import kompasstext` stays light)
_LAZY = {
    "read_report": "kompasstext.readers",
    "read_text": "kompasstext.readers",
    "read_corpus": "kompasstext.corpus",
    "Corpus": "kompasstext.corpus",
    "Report": "kompasstext.model",
    "Area": "kompasstext.model",
    "SubQuestion": "kompasstext.model",
    "Finding": "kompasstext.model",
    "Passage": "kompasstext.model",
    "Diagnostic": "kompasstext.model",
    "KompassError": "kompasstext.errors",
    "ReportFormatError": "kompasstext.errors",
    "ReportNotFoundError": "kompasstext.errors",
    "ParseWarning": "kompasstext.errors",
    "ScoreTableWarning": "kompasstext.errors",
    "Embedder": "kompasstext.embedding",
    "ThemeModel": "kompasstext.themes",
    "link_findings": "kompasstext.links",
    "score_links": "kompasstext.links",
    "framework_matrix": "kompasstext.links",
    "examples": "kompasstext.exemplars",
    "examples_for": "kompasstext.exemplars",
    "report": "kompasstext.reporting",
}

__all__ = sorted(_LAZY) + ["__version__"]


def __getattr__(name: str):
    try:
        module = _LAZY[name]
    except KeyError:
        raise AttributeError(f"module 'kompasstext' has no attribute {name!r}") from None
    value = getattr(import_module(module), name)
    globals()[name] = value
    return value


def __dir__():
    return __all__


if TYPE_CHECKING:  # pragma: no cover
    from .corpus import Corpus, read_corpus  # noqa: F401
    from .embedding import Embedder  # noqa: F401
    from .model import Area, Diagnostic, Finding, Passage, Report, SubQuestion  # noqa: F401
    from .readers import read_report, read_text  # noqa: F401
    from .themes import ThemeModel  # noqa: F401
