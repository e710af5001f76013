"""Command line: ``kompasstext parse|themes|examples|report ...``.

Each subcommand lives in the module of the stage it drives and exposes ``register(subparsers)``, which
adds its parser and sets ``func``; this file only assembles them.
"""
from __future__ import annotations

import argparse
import sys
from importlib import import_module

from . import __version__

#: module paths whose ``register(subparsers)`` adds a subcommand, in help order
SUBCOMMANDS = (
    "kompasstext.commands.parse",
    "kompasstext.commands.themes",
    "kompasstext.commands.examples",
    "kompasstext.commands.report",
)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="kompasstext", description="Text mining of Kommunkompassen evaluation reports.")
    parser.add_argument("--version", action="version", version=f"kompasstext {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for path in SUBCOMMANDS:
        try:
            module = import_module(path)
        except ModuleNotFoundError as exc:  # a stage not installed in this build
            if exc.name != path:
                raise
            continue
        module.register(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    from .errors import KompassError

    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return 2
    try:
        return int(args.func(args) or 0)
    except KompassError as exc:
        print(f"kompasstext: {exc}", file=sys.stderr)
        return 1
    except BrokenPipeError:  # e.g. `kompasstext parse ... | head`
        return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
