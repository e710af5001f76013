"""The run-on list segmenter: learned boundary model, spaCy component, generalisation to held-out data."""
from __future__ import annotations

import spacy

from conftest import load_gold
from kompasstext.segmentation import BoundaryModel, NameEvidence, segment_spans, split_text
from kompasstext.segmentation.features import gap_features, tokenize, verb_shape
from kompasstext.segmentation.train import fit, gap_dataset


def test_splits_imperatives_and_noun_phrases():
    text = "Tydlig ledarstrategi Enkelt att kommunicera med politikerna Förenkla möjligheterna att ta del av handlingar"
    assert split_text(text) == ["Tydlig ledarstrategi", "Enkelt att kommunicera med politikerna",
                                "Förenkla möjligheterna att ta del av handlingar"]


def test_no_split_after_function_words_commas_and_introducing_abbreviations():
    assert split_text("Populärversioner av dokument som översiktsplanen och Mål och budget") == [
        "Populärversioner av dokument som översiktsplanen och Mål och budget"]
    assert split_text("Samverkan med andra kommuner, som t.ex. Kalmarmodellen") == [
        "Samverkan med andra kommuner, som t.ex. Kalmarmodellen"]
    assert split_text("Utmärkelser som Årets medarbetare, Årets chef och Årets innovation") == [
        "Utmärkelser som Årets medarbetare, Årets chef och Årets innovation"]


def test_name_evidence_from_the_reports_prose():
    names = NameEvidence("Kommunen lanserade panelen. Arbetet med Medborgarpanelen har startat i Hallstavik.")
    assert names.is_name("Medborgarpanelen") and names.is_name("Hallstavik")
    assert not names.is_name("Kommunen")


def test_verb_shapes():
    assert verb_shape("Tydliggör") == "imperative"
    assert verb_shape("Utveckla") == "infinitive"
    assert verb_shape("Fortsatt") == "participle"
    assert verb_shape("Strategi") == "other"


def test_segment_spans_are_offsets_into_the_text():
    text = "xx Styrkor Bra webb Utveckla e-tjänster"
    spans = segment_spans(text, 11)
    assert [text[s:e] for s, e in spans] == ["Bra webb", "Utveckla e-tjänster"]


def test_spacy_component_marks_items():
    import kompasstext.segmentation.component  # noqa: F401

    nlp = spacy.blank("sv")
    seg = nlp.add_pipe("kompass_list_segmenter")
    seg.set_context("Vi arbetar med Norrtäljepanelen.")
    doc = nlp("Det nya arbetet med Norrtäljepanelen Utveckla rutiner för uppföljning")
    assert [s.text for s in doc.spans["items"]] == ["Det nya arbetet med Norrtäljepanelen",
                                                     "Utveckla rutiner för uppföljning"]
    assert [s.text for s in doc.sents] == [s.text for s in doc.spans["items"]]


def _lists(name: str, *, skip_area: int | None = None):
    gold = load_gold(name)
    out = []
    for a in gold["areas"]:
        if a["number"] == skip_area:
            continue
        for kind in ("strength", "improvement"):
            items = [f["text"] for f in a["findings"] if f["kind"] == kind]
            if len(items) >= 2:
                text = " ".join(items)
                starts, pos = [], 0
                for it in items:
                    starts.append(pos)
                    pos += len(it) + 1
                out.append((text, starts, ""))
    return out


def _gap_accuracy(model, lists, *, skip_sentence_ends: bool) -> float:
    """Teacher-forced accuracy of the gap decisions (constraints + model) against the true items."""
    from kompasstext.segmentation.boundary import decide_gap, walk_gaps

    ok = n = 0
    for text, starts, ctx in lists:
        toks = tokenize(text)
        start_set = set(starts)

        def score(i, feats):
            nonlocal ok, n
            label = toks[i].start in start_set
            if not (skip_sentence_ends and "L_sent_end" in feats):
                ok += (decide_gap(model, feats) >= model.threshold) == label
                n += 1
            return label

        walk_gaps(toks, NameEvidence(ctx), score)
    return ok / n


def test_shipped_model_on_flattened_bulleted_lists():
    """Flatten every explicitly bulleted list (as a PDF transcript would) and decide its gaps again.
    Gaps after a sentence end are left out: whether a period ends an item is a per-report convention."""
    model = BoundaryModel.load()
    lists = _lists("osthammar_2017") + _lists("upplands-bro_2011")
    assert _gap_accuracy(model, lists, skip_sentence_ends=True) >= 0.9


def test_leave_one_report_out_generalises():
    """Trained without a report, the boundary model still decides most of that report's gaps right."""
    reports = {n: _lists(n, skip_area=1 if n == "nacka_2021" else None)
               for n in ("osthammar_2017", "upplands-bro_2011", "nacka_2021")}
    accs = {}
    for held in reports:
        train = [x for n, ls in reports.items() if n != held for x in ls]
        X, y, _ = gap_dataset(train)
        accs[held] = _gap_accuracy(fit(X, y), reports[held], skip_sentence_ends=True)
    assert min(accs.values()) >= 0.75 and sum(accs.values()) / len(accs) >= 0.85, accs


def test_gap_features_are_general():
    toks = tokenize("arbete med Mål och budget")
    f = gap_features(toks, 2, words_since=2, names=NameEvidence(""))
    assert f.get("L_function_word") == 1 and "R_shape=Cap" in f


def test_shipped_weights_are_reproduced_by_training(tmp_path, corpus_dir):
    """The JSON weights in the package are exactly what training on the bundled reports gives."""
    import json

    from kompasstext.segmentation.boundary import DEFAULT_WEIGHTS
    from kompasstext.segmentation.train import main

    out = tmp_path / "weights.json"
    assert main([str(corpus_dir), "--out", str(out)]) == 0
    new = json.loads(out.read_text(encoding="utf-8"))["weights"]
    shipped = json.loads(DEFAULT_WEIGHTS.read_text(encoding="utf-8"))["weights"]
    assert new.keys() == shipped.keys()
    assert all(abs(new[k] - shipped[k]) < 1e-3 for k in new)
