"""Out-of-sample harness for the list segmenter: item-level exact P/R/F1 per report, in and out of sample.

For every report with a gold file, each of its gold lists (one area's strengths or improvements) is
flattened the way transcripts flatten lists (:func:`~.flatten.flatten_items`: items joined by a space, a
page break at a realistic place, the items' own trailing full stops kept) and decoded again with the
report's own prose as name evidence, by

* the model trained on every bundled report's delimited lists (``in-sample``), and
* a model trained *without* the report (``leave-one-out``) — the figure that predicts unseen reports.

Docplayer transcripts (whose lists carry no delimiters, so they never train the model) are also read
end to end by the reader with the leave-one-out model and scored against their gold (``reader``).

Run: ``python -m kompasstext.segmentation.evaluate [CORPUS_DIR] --gold GOLD_DIR``.  Gold only measures
here; nothing in the library reads it.
"""
from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from .boundary import BoundaryModel, use_model
from .features import NameEvidence, blank_spans
from .flatten import flatten_items


#: the confidence bands reported
BANDS = ((0.9, 1.01), (0.7, 0.9), (0.0, 0.7))


@dataclass
class Tally:
    tp: int = 0
    n_pred: int = 0
    n_gold: int = 0

    def add(self, pred: list[str], gold: list[str]) -> None:
        p, g = Counter(pred), Counter(gold)
        self.tp += sum((p & g).values())
        self.n_pred += len(pred)
        self.n_gold += len(gold)

    def __iadd__(self, other: "Tally") -> "Tally":
        self.tp += other.tp
        self.n_pred += other.n_pred
        self.n_gold += other.n_gold
        return self

    @property
    def precision(self) -> float:
        return self.tp / self.n_pred if self.n_pred else 1.0

    @property
    def recall(self) -> float:
        return self.tp / self.n_gold if self.n_gold else 1.0

    @property
    def f1(self) -> float:
        d = self.n_pred + self.n_gold
        return 2 * self.tp / d if d else 1.0


def _norm(s: str) -> str:
    return " ".join(s.split())


def gold_lists(gold: dict) -> list[tuple[int, str, list[str]]]:
    """``(area, kind, items)`` of every non-empty gold list."""
    out = []
    for a in gold["areas"]:
        for kind in ("strength", "improvement"):
            items = [_norm(f["text"]) for f in a["findings"] if f["kind"] == kind]
            if items:
                out.append((int(a["number"]), kind, items))
    return out


def prose_of(report) -> str:
    """The report text with its list items blanked: the evidence a list may use about itself."""
    return blank_spans(report.text, [(f.start, f.end) for f in report.findings if f.start is not None])


def decode_lists(lists, *, model: BoundaryModel, names: NameEvidence, key: str,
                 confidence: list | None = None) -> tuple[Tally, list[dict]]:
    """Flatten and decode each gold list; the tally and the lists that came out wrong.  ``confidence``,
    when given, receives ``(boundary confidence, exact)`` of every decoded item."""
    from . import segment_flat

    tally, errors = Tally(), []
    for area, kind, items in lists:
        flat = flatten_items(items, key=f"{key}/{area}/{kind}")
        spans = segment_flat(flat.text, model=model, names=names, breaks=flat.breaks, with_confidence=True)
        pred = [_norm(flat.text[s:e]) for s, e, _ in spans]
        gold_bag = Counter(items)
        for (_, _, conf), p in zip(spans, pred):
            if confidence is not None:
                confidence.append((conf, gold_bag[p] > 0))
        t = Tally()
        t.add(pred, items)
        tally += t
        if t.tp != len(items) or len(pred) != len(items):
            errors.append({"area": area, "kind": kind, "missed": sorted((Counter(items) - Counter(pred)).elements()),
                           "spurious": sorted((Counter(pred) - Counter(items)).elements())})
    return tally, errors


def reader_tally(report, gold: dict) -> Tally:
    """Exact findings of a report as read, against its gold, per (area, kind)."""
    t = Tally()
    pred: dict[tuple[int, str], list[str]] = {}
    for a in report.areas:
        for f in a.findings:
            pred.setdefault((a.number, f.kind), []).append(_norm(f.text))
    for area, kind, items in gold_lists(gold):
        t.add(pred.pop((area, kind), []), items)
    for rest in pred.values():
        t.add(rest, [])
    return t


def _transcript_tally(report, gold: dict, model: BoundaryModel) -> Tally:
    import tempfile

    from ..readers import read_report
    from .transcript import render_transcript

    narrative = {a.number: [p.text for p in a.passages] for a in report.areas}
    rubrics = {a.number: list(a.rubrics) for a in report.areas}
    text = render_transcript(gold, narrative=narrative, rubrics=rubrics)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / (Path(report.source).stem + ".txt")
        path.write_text(text, encoding="utf-8")
        with use_model(model):
            rep = read_report(path, format="docplayer", warn=False)
    return reader_tally(rep, gold)


def evaluate(corpus_dir: str | Path, gold_dir: str | Path, *, transcripts: bool = True,
             confidence: list | None = None) -> tuple[list[dict], dict[str, list[dict]]]:
    """Rows ``{report, setting, precision, recall, f1, items}`` and the leave-one-out errors per report.
    ``transcripts``: also render each non-transcript report as a docplayer transcript
    (:mod:`.transcript`) and read it end to end with the leave-one-out model.  ``confidence``, when
    given, receives ``(boundary confidence, exact)`` of every item decoded leave-one-out."""
    from ..corpus import read_corpus
    from ..readers import read_report
    from .train import fit, gap_dataset, flattened_lists

    corpus = read_corpus(corpus_dir, warn=False)
    golds = {}
    for r in corpus.reports:
        g = Path(gold_dir) / (Path(r.source).stem + ".gold.json")
        if g.exists():
            golds[r.source] = json.loads(g.read_text(encoding="utf-8"))
    train_lists = {r.source: flattened_lists([r]) for r in corpus.reports}

    def model_without(source: str | None) -> BoundaryModel:
        lists = [x for s, ls in sorted(train_lists.items()) if s != source for x in ls]
        X, y, _ = gap_dataset(lists)
        return fit(X, y)

    full = model_without(None)
    rows, errors = [], {}
    totals = {"in-sample": Tally(), "leave-one-out": Tally(), "reader": Tally(), "transcript": Tally()}
    for r in sorted(corpus.reports, key=lambda r: r.source):
        if r.source not in golds:
            continue
        name = Path(r.source).stem
        names = NameEvidence(prose_of(r))
        lists = gold_lists(golds[r.source])
        loro = model_without(r.source)
        for setting, model in (("in-sample", full), ("leave-one-out", loro)):
            t, errs = decode_lists(lists, model=model, names=names, key=name,
                                   confidence=confidence if setting == "leave-one-out" else None)
            totals[setting] += t
            rows.append(_row(name, setting, t))
            if setting == "leave-one-out":
                errors[name] = errs
        if r.format == "docplayer":
            with use_model(loro):
                rep = read_report(r.source, warn=False)
            t = reader_tally(rep, golds[r.source])
            totals["reader"] += t
            rows.append(_row(name, "reader, leave-one-out", t))
        elif transcripts:
            # the report rendered as a docplayer transcript and read end to end, without itself
            t = _transcript_tally(r, golds[r.source], loro)
            totals["transcript"] += t
            rows.append(_row(name, "transcript, leave-one-out", t))
    for setting, t in totals.items():
        if t.n_gold:
            rows.append(_row("ALL", setting, t))
    return rows, errors


def _row(name: str, setting: str, t: Tally) -> dict:
    return {"report": name, "setting": setting, "precision": round(t.precision, 3), "recall": round(t.recall, 3),
            "f1": round(t.f1, 3), "items": t.n_gold}


def _default_gold() -> Path:
    for cand in (Path("tests/data/gold"), Path("../shared/gold")):
        if cand.is_dir():
            return cand
    return Path("tests/data/gold")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("corpus", nargs="?", default="corpora/kommunkompassen")
    ap.add_argument("--gold", default=None, help="folder of *.gold.json (default: tests/data/gold)")
    ap.add_argument("--errors", action="store_true", help="also print the leave-one-out errors")
    args = ap.parse_args(argv)
    confidence: list[tuple[float, bool]] = []
    rows, errors = evaluate(args.corpus, args.gold or _default_gold(), confidence=confidence)
    print(f"{'report':<22} {'setting':<24} {'P':>6} {'R':>6} {'F1':>6} {'items':>6}")
    for row in rows:
        print(f"{row['report']:<22} {row['setting']:<24} {row['precision']:>6.3f} {row['recall']:>6.3f} "
              f"{row['f1']:>6.3f} {row['items']:>6}")
    print("\nleave-one-out items by boundary confidence:")
    for lo, hi in BANDS:
        band = [ok for c, ok in confidence if lo <= c < hi]
        if band:
            print(f"  {lo:.1f}-{min(hi, 1.0):.1f}: {len(band):>4} items, {sum(band) / len(band):.3f} exact")
    if args.errors:
        for name, errs in errors.items():
            for e in errs:
                print(f"\n{name} area {e['area']} {e['kind']}:", file=sys.stderr)
                for m in e["missed"]:
                    print(f"  - {m}", file=sys.stderr)
                for s in e["spurious"]:
                    print(f"  + {s}", file=sys.stderr)
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
