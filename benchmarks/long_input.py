"""Time against input size on one huge single-line transcript (issue 15: every stage linear in the text).

Builds a docplayer-style transcript of the wanted size from the bundled ``norrtalje_2018.txt``: all line
breaks removed (one line), and area 1's narrative repeated until the text has the size asked for, half of it in place (before
its lists), half before area 1 with a praise cue in each copy
(synthetic timing input, never evaluation data).  Then times, each in this process:

* ``read``: :func:`kompasstext.read_report` (decoding, control-character scan, sniffing, the reader);
* ``praise``: :func:`kompasstext.exemplars.mining.praise` (cue search and sentence spans);
* optionally (``--pipeline``) the whole ``kompasstext report`` in a subprocess with ``--timeout``.

Run from the repository root::

    .venv/bin/python benchmarks/long_input.py --mb 1 5 50
    .venv/bin/python benchmarks/long_input.py --mb 5 --pipeline --timeout 900

A stage is linear when its seconds per MB stay flat as the size grows (the ``s/MB`` column).
"""
from __future__ import annotations

import argparse
import re
import subprocess
import sys
import tempfile
import time
import warnings
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TEMPLATE = ROOT / "corpora" / "kommunkompassen" / "norrtalje_2018.txt"


def build(size_bytes: int) -> str:
    """A one-line transcript of about ``size_bytes`` UTF-8 bytes (see the module docstring)."""
    text = TEMPLATE.read_text(encoding="utf-8").replace("\n", " ")
    heads = [m for m in re.finditer(r"Område\s+[12]\s+[^\n]{3,120}?\s+Rubriker.{0,1500}?Poäng\s*\d{1,3}\s", text)]
    a1, a2 = heads[-2], heads[-1]
    body = text[a1.end():a2.start()]
    stop = re.search(r"\s(?:Styrkor|STYRKOR)\s", body)
    prose = body[:stop.start()] if stop else body  # area 1's narrative, without its lists
    need = max(0, size_bytes - len(text.encode("utf-8")))
    reps = need // max(1, len(prose.encode("utf-8")) + 1) + 1 if need else 0
    # the narrative once more before area 1 (the summary chapters: text outside any area), with a praise
    # cue in each copy, so the sentence search runs over one huge line
    lead = (prose + " Det är ett gott exempel. ") * (reps // 2)
    return text[:a1.start()] + lead + text[a1.start():a1.end()] + (prose + " ") * (reps - reps // 2) \
        + text[a1.end():]


def time_stages(path: Path) -> dict[str, float]:
    import kompasstext as kt
    from kompasstext.exemplars.mining import praise

    out = {}
    t0 = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        report = kt.read_report(path)
    out["read"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    rows = praise([report])
    out["praise"] = time.perf_counter() - t0
    out["findings"] = len(report.findings)
    out["praise_rows"] = len(rows)
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--mb", type=float, nargs="+", default=[1, 5, 50], help="input sizes in MB")
    ap.add_argument("--pipeline", action="store_true", help="also run `kompasstext report` on each input")
    ap.add_argument("--timeout", type=float, default=900, help="seconds allowed for --pipeline")
    args = ap.parse_args(argv)
    print("| MB | findings | praise rows | read s | read s/MB | praise s | praise s/MB |"
          + (" report s |" if args.pipeline else ""))
    print("|---|---|---|---|---|---|---|" + ("---|" if args.pipeline else ""), flush=True)
    with tempfile.TemporaryDirectory() as tmp:
        for mb in args.mb:
            path = Path(tmp) / f"long_{mb:g}mb.txt"
            path.write_text(build(int(mb * 1_000_000)), encoding="utf-8")
            real_mb = path.stat().st_size / 1_000_000
            t = time_stages(path)
            row = (f"| {real_mb:.1f} | {t['findings']} | {t['praise_rows']} | {t['read']:.2f} | "
                   f"{t['read'] / real_mb:.2f} | {t['praise']:.2f} | {t['praise'] / real_mb:.2f} |")
            if args.pipeline:
                t0 = time.perf_counter()
                try:
                    done = subprocess.run([sys.executable, "-m", "kompasstext.cli", "report", str(path), "-o",
                                           str(Path(tmp) / "r.html")], check=False, timeout=args.timeout,
                                          capture_output=True, text=True)
                    row += f" {time.perf_counter() - t0:.1f}" + (f" (exit {done.returncode}: "
                                                                  f"{done.stderr.strip()[-200:]})" if done.returncode else "") + " |"
                except subprocess.TimeoutExpired:
                    row += f" > {args.timeout:g} (killed) |"
            print(row, flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
