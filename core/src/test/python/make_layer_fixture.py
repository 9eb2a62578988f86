#!/usr/bin/env python3
"""Writes core/src/test/resources/encoder-layers-tiny.json.gz: the float64 NumPy reference's
intermediate activations of two encoder layers of the tiny synthetic model, with those layers'
weights, for EncoderLayerTest.

    python3 core/src/test/python/make_layer_fixture.py --shared ../shared

It makes the tiny model with shared/tools/make_synthetic.py (preset tiny, seed 1234: the model
of shared/golden/tiny), runs shared/tools/numpy_ref.py's EmbeddingGemma on two token sequences,
and records, for layer 0 (sliding) and layer 5 (full attention), every step of
shared/tools/numpy_ref.py's hidden_states loop, restated here step by step with the reference's
own pieces (rmsnorm, rope, mask, gelu). Weights (exact) and activations (the float64 reference
rounded to float32) are stored as base64 of little-endian float32 bytes.
"""
import argparse
import base64
import gzip
import json
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np

SEQUENCES = [[2, 9259, 1902, 603, 2115, 13, 506, 4360, 236761, 573, 1], [2, 1018, 531, 3792, 9891, 236881, 1]]
LAYERS = [0, 5]


def f32(a):
    return base64.b64encode(np.ascontiguousarray(a, dtype="<f4").tobytes()).decode()


def layer_steps(m, x, li):
    """numpy_ref.EmbeddingGemma.hidden_states' body for layer li, one sequence, every step kept."""
    T = x.shape[0]
    dt = m.dt
    p = f"layers.{li}."
    lt = m.layer_types[li]
    pos = np.arange(T)
    s = {"x_in": x}
    h = m.rmsnorm(x, m.W(p + "input_layernorm.weight"))
    s["h_input_norm"] = h
    q = (h @ m.W(p + "self_attn.q_proj.weight").T).reshape(T, m.nh, m.hd)
    k = (h @ m.W(p + "self_attn.k_proj.weight").T).reshape(T, m.nkv, m.hd)
    v = (h @ m.W(p + "self_attn.v_proj.weight").T).reshape(T, m.nkv, m.hd)
    q = m.rope(m.rmsnorm(q, m.W(p + "self_attn.q_norm.weight")), pos, m.theta[lt])
    k = m.rope(m.rmsnorm(k, m.W(p + "self_attn.k_norm.weight")), pos, m.theta[lt])
    s["q_rope"], s["k_rope"], s["v"] = q.reshape(T, -1), k.reshape(T, -1), v.reshape(T, -1)
    rep = m.nh // m.nkv
    kr, vr = np.repeat(k, rep, axis=1), np.repeat(v, rep, axis=1)
    sc = np.einsum("thd,shd->hts", q, kr) * dt.type(m.scaling)
    sc = np.where(m.mask(T, lt)[None], sc, -np.inf)
    pr = np.exp(sc - sc.max(axis=-1, keepdims=True))
    pr = pr / pr.sum(axis=-1, keepdims=True)
    a = np.einsum("hts,shd->thd", pr, vr).reshape(T, m.nh * m.hd)
    s["attention"] = a
    a = a @ m.W(p + "self_attn.o_proj.weight").T
    s["o_proj"] = a
    x = x + m.rmsnorm(a, m.W(p + "post_attention_layernorm.weight"))
    s["x_attention_residual"] = x
    h = m.rmsnorm(x, m.W(p + "pre_feedforward_layernorm.weight"))
    s["h_pre_feedforward_norm"] = h
    f = (m.gelu(h @ m.W(p + "mlp.gate_proj.weight").T) * (h @ m.W(p + "mlp.up_proj.weight").T)) @ m.W(p + "mlp.down_proj.weight").T
    s["feed_forward"] = f
    x = x + m.rmsnorm(f, m.W(p + "post_feedforward_layernorm.weight"))
    s["x_out"] = x
    return x, s


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--shared", type=Path, default=Path(__file__).resolve().parents[4] / "shared")
    ap.add_argument("--out", type=Path,
                    default=Path(__file__).resolve().parents[1] / "resources" / "encoder-layers-tiny.json.gz")
    args = ap.parse_args()
    tools = args.shared / "tools"
    sys.path.insert(0, str(tools))
    import numpy_ref

    with tempfile.TemporaryDirectory() as d:
        subprocess.run([sys.executable, str(tools / "make_synthetic.py"), "--out", d, "--preset", "tiny", "--seed", "1234",
                        "--gguf", ""], check=True, stdout=subprocess.DEVNULL)
        m = numpy_ref.EmbeddingGemma(Path(d))
        c = m.cfg
        out = {
            "config": {"hidden": m.H, "intermediate": c["intermediate_size"], "heads": m.nh, "kv_heads": m.nkv,
                       "head_dim": m.hd, "rms_eps": m.eps, "sliding_radius": m.sw_eff - 1,
                       "rope_full_base": m.theta["full_attention"], "rope_sliding_base": m.theta["sliding_attention"],
                       "query_scale": m.scaling, "layer_types": m.layer_types},
            "lengths": [len(s) for s in SEQUENCES],
            "layers": [],
        }
        steps = {li: [] for li in LAYERS}
        for ids in SEQUENCES:
            x = m.w["embed_tokens.weight"][np.asarray(ids)].astype(m.dt) * m.dt.type(np.float32(m.H ** 0.5))
            for li in range(max(LAYERS) + 1):
                x, s = layer_steps(m, x, li)
                if li in LAYERS:
                    steps[li].append(s)
        for li in LAYERS:
            p = f"layers.{li}."
            weights = {n[len(p):]: {"shape": list(a.shape), "f32": f32(a)} for n, a in m.w.items() if n.startswith(p)}
            # the reference stores norm weights as read (scale = 1 + w); keep the file's float32 values
            acts = {k: f32(np.concatenate([s[k] for s in steps[li]], axis=0)) for k in steps[li][0]}
            out["layers"].append({"index": li, "type": m.layer_types[li], "weights": weights, "activations": acts})
    with gzip.open(args.out, "wt") as f:
        json.dump(out, f)
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
