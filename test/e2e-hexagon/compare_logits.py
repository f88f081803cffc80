#!/usr/bin/env python3
"""Compares two float32 logits dumps ([rows, vocab], row-major) of the same
run: the host's (the reference) and another target's. Passes when the files
have the same size and every value is within BOUND x max|reference| of the
reference; prints the measured figure either way."""
import argparse
import array
import sys


def read(path):
    values = array.array("f")
    with open(path, "rb") as f:
        data = f.read()
    if len(data) % 4:
        sys.exit(f"FAILED: {path}: {len(data)} bytes is not a whole number of floats")
    values.frombytes(data)
    return values


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("reference")
    parser.add_argument("actual")
    parser.add_argument("--bound", type=float, required=True,
                        help="largest allowed |difference| / max|reference|")
    args = parser.parse_args()
    ref, act = read(args.reference), read(args.actual)
    if len(ref) != len(act) or not ref:
        sys.exit(f"FAILED: {len(ref)} reference values, {len(act)} actual values")
    scale = max(abs(v) for v in ref)
    worst = max(abs(a - r) for a, r in zip(act, ref))
    rel = worst / scale if scale else worst
    print(f"max |difference| {worst:.3g} = {rel:.3g} x max|logit| "
          f"({len(ref)} values; bound {args.bound:g})")
    if not rel <= args.bound:  # also fails on NaN
        sys.exit("FAILED: logits differ beyond the bound")


if __name__ == "__main__":
    main()
