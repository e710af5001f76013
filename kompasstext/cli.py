"""Command line: ``kompasstext parse|themes|examples|report|cache ...``.

Each subcommand lives in the module of the stage it drives and exposes ``register(subparsers)``, which
adds its parser and sets ``func``; this file only assembles them and owns what every command shares:
options are checked before any work, every error ends as one numbered line on stderr and an exit code
(:mod:`kompasstext.commands.common`), warnings and notes go through :mod:`logging` as one line each
(``kompasstext: warning: …``), never with echoed source lines, and a traceback is shown only with
``--debug``.

>>> main(["themes", "corpora/kommunkompassen", "--cut-quantile", "3"])   # doctest: +SKIP
kompasstext: [E030] themes: argument --cut-quantile: must be a number from 0 to 1, not '3'
2
"""
from __future__ import annotations

import argparse
import logging
import os
import re
import sys
import warnings
from importlib import import_module

from . import __version__

#: module paths whose ``register(subparsers)`` adds a subcommand, in help order
SUBCOMMANDS = (
    "kompasstext.commands.parse",
    "kompasstext.commands.themes",
    "kompasstext.commands.examples",
    "kompasstext.commands.report",
    "kompasstext.commands.cache",
)

EPILOG = """exit codes: 0 done; 1 a report could not be read (E001-E029) or none is left (E034);
2 an invalid option or value (E006, E030-E033); 3 an output file cannot be written (E031);
4 the embedding model is not available (E2xx); 70 internal error (E036, --debug shows the traceback);
130 interrupted. Warnings (W1xx) are printed as one line each; --quiet silences them."""


class UsageError(Exception):
    """An option or value argparse refused (becomes E030)."""

    def __init__(self, prog: str, message: str) -> None:
        super().__init__(message)
        self.prog = prog


class Parser(argparse.ArgumentParser):
    """argparse that raises :class:`UsageError` instead of printing the usage and exiting."""

    def error(self, message: str):  # type: ignore[override]
        raise UsageError(self.prog, message)


def build_parser() -> argparse.ArgumentParser:
    parser = Parser(prog="kompasstext", description="Text mining of Kommunkompassen evaluation reports.",
                    epilog=EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--version", action="version", version=f"kompasstext {__version__}")
    parser.add_argument("--debug", action="store_true", help="show the traceback of an internal error")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=Parser)
    for path in SUBCOMMANDS:
        try:
            module = import_module(path)
        except ModuleNotFoundError as exc:  # a stage not installed in this build
            if exc.name != path:
                raise
            continue
        module.register(sub)
    return parser


class _OneLine(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        level = "" if record.levelno == logging.INFO else f"{record.levelname.lower()}: "
        return f"kompasstext: {level}{record.getMessage()}"


def _setup_logging(quiet: bool) -> logging.Handler:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(_OneLine())
    logger = logging.getLogger("kompasstext")
    logger.addHandler(handler)
    logger.setLevel(logging.ERROR if quiet else logging.INFO)
    logger.propagate = False
    return handler


def _show_warning(message, category, filename, lineno, file=None, line=None) -> None:
    """``warnings.showwarning`` for the CLI: one log line, no source line."""
    from .errors import KompassWarning

    name = "" if issubclass(category, KompassWarning) else f"{category.__name__}: "
    logging.getLogger("kompasstext").warning("%s%s", name, str(message).splitlines()[0] if str(message) else "")


def _fail(code: str, message: str) -> None:
    print(f"kompasstext: [{code}] {message}", file=sys.stderr)


def main(argv: list[str] | None = None) -> int:
    from .commands.common import EXIT_INTERNAL, EXIT_INTERRUPTED, EXIT_USAGE, exit_code
    from .errors import KompassError

    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except UsageError as exc:  # before any work: one line, exit 2 (3 for an output path)
        where = exc.prog.split(" ", 1)[1] if " " in exc.prog else exc.prog
        code, message = "E030", str(exc)
        tagged = re.search(r"\[(E\d{3})\] ", message)
        if tagged:
            code, message = tagged.group(1), message[:tagged.start()] + message[tagged.end():]
        _fail(code, f"{where}: {message} (see {exc.prog} --help)")
        return exit_code(code)
    except SystemExit as exc:  # --help, --version
        return int(exc.code or 0)
    if not getattr(args, "func", None):
        parser.print_help()
        return EXIT_USAGE
    quiet = getattr(args, "quiet", False)
    handler = _setup_logging(quiet)
    from .progress import ENV

    saved = os.environ.get(ENV)
    if quiet:  # every bar off, also those the library draws (embedding)
        os.environ[ENV] = "0"
    try:
        with warnings.catch_warnings():
            warnings.showwarning = _show_warning
            if quiet:
                warnings.simplefilter("ignore")
            return int(args.func(args) or 0)
    except KompassError as exc:
        _fail(exc.code, str(exc).split("] ", 1)[-1])
        return exit_code(exc.code)
    except KeyboardInterrupt:
        _fail("E035", "interrupted")
        return EXIT_INTERRUPTED
    except BrokenPipeError:  # e.g. `kompasstext parse ... | head`
        return 0
    except OSError as exc:  # writing an output file, reading a folder: name the path
        _fail("E031" if exc.filename else "E036", f"{exc.filename or ''}: {exc.strerror or exc}")
        return exit_code("E031") if exc.filename else EXIT_INTERNAL
    except Exception as exc:  # a bug: say so in one line, the traceback only with --debug
        if args.debug:
            raise
        _fail("E036", f"internal error: {type(exc).__name__}: {exc} (run with --debug for the traceback)")
        return EXIT_INTERNAL
    finally:
        logging.getLogger("kompasstext").removeHandler(handler)
        if quiet and saved is None:
            os.environ.pop(ENV, None)
        elif quiet:
            os.environ[ENV] = saved


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
