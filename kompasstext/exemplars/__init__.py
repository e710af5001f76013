"""Good examples across municipalities: ranked strengths with the evaluators' words, the score that
went with them, the praise they got, and a citation to open the report at the right place.

>>> import kompasstext as kt
>>> corpus = kt.read_corpus("corpora/kommunkompassen")                                 # doctest: +SKIP
>>> kt.examples(corpus, query="Utveckla resultatorienterade chefskontrakt", top=3)      # doctest: +SKIP
>>> kt.examples_for(corpus, "Norrtälje", top=2)                                         # doctest: +SKIP
>>> corpus.praise                                                                       # doctest: +SKIP

The package is ``kompasstext.exemplars``; its functions are also the top-level ``kompasstext.examples``,
``kompasstext.examples_for`` (and ``Corpus.praise``).
"""
from __future__ import annotations

from .mining import PRAISE_COLUMNS, praise
from .rank import EXAMPLE_COLUMNS, WEIGHTS, examples, examples_for

__all__ = ["EXAMPLE_COLUMNS", "PRAISE_COLUMNS", "WEIGHTS", "examples", "examples_for", "praise"]
