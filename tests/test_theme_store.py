"""A saved theme model that is damaged, incomplete or foreign is a typed error (E007) naming the folder;
saving is atomic."""
from __future__ import annotations

import hashlib
import json

import numpy as np
import pandas as pd
import pytest

from kompasstext.errors import KompassError
from kompasstext.themes import ThemeModel


class HashEmbedder:
    """Deterministic stand-in vectors (a theme model's storage does not depend on the embedding)."""

    def encode(self, texts):
        out = []
        for t in texts:
            seed = int(hashlib.sha1(" ".join(t.lower().split()[:2]).encode()).hexdigest()[:8], 16)
            v = np.random.default_rng(seed).normal(size=16)
            out.append(v / np.linalg.norm(v))
        return np.asarray(out, np.float32).reshape(len(texts), 16)


@pytest.fixture(scope="module")
def saved(tmp_path_factory):
    rows = []
    for m in ("Ankeby", "Brunnsby", "Cedervik"):
        for k, text in enumerate(["Tydlig vision för kommunen", "Tydlig vision och mål", "Bra dialog med invånarna",
                                  "Bra dialog i nämnderna", "Chefskontrakt för alla chefer"]):
            rows.append(dict(report_id=m.lower(), municipality=m, year=2017, framework="2015", area=1 + k % 2,
                             area_title="Område", kind="strength", text=text, finding_index=k))
    model = ThemeModel(HashEmbedder()).fit(pd.DataFrame(rows))
    path = model.save(tmp_path_factory.mktemp("m") / "model")
    return model, path


def _copy(src, dst):
    import shutil

    shutil.copytree(src, dst)
    return dst


def test_round_trip(saved):
    model, path = saved
    back = ThemeModel.load(path, embedder=HashEmbedder())
    assert back.themes_["label"].tolist() == model.themes_["label"].tolist()


@pytest.mark.parametrize("damage", [
    "no_json", "truncated_json", "json_list", "old_format", "missing_npy", "truncated_npy", "garbage_npy",
    "rows_changed", "corrupt_npz", "missing_key", "pickled_npy",
])
def test_damaged_model_is_e007(saved, tmp_path, damage):
    _, src = saved
    path = _copy(src, tmp_path / "m")
    meta = path / "model.json"
    if damage == "no_json":
        meta.unlink()
    elif damage == "truncated_json":
        meta.write_text(meta.read_text(encoding="utf-8")[:200], encoding="utf-8")
    elif damage == "json_list":
        meta.write_text("[1, 2, 3]", encoding="utf-8")
    elif damage == "old_format":
        d = json.loads(meta.read_text(encoding="utf-8"))
        d["format"] = 1
        meta.write_text(json.dumps(d), encoding="utf-8")
    elif damage == "missing_npy":
        (path / "emb.npy").unlink()
    elif damage == "truncated_npy":
        b = (path / "feat_text.npy").read_bytes()
        (path / "feat_text.npy").write_bytes(b[: len(b) // 2])
    elif damage == "garbage_npy":
        (path / "proto_theme.npy").write_bytes(b"\x00not numpy at all")
    elif damage == "rows_changed":
        a = np.load(path / "feat_text.npy")
        np.save(path / "feat_text.npy", a[:-1])
    elif damage == "corrupt_npz":
        (path / "proto_lex.npz").write_bytes(b"PK\x03\x04broken")
    elif damage == "missing_key":
        d = json.loads(meta.read_text(encoding="utf-8"))
        del d["threshold"]
        meta.write_text(json.dumps(d), encoding="utf-8")
    elif damage == "pickled_npy":
        np.save(path / "idf.npy", np.array([object()], dtype=object), allow_pickle=True)
    with pytest.raises(KompassError) as exc:
        ThemeModel.load(path, embedder=HashEmbedder())
    assert exc.value.code == "E007" and str(path) in str(exc.value)


def test_a_file_or_missing_folder_is_e007(tmp_path):
    f = tmp_path / "x.json"
    f.write_text("{}", encoding="utf-8")
    for p in (f, tmp_path / "nowhere"):
        with pytest.raises(KompassError, match="E007"):
            ThemeModel.load(p)


def test_save_is_atomic(saved, tmp_path, monkeypatch):
    model, _ = saved
    path = model.save(tmp_path / "model")
    before = (path / "model.json").read_bytes()
    from kompasstext.themes import store

    def boom(*a, **k):
        raise OSError("disk full")

    monkeypatch.setattr(store.sparse, "save_npz", boom)
    with pytest.raises(OSError):
        model.save(path)
    assert (path / "model.json").read_bytes() == before  # the good model is still there, whole
    assert ThemeModel.load(path, embedder=HashEmbedder()) is not None
    assert sorted(p.name for p in tmp_path.iterdir()) == ["model"]  # no temporary folder left behind
