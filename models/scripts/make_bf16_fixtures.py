"""Reference logits of each tiny model with its weights rounded to bf16.

`facet compile --weights bf16` stores every float weight as bf16 and computes
in float32. Its exact reference is therefore not the float32 fixture but the
same transformers model with each weight rounded to bf16 (round to nearest
even, as torch's .to(torch.bfloat16)) and everything else float32. This
script writes that reference next to the float32 one:

  models/<tiny>/logits-bf16-weights.f32   float32 [P + 32, vocab], teacher-
                                          forced on prompt_ids + greedy_ids
  models/<tiny>/fixture.json              gains "bf16_weights": {file, how far
                                          it is from the float32 logits}

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
        # Everything the checkpoint stores: parameters and persistent buffers
        # (layer_scalar). Non-persistent buffers (rotary inverse frequencies)
        # are computed, not weights: they stay float32.
        for tensor in model.state_dict().values():
            if tensor.dtype.is_floating_point:
                tensor.copy_(tensor.to(torch.bfloat16).to(torch.float32))
        logits = model(input_ids=ids, use_cache=False).logits[0].float()
        out = os.path.join(model_dir, "logits-bf16-weights.f32")
        logits.numpy().astype("<f4").tofile(out)
        diff = float((logits - base).abs().max())
        disagree = int((logits.argmax(-1) != base.argmax(-1)).sum())
        fixture["bf16_weights"] = {
            "logits_file": "logits-bf16-weights.f32",
            "note": "teacher-forced on prompt_ids+greedy_ids; every float weight rounded to bf16, compute in float32",
            "max_abs_diff_vs_float32_weights": round(diff, 6),
            "top1_disagreements_vs_float32_weights": disagree,
        }
        with open(os.path.join(model_dir, "fixture.json"), "w") as f:
            f.write(dump_json(fixture))
        print(f"{name}: bf16-weight logits differ from float32 by {diff:.4g} (max), "
              f"top-1 differs at {disagree} of {logits.shape[0]} rows")


if __name__ == "__main__":
    main()
