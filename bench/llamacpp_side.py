"""llama.cpp's side of bench/compare-llamacpp: llama-bench's tests through
llama-cpp-python's low-level API, printed as one JSON object.

  llamacpp_side.py MODEL.gguf --threads T -p P -n N -d D1,D2 -r R
                   [--check-ids 2,17,99 --check-n 8]

It runs in its own process so that llama.cpp's threads, memory and peak RSS
are not mixed with Facet's. The timing follows llama-bench
(tools/llama-bench/llama-bench.cpp of the llama.cpp that llama-cpp-python
vendors): a context of n_ctx = d + p + n, n_batch 2048, n_ubatch 512, f16 KV
cache, flash attention "auto"; one untimed warm-up (a whole prompt, one
generated token); then per repetition the cache is cleared, d tokens of
context are decoded untimed, and the test is timed up to llama_synchronize:
pp decodes p random tokens in batches of n_batch, tg decodes n tokens one at
a time. Tokens are random ids (the speed does not depend on them).
--check-ids greedily generates --check-n tokens after the given prompt, to
show that the model runs and produces finite logits.
"""

import argparse
import ctypes
import json
import math
import random
import resource
import sys
import time

import llama_cpp as L
import numpy as np

N_BATCH, N_UBATCH = 2048, 512


# llama.cpp's log, kept quiet (it names every tensor on load) but shown with
# an error, which it usually explains.
LOG = []


def keep_log(level, text, data):
    LOG.append(text.decode(errors="replace"))
    del LOG[:-60]


def fail(message):
    sys.stderr.write("".join(LOG))
    print(f"llamacpp_side: error: {message}", file=sys.stderr)
    sys.exit(1)


def decode(ctx, tokens, logits_needed=False):
    """Decodes `tokens` (a list of ids) at the end of sequence 0."""
    for start in range(0, len(tokens), N_BATCH):
        piece = tokens[start:start + N_BATCH]
        array = (L.llama_token * len(piece))(*piece)
        result = L.llama_decode(ctx, L.llama_batch_get_one(array, len(piece)))
        if result != 0:
            fail(f"llama_decode returned {result}")
    L.llama_synchronize(ctx)


def greedy(ctx, n_vocab):
    """The argmax of the last decoded position's logits (which must be finite)."""
    logits = np.ctypeslib.as_array(L.llama_get_logits_ith(ctx, -1), shape=(n_vocab,))
    if not np.isfinite(logits).all():
        fail("llama.cpp produced a logit that is not finite")
    return int(np.argmax(logits))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("model")
    parser.add_argument("--threads", type=int, required=True)
    parser.add_argument("-p", type=int, default=512)
    parser.add_argument("-n", type=int, default=128)
    parser.add_argument("-d", default="0")
    parser.add_argument("-r", type=int, default=3)
    parser.add_argument("--check-ids", default="")
    parser.add_argument("--check-n", type=int, default=8)
    args = parser.parse_args()
    depths = [int(d) for d in args.d.split(",")]

    callback = L.llama_log_callback(keep_log)
    L.llama_log_set(callback, ctypes.c_void_p())
    L.llama_backend_init()
    mparams = L.llama_model_default_params()
    mparams.n_gpu_layers = 0
    start = time.perf_counter()
    model = L.llama_model_load_from_file(args.model.encode(), mparams)
    if not model:
        fail(f"llama.cpp could not load {args.model}")
    load_ms = 1e3 * (time.perf_counter() - start)
    vocab = L.llama_model_get_vocab(model)
    n_vocab = L.llama_vocab_n_tokens(vocab)

    cparams = L.llama_context_default_params()
    cparams.n_ctx = max(depths) + args.p + args.n + 1
    cparams.n_batch, cparams.n_ubatch = N_BATCH, N_UBATCH
    cparams.n_threads = cparams.n_threads_batch = args.threads
    cparams.flash_attn_type = L.LLAMA_FLASH_ATTN_TYPE_AUTO
    cparams.type_k = cparams.type_v = L.GGML_TYPE_F16
    ctx = L.llama_init_from_model(model, cparams)
    if not ctx:
        fail("llama_init_from_model failed")
    memory = L.llama_get_memory(ctx)
    rng = random.Random(1234)

    def tokens(count):
        return [rng.randrange(n_vocab) for _ in range(count)]

    result = {"model": args.model, "size_bytes": L.llama_model_size(model),
              "params": L.llama_model_n_params(model), "threads": args.threads,
              "load_ms": round(load_ms, 1), "n_vocab": n_vocab,
              "system_info": L.llama_print_system_info().decode(errors="replace"),
              "tests": []}

    if args.check_ids:
        ids = [int(t) for t in args.check_ids.split(",")]
        L.llama_memory_clear(memory, True)
        decode(ctx, ids)
        generated = []
        for _ in range(args.check_n):
            generated.append(greedy(ctx, n_vocab))
            decode(ctx, generated[-1:])
        result["check_generated"] = generated

    # Warm-up as llama-bench does it: one prompt, one generated token.
    L.llama_memory_clear(memory, True)
    if args.p > 0:
        decode(ctx, tokens(args.p))
    if args.n > 0:
        decode(ctx, tokens(1))

    for depth in depths:
        for test, count in (("pp", args.p), ("tg", args.n)):
            if count == 0:
                continue
            rates = []
            for _ in range(args.r):
                L.llama_memory_clear(memory, True)
                if depth > 0:
                    decode(ctx, tokens(depth))
                work = tokens(count)
                start = time.perf_counter()
                if test == "pp":
                    decode(ctx, work)
                else:
                    for token in work:
                        decode(ctx, [token])
                rates.append(count / (time.perf_counter() - start))
            mean = sum(rates) / len(rates)
            spread = (math.sqrt(sum((r - mean) ** 2 for r in rates) / (len(rates) - 1))
                      if len(rates) > 1 else 0.0)
            result["tests"].append({
                "test": f"{test}{count}", "n_prompt": count if test == "pp" else 0,
                "n_gen": count if test == "tg" else 0, "depth": depth,
                "avg_ts": round(mean, 3), "stddev_ts": round(spread, 3),
                "samples_ts": [round(r, 3) for r in rates]})
            print(f"  llama.cpp {test}{count} @ d{depth}: {mean:.2f} t/s", file=sys.stderr)

    result["peak_rss_bytes"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    L.llama_free(ctx)
    L.llama_model_free(model)
    print(json.dumps(result))


if __name__ == "__main__":
    main()
