"""Good examples across municipalities: praise mining (pinned against the four reports), citations,
ranking (determinism, query forms, links fallback), ``examples_for``, the CLI, and the gold-measured
top-5 precision of theme-label queries."""
from __future__ import annotations

import collections
import json
import re
import subprocess
import sys
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import kompasstext as kt
from kompasstext.corpus import Corpus
from kompasstext.errors import KompassWarning
from kompasstext.exemplars import EXAMPLE_COLUMNS, PRAISE_COLUMNS, WEIGHTS, praise
from kompasstext.exemplars.cues import find_cues
from kompasstext.exemplars.names import gazetteer, municipality_names
from kompasstext.model import Area, Passage, Report
ROOT = Path(__file__).resolve().parents[1]

# --------------------------------------------------------------------------- pinned "gott exempel" mentions
# Read off the reports (grep -n -i "gott exempel\|goda exempel" + context): (area, generic) in text order.
# area None = general/summary chapters; generic = good examples mentioned, nothing praised
# ("sprida goda exempel", "lyfta fram goda exempel", "sökverktyg för att hitta ... goda exempel").
# No "gott exempel" sentence in these reports names another municipality (Nacka 3.x names
# Sollentuna/Upplands Väsby/Danderyd in the sentence *before* its "även ett gott exempel").
GOTT_EXEMPEL = {
    "nacka_2021": [(None, False),          # "Nacka ... kan i sin helhet lyftas som ett gott exempel"
                   (1, False), (1, False),  # steg-för-steg-anvisningar; direktsänder fullmäktige
                   (2, False), (2, False),  # trygghetsarbete; miljömålen till andra kommuner
                   (3, False), (3, False),  # styrmodell "ytterst gott exempel"; Våga Visa
                   (4, False),              # digitaliserad bygglovsprocess
                   (6, False), (6, True), (6, True), (6, False),  # fonderna; sprids/sprida; brukarsynpunkter
                   (8, False), (8, True)],  # introduktion; "lära sig av goda exempel"
    "norrtalje_2018": [(2, False),          # "Vissa verksamheter visade goda exempel"
                       (4, True),           # "Goda exempel på ledarskap kan också lyftas fram"
                       (6, False),          # Kommunstyrelsekontoret
                       (7, True), (7, True), (7, True),  # sprida de goda / lyfta upp / sprida goda interna och externa
                       (7, True), (7, True),  # the strength and improvement lists: lyfta fram / sprida
                       (8, False), (8, False), (8, False)],  # föreningsbidrag; Biblioteksbussen; TiNK "mycket gott"
    "osthammar_2017": [(None, True)],       # "sökverktyg för att hitta bland annat goda exempel"
    "upplands-bro_2011": [(None, True),
                          (1, False),       # "Informativ Kommunguide - Gott exempel."
                          (5, False), (5, False), (5, False),  # ATT-projektet; samverkan + LJUS-projektet
                          (6, False), (6, False),  # Heltidsprojektet; "lika – lika"
                          (8, False)],      # volontära krafter
}


@pytest.fixture(scope="session")
def praise_table(corpus) -> pd.DataFrame:
    return praise(corpus)


def test_praise_finds_every_gott_exempel(praise_table):
    got = praise_table[praise_table["cue"] == "gott exempel"]
    assert {k: len(v) for k, v in GOTT_EXEMPEL.items()} == got.groupby("report_id").size().to_dict()
    for rid, expected in GOTT_EXEMPEL.items():
        rows = got[got["report_id"] == rid]
        areas = [None if pd.isna(a) else int(a) for a in rows["area"]]
        assert list(zip(areas, rows["generic"])) == expected, rid
        assert rows["other_municipality"].isna().all(), rid
    # the verdicts inside 2011-style list items are tied to their findings
    ub = got[(got["report_id"] == "upplands-bro_2011") & got["area"].notna()]
    assert (ub["source"] == "finding").all() and ub["finding_index"].notna().all()


def test_praise_cites_its_source(corpus, praise_table):
    assert list(praise_table.columns) == PRAISE_COLUMNS
    for r in praise_table.itertuples():
        text = corpus[r.report_id].text
        assert text[r.cue_start:r.cue_end].strip() == r.cue_text
        assert r.start <= r.cue_start < r.end or r.source == "finding"
        words = re.findall(r"\w{4,}", r.praised)[:4]
        assert all(w in text[r.start:r.end] for w in words), r.citation
        assert r.citation.startswith(f"{r.report_id}.txt") and f"tecken {r.start}–{r.end}" in r.citation
    # docplayer transcripts carry pages
    nt = praise_table[praise_table["report_id"] == "norrtalje_2018"]
    assert nt["page"].notna().all() and ", s. " in nt["citation"].iloc[0]


def test_corpus_praise_property(corpus, praise_table):
    pd.testing.assert_frame_equal(corpus.praise, praise_table)


def test_other_municipality_by_structure():
    text = ("Område 1 Demokrati\nKommunen informerar väl. Se gärna på Lidköpings kommuns arbete med "
            "medborgarbudget, ett gott exempel. Hämta gärna inspiration från Upplands Väsby. "
            "Nacka är en förebild.\n")
    area = Area(1, "Demokrati", passages=[Passage(text[19:], start=19, end=len(text) - 1)], start=0, end=len(text))
    rep = Report("Nacka", 2021, "2020", areas=[area], source="x/nacka_2021.txt", text=text)
    table = praise([rep])
    by_cue = dict(zip(table["cue"], table["other_municipality"]))
    assert by_cue["se gärna på"] == "Lidköping" and by_cue["gott exempel"] == "Lidköping"
    assert by_cue["inspiration från"] == "Upplands Väsby"
    assert pd.isna(by_cue["förebild"])  # the report's own municipality is not "another"
    assert set(table["area"]) == {1} and (table["file"] == "nacka_2021.txt").all()


def test_names_and_gazetteer():
    assert len(gazetteer()) == 290
    assert municipality_names("Stockholms stads personalpolicy") == ["Stockholm"]
    assert municipality_names("som Borås kommun gör") == ["Borås"]
    assert municipality_names("En kommun som utvärderas. Kommunens arbete.") == []
    assert municipality_names("Nyföretagarcentrum i samverkan med Järfälla kommun.", exclude="Upplands-Bro") == \
        ["Järfälla"]


def test_cue_variants():
    cues = lambda t: [(c.name, c.generic) for c in find_cues(t)]  # noqa: E731
    assert cues("Ett mycket gott exempel på samverkan.") == [("gott exempel", False)]
    assert cues("Kommunen kan med fördel titta på hur andra gör.") == [("titta på", False)]
    assert cues("Det är föredömligt.") == [("föredöme", False)]
    assert cues("Goda resultat, till exempel i skolan.") == []
    assert cues("Att sprida goda exempel är viktigt.") == [("gott exempel", True)]


# --------------------------------------------------------------------------- ranking
@pytest.fixture(scope="session")
def ranked(corpus) -> pd.DataFrame:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", kt.ParseWarning)
        return kt.examples(corpus, query="Utveckla resultatorienterade chefskontrakt", top=10)


@pytest.mark.slow
def test_examples_frame_and_citations(corpus, ranked):
    assert list(ranked.columns) == EXAMPLE_COLUMNS and len(ranked) == 10
    assert (ranked["kind"] == "strength").all() and list(ranked["rank"]) == list(range(1, 11))
    assert ranked["rank_score"].is_monotonic_decreasing
    w = WEIGHTS
    boost = w["score"] * ranked["score_component"] + w["praise"] * ranked["praise_component"]
    sim = ranked["similarity"]
    assert np.allclose(sim + sim.clip(lower=0) * boost, ranked["rank_score"])
    # relevance first: the boosts scale the similarity, so they can never outweigh a relative gap above them
    assert (ranked["rank_score"] <= sim.clip(lower=0) * (1 + w["score"] + w["praise"]) + 1e-9).all()
    for r in ranked.itertuples():
        rep = corpus[r.report_id]
        src = rep.text[r.start:r.end]
        assert all(w in src for w in re.findall(r"\w{4,}", r.finding)[:5]), r.citation
        assert r.citation == f"{r.file}, tecken {r.start}–{r.end}" or ", s. " in r.citation
        area = rep.area(r.area)
        assert r.passage in [p.text for p in area.passages]  # the supporting passage is from the same area
        assert area.start <= r.passage_start < area.end
    assert any("kontrakt" in f for f in ranked["finding"].head(3))


@pytest.mark.slow
def test_examples_deterministic_and_filtered(corpus, ranked):
    again = kt.examples(corpus, query="Utveckla resultatorienterade chefskontrakt", top=10)
    pd.testing.assert_frame_equal(again, ranked)
    imp = kt.examples(corpus, query="chefskontrakt", kind="improvement", area=8, top=5)
    assert (imp["kind"] == "improvement").all() and (imp["area"] == 8).all()
    fw = kt.examples(corpus, query="chefskontrakt", framework="2015", top=5)
    assert set(fw["framework"]) == {"2015"}
    if not ranked.attrs["notes"]:  # links available: the score filter applies
        hi = kt.examples(corpus, query="chefskontrakt", min_percent=80, top=5)
        assert (hi["percent"] >= 80).all()
    tie = kt.examples(corpus, query=None, top=None)  # score + praise only: many ties, broken by keys
    key = tie[["rank_score"]].assign(neg=-tie["rank_score"].round(6))[["neg"]].join(
        tie[["report_id", "area", "kind", "finding_index"]])
    assert key.equals(key.sort_values(list(key.columns)))


@pytest.mark.slow
def test_query_forms(corpus):
    row = corpus.findings.query("report_id == 'norrtalje_2018' and kind == 'strength'").iloc[0]
    by_row = kt.examples(corpus, query=row, top=5)
    assert not ((by_row["report_id"] == row["report_id"]) & (by_row["finding_index"] == row["finding_index"])
                & (by_row["area"] == row["area"])).any()
    by_text = kt.examples(corpus, query=row["text"], top=1)
    assert by_text["finding"].iloc[0] == row["text"]

    class Themes:  # the ThemeModel interface examples() uses
        themes_ = pd.DataFrame({"theme_id": [0, 1], "label": ["Trygghet", "Chefskontrakt"]})

        def predict(self, findings):
            return np.where(findings["text"].str.contains("trygghet", case=False), 0, 1)

        def transform_frame(self):
            fr = corpus.findings.copy()
            return fr.assign(theme=self.predict(fr))

    themes = Themes()
    by_theme = kt.examples(corpus, query=0, themes=themes, top=3)
    assert by_theme["finding"].str.contains("rygghet").all() and (by_theme["theme"] == 0).all()
    only = kt.examples(corpus, query="styrmodell", theme="Trygghet", themes=themes, top=50)
    assert (only["theme_label"] == "Trygghet").all() and len(only) >= 3
    with pytest.raises(ValueError):
        kt.examples(corpus, query=3)


@pytest.mark.slow
def test_links_fallback(corpus, monkeypatch):
    def broken(self):
        raise NotImplementedError("links in progress")

    monkeypatch.setattr(Corpus, "links", property(broken))
    fresh = Corpus(list(corpus.reports))
    with pytest.warns(KompassWarning, match="links failed"):
        df = kt.examples(fresh, query="trygghetsarbete", top=3)
    assert (df["score_component"] == 0).all() and df["percent"].isna().all()
    assert any("links" in n for n in df.attrs["notes"])


@pytest.mark.slow
def test_examples_for(corpus):
    df = kt.examples_for(corpus, "Norrtälje", top=2)
    n_imp = int(((corpus.findings["report_id"] == "norrtalje_2018")
                 & (corpus.findings["kind"] == "improvement")).sum())
    assert df.groupby(["improvement_area", "improvement_index"]).ngroups == n_imp
    assert (df.groupby(["improvement_area", "improvement_index"]).size() == 2).all()
    assert (df["municipality"] != "Norrtälje").all() and (df["kind"] == "strength").all()
    assert df["improvement_citation"].str.startswith("norrtalje_2018.txt, s. ").all()


def test_lazy_names_resolve_to_callables():
    code = ("import sys, kompasstext as kt; import kompasstext.exemplars.rank; import kompasstext.commands.examples; "
            "assert callable(kt.examples) and callable(kt.examples_for) and kt.examples.__module__.endswith('rank'); "
            "assert 'torch' not in sys.modules and 'sentence_transformers' not in sys.modules")
    subprocess.run([sys.executable, "-c", code], check=True, cwd=ROOT)


@pytest.mark.slow
def test_cli_json_and_text(capsys):
    from kompasstext.cli import main

    assert main(["examples", "Trygghetsarbete", str(ROOT / "corpora" / "kommunkompassen"), "--json",
                 "--top", "3"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert len(rows) == 3 and {"citation", "finding", "rank_score"} <= set(rows[0])
    assert main(["examples", "Trygghetsarbete", str(ROOT / "corpora" / "kommunkompassen"), "--top", "2",
                 "--kind", "improvement", "--area", "2"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("Examples for 'Trygghetsarbete'") and "tecken" in out and " 2. " in out


# --------------------------------------------------------------------------- gold-measured precision
def _gold_theme_of(corpus) -> list[str]:
    """Gold primary theme of every corpus finding: matched by text within (report, area), else by the
    gold index (the reader merges two of Nacka's area-1 improvements the gold keeps apart)."""
    gold = json.loads((ROOT / "tests" / "data" / "gold" / "themes.gold.json").read_text(encoding="utf-8"))
    by_area = collections.defaultdict(list)
    for a in gold["assignments"]:
        by_area[(a["file"].removesuffix(".gold.json"), int(a["area"]))].append(a)
    out = []
    for rid, area, idx, text in corpus.findings[["report_id", "area", "finding_index", "text"]].itertuples(index=False):
        cands = by_area[(rid, int(area))]
        hit = next((a for a in cands if a["text"] == text), None) or \
            next((a for a in cands if text.startswith(a["text"])), None) or cands[int(idx)]
        out.append(hit["theme"])
    return out


@pytest.mark.slow
def test_theme_label_queries_find_the_theme(corpus):
    findings = corpus.findings.assign(gold=_gold_theme_of(corpus))
    codebook = {c["id"]: c["label"] for c in json.loads(
        (ROOT / "tests" / "data" / "gold" / "themes.gold.json").read_text(encoding="utf-8"))["codebook"]}
    strengths = findings[findings["kind"] == "strength"]
    n_mun = strengths.groupby("gold")["municipality"].nunique()
    themes = sorted(t for t, n in n_mun.items() if t != "singleton" and n >= 3)
    size = strengths.groupby("gold").size()
    gold_of = dict(zip(zip(findings["report_id"], findings["area"], findings["finding_index"]), findings["gold"]))
    p5, capped = [], []
    for t in themes:
        top = kt.examples(corpus, query=codebook[t], kind="strength", top=5)
        hits = sum(gold_of[k] == t for k in zip(top["report_id"], top["area"], top["finding_index"]))
        p5.append(hits / 5)
        capped.append(hits / min(5, size[t]))
    ceiling = float(np.mean([min(5, size[t]) / 5 for t in themes]))
    print(f"\n{len(themes)} themes: top-5 precision {np.mean(p5):.3f} (ceiling {ceiling:.3f}: themes with "
          f"< 5 strengths), precision at min(5, n) {np.mean(capped):.3f}")
    # measured 0.606 / 0.717 (was 0.578 / 0.686 before relevance-proportional boosts and removing the
    # dominant directions); target 0.80 not reached: the ceiling of plain top-5 precision is 0.85 and even
    # the gold centroid of each theme as the query reaches only 0.83.  The floor is above the old figures
    # (at most two hits of 180 lost) so that it guards the gain.
    assert np.mean(p5) >= 0.59 and np.mean(capped) >= 0.70
