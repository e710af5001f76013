"""On-disk embedding cache: SQLite, one row per (model id, prompt, text), float32 BLOBs, no pickle.

Each row holds the vector's dimension and a CRC32 of its bytes; a row whose length, checksum or values
don't check out is reported as missing (and counted in ``corrupt``), so the caller recomputes and
overwrites it.  Writes go in one transaction per batch (atomic: a crash loses at most the batch in
flight).  A file that isn't a SQLite database at all is moved aside (``*.corrupt-<time>``) and a new one
started.  WAL mode lets several processes read while one writes.  300k texts of e5-small take ~480 MB.

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
import zlib
from collections.abc import Sequence
from pathlib import Path

import numpy as np

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
        self._conn: sqlite3.Connection | None = None

    # -- connection ------------------------------------------------------------------------------
    def _open(self) -> sqlite3.Connection:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        conn = sqlite3.connect(self.path, timeout=self.timeout, isolation_level=None)
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA synchronous=NORMAL")
        conn.executescript(_SCHEMA)
        conn.execute("SELECT count(*) FROM meta").fetchone()
        return conn

    @property
    def conn(self) -> sqlite3.Connection:
        if self._conn is None:
            try:
                self._conn = self._open()
            except sqlite3.DatabaseError:  # not a database / damaged header: set it aside, start afresh
                aside = self.path.with_name(f"{self.path.name}.corrupt-{int(time.time())}")
                self.path.replace(aside)
                for suffix in ("-wal", "-shm"):
                    Path(f"{self.path}{suffix}").unlink(missing_ok=True)
                self._conn = self._open()
        return self._conn

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
        return int(self.conn.execute("SELECT count(*) FROM embeddings").fetchone()[0])

    # -- access ----------------------------------------------------------------------------------
    def get(self, model_id: str, prompt: str, texts: Sequence[str], dim: int | None = None) -> dict[int, np.ndarray]:
        """``{position in texts: vector}`` for the texts found intact (wrong dim = damaged)."""
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
        rows = []
        for text, vec in zip(texts, vectors):
            blob = vec.tobytes()
            rows.append((cache_key(model_id, prompt, text), vectors.shape[1], zlib.crc32(blob), blob))
        conn = self.conn
        conn.execute("BEGIN IMMEDIATE")
        try:
            conn.executemany("INSERT OR REPLACE INTO embeddings (key, dim, crc, vec) VALUES (?, ?, ?, ?)", rows)
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise
