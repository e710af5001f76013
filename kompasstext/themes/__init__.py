"""Recurring themes across municipalities' findings.

>>> from kompasstext.themes import ThemeModel
>>> ThemeModel(cut_quantile=0.1).cut_quantile
0.1
"""
from __future__ import annotations

from .model import UNTHEMED, ThemeModel

__all__ = ["ThemeModel", "UNTHEMED"]
