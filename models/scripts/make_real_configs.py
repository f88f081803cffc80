#!/usr/bin/env python3
"""Write the config.json of the four released Gemma 4 variants and cross-check them.

Values are those of /work/shared/GEMMA4.md section 1.3 (the `_VARIANTS` table of
transformers' convert_gemma4_weights.py), written the way the published multimodal
config.json files are laid out: top-level `Gemma4ForConditionalGeneration` wrapper with
the raw text keys under `text_config` (`head_dim`, `global_head_dim`,
`num_global_key_value_heads`, explicit `layer_types`, `rope_parameters` by layer type...).
No vision/audio sub-configs: the compiler only needs the text decoder.

Cross-check: each file is loaded back with `Gemma4Config.from_pretrained`, the text
decoder (`Gemma4TextModel`, i.e. embedding + PLE + layers + final norm; the tied LM head
is the embedding, counted once) is instantiated on the `meta` device, the per-layer
geometry is compared with the table, and the parameter count (parameters + persistent
buffers = everything a checkpoint stores for the text decoder) is written to
models/reference-param-counts.json and compared with GEMMA4.md section 3.3.

Usage: make_real_configs.py [--out MODELS_DIR]
"""

import argparse
import json
import os
import sys

import torch

import transformers
from transformers import Gemma4Config
from transformers.models.gemma4.modeling_gemma4 import Gemma4TextModel

ROPE = {
    "sliding_attention": {"rope_type": "default", "rope_theta": 10000.0},
    "full_attention": {"rope_type": "proportional", "partial_rotary_factor": 0.25, "rope_theta": 1000000.0},
}


def layer_types(n, period):
    return ["full_attention" if (i + 1) % period == 0 else "sliding_attention" for i in range(n)]


def text_config(*, hidden, inter, layers, period, heads, kv, global_kv, k_eq_v, ple, shared, double_wide,
                moe, window, max_pos, bidir):
    tc = {
        "model_type": "gemma4_text",
        "vocab_size": 262144,
        "hidden_size": hidden,
        "intermediate_size": inter,
        "num_hidden_layers": layers,
        "num_attention_heads": heads,
        "num_key_value_heads": kv,
        "head_dim": 256,
        "global_head_dim": 512,
    }
    if global_kv is not None:
        tc["num_global_key_value_heads"] = global_kv
    tc.update({
        "attention_k_eq_v": k_eq_v,
        "layer_types": layer_types(layers, period),
        "rope_parameters": ROPE,
        "sliding_window": window,
        "max_position_embeddings": max_pos,
        "hidden_size_per_layer_input": ple,
        "vocab_size_per_layer_input": 262144,
        "num_kv_shared_layers": shared,
        "use_double_wide_mlp": double_wide,
        "enable_moe_block": moe is not None,
        "num_experts": moe[0] if moe else None,
        "top_k_experts": moe[1] if moe else None,
        "moe_intermediate_size": moe[2] if moe else None,
        "final_logit_softcapping": 30.0,
        "hidden_activation": "gelu_pytorch_tanh",
        "rms_norm_eps": 1e-06,
        "tie_word_embeddings": True,
        "use_bidirectional_attention": bidir,
        "attention_bias": False,
        "attention_dropout": 0.0,
        "initializer_range": 0.02,
        "pad_token_id": 0,
        "eos_token_id": 1,
        "bos_token_id": 2,
        "use_cache": True,
    })
    return tc


VARIANTS = {
    "gemma4-e2b": text_config(hidden=1536, inter=6144, layers=35, period=5, heads=8, kv=1, global_kv=None,
                              k_eq_v=False, ple=256, shared=20, double_wide=True, moe=None, window=512,
                              max_pos=131072, bidir=None),
    "gemma4-e4b": text_config(hidden=2560, inter=10240, layers=42, period=6, heads=8, kv=2, global_kv=None,
                              k_eq_v=False, ple=256, shared=18, double_wide=False, moe=None, window=512,
                              max_pos=131072, bidir=None),
    "gemma4-26b-a4b": text_config(hidden=2816, inter=2112, layers=30, period=6, heads=16, kv=8, global_kv=2,
                                  k_eq_v=True, ple=0, shared=0, double_wide=False, moe=(128, 8, 704),
                                  window=1024, max_pos=262144, bidir="vision"),
    "gemma4-31b": text_config(hidden=5376, inter=21504, layers=60, period=6, heads=32, kv=16, global_kv=4,
                              k_eq_v=True, ple=0, shared=0, double_wide=False, moe=None, window=1024,
                              max_pos=262144, bidir="vision"),
}

# GEMMA4.md section 1.3 (derived table) and 3.3 (parameter counts, in millions).
EXPECTED = {
    "gemma4-e2b": dict(full=[4, 9, 14, 19, 24, 29, 34], kv_owning=15, q=(2048, 4096), k=(256, 512),
                       total=4.63e9, attention=278.4e6, mlp=1557.1e6, ple_gate_proj=27.5e6,
                       ple_model_proj=13.8e6, embed=402.7e6, ple_table=2348.8e6, no_ple_table=2.28e9),
    "gemma4-e4b": dict(full=[5, 11, 17, 23, 29, 35, 41], kv_owning=24, q=(2048, 4096), k=(512, 1024),
                       total=7.46e9, attention=587.2e6, mlp=3303.0e6, ple_gate_proj=55.1e6,
                       ple_model_proj=27.5e6, embed=671.1e6, ple_table=2818.6e6, no_ple_table=4.64e9),
    "gemma4-26b-a4b": dict(full=[5, 11, 17, 23, 29], kv_owning=30, q=(4096, 8192), k=(2048, 1024),
                           total=25.23e9, attention=1110.2e6, mlp=535.3e6, experts=22838.0e6, router=10.9e6,
                           embed=738.2e6),
    "gemma4-31b": dict(full=list(range(5, 60, 6)), kv_owning=60, q=(8192, 16384), k=(4096, 2048),
                       total=30.70e9, attention=8477.7e6, mlp=20809.0e6, embed=1409.3e6),
}

TOP_LEVEL_IDS = {
    "boi_token_id": 255999,
    "eoi_token_id": 258882,
    "image_token_id": 258880,
    "video_token_id": 258884,
    "boa_token_id": 256000,
    "eoa_token_index": 258883,
    "audio_token_id": 258881,
}


def write_config(out_root, name, tc):
    cfg = {"architectures": ["Gemma4ForConditionalGeneration"], "model_type": "gemma4", "text_config": tc}
    cfg.update(TOP_LEVEL_IDS)
    cfg.update({"tie_word_embeddings": True, "initializer_range": 0.02})
    d = os.path.join(out_root, name)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, "config.json"), "w") as f:
        json.dump(cfg, f, indent=2)
        f.write("\n")
    return d


def count(d, name, problems):
    exp = EXPECTED[name]
    cfg = Gemma4Config.from_pretrained(d)
    tc = cfg.text_config
    with torch.device("meta"):
        model = Gemma4TextModel(tc)
    sd = model.state_dict()  # parameters + persistent buffers (layer_scalar); no lm_head (tied)
    total = sum(t.numel() for t in sd.values())

    def note(msg):
        problems.append(f"{name}: {msg}")

    # ---- geometry checks against section 1.3 ----
    full = [i for i, t in enumerate(tc.layer_types) if t == "full_attention"]
    if full != exp["full"]:
        note(f"full layers {full} != {exp['full']}")
    kv_owning = sum(1 for lyr in model.layers if not lyr.self_attn.is_kv_shared_layer)
    if kv_owning != exp["kv_owning"]:
        note(f"KV-owning layers {kv_owning} != {exp['kv_owning']}")
    s_idx, f_idx = 0, exp["full"][0]
    for idx, which in ((s_idx, 0), (f_idx, 1)):
        a = model.layers[idx].self_attn
        if a.q_proj.weight.shape[0] != exp["q"][which]:
            note(f"layer {idx} q width {a.q_proj.weight.shape[0]} != {exp['q'][which]}")
        if a.k_proj.weight.shape[0] != exp["k"][which]:
            note(f"layer {idx} k width {a.k_proj.weight.shape[0]} != {exp['k'][which]}")
        has_v = a.v_proj is not None
        if has_v != (not (tc.attention_k_eq_v and which == 1)):
            note(f"layer {idx} v_proj presence {has_v}")
    widths = [lyr.mlp.gate_proj.weight.shape[0] for lyr in model.layers]

    # ---- parameter groups, as in section 3.3 ----
    groups = {"attention": 0, "mlp": 0, "experts": 0, "router": 0, "ple_gate_proj": 0, "ple_model_proj": 0,
              "embed": 0, "ple_table": 0, "norms_and_scalars": 0}
    for k, t in sd.items():
        n = t.numel()
        if k == "embed_tokens.weight":
            groups["embed"] += n
        elif k == "embed_tokens_per_layer.weight":
            groups["ple_table"] += n
        elif k == "per_layer_model_projection.weight":
            groups["ple_model_proj"] += n
        elif ".self_attn." in k and k.endswith("_proj.weight"):
            groups["attention"] += n
        elif ".mlp." in k:
            groups["mlp"] += n
        elif ".experts." in k:
            groups["experts"] += n
        elif ".router." in k:
            groups["router"] += n
        elif ".per_layer_input_gate." in k or ".per_layer_projection." in k:
            groups["ple_gate_proj"] += n
        elif "norm" in k or k.endswith("layer_scalar"):
            groups["norms_and_scalars"] += n
        else:
            raise RuntimeError(f"unclassified tensor {k}")
    assert sum(groups.values()) == total

    for g in ("attention", "mlp", "experts", "router", "ple_gate_proj", "ple_model_proj", "embed", "ple_table"):
        if g in exp:
            rel = abs(groups[g] - exp[g]) / exp[g]
            # section 3.3 rounds to 0.1 M
            if abs(groups[g] - exp[g]) > 0.051e6 and rel > 5e-4:
                note(f"group {g}: transformers {groups[g] / 1e6:.2f} M vs GEMMA4.md {exp[g] / 1e6:.1f} M")
    rel = (total - exp["total"]) / exp["total"]
    if abs(rel) > 0.005:
        note(f"total {total} vs GEMMA4.md {exp['total']:.4g}: {rel * 100:+.3f} %")
    if "no_ple_table" in exp:
        r2 = (total - groups["ple_table"] - exp["no_ple_table"]) / exp["no_ple_table"]
        if abs(r2) > 0.005:
            note(f"total without PLE table off by {r2 * 100:+.3f} %")
    return total, rel, groups, widths, tc


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", default=os.path.dirname(here), help="models/ directory")
    args = ap.parse_args()
    transformers.logging.set_verbosity_error()

    counts, problems = {}, []
    for name, tc in VARIANTS.items():
        d = write_config(args.out, name, tc)
        total, rel, groups, widths, ltc = count(d, name, problems)
        counts[name] = total
        mlp_w = sorted(set(widths))
        print(f"{name}: {total:,} params ({total / 1e9:.3f} B, {rel * 100:+.3f} % vs GEMMA4.md); "
              f"mlp widths {mlp_w}; kv_sharing {ltc.kv_sharing_modes.count('reuse')} layers")
        for g, v in groups.items():
            if v:
                print(f"    {g:18s} {v / 1e6:12.2f} M")
    with open(os.path.join(args.out, "reference-param-counts.json"), "w") as f:
        json.dump(counts, f, indent=2)
        f.write("\n")
    if problems:
        print("DISAGREEMENTS with GEMMA4.md:")
        for p in problems:
            print("  " + p)
        sys.exit(1)
    print("all four configs agree with GEMMA4.md sections 1.3 and 3.3")


if __name__ == "__main__":
    main()
