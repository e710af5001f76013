"""Damaged, outdated, foreign, unusable and locked embedding caches (issue 15, "Caches and saved models").

Each scenario ends in a recompute (a damaged file moved aside with one W181, damaged entries recomputed
with one W182), in a run without a cache with one warning (W116 unusable, W180 locked for longer than
the timeout), or — when nothing is wrong — in the cache simply working; never in a traceback, and a lock
is never taken for damage.  The scenarios, numbered as the ids of the tests below:

Damaged file (set aside, recomputed, W181)
 1. truncated file (cut in half)
 2. random bytes instead of a database
 3. damaged header (SQLite magic overwritten; page size field garbled)
 4. damaged inner pages ("database disk image is malformed")
 5. damage that only shows mid-run, under an open connection
 6. an older schema (missing columns) or a foreign table layout (``meta`` with other columns)
Damaged entries (recomputed, W182; the file is kept)
 7. rows with a wrong vector size (also in an older cache that never recorded its size)
 8. NaN / infinite vectors and checksum mismatches (a flipped bit)
 9. rows with wrong SQL types (text in the size, checksum or vector column)
Nothing wrong (no warning)
10. a zero-byte file (started as a new cache)
11. entries of another model id or prompt are not returned (recomputed, not counted as damage)
12. a model that changed its vector size under the same id: the cache heals as it is rewritten
13. WAL/journal leftovers: a crashed writer's WAL keeps its rows; garbage ``-wal``/``-shm``/``-journal``
    files are ignored
14. the cache path's parent is missing (created); a dangling symlink whose target folder exists
Unusable (run without a cache, one W116; nothing set aside)
15. read-only folder, permissions 000 (file or folder) — as an unprivileged user (forked and setuid
    when the tests run as root); a read-only file is still read (writes dropped after one W116)
16. a directory where the file should be; a parent that is a file; a dangling symlink into nowhere
17. disk full (SQLite's page limit reached mid-run: writes stop, lookups go on); a damaged file in a folder that can't be written
Locks and concurrency
18. locked by another process for a short time: waited for, never set aside (another connection in a
    thread and in a second process); a lock outlasting the timeout: W180, no cache, file untouched;
    two processes writing at once: every row stored, nothing damaged
"""
from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
import traceback
import warnings
import zlib
from collections.abc import Callable
from pathlib import Path

import numpy as np
import numpy.random  # noqa: F401 - imported before a fork: the child may not read the interpreter's files
import pytest

from kompasstext.embedding.cache import CacheWarning, EmbeddingCache, cache_key

TEXTS = [f"text number {i} " + "x" * (i % 50) for i in range(3000)]
NOBODY = 65534


def _vectors(n: int, dim: int = 8, seed: int = 0) -> np.ndarray:
    return np.random.default_rng(seed).standard_normal((n, dim)).astype(np.float32)


def _filled(path: Path, n: int = len(TEXTS), dim: int = 8) -> None:
    with EmbeddingCache(path) as c:
        c.put("m", "p: ", TEXTS[:n], _vectors(n, dim))
    # fold the WAL into the main file, so damage to the file is damage to the data
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()


def _codes(rec: list[warnings.WarningMessage]) -> list[str]:
    return [str(w.message)[1:5] for w in rec if issubclass(w.category, CacheWarning)]


def _run(fn: Callable[[], object]) -> tuple[object, list[str]]:
    """``fn()`` with the cache warnings it raised (codes)."""
    with warnings.catch_warnings(record=True) as rec:
        warnings.simplefilter("always")
        out = fn()
    return out, _codes(rec)


def _recovers(path: Path) -> tuple[dict, list[str]]:
    """After the damage: no exception, then a put and a get work (on a fresh file if it was set aside)."""
    def use():
        with EmbeddingCache(path) as c:
            found = c.get("m", "p: ", TEXTS)
            vec = _vectors(2, seed=1)
            c.put("m", "p: ", TEXTS[:2], vec)
            again = c.get("m", "p: ", TEXTS[:2])
            assert sorted(again) == [0, 1] and np.allclose(again[0], vec[0])
            assert c.disabled is None
        return found

    return _run(use)


def _aside(path: Path) -> list[Path]:
    return sorted(path.parent.glob(f"{path.name}.corrupt-*"))


# -- 1-6: a damaged file is set aside (one W181) and recomputed ------------------------------------------
def _truncate(path: Path) -> None:
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])


def _random(path: Path) -> None:
    path.write_bytes(np.random.default_rng(5).bytes(path.stat().st_size))


def _no_magic(path: Path) -> None:
    data = bytearray(path.read_bytes())
    data[:16] = b"\x00" * 16
    path.write_bytes(bytes(data))


def _page_size(path: Path) -> None:
    data = bytearray(path.read_bytes())
    data[16:18] = b"\x12\x34"  # not a power of two
    path.write_bytes(bytes(data))


def _inner_pages(path: Path) -> None:
    data = bytearray(path.read_bytes())
    assert len(data) > 20 * 4096
    for page in range(3, len(data) // 4096, 2):  # keep the header page, scribble over inner pages
        data[page * 4096 + 8: page * 4096 + 400] = b"\xa5" * 392
    path.write_bytes(bytes(data))
    with pytest.raises(sqlite3.DatabaseError, match="malformed"):  # what every run failed with before
        conn = sqlite3.connect(path)
        try:
            conn.execute("SELECT count(*), sum(length(vec)) FROM embeddings").fetchone()
        finally:
            conn.close()


def _old_schema(path: Path) -> None:
    path.unlink()
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE embeddings (key BLOB PRIMARY KEY, vec BLOB)")
    conn.execute("INSERT INTO embeddings VALUES (x'00', x'00')")
    conn.commit()
    conn.close()


def _foreign_meta(path: Path) -> None:
    conn = sqlite3.connect(path)
    conn.execute("DROP TABLE meta")
    conn.execute("CREATE TABLE meta (a INTEGER, b INTEGER)")
    conn.commit()
    conn.close()


@pytest.mark.parametrize("damage", [_truncate, _random, _no_magic, _page_size, _inner_pages, _old_schema,
                                    _foreign_meta], ids=lambda f: f.__name__.strip("_"))
def test_a_damaged_file_is_set_aside_with_one_warning_and_recomputed(tmp_path, damage):
    path = tmp_path / "e.sqlite"
    _filled(path)
    damage(path)
    found, codes = _recovers(path)
    assert found == {} and codes == ["W181"]
    aside = _aside(path)
    assert len(aside) == 1 and aside[0].stat().st_size > 0  # the damaged file is kept for inspection


def test_damage_that_shows_mid_run_is_set_aside_and_the_run_goes_on(tmp_path):
    path = tmp_path / "e.sqlite"
    _filled(path)
    c = EmbeddingCache(path)
    assert len(c.get("m", "p: ", TEXTS[:1])) == 1  # connection open, file checked
    with path.open("r+b") as f:  # another program overwrites the data under the open connection
        f.seek(4096)
        f.write(np.random.default_rng(1).bytes(path.stat().st_size - 4096))
    found, codes = _run(lambda: c.get("m", "p: ", TEXTS))
    assert found == {} and codes == ["W181"] and len(c.set_aside) == 1
    c.put("m", "p: ", TEXTS[:5], _vectors(5))
    assert len(c.get("m", "p: ", TEXTS)) == 5 and c.disabled is None
    c.close()


def test_two_damaged_files_in_the_same_second_are_both_kept(tmp_path):
    path = tmp_path / "e.sqlite"
    for _ in range(2):
        path.write_bytes(b"not a database at all" * 100)
        _, codes = _recovers(path)
        assert codes == ["W181"]
    assert len(_aside(path)) == 2


# -- 7-9: damaged entries are recomputed (one W182), the file is kept ------------------------------------
def _insert(path: Path, rows: list[tuple]) -> None:
    conn = sqlite3.connect(path)
    conn.executemany("INSERT OR REPLACE INTO embeddings VALUES (?, ?, ?, ?)", rows)
    conn.commit()
    conn.close()


def _entry(text: str, vec: np.ndarray, *, dim: object = None, crc: object = None, blob: object = None) -> tuple:
    raw = np.asarray(vec, dtype="<f4").tobytes()
    return (cache_key("m", "p: ", text), len(vec) if dim is None else dim,
            zlib.crc32(raw) if crc is None else crc, raw if blob is None else blob)


def test_rows_with_a_wrong_vector_size_are_recomputed(tmp_path):
    path = tmp_path / "e.sqlite"
    _filled(path, n=10, dim=8)
    # a well-formed row of another size (another model written under the same name)
    _insert(path, [_entry(t, np.ones(5)) for t in TEXTS[:3]])
    with EmbeddingCache(path) as c:
        found, codes = _run(lambda: c.get("m", "p: ", TEXTS[:10]))
        assert sorted(found) == list(range(3, 10)) and c.corrupt == 3 and codes == ["W182"]
        np.stack(list(found.values()))  # one size: the caller can stack them
    conn = sqlite3.connect(path)
    conn.execute("DELETE FROM meta")  # an older cache that never recorded its size: the most common size wins
    conn.commit()
    conn.close()
    with EmbeddingCache(path) as c:
        found, codes = _run(lambda: c.get("m", "p: ", TEXTS[:10]))
        assert sorted(found) == list(range(3, 10)) and codes == ["W182"]


@pytest.mark.parametrize("bad", ["nan", "inf", "flipped_bit", "short_blob", "zero_dim", "text_dim", "text_crc",
                                 "text_vec", "null_vec"])
def test_damaged_entries_are_recomputed_with_one_warning(tmp_path, bad):
    path = tmp_path / "e.sqlite"
    _filled(path, n=10)
    v = _vectors(1, seed=9)[0]
    raw = v.astype("<f4").tobytes()
    entry = {
        "nan": lambda: _entry(TEXTS[0], np.where(np.arange(8) == 2, np.nan, v)),
        "inf": lambda: _entry(TEXTS[0], np.where(np.arange(8) == 2, np.inf, v)),
        "flipped_bit": lambda: _entry(TEXTS[0], v, crc=zlib.crc32(raw), blob=bytes([raw[0] ^ 1]) + raw[1:]),
        "short_blob": lambda: _entry(TEXTS[0], v, blob=raw[:-4]),
        "zero_dim": lambda: _entry(TEXTS[0], v, dim=0),
        "text_dim": lambda: _entry(TEXTS[0], v, dim="eight"),
        "text_crc": lambda: _entry(TEXTS[0], v, crc="x"),
        "text_vec": lambda: _entry(TEXTS[0], v, blob="0.1 0.2"),
        "null_vec": lambda: _entry(TEXTS[0], v, blob=b""),
    }[bad]()
    _insert(path, [entry])
    with EmbeddingCache(path) as c:
        found, codes = _run(lambda: c.get("m", "p: ", TEXTS[:10]))
        assert sorted(found) == list(range(1, 10)) and c.corrupt == 1 and codes == ["W182"]
        c.put("m", "p: ", TEXTS[:1], v[None])  # the recomputed vector replaces the damaged row
        found, codes = _run(lambda: c.get("m", "p: ", TEXTS[:10]))
        assert sorted(found) == list(range(10)) and np.array_equal(found[0], v) and codes == []
    assert not _aside(path)


# -- 10-14: nothing wrong, no warning --------------------------------------------------------------------
def test_a_zero_byte_file_is_a_new_cache(tmp_path):
    path = tmp_path / "e.sqlite"
    path.write_bytes(b"")
    found, codes = _recovers(path)
    assert found == {} and codes == [] and not _aside(path)


def test_entries_of_another_model_or_prompt_are_not_returned(tmp_path):
    path = tmp_path / "e.sqlite"
    _filled(path, n=10)
    with EmbeddingCache(path) as c:
        (other_model, other_prompt), codes = _run(lambda: (c.get("m2", "p: ", TEXTS[:10]),
                                                          c.get("m", "q: ", TEXTS[:10])))
        assert other_model == {} and other_prompt == {} and c.corrupt == 0 and codes == []
        assert len(c.get("m", "p: ", TEXTS[:10])) == 10


def test_a_model_that_changed_size_heals_its_cache(tmp_path):
    path = tmp_path / "e.sqlite"
    _filled(path, n=10, dim=8)
    with EmbeddingCache(path) as c:
        c.put("m", "p: ", TEXTS[:4], _vectors(4, dim=16))  # the model now gives 16-dim vectors
        found, codes = _run(lambda: c.get("m", "p: ", TEXTS[:10]))
        assert sorted(found) == [0, 1, 2, 3] and codes == ["W182"]  # the old 8-dim rows: recomputed
        c.put("m", "p: ", TEXTS[4:10], _vectors(6, dim=16))
        found, codes = _run(lambda: c.get("m", "p: ", TEXTS[:10]))
        assert len(found) == 10 and {len(v) for v in found.values()} == {16} and codes == []


def test_a_crashed_writers_wal_keeps_its_rows(tmp_path):
    src, dst = tmp_path / "a" / "e.sqlite", tmp_path / "b" / "e.sqlite"
    c = EmbeddingCache(src)
    c.put("m", "p: ", TEXTS[:50], _vectors(50))
    assert Path(f"{src}-wal").stat().st_size > 0  # not checkpointed yet: the rows are in the WAL
    dst.parent.mkdir()
    for suffix in ("", "-wal"):  # what a crash leaves: the database and its WAL, no clean close
        Path(f"{dst}{suffix}").write_bytes(Path(f"{src}{suffix}").read_bytes())
    c.close()
    with EmbeddingCache(dst) as d:
        found, codes = _run(lambda: d.get("m", "p: ", TEXTS[:50]))
    assert len(found) == 50 and codes == [] and not _aside(dst)


@pytest.mark.parametrize("suffix", ["-wal", "-shm", "-journal"])
def test_garbage_wal_and_journal_leftovers_are_ignored(tmp_path, suffix):
    path = tmp_path / "e.sqlite"
    _filled(path, n=100)
    Path(f"{path}{suffix}").write_bytes(np.random.default_rng(2).bytes(32768))
    found, codes = _recovers(path)
    assert len(found) == 100 and codes == [] and not _aside(path)


def test_a_missing_parent_is_created_and_a_dangling_link_followed(tmp_path):
    deep = tmp_path / "no" / "such" / "folder" / "e.sqlite"
    found, codes = _recovers(deep)
    assert found == {} and codes == [] and deep.is_file()
    link = tmp_path / "link.sqlite"
    link.symlink_to(tmp_path / "target.sqlite")  # dangling, but its folder exists
    found, codes = _recovers(link)
    assert found == {} and codes == [] and (tmp_path / "target.sqlite").is_file() and link.is_symlink()


# -- 15-17: a cache that can't be used: the run goes on without it, one W116 ------------------------------
def _without_cache(path: Path) -> tuple[bool, list[str]]:
    """Use the cache as a run does: lookups miss, writes are dropped, one warning, no exception."""
    def use():
        c = EmbeddingCache(path, timeout=1)
        ok = c.get("m", "p: ", TEXTS[:3]) == {}
        c.put("m", "p: ", TEXTS[:3], _vectors(3))
        ok = ok and c.get("m", "p: ", TEXTS[:3]) == {} and len(c) == 0 and c.disabled is not None
        c.close()
        return ok

    return _run(use)


def _read_but_not_written(path: Path) -> tuple[bool, list[str]]:
    """Use a cache holding ``TEXTS[:10]`` that can be read, not written: lookups keep finding the rows,
    writes are dropped after one warning, no exception."""
    def use():
        c = EmbeddingCache(path, timeout=1)
        ok = len(c.get("m", "p: ", TEXTS[:10])) == 10
        for i in range(10, 210, 100):
            c.put("m", "p: ", TEXTS[i:i + 100], _vectors(100))
        ok = ok and len(c.get("m", "p: ", TEXTS[:210])) == 10 and c.read_only is not None and not c.disabled
        c.close()
        return ok

    return _run(use)


def _as_unprivileged(fn: Callable[[], object], owned: list[Path]) -> object:
    """``fn()`` as a user that file permissions apply to: as is, or — when the tests run as root — in a
    forked child that gives ``owned`` to ``nobody`` and becomes ``nobody``.  ``fn`` returns JSON data."""
    if os.geteuid() != 0:
        return fn()
    for p in owned:
        os.chown(p, NOBODY, NOBODY, follow_symlinks=False)
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # pragma: no cover - the child
        code = 1
        try:
            os.close(read)
            os.setgid(NOBODY)
            os.setuid(NOBODY)
            payload = json.dumps({"out": fn()})
            code = 0
        except BaseException as exc:
            payload = json.dumps({"error": traceback.format_exc()})
        os.write(write, payload.encode())
        os._exit(code)
    os.close(write)
    with os.fdopen(read) as f:
        data = json.loads(f.read() or '{"error": "no answer"}')
    os.waitpid(pid, 0)
    assert "error" not in data, data["error"]
    return data["out"]


@pytest.fixture
def open_tmp():
    """A fresh folder any user can reach (pytest's own temporary folders are private to their owner)."""
    root = Path(tempfile.mkdtemp(prefix="kt-cache-"))
    root.chmod(0o755)
    yield root
    for p in [root, *root.rglob("*")]:
        if not p.is_symlink():
            p.chmod(0o755)
    shutil.rmtree(root)


@pytest.mark.parametrize("how", ["read_only_folder", "read_only_file", "no_permissions_file",
                                 "no_permissions_folder"])
def test_an_unwritable_cache_runs_without_it_with_one_warning(open_tmp, how):
    folder, control = open_tmp / "cache", open_tmp / "control"
    folder.mkdir()
    control.mkdir()
    path = folder / "e.sqlite"
    if how != "read_only_folder":
        _filled(path, n=10)
    owned = [control, folder, *folder.iterdir()]
    target, mode = {"read_only_folder": (folder, 0o555), "read_only_file": (path, 0o444),
                    "no_permissions_file": (path, 0o000), "no_permissions_folder": (folder, 0o000)}[how]
    before = {p.name: p.read_bytes() for p in folder.iterdir()}  # the cache file, if any
    target.chmod(mode)

    def as_user():
        works, control_codes = _recovers(control / "e.sqlite")  # the same user can use a cache it may write
        ok, codes = (_read_but_not_written if how == "read_only_file" else _without_cache)(path)
        return [control_codes, ok, codes]

    control_codes, ok, codes = _as_unprivileged(as_user, owned)
    assert control_codes == [] and ok and codes == ["W116"]
    folder.chmod(0o755)
    path.chmod(0o644) if path.exists() else None
    after = {p.name: p.read_bytes() for p in folder.iterdir() if not p.name.endswith(("-wal", "-shm"))}
    assert after == before  # nothing set aside, nothing changed (a reader may leave empty WAL files)


def test_a_monkeypatched_unopenable_cache_runs_without_it(tmp_path, monkeypatch):
    def connect(*args, **kw):
        raise sqlite3.OperationalError("unable to open database file")

    monkeypatch.setattr(sqlite3, "connect", connect)
    (ok, codes) = _without_cache(tmp_path / "ro" / "e.sqlite")
    assert ok and codes == ["W116"]
    monkeypatch.undo()
    assert not list(tmp_path.glob("**/*.corrupt-*"))


def _dir_in_place(tmp_path: Path) -> Path:
    (tmp_path / "e.sqlite").mkdir()
    ((tmp_path / "e.sqlite") / "keep.txt").write_text("mine", encoding="utf-8")
    return tmp_path / "e.sqlite"


def _parent_is_a_file(tmp_path: Path) -> Path:
    (tmp_path / "cache").write_text("a file", encoding="utf-8")
    return tmp_path / "cache" / "e.sqlite"


def _link_into_nowhere(tmp_path: Path) -> Path:
    (tmp_path / "e.sqlite").symlink_to(tmp_path / "gone" / "away" / "e.sqlite")
    return tmp_path / "e.sqlite"


@pytest.mark.parametrize("place", [_dir_in_place, _parent_is_a_file, _link_into_nowhere],
                         ids=lambda f: f.__name__.strip("_"))
def test_something_else_in_the_caches_place_is_left_alone(tmp_path, place):
    path = place(tmp_path)
    before = sorted(str(p) for p in tmp_path.rglob("*"))
    ok, codes = _without_cache(path)
    assert ok and codes == ["W116"]
    assert sorted(str(p) for p in tmp_path.rglob("*")) == before


class _SmallDisk(EmbeddingCache):
    """A cache on a disk that is full once the file has grown by a few pages (SQLite's page limit)."""

    def _open(self) -> sqlite3.Connection:
        conn = super()._open()
        pages = conn.execute("PRAGMA page_count").fetchone()[0]
        conn.execute(f"PRAGMA max_page_count = {pages + 3}")
        return conn


def test_a_full_disk_stops_the_writes_and_keeps_what_was_written(tmp_path):
    path = tmp_path / "e.sqlite"
    _filled(path, n=10)
    c = _SmallDisk(path)
    assert len(c.get("m", "p: ", TEXTS[:10])) == 10
    _, codes = _run(lambda: [c.put("m", "p: ", TEXTS[i:i + 100], _vectors(100)) for i in range(10, 2910, 100)])
    assert codes == ["W116"] and "full" in c.read_only and not c.disabled
    assert 10 <= len(c.get("m", "p: ", TEXTS)) < 2910  # what fitted is stored, and lookups go on
    c.close()
    assert not _aside(path)
    with EmbeddingCache(path) as d:  # the earlier rows are intact
        found, codes = _run(lambda: d.get("m", "p: ", TEXTS[:10]))
        assert len(found) == 10 and codes == []


def test_a_damaged_file_that_cant_be_set_aside_runs_without_the_cache(tmp_path, monkeypatch):
    path = tmp_path / "e.sqlite"
    path.write_bytes(b"garbage" * 1000)

    def refuse(self, target):
        raise PermissionError(13, "Permission denied", str(self))

    monkeypatch.setattr(Path, "replace", refuse)  # a read-only folder, whatever the user's rights
    ok, codes = _without_cache(path)
    assert ok and codes == ["W116"] and path.read_bytes() == b"garbage" * 1000


# -- 18: locks and concurrent writers --------------------------------------------------------------------
def test_a_locked_cache_is_waited_for_not_set_aside(tmp_path):
    path = tmp_path / "e.sqlite"
    _filled(path, n=5)
    other = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    other.execute("BEGIN EXCLUSIVE")  # another connection writing (in rollback-journal terms: everything locked)

    def release():
        time.sleep(0.5)
        other.execute("COMMIT")

    t = threading.Thread(target=release)
    t.start()
    start = time.monotonic()
    with EmbeddingCache(path, timeout=10) as c:
        _, codes = _run(lambda: c.put("m", "p: ", ["new"], _vectors(1, seed=3)))
        assert time.monotonic() - start >= 0.3 and codes == []  # it waited
        assert sorted(c.get("m", "p: ", TEXTS[:5] + ["new"])) == list(range(6))
    t.join()
    other.close()
    assert not _aside(path)


_LOCKER = """
import sqlite3, sys, time
conn = sqlite3.connect(sys.argv[1], isolation_level=None)
conn.execute("BEGIN IMMEDIATE")
conn.execute("INSERT OR REPLACE INTO meta VALUES ('locker', 'x')")
print("locked", flush=True)
time.sleep(float(sys.argv[2]))
conn.execute("COMMIT")
"""


def test_a_cache_locked_by_another_process_is_waited_for(tmp_path):
    path = tmp_path / "e.sqlite"
    _filled(path, n=5)
    proc = subprocess.Popen([sys.executable, "-c", _LOCKER, str(path), "0.6"], stdout=subprocess.PIPE, text=True)
    try:
        assert proc.stdout.readline().strip() == "locked"
        start = time.monotonic()
        with EmbeddingCache(path, timeout=20) as c:
            _, codes = _run(lambda: c.put("m", "p: ", ["new"], _vectors(1, seed=3)))
            waited = time.monotonic() - start
            assert sorted(c.get("m", "p: ", TEXTS[:5] + ["new"])) == list(range(6))
    finally:
        assert proc.wait(timeout=30) == 0
    assert codes == [] and waited >= 0.2 and not _aside(path)


def test_a_lock_outlasting_the_timeout_runs_without_the_cache(tmp_path):
    path = tmp_path / "e.sqlite"
    _filled(path, n=5)
    before = path.read_bytes()
    other = sqlite3.connect(path, isolation_level=None)
    other.execute("BEGIN EXCLUSIVE")
    try:
        c = EmbeddingCache(path, timeout=0.2)
        _, codes = _run(lambda: [c.put("m", "p: ", ["new"], _vectors(1)), c.put("m", "p: ", ["b"], _vectors(1))])
        assert codes == ["W180"] and "locked" in c.disabled  # one warning, then no more waiting
        assert c.get("m", "p: ", TEXTS[:5]) == {}
        c.close()
    finally:
        other.execute("COMMIT")
        other.close()
    assert not _aside(path) and path.read_bytes() == before
    with EmbeddingCache(path) as d:
        assert len(d.get("m", "p: ", TEXTS[:5])) == 5


_WRITER = """
import sys, numpy as np
from kompasstext.embedding.cache import EmbeddingCache
path, first = sys.argv[1], int(sys.argv[2])
texts = [f"writer text {i}" for i in range(first, first + 1500)]
with EmbeddingCache(path, timeout=30) as c:
    for start in range(0, len(texts), 50):
        part = texts[start:start + 50]
        c.put("m", "p: ", part, np.full((len(part), 8), first, np.float32))
    print(c.disabled, c.corrupt, len(c.set_aside))
"""


def test_two_processes_writing_at_once_keep_every_row(tmp_path):
    path = tmp_path / "e.sqlite"
    procs = [subprocess.Popen([sys.executable, "-W", "error", "-c", _WRITER, str(path), str(first)],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for first in (0, 1500)]
    outs = [p.communicate(timeout=120) for p in procs]
    assert [p.returncode for p in procs] == [0, 0], [o[1][-800:] for o in outs]
    assert [o[0].split() for o in outs] == [["None", "0", "0"]] * 2
    with EmbeddingCache(path) as c:
        found, codes = _run(lambda: c.get("m", "p: ", [f"writer text {i}" for i in range(3000)]))
        assert len(found) == 3000 and codes == [] and len(c) == 3000
        assert found[0][0] == 0 and found[2999][0] == 1500
    assert not _aside(path)
