"""PDF reading speed: ``python benchmarks/bench_pdf.py`` (from the repository root).

Times :func:`kompasstext.read_report` on the fixture PDFs (tests/data/pdf, built by build.py), on their
``pdftotext`` outputs and on the bundled text reports, and prints seconds per report, pages per second and
the time a 25-page report PDF takes at that rate (target: under 1 s).  Best of ``--repeat`` runs; a cold
read in a fresh process (imports, simplemma's dictionary for de-hyphenation) is reported separately.
"""
from __future__ import annotations

import argparse
import statistics
import sys
import time
import warnings
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from kompasstext import read_report  # noqa: E402


def _time(path: Path, repeat: int) -> float:
    best = float("inf")
    for _ in range(repeat):
        t = time.perf_counter()
        read_report(path, warn=False)
        best = min(best, time.perf_counter() - t)
    return best


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=5)
    args = ap.parse_args(argv)
    warnings.simplefilter("ignore")
    pdfs = sorted((ROOT / "tests" / "data" / "pdf").glob("*.pdf"))
    import subprocess

    probe = ROOT / "tests" / "data" / "pdf" / "osthammar_2017_variant.pdf"
    code = ("import time; t = time.perf_counter(); from kompasstext import read_report; "
            f"read_report({str(probe)!r}, warn=False); print(time.perf_counter() - t)")
    cold = float(subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT,
                                check=True).stdout.split()[-1])
    print(f"cold read in a fresh process ({probe.name}: imports and, for its hyphenated line ends, "
          f"simplemma's Swedish dictionary loaded): {cold:.2f} s")
    read_report(pdfs[0], warn=False)
    rows = []
    for pdf in pdfs:
        r = read_report(pdf, warn=False)
        n = len(r.page_starts)
        s = _time(pdf, args.repeat)
        rows.append((pdf.name, n, s))
    print(f"\n{'PDF (layout reader)':<34} {'pages':>5} {'s/report':>9} {'pages/s':>8}")
    for name, n, s in rows:
        print(f"{name:<34} {n:>5} {s:>9.3f} {n / s:>8.0f}")
    rate = sum(n for _, n, _ in rows) / sum(s for _, _, s in rows)
    print(f"{'all PDFs':<34} {sum(n for _, n, _ in rows):>5} {'':>9} {rate:>8.0f}   "
          f"-> a 25-page PDF in {25 / rate:.2f} s")

    def block(title: str, paths: list[Path], pages_of) -> None:
        print(f"\n{title:<46} {'pages':>5} {'s/report':>9} {'pages/s':>8}")
        tot_n = tot_s = 0.0
        for p in paths:
            n = pages_of(p)
            s = _time(p, args.repeat)
            tot_n, tot_s = tot_n + n, tot_s + s
            print(f"{p.name:<46} {n:>5} {s:>9.3f} {n / s:>8.0f}")
        print(f"{'all':<46} {int(tot_n):>5} {'':>9} {tot_n / tot_s:>8.0f}")

    pdf_pages = {p.stem: n for p, (_, n, _) in zip(pdfs, rows)}
    texts = sorted((ROOT / "tests" / "data" / "pdf" / "pdftotext").glob("*.txt"))
    block("pdftotext output (text reader)", texts, lambda p: p.read_text("utf-8").count("\f"))
    corpus = sorted((ROOT / "corpora" / "kommunkompassen").glob("*.txt"))
    # the bundled text reports are conversions of the same reports: pages as in their PDF fixture
    block("bundled text reports", corpus, lambda p: pdf_pages.get(p.stem, 25))
    print("\nmedian s/report, PDFs:", round(statistics.median(s for _, _, s in rows), 3))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
