//===- Json.h - Hardened JSON parsing for untrusted files -------*- C++ -*-===//
//
// Part of Facet, an ahead-of-time compiler for Gemma 4 language models.
//
//===----------------------------------------------------------------------===//
//
// A thin layer over nlohmann::json for parsing files Facet does not trust
// (safetensors headers, config.json, shard indexes): every failure becomes a
// facet::Error that names the file, nesting depth is bounded, and duplicate
// object keys (which nlohmann would silently resolve to the last one) can be
// rejected.
//
//===----------------------------------------------------------------------===//

#ifndef FACET_FRONTEND_SUPPORT_JSON_H
#define FACET_FRONTEND_SUPPORT_JSON_H

#include <nlohmann/json.hpp>

#include <cstdint>
#include <string>
#include <string_view>

namespace facet {

struct JsonParseOptions {
  /// Reject an object that spells the same key twice (at any depth).
  bool rejectDuplicateKeys = true;
  /// Reject nesting deeper than this many arrays/objects.
  unsigned maxDepth = 64;
  /// Reject arrays with more elements than this (bounds the memory a
  /// hostile file can make the parser allocate).
  size_t maxArrayLength = SIZE_MAX;
  /// What a key of the top-level object is called in the duplicate-key
  /// message ("duplicate tensor name 'x'").
  const char *topLevelKeyNoun = "key";
};

/// Parses `text` (which must be UTF-8 JSON). Throws facet::Error with
/// "<origin>: invalid JSON: ..." on any syntax, encoding, number-range or
/// depth problem, and "<origin>: duplicate <noun> '<key>'" for a repeated
/// object key.
nlohmann::json parseJson(std::string_view text, std::string_view origin,
                         const JsonParseOptions &options = {});

/// A user-facing name for the JSON type of `value`: "null", "boolean",
/// "integer", "number" (non-integral), "string", "array", "object".
const char *jsonTypeName(const nlohmann::json &value);

/// Quotes and escapes `text` for an error message, truncating long strings
/// (untrusted input should not produce megabyte-long messages).
std::string quoteForMessage(std::string_view text, size_t maxLength = 80);

} // namespace facet

#endif // FACET_FRONTEND_SUPPORT_JSON_H
