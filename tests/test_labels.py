"""Theme labels and keyphrases a reader accepts, checked on the bundled corpus's themes."""
from __future__ import annotations

import re

import pytest

from kompasstext.themes.keyphrases import surface_keyphrases
from kompasstext.themes.labels import _dangling, noun_phrase, unique_labels


@pytest.fixture(scope="module")
def themes(corpus):
    from kompasstext.themes import ThemeModel

    model = ThemeModel().fit(corpus.linked_findings)
    return model, model.themes_, model.transform_frame()


@pytest.mark.slow
def test_no_two_themes_share_a_label(themes):
    _, table, _ = themes
    labels = table["label"].str.casefold()
    assert not labels.duplicated().any(), table[labels.duplicated(keep=False)]["label"].tolist()


@pytest.mark.slow
def test_no_label_ends_in_a_dangling_word_or_opens_with_a_function_word(themes):
    from kompasstext.segmentation.features import function_words

    _, table, _ = themes
    for label in table["label"]:
        words = re.findall(r"[^\W\d_]+", label)
        assert words and not _dangling(words[-1]), label
        assert words[0].lower() not in function_words(), label


@pytest.mark.slow
def test_no_municipality_in_labels_or_keyphrases(themes, corpus):
    _, table, _ = themes
    names = {str(m).lower() for m in corpus.findings["municipality"].unique()}
    for r in table.itertuples():
        for text in [r.label, *r.keyphrases]:
            assert not any(n in text.lower() for n in names), (r.label, text)


@pytest.mark.slow
def test_keyphrase_words_are_words_of_the_themes_findings(themes):
    """Every keyphrase word is written as a whole word in the theme's own findings: no lemmatiser
    inventions (*plana*, *muta jäva*, *upplands-broa*) and no compound parts (*barhet*)."""
    _, table, frame = themes
    for r in table.itertuples():
        member_words = {w.lower() for t in frame.loc[frame["theme"] == r.theme_id, "text"]
                        for w in re.findall(r"[^\W\d_]+(?:-[^\W\d_]+)*", t)}
        if not member_words:
            continue
        for kp in r.keyphrases:
            for w in kp.split():
                assert w in member_words, (r.label, kp)


def test_noun_phrase_drops_quantifiers_prepositions_and_clauses():
    assert noun_phrase("Populärversioner av vissa") == "Populärversioner"
    assert noun_phrase("Alla chefsmöten har protokoll") == "chefsmöten"
    assert noun_phrase("Under budgetprocessen diskuteras mål") == "budgetprocessen"
    assert noun_phrase("hur kommunen framgent ska arbeta") == ""
    assert noun_phrase("Populärversioner av vissa styrande dokument som översiktsplanen") == (
        "Populärversioner av vissa styrande dokument")


def test_unique_labels_take_the_next_candidate():
    out = unique_labels({3: [("Jämförelser", 0.7), ("Externa jämförelser", 0.6)], 5: [("Jämförelser", 0.9)]}, {})
    assert out == {3: "Externa jämförelser", 5: "Jämförelser"}


def test_surface_keyphrases():
    texts = ["Miljöplan och en energiplan", "En plan för miljön", "Policy mot mutor och jäv i Upplands-Bro",
             "Uppföljningsbarhet i Stockholm business alliance", "löne- och medarbetarsamtal"]
    got = surface_keyphrases(["plana", "muta jäva", "upplands-broa", "barhet", "stockholm", "löne"], texts,
                             municipalities=["Upplands-Bro"])
    assert got == ["plan", "mutor jäv"]
