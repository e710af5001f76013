"""``kompasstext parse PATH... [--json]``: read reports, print a per-area summary or the gold-schema JSON."""
from __future__ import annotations

import json
import sys
import warnings

from ..errors import KompassWarning
from .common import add_common, log, reader_name


def register(sub) -> None:
    p = sub.add_parser("parse", help="read reports into the typed model",
                       description="Read Kommunkompassen reports. Without --json: a readable per-area summary.")
    p.add_argument("paths", nargs="+", metavar="PATH", help="report files or directories")
    p.add_argument("--json", action="store_true", help="print one report object (one path) or a list")
    p.add_argument("--format", default=None, type=reader_name,
                   help="force a reader (docplayer, htmltable, markdown, tabtable, pdf)")
    add_common(p)
    p.set_defaults(func=run)


def run(args) -> int:
    from ..corpus import iter_report_paths
    from ..errors import KompassError
    from ..readers import read_report

    paths = iter_report_paths(args.paths)
    reports, skipped = [], []
    with warnings.catch_warnings():
        # diagnostics are printed below (stderr), not as Python warnings
        warnings.simplefilter("ignore", KompassWarning)
        for path in paths:
            try:
                reports.append(read_report(path, format=args.format))
            except KompassError as exc:
                if args.on_error == "fail":
                    raise
                skipped.append(str(exc))
    if skipped:
        log.warning("[W150] %d file(s) skipped (--on-error skip; --on-error fail stops instead):\n  %s",
                    len(skipped), "\n  ".join(skipped))
    if not reports:
        raise KompassError("E034", ", ".join(map(str, args.paths)),
                           f"none of the {len(skipped)} file(s) is a readable report")
    if not args.quiet:
        for r in reports:
            for d in r.diagnostics:
                if d.severity != "info":
                    print(f"{r.source}: {d}", file=sys.stderr)
    if args.json:
        out = [r.to_dict() for r in reports]
        json.dump(out[0] if len(out) == 1 and len(args.paths) == 1 and paths[0].is_file() else out,
                  sys.stdout, ensure_ascii=False, indent=1)
        sys.stdout.write("\n")
        return 0
    for r in reports:
        print(summary(r))
    return 0


def summary(r) -> str:
    """A readable per-area summary of one report."""
    lines = [f"{r.municipality} {r.year}  framework {r.framework}  total {r.total_score}  "
             f"[{r.format}] {r.source}",
             f"  evaluators: {', '.join(r.evaluators) or '-'}"]
    for a in r.areas:
        n_s, n_i = len(a.strengths), len(a.improvements)
        lines.append(f"  {a.number} {a.title:<52} {a.score if a.score is not None else '?':>4} p  "
                     f"{len(a.subquestions)} sub-questions  {n_s} strengths  {n_i} improvements")
        for q in a.subquestions:
            lines.append(f"      {q.id:<4} {q.achieved!s:>3}/{q.max!s:<3} {q.text[:70]}")
    warn = [d for d in r.diagnostics if d.severity != "info"]
    if warn:
        lines.append(f"  {len(warn)} diagnostic(s):")
        lines += [f"    {d}" for d in warn]
    return "\n".join(lines)
