//===- ErrorMessage.h - Fixed-size error text without a heap ----*- C++ -*-===//
//
// Part of Facet, an ahead-of-time compiler for Gemma 4 language models.
//
//===----------------------------------------------------------------------===//
//
// The Hexagon support layer reports failures (a malformed shared object, an
// unreadable file) as text the runner prints, but it has no exceptions, no
// heap it may rely on while failing, and no snprintf. An ErrorMessage is a
// fixed buffer with append helpers; text beyond its capacity is cut off, never
// written out of bounds. Header-only and libc-free so that the loader's
// validation, which uses it, also builds on the host for fuzzing.
//
//===----------------------------------------------------------------------===//

#ifndef FACET_RUNTIME_HEXAGON_ERRORMESSAGE_H
#define FACET_RUNTIME_HEXAGON_ERRORMESSAGE_H

#include <stddef.h>
#include <stdint.h>

namespace facet::hexagon {

class ErrorMessage {
public:
  static constexpr size_t kCapacity = 256;

  ErrorMessage() { text_[0] = '\0'; }

  const char *text() const { return text_; }
  bool empty() const { return length_ == 0; }

  ErrorMessage &append(const char *text) {
    for (; text && *text; ++text)
      push(*text);
    return *this;
  }

  /// Appends at most `limit` characters: names taken from untrusted input
  /// stay bounded.
  ErrorMessage &append(const char *text, size_t limit) {
    for (size_t i = 0; text && i < limit && text[i]; ++i)
      push(text[i]);
    return *this;
  }

  ErrorMessage &appendUnsigned(uint64_t value) {
    char digits[20];
    int count = 0;
    do {
      uint64_t quotient = divideBy10(value);
      digits[count++] = static_cast<char>('0' + (value - quotient * 10));
      value = quotient;
    } while (value != 0);
    while (count > 0)
      push(digits[--count]);
    return *this;
  }

  ErrorMessage &appendHex(uint64_t value) {
    append("0x");
    int shift = 60;
    while (shift > 0 && ((value >> shift) & 0xf) == 0)
      shift -= 4;
    for (; shift >= 0; shift -= 4)
      push("0123456789abcdef"[(value >> shift) & 0xf]);
    return *this;
  }

private:
  void push(char c) {
    if (length_ + 1 < kCapacity) {
      text_[length_++] = c;
      text_[length_] = '\0';
    }
  }

  /// value / 10 by shifts and subtraction: on Hexagon a `/` here would call
  /// the division helpers of the support layer, which print through this.
  static uint64_t divideBy10(uint64_t value) {
    uint64_t quotient = 0;
    for (int bit = 63; bit >= 0; --bit) {
      if ((value >> bit) >= 10) {
        value -= static_cast<uint64_t>(10) << bit;
        quotient |= static_cast<uint64_t>(1) << bit;
      }
    }
    return quotient;
  }

  char text_[kCapacity];
  size_t length_ = 0;
};

} // namespace facet::hexagon

#endif // FACET_RUNTIME_HEXAGON_ERRORMESSAGE_H
