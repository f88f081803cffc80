//===- Status.h - Errors of the libc-free core ------------------*- C++ -*-===//
//
// Part of Facet, an ahead-of-time compiler for Gemma 4 language models.
//
//===----------------------------------------------------------------------===//
//
// The core runs where there are no exceptions and no heap (the Hexagon
// runner), so a failure is a Status: a code and a message in a fixed-size
// buffer. MessageBuilder writes messages without libc formatting: C strings,
// byte views, unsigned and signed decimals, escaped bytes; text past the
// buffer's end is dropped (the message stays NUL-terminated), so a hostile
// name can shorten a message but never overflow it. The host runtime turns
// a Status into its exceptions with the same text.
//
//===----------------------------------------------------------------------===//

#ifndef FACET_RUNTIME_CORE_STATUS_H
#define FACET_RUNTIME_CORE_STATUS_H

#include <stddef.h>
#include <stdint.h>

namespace facet::core {

/// What went wrong; the host maps each onto facet::runtime::Status.
enum class Code : uint32_t {
  Ok = 0,
  Format,          // the package or manifest breaks the format
  InvalidArgument, // a call's token count is out of range
  ContextOverflow, // a call's positions do not fit the compiled context
  TokenOutOfRange, // a token id outside the vocabulary
  Kernel,          // a kernel launch failed
  OutOfMemory,     // the arena is exhausted
  Internal,        // the caller broke the core's preconditions
};

/// Appends text to a fixed buffer, always NUL-terminated.
class MessageBuilder {
public:
  MessageBuilder(char *buffer, size_t capacity);

  MessageBuilder &add(const char *text);
  MessageBuilder &add(const char *text, uint64_t length);
  MessageBuilder &addUnsigned(uint64_t value);
  MessageBuilder &addSigned(int64_t value);
  /// Printable ASCII as is (except \ and "), every other byte as \xNN.
  MessageBuilder &addEscaped(const uint8_t *bytes, uint64_t length);

  size_t length() const { return used; }

private:
  void put(char c);

  char *buffer;
  size_t capacity;
  size_t used = 0;
};

struct Status {
  static constexpr size_t kMessageSize = 1024;

  Code code = Code::Ok;
  char message[kMessageSize] = {};

  bool ok() const { return code == Code::Ok; }
  /// Sets `code`, clears the message and returns a builder for it.
  MessageBuilder fail(Code failure);
};

} // namespace facet::core

#endif // FACET_RUNTIME_CORE_STATUS_H
