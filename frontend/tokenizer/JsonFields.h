//===- JsonFields.h - Checked access to tokenizer.json fields ---*- C++ -*-===//
//
// Part of Facet, an ahead-of-time compiler for Gemma 4 language models.
//
//===----------------------------------------------------------------------===//
//
// Small typed accessors for the tokenizer importer, each failing with a
// facet::Error "<origin>: <json path>: <problem>" so every message says
// where in tokenizer.json the problem is.
//
//===----------------------------------------------------------------------===//

#ifndef FACET_FRONTEND_TOKENIZER_JSONFIELDS_H
#define FACET_FRONTEND_TOKENIZER_JSONFIELDS_H

#include "frontend/support/Error.h"
#include "frontend/support/Json.h"

#include <fmt/format.h>

#include <string>
#include <string_view>

namespace facet::tokenizer_import {

class JsonFields {
public:
  explicit JsonFields(std::string_view origin) : origin(origin) {}

  [[noreturn]] void fail(std::string_view where,
                         const std::string &problem) const {
    throw Error(fmt::format("{}: {}: {}", origin, where, problem));
  }

  /// `object[key]` of any type; nullptr if absent. `object` must be an
  /// object (checked).
  const nlohmann::json *find(const nlohmann::json &object,
                             std::string_view where,
                             std::string_view key) const {
    if (!object.is_object())
      fail(where,
           fmt::format("expected an object, found {}", jsonTypeName(object)));
    auto it = object.find(key);
    return it == object.end() ? nullptr : &*it;
  }

  const nlohmann::json &require(const nlohmann::json &object,
                                std::string_view where,
                                std::string_view key) const {
    const nlohmann::json *value = find(object, where, key);
    if (!value)
      fail(where, fmt::format("missing '{}'", key));
    return *value;
  }

  std::string string(const nlohmann::json &value,
                     std::string_view where) const {
    if (!value.is_string())
      fail(where,
           fmt::format("expected a string, found {}", jsonTypeName(value)));
    return value.get<std::string>();
  }

  /// An optional boolean: absent or null gives `fallback`.
  bool boolean(const nlohmann::json &object, std::string_view where,
               std::string_view key, bool fallback) const {
    const nlohmann::json *value = find(object, where, key);
    if (!value || value->is_null())
      return fallback;
    if (!value->is_boolean())
      fail(fmt::format("{}.{}", where, key),
           fmt::format("expected a boolean, found {}", jsonTypeName(*value)));
    return value->get<bool>();
  }

  /// The "type" of a component object (model, normalizer, ...).
  std::string type(const nlohmann::json &object, std::string_view where) const {
    return string(require(object, where, "type"),
                  fmt::format("{}.type", where));
  }

  /// An integer in [0, max].
  int64_t index(const nlohmann::json &value, std::string_view where,
                int64_t max) const {
    if (!value.is_number_integer())
      fail(where,
           fmt::format("expected an integer, found {}", jsonTypeName(value)));
    if (value.is_number_unsigned()) {
      if (value.get<uint64_t>() > static_cast<uint64_t>(max))
        fail(where, fmt::format("{} is out of range (at most {})",
                                value.get<uint64_t>(), max));
      return static_cast<int64_t>(value.get<uint64_t>());
    }
    int64_t number = value.get<int64_t>();
    if (number < 0 || number > max)
      fail(where, fmt::format("{} is out of range (0 … {})", number, max));
    return number;
  }

private:
  std::string origin;
};

} // namespace facet::tokenizer_import

#endif // FACET_FRONTEND_TOKENIZER_JSONFIELDS_H
