"""Folder installs that never leave a half-written folder where a good one was.

>>> import tempfile, pathlib
>>> root = pathlib.Path(tempfile.mkdtemp())
>>> tmp = staging_dir(root / "m"); _ = (tmp / "x").write_text("1")
>>> install_dir(tmp, root / "m").name, (root / "m" / "x").read_text()
('m', '1')
"""
from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path
from typing import Callable


def staging_dir(target: Path) -> Path:
    """A fresh temporary folder beside ``target`` (same file system, so the final rename is atomic)."""
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{target.name}.", dir=target.parent))
    tmp.chmod(0o755)
    return tmp


def install_dir(tmp: Path, target: Path, *, ready: Callable[[], bool] = lambda: False,
                force: bool = True) -> Path:
    """Move the finished folder ``tmp`` to ``target``, replacing what is there.  ``ready()`` says whether
    ``target`` already holds an equal result (another process finished first): then, unless ``force``,
    ``tmp`` is discarded; a lost rename race against an equal result is not an error either."""
    try:
        if target.exists():
            if not force and ready():
                return target
            old = target.with_name(f".{target.name}.old-{os.getpid()}")
            target.rename(old)
            shutil.rmtree(old, ignore_errors=True)
        try:
            tmp.rename(target)
        except OSError:
            if not ready():
                raise
        return target
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
