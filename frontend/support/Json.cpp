//===- Json.cpp - Hardened JSON parsing for untrusted files ---------------===//
//
// Part of Facet, an ahead-of-time compiler for Gemma 4 language models.
//
//===----------------------------------------------------------------------===//

#include "frontend/support/Json.h"
#include "frontend/support/Error.h"

#include <fmt/format.h>

#include <unordered_set>
#include <vector>

using nlohmann::json;

namespace facet {

namespace {

/// Thrown from inside the parser callback; converted to facet::Error with the
/// origin prepended by parseJson.
struct CallbackFailure {
  std::string message;
  bool syntax; // prefix "invalid JSON: "
};

/// nlohmann's messages start with "[json.exception.parse_error.101] " (the
/// tag means nothing to a user) and quote the offending input ("last read:
/// '...'"), which may be huge or not UTF-8: drop the tag, escape non-ASCII
/// bytes and truncate.
std::string describeJsonException(const char *what) {
  std::string_view message(what);
  if (!message.empty() && message.front() == '[') {
    size_t close = message.find("] ");
    if (close != std::string_view::npos)
      message.remove_prefix(close + 2);
  }
  constexpr size_t kMaxLength = 300;
  std::string out;
  for (char c : message) {
    if (out.size() >= kMaxLength) {
      out += "...";
      break;
    }
    auto byte = static_cast<unsigned char>(c);
    if (byte >= 0x80 || byte < 0x20)
      out += fmt::format("\\x{:02x}", byte);
    else
      out += c;
  }
  return out;
}

} // namespace

json parseJson(std::string_view text, std::string_view origin,
               const JsonParseOptions &options) {
  // One frame per currently open array/object.
  struct Frame {
    bool isObject;
    size_t elements = 0;                  // arrays only
    std::unordered_set<std::string> keys; // objects only
  };
  std::vector<Frame> open;
  auto countElement = [&] {
    if (open.empty() || open.back().isObject)
      return;
    if (++open.back().elements > options.maxArrayLength)
      throw CallbackFailure{
          fmt::format("array longer than {} elements", options.maxArrayLength),
          true};
  };
  auto callback = [&](int depth, json::parse_event_t event,
                      json &parsed) -> bool {
    switch (event) {
    case json::parse_event_t::object_start:
    case json::parse_event_t::array_start:
      if (static_cast<unsigned>(depth) >= options.maxDepth)
        throw CallbackFailure{
            fmt::format("nesting deeper than {} levels", options.maxDepth),
            true};
      open.push_back(Frame{event == json::parse_event_t::object_start, 0, {}});
      break;
    case json::parse_event_t::object_end:
    case json::parse_event_t::array_end:
      // The finished container is one element of its parent.
      if (!open.empty())
        open.pop_back();
      countElement();
      break;
    case json::parse_event_t::key:
      if (options.rejectDuplicateKeys && !open.empty() &&
          open.back().isObject && parsed.is_string()) {
        const auto &key = parsed.get_ref<const std::string &>();
        if (!open.back().keys.insert(key).second)
          throw CallbackFailure{
              fmt::format("duplicate {} {}",
                          depth == 1 ? options.topLevelKeyNoun : "key",
                          quoteForMessage(key)),
              false};
      }
      break;
    case json::parse_event_t::value:
      countElement();
      break;
    }
    return true;
  };

  try {
    return json::parse(text.begin(), text.end(), callback,
                       /*allow_exceptions=*/true, /*ignore_comments=*/false);
  } catch (const CallbackFailure &failure) {
    throw Error(fmt::format("{}: {}{}", origin,
                            failure.syntax ? "invalid JSON: " : "",
                            failure.message));
  } catch (const json::exception &e) {
    throw Error(fmt::format("{}: invalid JSON: {}", origin,
                            describeJsonException(e.what())));
  }
}

const char *jsonTypeName(const json &value) {
  switch (value.type()) {
  case json::value_t::null:
    return "null";
  case json::value_t::boolean:
    return "boolean";
  case json::value_t::number_integer:
  case json::value_t::number_unsigned:
    return "integer";
  case json::value_t::number_float:
    return "number";
  case json::value_t::string:
    return "string";
  case json::value_t::array:
    return "array";
  case json::value_t::object:
    return "object";
  case json::value_t::binary:
    return "binary";
  case json::value_t::discarded:
    return "discarded";
  }
  return "unknown";
}

std::string quoteForMessage(std::string_view text, size_t maxLength) {
  std::string out = "'";
  size_t shown = 0;
  for (char c : text) {
    auto byte = static_cast<unsigned char>(c);
    // Truncate, but never inside a UTF-8 sequence (continuation bytes are
    // 10xxxxxx).
    if (shown >= maxLength && (byte & 0xC0) != 0x80) {
      out += "...";
      break;
    }
    if (c == '\'' || c == '\\') {
      out += '\\';
      out += c;
    } else if (byte < 0x20 || byte == 0x7f) {
      out += fmt::format("\\x{:02x}", byte);
    } else {
      out += c; // printable ASCII or (valid or not) UTF-8 bytes
    }
    ++shown;
  }
  out += "'";
  return out;
}

} // namespace facet
