//===- TokenizerFormat.cpp - Serialise and validate tokenizer blobs -------===//
//
// Part of Facet, an ahead-of-time compiler for Gemma 4 language models.
//
//===----------------------------------------------------------------------===//

#include "runtime/tokenizer/TokenizerFormat.h"

#include "runtime/package/ByteIO.h"
#include "runtime/package/FormatError.h"
#include "runtime/tokenizer/Utf8.h"

#include <algorithm>
#include <cstring>
#include <string_view>
#include <unordered_set>

namespace facet::tokenizer {

using package::ByteWriter;
using package::FormatError;
using package::loadU32;
using package::loadU64;

namespace {

void writeString(ByteWriter &out, const std::string &text) {
  out.u32(static_cast<uint32_t>(text.size()));
  out.bytes(text.data(), text.size());
}

void writeReplacements(ByteWriter &out, const std::vector<Replacement> &list) {
  out.u32(static_cast<uint32_t>(list.size()));
  for (const Replacement &replacement : list) {
    writeString(out, replacement.pattern);
    writeString(out, replacement.content);
  }
}

/// Shows a token's text in a message: escaped and truncated, because it
/// comes from an untrusted file.
std::string quote(std::string_view text) {
  std::string out = "'";
  for (size_t i = 0; i < text.size() && i < 40; ++i) {
    auto byte = static_cast<uint8_t>(text[i]);
    if (byte < 0x20 || byte == 0x7F || byte == '\'' || byte == '\\') {
      static const char kHex[] = "0123456789abcdef";
      out += "\\x";
      out += kHex[byte >> 4];
      out += kHex[byte & 15];
    } else {
      out += static_cast<char>(byte);
    }
  }
  if (text.size() > 40)
    out += "...";
  return out + "'";
}

/// A bounds-checked cursor over the blob; every failure names the field and
/// the offset.
class Reader {
public:
  Reader(const uint8_t *data, size_t size, const std::string &origin)
      : data(data), size(size), origin(origin) {}

  [[noreturn]] void fail(const std::string &message) const {
    throw FormatError(origin + ": " + message);
  }

  const uint8_t *take(size_t bytes, const std::string &field) {
    if (bytes > size - position)
      fail("truncated: " + field + " needs " + std::to_string(bytes) +
           " bytes at offset " + std::to_string(position) + ", " +
           std::to_string(size - position) + " left");
    const uint8_t *at = data + position;
    position += bytes;
    return at;
  }
  uint32_t u32(const std::string &field) { return loadU32(take(4, field)); }
  int32_t i32(const std::string &field) {
    return static_cast<int32_t>(u32(field));
  }

  /// A u32 length + that many bytes, at most `maxBytes`, valid UTF-8.
  std::string string(const std::string &field, uint32_t maxBytes) {
    uint32_t length = u32(field + " length");
    if (length > maxBytes)
      fail(field + " is " + std::to_string(length) + " bytes (at most " +
           std::to_string(maxBytes) + ")");
    const uint8_t *bytes = take(length, field);
    std::string text(reinterpret_cast<const char *>(bytes), length);
    if (!isValidUtf8(text))
      fail(field + " " + quote(text) + " is not valid UTF-8");
    return text;
  }

  /// A u32 count of at most `max`, each element at least `minBytes` long,
  /// so that a corrupt count fails before anything is allocated.
  uint32_t count(const std::string &field, uint32_t max, size_t minBytes) {
    uint32_t value = u32(field);
    if (value > max)
      fail(field + " is " + std::to_string(value) + " (at most " +
           std::to_string(max) + ")");
    if (static_cast<uint64_t>(value) * minBytes > size - position)
      fail(field + " is " + std::to_string(value) + " but only " +
           std::to_string(size - position) + " bytes are left");
    return value;
  }

  bool atEnd() const { return position == size; }
  size_t offset() const { return position; }

private:
  const uint8_t *data;
  size_t size;
  size_t position = 0;
  const std::string &origin;
};

std::vector<Replacement> readReplacements(Reader &in, const std::string &what) {
  uint32_t count = in.count(what + " rule count", kMaxRules, 8);
  std::vector<Replacement> list(count);
  for (uint32_t i = 0; i < count; ++i) {
    std::string field = what + " rule " + std::to_string(i);
    list[i].pattern = in.string(field + " pattern", kMaxRuleBytes);
    list[i].content = in.string(field + " content", kMaxRuleBytes);
    if (list[i].pattern.empty())
      in.fail(field + " has an empty pattern");
  }
  // Every rule may grow a text by up to |content| / |pattern|; bound the
  // product, so that rules from a hostile file cannot make one input (or
  // the decoded vocabulary) explode in memory. Gemma's are 3 and 1.
  uint64_t growth = 1;
  for (const Replacement &rule : list) {
    growth *=
        std::max<uint64_t>(1, (rule.content.size() + rule.pattern.size() - 1) /
                                  rule.pattern.size());
    if (growth > kMaxReplacementGrowth)
      in.fail(what + " rules may grow a text more than " +
              std::to_string(kMaxReplacementGrowth) + "-fold");
  }
  return list;
}

void readTokens(Reader &in, TokenizerData &data, uint32_t count) {
  data.tokens.resize(count);
  std::unordered_set<std::string_view> seen;
  seen.reserve(count);
  for (uint32_t id = 0; id < count; ++id) {
    std::string field = "token " + std::to_string(id);
    TokenEntry &token = data.tokens[id];
    token.flags = in.u32(field + " flags");
    token.text = in.string(field + " text", kMaxTokenBytes);
    if (token.flags & ~kKnownTokenEntryFlags)
      in.fail(field + " has unknown flags " + std::to_string(token.flags));
    if (token.flags == 0) {
      if (!token.text.empty())
        in.fail(field + " has text but no flags");
      continue; // a gap in the id space
    }
    if (token.text.empty())
      in.fail(field + " has an empty text");
    if ((token.flags & (kTokenSpecial | kTokenNormalized)) &&
        !(token.flags & kTokenAdded))
      in.fail(field + " is special or normalized but not an added token");
    if (!seen.insert(token.text).second)
      in.fail(field + " " + quote(token.text) +
              " has the same text as an earlier token");
  }
}

void readMerges(Reader &in, TokenizerData &data, uint32_t count) {
  data.merges.resize(count);
  std::unordered_set<uint64_t> pairs;
  pairs.reserve(count);
  auto checkId = [&](uint32_t id, uint32_t rank, const char *part) {
    if (id >= data.tokens.size())
      in.fail("merge " + std::to_string(rank) + " " + part + " id " +
              std::to_string(id) + " is out of range (" +
              std::to_string(data.tokens.size()) + " tokens)");
    if (!(data.tokens[id].flags & kTokenInVocab))
      in.fail("merge " + std::to_string(rank) + " " + part + " token " +
              std::to_string(id) + " is not in the BPE vocabulary");
  };
  for (uint32_t rank = 0; rank < count; ++rank) {
    const uint8_t *bytes = in.take(12, "merge " + std::to_string(rank));
    MergeRule &merge = data.merges[rank];
    merge.left = loadU32(bytes);
    merge.right = loadU32(bytes + 4);
    merge.result = loadU32(bytes + 8);
    checkId(merge.left, rank, "left");
    checkId(merge.right, rank, "right");
    checkId(merge.result, rank, "result");
    const std::string &left = data.tokens[merge.left].text;
    const std::string &right = data.tokens[merge.right].text;
    const std::string &result = data.tokens[merge.result].text;
    // The encoder tracks byte lengths of merged symbols; a result that is
    // not the concatenation would break that (and is no BPE merge).
    if (result.size() != left.size() + right.size() ||
        result.compare(0, left.size(), left) != 0 ||
        result.compare(left.size(), right.size(), right) != 0)
      in.fail("merge " + std::to_string(rank) + " " + quote(left) + " + " +
              quote(right) + " gives " + quote(result) +
              ", not their concatenation");
    uint64_t key = (static_cast<uint64_t>(merge.left) << 32) | merge.right;
    if (!pairs.insert(key).second)
      in.fail("merge " + std::to_string(rank) + " " + quote(left) + " + " +
              quote(right) + " appears twice");
  }
}

std::vector<SplitRule> readSplitRules(Reader &in) {
  uint32_t count = in.count("pre-split rule count", kMaxRules, 12);
  std::vector<SplitRule> rules(count);
  for (uint32_t i = 0; i < count; ++i) {
    std::string field = "pre-split rule " + std::to_string(i);
    uint32_t kind = in.u32(field + " kind");
    uint32_t behavior = in.u32(field + " behavior");
    rules[i].pattern = in.string(field + " pattern", kMaxRuleBytes);
    if (kind != static_cast<uint32_t>(SplitKind::NewlineRuns) &&
        kind != static_cast<uint32_t>(SplitKind::Literal))
      in.fail(field + " has unknown kind " + std::to_string(kind));
    if (behavior < static_cast<uint32_t>(SplitBehavior::Removed) ||
        behavior > static_cast<uint32_t>(SplitBehavior::Contiguous))
      in.fail(field + " has unknown behavior " + std::to_string(behavior));
    rules[i].kind = static_cast<SplitKind>(kind);
    rules[i].behavior = static_cast<SplitBehavior>(behavior);
    if (rules[i].kind == SplitKind::Literal && rules[i].pattern.empty())
      in.fail(field + " is a literal split with an empty pattern");
    if (rules[i].kind == SplitKind::NewlineRuns && !rules[i].pattern.empty())
      in.fail(field + " is a newline split with a pattern");
  }
  return rules;
}

void checkSpecialId(Reader &in, const TokenizerData &data, int32_t id,
                    const char *what) {
  if (id == -1)
    return;
  if (id < 0 || static_cast<size_t>(id) >= data.tokens.size())
    in.fail(std::string(what) + " id " + std::to_string(id) +
            " is out of range (" + std::to_string(data.tokens.size()) +
            " tokens)");
  if (data.tokens[id].flags == 0)
    in.fail(std::string(what) + " id " + std::to_string(id) +
            " is not a token");
}

} // namespace

std::vector<uint8_t> serializeTokenizer(const TokenizerData &data) {
  ByteWriter out;
  out.bytes(kTokenizerMagic, sizeof(kTokenizerMagic));
  out.u32(kTokenizerFormatVersion);
  out.u32(data.flags);
  out.u32(static_cast<uint32_t>(data.tokens.size()));
  out.u32(static_cast<uint32_t>(data.merges.size()));
  out.u32(static_cast<uint32_t>(data.unknownId));
  out.u32(static_cast<uint32_t>(data.bosId));
  out.u32(static_cast<uint32_t>(data.eosId));
  out.u32(static_cast<uint32_t>(data.padId));
  out.u64(0); // total size, patched below
  for (const TokenEntry &token : data.tokens) {
    out.u32(token.flags);
    writeString(out, token.text);
  }
  for (const MergeRule &merge : data.merges) {
    out.u32(merge.left);
    out.u32(merge.right);
    out.u32(merge.result);
  }
  writeReplacements(out, data.normalizer);
  out.u32(static_cast<uint32_t>(data.preSplit.size()));
  for (const SplitRule &rule : data.preSplit) {
    out.u32(static_cast<uint32_t>(rule.kind));
    out.u32(static_cast<uint32_t>(rule.behavior));
    writeString(out, rule.pattern);
  }
  writeReplacements(out, data.decoder);
  std::vector<uint8_t> bytes = out.take();
  package::storeU64(bytes.data() + 40, bytes.size());
  return bytes;
}

TokenizerData parseTokenizer(const uint8_t *bytes, size_t size,
                             const std::string &origin) {
  Reader in(bytes, size, origin);
  if (size < kTokenizerHeaderSize)
    in.fail("truncated: " + std::to_string(size) +
            " bytes, the header alone is " +
            std::to_string(kTokenizerHeaderSize));
  if (std::memcmp(bytes, kTokenizerMagic, sizeof(kTokenizerMagic)) != 0)
    in.fail("not a Facet tokenizer (bad magic)");
  in.take(sizeof(kTokenizerMagic), "magic");
  uint32_t version = in.u32("version");
  if (version != kTokenizerFormatVersion)
    in.fail("format version " + std::to_string(version) +
            ", this runtime reads version " +
            std::to_string(kTokenizerFormatVersion));
  TokenizerData data;
  data.flags = in.u32("flags");
  if (data.flags & ~kKnownTokenizerFlags)
    in.fail("unknown flags " + std::to_string(data.flags));
  uint32_t tokenCount = in.u32("token count");
  uint32_t mergeCount = in.u32("merge count");
  data.unknownId = in.i32("unknown id");
  data.bosId = in.i32("bos id");
  data.eosId = in.i32("eos id");
  data.padId = in.i32("pad id");
  uint64_t totalSize = loadU64(in.take(8, "size"));
  if (totalSize != size)
    in.fail("the header says " + std::to_string(totalSize) +
            " bytes but the blob has " + std::to_string(size));
  if (tokenCount == 0 || tokenCount > kMaxTokens)
    in.fail("token count " + std::to_string(tokenCount) + " is not in 1 … " +
            std::to_string(kMaxTokens));
  // Each token takes at least 8 bytes (flags + length), each merge 12.
  if (static_cast<uint64_t>(tokenCount) * 8 > size - in.offset())
    in.fail("token count " + std::to_string(tokenCount) + " but only " +
            std::to_string(size - in.offset()) + " bytes are left");
  readTokens(in, data, tokenCount);
  if (static_cast<uint64_t>(mergeCount) * 12 > size - in.offset())
    in.fail("merge count " + std::to_string(mergeCount) + " but only " +
            std::to_string(size - in.offset()) + " bytes are left");
  readMerges(in, data, mergeCount);
  data.normalizer = readReplacements(in, "normalizer");
  data.preSplit = readSplitRules(in);
  data.decoder = readReplacements(in, "decoder");
  if (!in.atEnd())
    in.fail(std::to_string(size - in.offset()) +
            " unexpected bytes after the decoder rules");

  checkSpecialId(in, data, data.unknownId, "unknown token");
  if (data.unknownId >= 0 &&
      !(data.tokens[data.unknownId].flags & kTokenInVocab))
    in.fail("unknown token id " + std::to_string(data.unknownId) +
            " is not in the BPE vocabulary");
  checkSpecialId(in, data, data.bosId, "bos");
  checkSpecialId(in, data, data.eosId, "eos");
  checkSpecialId(in, data, data.padId, "pad");
  return data;
}

int byteTokenValue(const std::string &text) {
  // Hugging Face: length 6, "<0x" ... ">", and u8::from_str_radix(16) of
  // the two bytes between, which also takes a '+' sign ("<0x+A>").
  if (text.size() != 6 || text.compare(0, 3, "<0x") != 0 || text[5] != '>')
    return -1;
  auto hex = [](char c) {
    if (c >= '0' && c <= '9')
      return c - '0';
    if (c >= 'a' && c <= 'f')
      return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
      return c - 'A' + 10;
    return -1;
  };
  int high = hex(text[3]), low = hex(text[4]);
  if (text[3] == '+')
    return low;
  if (high < 0 || low < 0)
    return -1;
  return high * 16 + low;
}

} // namespace facet::tokenizer
