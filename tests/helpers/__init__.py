"""Helpers shared by the test modules (gold loading and scoring; no library code)."""
