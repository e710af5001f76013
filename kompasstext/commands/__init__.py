"""CLI subcommands, one module each (see ``kompasstext.cli``)."""
