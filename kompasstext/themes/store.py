"""Save/load a fitted :class:`~kompasstext.themes.model.ThemeModel` as JSON + ``.npy`` (no pickle).

Layout of the directory: ``model.json`` (parameters, vocabulary, thresholds, label overrides, the
fitted findings table), ``*.npy`` (prototype features, embeddings, means, idf), ``*_lex.npz`` (the sparse
lexical views, scipy's format, read without pickle).  A model saved in an older format raises
``KompassError`` E007 naming the directory: refit it.  Theme ids, merges,
splits and renames survive the round trip.

>>> model.save("themes-model"); ThemeModel.load("themes-model")   # doctest: +SKIP
"""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from scipy import sparse

from ..errors import KompassError
from .cluster import Features, Space

#: 2: character n-gram lexical view (sparse), text components, concept view
FORMAT = 2
_ARRAYS = ("proto_text", "proto_area", "proto_theme", "text_mean", "area_mean", "idf", "feat_text", "feat_area",
           "emb", "text_components", "proto_concept", "feat_concept")
_SPARSE = ("proto_lex", "feat_lex")


def save(model: Any, path: Path) -> Path:
    """Write the model to ``path`` atomically (:func:`kompasstext.fsutil.install_dir`): an interrupted
    save never leaves a half-written model where a good one was."""
    from ..fsutil import install_dir, staging_dir

    path = Path(path)
    tmp = staging_dir(path)
    try:
        _write(model, tmp)
    except BaseException:
        import shutil

        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return install_dir(tmp, path)


def _write(model: Any, path: Path) -> None:
    arrays = {"proto_text": model.prototypes_.text, "proto_area": model.prototypes_.area, "proto_theme": model.prototype_theme_,
              "text_mean": model.space_.text_mean, "area_mean": model.space_.area_mean, "idf": model.space_.idf,
              "feat_text": model._features.text, "feat_area": model._features.area,
              "emb": model._emb, "text_components": _or_empty(model.space_.text_components),
              "proto_concept": model.prototypes_.concept, "feat_concept": model._features.concept}
    for name, arr in arrays.items():
        np.save(path / f"{name}.npy", np.asarray(arr), allow_pickle=False)
    for name, mat in (("proto_lex", model.prototypes_.lex), ("feat_lex", model._features.lex)):
        sparse.save_npz(path / f"{name}.npz", sparse.csr_matrix(mat))
    params = {k: v for k, v in model.get_params(deep=False).items() if k != "embedder"}
    params["weights"] = list(params["weights"])
    findings = model.findings_.drop(columns=["score", "reason", "theme"])
    meta = {"format": FORMAT, "params": params, "vocabulary": model.space_.vocabulary,
            "concepts": list(model.space_.concepts),
            "threshold": model.threshold_, "cut": model.cut_, "theme_ids": list(map(int, model.theme_ids_)),
            "label_overrides": {str(k): v for k, v in model.labels_overrides_.items()},
            "prototype_text": model.prototype_text_,
            "findings": json.loads(findings.to_json(orient="records", force_ascii=False))}
    (path / "model.json").write_text(json.dumps(meta, ensure_ascii=False, indent=1), encoding="utf-8")


def load(cls: type, path: Path, embedder: Any = None) -> Any:
    """Read a saved model; a missing, truncated, inconsistent or foreign folder is ``KompassError`` E007
    naming the folder and what is wrong (never a numpy/json traceback)."""
    import zipfile

    path = Path(path)
    if not (path / "model.json").is_file():
        raise KompassError("E007", str(path), "no model.json here: not a saved theme model (ThemeModel.save)")
    try:
        return _load(cls, path, embedder)
    except KompassError:
        raise
    except (OSError, ValueError, KeyError, TypeError, IndexError, AttributeError, EOFError,
            zipfile.BadZipFile) as exc:
        raise KompassError("E007", str(path), f"damaged or incomplete ({type(exc).__name__}: {exc}); "
                                              "fit and save the model again") from None


def _check_shapes(a: dict, meta: dict) -> None:
    n_proto = len(a["proto_theme"])
    n_find = len(meta["findings"])
    for name in ("proto_text", "proto_area", "proto_lex"):
        if a[name].shape[0] != n_proto:
            raise ValueError(f"{name} has {a[name].shape[0]} rows for {n_proto} prototypes")
    for name in ("feat_text", "feat_area", "feat_lex", "emb"):
        if a[name].shape[0] != n_find:
            raise ValueError(f"{name} has {a[name].shape[0]} rows for {n_find} findings")
    if a["proto_text"].shape[1:] != a["feat_text"].shape[1:]:
        raise ValueError("prototype and finding vectors differ in size")
    if len(meta["prototype_text"]) != n_proto:
        raise ValueError("prototype texts and vectors differ in number")


def _load(cls: type, path: Path, embedder: Any = None) -> Any:
    meta = json.loads((path / "model.json").read_text(encoding="utf-8"))
    if not isinstance(meta, dict):
        raise ValueError("model.json is not a JSON object")
    if meta.get("format") != FORMAT:
        raise KompassError("E007", str(path), f"format {meta.get('format')} (this kompasstext reads {FORMAT}): "
                                              "fit the model again")
    a = {name: np.load(path / f"{name}.npy", allow_pickle=False) for name in _ARRAYS}
    a.update({name: sparse.load_npz(path / f"{name}.npz").tocsr() for name in _SPARSE})
    _check_shapes(a, meta)
    params = dict(meta["params"])
    params["weights"] = tuple(params["weights"])
    model = cls(embedder, **params)
    model.space_ = Space(a["text_mean"], a["area_mean"], {k: int(v) for k, v in meta["vocabulary"].items()}, a["idf"],
                         a["text_components"], tuple(meta.get("concepts", ())))
    model.prototypes_ = Features(a["proto_text"], a["proto_lex"], a["proto_area"], a["proto_concept"])
    model.prototype_theme_ = a["proto_theme"].astype(int)
    model.prototype_text_ = list(meta["prototype_text"])
    model.threshold_ = float(meta["threshold"])
    model.cut_ = float(meta["cut"])
    model.labels_overrides_ = {int(k): v for k, v in meta["label_overrides"].items()}
    model.theme_ids_ = [int(t) for t in meta["theme_ids"]]
    df = pd.DataFrame(meta["findings"])
    core = list(df.pop("core"))
    model._finish(df, core, Features(a["feat_text"], a["feat_lex"], a["feat_area"], a["feat_concept"]),
                  a["emb"])
    return model


def _or_empty(arr: Any) -> np.ndarray:
    return np.zeros((0, 0), np.float32) if arr is None else np.asarray(arr)

