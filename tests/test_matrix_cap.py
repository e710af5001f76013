"""The page's municipality × theme heatmap at archive scale: at most MAX_MATRIX_THEMES themes, those found
in the most municipalities, with a note saying so; the full matrix stays in the data."""
from __future__ import annotations

import numpy as np
import pandas as pd

from kompasstext.reporting import page
from kompasstext.reporting.pipeline import ReportData
from kompasstext.reporting.strings import load


def _matrix(n_mun: int, n_themes: int) -> pd.DataFrame:
    rng = np.random.default_rng(0)
    cells = rng.choice(["", "", "", "S", "I", "S+I"], size=(n_mun, n_themes))
    cat = pd.DataFrame(cells, index=[f"K{i}" for i in range(n_mun)], columns=list(range(n_themes)))
    cat.index.name, cat.columns.name = "municipality", "theme"
    return cat


def _data(cat: pd.DataFrame) -> ReportData:
    empty = pd.DataFrame()
    return ReportData(findings=empty, themes=empty, reports=empty, areas=empty, matrix=cat)


def test_small_matrix_shown_whole_without_note():
    cat = _matrix(5, 30)
    assert page._matrix_columns(cat) is cat
    assert page._matrix_note(_data(cat), load("sv")) is None


def test_large_matrix_keeps_the_most_widespread_themes_in_order():
    cat = _matrix(40, page.MAX_MATRIX_THEMES + 57)
    shown = page._matrix_columns(cat)
    assert shown.shape == (40, page.MAX_MATRIX_THEMES)
    present = (cat != "").sum(axis=0)
    cols = [int(c) for c in shown.columns]
    assert cols == sorted(cols)                                  # the matrix's own order
    left_out = [c for c in cat.columns if c not in set(cols)]
    assert present[cols].min() >= present[left_out].max()      # no left-out theme is more widespread
    note = page._matrix_note(_data(cat), load("en"))
    assert str(page.MAX_MATRIX_THEMES) in note and str(cat.shape[1]) in note
    assert "Visar de" in page._matrix_note(_data(cat), load("sv"))
