"""Damaged, outdated, read-only and locked embedding caches (issue 15, "Caches and saved models"): each ends
in a recompute (the damaged file moved aside) or, read-only, in a run without a cache and one warning; a
lock is waited for, never taken for damage."""
from __future__ import annotations

import sqlite3
import threading
import time
import warnings

import numpy as np
import pytest

from kompasstext.embedding.cache import CacheWarning, EmbeddingCache

TEXTS = [f"text number {i} " + "x" * (i % 50) for i in range(3000)]


def _vectors(n, dim=8, seed=0):
    return np.random.default_rng(seed).standard_normal((n, dim)).astype(np.float32)


def _filled(path, n=len(TEXTS), dim=8):
    with EmbeddingCache(path) as c:
        c.put("m", "p: ", TEXTS[:n], _vectors(n, dim))
    # fold the WAL into the main file, so damage to the file is damage to the data
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()


def _recovers(path):
    """After the damage: no exception, then a put and a get work on a fresh file."""
    with EmbeddingCache(path) as c:
        found = c.get("m", "p: ", TEXTS)
        assert isinstance(found, dict)
        vec = _vectors(2, seed=1)
        c.put("m", "p: ", TEXTS[:2], vec)
        again = c.get("m", "p: ", TEXTS[:2])
        assert sorted(again) == [0, 1] and np.allclose(again[0], vec[0])
    return found


def test_damaged_inner_pages_are_set_aside_and_recomputed(tmp_path):
    path = tmp_path / "e.sqlite"
    _filled(path)
    data = bytearray(path.read_bytes())
    assert len(data) > 20 * 4096
    for page in range(3, len(data) // 4096, 2):  # keep the header page, scribble over inner pages
        data[page * 4096 + 8: page * 4096 + 400] = b"\xa5" * 392
    path.write_bytes(bytes(data))
    with pytest.raises(sqlite3.DatabaseError, match="malformed"):  # what every run failed with before
        conn = sqlite3.connect(path)
        conn.execute("SELECT count(*), sum(length(vec)) FROM embeddings").fetchone()
    _recovers(path)
    assert list(tmp_path.glob("e.sqlite.corrupt-*"))


def test_rows_with_a_wrong_vector_size_are_recomputed(tmp_path):
    path = tmp_path / "e.sqlite"
    _filled(path, n=10, dim=8)
    conn = sqlite3.connect(path)
    import zlib

    from kompasstext.embedding.cache import cache_key

    blob = np.ones(5, dtype="<f4").tobytes()
    for t in TEXTS[:3]:  # a well-formed row of another size (another model written under the same name)
        conn.execute("INSERT OR REPLACE INTO embeddings VALUES (?, ?, ?, ?)",
                     (cache_key("m", "p: ", t), 5, zlib.crc32(blob), blob))
    conn.commit()
    with EmbeddingCache(path) as c:
        found = c.get("m", "p: ", TEXTS[:10])
        assert sorted(found) == list(range(3, 10)) and c.corrupt == 3
        np.stack(list(found.values()))  # one size: the caller can stack them
    conn.execute("DELETE FROM meta")  # an older cache that never recorded its size: the most common size wins
    conn.commit()
    conn.close()
    with EmbeddingCache(path) as c:
        assert sorted(c.get("m", "p: ", TEXTS[:10])) == list(range(3, 10))


def test_an_older_schema_is_set_aside(tmp_path):
    path = tmp_path / "e.sqlite"
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE embeddings (key BLOB PRIMARY KEY, vec BLOB)")
    conn.execute("INSERT INTO embeddings VALUES (x'00', x'00')")
    conn.commit()
    conn.close()
    assert _recovers(path) == {}
    assert list(tmp_path.glob("e.sqlite.corrupt-*"))


def test_read_only_cache_runs_without_it_with_one_warning(tmp_path, monkeypatch):
    real = sqlite3.connect

    def connect(*args, **kw):
        raise sqlite3.OperationalError("unable to open database file")

    monkeypatch.setattr(sqlite3, "connect", connect)
    with warnings.catch_warnings(record=True) as rec:
        warnings.simplefilter("always")
        c = EmbeddingCache(tmp_path / "ro" / "e.sqlite")
        assert c.get("m", "p: ", TEXTS[:3]) == {}
        c.put("m", "p: ", TEXTS[:3], _vectors(3))
        assert c.get("m", "p: ", TEXTS[:3]) == {} and len(c) == 0
    w = [x for x in rec if issubclass(x.category, CacheWarning)]
    assert len(w) == 1 and "W116" in str(w[0].message) and "ro" in str(w[0].message)
    monkeypatch.setattr(sqlite3, "connect", real)
    assert not list(tmp_path.glob("**/*.corrupt-*"))


def test_read_only_folder_as_a_user(tmp_path):
    import os

    if os.geteuid() == 0:
        pytest.skip("root writes into read-only folders")
    ro = tmp_path / "ro"
    ro.mkdir()
    ro.chmod(0o555)
    with pytest.warns(CacheWarning, match="W116"):
        assert EmbeddingCache(ro / "e.sqlite").get("m", "p: ", ["a"]) == {}


def test_a_locked_cache_is_waited_for_not_set_aside(tmp_path):
    path = tmp_path / "e.sqlite"
    _filled(path, n=5)
    other = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    other.execute("BEGIN EXCLUSIVE")  # another process writing (in rollback-journal terms: everything locked)

    def release():
        time.sleep(0.5)
        other.execute("COMMIT")

    t = threading.Thread(target=release)
    t.start()
    with EmbeddingCache(path, timeout=10) as c:
        c.put("m", "p: ", ["new"], _vectors(1, seed=3))
        assert sorted(c.get("m", "p: ", TEXTS[:5] + ["new"])) == list(range(6))
    t.join()
    other.close()
    assert not list(tmp_path.glob("e.sqlite.corrupt-*"))


def test_a_lock_outlasting_the_timeout_is_an_error_not_damage(tmp_path):
    path = tmp_path / "e.sqlite"
    _filled(path, n=5)
    other = sqlite3.connect(path, isolation_level=None)
    other.execute("BEGIN EXCLUSIVE")
    try:
        with pytest.raises(sqlite3.OperationalError, match="locked"):
            with EmbeddingCache(path, timeout=0.2) as c:
                c.put("m", "p: ", ["new"], _vectors(1))
    finally:
        other.execute("COMMIT")
        other.close()
    assert not list(tmp_path.glob("e.sqlite.corrupt-*"))
    with EmbeddingCache(path) as c:
        assert len(c.get("m", "p: ", TEXTS[:5])) == 5
