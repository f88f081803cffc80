//===- Status.cpp - Errors of the libc-free core --------------------------===//
//
// Part of Facet, an ahead-of-time compiler for Gemma 4 language models.
//
//===----------------------------------------------------------------------===//

#include "runtime/core/Status.h"

namespace facet::core {

MessageBuilder::MessageBuilder(char *buffer, size_t capacity)
    : buffer(buffer), capacity(capacity) {
  if (capacity > 0)
    buffer[0] = '\0';
}

void MessageBuilder::put(char c) {
  if (used + 1 >= capacity)
    return;
  buffer[used++] = c;
  buffer[used] = '\0';
}

MessageBuilder &MessageBuilder::add(const char *text) {
  for (; *text; ++text)
    put(*text);
  return *this;
}

MessageBuilder &MessageBuilder::add(const char *text, uint64_t length) {
  for (uint64_t i = 0; i < length; ++i)
    put(text[i]);
  return *this;
}

MessageBuilder &MessageBuilder::addUnsigned(uint64_t value) {
  char digits[20];
  int count = 0;
  do {
    digits[count++] = char('0' + value % 10);
    value /= 10;
  } while (value != 0);
  while (count > 0)
    put(digits[--count]);
  return *this;
}

MessageBuilder &MessageBuilder::addSigned(int64_t value) {
  if (value >= 0)
    return addUnsigned(uint64_t(value));
  put('-');
  // Negate in unsigned arithmetic: -INT64_MIN does not fit an int64.
  return addUnsigned(~uint64_t(value) + 1);
}

MessageBuilder &MessageBuilder::addEscaped(const uint8_t *bytes,
                                           uint64_t length) {
  static const char hex[] = "0123456789abcdef";
  for (uint64_t i = 0; i < length; ++i) {
    char c = char(bytes[i]);
    if (bytes[i] >= 0x20 && bytes[i] < 0x7f && c != '\\' && c != '"') {
      put(c);
    } else {
      put('\\');
      put('x');
      put(hex[bytes[i] >> 4]);
      put(hex[bytes[i] & 15]);
    }
  }
  return *this;
}

MessageBuilder Status::fail(Code failure) {
  code = failure;
  return MessageBuilder(message, kMessageSize);
}

} // namespace facet::core
