"""The reader interface and registry: one reader per source shape, chosen by sniffing the text.

A reader is a small object with a ``name``, a ``sniff(doc) -> float`` confidence (0–1) and a
``read(doc) -> Report``.  Readers register themselves with :func:`register_reader`; :func:`read_report`
picks the most confident one.

>>> sorted(r.name for r in available_readers())[:1]
['docplayer']
"""
from __future__ import annotations

from typing import Callable, Protocol

from ..model import Report
from .source import SourceText


class Reader(Protocol):
    name: str

    def sniff(self, doc: SourceText) -> float:
        """Confidence (0–1) that ``doc`` has this reader's shape."""

    def read(self, doc: SourceText) -> Report:
        """Parse ``doc`` into a :class:`Report` (diagnostics for anything skipped or doubted)."""


_REGISTRY: dict[str, Callable[[], Reader]] = {}


def register_reader(name: str) -> Callable:
    """Class decorator registering a reader factory under ``name`` (spaCy-style factory registration)."""

    def deco(cls):
        cls.name = name
        _REGISTRY[name] = cls
        return cls

    return deco


def available_readers() -> list[Reader]:
    _load_builtin()
    return [factory() for _, factory in sorted(_REGISTRY.items())]


def get_reader(name: str) -> Reader:
    _load_builtin()
    try:
        return _REGISTRY[name]()
    except KeyError:
        from ..errors import KompassError

        raise KompassError("E006", detail=f"unknown reader {name!r}; known: {sorted(_REGISTRY)}") from None


def _load_builtin() -> None:
    # importing the modules runs their @register_reader decorators
    from . import docplayer, htmltable, markdown, pdftext, tabtable  # noqa: F401
