"""``kompasstext report PATH... -o themes.html [--xlsx themes.xlsx] [--municipality NAME] [--lang sv|en]``:
the theme report.

The page and the workbook are in Swedish by default (``--lang en``: English); what the command prints
(progress, the summary, warnings) is English.  The readers' warnings (W1xx: an impossible score, a
score table that does not add up, ...) are counted in one W160 line on stderr with the first
:data:`FIRST_WARNINGS` of them (``--verbose``: all; ``--quiet``: none), printed once the report is
written (a refused run prints its one error line only).
"""
from __future__ import annotations

import argparse
import re
import time
from pathlib import Path
from typing import Any

from .common import add_common, count, log, output_file, stage_bar, theme_model_dir

#: the pipeline's stages (``kompasstext.reporting.compute`` reports each one through ``progress``)
STAGES = ["reading", "linking to sub-questions", "finding themes", "scores and matrix", "good examples"]
#: reader warnings listed without ``--verbose``
FIRST_WARNINGS = 5


def register(sub: Any) -> None:
    from ..reporting import LANGS

    p = sub.add_parser("report", help="write the theme report (one self-contained HTML file)",
                       description="Read reports, find recurring themes, link them to the scores, pick good "
                                   "examples and write one self-contained HTML report (and an Excel workbook).")
    p.add_argument("paths", nargs="+", metavar="PATH", help="report files or directories")
    p.add_argument("-o", "--out", default="themes.html", type=output_file,
                   help="HTML file to write (default themes.html)")
    p.add_argument("--xlsx", default=None, metavar="FILE", type=output_file,
                   help="also write the tables to an Excel workbook")
    p.add_argument("--lang", default=LANGS[0], choices=LANGS,
                   help="language of the HTML page and the Excel workbook (default sv: Swedish; en: English)")
    p.add_argument("--municipality", default=None, metavar="NAME",
                   help="add a profile of this municipality: its themes against its peers, who does well "
                        "what it should improve")
    p.add_argument("--themes", default=None, metavar="DIR", type=theme_model_dir,
                   help="use a theme model saved with ThemeModel.save")
    p.add_argument("--title", default=None, help="title of the report")
    p.add_argument("--examples", type=count, default=3, metavar="N", help="good examples per theme (default 3)")
    p.add_argument("--keep-uncertain-links", action="store_true",
                   help="also count findings whose sub-question link is uncertain in the score statistics "
                        "(left out by default)")
    p.add_argument("-v", "--verbose", action="store_true",
                   help=f"list every reader warning (default: their count and the first {FIRST_WARNINGS})")
    add_common(p)
    p.set_defaults(func=run)


def reader_warnings(corpus: Any) -> list[str]:
    """The readers' warnings of every report in ``corpus``, one line each: ``file: [W103] (area 1) ...``."""
    lines = []
    for r in corpus.reports:
        name = Path(str(r.source)).name if getattr(r, "source", None) else str(r.municipality)
        lines += [f"{name}: {d}" for d in r.diagnostics if d.severity == "warning"]
    return lines


def warning_summary(lines: list[str], verbose: bool = False) -> str | None:
    """One W160 message: how many reader warnings, then the first :data:`FIRST_WARNINGS` (all when
    ``verbose``; the first of each code come first); None without warnings.

    >>> print(warning_summary(["a.txt: [W103] x", "b.txt: [W104] y"], verbose=True))
    [W160] 2 reader warnings (kompasstext parse FILE shows a report's warnings with its text):
      a.txt: [W103] x
      b.txt: [W104] y
    >>> warning_summary(["w"] * 9).splitlines()[-1]
    '  … and 4 more (--verbose lists them all)'
    """
    if not lines:
        return None
    shown = lines if verbose else _varied(lines)[:FIRST_WARNINGS]
    more = [f"… and {len(lines) - len(shown)} more (--verbose lists them all)"] if len(shown) < len(lines) else []
    head = (f"[W160] {len(lines)} reader warning{'s' if len(lines) != 1 else ''} "
            "(kompasstext parse FILE shows a report's warnings with its text):")
    return "\n  ".join([head, *shown, *more])


def _varied(lines: list[str]) -> list[str]:
    """``lines`` with the first warning of each code first, then the rest in order, so that the first
    few shown are not all of one kind (seven W104s hid a truncation's W114).

    >>> _varied(["a: [W104] x", "a: [W104] y", "b: [W114] cut"])
    ['a: [W104] x', 'b: [W114] cut', 'a: [W104] y']
    """
    seen: set[str] = set()
    first, rest = [], []
    for ln in lines:
        m = re.search(r"\[(W\d+)\]", ln)
        code = m.group(1) if m else ln
        (rest if code in seen else first).append(ln)
        seen.add(code)
    return first + rest


def run(args: argparse.Namespace) -> int:
    from ..reporting import report
    from .common import read_reports

    t0 = time.perf_counter()
    corpus = read_reports(args)  # --on-error: skipped files listed in one warning
    t_read = time.perf_counter() - t0
    step = stage_bar(STAGES, args)
    data = report(corpus, out=args.out, xlsx=args.xlsx, municipality=args.municipality, themes=args.themes,
                  n_examples=args.examples, title=args.title, progress=step, lang=args.lang,
                  exclude_uncertain_links=not args.keep_uncertain_links)
    # after the work, so a refused run (E006, ...) prints its one error line and nothing else
    summary = warning_summary(reader_warnings(corpus), verbose=getattr(args, "verbose", False))
    if summary:
        log.warning("%s", summary)
    for path in data.paths.values():
        print(path)
    secs = list(data.timings.values())
    secs[:1] = [t_read + (secs[0] if secs else 0.0)]  # the corpus was read here, before the pipeline
    timings = ", ".join(f"{name} {sec:.1f} s" for name, sec in zip(STAGES, secs))
    f = data.findings
    log.info("%d reports, %d findings, %d themes (%d findings themed) in %.1f s (%s)", len(data.reports), len(f),
             len(data.themes), int((f["theme"] >= 0).sum()), time.perf_counter() - t0, timings)
    return 0
