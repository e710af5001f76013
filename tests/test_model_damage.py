"""A saved theme model that is missing, damaged, incomplete, foreign or of another version (issue 15,
"Caches and saved models"): ``ThemeModel.load`` raises ``KompassError`` E007 naming the folder and what
is wrong — never a json/numpy/KeyError traceback; extra files are no damage.  The scenarios, numbered:

 1. the folder does not exist
 2. … but an interrupted save left the previous model beside it (named in the error)
 3. a file instead of a folder
 4. a folder without model.json (empty, or another program's folder)
 5. model.json truncated
 6. model.json not UTF-8 text (binary garbage)
 7. model.json not a JSON object (a list, a string, null)
 8. model.json nested too deeply for the JSON reader
 9. a format mismatch: older, newer, missing, not a number
10. each required key of model.json missing
11. keys of the wrong type or value (threshold a string, params a list, findings an object, a finding not
    an object or without its text, theme ids not numbers, vocabulary indexes not numbers, a parameter out
    of range, an unknown parameter)
12. each of the 14 array files missing
13. an array file truncated or empty
14. an array file of garbage bytes; an .npz that is not a zip or holds no matrix
15. an array of pickled objects or of strings (never unpickled)
16. NaN or infinite values (dense and sparse arrays)
17. wrong array shapes: rows dropped, columns changed, rank changed, vocabulary and idf of other sizes,
    prototype texts of another number, prototypes of themes not listed
18. extra files and an interrupted save's leftovers: no damage, the model loads
19. a file that can't be read (permission denied)
(An interrupted overwrite — ``ThemeModel.save`` is atomic — is in tests/test_theme_store.py.)
"""
from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest
from scipy import sparse

from kompasstext.errors import KompassError
from kompasstext.themes import ThemeModel
from kompasstext.themes.store import _ARRAYS, _SPARSE
from test_theme_store import HashEmbedder, fit_small

ALL_FILES = [f"{n}.npy" for n in _ARRAYS] + [f"{n}.npz" for n in _SPARSE]


@pytest.fixture(scope="module")
def original(tmp_path_factory) -> Path:
    return fit_small(tmp_path_factory.mktemp("damage"))[1]


@pytest.fixture
def model(original, tmp_path) -> Path:
    """A fresh copy of the saved model, to damage."""
    return Path(shutil.copytree(original, tmp_path / "model"))


def _e007(path: Path, match: str) -> KompassError:
    with pytest.raises(KompassError) as exc:
        ThemeModel.load(path, embedder=HashEmbedder())
    err = exc.value
    assert err.code == "E007" and err.path == str(path) and str(path) in str(err)
    assert match.lower() in err.detail.lower(), err.detail
    assert err.__cause__ is None and "Traceback" not in str(err)
    return err


def _edit_json(path: Path, change: Callable[[dict], object]) -> None:
    meta = json.loads((path / "model.json").read_text(encoding="utf-8"))
    change(meta)
    (path / "model.json").write_text(json.dumps(meta, ensure_ascii=False), encoding="utf-8")


# -- 1-4: not a model folder ------------------------------------------------------------------------------
def test_a_missing_folder(tmp_path):
    _e007(tmp_path / "nowhere", "does not exist")


def test_a_missing_folder_names_what_an_interrupted_save_left(model):
    old = model.with_name(f".{model.name}.old-4242-1")
    model.rename(old)  # what a save killed between its two renames leaves (where no atomic swap exists)
    err = _e007(model, "interrupted save")
    assert old.name in err.detail


def test_a_file_instead_of_a_folder(tmp_path):
    f = tmp_path / "model.json"
    f.write_text("{}", encoding="utf-8")
    _e007(f, "not a folder")


@pytest.mark.parametrize("content", [[], ["readme.txt", "data.csv"]], ids=["empty", "foreign"])
def test_a_folder_without_model_json(tmp_path, content):
    for name in content:
        (tmp_path / name).write_text("x", encoding="utf-8")
    _e007(tmp_path, "no model.json")


# -- 5-9: model.json unreadable, or another format ----------------------------------------------------------
@pytest.mark.parametrize("text, match", [
    (None, "not valid JSON"),                     # 5 truncated
    (b"\xff\xfe\x00garbage\x9c", "not UTF-8"),    # 6 binary
    (b"[1, 2, 3]", "not an object"),              # 7
    (b'"a string"', "not an object"),
    (b"null", "not an object"),
    (b"[" * 100_000 + b"]" * 100_000, "nested too deeply"),  # 8
], ids=["truncated", "binary", "list", "string", "null", "deeply_nested"])
def test_an_unreadable_model_json(model, text, match):
    meta = model / "model.json"
    meta.write_bytes(meta.read_bytes()[:200] if text is None else text)
    _e007(model, match)


@pytest.mark.parametrize("fmt, match", [(1, "older kompasstext"), (99, "newer kompasstext"), (None, "no format"),
                                        ("2", "no format"), (True, "no format")],
                         ids=["older", "newer", "missing", "text", "bool"])
def test_a_format_mismatch(model, fmt, match):
    _edit_json(model, lambda m: m.pop("format") if fmt is None else m.update(format=fmt))
    _e007(model, match)


# -- 10-11: keys missing or of the wrong type ---------------------------------------------------------------
@pytest.mark.parametrize("key", ["params", "vocabulary", "threshold", "cut", "theme_ids", "label_overrides",
                                 "prototype_text", "findings"])
def test_each_required_key_missing(model, key):
    _edit_json(model, lambda m: m.pop(key))
    _e007(model, f"lacks '{key}'")


def _set(key: str, value: object) -> Callable[[dict], object]:
    return lambda m: m.update({key: value})


def _finding(change: Callable[[dict], object]) -> Callable[[dict], object]:
    return lambda m: change(m["findings"][3])


@pytest.mark.parametrize("change, match", [
    (_set("threshold", "high"), "'threshold' is str, not a number"),
    (_set("threshold", True), "'threshold' is bool"),
    (_set("params", [1, 2]), "'params' is list, not an object"),
    (_set("findings", {"a": 1}), "'findings' is dict, not a list"),
    (lambda m: m["findings"].__setitem__(2, "text"), "findings[2] is str"),
    (_finding(lambda f: f.pop("text")), "findings[3] lacks text"),
    (_finding(lambda f: f.pop("core")), "findings[3] lacks core"),
    (_set("theme_ids", ["one", "two"]), "invalid literal"),
    (lambda m: m["vocabulary"].update({next(iter(m["vocabulary"])): "x"}), "invalid literal"),
    (lambda m: m["params"].update(cut_quantile=5), "cut_quantile"),
    (lambda m: m["params"].update(no_such_parameter=1), "no_such_parameter"),
    (lambda m: m["params"].pop("weights"), "weights"),
], ids=["threshold_text", "threshold_bool", "params_list", "findings_object", "finding_text", "finding_no_text",
        "finding_no_core", "theme_ids_text", "vocabulary_text", "param_out_of_range", "unknown_param",
        "param_missing"])
def test_keys_of_the_wrong_type_or_value(model, change, match):
    _edit_json(model, change)
    _e007(model, match)


# -- 12-16: the array files ----------------------------------------------------------------------------------
@pytest.mark.parametrize("name", ALL_FILES)
def test_each_array_file_missing(model, name):
    (model / name).unlink()
    _e007(model, f"{name} is missing")


@pytest.mark.parametrize("name", ["feat_text.npy", "proto_theme.npy", "idf.npy", "feat_lex.npz"])
@pytest.mark.parametrize("keep", [0.5, 0.0], ids=["truncated", "empty"])
def test_a_truncated_or_empty_array_file(model, name, keep):
    data = (model / name).read_bytes()
    (model / name).write_bytes(data[: int(len(data) * keep)])
    _e007(model, f"{name} is damaged")


@pytest.mark.parametrize("name, data", [
    ("proto_theme.npy", b"\x00not numpy at all"),
    ("emb.npy", b"\x93NUMPY\x01\x00garbage header"),
    ("proto_lex.npz", b"PK\x03\x04broken"),
    ("feat_lex.npz", None),  # a valid zip without a sparse matrix in it
], ids=["npy_garbage", "npy_bad_header", "npz_garbage", "npz_no_matrix"])
def test_an_array_file_of_garbage(model, name, data):
    if data is None:
        np.savez(model / name, something=np.arange(3))
    else:
        (model / name).write_bytes(data)
    _e007(model, f"{name} is damaged")


def test_pickled_objects_are_never_loaded(model):
    np.save(model / "idf.npy", np.array([object()], dtype=object), allow_pickle=True)
    _e007(model, "idf.npy is damaged")


def test_an_array_of_strings(model):
    np.save(model / "text_mean.npy", np.array(["a"] * 16))
    _e007(model, "text_mean.npy holds <U1, not numbers")


@pytest.mark.parametrize("name, value", [("emb.npy", np.nan), ("idf.npy", np.inf), ("feat_lex.npz", np.nan)])
def test_non_finite_values(model, name, value):
    file = model / name
    if name.endswith(".npz"):
        m = sparse.load_npz(file).tocsr()
        m.data[0] = value
        sparse.save_npz(file, m)
    else:
        a = np.load(file)
        a.flat[0] = value
        np.save(file, a)
    _e007(model, f"{name} holds NaN or infinite values")


def _rows(name: str, drop: int = 1) -> Callable[[Path], None]:
    def change(path: Path) -> None:
        np.save(path / f"{name}.npy", np.load(path / f"{name}.npy")[:-drop])
    return change


def _cols(name: str) -> Callable[[Path], None]:
    def change(path: Path) -> None:
        np.save(path / f"{name}.npy", np.load(path / f"{name}.npy")[:, :-1])
    return change


def _flat(name: str) -> Callable[[Path], None]:
    def change(path: Path) -> None:
        np.save(path / f"{name}.npy", np.load(path / f"{name}.npy").ravel())
    return change


def _json(change: Callable[[dict], object]) -> Callable[[Path], None]:
    return lambda path: _edit_json(path, change)


@pytest.mark.parametrize("change, match", [
    (_rows("feat_text"), "feat_text has 14 rows for 15 findings"),
    (_rows("emb"), "emb has 14 rows for 15 findings"),
    (_rows("proto_text"), "proto_text has 5 rows for 6 prototypes"),
    (_cols("proto_area"), "the area vectors differ in size"),
    (_cols("feat_text"), "the text vectors differ in size"),
    (_flat("feat_area"), "feat_area.npy has 1 dimensions, not 2"),
    (_rows("idf"), "the lex vectors differ in size"),
    (_json(lambda m: m["vocabulary"].popitem()), "the vocabulary has 107 entries for 108 idf weights"),
    (_json(lambda m: m["prototype_text"].pop()), "prototype texts and vectors differ in number"),
    (_json(lambda m: m.update(theme_ids=[0])), "themes that theme_ids does not list"),
], ids=["finding_rows", "emb_rows", "prototype_rows", "area_columns", "text_columns", "rank", "idf_size",
        "vocabulary_size", "prototype_texts", "theme_ids"])
def test_wrong_array_shapes(model, change, match):
    change(model)
    _e007(model, match)


# -- 18-19 -------------------------------------------------------------------------------------------------
def test_extra_files_and_leftovers_are_no_damage(model, original):
    (model / "notes.txt").write_text("my notes", encoding="utf-8")
    (model / "extra.npy").write_bytes(b"garbage")
    (model / "sub").mkdir()
    shutil.copytree(original, model.with_name(f".{model.name}.abc123"))  # a killed save's staging folder
    back = ThemeModel.load(model, embedder=HashEmbedder())
    assert back.themes_["label"].tolist() == ThemeModel.load(original, embedder=HashEmbedder()).themes_["label"].tolist()


def test_a_file_that_cant_be_read(model, monkeypatch):
    real = Path.read_bytes

    def denied(self):
        if self.name == "model.json":
            raise PermissionError(13, "Permission denied", str(self))
        return real(self)

    monkeypatch.setattr(Path, "read_bytes", denied)
    _e007(model, "PermissionError")
