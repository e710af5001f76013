"""Saving a theme model: the round trip, and an atomic save — an interrupted or failed overwrite never
leaves a mixed or missing folder where a good model was (the damaged-folder scenarios are in
tests/test_model_damage.py)."""
from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

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


def fit_small(folder):
    """A small fitted model (three municipalities, two themes) saved in ``folder / "model"``."""
    rows = []
    for m in ("Ankeby", "Brunnsby", "Cedervik"):
        for k, text in enumerate(["Tydlig vision för kommunen", "Tydlig vision och mål", "Bra dialog med invånarna",
                                  "Bra dialog i nämnderna", "Chefskontrakt för alla chefer"]):
            rows.append(dict(report_id=m.lower(), municipality=m, year=2017, framework="2015", area=1 + k % 2,
                             area_title="Område", kind="strength", text=text, finding_index=k))
    model = ThemeModel(HashEmbedder()).fit(pd.DataFrame(rows))
    return model, model.save(folder / "model")


@pytest.fixture(scope="module")
def saved(tmp_path_factory):
    return fit_small(tmp_path_factory.mktemp("m"))


def test_round_trip_with_the_concept_view(tmp_path):
    """Linked findings: the concept view replaces the area view (0 area columns, its mean kept)."""
    rows = []
    for m in ("Ankeby", "Brunnsby", "Cedervik"):
        for k, (text, q) in enumerate([("Tydlig vision för kommunen", "1.1"), ("Tydlig vision och mål", "1.1"),
                                       ("Bra dialog med invånarna", "2.1"), ("Bra dialog i nämnderna", "2.1")]):
            rows.append(dict(report_id=m.lower(), municipality=m, year=2017, framework="2015", area=1 + k // 2,
                             area_title="Område", kind="strength", text=text, finding_index=k,
                             subquestion=q, link_confidence=0.9))
    df = pd.DataFrame(rows)
    model = ThemeModel(HashEmbedder()).fit(df)
    assert model.space_.concepts and model._features.area.shape[1] == 0
    back = ThemeModel.load(model.save(tmp_path / "model"), embedder=HashEmbedder())
    assert (back.predict(df) == model.predict(df)).all()


def _copy(src, dst):
    import shutil

    shutil.copytree(src, dst)
    return dst


def test_round_trip(saved):
    model, path = saved
    back = ThemeModel.load(path, embedder=HashEmbedder())
    assert back.themes_["label"].tolist() == model.themes_["label"].tolist()


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


def _exchange_supported(tmp_path):
    from kompasstext import fsutil

    a, b = tmp_path / "xa", tmp_path / "xb"
    a.mkdir()
    b.mkdir()
    (a / "f").write_text("a", encoding="utf-8")
    ok = fsutil.exchange(a, b)
    shutil.rmtree(a)
    shutil.rmtree(b)
    return ok


def _watch_install(monkeypatch, path):
    """After every rename, exchange and removal ``install_dir`` makes: is a whole model at ``path``?"""
    from kompasstext import fsutil

    seen = []

    def watched(fn):
        def call(*args, **kw):
            out = fn(*args, **kw)
            seen.append((path / "model.json").is_file() and (path / "emb.npy").is_file())
            return out
        return call

    monkeypatch.setattr(Path, "rename", watched(Path.rename))
    monkeypatch.setattr(fsutil, "exchange", watched(fsutil.exchange))
    monkeypatch.setattr(fsutil.shutil, "rmtree", watched(fsutil.shutil.rmtree))
    return seen


def test_a_reader_never_sees_the_model_missing_while_it_is_overwritten(saved, tmp_path, monkeypatch):
    if not _exchange_supported(tmp_path):
        pytest.skip("no atomic folder exchange on this system (renameat2)")
    model, _ = saved
    path = model.save(tmp_path / "model")
    seen = _watch_install(monkeypatch, path)
    model.save(path)
    assert len(seen) >= 2 and all(seen)  # at every step a whole model, never none
    assert sorted(p.name for p in tmp_path.iterdir()) == ["model"]


def test_the_two_rename_fallback_has_a_gap_the_exchange_closes(saved, tmp_path, monkeypatch):
    """The control of the test above: without the exchange, one step leaves no model at the path."""
    from kompasstext import fsutil

    model, _ = saved
    path = model.save(tmp_path / "model")
    monkeypatch.setattr(fsutil, "exchange", lambda a, b: False)
    seen = _watch_install(monkeypatch, path)
    model.save(path)
    assert False in seen and seen[-1]


def test_without_an_atomic_exchange_a_failed_install_puts_the_old_model_back(saved, tmp_path, monkeypatch):
    from kompasstext import fsutil

    model, _ = saved
    path = model.save(tmp_path / "model")
    before = (path / "model.json").read_bytes()
    monkeypatch.setattr(fsutil, "exchange", lambda a, b: False)
    model.save(path)  # the two-rename fallback works
    assert ThemeModel.load(path, embedder=HashEmbedder()) is not None
    real = Path.rename

    def fail_into_target(self, target):
        if Path(target) == path and ".old-" not in self.name:  # the new folder can't be renamed in
            raise OSError(28, "No space left on device")
        return real(self, target)

    monkeypatch.setattr(Path, "rename", fail_into_target)
    with pytest.raises(OSError, match="No space"):
        model.save(path)
    assert (path / "model.json").read_bytes() == before  # the old model is back, whole
    assert sorted(p.name for p in tmp_path.iterdir()) == ["model"]


def test_an_exchange_error_other_than_unsupported_is_raised(tmp_path):
    from kompasstext import fsutil

    if fsutil._renameat2() is None:
        pytest.skip("no renameat2")
    with pytest.raises(FileNotFoundError):
        fsutil.exchange(tmp_path / "a", tmp_path / "b")
