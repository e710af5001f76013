"""Time the links stage alone (``link_findings``) on a corpus, embedding time excluded.

Run: ``python benchmarks/bench_links.py CORPUS_DIR [--cache-dir DIR] [--rounds 3]``

The corpus is parsed once and pickled beside the cache (``CORPUS_DIR`` is usually a bounded synthetic
corpus from ``benchmarks/synth.py 300 OUT --variants 3 --names 24``, the one ``run.py`` times at N = 300).
A first, untimed call fills the embedding cache (``--cache-dir``, its own, so the user's cache is never
touched); then ``--rounds`` calls are timed and the best is printed, with the seconds spent inside
``Embedder.encode`` subtracted (as ``run.py`` does for its *links s* column).  To compare two versions of
the code, run it twice with ``PYTHONPATH`` pointing at each.
"""
from __future__ import annotations

import argparse
import json
import pickle
import sys
import time
import warnings
from pathlib import Path


class _Timed:
    """An embedder wrapper that sums the seconds spent in ``encode``."""

    def __init__(self, inner):
        self.inner, self.seconds = inner, 0.0

    def encode(self, texts):
        t = time.perf_counter()
        try:
            return self.inner.encode(texts)
        finally:
            self.seconds += time.perf_counter() - t

    def __getattr__(self, name):
        return getattr(self.inner, name)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("corpus")
    ap.add_argument("--cache-dir", default="/tmp/kompasstext-bench-links")
    ap.add_argument("--rounds", type=int, default=3)
    a = ap.parse_args(argv)
    import kompasstext
    from kompasstext import read_corpus
    from kompasstext.corpus import Corpus
    from kompasstext.embedding import Embedder
    from kompasstext.links import link_findings

    cache = Path(a.cache_dir)
    cache.mkdir(parents=True, exist_ok=True)
    pick = cache / (Path(a.corpus).resolve().name + ".reports.pickle")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        if pick.exists():
            reports = pickle.loads(pick.read_bytes())
        else:
            reports = list(read_corpus(a.corpus).reports)
            pick.write_bytes(pickle.dumps(reports))
        corpus = Corpus(reports)
        emb = _Timed(Embedder(prompt="query: ", cache_dir=cache / "embeddings", show_progress=False))
        link_findings(corpus, embedder=emb)                      # fills the cache
        runs = []
        for _ in range(a.rounds):
            emb.seconds = 0.0
            t = time.perf_counter()
            df = link_findings(corpus, embedder=emb)
            runs.append((time.perf_counter() - t - emb.seconds, emb.seconds))
    best = min(runs)
    print(json.dumps({"package": str(Path(kompasstext.__file__).parent), "reports": len(reports),
                      "findings": len(df), "links_s": round(best[0], 2), "embed_s": round(best[1], 2),
                      "rounds": [round(r[0], 2) for r in runs]}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
