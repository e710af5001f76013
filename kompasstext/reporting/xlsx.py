"""Excel export of the report's tables (openpyxl): sheets findings, scores, themes, matrix, score_links, examples.

Sheet and column names are in the report's language (``kompasstext/lang/<lang>/report.json``, key
``xlsx``): Swedish by default, the tables' own (English) names with ``lang="en"``.  The kinds of
findings and the matrix's cells are written in that language too, and the score links' ``note`` is the
verdict the HTML page shows.  Text cells are written as text, never as formulas (a finding starting with
``=`` stays text), and characters Excel cannot store are dropped.
"""
from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from .pipeline import ReportData
from .strings import DEFAULT_LANG, Strings, load, missing

SHEETS = ("findings", "scores", "themes", "matrix", "score_links", "examples")
_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def _cell(v: Any) -> Any:
    if isinstance(v, (list, tuple, dict, np.ndarray)):
        v = list(v) if isinstance(v, np.ndarray) else v
        return json.dumps(v, ensure_ascii=False, default=str)
    if missing(v):
        return None
    if isinstance(v, np.generic):
        return v.item()
    if isinstance(v, str):
        return _ILLEGAL.sub("", v)
    return v


def tables(data: ReportData, lang: str = DEFAULT_LANG) -> dict[str, pd.DataFrame]:
    """The frames exported, by sheet name, in the language ``lang``."""
    t = load(lang)
    labels = dict(zip(data.themes["theme_id"], data.themes["label"]))
    matrix = data.matrix.copy()
    matrix.columns = [f"{c} {labels.get(c, '')}".strip() for c in matrix.columns]
    matrix = matrix.apply(lambda col: col.map(lambda v: t.label("xlsx.matrix_values", v)))
    matrix = matrix.reset_index().rename(columns={"index": "municipality"})
    findings = data.findings.drop(columns=[c for c in ("source",) if c in data.findings.columns])
    frames = {"findings": findings, "scores": data.scores, "themes": data.themes, "matrix": matrix,
              "score_links": _with_verdicts(data.score_links, t), "examples": data.examples}
    return {t.label("xlsx.sheets", name): _localised(df, t) for name, df in frames.items()}


def _with_verdicts(score_links: pd.DataFrame, t: Strings) -> pd.DataFrame:
    """The score links with their ``note`` written as the page's verdict (in the report's language)."""
    if score_links is None or score_links.empty or "note" not in score_links.columns:
        return score_links
    from .page import records, verdict

    return score_links.assign(note=[verdict(r, t) for r in records(score_links)])


def _localised(df: pd.DataFrame | None, t: Strings) -> pd.DataFrame:
    """``df`` with its column names (and the kinds of findings) in the report's language."""
    if df is None:
        return pd.DataFrame()
    out = df.copy()
    if "kind" in out.columns:
        out["kind"] = [t.label("xlsx.kind_values", k) if not missing(k) else k for k in out["kind"]]
    return out.rename(columns=lambda c: t.label("xlsx.columns", c) if isinstance(c, str) else c)


def write_xlsx(data: ReportData, path: str | Path, *, lang: str = DEFAULT_LANG) -> Path:
    """Write the workbook to ``path`` (sheet and column names in ``lang``: ``"sv"`` or ``"en"``)."""
    from openpyxl import Workbook
    from openpyxl.utils import get_column_letter

    path = Path(path)
    wb = Workbook()
    wb.remove(wb.active)
    for name, df in tables(data, lang).items():
        ws = wb.create_sheet(name)
        df = df if df is not None else pd.DataFrame()
        cols = [str(c) for c in df.columns]
        ws.append([_cell(c) for c in cols])
        widths = [len(c) for c in cols]
        for row in df.itertuples(index=False, name=None):
            vals = [_cell(v) for v in row]
            ws.append(vals)
            r = ws.max_row
            for j, v in enumerate(vals):
                if isinstance(v, str):
                    c = ws.cell(row=r, column=j + 1)
                    c.data_type = "s"  # text, even when it starts with "="
                    widths[j] = max(widths[j], min(len(v), 80))
        for j, w in enumerate(widths):
            ws.column_dimensions[get_column_letter(j + 1)].width = max(8, min(w + 2, 82))
        ws.freeze_panes = "A2"
        if cols:
            ws.auto_filter.ref = ws.dimensions
    path.parent.mkdir(parents=True, exist_ok=True)
    wb.save(path)
    return path
