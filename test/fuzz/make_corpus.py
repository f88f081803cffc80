#!/usr/bin/env python3
"""Regenerate the committed seed corpora of the parser fuzz targets.

Writes small valid and invalid inputs into corpus/<target>/ (deterministic,
standard library only). Inputs found by fuzzing (crash-*, regressions) are
added by hand next to these and are not touched by this script.

Usage: test/fuzz/make_corpus.py
"""

import json
import os
import struct

HERE = os.path.dirname(os.path.abspath(__file__))


def write(target, name, data):
    directory = os.path.join(HERE, "corpus", target)
    os.makedirs(directory, exist_ok=True)
    if isinstance(data, str):
        data = data.encode("utf-8")
    with open(os.path.join(directory, name), "wb") as f:
        f.write(data)


def safetensors(header, data=b"", length=None, pad=True):
    text = header if isinstance(header, str) else json.dumps(header, separators=(",", ":"))
    raw = text.encode("utf-8")
    if pad:
        raw += b" " * (-len(raw) % 8)
    n = len(raw) if length is None else length
    return struct.pack("<Q", n) + raw + data


def tensor(dtype, shape, begin, end):
    return {"dtype": dtype, "shape": shape, "data_offsets": [begin, end]}


def safetensors_seeds():
    t = "fuzz_safetensors"
    write(t, "valid_mixed.safetensors", safetensors({
        "__metadata__": {"format": "pt"},
        "a": tensor("F32", [2, 3], 0, 24),
        "b": tensor("F16", [4], 24, 32),
        "c": tensor("BF16", [2, 2], 32, 40),
    }, bytes(range(40))))
    write(t, "valid_empty_scalar.safetensors", safetensors({
        "empty": tensor("F32", [0], 4, 4),
        "scalar": tensor("I32", [], 0, 4),
        "e2": tensor("U8", [3, 0], 0, 0),
    }, bytes(4)))
    write(t, "valid_gaps.safetensors", safetensors({
        "x": tensor("I64", [1], 8, 16),
        "y": tensor("F8_E4M3", [2, 2], 32, 36),
        "z": tensor("BOOL", [3], 40, 43),
    }, bytes(48)))
    write(t, "valid_no_tensors.safetensors", safetensors("{}"))
    write(t, "valid_all_dtypes.safetensors", safetensors({
        name: tensor(name, [1], 8 * i, 8 * i + size)
        for i, (name, size) in enumerate([
            ("BOOL", 1), ("U8", 1), ("I8", 1), ("I16", 2), ("U16", 2), ("F16", 2),
            ("BF16", 2), ("I32", 4), ("U32", 4), ("F32", 4), ("F64", 8), ("I64", 8),
            ("U64", 8), ("F8_E4M3", 1), ("F8_E5M2", 1)])
    }, bytes(8 * 15)))
    write(t, "bad_short", b"\x01\x02\x03")
    write(t, "bad_header_length.safetensors", safetensors("{}", length=4096))
    write(t, "bad_truncated_data.safetensors",
          safetensors({"w": tensor("F32", [4], 0, 16)}, bytes(10)))
    write(t, "bad_overlap.safetensors", safetensors({
        "a": tensor("F32", [2], 0, 8), "b": tensor("F32", [2], 4, 12)}, bytes(12)))
    write(t, "bad_duplicate.safetensors", safetensors(
        '{"w":{"dtype":"U8","shape":[1],"data_offsets":[0,1]},'
        '"w":{"dtype":"U8","shape":[1],"data_offsets":[1,2]}}', bytes(2)))
    write(t, "bad_dtype.safetensors",
          safetensors({"w": tensor("F4", [2], 0, 1)}, bytes(1)))
    write(t, "bad_size.safetensors",
          safetensors({"w": tensor("F32", [2, 3], 0, 20)}, bytes(20)))
    write(t, "bad_negative.safetensors",
          safetensors({"w": tensor("F32", [-1], 0, 0)}))
    write(t, "bad_overflow.safetensors",
          safetensors({"w": tensor("U8", [4294967296, 4294967296], 0, 0)}))
    write(t, "bad_json.safetensors", safetensors('{"w": {"dtype": "F32", '))
    write(t, "bad_metadata.safetensors", safetensors({"__metadata__": {"a": 1}}))


def layer_types(n, period):
    return ["full_attention" if (i + 1) % period == 0 else "sliding_attention"
            for i in range(n)]


ROPE = {
    "sliding_attention": {"rope_type": "default", "rope_theta": 10000.0},
    "full_attention": {"rope_type": "proportional", "partial_rotary_factor": 0.25,
                       "rope_theta": 1000000.0},
}


def config_seeds():
    t = "fuzz_config"
    e2b_text = {
        "model_type": "gemma4_text", "vocab_size": 262144, "hidden_size": 1536,
        "intermediate_size": 6144, "num_hidden_layers": 35, "num_attention_heads": 8,
        "num_key_value_heads": 1, "head_dim": 256, "global_head_dim": 512,
        "layer_types": layer_types(35, 5), "num_kv_shared_layers": 20,
        "use_double_wide_mlp": True, "hidden_size_per_layer_input": 256,
        "vocab_size_per_layer_input": 262144, "final_logit_softcapping": 30.0,
        "rope_parameters": ROPE, "sliding_window": 512, "attention_k_eq_v": False,
        "num_global_key_value_heads": None, "enable_moe_block": False,
        "use_bidirectional_attention": None, "hidden_activation": "gelu_pytorch_tanh",
        "rms_norm_eps": 1e-06, "tie_word_embeddings": True,
    }
    write(t, "e2b_nested.json", json.dumps(
        {"model_type": "gemma4", "text_config": e2b_text}, indent=1))
    moe = {
        "model_type": "gemma4_text", "vocab_size": 512, "hidden_size": 48,
        "intermediate_size": 64, "num_hidden_layers": 6, "num_attention_heads": 4,
        "num_key_value_heads": 2, "head_dim": 16, "global_head_dim": 32,
        "num_global_key_value_heads": 1, "attention_k_eq_v": True,
        "enable_moe_block": True, "num_experts": 8, "top_k_experts": 2,
        "moe_intermediate_size": 24, "hidden_size_per_layer_input": 0,
        "sliding_window": 8, "rope_parameters": ROPE,
        "use_bidirectional_attention": "vision",
    }
    write(t, "moe_flat.json", json.dumps(moe))
    per_layer = dict(moe)
    del per_layer["global_head_dim"]
    del per_layer["num_global_key_value_heads"]
    per_layer["enable_moe_block"] = False
    per_layer["per_layer_config"] = {"5": {"head_dim": 32, "num_key_value_heads": 1}}
    write(t, "per_layer_config.json", json.dumps(per_layer))
    minimal = {
        "model_type": "gemma4_text", "vocab_size": 16, "hidden_size": 8,
        "intermediate_size": 8, "num_hidden_layers": 2, "num_attention_heads": 2,
        "num_key_value_heads": 1, "head_dim": 4, "global_head_dim": 8,
        "layer_types": ["sliding_attention", "full_attention"],
        "num_kv_shared_layers": 0, "hidden_size_per_layer_input": 4,
        "vocab_size_per_layer_input": 16,
    }
    write(t, "minimal.json", json.dumps(minimal))
    write(t, "bad_llama.json", json.dumps({"model_type": "llama", "hidden_size": 4096}))
    write(t, "bad_json.json", '{"model_type": "gemma4_text", "vocab_size": ')
    bad = dict(minimal)
    bad["layer_types"] = ["sliding_attention"]
    write(t, "bad_layer_types.json", json.dumps(bad))
    bad = dict(minimal)
    bad["num_kv_shared_layers"] = 1
    write(t, "bad_kv_source.json", json.dumps(bad))


def index_seeds():
    t = "fuzz_checkpoint_index"
    write(t, "valid.json", json.dumps({
        "metadata": {"total_size": 1234},
        "weight_map": {
            "model.embed_tokens.weight": "model-00001-of-00002.safetensors",
            "model.norm.weight": "model-00002-of-00002.safetensors",
        }}, indent=2))
    write(t, "bad_traversal.json", json.dumps({"weight_map": {"a": "../x.safetensors"}}))
    write(t, "bad_absolute.json", json.dumps({"weight_map": {"a": "/etc/passwd"}}))
    write(t, "bad_not_object.json", "[1, 2, 3]")
    write(t, "bad_value.json", json.dumps({"weight_map": {"a": 7}}))


if __name__ == "__main__":
    safetensors_seeds()
    config_seeds()
    index_seeds()
