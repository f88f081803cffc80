#!/usr/bin/env python3
"""Compares logits dumped by `facet-run --dump-logits` with a model's
transformers fixture, as test/e2e/compare_fixture does, for machines that
have Python but not the compiler's build (the lent GPU machine).

  fixture_check.py MODEL_DIR LOGITS [--tokens IDS] [--reference KEY]
                   [--last-prompt-row] [--top1] [--rel-tolerance 1e-4]

Passes (exit 0) when every compared row is within rel-tolerance x the
largest |fixture logit| of those rows, the tokens (if given) equal the
fixture's greedy ids and, with --top1, every row's argmax agrees."""
import argparse
import array
import json
import os
import sys


def rows_of(path, vocab):
    data = array.array("f")
    with open(path, "rb") as f:
        data.frombytes(f.read())
    if sys.byteorder != "little":
        data.byteswap()
    if len(data) % vocab:
        sys.exit(f"{path}: not whole rows of {vocab}")
    return [data[i * vocab:(i + 1) * vocab] for i in range(len(data) // vocab)]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("model")
    parser.add_argument("logits")
    parser.add_argument("--tokens")
    parser.add_argument("--reference")
    parser.add_argument("--last-prompt-row", action="store_true")
    parser.add_argument("--top1", action="store_true")
    parser.add_argument("--rel-tolerance", type=float, default=1e-4)
    args = parser.parse_args()
    with open(os.path.join(args.model, "fixture.json")) as f:
        fixture = json.load(f)
    rows, vocab = fixture["logits_shape"]
    name = fixture[args.reference]["logits_file"] if args.reference \
        else fixture["logits_file"]
    expected = rows_of(os.path.join(args.model, name), vocab)
    actual = rows_of(args.logits, vocab)
    first = len(fixture["prompt_ids"]) - 1 if args.last_prompt_row else 0
    compared = min(len(actual), rows - first)
    if compared <= 0:
        sys.exit("no rows to compare")
    largest = diff = 0.0
    disagreements = 0
    for r in range(compared):
        e, a = expected[first + r], actual[r]
        largest = max(largest, max(abs(v) for v in e))
        diff = max(diff, max(abs(x - y) for x, y in zip(e, a)))
        if e.index(max(e)) != a.index(max(a)):
            disagreements += 1
    ok = diff <= args.rel_tolerance * largest
    print(f"compared {compared} rows x {vocab}: max |diff| {diff:.3g}, "
          f"{diff / largest:.3g} of max |logit| {largest:.3g}; top-1 "
          f"disagreements {disagreements}")
    if args.top1 and disagreements:
        ok = False
        print("FAILED: top-1 disagrees")
    if args.tokens is not None:
        tokens = [int(t) for t in args.tokens.split(",") if t]
        same = tokens == fixture["greedy_ids"][:len(tokens)] and tokens
        print("greedy tokens", "identical" if same else "DIFFER")
        ok = ok and bool(same)
    if diff > args.rel_tolerance * largest:
        print(f"FAILED: logits beyond {args.rel_tolerance} of max |logit|")
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
