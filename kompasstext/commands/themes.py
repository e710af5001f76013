"""``kompasstext themes PATH... [--json OUT]``: recurring themes across the reports' findings."""
from __future__ import annotations

import json
from pathlib import Path

from ..model import FINDING_KEY
from .common import add_common, output_file, stage_bar, unit_interval


def register(sub) -> None:
    p = sub.add_parser("themes", help="discover recurring themes in the findings",
                       description="Read reports, find themes recurring across municipalities, print the theme table.")
    p.add_argument("paths", nargs="+", metavar="PATH", help="report files or directories")
    p.add_argument("--json", metavar="OUT", default=None, type=output_file,
                   help="write {themes, findings} JSON to OUT")
    p.add_argument("--cut-quantile", type=unit_interval, default=0.1,
                   help="coarseness of themes, 0 to 1 (lower = coarser; default 0.1)")
    add_common(p)
    p.set_defaults(func=run)


def run(args) -> int:
    from ..themes import ThemeModel
    from .common import read_reports

    step = stage_bar(["reading", "linking to sub-questions", "finding themes"], args)
    corpus = read_reports(args)
    step("read")
    linked = corpus.linked_findings
    step("links")
    model = ThemeModel(cut_quantile=args.cut_quantile).fit(linked)
    step("themes")
    table = model.themes_
    for r in table.itertuples():
        print(f"{r.theme_id:>4d}  {r.label[:60]:<60s} {r.n_findings:>4d} findings {r.n_municipalities:>3d} mun. "
              f"({r.n_strengths} S / {r.n_improvements} I)  {', '.join(r.keyphrases[:4])}")
    fr = model.transform_frame()
    print(f"{int((fr['theme'] < 0).sum())} of {len(fr)} findings unthemed")
    if args.json:
        themes = json.loads(table.to_json(orient="records", force_ascii=False))
        keys = FINDING_KEY
        if set(keys) <= set(fr.columns) and "subquestion" not in fr.columns:  # linked sub-question (kompasstext.links)
            fr = fr.merge(corpus.links[keys + ["subquestion"]], on=keys, how="left")
        cols = ["report_id", "municipality", "year", "area", "kind", "text", "finding_index", "theme",
                "theme_label", "score", "reason", "subquestion"]
        findings = json.loads(fr[[c for c in cols if c in fr.columns]].to_json(orient="records", force_ascii=False))
        Path(args.json).write_text(json.dumps({"themes": themes, "findings": findings}, ensure_ascii=False, indent=1),
                                   encoding="utf-8")
    return 0
