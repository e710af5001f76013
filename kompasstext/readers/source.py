"""Loading a report file into text, robustly: encoding detection, binary detection, line index.

>>> doc = SourceText.from_string("Område 1 Offentlighet\\nStyrkor")
>>> doc.line_of(doc.text.index("Styrkor"))
2
"""
from __future__ import annotations

import bisect
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import MESSAGES, ReportFormatError, ReportNotFoundError
from ..model import Diagnostic

PathLike = str | Path

# Characters that show a cp1252/latin-1 file decoded as latin-1 would contain but a Swedish text never
# does (C1 controls).  Used to choose between cp1252 and latin-1.
_C1 = re.compile("[\x80-\x9f]")


@dataclass
class SourceText:
    """The decoded text of one source file and where it came from."""

    text: str
    path: str = "<string>"
    encoding: str = "utf-8"
    diagnostics: list[Diagnostic] = field(default_factory=list)
    _line_starts: list[int] = field(default_factory=list, repr=False)

    def __post_init__(self) -> None:
        self._line_starts = [0] + [m.end() for m in re.finditer("\n", self.text)]

    @classmethod
    def from_string(cls, text: str, path: str = "<string>") -> "SourceText":
        return cls(text=_normalise(text), path=path)

    @classmethod
    def from_path(cls, path: PathLike) -> "SourceText":
        p = Path(path)
        if not p.exists():
            raise ReportNotFoundError("E004", p)
        data = p.read_bytes()
        text, encoding, diags = decode_bytes(data, path=p)
        return cls(text=_normalise(text), path=str(p), encoding=encoding, diagnostics=diags)

    def line_of(self, offset: int) -> int:
        """1-based line number of a character offset."""
        return bisect.bisect_right(self._line_starts, offset)

    def lines(self):
        """Yield ``(start, end, line_text)`` for each line (``end`` excludes the newline)."""
        for i, s in enumerate(self._line_starts):
            e = self._line_starts[i + 1] - 1 if i + 1 < len(self._line_starts) else len(self.text)
            yield s, e, self.text[s:e]


def decode_bytes(data: bytes, *, path: PathLike = "<bytes>") -> tuple[str, str, list[Diagnostic]]:
    """Decode report bytes: UTF-8 (with or without BOM), else cp1252, else latin-1.

    Raises :class:`ReportFormatError` E001 for an empty file and E002 for binary content.
    """
    if not data.strip():
        raise ReportFormatError("E001", path)
    if _looks_binary(data):
        raise ReportFormatError("E002", path, MESSAGES["E002"] + " (NUL bytes or control characters)")
    for enc in ("utf-8-sig",):
        try:
            return data.decode(enc), "utf-8", []
        except UnicodeDecodeError:
            pass
    try:
        text, enc = data.decode("cp1252"), "cp1252"
    except UnicodeDecodeError:
        text, enc = data.decode("latin-1"), "latin-1"
    if enc == "latin-1" and _C1.search(text):
        text = _C1.sub(" ", text)
    diag = Diagnostic("W101", MESSAGES["W101"].format(encoding=enc), severity="warning")
    return text, enc, [diag]


#: control bytes counted as binary evidence (all below 32 except TAB, LF, FF, CR)
_CTRL_BYTES = bytes(b for b in range(32) if b not in (9, 10, 12, 13))


def _looks_binary(data: bytes) -> bool:
    head = data[:65536]
    if b"\x00" in head:
        return True
    ctrl = len(head) - len(head.translate(None, _CTRL_BYTES))
    return ctrl > max(8, len(head) // 100)


def _normalise(text: str) -> str:
    """NFC and newline normalisation.  Keeps the length mapping simple: \\r\\n → \\n is the only change
    that alters offsets, and spans always point into the normalised text (``Report.text``)."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return unicodedata.normalize("NFC", text)
