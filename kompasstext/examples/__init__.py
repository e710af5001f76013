"""Good examples across municipalities: ranked strengths with the evaluators' words, the score that
went with them, the praise they got, and a citation to open the report at the right place.

>>> import kompasstext as kt
>>> corpus = kt.read_corpus("corpora/kommunkompassen")                                 # doctest: +SKIP
>>> kt.examples(corpus, query="Utveckla resultatorienterade chefskontrakt", top=3)      # doctest: +SKIP
>>> kt.examples_for(corpus, "Norrtälje", top=2)                                         # doctest: +SKIP
>>> kt.examples.praise(corpus)                                                          # doctest: +SKIP

``kompasstext.examples`` is both this package and the function :func:`examples`: the package module is
callable (it calls the function) and the function carries ``praise``/``examples_for`` as attributes, so
``kompasstext.examples(...)`` and ``kompasstext.examples.praise(...)`` work whichever of the two the
name resolved to.
"""
from __future__ import annotations

import sys
import types

from .mining import PRAISE_COLUMNS, praise
from .rank import EXAMPLE_COLUMNS, WEIGHTS, examples, examples_for

__all__ = ["EXAMPLE_COLUMNS", "PRAISE_COLUMNS", "WEIGHTS", "examples", "examples_for", "praise"]

examples.praise = praise  # type: ignore[attr-defined]
examples.examples_for = examples_for  # type: ignore[attr-defined]


class _CallableModule(types.ModuleType):
    """The package, callable as :func:`examples` (``import kompasstext.examples`` rebinds the top-level name)."""

    def __call__(self, *args, **kwargs):
        return examples(*args, **kwargs)


sys.modules[__name__].__class__ = _CallableModule
