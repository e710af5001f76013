"""Train the boundary model on explicitly delimited lists of real reports.

Every list (one area's strengths or improvements) whose items the reader took from explicit delimiters
(bullets, ``<p>`` cells, markdown items, table rows — not from the segmenter) is flattened the way a PDF
transcript flattens it (items joined by a space) and every candidate gap is labelled: an item starts
there or not.  The fitted logistic regression is stored as JSON weights in the package.

Run: ``python -m kompasstext.segmentation.train corpora/kommunkompassen`` (rewrites
``kompasstext/segmentation/data/boundary_model.json`` and prints cross-validated figures).
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from .boundary import DEFAULT_WEIGHTS, BoundaryModel
from .boundary import walk_gaps
from .features import NameEvidence, tokenize

#: L2 regularisation strength (sklearn's C); small data, so keep the model smooth
C = 0.5


def flattened_lists(reports) -> list[tuple[str, list[int], str]]:
    """``(run_on_text, item_start_offsets, report_text)`` for each explicitly delimited list."""
    from .features import blank_spans

    out = []
    for r in reports:
        prose = blank_spans(r.text, [(f.start, f.end) for f in r.findings if f.start is not None])
        for a in r.areas:
            for kind in ("strength", "improvement"):
                items = [f.text for f in a.findings if f.kind == kind and not f.segmented]
                if len(items) < 2:
                    continue
                text, starts = "", []
                for it in items:
                    if text:
                        text += " "
                    starts.append(len(text))
                    text += it
                out.append((text, starts, prose))
    return out


def gap_dataset(lists) -> tuple[list[dict], list[int], list[int]]:
    """Feature dicts, labels and group ids (one group per report text) of all candidate gaps."""
    X, y, groups = [], [], []
    ctx_ids: dict[int, int] = {}
    names_cache: dict[int, NameEvidence] = {}
    for text, starts, ctx in lists:
        gid = ctx_ids.setdefault(id(ctx), len(ctx_ids))
        names = names_cache.setdefault(gid, NameEvidence(ctx))
        toks = tokenize(text)
        start_set = set(starts)

        def record(i: int, feats: dict) -> bool:
            label = int(toks[i].start in start_set)
            X.append(feats)
            y.append(label)
            groups.append(gid)
            return bool(label)

        walk_gaps(toks, names, record)
    return X, y, groups


def fit(X: list[dict], y: list[int]) -> BoundaryModel:
    from sklearn.feature_extraction import DictVectorizer
    from sklearn.linear_model import LogisticRegression

    vec = DictVectorizer()
    Xm = vec.fit_transform(X)
    clf = LogisticRegression(C=C, max_iter=5000, class_weight="balanced", fit_intercept=False)
    clf.fit(Xm, y)
    weights = {name: float(w) for name, w in zip(vec.get_feature_names_out(), clf.coef_[0]) if abs(w) > 1e-6}
    return BoundaryModel(weights=weights, threshold=0.5, meta={"n_gaps": len(y), "n_boundaries": int(sum(y)), "C": C})


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("paths", nargs="+", help="report files or directories")
    ap.add_argument("--out", default=str(DEFAULT_WEIGHTS))
    args = ap.parse_args(argv)
    from ..corpus import read_corpus

    corpus = read_corpus(args.paths, warn=False)
    lists = flattened_lists(corpus.reports)
    X, y, groups = gap_dataset(lists)
    print(f"{len(lists)} delimited lists, {len(y)} candidate gaps, {sum(y)} item boundaries", file=sys.stderr)
    # leave-one-report-out accuracy of the gap decisions (teacher-forced)
    for g in sorted(set(groups)):
        tr = [i for i, gg in enumerate(groups) if gg != g]
        te = [i for i, gg in enumerate(groups) if gg == g]
        if not te or len(set(y[i] for i in tr)) < 2:
            continue
        m = fit([X[i] for i in tr], [y[i] for i in tr])
        pred = [int(m.proba(X[i]) >= m.threshold) for i in te]
        acc = sum(p == y[i] for p, i in zip(pred, te)) / len(te)
        print(f"  held-out report {g}: gap accuracy {acc:.3f} over {len(te)} gaps", file=sys.stderr)
    model = fit(X, y)
    model.meta["reports"] = sorted(Path(r.source).name for r in corpus.reports if r.source)
    model.save(args.out)
    print(f"wrote {args.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
