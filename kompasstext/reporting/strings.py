"""The report's words in one language: ``kompasstext/lang/<lang>/report.json`` (Swedish by default).

Every string the HTML page or the Excel workbook shows comes from that file; the page's templates call
a :class:`Strings` as ``t("overview.heading")`` or ``t("themes.meta", id=3, ...)``.  Numbers are written
in the language's style (Swedish: decimal comma, a no-break space between thousands).

>>> sv, en = load("sv"), load("en")
>>> sv("overview.heading"), en("overview.heading")
('Översikt', 'Overview')
>>> sv.num(1234.5, 1), en.num(1234.5, 1)
('1\\xa0234,5', '1,234.5')
>>> en.translate("Foo (delfråga 2015: 1.1)", "subquestions.label")
'Foo (sub-question 2015: 1.1)'
>>> en.citation("a.txt, s. 3, tecken 10–20")
'a.txt, p. 3, characters 10–20'
"""
from __future__ import annotations

import json
import math
import re
from functools import lru_cache
from pathlib import Path
from typing import Any

from ..errors import KompassError

LANG_DIR = Path(__file__).resolve().parent.parent / "lang"
#: the languages a report can be written in (the first is the default)
LANGS = ("sv", "en")
DEFAULT_LANG = LANGS[0]
_FIELD = re.compile(r"\{(\w+)\}")
_DECIMAL = re.compile(r"-?\d+[,.]\d+")


def missing(value: Any) -> bool:
    """None, NaN, pandas NA/NaT.

    >>> missing(None), missing(float("nan")), missing(0), missing("")
    (True, True, False, False)
    """
    if value is None:
        return True
    try:
        import pandas as pd

        if value is pd.NA or value is pd.NaT:
            return True
    except ImportError:  # pragma: no cover
        pass
    return isinstance(value, float) and math.isnan(value)


class Strings:
    """The strings of one language (a nested dict read from JSON) with formatting helpers."""

    def __init__(self, lang: str, table: dict[str, Any], source: dict[str, Any] | None = None) -> None:
        self.lang = lang
        self.table = table
        #: the Swedish table: texts the pipeline wrote in Swedish (notes, labels) are read back through it
        self.source = source if source is not None else table

    def get(self, key: str, table: dict[str, Any] | None = None) -> Any:
        """The raw value at a dotted ``key`` (a string, list or dict); E041 when the file lacks it."""
        node: Any = self.table if table is None else table
        for part in key.split("."):
            if not isinstance(node, dict) or part not in node:
                raise KompassError("E041", LANG_DIR / self.lang / "report.json", f"no string {key!r}")
            node = node[part]
        return node

    def __call__(self, key: str, **fields: Any) -> str:
        """The string at ``key`` with its ``{fields}`` filled in."""
        text = self.get(key)
        return text.format(**fields) if fields else text

    def label(self, key: str, value: Any, default: Any = None) -> Any:
        """``table[key][value]`` (e.g. ``label("kind", "strength")``), ``default`` (or ``value``) when absent."""
        mapping = self.get(key)
        got = mapping.get(str(value)) if isinstance(mapping, dict) else None
        return got if got is not None else (value if default is None else default)

    def num(self, value: Any, digits: int = 0) -> str:
        """A number for a table cell ('' when missing) in the language's style."""
        if missing(value):
            return ""
        try:
            v = float(value)
        except (TypeError, ValueError):
            return str(value)
        sep = self.get("number")
        text = f"{v:,.{digits}f}"
        return text.replace(",", "\x00").replace(".", sep["decimal"]).replace("\x00", sep["thousands"])

    def decimal(self, text: str) -> str:
        """``text`` with its decimal points in the language's style (``"2.5 s"`` → ``"2,5 s"`` in Swedish)."""
        return text.replace(".", self.get("number")["decimal"])

    def translate(self, text: Any, key: str) -> Any:
        """A text the pipeline wrote from the Swedish string ``key``, written again in this language (as
        it is when it does not match that string or this is Swedish)."""
        if self.table is self.source or not isinstance(text, str):
            return text
        pattern = _pattern(self.get(key, self.source))
        hit = pattern.fullmatch(text)
        if not hit:
            return text
        decimal = self.source["number"]["decimal"]
        fields = {k: self.decimal(v.replace(decimal, ".")) if _DECIMAL.fullmatch(v) else v
                  for k, v in hit.groupdict().items()}
        return self.get(key).format(**fields)

    def citation(self, text: Any) -> Any:
        """A citation (``"file, s. 3, tecken 10–20"``, as :func:`.pipeline.citation` writes it) in this
        language: the page and character parts after the file name are translated."""
        if self.table is self.source or not isinstance(text, str):
            return text
        parts = text.split(", ")
        for i in range(1, len(parts)):
            for key in ("citation.page", "citation.chars"):
                parts[i] = self.translate(parts[i], key)
        return ", ".join(parts)


@lru_cache(maxsize=None)
def _pattern(template: str) -> re.Pattern:
    """A regex matching what ``template.format(...)`` gives, one named group per field."""
    out, pos = [], 0
    for m in _FIELD.finditer(template):
        out.append(re.escape(template[pos:m.start()]))
        out.append(f"(?P<{m.group(1)}>.+?)")
        pos = m.end()
    out.append(re.escape(template[pos:]))
    return re.compile("".join(out), re.S)


@lru_cache(maxsize=None)
def _read(lang: str) -> dict[str, Any]:
    path = LANG_DIR / lang / "report.json"
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise KompassError("E042", path, f"the report strings cannot be read: {exc}") from None


def load(lang: str = DEFAULT_LANG) -> Strings:
    """The strings of ``lang`` (one of :data:`LANGS`); E040 for another language."""
    if lang not in LANGS:
        raise KompassError("E040", None, f"lang={lang!r}: the report is written in {' or '.join(LANGS)}")
    return Strings(lang, _read(lang), _read(DEFAULT_LANG))
