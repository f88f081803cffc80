//===- ByteCursor.cpp - Bounds-checked little-endian reads ----------------===//
//
// Part of Facet, an ahead-of-time compiler for Gemma 4 language models.
//
//===----------------------------------------------------------------------===//

#include "runtime/core/ByteCursor.h"

namespace facet::core {

MessageBuilder ByteCursor::fail() {
  MessageBuilder message = status.fail(Code::Format);
  message.add(what).add(": ");
  return message;
}

const uint8_t *ByteCursor::take(uint64_t bytes, const char *field) {
  if (!status.ok())
    return nullptr;
  if (bytes > remaining()) {
    fail()
        .add("truncated: ")
        .add(field)
        .add(" needs ")
        .addUnsigned(bytes)
        .add(" bytes at offset ")
        .addUnsigned(position)
        .add(", only ")
        .addUnsigned(remaining())
        .add(" remain");
    return nullptr;
  }
  const uint8_t *result = data + position;
  position += bytes;
  return result;
}

uint64_t ByteCursor::u64(const char *field) {
  const uint8_t *bytes = take(8, field);
  return bytes ? loadU64(bytes) : 0;
}

StringView ByteCursor::string(const char *field, uint64_t maxLength) {
  uint64_t length = u64(field);
  if (status.ok() && length > maxLength) {
    fail()
        .add(field)
        .add(" is ")
        .addUnsigned(length)
        .add(" bytes long, more than the limit of ")
        .addUnsigned(maxLength);
  }
  const uint8_t *bytes = status.ok() ? take(length, field) : nullptr;
  if (!bytes)
    return StringView{"", 0};
  return StringView{reinterpret_cast<const char *>(bytes), length};
}

uint64_t ByteCursor::count(const char *field, uint64_t max,
                           uint64_t minElementBytes) {
  uint64_t value = u64(field);
  if (!status.ok())
    return 0;
  if (value > max) {
    fail()
        .add(field)
        .add(" is ")
        .addUnsigned(value)
        .add(", more than the limit of ")
        .addUnsigned(max);
    return 0;
  }
  if (minElementBytes > 0 && value > remaining() / minElementBytes) {
    fail()
        .add("truncated: ")
        .add(field)
        .add(" is ")
        .addUnsigned(value)
        .add(" but only ")
        .addUnsigned(remaining())
        .add(" bytes remain");
    return 0;
  }
  return value;
}

} // namespace facet::core
