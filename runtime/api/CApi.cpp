//===- CApi.cpp - The C API (facet.h) over facet::runtime::Model ----------===//
//
// Part of Facet, an ahead-of-time compiler for Gemma 4 language models.
//
//===----------------------------------------------------------------------===//
//
// Every entry point catches every exception: C callers see a status and a
// thread-local message, never an exception crossing the C boundary.
//
//===----------------------------------------------------------------------===//

#include "facet.h"

#include "facet/Runtime.h"
#include "facet/Tokenizer.h"

#include <cstring>
#include <memory>
#include <optional>
#include <string_view>
#include <new>
#include <string>
#include <vector>

using facet::runtime::Error;
using facet::runtime::Model;
using facet::runtime::Status;
using facet::runtime::Tokenizer;
using facet::runtime::TokenStreamDecoder;

struct facet_model {
  std::unique_ptr<Model> model;
  std::vector<int32_t> eosTokenIds;
  std::optional<TokenStreamDecoder> stream; // with a tokenizer
  std::string pendingText; // decoded, not yet handed out
};

// facet_status and Status share their values.
static_assert(
    int(Status::Ok) == FACET_OK &&
        int(Status::InvalidArgument) == FACET_ERROR_INVALID_ARGUMENT &&
        int(Status::Io) == FACET_ERROR_IO &&
        int(Status::Format) == FACET_ERROR_FORMAT &&
        int(Status::TargetMismatch) == FACET_ERROR_TARGET_MISMATCH &&
        int(Status::ContextOverflow) == FACET_ERROR_CONTEXT_OVERFLOW &&
        int(Status::TokenOutOfRange) == FACET_ERROR_TOKEN_OUT_OF_RANGE &&
        int(Status::Kernel) == FACET_ERROR_KERNEL &&
        int(Status::OutOfMemory) == FACET_ERROR_OUT_OF_MEMORY &&
        int(Status::BadState) == FACET_ERROR_BAD_STATE &&
        int(Status::Internal) == FACET_ERROR_INTERNAL,
    "facet_status and facet::runtime::Status disagree");

namespace {

thread_local std::string lastError;

facet_status fail(facet_status status, const std::string &message) {
  lastError = message;
  return status;
}

/// Runs `body`, turning its exceptions into a status and a message.
template <typename Body> facet_status guard(Body &&body) {
  lastError.clear();
  try {
    body();
    return FACET_OK;
  } catch (const Error &error) {
    return fail(static_cast<facet_status>(error.status()), error.what());
  } catch (const std::bad_alloc &) {
    return fail(FACET_ERROR_OUT_OF_MEMORY, "out of memory");
  } catch (const std::exception &error) {
    return fail(FACET_ERROR_INTERNAL,
                std::string("internal error: ") + error.what());
  } catch (...) {
    return fail(FACET_ERROR_INTERNAL, "internal error: unknown exception");
  }
}

facet_status nullArgument(const char *function, const char *argument) {
  return fail(FACET_ERROR_INVALID_ARGUMENT,
              std::string(function) + ": " + argument + " is NULL");
}

} // namespace

extern "C" {

const char *facet_version(void) { return "0.1.0"; }

facet_options facet_default_options(void) {
  facet_options options;
  options.num_threads = 0;
  options.device = nullptr;
  return options;
}

facet_sampling facet_default_sampling(void) {
  facet_sampling sampling;
  sampling.temperature = 0.0f;
  sampling.top_k = 0;
  sampling.top_p = 1.0f;
  sampling.seed = 0;
  return sampling;
}

facet_status facet_open(const char *path, const facet_options *options,
                        facet_model **model) {
  lastError.clear();
  if (!model)
    return nullArgument("facet_open", "model");
  *model = nullptr;
  if (!path)
    return nullArgument("facet_open", "path");
  facet::runtime::Options cppOptions;
  if (options) {
    cppOptions.threads = options->num_threads;
    cppOptions.device = options->device ? options->device : "";
  }
  return guard([&] {
    auto handle = std::make_unique<facet_model>();
    handle->model = Model::open(path, cppOptions);
    handle->eosTokenIds = handle->model->info().eosTokenIds;
    if (const Tokenizer *tokenizer = handle->model->tokenizer())
      handle->stream.emplace(*tokenizer, /*skipSpecial=*/true);
    *model = handle.release();
  });
}

void facet_close(facet_model *model) { delete model; }

facet_status facet_model_get_info(const facet_model *model,
                                  facet_model_info *info) {
  lastError.clear();
  if (!model)
    return nullArgument("facet_model_get_info", "model");
  if (!info)
    return nullArgument("facet_model_get_info", "info");
  const facet::runtime::ModelInfo &source = model->model->info();
  info->name = source.name.c_str();
  info->target = source.target.c_str();
  info->vocab_size = source.vocabSize;
  info->max_context = source.maxContext;
  info->prefill_chunk = source.prefillChunk;
  info->bos_token_id = source.bosTokenId;
  info->eos_token_ids = model->eosTokenIds.data();
  info->eos_token_count = model->eosTokenIds.size();
  info->num_threads = source.threads;
  info->prefill_all_logits = source.prefillAllLogits ? 1 : 0;
  return FACET_OK;
}

int64_t facet_position(const facet_model *model) {
  return model ? model->model->position() : 0;
}

facet_status facet_reset(facet_model *model) {
  if (!model)
    return nullArgument("facet_reset", "model");
  return guard([&] {
    model->model->reset();
    if (model->stream)
      model->stream->reset();
    model->pendingText.clear();
  });
}

facet_status facet_prefill(facet_model *model, const int32_t *tokens,
                           size_t count) {
  if (!model)
    return nullArgument("facet_prefill", "model");
  return guard([&] { model->model->prefill(tokens, count); });
}

facet_status facet_prefill_all_logits(facet_model *model, const int32_t *tokens,
                                      size_t count, float *all_logits) {
  if (!model)
    return nullArgument("facet_prefill_all_logits", "model");
  if (!all_logits)
    return nullArgument("facet_prefill_all_logits", "all_logits");
  return guard([&] { model->model->prefill(tokens, count, all_logits); });
}

facet_status facet_prefill_chunked(facet_model *model, const int32_t *tokens,
                                   size_t count, facet_logits_callback callback,
                                   void *user_data) {
  if (!model)
    return nullArgument("facet_prefill_chunked", "model");
  if (!callback)
    return nullArgument("facet_prefill_chunked", "callback");
  size_t vocab = size_t(model->model->info().vocabSize);
  return guard([&] {
    model->model->prefillChunked(
        tokens, count, [&](size_t first, const float *rows, size_t n) {
          callback(user_data, first, rows, n, vocab);
        });
  });
}

facet_status facet_decode(facet_model *model, int32_t token) {
  if (!model)
    return nullArgument("facet_decode", "model");
  return guard([&] { model->model->decode(token); });
}

facet_status facet_logits(const facet_model *model, const float **logits,
                          size_t *vocab_size) {
  if (!model)
    return nullArgument("facet_logits", "model");
  if (!logits)
    return nullArgument("facet_logits", "logits");
  return guard([&] {
    *logits = model->model->logits();
    if (vocab_size)
      *vocab_size = size_t(model->model->info().vocabSize);
  });
}

facet_status facet_sample(facet_model *model, const facet_sampling *sampling,
                          int32_t *token) {
  if (!model)
    return nullArgument("facet_sample", "model");
  if (!token)
    return nullArgument("facet_sample", "token");
  facet::runtime::SamplingParams params;
  if (sampling) {
    params.temperature = sampling->temperature;
    params.topK = sampling->top_k;
    params.topP = sampling->top_p;
    params.seed = sampling->seed;
  }
  return guard([&] { *token = model->model->sample(params); });
}

const char *facet_last_error(void) { return lastError.c_str(); }

const char *facet_status_string(facet_status status) {
  return facet::runtime::statusName(static_cast<Status>(status));
}

} // extern "C"

int facet_has_tokenizer(const facet_model *model) {
  return model && model->model->tokenizer() ? 1 : 0;
}

namespace {

const Tokenizer &requireTokenizer(const facet_model *model) {
  const Tokenizer *tokenizer = model->model->tokenizer();
  if (!tokenizer)
    throw Error(Status::InvalidArgument,
                "this package has no tokenizer (its checkpoint had no "
                "tokenizer.json): give token ids instead");
  return *tokenizer;
}

} // namespace

facet_status facet_tokenize(facet_model *model, const char *text,
                            size_t length, int32_t *ids, size_t capacity,
                            size_t *count) {
  if (!model)
    return nullArgument("facet_tokenize", "model");
  if (!count)
    return nullArgument("facet_tokenize", "count");
  if (!text && length > 0)
    return nullArgument("facet_tokenize", "text");
  return guard([&] {
    std::vector<int32_t> encoded = requireTokenizer(model).encode(
        std::string_view(text ? text : "", length));
    *count = encoded.size();
    if (encoded.size() > capacity)
      throw Error(Status::InvalidArgument,
                  "the text has " + std::to_string(encoded.size()) +
                      " tokens, more than the capacity of " +
                      std::to_string(capacity));
    if (!encoded.empty())
      std::memcpy(ids, encoded.data(), encoded.size() * sizeof(int32_t));
  });
}

int32_t facet_token_id(const facet_model *model, const char *text) {
  if (!model || !text || !model->model->tokenizer())
    return -1;
  return model->model->tokenizer()->tokenId(text);
}

facet_status facet_detokenize_next(facet_model *model, int32_t token,
                                   char *out, size_t capacity,
                                   size_t *length) {
  if (!model)
    return nullArgument("facet_detokenize_next", "model");
  if (!out || !length)
    return nullArgument("facet_detokenize_next", !out ? "out" : "length");
  return guard([&] {
    requireTokenizer(model);
    if (token != -1)
      model->pendingText += model->stream->push(token);
    *length = model->pendingText.size();
    if (model->pendingText.size() + 1 > capacity)
      throw Error(Status::InvalidArgument,
                  "the text needs " + std::to_string(*length + 1) +
                      " bytes, more than the capacity of " +
                      std::to_string(capacity));
    std::memcpy(out, model->pendingText.data(), model->pendingText.size());
    out[model->pendingText.size()] = '\0';
    model->pendingText.clear();
  });
}
