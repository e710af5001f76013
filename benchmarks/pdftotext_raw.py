"""Findings F1 of the pdftotext reader on the committed fixtures (tests/data/pdf/pdftotext), raw and -layout.

    .venv/bin/python benchmarks/pdftotext_raw.py

Prints, per fixture, the exact findings F1 against gold, the kind-agnostic text F1 (every item's text,
whatever its kind: plain text has no italics, which mark the improvements of 2011-style reports) and the
sub-question rows read (raw pdftotext writes the score tables column after column: none are read)."""
from __future__ import annotations

import json
import sys
import warnings
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))
from goldscore import finding_f1, subquestion_rows  # noqa: E402

from kompasstext import read_report  # noqa: E402
from kompasstext.errors import ParseWarning  # noqa: E402

DIR = ROOT / "tests" / "data" / "pdf" / "pdftotext"
NAMES = ["osthammar_2017", "norrtalje_2018", "upplands-bro_2011", "nacka_2021"]


def _strip(d: dict) -> dict:
    """The findings with their kind blanked out (kind-agnostic scoring)."""
    return {"areas": [{"number": a["number"], "findings": [{"kind": "-", "text": f["text"]} for f in a["findings"]]}
                      for a in d["areas"]]}


def main() -> None:
    for shape in ("pdftotext", "pdftotext-layout"):
        for name in NAMES:
            for variant in ("", "_variant"):
                path = DIR / f"{name}{variant}.{shape}.txt"
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore", ParseWarning)
                    r = read_report(path)
                d = r.to_dict()
                g = json.loads((ROOT / "tests" / "data" / "gold" / f"{name}.gold.json").read_text("utf-8"))
                f1 = finding_f1(d, g)[0]
                tf1 = finding_f1(_strip(d), _strip(g))[0]
                rows, gold_rows = subquestion_rows(d), subquestion_rows(g)
                print(f"{shape:17s} {name + variant:26s} F1 {f1:.3f}  text F1 {tf1:.3f}  "
                      f"sub-question rows {len(rows & gold_rows)}/{len(gold_rows)}")


if __name__ == "__main__":
    main()
