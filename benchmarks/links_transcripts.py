"""Links out of sample on the docplayer shape: each structured bundled report rendered as a transcript.

Run (repository root): ``python benchmarks/links_transcripts.py [--gold DIR]``

Each of Nacka, Östhammar and Upplands-Bro is written as a docplayer transcript from what was read
(``kompasstext.segmentation.transcript``: narrative flattened into sentences with its subheadings glued on,
lists without bullets, score tables flattened over page breaks), read back by the docplayer reader and
linked next to the other three reports as they are.  Printed: link accuracy (gold ``links.gold.json``,
used only to measure, matched as ``link_eval.py`` does) of the structured report, of the transcript, and of
the transcript without the inline-subheading recovery (``LinkWeights(inline_headings=False)``).
"""
from __future__ import annotations

import argparse
import sys
import tempfile
import warnings
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))
sys.path.insert(0, str(ROOT / "tests"))


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--gold", default=None)
    a = ap.parse_args(argv)
    import links_errors as le
    from test_links_transcript import as_transcript

    from kompasstext import read_corpus
    from kompasstext.corpus import Corpus
    from kompasstext.links import link_findings
    from kompasstext.links.linker import LinkWeights

    gold_dir = Path(a.gold) if a.gold else next(p for p in (ROOT.parent / "shared" / "gold",
                                                             ROOT / "tests" / "data" / "gold") if p.exists())
    gold = le.load_gold(gold_dir)

    def acc(links, name):
        m = le.match_gold(links, gold)
        m = m[(m.report_id == name) & m.gold.notna()]
        return len(m), (m.subquestion == m.gold).mean(), ((m.subquestion == m.gold)
                                                          | (m.subquestion == m.secondary)).mean()

    print("| report | structured | transcript | transcript, no inline subheadings | matched findings |")
    print("|---|---|---|---|---|")
    with warnings.catch_warnings(), tempfile.TemporaryDirectory() as tmp:
        warnings.simplefilter("ignore")
        corpus = read_corpus(ROOT / "corpora" / "kommunkompassen")
        base = link_findings(corpus)
        for k, r in enumerate(corpus.reports):
            name = Path(r.source).stem
            if r.format == "docplayer":
                continue
            reports = list(corpus.reports)
            reports[k] = as_transcript(r, Path(tmp))
            n0, s0, _ = acc(base, name)
            n1, s1, l1 = acc(link_findings(Corpus(reports)), name)
            _, s2, _ = acc(link_findings(Corpus(reports), weights=LinkWeights(inline_headings=False)), name)
            print(f"| {name} | {s0:.3f} | {s1:.3f} (lenient {l1:.3f}) | {s2:.3f} | {n1} of {n0} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
