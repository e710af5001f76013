"""Save/load a fitted :class:`~kompasstext.themes.model.ThemeModel` as JSON + ``.npy`` (no pickle).

Layout of the directory: ``model.json`` (parameters, vocabulary, thresholds, label overrides, the
fitted findings table), ``*.npy`` (prototype features, embeddings, means, idf), ``*_lex.npz`` (the sparse
lexical views, scipy's format, read without pickle).  Saving is atomic (a temporary folder swapped in,
:mod:`kompasstext.fsutil`).  Every way a folder can fail to be a model this version reads — missing,
a file, no or damaged ``model.json`` (truncated, not UTF-8, not an object, keys missing or of the wrong
type), an older or newer format, an array file missing, truncated, pickled, not numbers, not finite, of
the wrong rank or size — raises ``KompassError`` E007 naming the folder and what is wrong; extra files
are ignored.  Theme ids, merges, splits and renames survive the round trip.

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


class _Damage(ValueError):
    """What is wrong with one part of a saved model (turned into E007 naming the folder)."""


#: model.json's keys: the type each must have and how to say it
_META: dict[str, tuple[type | tuple[type, ...], str]] = {
    "params": (dict, "an object"), "vocabulary": (dict, "an object"), "threshold": ((int, float), "a number"),
    "cut": ((int, float), "a number"), "theme_ids": (list, "a list"), "label_overrides": (dict, "an object"),
    "prototype_text": (list, "a list"), "findings": (list, "a list"), "concepts": (list, "a list"),
}
_FINDING_FIELDS = ("core", "text", "municipality", "kind")
_ONE_D = ("text_mean", "area_mean", "idf", "proto_theme")


def load(cls: type, path: Path, embedder: Any = None) -> Any:
    """Read a saved model; a missing, truncated, inconsistent, foreign or newer folder is ``KompassError``
    E007 naming the folder and what is wrong (never a numpy/json traceback)."""
    import zipfile

    path = Path(path)
    _check_folder(path)
    try:
        return _load(cls, path, embedder)
    except KompassError:
        raise
    except _Damage as exc:
        raise KompassError("E007", str(path), f"{exc}; fit and save the model again") from None
    except (OSError, ValueError, KeyError, TypeError, IndexError, AttributeError, EOFError, RecursionError,
            zipfile.BadZipFile) as exc:
        raise KompassError("E007", str(path), f"damaged or incomplete ({type(exc).__name__}: {exc}); "
                                              "fit and save the model again") from None


def _check_folder(path: Path) -> None:
    """E007 unless ``path`` is a folder holding a ``model.json`` (saying what is there instead)."""
    from ..fsutil import leftovers

    if not path.exists():
        old = leftovers(path)
        hint = (f"; an interrupted save left the previous model in {old[0].name}: rename it to {path.name}"
                if old else "")
        raise KompassError("E007", str(path), f"the folder does not exist{hint}")
    if not path.is_dir():
        raise KompassError("E007", str(path), "not a folder: a saved theme model is a folder (ThemeModel.save)")
    if not (path / "model.json").is_file():
        raise KompassError("E007", str(path), "no model.json here: not a saved theme model (ThemeModel.save)")


def _read_meta(path: Path) -> dict:
    """model.json as a dict of the right format, its keys of the right types (else E007/_Damage)."""
    try:
        meta = json.loads((path / "model.json").read_bytes().decode("utf-8"))
    except UnicodeDecodeError as exc:
        raise _Damage(f"model.json is not UTF-8 text (byte {exc.start})") from None
    except json.JSONDecodeError as exc:
        raise _Damage(f"model.json is not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg}); "
                      "truncated?") from None
    except RecursionError:
        raise _Damage("model.json is nested too deeply to be a saved model") from None
    if not isinstance(meta, dict):
        raise _Damage(f"model.json holds a JSON {type(meta).__name__}, not an object")
    _check_format(path, meta.get("format"))
    for key, (kind, said) in _META.items():
        if key not in meta:
            if key == "concepts":
                continue
            raise _Damage(f"model.json lacks {key!r}")
        value = meta[key]
        if isinstance(value, bool) or not isinstance(value, kind):
            raise _Damage(f"model.json: {key!r} is {type(value).__name__}, not {said}")
    _check_findings(meta["findings"])
    return meta


def _check_format(path: Path, fmt: Any) -> None:
    if isinstance(fmt, bool) or not isinstance(fmt, int):
        raise KompassError("E007", str(path), f"model.json has no format number (format: {fmt!r}): not a saved "
                                              "theme model, or a damaged one; fit the model again")
    if fmt < FORMAT:
        raise KompassError("E007", str(path), f"format {fmt} (this kompasstext reads {FORMAT}): an older "
                                              "kompasstext saved it; fit the model again")
    if fmt > FORMAT:
        raise KompassError("E007", str(path), f"format {fmt} (this kompasstext reads {FORMAT}): a newer "
                                              "kompasstext saved it; upgrade kompasstext or fit the model again")


def _check_findings(findings: list) -> None:
    for i, row in enumerate(findings):
        if not isinstance(row, dict):
            raise _Damage(f"model.json: findings[{i}] is {type(row).__name__}, not an object")
        missing = [f for f in _FINDING_FIELDS if f not in row]
        if missing:
            raise _Damage(f"model.json: findings[{i}] lacks {', '.join(missing)}")


def _read_arrays(path: Path) -> dict[str, Any]:
    """Every array file, checked one by one (missing, damaged, not numbers, not finite, wrong rank)."""
    import zipfile

    a: dict[str, Any] = {}
    for name in (*_ARRAYS, *_SPARSE):
        file = path / f"{name}.{'npz' if name in _SPARSE else 'npy'}"
        if not file.is_file():
            raise _Damage(f"{file.name} is missing")
        try:
            arr = (sparse.load_npz(file).tocsr() if name in _SPARSE else np.load(file, allow_pickle=False))
        except (OSError, ValueError, KeyError, EOFError, zipfile.BadZipFile) as exc:
            raise _Damage(f"{file.name} is damaged ({type(exc).__name__}: {exc})") from None
        _check_array(file.name, arr, 1 if name in _ONE_D else 2)
        a[name] = arr
    return a


def _check_array(name: str, arr: Any, ndim: int) -> None:
    data = arr.data if sparse.issparse(arr) else arr
    if not isinstance(data, np.ndarray) or data.dtype.kind not in "iuf":
        raise _Damage(f"{name} holds {getattr(data, 'dtype', type(data).__name__)}, not numbers")
    if arr.ndim != ndim:
        raise _Damage(f"{name} has {arr.ndim} dimensions, not {ndim}")
    if data.dtype.kind == "f" and not np.isfinite(data).all():
        raise _Damage(f"{name} holds NaN or infinite values")


def _check_shapes(a: dict, meta: dict) -> None:
    n_proto = len(a["proto_theme"])
    n_find = len(meta["findings"])
    for name in ("proto_text", "proto_area", "proto_lex", "proto_concept"):
        if a[name].shape[0] != n_proto:
            raise _Damage(f"{name} has {a[name].shape[0]} rows for {n_proto} prototypes")
    for name in ("feat_text", "feat_area", "feat_lex", "emb", "feat_concept"):
        if a[name].shape[0] != n_find:
            raise _Damage(f"{name} has {a[name].shape[0]} rows for {n_find} findings")
    for view, mean in (("text", "text_mean"), ("area", "area_mean"), ("lex", "idf"), ("concept", None)):
        cols = {a[f"proto_{view}"].shape[1], a[f"feat_{view}"].shape[1]}
        # with the concept view the area view is empty (0 columns) but its mean is kept
        if mean is not None and not (view == "area" and cols == {0}):
            cols.add(len(a[mean]))
        if len(cols) != 1:
            raise _Damage(f"the {view} vectors differ in size ({sorted(cols)})")
    if len(meta["vocabulary"]) != len(a["idf"]):
        raise _Damage(f"the vocabulary has {len(meta['vocabulary'])} entries for {len(a['idf'])} idf weights")
    if a["text_components"].size and a["text_components"].shape[1] != a["feat_text"].shape[1]:
        raise _Damage("text_components and the text vectors differ in size")
    if len(meta["prototype_text"]) != n_proto:
        raise _Damage("prototype texts and vectors differ in number")
    if not set(a["proto_theme"].tolist()) <= {int(t) for t in meta["theme_ids"]}:
        raise _Damage("prototypes belong to themes that theme_ids does not list")


def _load(cls: type, path: Path, embedder: Any = None) -> Any:
    meta = _read_meta(path)
    a = _read_arrays(path)
    _check_shapes(a, meta)
    params = dict(meta["params"])
    params["weights"] = tuple(params["weights"])
    model = cls(embedder, **params)
    model._check_params()
    model.space_ = Space(a["text_mean"], a["area_mean"], {k: int(v) for k, v in meta["vocabulary"].items()}, a["idf"],
                         a["text_components"], tuple(meta.get("concepts", ())))
    model.prototypes_ = Features(a["proto_text"], a["proto_lex"], a["proto_area"], a["proto_concept"])
    model.prototype_theme_ = a["proto_theme"].astype(int)
    model.prototype_text_ = [str(t) for t in meta["prototype_text"]]
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

