"""The bundled corpus' report as a fixed input and the normalised content of its page (test material).

``tests/data/report/bundled_data.json.gz`` holds the :class:`~kompasstext.reporting.ReportData` the
pipeline computed for ``corpora/kommunkompassen`` (with the Nacka profile), as plain JSON (no pickle), so
the page can be rendered without the model and whatever the themes or links of later versions are.
``bundled_content.txt.gz`` is the content of the page the hand-written renderer (before the move to
Jinja2 templates) made of it: every text node and every link/anchor/data attribute, in document order,
whitespace-normalised, the build date masked.  ``tests/test_report_jinja.py`` renders the same input and
compares.

``python tests/report_snapshot.py`` rewrites both files from the current code (only when the page's
content is meant to change).
"""
from __future__ import annotations

import gzip
import json
import re
import sys
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

HERE = Path(__file__).resolve().parent
DATA = HERE / "data" / "report" / "bundled_data.json.gz"
CONTENT = HERE / "data" / "report" / "bundled_content.txt.gz"
FRAMES = ("findings", "themes", "reports", "areas", "scores", "distribution", "score_links", "theme_concepts",
          "concept_scores", "matrix", "matrix_counts", "examples", "profile")
#: attributes whose values are content (targets of links, anchors, the theme a row belongs to, tooltips)
ATTRS = ("href", "id", "data-theme", "title", "aria-label", "data-page-size", "lang")


def _value(v: Any) -> Any:
    if isinstance(v, np.ndarray):
        return [_value(x) for x in v.tolist()]
    if isinstance(v, (list, tuple)):
        return [_value(x) for x in v]
    if isinstance(v, dict):
        return {str(k): _value(x) for k, x in v.items()}
    if isinstance(v, np.generic):
        v = v.item()
    if v is None or v is pd.NA or v is pd.NaT:
        return None
    if isinstance(v, float) and v != v:
        return None
    if isinstance(v, (pd.Timestamp,)):
        return v.isoformat()
    return v


def _frame(df: pd.DataFrame | None) -> dict | None:
    if df is None:
        return None
    return {"columns": [_value(c) for c in df.columns], "index": [_value(i) for i in df.index],
            "dtypes": [str(t) for t in df.dtypes],
            "data": [[_value(v) for v in row] for row in df.itertuples(index=False, name=None)]}


def _unframe(d: dict | None) -> pd.DataFrame | None:
    if d is None:
        return None
    df = pd.DataFrame(d["data"], columns=d["columns"], index=d["index"]) if d["data"] else \
        pd.DataFrame(columns=d["columns"], index=d["index"])
    for c, t in zip(d["columns"], d["dtypes"]):
        if t != "object":
            try:
                df[c] = df[c].astype(t)
            except (TypeError, ValueError):
                pass
    return df


def dump_data(data: Any, path: Path = DATA) -> Path:
    out = {name: _frame(getattr(data, name)) for name in FRAMES}
    out.update(municipality=data.municipality, title=data.title, timings=dict(data.timings), notes=list(data.notes))
    path.parent.mkdir(parents=True, exist_ok=True)
    with gzip.open(path, "wt", encoding="utf-8", compresslevel=9) as fh:
        json.dump(out, fh, ensure_ascii=False, separators=(",", ":"))
    return path


def load_data(path: Path = DATA) -> Any:
    from kompasstext.reporting import ReportData

    with gzip.open(path, "rt", encoding="utf-8") as fh:
        d = json.load(fh)
    frames = {name: _unframe(d[name]) for name in FRAMES}
    return ReportData(**frames, municipality=d["municipality"], title=d["title"], timings=d["timings"],
                      notes=d["notes"])


class _Content(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.out: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: list) -> None:
        if tag in ("script", "style"):
            self._skip += 1
            return
        for k, v in attrs:
            if k in ATTRS and v is not None:
                self.out.append(f"@{tag}.{k}={' '.join(v.split())}")

    def handle_startendtag(self, tag: str, attrs: list) -> None:
        self.handle_starttag(tag, attrs)

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style"):
            self._skip = max(self._skip - 1, 0)

    def handle_data(self, data: str) -> None:
        if not self._skip:
            text = " ".join(data.split())
            if text:
                self.out.append(text)


def content(html: str) -> list[str]:
    """Text nodes and content attributes of ``html`` in document order, whitespace-normalised; adjacent
    text nodes joined (markup between words does not matter, the words do); the build date masked."""
    p = _Content()
    p.feed(html)
    p.close()
    lines: list[str] = []
    for item in p.out:
        if lines and not item.startswith("@") and not lines[-1].startswith("@"):
            lines[-1] = f"{lines[-1]} {item}"
        else:
            lines.append(item)
    date = re.compile(r"Skapad \d{4}-\d{2}-\d{2}|Created \d{4}-\d{2}-\d{2}")
    return [date.sub(lambda m: m.group(0)[:-10] + "YYYY-MM-DD", x) for x in lines]


def load_content(path: Path = CONTENT) -> list[str]:
    with gzip.open(path, "rt", encoding="utf-8") as fh:
        return fh.read().splitlines()


def regenerate() -> None:
    """Compute the bundled report's data (the whole pipeline), store it, render it and store the content."""
    import warnings

    from kompasstext.reporting import compute, render

    root = HERE.parent
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        data = compute(root / "corpora" / "kommunkompassen", municipality="Nacka")
    dump_data(data)
    html = render(load_data())
    with gzip.open(CONTENT, "wt", encoding="utf-8", compresslevel=9) as fh:
        fh.write("\n".join(content(html)) + "\n")
    print(DATA, DATA.stat().st_size, CONTENT, CONTENT.stat().st_size)


if __name__ == "__main__":
    sys.exit(regenerate())
