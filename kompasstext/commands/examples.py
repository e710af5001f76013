"""``kompasstext examples "QUERY" PATH... [--json] [--top N] [--kind strength|improvement] [--area N]``.

Prints the best examples for QUERY across the reports, ranked, each with its municipality, the
evaluators' finding, the linked sub-question score, the supporting narrative and a citation (file,
page, character span) — or the same as JSON.
"""
from __future__ import annotations

import json
import sys
import textwrap

from .common import add_common, area_number, log, positive_int, query_text, read_reports


def register(sub) -> None:
    p = sub.add_parser("examples", help="find good examples across municipalities",
                       description="Rank the findings of the reports as examples for QUERY (free Swedish text), "
                                   "with the evaluators' words, the score and a citation.")
    p.add_argument("query", metavar="QUERY", type=query_text,
                   help='what to find examples of, e.g. "Utveckla chefskontrakt"')
    p.add_argument("paths", nargs="+", metavar="PATH", help="report files or directories")
    p.add_argument("--json", action="store_true", help="print the ranked rows as JSON")
    p.add_argument("--top", type=positive_int, default=10, help="number of examples (default 10)")
    p.add_argument("--kind", choices=["strength", "improvement"], default="strength",
                   help="strengths (default) or improvements")
    p.add_argument("--area", type=area_number, default=None, help="only this area number (1-8)")
    add_common(p)
    p.set_defaults(func=run)


def run(args) -> int:
    from ..exemplars import examples

    corpus = read_reports(args)
    df = examples(corpus, query=args.query, kind=args.kind, area=args.area, top=args.top)
    for note in df.attrs.get("notes", []):
        log.info("note: %s", note)
    if args.json:
        rows = json.loads(df.to_json(orient="records", force_ascii=False))
        json.dump(rows, sys.stdout, ensure_ascii=False, indent=1)
        sys.stdout.write("\n")
        return 0
    print(format_examples(df, args.query))
    return 0


def format_examples(df, query: str) -> str:
    """A readable ranked list: one block per example."""
    if df.empty:
        return f"No examples for {query!r}."
    wrap = textwrap.TextWrapper(width=100, initial_indent="     ", subsequent_indent="     ")
    lines = [f"Examples for {query!r}:"]
    for r in df.itertuples():
        score = f"{r.subquestion} {r.percent:g} %" if _known(r.subquestion) and _known(r.percent) else "score n/a"
        lines.append(f"{r.rank:>3}. {r.municipality} {r.year}, area {r.area} {r.area_title} ({score})  "
                     f"[{r.rank_score:.3f}: sim {r.similarity:.3f}, score {r.score_component:.2f}, "
                     f"praise {r.praise_component:.1f}]")
        lines.append(wrap.fill(f"{r.kind}: {r.finding}"))
        if _known(r.praise_cue):
            lines.append(f"     praise: \u201c{r.praise_cue}\u201d")
        if _known(r.passage):
            lines.append(wrap.fill(f"\u201c{textwrap.shorten(r.passage, 300, placeholder=' …')}\u201d"))
        lines.append(f"     {r.citation}")
    return "\n".join(lines)


def _known(value) -> bool:
    """Not None / NaN."""
    return value is not None and value == value
