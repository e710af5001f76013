"""Package-level promises: a light import, the CLI's parse output, the corpus DataFrames."""
from __future__ import annotations

import json
import subprocess
import sys

from conftest import CORPUS, ROOT, load_gold
from kompasstext.cli import main as cli_main


def test_import_is_light():
    code = ("import sys, kompasstext as kt; c = kt.read_corpus(sys.argv[1]); "
            "heavy = [m for m in ('torch', 'sentence_transformers', 'transformers', 'sklearn') if m in sys.modules]; "
            "assert not heavy, heavy")
    subprocess.run([sys.executable, "-W", "ignore", "-c", code, str(CORPUS)], check=True, cwd=ROOT)


def test_cli_parse_json_follows_the_gold_schema(capsys):
    assert cli_main(["parse", str(CORPUS / "osthammar_2017.txt"), "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    gold = load_gold("osthammar_2017")
    assert set(gold) - {"notes"} <= set(out)
    area, garea = out["areas"][0], gold["areas"][0]
    assert set(garea) <= set(area)
    assert set(garea["findings"][0]) <= set(area["findings"][0])
    assert set(garea["subquestions"][0]) <= set(area["subquestions"][0])


def test_cli_parse_several_paths_gives_a_list(capsys):
    assert cli_main(["parse", str(CORPUS), "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert isinstance(out, list) and len(out) == 4


def test_cli_summary_prints_areas_and_diagnostics(capsys):
    assert cli_main(["parse", str(CORPUS / "norrtalje_2018.txt")]) == 0
    captured = capsys.readouterr()
    assert "Norrtälje 2018" in captured.out and "Ständiga förbättringar" in captured.out
    assert "W104" in captured.err  # the truncated transcript's missing score tables


def test_corpus_frames(corpus):
    f, s = corpus.findings, corpus.scores
    assert len(f) == sum(len(r.findings) for r in corpus.reports)
    assert {"report_id", "municipality", "year", "framework", "area", "kind", "text", "start", "end"} <= set(f.columns)
    assert set(f["kind"]) == {"strength", "improvement"}
    assert s.groupby("report_id").size().to_dict() == {
        "nacka_2021": 35, "norrtalje_2018": 10, "osthammar_2017": 45, "upplands-bro_2011": 45}
    # the same files in another order give the same corpus
    import kompasstext as kt
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        other = kt.read_corpus(sorted(CORPUS.glob("*.txt"), reverse=True))
    assert other.findings[["report_id", "text"]].equals(f[["report_id", "text"]])
