/*===- facet.h - Facet runtime, C API ------------------------------------===*\
|*                                                                            *|
|* Part of Facet, an ahead-of-time compiler for Gemma 4 language models.      *|
|*                                                                            *|
\*===----------------------------------------------------------------------===*/
/*
 * Runs a compiled .facet package: open it, feed prompt token ids (prefill),
 * feed generated tokens one at a time (decode), read the logits after the
 * last token, sample, close. Plain C99; link with the facet_runtime static
 * library (or libfacet.so), pthreads and dl.
 *
 *   facet_model *model;
 *   if (facet_open("model.facet", NULL, &model) != FACET_OK) {
 *     fprintf(stderr, "%s\n", facet_last_error());
 *     return 1;
 *   }
 *   facet_prefill(model, prompt, prompt_length);
 *   facet_sampling sampling = facet_default_sampling();   (greedy)
 *   for (int i = 0; i < 32; ++i) {
 *     int32_t token;
 *     facet_sample(model, &sampling, &token);
 *     facet_decode(model, token);
 *   }
 *   facet_close(model);
 *
 * Every function returning facet_status sets the calling thread's last
 * error message: "" on success, a sentence naming the problem otherwise
 * (facet_last_error). A model is used by one thread at a time; different
 * models may be used from different threads.
 */

#ifndef FACET_H
#define FACET_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(__GNUC__)
#define FACET_API __attribute__((visibility("default")))
#else
#define FACET_API
#endif

typedef enum facet_status {
  FACET_OK = 0,
  FACET_ERROR_INVALID_ARGUMENT = 1,   /* null pointer, bad option value */
  FACET_ERROR_IO = 2,                 /* cannot open, read or map the file */
  FACET_ERROR_FORMAT = 3,             /* not a valid .facet package */
  FACET_ERROR_TARGET_MISMATCH = 4,    /* compiled for another machine */
  FACET_ERROR_CONTEXT_OVERFLOW = 5,   /* more tokens than the context holds */
  FACET_ERROR_TOKEN_OUT_OF_RANGE = 6, /* token id outside the vocabulary */
  FACET_ERROR_KERNEL = 7,             /* kernel code failed or cannot load */
  FACET_ERROR_OUT_OF_MEMORY = 8,
  FACET_ERROR_BAD_STATE = 9, /* e.g. logits before any token */
  FACET_ERROR_INTERNAL = 10
} facet_status;

typedef struct facet_model facet_model;

typedef struct facet_options {
  int32_t num_threads; /* 0: every core the process may use */
  /* "cpu", "cuda", or NULL/"" for the package's own (CUDA packages run on
   * the GPU, every other one on the CPU) */
  const char *device;
} facet_options;

/* temperature <= 0: greedy (argmax, ties to the lowest id). Otherwise
 * softmax(logits / temperature) restricted to the top_k most likely tokens
 * (0: all) and to the smallest set whose probability reaches top_p (1: all),
 * drawn with std::mt19937_64. The generator is seeded with `seed` on the
 * first facet_sample after facet_open or facet_reset and whenever `seed`
 * changes, so a run is reproducible. */
typedef struct facet_sampling {
  float temperature;
  int32_t top_k;
  float top_p;
  uint64_t seed;
} facet_sampling;

typedef struct facet_model_info {
  const char *name;   /* owned by the model */
  const char *target; /* e.g. "x86_64-avx512" */
  int64_t vocab_size;
  int64_t max_context;   /* positions the KV caches hold */
  int64_t prefill_chunk; /* tokens per prefill kernel call */
  int32_t bos_token_id;
  const int32_t *eos_token_ids; /* owned by the model */
  size_t eos_token_count;
  int32_t num_threads;
  /* 1: prefill computes every prompt position's logits (compiled with
   * --all-logits); 0: only the last position's, and the callback of
   * facet_prefill_chunked gets that one row. */
  int32_t prefill_all_logits;
} facet_model_info;

FACET_API const char *facet_version(void);

FACET_API facet_options facet_default_options(void);
/* Greedy: temperature 0, top_k 0, top_p 1, seed 0. */
FACET_API facet_sampling facet_default_sampling(void);

/* Maps and validates the package at `path` and loads its kernels. `options`
 * may be NULL (defaults). On failure *model is NULL. */
FACET_API facet_status facet_open(const char *path,
                                  const facet_options *options,
                                  facet_model **model);
/* Frees everything; NULL is allowed. */
FACET_API void facet_close(facet_model *model);

FACET_API facet_status facet_model_get_info(const facet_model *model,
                                            facet_model_info *info);
/* Tokens in the KV caches: the position the next token gets. */
FACET_API int64_t facet_position(const facet_model *model);

/* Forgets every token (position 0) and clears an error state. */
FACET_API facet_status facet_reset(facet_model *model);

/* Appends `count` tokens. The ids and the context are checked before any
 * work is done, so a bad id or a prompt that does not fit changes nothing. */
FACET_API facet_status facet_prefill(facet_model *model, const int32_t *tokens,
                                     size_t count);
/* As facet_prefill, and writes count * vocab_size floats to `all_logits`:
 * row i holds the logits after tokens[i]. Needs a package compiled with
 * --all-logits (FACET_ERROR_INVALID_ARGUMENT otherwise). */
FACET_API facet_status facet_prefill_all_logits(facet_model *model,
                                                const int32_t *tokens,
                                                size_t count,
                                                float *all_logits);
/* Called by facet_prefill_chunked after each prefill chunk with the logits
 * after tokens[first] ... tokens[first + count - 1]: count * vocab_size
 * floats, valid during the call. */
typedef void (*facet_logits_callback)(void *user_data, size_t first,
                                      const float *rows, size_t count,
                                      size_t vocab_size);
/* As facet_prefill, handing every position's logits to `callback` chunk by
 * chunk, so a long prompt's logits never need to be held at once. With a
 * package whose prefill_all_logits is 0, the callback runs once, with the
 * last position's row. */
FACET_API facet_status facet_prefill_chunked(facet_model *model,
                                             const int32_t *tokens,
                                             size_t count,
                                             facet_logits_callback callback,
                                             void *user_data);
/* Appends one token. */
FACET_API facet_status facet_decode(facet_model *model, int32_t token);

/* The vocab_size logits after the last token; valid until the next
 * prefill, decode, reset or close. */
FACET_API facet_status facet_logits(const facet_model *model,
                                    const float **logits, size_t *vocab_size);

/* Samples a token from facet_logits; `sampling` may be NULL (greedy). */
FACET_API facet_status facet_sample(facet_model *model,
                                    const facet_sampling *sampling,
                                    int32_t *token);

/* Text, for packages compiled from a checkpoint with a tokenizer.json. */

/* 1 when the package has a tokenizer, 0 otherwise. */
FACET_API int facet_has_tokenizer(const facet_model *model);
/* Encodes UTF-8 `text` of `length` bytes into token ids (no BOS is added).
 * `*count` receives the number of ids; at most `capacity` are written to
 * `ids`, and a smaller capacity is FACET_ERROR_INVALID_ARGUMENT (call with
 * capacity 0 to learn the count). */
FACET_API facet_status facet_tokenize(facet_model *model, const char *text,
                                      size_t length, int32_t *ids,
                                      size_t capacity, size_t *count);
/* The id of the token spelled `text` (e.g. "<|turn>"), or -1. */
FACET_API int32_t facet_token_id(const facet_model *model, const char *text);
/* Streaming decode: feeds `token` to the model's text stream and writes the
 * UTF-8 text it completes (never half a character; possibly "") to `out`,
 * NUL-terminated, `*length` bytes without the NUL (256 bytes is plenty for
 * one token). If the text does not fit, the result is
 * FACET_ERROR_INVALID_ARGUMENT with `*length` the bytes needed, and the text
 * is kept: it comes first in the next call (pass token -1 to fetch it
 * without feeding a token). Special tokens are not written. facet_reset
 * restarts the stream. */
FACET_API facet_status facet_detokenize_next(facet_model *model,
                                             int32_t token, char *out,
                                             size_t capacity, size_t *length);

/* The message of the calling thread's last facet_* call ("" if it
 * succeeded). Valid until that thread's next facet_* call. */
FACET_API const char *facet_last_error(void);
/* A short name of `status`, e.g. "context overflow". */
FACET_API const char *facet_status_string(facet_status status);

#ifdef __cplusplus
} /* extern "C" */
#endif

#endif /* FACET_H */
