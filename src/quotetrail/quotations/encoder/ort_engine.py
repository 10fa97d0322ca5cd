"""The encoder's layers run by onnxruntime: the same computation as ``numpy_encoder``, twice as fast.

Why: numpy's float32 products are the tagger's cost, and onnxruntime's kernels
use this CPU's AVX-512 whatever OpenBLAS is pinned to.  The graph is built at
load time from the weights in memory (nothing is shipped or downloaded);
float32 gives the numpy results (cosine 1.0000), dynamic int8 quantisation is
faster again and changes them a little (the default; see docs/accuracy.md).  Optional: without
``onnx`` and ``onnxruntime`` installed the tagger runs in numpy.
"""

from __future__ import annotations

import logging
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import numpy as np


def available() -> bool:
    """Whether onnx (to build the graph) and onnxruntime (to run it) are installed."""
    try:
        import onnx  # noqa: F401
        import onnxruntime  # noqa: F401
    except ImportError:
        return False
    return True


def build_graph(weights: dict[str, np.ndarray], layers: range, heads: int, eps: float, hidden: int):
    """An ONNX model computing the post-LN BERT ``layers`` from hidden states ``x`` and an attention ``bias``."""
    from onnx import TensorProto, helper, numpy_helper

    hd = hidden // heads
    nodes: list = []
    inits: list = []

    def const(name: str, value: np.ndarray) -> str:
        inits.append(numpy_helper.from_array(value, name))
        return name

    def node(op: str, inputs: list[str], out: str, **attrs) -> str:
        nodes.append(helper.make_node(op, inputs, [out], **attrs))
        return out

    const("shape_split", np.array([0, 0, heads, hd], np.int64))
    const("shape_merge", np.array([0, 0, hidden], np.int64))
    const("scale", np.array(1 / np.sqrt(hd), np.float32))
    const("half", np.array(0.5, np.float32))
    const("one", np.array(1.0, np.float32))
    const("rsqrt2", np.array(0.7071067811865476, np.float32))
    x = "x"
    for layer in layers:
        p = f"l{layer}."

        def linear(inp: str, name: str, p: str = p) -> str:
            w = const(p + name + ".wT", np.ascontiguousarray(weights[p + name + ".w"].T, dtype=np.float32))
            product = node("MatMul", [inp, w], p + name + "_mm")
            return node("Add", [product, const(p + name + ".b", weights[p + name + ".b"].astype(np.float32))], p + name)

        def heads_of(t: str, p: str = p) -> str:
            return node("Transpose", [node("Reshape", [t, "shape_split"], t + "_r")], t + "_h", perm=[0, 2, 1, 3])

        def norm(t: str, name: str, p: str = p) -> str:
            w = const(p + name + ".w", weights[p + name + ".w"].astype(np.float32))
            b = const(p + name + ".b", weights[p + name + ".b"].astype(np.float32))
            return node("LayerNormalization", [t, w, b], p + name + "_out", axis=-1, epsilon=float(eps))

        q, k, v = (heads_of(linear(x, n)) for n in ("q", "k", "v"))
        scores = node("MatMul", [q, node("Transpose", [k], p + "kt", perm=[0, 1, 3, 2])], p + "s")
        scores = node("Add", [node("Mul", [scores, "scale"], p + "s2"), "bias"], p + "s3")
        ctx = node("MatMul", [node("Softmax", [scores], p + "a", axis=-1), v], p + "c")
        ctx = node("Reshape", [node("Transpose", [ctx], p + "ct", perm=[0, 2, 1, 3]), "shape_merge"], p + "cm")
        x1 = norm(node("Add", [x, linear(ctx, "ao")], p + "r1"), "aln")
        inner = linear(x1, "fi")
        erf = node("Erf", [node("Mul", [inner, "rsqrt2"], p + "e0")], p + "e1")
        gelu = node("Mul", [node("Mul", [inner, node("Add", [erf, "one"], p + "e2")], p + "g0"), "half"], p + "g")
        x = norm(node("Add", [x1, linear(gelu, "fo")], p + "r2"), "oln")
    nodes.append(helper.make_node("Identity", [x], ["y"]))
    graph = helper.make_graph(
        nodes,
        "encoder_layers",
        [
            helper.make_tensor_value_info("x", TensorProto.FLOAT, ["batch", "length", hidden]),
            helper.make_tensor_value_info("bias", TensorProto.FLOAT, ["batch", 1, 1, "length"]),
        ],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, ["batch", "length", hidden])],
        inits,
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    model.ir_version = 8
    return model


@contextmanager
def _quiet_quantiser() -> Iterator[None]:
    """onnxruntime's quantiser advises pre-processing on the root logger each time; the user can do nothing with it."""

    def not_quantiser(record: logging.LogRecord) -> bool:
        return "onnxruntime" not in record.pathname

    root = logging.getLogger()
    root.addFilter(not_quantiser)
    try:
        yield
    finally:
        root.removeFilter(not_quantiser)


class OrtLayers:
    """A run of encoder layers as an onnxruntime session (one thread), float32 or dynamic int8."""

    def __init__(
        self, weights: dict[str, np.ndarray], layers: range, heads: int, eps: float, hidden: int, int8: bool = False
    ) -> None:
        import onnx
        import onnxruntime as ort

        model = build_graph(weights, layers, heads, eps, hidden)
        if int8:
            from onnxruntime.quantization import QuantType, quantize_dynamic

            with tempfile.TemporaryDirectory() as tmp:
                src, dst = Path(tmp) / "fp32.onnx", Path(tmp) / "int8.onnx"
                onnx.save(model, src)
                with _quiet_quantiser():
                    quantize_dynamic(src, dst, weight_type=QuantType.QInt8, per_channel=True)
                model_bytes = dst.read_bytes()
        else:
            model_bytes = model.SerializeToString()
        options = ort.SessionOptions()
        options.intra_op_num_threads = 1
        options.inter_op_num_threads = 1
        self._session = ort.InferenceSession(model_bytes, options, providers=["CPUExecutionProvider"])

    def __call__(self, x: np.ndarray, bias: np.ndarray) -> np.ndarray:
        """Hidden states after the layers, from ``x`` (batch, length, hidden) and the attention bias."""
        return self._session.run(["y"], {"x": np.ascontiguousarray(x, np.float32), "bias": bias})[0]
