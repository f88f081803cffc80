//===- Tokenizer.h - Facet runtime tokenizer, C++ interface -----*- C++ -*-===//
//
// Part of Facet, an ahead-of-time compiler for Gemma 4 language models.
//
//===----------------------------------------------------------------------===//
//
// Text <-> token ids for a compiled model, from the tokenizer blob the
// compiler converts from Hugging Face's tokenizer.json (format: "Tokenizer
// section" in runtime/README.md). Encoding gives the ids Hugging Face
// `tokenizers` gives with add_special_tokens=False: added tokens such as
// <bos> or <|turn> are matched whole first, the rest is normalised
// (' ' -> U+2581), pre-split and byte-pair encoded, with <0xXX> byte tokens
// for characters outside the vocabulary. No BOS is prepended: callers (the
// chat template) add bosId() themselves.
//
// A Tokenizer is immutable after construction: any number of threads may
// encode and decode with it at once. A TokenStreamDecoder is used by one
// thread at a time. Errors are facet::runtime::Error (Status::Format for a
// malformed blob, Status::Io for an unreadable file, Status::TokenOutOfRange
// for ids outside the vocabulary). Standard C++17 only.
//
//===----------------------------------------------------------------------===//

#ifndef FACET_TOKENIZER_H
#define FACET_TOKENIZER_H

#include "facet/Runtime.h"

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace facet::runtime {

class Tokenizer {
public:
  /// Parses and validates a blob (copied: the caller may free it).
  static Tokenizer fromBlob(const uint8_t *data, size_t size,
                            const std::string &origin = "tokenizer");
  /// Reads a file that holds just a blob.
  static Tokenizer fromFile(const std::string &path);

  std::vector<int32_t> encode(std::string_view text) const;

  /// Concatenates the tokens' texts (U+2581 -> ' '); runs of <0xXX> byte
  /// tokens become their UTF-8 text, each byte of an invalid or incomplete
  /// sequence U+FFFD, so the result is always valid UTF-8. With
  /// skipSpecial, special tokens (<bos>, <turn|>, ...) are left out.
  std::string decode(const int32_t *ids, size_t count,
                     bool skipSpecial = false) const;
  std::string decode(const std::vector<int32_t> &ids,
                     bool skipSpecial = false) const {
    return decode(ids.data(), ids.size(), skipSpecial);
  }

  /// The id of the token whose text is exactly `text` (e.g. "<|turn>"), or
  /// -1 if there is none.
  int32_t tokenId(std::string_view text) const;
  /// The raw text of token `id` as in tokenizer.json ("▁the", "<0x0A>",
  /// "<bos>"; empty for an unused id).
  std::string_view tokenText(int32_t id) const;
  bool isSpecial(int32_t id) const;

  /// Ids from tokenizer.json / tokenizer_config.json, -1 where absent.
  int32_t bosId() const;
  int32_t eosId() const;
  int32_t padId() const;
  int32_t unknownId() const;
  /// Ids are 0 … vocabSize() - 1.
  size_t vocabSize() const;

  struct Impl;

private:
  explicit Tokenizer(std::shared_ptr<const Impl> impl);
  std::shared_ptr<const Impl> impl;
  friend class TokenStreamDecoder;
};

/// Decodes tokens one at a time as a model generates them. push() returns
/// the text that is complete so far: a character spread over several byte
/// tokens comes out whole once its last byte arrives, never in halves. The
/// concatenation of every push() and finish() equals decode() of all ids.
class TokenStreamDecoder {
public:
  explicit TokenStreamDecoder(const Tokenizer &tokenizer,
                              bool skipSpecial = false);

  std::string push(int32_t id);
  /// Ends the stream: an incomplete character becomes U+FFFD per byte.
  std::string finish();
  /// Drops any pending bytes and starts a new stream.
  void reset();

private:
  friend class Tokenizer;
  void append(int32_t id, std::string &out);
  void appendByte(uint8_t byte, std::string &out);
  void flush(std::string &out);

  std::shared_ptr<const Tokenizer::Impl> impl;
  bool skipSpecial;
  uint8_t pending[4] = {};
  unsigned pendingBytes = 0;
  unsigned expectedBytes = 0;
};

} // namespace facet::runtime

#endif // FACET_TOKENIZER_H
