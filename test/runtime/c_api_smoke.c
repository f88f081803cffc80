/*===- c_api_smoke.c - facet.h used from C --------------------------------===*\
|*                                                                            *|
|* Part of Facet, an ahead-of-time compiler for Gemma 4 language models.      *|
|*                                                                            *|
\*===----------------------------------------------------------------------===*/
/*
 * Compiled as C (not C++) to prove that facet.h is a plain C header and that
 * the runtime links into a C program. ExecutorTest.cpp calls it.
 */

#include "facet.h"

#include <stdio.h>
#include <string.h>

/* Opens `path`, prefills `prompt`, decodes `steps` greedy tokens into
 * `generated`. Returns 0, or the line of the first failed check (the reason
 * is in `message`). */
int facet_c_smoke(const char *path, const int32_t *prompt, size_t count,
                  int32_t *generated, size_t steps, char *message,
                  size_t message_size) {
#define CHECK(condition)                                                       \
  do {                                                                         \
    if (!(condition)) {                                                        \
      snprintf(message, message_size, "%s (%s)", #condition,                   \
               facet_last_error());                                            \
      if (model)                                                               \
        facet_close(model);                                                    \
      return __LINE__;                                                         \
    }                                                                          \
  } while (0)

  facet_model *model = NULL;
  facet_options options = facet_default_options();
  facet_model_info info;
  facet_sampling greedy = facet_default_sampling();
  const float *logits = NULL;
  size_t vocab = 0, i;
  options.num_threads = 2;

  CHECK(facet_open(path, &options, &model) == FACET_OK);
  CHECK(model != NULL);
  CHECK(strcmp(facet_last_error(), "") == 0);
  CHECK(facet_model_get_info(model, &info) == FACET_OK);
  CHECK(info.num_threads == 2);
  CHECK(facet_logits(model, &logits, &vocab) == FACET_ERROR_BAD_STATE);
  CHECK(strlen(facet_last_error()) > 0);
  CHECK(facet_prefill(model, prompt, count) == FACET_OK);
  CHECK(facet_position(model) == (int64_t)count);
  CHECK(facet_logits(model, &logits, &vocab) == FACET_OK);
  CHECK(vocab == (size_t)info.vocab_size && logits != NULL);
  for (i = 0; i < steps; ++i) {
    CHECK(facet_sample(model, &greedy, &generated[i]) == FACET_OK);
    CHECK(facet_decode(model, generated[i]) == FACET_OK);
  }
  CHECK(facet_decode(model, (int32_t)info.vocab_size) ==
        FACET_ERROR_TOKEN_OUT_OF_RANGE);
  CHECK(facet_reset(model) == FACET_OK);
  CHECK(facet_position(model) == 0);
  CHECK(strcmp(facet_status_string(FACET_ERROR_CONTEXT_OVERFLOW),
               "context overflow") == 0);
  facet_close(model);
  message[0] = '\0';
  return 0;
#undef CHECK
}
