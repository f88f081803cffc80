//===- Tokenizer.cpp - The runtime tokenizer: encode and decode -----------===//
//
// Part of Facet, an ahead-of-time compiler for Gemma 4 language models.
//
//===----------------------------------------------------------------------===//

#include "facet/Tokenizer.h"

#include "runtime/package/FormatError.h"
#include "runtime/tokenizer/AddedTokenMatcher.h"
#include "runtime/tokenizer/BpeModel.h"
#include "runtime/tokenizer/TextRules.h"
#include "runtime/tokenizer/TokenizerFormat.h"
#include "runtime/tokenizer/Utf8.h"

#include <cerrno>
#include <cstring>
#include <fstream>
#include <iterator>
#include <unordered_map>

namespace facet::runtime {

using namespace facet::tokenizer;

/// Everything derived from a validated blob. Built once, then shared and
/// never modified (members refer to each other, so it is never moved).
struct Tokenizer::Impl {
  explicit Impl(TokenizerData parsed, const std::string &origin);
  Impl(const Impl &) = delete;
  Impl &operator=(const Impl &) = delete;

  TokenizerData data;
  std::unordered_map<std::string_view, int32_t> ids; // every token's text
  BpeModel bpe;
  AddedTokenMatcher rawAdded;        // matched in the input as given
  AddedTokenMatcher normalizedAdded; // matched after normalisation
  /// Token id -> its text after the decoder's replacements.
  std::string decodedText;
  std::vector<uint32_t> decodedOffsets;
  /// Token id -> the byte it decodes to, or -1 (a text token).
  std::vector<int16_t> byteValues;

  std::string_view decoded(int32_t id) const {
    return std::string_view(decodedText)
        .substr(decodedOffsets[id],
                decodedOffsets[id + 1] - decodedOffsets[id]);
  }
};

namespace {

std::unordered_map<std::string_view, int32_t>
indexTokens(const TokenizerData &data) {
  std::unordered_map<std::string_view, int32_t> ids;
  ids.reserve(data.tokens.size());
  for (size_t id = 0; id < data.tokens.size(); ++id)
    if (data.tokens[id].flags != 0)
      ids.emplace(data.tokens[id].text, static_cast<int32_t>(id));
  return ids;
}

const char kReplacementCharacter[] = "\xEF\xBF\xBD"; // U+FFFD

} // namespace

Tokenizer::Impl::Impl(TokenizerData parsed, const std::string &origin)
    : data(std::move(parsed)), ids(indexTokens(data)), bpe(data, ids) {
  size_t count = data.tokens.size();
  decodedOffsets.reserve(count + 1);
  byteValues.assign(count, -1);
  bool byteFallback = data.flags & kFlagDecodeByteFallback;
  for (size_t id = 0; id < count; ++id) {
    const TokenEntry &token = data.tokens[id];
    decodedOffsets.push_back(static_cast<uint32_t>(decodedText.size()));
    std::string text = applyReplacements(token.text, data.decoder);
    if (byteFallback && token.flags != 0)
      byteValues[id] = static_cast<int16_t>(byteTokenValue(text));
    decodedText += text;
    if (!(token.flags & kTokenAdded))
      continue;
    if (!(token.flags & kTokenNormalized)) {
      rawAdded.add(token.text, static_cast<int32_t>(id));
      continue;
    }
    std::string pattern = applyReplacements(token.text, data.normalizer);
    if (pattern.empty())
      throw package::FormatError(origin + ": added token " +
                                 std::to_string(id) +
                                 " is empty after normalisation");
    normalizedAdded.add(pattern, static_cast<int32_t>(id));
  }
  decodedOffsets.push_back(static_cast<uint32_t>(decodedText.size()));
  if (decodedText.size() > UINT32_MAX)
    throw package::FormatError(origin + ": decoded token texts exceed 4 GiB");
}

Tokenizer::Tokenizer(std::shared_ptr<const Impl> impl)
    : impl(std::move(impl)) {}

Tokenizer Tokenizer::fromBlob(const uint8_t *data, size_t size,
                              const std::string &origin) {
  try {
    return Tokenizer(std::make_shared<const Impl>(
        parseTokenizer(data, size, origin), origin));
  } catch (const package::FormatError &error) {
    throw Error(Status::Format, error.what());
  } catch (const std::bad_alloc &) {
    throw Error(Status::OutOfMemory, origin + ": out of memory");
  }
}

Tokenizer Tokenizer::fromFile(const std::string &path) {
  std::ifstream in(path, std::ios::binary);
  if (!in)
    throw Error(Status::Io, path + ": cannot open: " + std::strerror(errno));
  std::vector<uint8_t> bytes((std::istreambuf_iterator<char>(in)),
                             std::istreambuf_iterator<char>());
  if (in.bad())
    throw Error(Status::Io, path + ": cannot read");
  return fromBlob(bytes.data(), bytes.size(), path);
}

std::vector<int32_t> Tokenizer::encode(std::string_view text) const {
  const Impl &self = *impl;
  std::vector<int32_t> out;
  out.reserve(text.size() / 3 + 1);
  BpeModel::Scratch scratch;
  std::vector<std::string_view> pieces, splitScratch;
  auto pushToken = [&](int32_t id) { out.push_back(id); };
  auto encodeNormalized = [&](std::string_view normalized) {
    pieces.clear();
    preSplit(normalized, self.data.preSplit, pieces, splitScratch);
    for (std::string_view piece : pieces)
      self.bpe.encode(piece, scratch, out);
  };
  auto encodeRaw = [&](std::string_view segment) {
    std::string normalized = applyReplacements(segment, self.data.normalizer);
    if (self.normalizedAdded.empty())
      encodeNormalized(normalized);
    else
      self.normalizedAdded.split(normalized, encodeNormalized, pushToken);
  };
  self.rawAdded.split(text, encodeRaw, pushToken);
  return out;
}

std::string Tokenizer::decode(const int32_t *ids, size_t count,
                              bool skipSpecial) const {
  TokenStreamDecoder stream(*this, skipSpecial);
  std::string out;
  for (size_t i = 0; i < count; ++i)
    stream.append(ids[i], out);
  stream.flush(out);
  return out;
}

int32_t Tokenizer::tokenId(std::string_view text) const {
  auto found = impl->ids.find(text);
  return found == impl->ids.end() ? -1 : found->second;
}

std::string_view Tokenizer::tokenText(int32_t id) const {
  if (id < 0 || static_cast<size_t>(id) >= impl->data.tokens.size())
    throw Error(Status::TokenOutOfRange,
                "token id " + std::to_string(id) +
                    " is outside the vocabulary (" +
                    std::to_string(impl->data.tokens.size()) + " tokens)");
  return impl->data.tokens[id].text;
}

bool Tokenizer::isSpecial(int32_t id) const {
  return id >= 0 && static_cast<size_t>(id) < impl->data.tokens.size() &&
         (impl->data.tokens[id].flags & kTokenSpecial);
}

int32_t Tokenizer::bosId() const { return impl->data.bosId; }
int32_t Tokenizer::eosId() const { return impl->data.eosId; }
int32_t Tokenizer::padId() const { return impl->data.padId; }
int32_t Tokenizer::unknownId() const { return impl->data.unknownId; }
size_t Tokenizer::vocabSize() const { return impl->data.tokens.size(); }

TokenStreamDecoder::TokenStreamDecoder(const Tokenizer &tokenizer,
                                       bool skipSpecial)
    : impl(tokenizer.impl), skipSpecial(skipSpecial) {}

std::string TokenStreamDecoder::push(int32_t id) {
  std::string out;
  append(id, out);
  return out;
}

std::string TokenStreamDecoder::finish() {
  std::string out;
  flush(out);
  return out;
}

void TokenStreamDecoder::reset() { pendingBytes = expectedBytes = 0; }

void TokenStreamDecoder::append(int32_t id, std::string &out) {
  const Tokenizer::Impl &self = *impl;
  if (id < 0 || static_cast<size_t>(id) >= self.data.tokens.size())
    throw Error(Status::TokenOutOfRange,
                "token id " + std::to_string(id) +
                    " is outside the vocabulary (" +
                    std::to_string(self.data.tokens.size()) + " tokens)");
  uint32_t flags = self.data.tokens[id].flags;
  // Unused ids and skipped specials vanish without ending a byte run, as
  // in Hugging Face (it drops them before its decoders run).
  if (flags == 0 || (skipSpecial && (flags & kTokenSpecial)))
    return;
  if (self.byteValues[id] >= 0) {
    appendByte(static_cast<uint8_t>(self.byteValues[id]), out);
    return;
  }
  flush(out);
  out += self.decoded(id);
}

void TokenStreamDecoder::appendByte(uint8_t byte, std::string &out) {
  if (expectedBytes != 0) {
    bool fits = pendingBytes == 1 ? utf8ValidSecondByte(pending[0], byte)
                                  : (byte >= 0x80 && byte <= 0xBF);
    if (fits) {
      pending[pendingBytes++] = byte;
      if (pendingBytes == expectedBytes) {
        out.append(reinterpret_cast<const char *>(pending), pendingBytes);
        pendingBytes = expectedBytes = 0;
      }
      return;
    }
    flush(out); // the pending sequence can no longer complete
  }
  unsigned length = utf8SequenceLength(byte);
  if (length == 1) {
    out += static_cast<char>(byte);
  } else if (length == 0) {
    out += kReplacementCharacter;
  } else {
    pending[0] = byte;
    pendingBytes = 1;
    expectedBytes = length;
  }
}

void TokenStreamDecoder::flush(std::string &out) {
  for (unsigned i = 0; i < pendingBytes; ++i)
    out += kReplacementCharacter;
  pendingBytes = expectedBytes = 0;
}

} // namespace facet::runtime
