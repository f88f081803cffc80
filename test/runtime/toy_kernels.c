/*===- toy_kernels.c - A kernel object for runtime tests -----------------===*\
|*                                                                            *|
|* Part of Facet, an ahead-of-time compiler for Gemma 4 language models.      *|
|*                                                                            *|
\*===----------------------------------------------------------------------===*/
/*
 * Plain C stand-ins for Halide-generated kernels, with the same calling
 * convention (int symbol(void **args); buffers as halide_buffer_t*, scalars
 * as int32_t*), so the executor can be tested without Halide. Together they
 * form the toy model of ToyModel.cpp:
 *
 *   k_embed:   keys[t] = embed[id[t]], values[t] = 3 * embed[id[t]]
 *   KV stores into a full cache and a sliding (window 3) ring cache
 *   k_attend_full / k_attend_window3:
 *              out[t] = sum over cached positions p visible from pos[t] of
 *                       keys[p % capacity] + 0.1 * values[p % capacity]
 *   k_logits:  logits[t][v] = (full[t] + 2 * window[t]) . unembed[v]
 *   k_threads: k_logits' signature, writes the thread count the runtime set
 *              with halide_set_num_threads into every logit
 *   k_fail:    always fails (error -42)
 *
 * Every kernel checks the descriptors it gets (types, ranks, extents,
 * strides, scalars) and returns a distinct negative code on a mismatch.
 */

#include <stddef.h>
#include <stdint.h>

typedef struct {
  int32_t min, extent, stride;
  uint32_t flags;
} halide_dimension_t;

typedef struct {
  uint8_t code, bits;
  uint16_t lanes;
} halide_type_t;

typedef struct {
  uint64_t device;
  const void *device_interface;
  uint8_t *host;
  uint64_t flags;
  halide_type_t type;
  int32_t dimensions;
  halide_dimension_t *dim;
  void *padding;
} halide_buffer_t;

static int threads_requested = 0;

/* Like Halide's runtime: the runtime sizes our "thread pool". */
int halide_set_num_threads(int n) {
  int old = threads_requested;
  threads_requested = n;
  return old;
}

/* A row-major, dense buffer of `rank` dims and type code/bits? */
static int dense(const halide_buffer_t *b, int rank, int code, int bits) {
  if (!b || !b->host || b->dimensions != rank || b->type.code != code ||
      b->type.bits != bits || b->type.lanes != 1 || b->device != 0)
    return 0;
  int32_t stride = 1;
  for (int d = 0; d < rank; ++d) {
    if (b->dim[d].min != 0 || b->dim[d].stride != stride ||
        b->dim[d].extent <= 0)
      return 0;
    stride *= b->dim[d].extent;
  }
  return 1;
}

/* Buffer dims are innermost first: extent of the outermost dimension. */
static int32_t rows(const halide_buffer_t *b) {
  return b->dim[b->dimensions - 1].extent;
}

int k_embed(void **args) {
  const halide_buffer_t *ids = args[0], *embed = args[1];
  halide_buffer_t *keys = args[2], *values = args[3];
  if (!dense(ids, 1, 0, 32) || !dense(embed, 2, 2, 32) ||
      !dense(keys, 3, 2, 32) || !dense(values, 3, 2, 32))
    return -1;
  int32_t tokens = ids->dim[0].extent, vocab = embed->dim[1].extent,
          dim = embed->dim[0].extent;
  if (rows(keys) != tokens || rows(values) != tokens ||
      keys->dim[1].extent != 1 || keys->dim[0].extent != dim)
    return -2;
  const int32_t *id = (const int32_t *)ids->host;
  const float *e = (const float *)embed->host;
  float *k = (float *)keys->host, *v = (float *)values->host;
  for (int32_t t = 0; t < tokens; ++t) {
    if (id[t] < 0 || id[t] >= vocab)
      return -3;
    for (int32_t d = 0; d < dim; ++d) {
      k[t * dim + d] = e[id[t] * dim + d];
      v[t * dim + d] = 3.0f * e[id[t] * dim + d];
    }
  }
  return 0;
}

static int attend(void **args, int32_t window) {
  const halide_buffer_t *positions = args[0], *keys = args[1],
                        *values = args[2];
  int32_t context = *(const int32_t *)args[3];
  int32_t tokens = *(const int32_t *)args[4];
  halide_buffer_t *out = args[5];
  if (!dense(positions, 1, 0, 32) || !dense(keys, 3, 2, 32) ||
      !dense(values, 3, 2, 32) || !dense(out, 2, 2, 32))
    return -11;
  const int32_t *pos = (const int32_t *)positions->host;
  int32_t capacity = rows(keys), dim = keys->dim[0].extent;
  if (positions->dim[0].extent != tokens || rows(out) != tokens ||
      out->dim[0].extent != dim || rows(values) != capacity)
    return -12;
  if (context != pos[tokens - 1] + 1)
    return -13;
  const float *k = (const float *)keys->host, *v = (const float *)values->host;
  float *o = (float *)out->host;
  for (int32_t t = 0; t < tokens; ++t) {
    int32_t first =
        window > 0 && pos[t] - window + 1 > 0 ? pos[t] - window + 1 : 0;
    for (int32_t d = 0; d < dim; ++d)
      o[t * dim + d] = 0.0f;
    for (int32_t p = first; p <= pos[t]; ++p) {
      int32_t slot = p % capacity;
      for (int32_t d = 0; d < dim; ++d)
        o[t * dim + d] += k[slot * dim + d] + 0.1f * v[slot * dim + d];
    }
  }
  return 0;
}

int k_attend_full(void **args) { return attend(args, 0); }
int k_attend_window3(void **args) { return attend(args, 3); }

int k_logits(void **args) {
  const halide_buffer_t *full = args[0], *window = args[1], *unembed = args[2];
  halide_buffer_t *logits = args[3];
  if (!dense(full, 2, 2, 32) || !dense(window, 2, 2, 32) ||
      !dense(unembed, 2, 2, 32) || !dense(logits, 2, 2, 32))
    return -21;
  int32_t tokens = rows(full), dim = full->dim[0].extent,
          vocab = unembed->dim[1].extent;
  if (rows(logits) != tokens || logits->dim[0].extent != vocab ||
      unembed->dim[0].extent != dim)
    return -22;
  const float *a = (const float *)full->host, *b = (const float *)window->host,
              *u = (const float *)unembed->host;
  float *l = (float *)logits->host;
  for (int32_t t = 0; t < tokens; ++t)
    for (int32_t v = 0; v < vocab; ++v) {
      float sum = 0.0f;
      for (int32_t d = 0; d < dim; ++d)
        sum += (a[t * dim + d] + 2.0f * b[t * dim + d]) * u[v * dim + d];
      l[t * vocab + v] = sum;
    }
  return 0;
}

/* k_logits' signature; every logit is the thread count set through
 * halide_set_num_threads. */
int k_threads(void **args) {
  halide_buffer_t *logits = args[3];
  if (!dense(logits, 2, 2, 32))
    return -31;
  float *l = (float *)logits->host;
  int64_t count = (int64_t)logits->dim[0].extent * logits->dim[1].extent;
  for (int64_t i = 0; i < count; ++i)
    l[i] = (float)threads_requested;
  return 0;
}

int k_fail(void **args) {
  (void)args;
  return -42;
}
