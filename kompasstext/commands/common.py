"""What every subcommand shares: option types that check values before any work, ``--on-error`` and
``--quiet``, reading the reports with skipped files listed, progress bars, and the exit-code table.

Option types raise ``argparse.ArgumentTypeError`` (its message may start with its own code, e.g.
``[E031]``); :mod:`kompasstext.cli` turns that into one numbered line (``[E030]`` by default) and the
code's exit status, before a report is read.

>>> unit_interval("0.25"), positive_int("3")
(0.25, 3)
>>> unit_interval("3")
Traceback (most recent call last):
...
argparse.ArgumentTypeError: must be a number from 0 to 1, not '3'
"""
from __future__ import annotations

import argparse
import logging
import os
import sys
import warnings
from pathlib import Path
from typing import Any, Callable, Iterable

log = logging.getLogger("kompasstext")

#: exit codes of the CLI (also in the README and ``kompasstext --help``)
EXIT_OK = 0
EXIT_INPUT = 1        #: a report could not be read (E001–E029), no report left to work on (E034)
EXIT_USAGE = 2        #: an invalid option or value (E006, E030–E033)
EXIT_OUTPUT = 3       #: an output file could not be written (E031)
EXIT_MODEL = 4        #: the embedding model is not available (E2xx)
EXIT_INTERNAL = 70    #: a bug: an unexpected exception (E036)
EXIT_INTERRUPTED = 130  #: Ctrl-C (E035)

_USAGE_CODES = {"E006", "E007", "E030", "E032", "E033"}


def exit_code(code: str) -> int:
    """The exit code of a ``KompassError`` code.

    >>> [exit_code(c) for c in ("E001", "E030", "E031", "E201", "E036")]
    [1, 2, 3, 4, 70]
    """
    if code in _USAGE_CODES:
        return EXIT_USAGE
    if code == "E031":
        return EXIT_OUTPUT
    if code.startswith("E2"):
        return EXIT_MODEL
    if code == "E035":
        return EXIT_INTERRUPTED
    if code == "E036":
        return EXIT_INTERNAL
    return EXIT_INPUT


# ------------------------------------------------------------------------------------- option types
def unit_interval(text: str) -> float:
    """A float in [0, 1]."""
    try:
        v = float(text)
    except ValueError:
        v = float("nan")
    if not 0.0 <= v <= 1.0:
        raise argparse.ArgumentTypeError(f"must be a number from 0 to 1, not {text!r}")
    return v


def _int(text: str, low: int, high: int | None = None) -> int:
    try:
        v = int(text)
    except ValueError:
        v = None
    if v is None or v < low or (high is not None and v > high):
        rng = f"from {low} to {high}" if high is not None else f"{low} or more"
        raise argparse.ArgumentTypeError(f"must be a whole number {rng}, not {text!r}")
    return v


def positive_int(text: str) -> int:
    """An int >= 1."""
    return _int(text, 1)


def count(text: str) -> int:
    """An int >= 0."""
    return _int(text, 0)


def area_number(text: str) -> int:
    """An area number, 1–8 (every framework revision has eight areas)."""
    return _int(text, 1, 8)


def query_text(text: str) -> str:
    """Free text with at least one letter or digit."""
    if not any(ch.isalnum() for ch in text):
        raise argparse.ArgumentTypeError(f"[E033] must contain a word, not {text!r}")
    return text.strip()


def reader_name(text: str) -> str:
    """A reader known to :func:`kompasstext.readers.get_reader` (or ``pdf``)."""
    if text == "pdf":
        return text
    from ..errors import KompassError
    from ..readers.base import get_reader

    try:
        get_reader(text)
    except KompassError as exc:
        raise argparse.ArgumentTypeError(exc.detail) from None
    return text


def output_file(text: str) -> str:
    """A file path that can be written: its folder exists and is writable, and it is not a folder."""
    path = Path(text).expanduser()
    parent = path.parent if str(path.parent) else Path(".")
    if path.is_dir():
        raise argparse.ArgumentTypeError(f"[E031] {text!r} is a folder, not a file")
    if not parent.is_dir():
        raise argparse.ArgumentTypeError(f"[E031] the folder {str(parent)!r} does not exist")
    if not os.access(parent, os.W_OK) or (path.exists() and not os.access(path, os.W_OK)):
        raise argparse.ArgumentTypeError(f"[E031] {text!r} cannot be written (permission denied)")
    return text


def theme_model_dir(text: str) -> str:
    """A folder written by ``ThemeModel.save`` in the format this version reads."""
    import json

    from ..themes.store import FORMAT

    path = Path(text).expanduser()
    meta = path / "model.json"
    if not path.is_dir():
        raise argparse.ArgumentTypeError(f"[E032] {text!r} is not a folder (a model saved with ThemeModel.save)")
    try:
        fmt = json.loads(meta.read_text(encoding="utf-8")).get("format")
    except (OSError, ValueError, AttributeError):
        raise argparse.ArgumentTypeError(f"[E032] {text!r} holds no readable model.json (ThemeModel.save writes one)") \
            from None
    if fmt != FORMAT:
        raise argparse.ArgumentTypeError(f"[E032] {text!r} was saved in format {fmt} (this kompasstext reads {FORMAT}): "
                                         "fit and save the model again")
    return text


# ------------------------------------------------------------------------------------ shared options
def add_common(p: argparse.ArgumentParser, *, on_error: bool = True) -> None:
    """``--on-error skip|fail`` (when the command reads reports) and ``-q/--quiet``."""
    if on_error:
        p.add_argument("--on-error", choices=["skip", "fail"], default="skip",
                       help="a file that is not a readable report: skip it with a warning listing the skipped "
                            "files (default), or stop with its error")
    p.add_argument("-q", "--quiet", action="store_true", help="no progress bars, notes or warnings")


def read_reports(args: argparse.Namespace) -> Any:
    """``read_corpus(args.paths)``: ``errors="warn"`` under ``--on-error skip`` (the skipped files listed in
    one W150 warning, or E034 when none is left), ``errors="raise"`` under ``fail``.  Reader diagnostics
    (W1xx) are not repeated here: ``kompasstext parse`` prints them."""
    from ..corpus import read_corpus
    from ..errors import KompassError, KompassWarning

    skip = getattr(args, "on_error", "skip") == "skip"
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", KompassWarning)
        corpus = _read_with_bar(args, "warn" if skip else "raise") if progress_enabled(args) else \
            read_corpus(args.paths, errors="warn" if skip else "raise")
    skipped = [str(w.message) for w in caught
               if issubclass(w.category, KompassWarning) and str(w.message).startswith("skipped ")]
    if skipped:
        log.warning("[W150] %d file(s) skipped (--on-error skip; --on-error fail stops instead):\n  %s",
                    len(skipped), "\n  ".join(_reason(s) for s in skipped))
    if not len(corpus):
        raise KompassError("E034", ", ".join(map(str, args.paths)),
                           f"none of the {len(skipped)} file(s) is a readable report")
    return corpus


#: from this many files, reading shows a bar (the files are read in chunks, each by ``read_corpus``)
READ_BAR_MIN = 48


def _read_with_bar(args: argparse.Namespace, errors: str) -> Any:
    """``read_corpus`` of the files in chunks with a bar; the same corpus, errors and warnings as one call
    (``Corpus`` sorts its reports; errors come in file order either way)."""
    from ..corpus import PARALLEL_MIN_FILES, Corpus, iter_report_paths, read_corpus
    from ..progress import bar as new_bar

    files = iter_report_paths(args.paths)
    if len(files) < READ_BAR_MIN:
        return read_corpus(files, errors=errors)
    size = max(PARALLEL_MIN_FILES, -(-len(files) // 20))  # chunks big enough to keep the worker processes
    reports = []
    with new_bar(len(files), "reading", unit="file", leave=False) as bar:
        for i in range(0, len(files), size):
            part = files[i:i + size]
            reports += read_corpus(part, errors=errors).reports
            bar.update(len(part))
    return Corpus(reports)


def _reason(message: str) -> str:
    """``skipped PATH: [E001] PATH: detail`` → ``[E001] PATH: detail`` (the error names the file)."""
    at = message.find(": [E")
    return message[at + 2:] if at >= 0 else message[len("skipped "):]


def progress_enabled(args: argparse.Namespace | None = None) -> bool:
    """Bars only on a terminal (:func:`kompasstext.progress.enabled`), never with ``--quiet``."""
    from ..progress import enabled

    return not (args is not None and getattr(args, "quiet", False)) and enabled()


def stage_bar(stages: Iterable[str], args: argparse.Namespace | None = None) -> Callable[[str], None]:
    """A tqdm bar over named pipeline stages; the returned callback advances it with a stage's message."""
    from ..progress import bar as new_bar

    names = list(stages)
    bar = new_bar(len(names), names[0] if names else "", show=progress_enabled(args), unit="stage", leave=False)

    def advance(message: str) -> None:
        if bar.n + 1 < bar.total:
            bar.set_description(names[bar.n + 1])
        bar.update(1)
        log.debug(message)
        if bar.n >= bar.total:
            bar.close()

    return advance
