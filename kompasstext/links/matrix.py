"""Theme matrices: municipality × theme ("S" / "I" / "S+I" / ""), and crosstabs of themes.

>>> import pandas as pd
>>> f = pd.DataFrame({"municipality": ["A", "A", "B"], "kind": ["strength", "improvement", "strength"],
...                   "theme": [0, 0, 1], "percent": [60.0, 40.0, 80.0]})
>>> framework_matrix(f).to_dict("index")
{'A': {0: 'S+I', 1: ''}, 'B': {0: '', 1: 'S'}}
>>> float(framework_matrix(f, values="percent").loc["A", 0])
50.0
>>> theme_crosstab(f, by="kind").loc[0].tolist()
[1, 1]
"""
from __future__ import annotations

import numpy as np
import pandas as pd

UNTHEMED = -1


def _themed(df: pd.DataFrame) -> pd.DataFrame:
    if "theme" not in df.columns:
        raise ValueError("findings need a 'theme' column (e.g. ThemeModel.labels_)")
    t = pd.to_numeric(df["theme"], errors="coerce")
    return df[t.isna() | (t > UNTHEMED)] if t.notna().any() else df


def framework_matrix(findings_with_themes: pd.DataFrame, values: str | None = None, *,
                     index: str = "municipality") -> pd.DataFrame:
    """Rows = ``index`` (municipality), columns = themes (unthemed findings ignored).

    Cells are ``"S"`` (the theme appears only as a strength there), ``"I"`` (only as an improvement),
    ``"S+I"`` (both) or ``""``; with ``values`` (a numeric column such as ``"percent"``, the linked
    score) cells are the mean of that column over the theme's findings there (NaN where absent).
    """
    df = _themed(findings_with_themes)
    rows = sorted(df[index].dropna().unique(), key=str)
    cols = sorted(df["theme"].dropna().unique(), key=lambda x: (isinstance(x, str), x))
    if values is not None:
        m = df.assign(_v=pd.to_numeric(df[values], errors="coerce")).pivot_table(
            index=index, columns="theme", values="_v", aggfunc="mean", dropna=False)
        return m.reindex(index=rows, columns=cols).astype(float)
    kinds = df.groupby([index, "theme"])["kind"].agg(set)
    rpos = {r: i for i, r in enumerate(rows)}
    cpos = {c: j for j, c in enumerate(cols)}
    cells = np.full((len(rows), len(cols)), "", dtype=object)
    for (r, t), k in kinds.items():
        cells[rpos[r], cpos[t]] = ("S+I" if {"strength", "improvement"} <= k else "S" if "strength" in k
                                   else "I" if "improvement" in k else "")
    return pd.DataFrame(cells, index=pd.Index(rows, name=index), columns=pd.Index(cols, name="theme"))


def theme_crosstab(findings_with_themes: pd.DataFrame, by: str = "area", *, normalize: bool | str = False
                   ) -> pd.DataFrame:
    """Counts of findings per theme (rows) × ``by`` (``"area"``, ``"kind"``, ``"framework"`` or any other
    column).  ``by="area"`` uses ``(framework, area)`` columns when the findings mix revisions, since area
    numbers mean different things across revisions.  ``normalize`` as in :func:`pandas.crosstab`."""
    df = _themed(findings_with_themes)
    if by not in df.columns:
        raise ValueError(f"no column {by!r} to cross-tabulate by")
    if by == "area" and "framework" in df.columns and df["framework"].nunique() > 1:
        cols = [df["framework"], df["area"]]
    else:
        cols = df[by]
    return pd.crosstab(df["theme"], cols, normalize=normalize)
