#!/usr/bin/env python3
"""Independent NumPy (float64) implementation of the Gemma 4 text decoder, written from
/work/shared/GEMMA4.md sections 1-3 only (no transformers import), checked against the
fixtures that transformers produced.

It reads config.json (flat or nested, raw `global_head_dim` keys or transformers'
`per_layer_config` form) and the safetensors files directly, runs the teacher-forced
forward over prompt_ids + greedy_ids and compares with logits.f32. This confirms that
the written specification and transformers agree on every detail the tiny models
exercise, and doubles as a readable executable summary of the architecture.

Usage: spec_reference.py [MODEL_DIR ...]   (default: the three tiny models)
"""

import json
import math
import os
import sys

import numpy as np
from safetensors.numpy import load_file


# ------------------------------------------------------------------ loading
def load_config(d):
    with open(os.path.join(d, "config.json")) as f:
        cfg = json.load(f)
    return cfg.get("text_config", cfg)


def load_weights(d):
    idx = os.path.join(d, "model.safetensors.index.json")
    files = sorted(set(json.load(open(idx))["weight_map"].values())) if os.path.exists(idx) else ["model.safetensors"]
    w = {}
    for fn in files:
        w.update(load_file(os.path.join(d, fn)))
    prefix = "model.language_model." if any(k.startswith("model.language_model.") for k in w) else "model."
    return {k[len(prefix):]: v.astype(np.float64) for k, v in w.items() if k.startswith(prefix)}, w


def layer_geometry(tc):
    """Per layer: (type, head_dim, kv_heads). Accepts both config.json schemas."""
    L = tc["num_hidden_layers"]
    types = tc["layer_types"]
    plc = tc.get("per_layer_config")
    if plc is not None:
        # keys are layer indices as strings, zero-padded to the widest index ("05", "11")
        plc = {int(k): v for k, v in plc.items()}
    out = []
    for i in range(L):
        hd, kv = tc["head_dim"], tc["num_key_value_heads"]
        if plc is not None:
            o = plc.get(i, {})
            hd, kv = o.get("head_dim", hd), o.get("num_key_value_heads", kv)
        elif types[i] == "full_attention":
            hd = tc.get("global_head_dim") or hd
            if tc.get("attention_k_eq_v") and tc.get("num_global_key_value_heads"):
                kv = tc["num_global_key_value_heads"]
        out.append((types[i], hd, kv))
    return out


# ------------------------------------------------------------------ building blocks
def rms(x, eps):
    return x * (np.mean(x * x, axis=-1, keepdims=True) + eps) ** -0.5


def gelu_tanh(x):
    return 0.5 * x * (1.0 + np.tanh(math.sqrt(2.0 / math.pi) * (x + 0.044715 * x ** 3)))


def rope_inv_freq(params, hd):
    theta = params["rope_theta"]
    if params.get("rope_type", "default") == "proportional":
        n_rot = int(params.get("partial_rotary_factor", 1.0) * hd // 2)
        inv = np.zeros(hd // 2)
        inv[:n_rot] = 1.0 / theta ** (np.arange(0, 2 * n_rot, 2) / hd)  # denominator: full head dim
        return inv
    return 1.0 / theta ** (np.arange(0, hd, 2) / hd)


def rope(x, pos, inv):
    # x [T, heads, hd]; NeoX / rotate-half pairing j <-> j + hd/2
    ang = pos[:, None] * inv[None, :]
    cos = np.concatenate([np.cos(ang)] * 2, -1)[:, None, :]
    sin = np.concatenate([np.sin(ang)] * 2, -1)[:, None, :]
    h = x.shape[-1] // 2
    rot = np.concatenate([-x[..., h:], x[..., :h]], -1)
    return x * cos + rot * sin


# ------------------------------------------------------------------ forward
def forward(tc, W, ids):
    eps = tc["rms_norm_eps"]
    d, H, L = tc["hidden_size"], tc["num_attention_heads"], tc["num_hidden_layers"]
    P = tc.get("hidden_size_per_layer_input") or 0
    geo = layer_geometry(tc)
    T = len(ids)
    ids = np.asarray(ids)
    pos = np.arange(T, dtype=np.float64)

    E = W["embed_tokens.weight"]
    x = E[ids] * float(np.float32(math.sqrt(d)))  # sqrt(d) cast to the weight dtype (float32 here)

    if P:
        tok = (W["embed_tokens_per_layer.weight"][ids] * float(np.float32(math.sqrt(P)))).reshape(T, L, P)
        ctx = (x @ W["per_layer_model_projection.weight"].T) * d ** -0.5
        ctx = rms(ctx.reshape(T, L, P), eps) * W["per_layer_projection_norm.weight"]
        pli = (ctx + tok) * 2 ** -0.5

    first_shared = L - tc.get("num_kv_shared_layers", 0)
    src = {}
    for l in range(first_shared, L):
        src[l] = max(i for i in range(first_shared) if geo[i][0] == geo[l][0])
    kv_cache = {}
    W_win = tc["sliding_window"]
    qi, ki = np.arange(T)[:, None], np.arange(T)[None, :]
    causal = ki <= qi
    masks = {"full_attention": causal, "sliding_attention": causal & (ki > qi - W_win)}

    h = x
    for l in range(L):
        p = f"layers.{l}."
        typ, hd, KV = geo[l]
        inv = rope_inv_freq(tc["rope_parameters"][typ], hd)
        # attention
        a = rms(h, eps) * W[p + "input_layernorm.weight"]
        q = (a @ W[p + "self_attn.q_proj.weight"].T).reshape(T, H, hd)
        q = rope(rms(q, eps) * W[p + "self_attn.q_norm.weight"], pos, inv)
        if l in src:
            k, v = kv_cache[src[l]]
        else:
            k_raw = (a @ W[p + "self_attn.k_proj.weight"].T).reshape(T, KV, hd)
            vw = W.get(p + "self_attn.v_proj.weight")
            v_raw = k_raw if vw is None else (a @ vw.T).reshape(T, KV, hd)
            k = rope(rms(k_raw, eps) * W[p + "self_attn.k_norm.weight"], pos, inv)
            v = rms(v_raw, eps)
            kv_cache[l] = (k, v)
        grp = H // k.shape[1]
        kk, vv = np.repeat(k, grp, axis=1), np.repeat(v, grp, axis=1)  # head h -> kv head h // grp
        s = np.einsum("qhd,khd->hqk", q, kk)  # scale 1.0
        s = np.where(masks[typ][None], s, -np.inf)
        s = np.exp(s - s.max(-1, keepdims=True))
        s /= s.sum(-1, keepdims=True)
        o = np.einsum("hqk,khd->qhd", s, vv).reshape(T, H * hd) @ W[p + "self_attn.o_proj.weight"].T
        h = h + rms(o, eps) * W[p + "post_attention_layernorm.weight"]
        # feed-forward
        r = h
        m = rms(r, eps) * W[p + "pre_feedforward_layernorm.weight"]
        f = (gelu_tanh(m @ W[p + "mlp.gate_proj.weight"].T) * (m @ W[p + "mlp.up_proj.weight"].T)) \
            @ W[p + "mlp.down_proj.weight"].T
        if tc.get("enable_moe_block"):
            f1 = rms(f, eps) * W[p + "post_feedforward_layernorm_1.weight"]
            z = rms(r, eps) * W[p + "router.scale"] * d ** -0.5
            logits = z @ W[p + "router.proj.weight"].T
            pr = np.exp(logits - logits.max(-1, keepdims=True))
            pr /= pr.sum(-1, keepdims=True)
            k_top = tc["top_k_experts"]
            x2 = rms(r, eps) * W[p + "pre_feedforward_layernorm_2.weight"]
            gu, dn, pes = W[p + "experts.gate_up_proj"], W[p + "experts.down_proj"], W[p + "router.per_expert_scale"]
            F = dn.shape[-1]
            f2 = np.zeros_like(r)
            for t in range(T):
                top = np.argsort(-pr[t], kind="stable")[:k_top]
                wts = pr[t, top] / pr[t, top].sum()
                for e, wgt in zip(top, wts):
                    g_u = gu[e] @ x2[t]
                    y = dn[e] @ (gelu_tanh(g_u[:F]) * g_u[F:])
                    f2[t] += wgt * pes[e] * y
            f2 = rms(f2, eps) * W[p + "post_feedforward_layernorm_2.weight"]
            f = f1 + f2
        h = r + rms(f, eps) * W[p + "post_feedforward_layernorm.weight"]
        if P:
            g = gelu_tanh(h @ W[p + "per_layer_input_gate.weight"].T) * pli[:, l, :]
            h = h + rms(g @ W[p + "per_layer_projection.weight"].T, eps) * W[p + "post_per_layer_input_norm.weight"]
        h = h * W[p + "layer_scalar"][0]

    y = rms(h, eps) * W["norm.weight"]
    logits = y @ E.T
    cap = tc.get("final_logit_softcapping")
    if cap:
        logits = cap * np.tanh(logits / cap)
    return logits


def check(d):
    tc = load_config(d)
    W, raw = load_weights(d)
    fx = json.load(open(os.path.join(d, "fixture.json")))
    ids = fx["prompt_ids"] + fx["greedy_ids"]
    ref = np.fromfile(os.path.join(d, fx["logits_file"]), dtype="<f4").reshape(fx["logits_shape"])
    out = forward(tc, W, ids)
    diff = float(np.abs(out - ref).max())
    P = len(fx["prompt_ids"])
    greedy_ok = out[P - 1 : P - 1 + len(fx["greedy_ids"])].argmax(-1).tolist() == fx["greedy_ids"]
    print(f"{os.path.basename(d)}: spec (float64) vs transformers (float32) max|diff| = {diff:.3g}, "
          f"greedy argmax match = {greedy_ok}")
    return diff, greedy_ok


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    root = os.path.dirname(here)
    dirs = sys.argv[1:] or [os.path.join(root, n) for n in ("tiny-edge", "tiny-moe", "tiny-dense")]
    ok = True
    for d in dirs:
        diff, g = check(d)
        ok &= g and diff < 5e-3
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
