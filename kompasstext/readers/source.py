"""Loading a report file into text, robustly: path checks, encoding detection, binary detection,
control-character clean-up, line index.

>>> doc = SourceText.from_string("Område 1 Offentlighet\\nStyrkor")
>>> doc.line_of(doc.text.index("Styrkor"))
2
>>> text, enc, diags = decode_bytes("Styrkor: på gång ".encode() + b"\\xff" + " för både små och stora".encode())
>>> text.count("\\ufffd"), enc, diags[0].message
(1, 'utf-8', 'invalid UTF-8: 1 invalid byte sequence(s) replaced by U+FFFD at byte offset(s) 19')
>>> text, enc, diags = decode_bytes("Område 1 Demokrati".encode("utf-16"))
>>> text, enc
('Område 1 Demokrati', 'utf-16')
"""
from __future__ import annotations

import bisect
import codecs
import errno
import os
import re
import stat
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import MESSAGES, ReportAccessError, ReportFormatError, ReportNotFoundError
from ..model import Diagnostic

PathLike = str | Path

# Characters that show a cp1252/latin-1 file decoded as latin-1 would contain but a Swedish text never
# does (C1 controls).  Used to choose between cp1252 and latin-1.
_C1 = re.compile("[\x80-\x9f]")
#: control characters removed from decoded text (TAB, LF, FF, CR stay; VT becomes a line break)
_CONTROL = re.compile("[\x00-\x08\x0e-\x1f\x7f]")
#: how many offsets a diagnostic lists before "and N more"
MAX_LISTED = 10
#: valid multi-byte UTF-8 characters from which a file with many invalid bytes is read as UTF-8 mixed with
#: cp1252 (each invalid byte decoded as cp1252) rather than as cp1252 throughout; a cp1252 file holds
#: next to none (a valid UTF-8 pair needs a capital letter followed by a C1 or high punctuation byte)
MIXED_MIN_MULTI = 20
#: spaces a word processor puts into headings ("Område\u00a03"): read as plain spaces, one for one
_ODD_SPACES = re.compile("[\u00a0\u2000-\u200a\u202f\u205f\u3000]")
_CP1252_FALLBACK = "kompasstext.cp1252-fallback"


def _decode_as_cp1252(exc: UnicodeError) -> tuple[str, int]:
    """Codec error handler: the bytes UTF-8 refused, decoded as cp1252 (undefined ones as U+FFFD)."""
    if not isinstance(exc, UnicodeDecodeError):
        raise exc
    return exc.object[exc.start:exc.end].decode("cp1252", errors="replace"), exc.end


codecs.register_error(_CP1252_FALLBACK, _decode_as_cp1252)


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
        text, diags = strip_controls(_normalise(text))
        return cls(text=text, path=path, diagnostics=diags)

    @classmethod
    def from_path(cls, path: PathLike) -> "SourceText":
        p = Path(path)
        data = read_file_bytes(p)
        text, encoding, diags = decode_bytes(data, path=p)
        text, cdiags = strip_controls(_normalise(text))
        return cls(text=text, path=str(p), encoding=encoding, diagnostics=diags + cdiags)

    def line_of(self, offset: int) -> int:
        """1-based line number of a character offset."""
        return bisect.bisect_right(self._line_starts, offset)

    def lines(self):
        """Yield ``(start, end, line_text)`` for each line (``end`` excludes the newline)."""
        for i, s in enumerate(self._line_starts):
            e = self._line_starts[i + 1] - 1 if i + 1 < len(self._line_starts) else len(self.text)
            yield s, e, self.text[s:e]


def check_report_path(path: PathLike) -> Path:
    """``path`` if it names a regular file that can be opened, else a typed error naming it.

    E004 (nothing there, or a dangling symlink), E008 (a symlink loop), E009 (a directory: use
    ``read_corpus``), E010 (a FIFO, socket or device: never opened, so nothing blocks), E011 (permission
    denied), E012 (any other operating-system error).

    >>> check_report_path("/")
    Traceback (most recent call last):
    ...
    kompasstext.errors.ReportAccessError: [E009] /: the path is a directory, not a report file; use read_corpus() for folders
    """
    p = Path(path)
    try:
        st = os.stat(p)
    except FileNotFoundError:
        if os.path.lexists(p):
            raise ReportNotFoundError("E004", p, MESSAGES["E004"] + " (a symlink pointing nowhere)") from None
        raise ReportNotFoundError("E004", p) from None
    except OSError as exc:
        raise _access_error(p, exc) from None
    if stat.S_ISDIR(st.st_mode):
        raise ReportAccessError("E009", p)
    if not stat.S_ISREG(st.st_mode):
        kind = "FIFO" if stat.S_ISFIFO(st.st_mode) else "socket" if stat.S_ISSOCK(st.st_mode) else "device"
        raise ReportAccessError("E010", p, f"{MESSAGES['E010']} (a {kind}); not opened")
    return p


def read_file_bytes(path: PathLike) -> bytes:
    """The bytes of a report file, after :func:`check_report_path`; OS errors become typed errors."""
    p = check_report_path(path)
    try:
        return p.read_bytes()
    except OSError as exc:
        raise _access_error(p, exc) from None


def _access_error(p: Path, exc: OSError) -> ReportAccessError:
    """The typed error of an OS error met while examining or reading ``p``."""
    if isinstance(exc, PermissionError):
        return ReportAccessError("E011", p)
    if isinstance(exc, IsADirectoryError):
        return ReportAccessError("E009", p)
    if exc.errno == errno.ELOOP:
        return ReportAccessError("E008", p)
    return ReportAccessError("E012", p, f"{MESSAGES['E012']}: {exc.strerror or exc}")


def decode_bytes(data: bytes, *, path: PathLike = "<bytes>") -> tuple[str, str, list[Diagnostic]]:
    """Decode report bytes: UTF-16 (BOM, or the NUL pattern of one), UTF-8 (with or without BOM; a few
    invalid bytes or a cut multi-byte character are replaced with a W111 warning listing their byte
    offsets; many invalid bytes next to many valid multi-byte characters — UTF-8 and cp1252 mixed — are
    decoded as cp1252 one by one, also with W111), else cp1252, else latin-1 (W101).

    Raises :class:`ReportFormatError` E001 for an empty file and E002 for binary content.
    """
    utf16 = _utf16_encoding(data)
    if utf16 is not None:
        decoded = _decode_utf16(data, utf16)
        if decoded is not None:
            text, diags = decoded
            if not text.strip():
                raise ReportFormatError("E001", path)
            return text, utf16, diags
    if not data.strip():
        raise ReportFormatError("E001", path)
    if _looks_binary(data):
        raise ReportFormatError("E002", path, MESSAGES["E002"] + " (NUL bytes or control characters)")
    try:
        return data.decode("utf-8-sig"), "utf-8", []
    except UnicodeDecodeError:
        pass
    mostly = _mostly_utf8(data)
    if mostly is not None:
        return mostly
    try:
        text, enc = data.decode("cp1252"), "cp1252"
    except UnicodeDecodeError:
        text, enc = data.decode("latin-1"), "latin-1"
    if enc == "latin-1" and _C1.search(text):
        text = _C1.sub(" ", text)
    diag = Diagnostic("W101", MESSAGES["W101"].format(encoding=enc), severity="warning")
    return text, enc, [diag]


def _decode_utf16(data: bytes, encoding: str) -> tuple[str, list[Diagnostic]] | None:
    """UTF-16 text and its diagnostics: W101 (info) naming the encoding; a file cut inside a character
    (an odd byte count) loses the cut byte, and a few broken surrogates become U+FFFD, each with W111.
    ``None`` when it is not UTF-16 after all (more than 1 % of the characters broken).

    >>> _decode_utf16("Område 1".encode("utf-16-le")[:-1], "utf-16-le")[1][1].code
    'W111'
    """
    diags = [Diagnostic("W101", MESSAGES["W101"].format(encoding=encoding), severity="info")]
    cut = len(data) % 2
    body = data[:len(data) - cut]
    text = body.decode(encoding, errors="replace").lstrip("\ufeff")
    n_bad = text.count("\ufffd") - body.decode(encoding, errors="ignore").count("\ufffd")
    if n_bad > max(1, len(text) // 100):
        return None
    if cut:
        diags.append(Diagnostic(
            "W111", f"{MESSAGES['W111']}: the file ends inside a UTF-16 character (byte offset {len(body)}); "
            "the cut byte was dropped — the file may be truncated", start=len(text)))
    if n_bad:
        first = text.find("\ufffd")
        diags.append(Diagnostic("W111", f"{MESSAGES['W111']}: {n_bad} broken UTF-16 character(s) replaced by "
                                f"U+FFFD, the first at character offset {first}", start=first, end=first + 1))
    return text, diags


def _utf16_encoding(data: bytes) -> str | None:
    """``"utf-16"`` for a UTF-16 byte-order mark, ``"utf-16-le"``/``"-be"`` when NUL bytes sit at every
    other position as in UTF-16 text of a Latin script, else ``None``."""
    if data[:2] in (b"\xff\xfe", b"\xfe\xff"):
        return "utf-16"
    head = data[:65536]
    half = len(head) // 2
    if half < 2:
        return None
    even, odd = head[0::2].count(0), head[1::2].count(0)
    if odd > 0.3 * half and even < 0.05 * half:
        return "utf-16-le"
    if even > 0.3 * half and odd < 0.05 * half:
        return "utf-16-be"
    return None


def _invalid_utf8(data: bytes, limit: int) -> tuple[list[tuple[int, int]], bool]:
    """Byte ranges of invalid UTF-8 sequences (at most ``limit``) and whether there are more."""
    out: list[tuple[int, int]] = []
    pos, view = 0, memoryview(data)
    while pos < len(data):
        try:
            bytes(view[pos:]).decode("utf-8")
            return out, False
        except UnicodeDecodeError as exc:
            if len(out) >= limit:
                return out, True
            out.append((pos + exc.start, pos + exc.end))
            pos += exc.end
    return out, False


def _mostly_utf8(data: bytes) -> tuple[str, str, list[Diagnostic]] | None:
    """UTF-8 with the few bad bytes replaced (and a W111 warning) when the rest is valid UTF-8 — at least
    four valid multi-byte characters per invalid sequence, or the only bad sequence is a multi-byte
    character cut at the end of the file — else ``None`` (a legacy code page).  Linear in the size: the bad
    sequences are counted in one decoding pass; only the first :data:`MAX_LISTED` are located."""
    text = data.decode("utf-8", errors="replace")
    n_bad = text.count("\ufffd") - data.count("\ufffd".encode())
    n_multi = len(text) - len(text.encode("ascii", errors="ignore")) - max(0, n_bad)
    bad, _ = _invalid_utf8(data, limit=MAX_LISTED)
    if not bad or n_bad <= 0:
        return None
    cut_at_end = n_bad == 1 and bad[0][1] == len(data) and data[bad[0][0]] >= 0xC0
    if not cut_at_end and n_multi < 4 * n_bad:
        return _mixed_utf8_cp1252(data, bad, n_bad, n_multi)
    if cut_at_end:
        text = data[:bad[0][0]].decode("utf-8-sig")
        return text, "utf-8", [Diagnostic(
            "W111", f"{MESSAGES['W111']}: the file ends inside a multi-byte character (byte offset "
            f"{bad[0][0]}); the cut character was dropped — the file may be truncated", start=len(text))]
    text = data.decode("utf-8-sig", errors="replace")
    listed = ", ".join(str(s) for s, _ in bad[:MAX_LISTED])
    rest = f" and {n_bad - len(bad[:MAX_LISTED])} more" if n_bad > MAX_LISTED else ""
    first = text.find("\ufffd")
    return text, "utf-8", [Diagnostic(
        "W111", f"{MESSAGES['W111']}: {n_bad} invalid byte sequence(s) replaced by U+FFFD at byte offset(s) "
        f"{listed}{rest}", start=first if first >= 0 else None, end=first + 1 if first >= 0 else None)]


def _mixed_utf8_cp1252(data: bytes, bad: list[tuple[int, int]], n_bad: int,
                       n_multi: int) -> tuple[str, str, list[Diagnostic]] | None:
    """A file partly UTF-8, partly cp1252 (two files pasted together, an edit in another editor): each byte
    sequence UTF-8 refuses decoded as cp1252, with a W111 warning listing where; ``None`` when too few valid
    multi-byte characters show a UTF-8 part (:data:`MIXED_MIN_MULTI`: the file is cp1252 throughout)."""
    if n_multi < MIXED_MIN_MULTI:
        return None
    text = data.decode("utf-8-sig", errors=_CP1252_FALLBACK)
    listed = ", ".join(str(s) for s, _ in bad[:MAX_LISTED])
    rest = f" and {n_bad - len(bad[:MAX_LISTED])} more" if n_bad > MAX_LISTED else ""
    return text, "utf-8+cp1252", [Diagnostic(
        "W111", f"{MESSAGES['W111']}: the file mixes UTF-8 ({n_multi} multi-byte characters) and cp1252: "
        f"{n_bad} byte sequence(s) decoded as cp1252 at byte offset(s) {listed}{rest}")]


def strip_controls(text: str) -> tuple[str, list[Diagnostic]]:
    """Remove control characters (NUL, BEL, ESC, DEL, …; tabs, newlines and form feeds stay) anywhere in
    the text, with one W112 warning naming their character offsets (in the text before removal).

    >>> strip_controls("Styrkor\\x00 bra\\x1b")
    ('Styrkor bra', [Diagnostic(code='W112', message='control characters removed: 2 (U+0000, U+001B) at character offset(s) 7, 12', severity='warning', area=None, start=7, end=8, line=None)])
    """
    found = list(_CONTROL.finditer(text))
    if not found:
        return text, []
    codes = sorted({f"U+{ord(m.group()):04X}" for m in found})
    listed = ", ".join(str(m.start()) for m in found[:MAX_LISTED])
    rest = f" and {len(found) - MAX_LISTED} more" if len(found) > MAX_LISTED else ""
    first = found[0].start()
    return _CONTROL.sub("", text), [Diagnostic(
        "W112", f"{MESSAGES['W112']}: {len(found)} ({', '.join(codes)}) at character offset(s) {listed}{rest}",
        start=first, end=first + 1)]


#: control bytes counted as binary evidence (all below 32 except TAB, LF, VT, FF, CR)
_CTRL_BYTES = bytes(b for b in range(32) if b not in (9, 10, 11, 12, 13))


def _looks_binary(data: bytes) -> bool:
    """Binary rather than text with a few stray control bytes: NUL or control bytes make up more than
    1 % of the first 64 KiB (at least 8 of them).  Fewer are stripped from the text (:func:`strip_controls`)."""
    head = data[:65536]
    ctrl = len(head) - len(head.translate(None, _CTRL_BYTES))
    return ctrl > max(8, len(head) // 100)


def _normalise(text: str) -> str:
    """NFC, newline and space normalisation (no-break, thin and other odd spaces become plain spaces, one
    for one, so "Område\\u00a03" is a heading).  Keeps the length mapping simple: \\r\\n → \\n is the only
    change that alters offsets, and spans always point into the normalised text (``Report.text``)."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\x0b", "\n")  # VT: a word processor's line break
    return unicodedata.normalize("NFC", _ODD_SPACES.sub(" ", text))
