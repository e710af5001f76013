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
from .features import NameEvidence, must_continue, tokenize

#: L2 regularisation strength (sklearn's C); small data, so keep the model smooth
C = 0.5


def flattened_lists(reports) -> list[tuple[str, list[int], str, tuple[int, ...]]]:
    """``(run_on_text, item_start_offsets, report_prose, page_break_offsets)`` for each explicitly
    delimited list, flattened as transcripts flatten lists (:func:`~.flatten.flatten_items`)."""
    from pathlib import Path

    from .features import blank_spans
    from .flatten import flatten_items

    out = []
    for r in reports:
        prose = blank_spans(r.text, [(f.start, f.end) for f in r.findings if f.start is not None])
        name = Path(r.source).stem if r.source else "report"
        for a in r.areas:
            for kind in ("strength", "improvement"):
                items = [f.text for f in a.findings if f.kind == kind and not f.segmented]
                if len(items) < 2:
                    continue
                flat = flatten_items(items, key=f"train/{name}/{a.number}/{kind}")
                out.append((flat.text, list(flat.starts), prose, flat.breaks))
    return out


def gap_dataset(lists) -> tuple[list[dict], list[int], list[int]]:
    """Feature dicts, labels and group ids (one group per report text) of all candidate gaps, the
    current item's start taken from the labels (teacher forcing)."""
    X, y, groups = [], [], []
    ctx_ids: dict[int, int] = {}
    names_cache: dict[int, NameEvidence] = {}
    for entry in lists:
        text, starts, ctx = entry[:3]
        breaks = entry[3] if len(entry) > 3 else ()
        gid = ctx_ids.setdefault(id(ctx), len(ctx_ids))
        names = names_cache.setdefault(gid, NameEvidence(ctx))
        toks = tokenize(text)
        start_set = set(starts)

        def record(i: int, feats: dict) -> bool:
            label = int(toks[i].start in start_set)
            if must_continue(feats):  # decided by the constraints, not by the model
                return bool(label)
            X.append(feats)
            y.append(label)
            groups.append(gid)
            return bool(label)

        walk_gaps(toks, names, record, breaks=breaks)
    return X, y, groups


#: weigh the two classes equally (boundaries outnumber non-boundaries among candidate gaps)
BALANCED = False


PRIORS = Path(__file__).resolve().parent / "data" / "priors.json"


def priors() -> dict[str, float]:
    """The prior log-odds of the cues (``data/priors.json``): general list conventions."""
    import json

    return {k: float(v) for k, v in json.loads(PRIORS.read_text(encoding="utf-8")).items() if not k.startswith("_")}


def fit(X: list[dict], y: list[int], *, C: float | None = None, balanced: bool | None = None,
        prior: dict[str, float] | None = None) -> BoundaryModel:
    """MAP logistic regression: L2 penalty ``|w - prior|² / 2C`` around the prior log-odds."""
    import numpy as np
    from scipy.optimize import minimize
    from sklearn.feature_extraction import DictVectorizer

    C = globals()["C"] if C is None else C
    balanced = BALANCED if balanced is None else balanced
    prior = priors() if prior is None else prior
    vec = DictVectorizer()
    Xm = vec.fit_transform(X).tocsr()
    names = list(vec.get_feature_names_out())
    mu = np.array([prior.get(n, 0.0) for n in names])
    yv = np.asarray(y, dtype=float)
    sw = np.ones_like(yv)
    if balanced and 0 < yv.sum() < len(yv):
        pos = yv.mean()
        sw = np.where(yv == 1, 0.5 / pos, 0.5 / (1 - pos))

    def loss(w):
        z = Xm @ w
        # log(1 + e^z) - y z, stably; gradient X^T (sigmoid(z) - y)
        lo = np.logaddexp(0.0, z) - yv * z
        p = 1.0 / (1.0 + np.exp(-z))
        d = w - mu
        return float(sw @ lo + d @ d / (2 * C)), Xm.T @ (sw * (p - yv)) + d / C

    res = minimize(loss, mu.copy(), jac=True, method="L-BFGS-B", options={"maxiter": 5000, "gtol": 1e-8})
    weights = {n: float(w) for n, w in zip(names, res.x) if abs(w) > 1e-6}
    return BoundaryModel(weights=weights, threshold=0.5,
                         meta={"n_gaps": len(y), "n_boundaries": int(sum(y)), "C": C, "balanced": balanced})


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
