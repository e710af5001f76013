"""``kompasstext report PATH... -o themes.html [--xlsx themes.xlsx] [--municipality NAME]``: the theme report."""
from __future__ import annotations

import sys
import time
import warnings


def register(sub) -> None:
    p = sub.add_parser("report", help="write the theme report (one self-contained HTML file)",
                       description="Read reports, find recurring themes, link them to the scores, pick good "
                                   "examples and write one self-contained HTML report (and an Excel workbook).")
    p.add_argument("paths", nargs="+", metavar="PATH", help="report files or directories")
    p.add_argument("-o", "--out", default="themes.html", help="HTML file to write (default themes.html)")
    p.add_argument("--xlsx", default=None, metavar="FILE", help="also write the tables to an Excel workbook")
    p.add_argument("--municipality", default=None, metavar="NAME",
                   help="add a profile of this municipality: its themes against its peers, who does well "
                        "what it should improve")
    p.add_argument("--themes", default=None, metavar="DIR", help="use a theme model saved with ThemeModel.save")
    p.add_argument("--title", default=None, help="title of the report")
    p.add_argument("--examples", type=int, default=3, metavar="N", help="good examples per theme (default 3)")
    p.add_argument("--keep-uncertain-links", action="store_true",
                   help="also count findings whose sub-question link is uncertain in the score statistics "
                        "(left out by default)")
    p.add_argument("-q", "--quiet", action="store_true", help="print only the written paths")
    p.set_defaults(func=run)


def run(args) -> int:
    from ..errors import KompassWarning
    from ..reporting import report

    t0 = time.perf_counter()
    say = None if args.quiet else (lambda msg: print(f"  {msg}", file=sys.stderr))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", KompassWarning)  # reader diagnostics: see `kompasstext parse`
        data = report(args.paths, out=args.out, xlsx=args.xlsx, municipality=args.municipality, themes=args.themes,
                      n_examples=args.examples, title=args.title, progress=say,
                      exclude_uncertain_links=not args.keep_uncertain_links)
    for path in data.paths.values():
        print(path)
    if not args.quiet:
        f = data.findings
        print(f"{len(data.reports)} reports, {len(f)} findings, {len(data.themes)} themes "
              f"({int((f['theme'] >= 0).sum())} findings themed) in {time.perf_counter() - t0:.1f} s",
              file=sys.stderr)
    return 0
