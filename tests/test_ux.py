"""Notebook feel: no hidden state in Corpus, short reprs and HTML summaries, ThemeModel a scikit-learn estimator.

ThemeModel runs here on a hashed character-trigram embedder (fast, deterministic, no model): these tests
are about the estimator's contract, not the quality of its themes (tests/test_themes.py measures that).
"""
from __future__ import annotations

import warnings
import zlib

import numpy as np
import pandas as pd
import pytest
from sklearn.base import clone
from sklearn.exceptions import NotFittedError
from sklearn.utils import estimator_checks as ec
from sklearn.utils.validation import check_is_fitted

from kompasstext.corpus import FINDING_COLUMNS, Corpus, read_corpus
from kompasstext.themes import ThemeModel

from conftest import CORPUS


class TrigramEmbedder:
    """Hashed character trigrams, L2-normalised: a stand-in with the embedder interface."""

    def encode(self, texts):
        X = np.zeros((len(texts), 128), np.float32)
        for i, t in enumerate(texts):
            t = f"  {t.lower()}  "
            for j in range(len(t) - 2):
                X[i, zlib.crc32(t[j:j + 3].encode()) % 128] += 1.0
        return X / np.clip(np.linalg.norm(X, axis=1, keepdims=True), 1e-12, None)


def _fresh() -> Corpus:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return read_corpus(CORPUS)


@pytest.fixture(scope="module")
def fitted(corpus):
    return ThemeModel(TrigramEmbedder()).fit(corpus.findings)


# ---------------------------------------------------------------- 1. no hidden state
def test_findings_frame_does_not_depend_on_what_ran_before(corpus):
    """Fake links (the linker needs the model): what matters is that `findings` ignores them."""
    c = Corpus(list(corpus.reports))
    before = c.findings
    assert list(before.columns) == FINDING_COLUMNS
    keys = ["report_id", "area", "kind", "finding_index"]
    c._cache["links"] = before[keys].assign(**{col: 0.5 for col in Corpus.LINK_COLUMNS})
    linked = c.linked_findings
    assert set(Corpus.LINK_COLUMNS) <= set(linked.columns)
    pd.testing.assert_frame_equal(c.findings, before)
    # a caller's edit of a returned frame doesn't leak into the next call either
    got = c.findings
    got["theme"] = 1
    linked["x"] = 1
    assert list(c.findings.columns) == FINDING_COLUMNS
    assert "x" not in c.linked_findings.columns


@pytest.mark.slow
def test_same_columns_and_themes_whatever_order_properties_are_touched():
    first, second = _fresh(), _fresh()
    cols = list(first.findings.columns)
    first.links  # noqa: B018
    lf1 = first.linked_findings
    f1 = first.findings
    lf2 = second.linked_findings  # the other order: the linked view first
    f2 = second.findings
    assert list(f1.columns) == list(f2.columns) == cols == FINDING_COLUMNS
    pd.testing.assert_frame_equal(f1, f2)
    pd.testing.assert_frame_equal(lf1, lf2)
    assert list(lf1.columns) == cols + Corpus.LINK_COLUMNS
    t1 = ThemeModel(TrigramEmbedder()).fit(f1).themes_
    t2 = ThemeModel(TrigramEmbedder()).fit(f2).themes_
    pd.testing.assert_frame_equal(t1, t2)
    assert ThemeModel(TrigramEmbedder()).fit(lf1).themes_.equals(ThemeModel(TrigramEmbedder()).fit(lf2).themes_)


# ---------------------------------------------------------------- 2. reprs
def test_short_reprs_and_html_summaries(corpus, fitted):
    r = repr(corpus)
    assert len(r) < 1000 and "4 reports" in r and "Nacka" in r and "2020" in r, r
    for report in corpus:
        assert len(repr(report)) < 1000
        assert all(len(repr(a)) < 1000 for a in report.areas)
        html = report._repr_html_()
        assert html.startswith("<table") and html.count("<tr>") == len(report.areas) + 1
    html = corpus._repr_html_()
    assert html.count("<tr>") == len(corpus) + 1 and "norrtalje_2018" in html
    fr = repr(fitted)
    assert len(fr) < 1000 and fr.startswith("ThemeModel(") and f"{len(fitted.themes_)} themes" in fr, fr
    html = fitted._repr_html_()
    assert "<table" in html and "keyphrases" in html
    bundle = fitted._repr_mimebundle_()
    assert bundle["text/plain"] == fr and "kompasstext-summary" in bundle["text/html"]
    assert repr(ThemeModel(cut_quantile=0.2)) == "ThemeModel(cut_quantile=0.2)"


def test_corpus_html_summary_caps_rows(corpus):
    big = Corpus(list(corpus.reports) * 10)
    html = big._repr_html_()
    assert "… 20 more" in html and len(repr(big)) < 1000


# ---------------------------------------------------------------- 3. scikit-learn estimator
#: scikit-learn's own checks that apply to an estimator fitted on a findings DataFrame (the rest feed
#: it numeric arrays, which it refuses by design: its input tags say so)
SKLEARN_CHECKS = ["check_no_attributes_set_in_init", "check_get_params_invariance", "check_set_params",
                  "check_parameters_default_constructible", "check_estimator_cloneable", "check_estimator_repr",
                  "check_do_not_raise_errors_in_init_or_set_params", "check_estimators_unfitted",
                  "check_valid_tag_types", "check_estimator_tags_renamed", "check_mixin_order"]


@pytest.mark.parametrize("check", SKLEARN_CHECKS)
def test_sklearn_check(check):
    getattr(ec, check)("ThemeModel", ThemeModel())


def test_not_fitted_error_before_fit(tmp_path, corpus):
    m = ThemeModel(TrigramEmbedder())
    for call in (lambda: m.predict(corpus.findings), lambda: m.assignment(corpus.findings), m.transform_frame,
                 lambda: m.save(tmp_path / "m"), lambda: m.merge([0, 1]), lambda: m.rename(0, "x")):
        with pytest.raises(NotFittedError):
            call()


def test_fit_keeps_parameters_and_sets_only_fitted_attributes(corpus):
    """DataFrame versions of check_estimators_overwrite_params / check_dont_overwrite_parameters."""
    m = ThemeModel(TrigramEmbedder(), seeds={"Chefskontrakt": ["chefskontrakt"]})
    params = m.get_params(deep=False)
    before = set(vars(m))
    m.fit(corpus.findings)
    check_is_fitted(m)
    after = m.get_params(deep=False)
    assert after.keys() == params.keys() and all(after[k] is params[k] for k in params)
    public = {a for a in set(vars(m)) - before if not a.startswith("_")}
    assert public and all(a.endswith("_") for a in public), public
    # the default embedder is made privately, never written into the `embedder` parameter
    assert ThemeModel().get_params()["embedder"] is None


def test_clone_set_params_and_idempotent_fit(corpus, fitted):
    c = clone(fitted)
    assert c.get_params(deep=False).keys() == fitted.get_params(deep=False).keys()
    with pytest.raises(NotFittedError):
        c.predict(corpus.findings)
    a = c.fit(corpus.findings).labels_.copy()
    b = c.fit(corpus.findings).labels_  # check_fit_idempotent
    assert (a == b).all() and (a == fitted.labels_).all()
    # check_clustering-style: fit_predict gives the fitted labels in the input's row order
    shuffled = corpus.findings.sample(frac=1.0, random_state=0)
    fp = clone(fitted).fit_predict(shuffled)
    assert (fp == fitted.predict(shuffled)).all()
    assert c.set_params(cut_quantile=0.3).cut_quantile == 0.3
    with pytest.raises(ValueError):
        c.set_params(no_such_parameter=1)


@pytest.mark.parametrize("params", [{"cut_quantile": 3}, {"cut_quantile": -0.1}, {"fence": -1},
                                    {"min_municipalities": 0}, {"weights": (0.5, -1)}, {"n_micro": 2.5}])
def test_parameter_ranges_checked_at_fit(params, corpus):
    m = ThemeModel(TrigramEmbedder(), **params)  # construction never validates (scikit-learn convention)
    with pytest.raises(ValueError, match=next(iter(params))):
        m.fit(corpus.findings)


def test_save_load_keeps_plain_parameters(tmp_path, corpus, fitted):
    path = fitted.save(tmp_path / "themes")
    loaded = ThemeModel.load(path, embedder=TrigramEmbedder())
    assert loaded.get_params(deep=False).keys() == fitted.get_params(deep=False).keys()
    assert (loaded.predict(corpus.findings) == fitted.predict(corpus.findings)).all()


# ---------------------------------------------------------------- 11. BERTopic-style views
def test_themes_over_time_and_reduce_outliers(fitted):
    by_year = fitted.themes_over_time("year")
    assert by_year["n_findings"].sum() == len(fitted.findings_)
    assert set(by_year["year"]) == set(fitted.findings_["year"])
    assert np.allclose(by_year.groupby("year")["share"].sum(), 1.0, atol=1e-3)
    by_fw = fitted.themes_over_time("framework")
    assert set(by_fw["framework"]) == {"2010", "2015", "2020"}
    with pytest.raises(ValueError):
        fitted.themes_over_time("month")
    # a stricter fence makes outliers; reduce_outliers gives each one its best theme, the model unchanged
    strict = clone(fitted).set_params(fence=0.0).fit(fitted.findings_.drop(columns=["core", "theme", "score",
                                                                                   "reason"]))
    before = strict.labels_.copy()
    assert (before < 0).any()
    red = strict.reduce_outliers()
    assert (red["new_theme"] >= 0).all() and (strict.labels_ == before).all()
    kept = red["theme"] >= 0
    assert (red.loc[kept, "new_theme"] == red.loc[kept, "theme"]).all()
    high = strict.reduce_outliers(threshold=np.inf)
    assert ((high["new_theme"] < 0) == (red["theme"] < 0)).all()


def test_theme_similarity_and_figures(fitted):
    pytest.importorskip("matplotlib")
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.figure import Figure

    S = fitted.theme_similarity()
    assert S.shape == (len(fitted.theme_ids_),) * 2 and np.allclose(S.to_numpy(), S.to_numpy().T)
    assert (np.diag(S.to_numpy()) >= S.to_numpy().max(1) - 1e-9).mean() > 0.9  # a theme is nearest itself
    from kompasstext.themes.visualize import keyphrase_weights

    kw = keyphrase_weights(fitted)
    assert len(kw) == fitted.themes_["keyphrases"].map(len).sum() and (kw["weight"] > 0).mean() > 0.8
    for fig in (fitted.visualize_barchart(), fitted.visualize_themes(), fitted.visualize_hierarchy(),
                fitted.visualize_over_time("framework")):
        assert isinstance(fig, Figure) and fig.axes
    labels = [t.get_text() for t in fitted.visualize_hierarchy().axes[0].get_yticklabels()]
    assert len(labels) == len(fitted.theme_ids_)


def test_predict_warns_when_a_linked_model_gets_unlinked_findings(corpus):
    from kompasstext.errors import KompassWarning

    linked = corpus.findings.assign(subquestion=[f"{a}.1" for a in corpus.findings["area"]], link_confidence=0.9)
    model = ThemeModel(TrigramEmbedder()).fit(linked)
    assert model.space_.concepts
    new = corpus.findings.assign(finding_index=corpus.findings["finding_index"] + 1000)  # not fitted keys
    with pytest.warns(KompassWarning, match="W151"):
        model.predict(new)
    with warnings.catch_warnings():
        warnings.simplefilter("error", KompassWarning)
        model.predict(linked.assign(finding_index=linked["finding_index"] + 1000))
        model.assignment(corpus.findings)  # fitted keys: read, not recomputed
