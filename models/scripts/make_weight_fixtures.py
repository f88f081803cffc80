"""Reference logits of each tiny model with its weights stored another way.

`facet compile --weights bf16` stores every float weight as bf16, `--quant
int8` / `--quant int4-g32` as integers with scales, and computes in float32.
The exact reference of such a compile is not the float32 fixture but the same
transformers model with each weight replaced by what the package stores,
dequantized, everything else float32. This script writes those references
next to the float32 one (teacher-forced on prompt_ids + greedy_ids):

  models/<tiny>/logits-bf16-weights.f32   every float weight rounded to bf16
  models/<tiny>/logits-int8.f32           --quant int8
  models/<tiny>/logits-int4-g32.f32       --quant int4-g32
  models/<tiny>/fixture.json              gains "bf16_weights", "int8",
                                          "int4_g32": {file, how far each is
                                          from the float32 logits}

The quantization mirrors codegen/driver/WeightQuantization.cpp and the
classes of passes/Quantize.cpp (attention, mlp, experts, PLE matrices, the
tied embedding; not norms, layer scalars or the router).

Run by models/scripts/make-fixtures after make_tiny_models.py.
"""

import argparse
import json
import os

import numpy
import torch
from transformers import AutoConfig, Gemma4ForCausalLM, Gemma4ForConditionalGeneration

from make_tiny_models import dump_json  # the fixtures' JSON layout

TINY = ["tiny-edge", "tiny-moe", "tiny-dense"]


def load(model_dir):
    config = AutoConfig.from_pretrained(model_dir)
    cls = Gemma4ForCausalLM if config.model_type == "gemma4_text" else Gemma4ForConditionalGeneration
    return cls.from_pretrained(
        model_dir, attn_implementation="eager", experts_implementation="eager", dtype=torch.float32
    ).eval()


def quantize_int8(w):
    """Per row (last dim): scale = max|w| / 127 (f32), q = round(w / scale)."""
    scale = w.abs().amax(dim=-1, keepdim=True) / 127.0
    q = torch.where(scale > 0, torch.round(w / torch.where(scale > 0, scale, 1)), 0).clamp(-127, 127)
    return q * scale


def quantize_int4_sym(w, group):
    """Groups of `group` along the last dim: scale = max|w| / 7 stored as f16."""
    g = w.reshape(*w.shape[:-1], w.shape[-1] // group, group)
    scale = (g.abs().amax(dim=-1, keepdim=True) / 7.0).half().float()
    q = torch.where(scale > 0, torch.round(g / torch.where(scale > 0, scale, 1)), 0).clamp(-8, 7)
    return (q * scale).reshape(w.shape)


def quantized_names(model):
    """Checkpoint tensors --facet-quantize turns into integers."""
    return [name for name, t in model.state_dict().items()
            if t.dtype.is_floating_point and t.dim() >= 2 and "router" not in name]


def variant_logits(model_dir, ids, transform):
    model = load(model_dir)
    state = model.state_dict()
    for name, tensor in list(state.items()):
        replaced = transform(name, tensor)
        if replaced is not None:
            tensor.copy_(replaced)
    return model(input_ids=ids, use_cache=False).logits[0].float()


@torch.no_grad()
def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--models", default=os.path.join(os.path.dirname(__file__), ".."))
    args = parser.parse_args()
    torch.manual_seed(0)
    for name in TINY:
        model_dir = os.path.join(args.models, name)
        with open(os.path.join(model_dir, "fixture.json")) as f:
            fixture = json.load(f)
        model = load(model_dir)
        ids = torch.tensor([fixture["prompt_ids"] + fixture["greedy_ids"]], dtype=torch.long)
        base = model(input_ids=ids, use_cache=False).logits[0].float()
        expected = torch.from_numpy(
            numpy.fromfile(os.path.join(model_dir, fixture["logits_file"]), dtype="<f4")
        ).reshape(base.shape)
        assert torch.equal(base, expected), f"{name}: the model no longer reproduces its fixture"

        def bf16(name, tensor):
            # Everything the checkpoint stores: parameters and persistent
            # buffers (layer_scalar). Non-persistent buffers (rotary inverse
            # frequencies) are computed, not weights: they stay float32.
            if tensor.dtype.is_floating_point:
                return tensor.to(torch.bfloat16).to(torch.float32)
            return None

        names = set(quantized_names(model))

        def int8(name, tensor):
            return quantize_int8(tensor) if name in names else None

        def int4_g32(name, tensor):
            if name not in names:
                return None
            if tensor.shape[-1] % 32:
                return quantize_int8(tensor)  # the pass's fallback
            return quantize_int4_sym(tensor, 32)

        variants = [("bf16_weights", "logits-bf16-weights.f32", bf16,
                     "every float weight rounded to bf16, compute in float32"),
                    ("int8", "logits-int8.f32", int8,
                     "--quant int8: matrices per-row int8 (f32 scales), dequantized; compute in float32"),
                    ("int4_g32", "logits-int4-g32.f32", int4_g32,
                     "--quant int4-g32: matrices int4 in groups of 32 (f16 scales, symmetric), dequantized; compute in float32")]
        for key, file, transform, note in variants:
            logits = variant_logits(model_dir, ids, transform)
            logits.numpy().astype("<f4").tofile(os.path.join(model_dir, file))
            diff = float((logits - base).abs().max())
            disagree = int((logits.argmax(-1) != base.argmax(-1)).sum())
            kl = float(torch.nn.functional.kl_div(
                torch.log_softmax(logits, -1), torch.log_softmax(base, -1),
                log_target=True, reduction="none").sum(-1).mean())
            fixture[key] = {
                "logits_file": file,
                "note": "teacher-forced on prompt_ids+greedy_ids; " + note,
                "max_abs_diff_vs_float32_weights": round(diff, 6),
                "top1_disagreements_vs_float32_weights": disagree,
                "mean_kl_vs_float32_weights": round(kl, 6),
            }
            print(f"{name} {key}: differs from float32 by {diff:.4g} (max), top-1 differs at "
                  f"{disagree} of {logits.shape[0]} rows, mean KL {kl:.4g}")
        with open(os.path.join(model_dir, "fixture.json"), "w") as f:
            f.write(dump_json(fixture))


if __name__ == "__main__":
    main()
