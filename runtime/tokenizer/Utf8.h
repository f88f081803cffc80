//===- Utf8.h - UTF-8 checks for the tokenizer ------------------*- C++ -*-===//
//
// Part of Facet, an ahead-of-time compiler for Gemma 4 language models.
//
//===----------------------------------------------------------------------===//
//
// Strict UTF-8 (RFC 3629: no overlong forms, no surrogates, nothing above
// U+10FFFF), the definition Rust's str and therefore Hugging Face tokenizers
// use. Header-only: the blob parser (facet_runtime_package) and the encoder
// both need it.
//
//===----------------------------------------------------------------------===//

#ifndef FACET_RUNTIME_TOKENIZER_UTF8_H
#define FACET_RUNTIME_TOKENIZER_UTF8_H

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace facet::tokenizer {

/// The length of the sequence a lead byte starts (1–4), or 0 for a byte
/// that cannot start one (a continuation byte, C0, C1, F5–FF).
inline unsigned utf8SequenceLength(uint8_t lead) {
  if (lead < 0x80)
    return 1;
  if (lead >= 0xC2 && lead <= 0xDF)
    return 2;
  if (lead >= 0xE0 && lead <= 0xEF)
    return 3;
  if (lead >= 0xF0 && lead <= 0xF4)
    return 4;
  return 0;
}

/// Whether `byte` may follow `lead` as the second byte of a sequence; the
/// narrower ranges exclude overlong forms, surrogates and > U+10FFFF.
inline bool utf8ValidSecondByte(uint8_t lead, uint8_t byte) {
  switch (lead) {
  case 0xE0:
    return byte >= 0xA0 && byte <= 0xBF;
  case 0xED:
    return byte >= 0x80 && byte <= 0x9F;
  case 0xF0:
    return byte >= 0x90 && byte <= 0xBF;
  case 0xF4:
    return byte >= 0x80 && byte <= 0x8F;
  default:
    return byte >= 0x80 && byte <= 0xBF;
  }
}

/// The length of the valid character starting at text[pos] (1–4), or 0 when
/// the bytes there are not a complete, valid character.
inline size_t utf8ValidCharAt(std::string_view text, size_t pos) {
  auto lead = static_cast<uint8_t>(text[pos]);
  unsigned length = utf8SequenceLength(lead);
  if (length == 0 || length > text.size() - pos)
    return 0;
  for (unsigned i = 1; i < length; ++i) {
    auto byte = static_cast<uint8_t>(text[pos + i]);
    bool ok = i == 1 ? utf8ValidSecondByte(lead, byte)
                     : (byte >= 0x80 && byte <= 0xBF);
    if (!ok)
      return 0;
  }
  return length;
}

inline bool isValidUtf8(std::string_view text) {
  for (size_t pos = 0; pos < text.size();) {
    size_t length = utf8ValidCharAt(text, pos);
    if (length == 0)
      return false;
    pos += length;
  }
  return true;
}

} // namespace facet::tokenizer

#endif // FACET_RUNTIME_TOKENIZER_UTF8_H
