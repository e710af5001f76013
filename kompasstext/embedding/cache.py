"""On-disk embedding cache: SQLite, one row per (model id, prompt, text), float32 BLOBs, no pickle.

Each row holds the vector's dimension and a CRC32 of its bytes; a row whose length, checksum or values
don't check out is reported as missing (and counted in ``corrupt``), so the caller recomputes and
overwrites it; so is a vector whose size differs from the cache's (``meta`` row ``dim``).  Writes go in
one transaction per batch (atomic: a crash loses at most the batch in flight).  A file that isn't a
SQLite database, has damaged pages (``database disk image is malformed``) or an older schema is moved
aside (``*.corrupt-<time>``) and a new one started — also when the damage only shows mid-run.  A cache
that can't be written (read-only folder or file) is given up with one :class:`CacheWarning` (W116): the
run goes on without a cache.  A cache locked by another process is waited for (``timeout``), never
taken for damaged.  WAL mode lets several processes read while one writes.  300k texts of e5-small take
~480 MB.

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
from collections.abc import Sequence
from pathlib import Path

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
_COLUMNS = {"key", "dim", "crc", "vec"}


class CacheWarning(KompassWarning):
    """The embedding cache can't be used (W116); vectors are computed without it."""


def _unwritable(exc: BaseException) -> bool:
    """The cache file or folder can't be created or written (not damage, not a lock)."""
    if isinstance(exc, PermissionError):
        return True
    msg = str(exc).lower()
    return isinstance(exc, sqlite3.OperationalError) and (
        "readonly" in msg or "read-only" in msg or "unable to open" in msg or "disk i/o" in msg)


def _damaged(exc: BaseException) -> bool:
    """The file is not a usable cache database: not SQLite, damaged pages, an older schema.  A lock
    ("database is locked", "busy") is not damage."""
    if not isinstance(exc, sqlite3.DatabaseError) or _unwritable(exc):
        return False
    msg = str(exc).lower()
    if isinstance(exc, sqlite3.OperationalError):
        return "malformed" in msg or "no such column" in msg or "no such table" in msg or "schema" in msg
    return True


def cache_key(model_id: str, prompt: str, text: str) -> bytes:
    """The 16-byte key of one entry (model id, prompt and text are all part of it)."""
    h = hashlib.blake2b(digest_size=16)
    for part in (model_id, prompt, text):
        data = part.encode("utf-8", "surrogatepass")
        h.update(len(data).to_bytes(8, "little"))
        h.update(data)
    return h.digest()


class EmbeddingCache:
    """Persistent map ``(model_id, prompt, text) -> float32 vector``; see the module doc."""

    def __init__(self, path: str | Path, *, timeout: float = 60.0):
        self.path = Path(path)
        self.timeout = timeout
        self.corrupt = 0  #: entries found damaged (and so reported missing) since opening
        self.disabled: str | None = None  #: why the cache was given up for this run (read-only), else None
        self._conn: sqlite3.Connection | None = None

    # -- connection ------------------------------------------------------------------------------
    def _open(self) -> sqlite3.Connection:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        conn = sqlite3.connect(self.path, timeout=self.timeout, isolation_level=None)
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA synchronous=NORMAL")
        try:
            conn.executescript(_SCHEMA)
            conn.execute("SELECT count(*) FROM meta").fetchone()
            cols = {row[1] for row in conn.execute("PRAGMA table_info(embeddings)")}
            if cols != _COLUMNS:
                raise sqlite3.DatabaseError(f"an older cache schema (columns {sorted(cols)})")
        except BaseException:
            conn.close()
            raise
        return conn

    def _set_aside(self) -> None:
        """Move a damaged cache file aside (``*.corrupt-<time>``) so that a new one is started."""
        self.close()
        aside = self.path.with_name(f"{self.path.name}.corrupt-{int(time.time())}")
        if self.path.exists():
            self.path.replace(aside)
        for suffix in ("-wal", "-shm"):
            Path(f"{self.path}{suffix}").unlink(missing_ok=True)

    def _disable(self, exc: BaseException) -> None:
        self.close()
        self.disabled = f"{exc.__class__.__name__}: {exc}"
        warnings.warn(f"[W116] {self.path}: {MESSAGES['W116']} ({self.disabled})", CacheWarning, stacklevel=4)

    @property
    def conn(self) -> sqlite3.Connection:
        if self._conn is None:
            try:
                self._conn = self._open()
            except Exception as exc:
                if not _damaged(exc):  # a lock outlasting the timeout, a read-only folder: the caller decides
                    raise
                self._set_aside()  # not a database / damaged / old schema: set it aside, start afresh
                self._conn = self._open()
        return self._conn

    def _guarded(self, op, fallback):
        """``op()``, recovering from damage found mid-run (set aside, one retry on a fresh file) and giving
        the cache up (``fallback``) when it can't be written."""
        if self.disabled:
            return fallback
        for attempt in (0, 1):
            try:
                return op()
            except Exception as exc:
                if _unwritable(exc):
                    self._disable(exc)
                    return fallback
                if attempt or not _damaged(exc):
                    raise
                self._set_aside()
        return fallback  # pragma: no cover

    def close(self) -> None:
        """Close the connection (it is reopened on next use)."""
        if self._conn is not None:
            self._conn.close()
            self._conn = None

    def __enter__(self) -> EmbeddingCache:
        return self

    def __exit__(self, *exc) -> None:
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
        return self._guarded(lambda: self._get(model_id, prompt, texts, dim), {})

    def _get(self, model_id: str, prompt: str, texts: Sequence[str], dim: int | None) -> dict[int, np.ndarray]:
        if dim is None:
            dim = self._dim()
        keys = [cache_key(model_id, prompt, t) for t in texts]
        where: dict[bytes, list[int]] = {}
        for i, k in enumerate(keys):
            where.setdefault(k, []).append(i)
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
        sizes = {len(v) for v in found.values()}
        if len(sizes) > 1:  # no recorded size (an older cache): the most common one is the cache's
            sizes_n = [len(v) for v in found.values()]
            keep = max(sorted(sizes), key=sizes_n.count)
            bad = [i for i, v in found.items() if len(v) != keep]
            self.corrupt += len(bad)
            for i in bad:
                del found[i]
        return found

    @staticmethod
    def _check(d: int, crc: int, vec: bytes, dim: int | None) -> np.ndarray | None:
        if not isinstance(vec, bytes) or d <= 0 or len(vec) != 4 * d or (dim is not None and d != dim):
            return None
        if zlib.crc32(vec) != crc:
            return None
        vector = np.frombuffer(vec, dtype="<f4")
        return vector if np.isfinite(vector).all() else None

    def put(self, model_id: str, prompt: str, texts: Sequence[str], vectors: np.ndarray) -> None:
        """Store ``vectors[i]`` for ``texts[i]`` (replacing what was there) in one transaction."""
        vectors = np.ascontiguousarray(vectors, dtype="<f4")
        if vectors.ndim != 2 or len(vectors) != len(texts):
            raise ValueError("vectors must be 2-D with one row per text")
        self._guarded(lambda: self._put(model_id, prompt, texts, vectors), None)

    def _put(self, model_id: str, prompt: str, texts: Sequence[str], vectors: np.ndarray) -> None:
        rows = []
        for text, vec in zip(texts, vectors):
            blob = vec.tobytes()
            rows.append((cache_key(model_id, prompt, text), vectors.shape[1], zlib.crc32(blob), blob))
        conn = self.conn
        conn.execute("BEGIN IMMEDIATE")
        try:
            conn.executemany("INSERT OR REPLACE INTO embeddings (key, dim, crc, vec) VALUES (?, ?, ?, ?)", rows)
            conn.execute("INSERT OR IGNORE INTO meta (name, value) VALUES ('dim', ?)", (str(vectors.shape[1]),))
            conn.execute("COMMIT")
        except BaseException:
            try:
                conn.execute("ROLLBACK")
            except sqlite3.Error:  # no transaction left to roll back (the statement that failed ended it)
                pass
            raise
