"""``kompasstext report PATH... -o themes.html [--xlsx themes.xlsx] [--municipality NAME]``: the theme report."""
from __future__ import annotations

import time

from .common import add_common, count, log, output_file, stage_bar, theme_model_dir

#: the pipeline's stages (``kompasstext.reporting.compute`` reports each one through ``progress``)
STAGES = ["reading", "linking to sub-questions", "finding themes", "scores and matrix", "good examples"]


def register(sub) -> None:
    p = sub.add_parser("report", help="write the theme report (one self-contained HTML file)",
                       description="Read reports, find recurring themes, link them to the scores, pick good "
                                   "examples and write one self-contained HTML report (and an Excel workbook).")
    p.add_argument("paths", nargs="+", metavar="PATH", help="report files or directories")
    p.add_argument("-o", "--out", default="themes.html", type=output_file,
                   help="HTML file to write (default themes.html)")
    p.add_argument("--xlsx", default=None, metavar="FILE", type=output_file,
                   help="also write the tables to an Excel workbook")
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
    add_common(p)
    p.set_defaults(func=run)


def run(args) -> int:
    from ..reporting import report
    from .common import read_reports

    t0 = time.perf_counter()
    corpus = read_reports(args)  # --on-error: skipped files listed in one warning
    t_read = time.perf_counter() - t0
    step = stage_bar(STAGES, args)
    data = report(corpus, out=args.out, xlsx=args.xlsx, municipality=args.municipality, themes=args.themes,
                  n_examples=args.examples, title=args.title, progress=step,
                  exclude_uncertain_links=not args.keep_uncertain_links)
    for path in data.paths.values():
        print(path)
    secs = list(data.timings.values())
    secs[:1] = [t_read + (secs[0] if secs else 0.0)]  # the corpus was read here, before the pipeline
    timings = ", ".join(f"{name} {sec:.1f} s" for name, sec in zip(STAGES, secs))
    f = data.findings
    log.info("%d reports, %d findings, %d themes (%d findings themed) in %.1f s (%s)", len(data.reports), len(f),
             len(data.themes), int((f["theme"] >= 0).sum()), time.perf_counter() - t0, timings)
    return 0
