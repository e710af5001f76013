"""Folder installs that never leave a half-written folder where a good one was.

A finished folder is swapped in for the old one in one step where the system can (Linux
``renameat2(RENAME_EXCHANGE)``: a reader sees the old folder or the new one, never none); elsewhere the
old folder is renamed aside (``.<name>.old-<pid>-<n>``), the new one renamed in and the old one removed —
a failure in between puts the old folder back, and only a process killed in that instant can leave the
target missing with the old folder beside it.

>>> import tempfile, pathlib
>>> root = pathlib.Path(tempfile.mkdtemp())
>>> tmp = staging_dir(root / "m"); _ = (tmp / "x").write_text("1")
>>> install_dir(tmp, root / "m").name, (root / "m" / "x").read_text()
('m', '1')
"""
from __future__ import annotations

import ctypes
import errno
import os
import shutil
import sys
import tempfile
import time
from functools import lru_cache
from pathlib import Path
from typing import Callable

_AT_FDCWD = -100
_RENAME_EXCHANGE = 2
_UNSUPPORTED = {errno.ENOSYS, errno.EINVAL, errno.ENOTSUP, errno.EOPNOTSUPP, errno.EXDEV}


def staging_dir(target: Path) -> Path:
    """A fresh temporary folder beside ``target`` (same file system, so the final rename is atomic)."""
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{target.name}.", dir=target.parent))
    tmp.chmod(0o755)
    return tmp


def leftovers(target: Path) -> list[Path]:
    """Old folders an interrupted :func:`install_dir` left beside ``target`` (newest first)."""
    found = [p for p in target.parent.glob(f".{target.name}.old-*") if p.is_dir()]
    return sorted(found, key=lambda p: p.stat().st_mtime, reverse=True)


@lru_cache(maxsize=1)
def _renameat2() -> Callable[..., int] | None:
    """glibc's ``renameat2`` (Linux, glibc >= 2.28), or None."""
    if not sys.platform.startswith("linux"):
        return None
    try:
        fn = ctypes.CDLL(None, use_errno=True).renameat2
    except (OSError, AttributeError):
        return None
    fn.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint]
    fn.restype = ctypes.c_int
    return fn


def exchange(a: Path, b: Path) -> bool:
    """Swap the two existing paths ``a`` and ``b`` in one atomic step; False (nothing done) where the
    system or file system can't."""
    fn = _renameat2()
    if fn is None:
        return False
    if fn(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE) == 0:
        return True
    err = ctypes.get_errno()
    if err in _UNSUPPORTED:
        return False
    raise OSError(err, os.strerror(err), str(b))


def _replace_by_renames(tmp: Path, target: Path, ready: Callable[[], bool]) -> None:
    """The fallback: ``target`` renamed aside, ``tmp`` renamed in, the old one removed (or put back if the
    rename in fails and no equal result arrived meanwhile)."""
    old = target.with_name(f".{target.name}.old-{os.getpid()}-{time.monotonic_ns()}")
    target.rename(old)
    try:
        tmp.rename(target)
    except BaseException as exc:
        if not target.exists():
            old.rename(target)  # put the old folder back
            raise
        shutil.rmtree(old, ignore_errors=True)  # another process installed its result meanwhile
        if isinstance(exc, OSError) and ready():
            return
        raise
    shutil.rmtree(old, ignore_errors=True)


def install_dir(tmp: Path, target: Path, *, ready: Callable[[], bool] = lambda: False,
                force: bool = True) -> Path:
    """Move the finished folder ``tmp`` to ``target``, replacing what is there (see the module doc).
    ``ready()`` says whether ``target`` already holds an equal result (another process finished first):
    then, unless ``force``, ``tmp`` is discarded; a lost rename race against an equal result is not an
    error either."""
    try:
        if target.exists():
            if not force and ready():
                return target
            if target.is_dir() and not target.is_symlink() and exchange(tmp, target):
                return target  # tmp now holds the old folder, removed below
            _replace_by_renames(tmp, target, ready)
            return target
        try:
            tmp.rename(target)
        except OSError:
            if not ready():
                raise
        return target
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
