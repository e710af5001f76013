"""Domain adaptation of the embedder for themes, measured out of sample (issue 14).

Run (repository root): ``python benchmarks/themes_adapt.py [--pairs passage,question,cross] [--gold DIR]``

A linear adapter ``x -> normalise(W x)`` on top of the frozen multilingual-e5-small (``W`` starts at the
identity; the adapter keeps the ONNX path and its speed: one 384 x 384 product per text), trained with the
MultipleNegativesRankingLoss (in-batch negatives, both directions, scale 20) on **weak pairs the reports
carry, never gold**:

* ``passage``: a finding and the narrative passage of its own area most similar to it (the sentence it
  restates);
* ``question``: a finding and the text of the sub-question the library links it to (link confidence
  >= 0.5);
* ``cross``: two findings of different reports linked to the same concept (confidence >= 0.7) that are
  each other's nearest neighbour among that concept's findings of the other reports.

Each setting is scored with ``themes_loro``'s pairs: *in sample* = the adapter trained on the pairs of all
four reports, one theme fit on all four; *LORO* = for each report R an adapter trained without R's pairs
(``cross`` pairs touching R dropped), one theme fit on all four with it, scored on the pairs involving R.
A *control* row perturbs ``W`` at random (``I + eps * N(0, 1/384)``, three draws) to show how much of a
change is noise of the clustering.  Gold (``themes.gold.json``) only measures.
"""
from __future__ import annotations

import argparse
import sys
import time
import warnings
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))


class Adapted:
    """``encode`` of ``base`` followed by the adapter ``W`` (rows re-normalised)."""

    def __init__(self, base, W: np.ndarray):
        self.base, self.W = base, W

    def encode(self, texts):
        X = self.base.encode(list(texts)) @ self.W.T
        return (X / np.clip(np.linalg.norm(X, axis=1, keepdims=True), 1e-12, None)).astype(np.float32)


def weak_pairs(corpus, emb, kinds: set[str]) -> list[tuple[str, str, frozenset]]:
    """``(anchor, positive, reports involved)`` from the parsed corpus and its links (no gold)."""
    links = corpus.links
    out: list[tuple[str, str, frozenset]] = []
    by_key = {(r.report_id, r.area, r.kind, r.finding_index): r for r in links.itertuples()}
    for rep in corpus.reports:
        rid = Path(rep.source).stem
        for a in rep.areas:
            fs = list(a.findings)
            if not fs:
                continue
            ps = [p.text for p in a.passages if p.text and len(p.text) > 20]
            if "passage" in kinds and ps:
                S = emb.encode([f.text for f in fs]) @ emb.encode(ps).T
                out += [(f.text, ps[int(S[i].argmax())], frozenset([rid])) for i, f in enumerate(fs)]
            if "question" in kinds:
                for kind in ("strength", "improvement"):
                    for i, f in enumerate(x for x in fs if x.kind == kind):
                        row = by_key.get((rid, a.number, kind, i))
                        if row is not None and isinstance(row.subquestion_text, str) and row.link_confidence >= 0.5:
                            out.append((f.text, row.subquestion_text, frozenset([rid])))
    if "cross" in kinds:
        L = links[links.link_confidence >= 0.7].reset_index(drop=True)
        E = emb.encode(L.text.tolist())
        S = E @ E.T
        rid, con = L.report_id.to_numpy(dtype=str), L.concept.to_numpy(dtype=str)

        def nearest(i: int) -> int | None:
            m = np.where((rid != rid[i]) & (con == con[i]))[0]
            return int(m[S[i, m].argmax()]) if len(m) else None

        for i in range(len(L)):
            j = nearest(i)
            if j is not None and i < j and nearest(j) == i:
                out.append((L.text[i], L.text[j], frozenset([rid[i], rid[j]])))
    return out


def train_adapter(pairs, emb, *, epochs: int, lam: float, scale: float = 20.0, lr: float = 1e-2,
                  batch: int = 64, seed: int = 0) -> np.ndarray:
    """``W`` (dim x dim) by MultipleNegativesRankingLoss with an L2 pull towards the identity."""
    import torch

    torch.manual_seed(seed)
    A = torch.tensor(emb.encode([p[0] for p in pairs]))
    B = torch.tensor(emb.encode([p[1] for p in pairs]))
    d = A.shape[1]
    D = torch.zeros(d, d, requires_grad=True)
    opt = torch.optim.Adam([D], lr=lr)
    gen = torch.Generator().manual_seed(seed)
    F = torch.nn.functional
    for _ in range(epochs):
        perm = torch.randperm(len(pairs), generator=gen)
        for s in range(0, len(pairs), batch):
            idx = perm[s:s + batch]
            W = torch.eye(d) + D
            a, b = F.normalize(A[idx] @ W.T, dim=1), F.normalize(B[idx] @ W.T, dim=1)
            logits, lab = scale * a @ b.T, torch.arange(len(idx))
            loss = (F.cross_entropy(logits, lab) + F.cross_entropy(logits.T, lab)) / 2 + lam * (D ** 2).sum() / d
            opt.zero_grad()
            loss.backward()
            opt.step()
    return (torch.eye(d) + D).detach().numpy()


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--gold", default=None)
    ap.add_argument("--pairs", default="passage,question,cross",
                    help="comma-separated pair sets, each measured alone and all together")
    ap.add_argument("--settings", default="3:10,10:1,30:10,30:1", help="epochs:lambda,...")
    a = ap.parse_args(argv)
    import themes_loro as tl
    from tests.helpers.theme_gold import GOLD_DIR, gold_labels

    from kompasstext import read_corpus
    from kompasstext.embedding import Embedder
    from kompasstext.themes import ThemeModel

    gold_dir = Path(a.gold) if a.gold else GOLD_DIR
    settings = [(int(e), float(l)) for e, l in (s.split(":") for s in a.settings.split(","))]
    kinds = [k for k in a.pairs.split(",") if k]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        emb = Embedder()
        df = tl.findings_frame(gold_dir, False)
        corpus = read_corpus(ROOT / "corpora" / "kommunkompassen", warn=False)
        rids = sorted(df.report_id.unique())

        def counts(embedder, rid=None):
            fr = ThemeModel(embedder).fit(df).transform_frame()
            g, _ = gold_labels(fr, gold_dir)
            mask = np.ones(len(g), bool) if rid is None else fr["report_id"].to_numpy() == rid
            return tl.pair_counts(fr["municipality"].to_numpy(dtype=str), g, fr["theme"].to_numpy(), mask)

        print("| pairs | n pairs | epochs, lambda | in sample F1 | LORO F1 (per report) | train s |")
        print("|---|---|---|---|---|---|")
        print(f"| none (frozen model) | – | – | {tl.prf(counts(emb))[2]:.3f} | = in sample | – |")
        rng = np.random.default_rng(0)
        for eps in (0.01, 0.03, 0.1):
            f1 = [tl.prf(counts(Adapted(emb, np.eye(384) + eps * rng.standard_normal((384, 384)) / np.sqrt(384))))[2]
                  for _ in range(3)]
            print(f"| control: random W, eps {eps} | – | – | {' / '.join(f'{x:.3f}' for x in f1)} | – | – |")
        for pset in [[k] for k in kinds] + ([kinds] if len(kinds) > 1 else []):
            pairs = weak_pairs(corpus, emb, set(pset))
            for epochs, lam in settings:
                t0 = time.perf_counter()
                W = train_adapter(pairs, emb, epochs=epochs, lam=lam)
                secs = time.perf_counter() - t0
                ins = tl.prf(counts(Adapted(emb, W)))[2]
                tot, per = np.zeros(3), []
                for rid in rids:
                    Wr = train_adapter([p for p in pairs if rid not in p[2]], emb, epochs=epochs, lam=lam)
                    c = counts(Adapted(emb, Wr), rid)
                    tot += c
                    per.append(f"{tl.prf(c)[2]:.3f}")
                print(f"| {'+'.join(pset)} | {len(pairs)} | {epochs}, {lam:g} | {ins:.3f} | "
                      f"**{tl.prf(tot)[2]:.3f}** ({', '.join(per)}) | {secs:.1f} |", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
