"""The segmenter's error classes seen on unseen transcripts, with constructed sentences in their style,
and the out-of-sample harness, confidence and analyst overrides."""
from __future__ import annotations

import pytest

from kompasstext.segmentation import NameEvidence, Overrides, segment_flat, split_text, use_overrides
from kompasstext.segmentation.boundary import BoundaryModel, decode


def items(text: str, **kw) -> list[str]:
    return [text[s:e] for s, e in segment_flat(text, **kw)]


def test_class1_no_split_inside_brackets_or_quotes():
    assert items("Samverkan med föreningar (exempelvis Fixartjänsten, Läxhjälp) Tydliga rutiner för uppföljning") == [
        "Samverkan med föreningar (exempelvis Fixartjänsten, Läxhjälp)", "Tydliga rutiner för uppföljning"]
    assert items("Konceptet ”Hållbar arbetsgivare” Utveckla e-tjänster") == [
        "Konceptet ”Hållbar arbetsgivare”", "Utveckla e-tjänster"]


@pytest.mark.parametrize("left", ["såsom", "exempelvis", "eftersom", "bland annat", "samt", "med", "för", "till"])
def test_class2_no_split_after_words_that_cannot_end_an_item(left):
    text = f"Informationsmaterial {left} Kommunnytt till alla hushåll Utveckla e-tjänster"
    assert items(text)[0] == f"Informationsmaterial {left} Kommunnytt till alla hushåll"


def test_class3_capitalised_common_noun_after_a_lowercase_word_opens_an_item():
    assert items("Bra dialog med tydliga rutiner kopplat till detta Enkäter till nyinflyttade varje år") == [
        "Bra dialog med tydliga rutiner kopplat till detta", "Enkäter till nyinflyttade varje år"]


def test_class4_a_sentence_end_is_weighed_not_switched_off():
    """In a list of period-ended items, a sentence end before a capital closes an item; elsewhere the
    model weighs it, so the boundary probability after a sentence end stays well above zero."""
    assert items("Tydlig vision. Bra dialog med invånarna. Utveckla rutiner för uppföljning.") == [
        "Tydlig vision.", "Bra dialog med invånarna.", "Utveckla rutiner för uppföljning."]
    seg = decode("Många sätt att lämna synpunkter. Tydliga rutiner för hantering", model=BoundaryModel.load())
    assert min(seg.posterior.values()) > 0.1


def test_class5_a_page_break_is_evidence_of_a_boundary():
    text = "Arbetet med värdegrunden Medarbetarsamtal varje år"
    at = text.index("Medarbetarsamtal")
    p_without = decode(text, model=BoundaryModel.load()).posterior
    p_with = decode(text, model=BoundaryModel.load(), breaks=[at]).posterior
    i = next(k for k in p_with if k == 3)
    assert p_with[i] > p_without[i]


def test_class6_the_reports_own_names_are_not_item_starts():
    ctx = NameEvidence("Arbetet med värdegrunden Kompassrosen pågår. Alla chefer känner till Kompassrosen väl.")
    assert ctx.used_as_name("Kompassrosen")
    text = "En gemensam värdegrund Kompassrosen och LEDA Utveckla rutiner för uppföljning"
    with_names = decode(text, model=BoundaryModel.load(), names=ctx).posterior
    without = decode(text, model=BoundaryModel.load()).posterior
    k = 3  # the gap before "Kompassrosen"
    assert with_names[k] < without[k]


def test_class7_runs_that_start_with_the_same_stem_are_split():
    assert items("Fortsatt utveckling av e-tjänster Fortsatt arbete med medborgardialog "
                 "Fortsatt arbete med att stärka ledarskapet") == [
        "Fortsatt utveckling av e-tjänster", "Fortsatt arbete med medborgardialog",
        "Fortsatt arbete med att stärka ledarskapet"]
    assert len(items("Utveckla uppföljningen av mål Utveckla dialogen med invånarna Stärka samverkan "
                     "med näringslivet Stärka ledarskapet")) == 4


def test_decoder_is_the_most_probable_segmentation_with_posteriors():
    seg = decode("Tydlig vision Utveckla rutiner för uppföljning", model=BoundaryModel.load())
    assert seg.cuts() == [14]
    assert all(0.0 <= p <= 1.0 for p in seg.posterior.values())
    assert seg.item_confidence()[0] == pytest.approx(min(seg.posterior.values()), abs=0.05)
    assert decode("", model=BoundaryModel.load()).starts == ()


def test_confidence_comes_with_each_item():
    spans = segment_flat("Tydlig vision Utveckla rutiner för uppföljning", with_confidence=True)
    assert len(spans) == 2 and all(0.5 < c <= 1.0 for _, _, c in spans)


def test_overrides_force_and_forbid_boundaries(tmp_path):
    text = "En gemensam värdegrund Kompassrosen och LEDA Bra dialog kopplat till detta Enkäter till alla"
    ov = Overrides(join=["värdegrund Kompassrosen"], split_before=["Enkäter till"])
    path = tmp_path / "overrides.json"
    ov.save(path)
    with use_overrides(path):
        got = split_text(text)
    assert "En gemensam värdegrund Kompassrosen och LEDA" in got and got[-1] == "Enkäter till alla"
    assert split_text("Bra dialog Enkäter till alla") == split_text("Bra dialog Enkäter till alla")  # inactive again


def test_broken_overrides_file_is_a_typed_error(tmp_path):
    from kompasstext.errors import ReportFormatError

    bad = tmp_path / "o.json"
    bad.write_text("[1, 2", encoding="utf-8")
    with pytest.raises(ReportFormatError, match="E006"):
        Overrides.load(bad)


def test_findings_carry_boundary_confidence_and_review_lists_the_uncertain(corpus_dir):
    import kompasstext as kt

    corpus = kt.read_corpus(corpus_dir, warn=False)
    df = corpus.findings
    seg = df[df["segmented"]]
    assert seg["boundary_confidence"].notna().all() and df[~df["segmented"]]["boundary_confidence"].isna().all()
    review = corpus.review_segmentation(threshold=0.8)
    assert (review["boundary_confidence"] < 0.8).all()
    assert review["boundary_confidence"].is_monotonic_increasing
    rep = corpus["norrtalje_2018"]
    w130 = [d for d in rep.diagnostics if d.code == "W130"]
    low = [f for f in rep.findings if f.boundary_confidence is not None and f.boundary_confidence < 0.7]
    assert len(w130) == len(low)


def test_out_of_sample_harness(corpus_dir):
    """Leave-one-report-out on the flattened gold lists: a regression floor at today's figures."""
    from conftest import GOLD
    from kompasstext.segmentation.evaluate import evaluate

    rows, errors = evaluate(corpus_dir, GOLD)
    f1 = {(r["report"], r["setting"]): r["f1"] for r in rows}
    assert f1[("ALL", "leave-one-out")] >= 0.79
    assert f1[("nacka_2021", "leave-one-out")] >= 0.98
    assert f1[("norrtalje_2018", "reader, leave-one-out")] == 1.0
    assert set(errors) == {"nacka_2021", "norrtalje_2018", "osthammar_2017", "upplands-bro_2011"}


def test_spacy_component_from_entry_point_round_trips_in_a_new_process(tmp_path):
    """``add_pipe`` without importing kompasstext first (spacy_factories entry point); a saved pipeline
    loads and segments in a fresh interpreter."""
    import subprocess
    import sys

    save = f"""
import spacy
nlp = spacy.blank("sv")
nlp.add_pipe("kompass_list_segmenter")
nlp.to_disk({str(tmp_path / 'pipe')!r})
"""
    load = f"""
import spacy
nlp = spacy.load({str(tmp_path / 'pipe')!r})
doc = nlp("Tydlig vision Utveckla rutiner för uppföljning")
print("|".join(s.text for s in doc.spans["items"]), len(doc.spans["items"].attrs["confidence"]))
"""
    for code in (save, load):
        out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
        assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "Tydlig vision|Utveckla rutiner för uppföljning 2"
    assert (tmp_path / "pipe" / "kompass_list_segmenter" / "boundary_model.json").exists()


def test_decoding_is_bounded_on_a_run_on_block_that_never_ends():
    """A 20,000-word block (a list heading whose list never closes) decodes in windows: every item at most
    MAX_ITEM_WORDS words unless the constraints allow nothing shorter."""
    from kompasstext.segmentation.boundary import MAX_ITEM_WORDS

    text = " ".join(["Tydlig vision för kommunen", "Utveckla rutiner för uppföljning av mål"] * 2500)
    spans = segment_flat(text)
    assert len(spans) == 5000
    glued = "och " * 3000 + "Slut"  # no boundary allowed anywhere: one item, found without the window
    assert len(segment_flat(glued)) == 1
    assert max(len(text[s:e].split()) for s, e in spans) <= MAX_ITEM_WORDS
