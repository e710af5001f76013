"""On-disk embedding cache: SQLite, one row per (model id, prompt, text), float32 BLOBs, no pickle.

Each row holds the vector's dimension and a CRC32 of its bytes; a row whose types, length, checksum or
values don't check out is reported as missing (counted in ``corrupt``, one :class:`CacheWarning` W182
per lookup), so the caller recomputes and overwrites it; so is a vector whose size differs from the
cache's (``meta`` row ``dim``, which the latest writer sets: a model that changed size under the same id
heals its cache as it goes).  Writes go in one transaction per batch (atomic: a crash loses at most the
batch in flight).  A file that isn't a SQLite database, is truncated, has damaged pages (``database disk
image is malformed``) or an older or foreign schema is moved aside (``*.corrupt-<time>``, with its WAL
files) and a new one started, with one W181 — also when the damage only shows mid-run.  A cache that
can't be used — unreadable file or folder, a read-only folder, a directory or a dangling link in its
place, a parent that is a file — is given up with one W116: the run goes on without a cache; one that
can be read but not written (a read-only file, a full disk) is still read, after one W116.  A cache
locked by another process is waited for (``timeout`` seconds), never taken for damaged; a lock that
outlasts the timeout gives the cache up for the run with one W180.  WAL mode lets several processes read
while one writes.  300k texts of e5-small take ~480 MB.

>>> import numpy as np, tempfile, pathlib
>>> cache = EmbeddingCache(pathlib.Path(tempfile.mkdtemp()) / "e.sqlite")
>>> cache.put("m", "query: ", ["a", "b"], np.eye(2, dtype=np.float32))
>>> found = cache.get("m", "query: ", ["b", "c"])
>>> sorted(found), found[0].tolist()
([0], [0.0, 1.0])
>>> cache.close()
"""
from __future__ import annotations

import hashlib
import sqlite3
import time
import warnings
import zlib
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Literal, TypeVar

import numpy as np

from ..errors import MESSAGES, KompassWarning

_SCHEMA = """
CREATE TABLE IF NOT EXISTS embeddings (
    key BLOB PRIMARY KEY,          -- blake2b-128 of (model id, prompt, text)
    dim INTEGER NOT NULL,
    crc INTEGER NOT NULL,          -- zlib.crc32 of vec
    vec BLOB NOT NULL              -- float32 little-endian
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS meta (name TEXT PRIMARY KEY, value TEXT);
"""
_CHUNK = 500  # keys per SELECT (SQLite's variable limit is >= 999)
_COLUMNS = {"embeddings": {"key", "dim", "crc", "vec"}, "meta": {"name", "value"}}
_SIDE_FILES = ("-wal", "-shm", "-journal")

T = TypeVar("T")
Trouble = Literal["locked", "unusable", "damaged"]


class CacheWarning(KompassWarning):
    """The embedding cache can't be used (W116, W180), was damaged and started afresh (W181), or held
    damaged entries that are recomputed (W182)."""


class _ForeignSchema(sqlite3.DatabaseError):
    """The file is a SQLite database, but its tables are not (or no longer) the cache's."""


_LOCKED = ("database is locked", "database table is locked", "database schema is locked")
_UNUSABLE = ("readonly", "read-only", "unable to open", "disk i/o", "disk is full", "cannot open",
             "authorization denied", "access permission denied")
_DAMAGED = ("malformed", "not a database", "no such column", "no such table", "corrupt")


def _trouble(exc: BaseException) -> Trouble | None:
    """What an exception from the cache means: another process holds a lock; the cache can't be opened
    or written here (not damage: nothing is set aside); the file is damaged or foreign (set aside and
    started afresh); or None, a bug to be raised."""
    if isinstance(exc, OSError):
        return "unusable"
    if not isinstance(exc, sqlite3.DatabaseError):
        return None
    msg = str(exc).lower()
    if any(s in msg for s in _LOCKED):
        return "locked"
    if any(s in msg for s in _UNUSABLE):
        return "unusable"
    if isinstance(exc, _ForeignSchema) or type(exc) is sqlite3.DatabaseError:
        return "damaged"  # "file is not a database", "database disk image is malformed"
    if any(s in msg for s in _DAMAGED):
        return "damaged"
    return None


def cache_key(model_id: str, prompt: str, text: str) -> bytes:
    """The 16-byte key of one entry (model id, prompt and text are all part of it)."""
    h = hashlib.blake2b(digest_size=16)
    for part in (model_id, prompt, text):
        data = part.encode("utf-8", "surrogatepass")
        h.update(len(data).to_bytes(8, "little"))
        h.update(data)
    return h.digest()


def _check_schema(conn: sqlite3.Connection) -> None:
    """Raise :class:`_ForeignSchema` unless both tables have exactly the cache's columns."""
    for table, want in _COLUMNS.items():
        cols = {row[1] for row in conn.execute(f"PRAGMA table_info({table})")}
        if cols != want:
            raise _ForeignSchema(f"an older or foreign cache schema ({table} columns {sorted(cols)})")


def _warn(code: str, path: Path, detail: str, *, stacklevel: int = 5) -> None:
    """One :class:`CacheWarning` naming the cache file (``stacklevel`` 5: the caller of get/put/len)."""
    warnings.warn(f"[{code}] {path}: {MESSAGES[code]} ({detail})", CacheWarning, stacklevel=stacklevel)


class EmbeddingCache:
    """Persistent map ``(model_id, prompt, text) -> float32 vector``; see the module doc."""

    def __init__(self, path: str | Path, *, timeout: float = 60.0):
        self.path = Path(path)
        self.timeout = timeout
        self.corrupt = 0  #: entries found damaged (and so reported missing) since opening
        self.disabled: str | None = None  #: why the cache was given up for this run, else None
        self.read_only: str | None = None  #: why nothing more is written to it in this run, else None
        self.set_aside: list[Path] = []  #: damaged files moved aside since opening
        self._conn: sqlite3.Connection | None = None

    # -- connection ------------------------------------------------------------------------------
    def _open(self) -> sqlite3.Connection:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        conn = sqlite3.connect(self.path, timeout=self.timeout, isolation_level=None)
        try:
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA synchronous=NORMAL")
            conn.executescript(_SCHEMA)
            _check_schema(conn)
            conn.execute("SELECT count(*) FROM meta").fetchone()
        except BaseException:
            conn.close()
            raise
        return conn

    def _aside_name(self) -> Path:
        stem = f"{self.path.name}.corrupt-{int(time.time())}"
        aside, n = self.path.with_name(stem), 1
        while aside.exists() or aside.is_symlink():
            aside, n = self.path.with_name(f"{stem}-{n}"), n + 1
        return aside

    def _set_aside(self, exc: BaseException) -> None:
        """Move a damaged cache file (and its WAL files) aside so that a new one is started; one W181."""
        self.close()
        aside = self._aside_name()
        if self.path.exists() or self.path.is_symlink():
            self.path.replace(aside)
        for suffix in _SIDE_FILES:
            side = Path(f"{self.path}{suffix}")
            if side.exists():
                side.replace(Path(f"{aside}{suffix}"))
        self.set_aside.append(aside)
        _warn("W181", self.path, f"{type(exc).__name__}: {exc}; moved to {aside.name}")

    def _disable(self, code: str, exc: BaseException) -> None:
        self.close()
        self.disabled = f"{type(exc).__name__}: {exc}"
        _warn(code, self.path, self.disabled)

    @property
    def conn(self) -> sqlite3.Connection:
        """The open connection (opened, and the file checked, on first use)."""
        if self._conn is None:
            self._conn = self._open()
        return self._conn

    def _guarded(self, op: Callable[[], T], fallback: T, *, write: bool = False) -> T:
        """``op()``, recovering from damage (set aside, one retry on a fresh file) and giving the cache up
        for the run (``fallback``) when it stays locked or can't be used — for writing only (lookups go
        on) when it is a write that fails."""
        if self.disabled or (write and self.read_only):
            return fallback
        for attempt in (0, 1):
            try:
                return op()
            except (sqlite3.Error, OSError) as exc:
                trouble = _trouble(exc)
                if trouble is None:
                    raise
                if trouble == "damaged" and not attempt:
                    try:
                        self._set_aside(exc)
                    except OSError as moved:  # a damaged file in a read-only folder
                        self._disable("W116", moved)
                        return fallback
                    continue
                if trouble == "unusable" and write and self._conn is not None:
                    self._stop_writing(exc)
                else:
                    self._disable("W180" if trouble == "locked" else "W116", exc)
                return fallback
        return fallback  # pragma: no cover

    def _stop_writing(self, exc: BaseException) -> None:
        """A cache that can be read but not written (read-only file, full disk): lookups go on."""
        self.read_only = f"{type(exc).__name__}: {exc}"
        _warn("W116", self.path, f"{self.read_only}; lookups still use it")

    def close(self) -> None:
        """Close the connection (it is reopened on next use)."""
        if self._conn is not None:
            self._conn.close()
            self._conn = None

    def __enter__(self) -> EmbeddingCache:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __len__(self) -> int:
        return self._guarded(lambda: int(self.conn.execute("SELECT count(*) FROM embeddings").fetchone()[0]), 0)

    def _dim(self) -> int | None:
        row = self.conn.execute("SELECT value FROM meta WHERE name = 'dim'").fetchone()
        return int(row[0]) if row and str(row[0]).isdigit() else None

    # -- access ----------------------------------------------------------------------------------
    def get(self, model_id: str, prompt: str, texts: Sequence[str], dim: int | None = None) -> dict[int, np.ndarray]:
        """``{position in texts: vector}`` for the texts found intact (a size other than ``dim``, by
        default the cache's own, = damaged)."""
        before = self.corrupt
        found = self._guarded(lambda: self._get(model_id, prompt, texts, dim), {})
        if self.corrupt > before:
            _warn("W182", self.path, f"{self.corrupt - before} of {len(texts)} looked up",
                  stacklevel=3)
        return found

    def _get(self, model_id: str, prompt: str, texts: Sequence[str], dim: int | None) -> dict[int, np.ndarray]:
        if dim is None:
            dim = self._dim()
        where: dict[bytes, list[int]] = {}
        for i, t in enumerate(texts):
            where.setdefault(cache_key(model_id, prompt, t), []).append(i)
        found: dict[int, np.ndarray] = {}
        unique = list(where)
        for start in range(0, len(unique), _CHUNK):
            part = unique[start:start + _CHUNK]
            sql = f"SELECT key, dim, crc, vec FROM embeddings WHERE key IN ({','.join('?' * len(part))})"
            for key, d, crc, vec in self.conn.execute(sql, part):
                vector = self._check(d, crc, vec, dim)
                if vector is None:
                    self.corrupt += 1
                    continue
                for i in where[bytes(key)]:
                    found[i] = vector
        return self._one_size(found)

    def _one_size(self, found: dict[int, np.ndarray]) -> dict[int, np.ndarray]:
        """Without a recorded size (an older cache) the most common size is the cache's; others = damaged."""
        sizes = [len(v) for v in found.values()]
        if len(set(sizes)) <= 1:
            return found
        keep = max(sorted(set(sizes)), key=sizes.count)
        bad = [i for i, v in found.items() if len(v) != keep]
        self.corrupt += len(bad)
        return {i: v for i, v in found.items() if len(v) == keep}

    @staticmethod
    def _check(d: object, crc: object, vec: object, dim: int | None) -> np.ndarray | None:
        """The row's vector, or None when its types, size, checksum or values are wrong."""
        if not (isinstance(d, int) and isinstance(crc, int) and isinstance(vec, bytes)):
            return None
        if d <= 0 or len(vec) != 4 * d or (dim is not None and d != dim) or zlib.crc32(vec) != crc:
            return None
        vector = np.frombuffer(vec, dtype="<f4")
        return vector if np.isfinite(vector).all() else None

    def put(self, model_id: str, prompt: str, texts: Sequence[str], vectors: np.ndarray) -> None:
        """Store ``vectors[i]`` for ``texts[i]`` (replacing what was there) in one transaction."""
        vectors = np.ascontiguousarray(vectors, dtype="<f4")
        if vectors.ndim != 2 or len(vectors) != len(texts):
            raise ValueError("vectors must be 2-D with one row per text")
        self._guarded(lambda: self._put(model_id, prompt, texts, vectors), None, write=True)

    def _put(self, model_id: str, prompt: str, texts: Sequence[str], vectors: np.ndarray) -> None:
        rows = []
        for text, vec in zip(texts, vectors):
            blob = vec.tobytes()
            rows.append((cache_key(model_id, prompt, text), vectors.shape[1], zlib.crc32(blob), blob))
        conn = self.conn
        conn.execute("BEGIN IMMEDIATE")
        try:
            conn.executemany("INSERT OR REPLACE INTO embeddings (key, dim, crc, vec) VALUES (?, ?, ?, ?)", rows)
            conn.execute("INSERT OR REPLACE INTO meta (name, value) VALUES ('dim', ?)", (str(vectors.shape[1]),))
            conn.execute("COMMIT")
        except BaseException:
            try:
                conn.execute("ROLLBACK")
            except sqlite3.Error:  # no transaction left to roll back (the statement that failed ended it)
                pass
            raise
