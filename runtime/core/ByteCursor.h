//===- ByteCursor.h - Bounds-checked little-endian reads --------*- C++ -*-===//
//
// Part of Facet, an ahead-of-time compiler for Gemma 4 language models.
//
//===----------------------------------------------------------------------===//
//
// Reads the manifest's fields (uint64 integers, length-prefixed strings,
// element counts) and checks every read against the end of the input, so a
// malformed package becomes a Format status naming the field, never a read
// out of bounds. The first failure sticks: later reads return zeros and
// leave the message alone, so a parser may read a group of fields and check
// ok() once.
//
//===----------------------------------------------------------------------===//

#ifndef FACET_RUNTIME_CORE_BYTECURSOR_H
#define FACET_RUNTIME_CORE_BYTECURSOR_H

#include "runtime/core/ManifestView.h"
#include "runtime/core/Status.h"

namespace facet::core {

class ByteCursor {
public:
  /// `what` prefixes every message ("<what>: truncated: ...").
  ByteCursor(const uint8_t *data, uint64_t size, const char *what,
             Status &status)
      : data(data), size(size), what(what), status(status) {}

  uint64_t u64(const char *field);
  int64_t i64(const char *field) { return static_cast<int64_t>(u64(field)); }
  /// A length-prefixed string of at most `maxLength` bytes, pointing into
  /// the input.
  StringView string(const char *field, uint64_t maxLength = 4096);
  /// A uint64 element count: at most `max`, and small enough that `count`
  /// elements of at least `minElementBytes` each fit in the remaining input
  /// (so a corrupt count cannot make the reader allocate much).
  uint64_t count(const char *field, uint64_t max, uint64_t minElementBytes);

  bool ok() const { return status.ok(); }
  uint64_t remaining() const { return size - position; }
  bool atEnd() const { return position == size; }

  /// Sets a Format status and returns its builder, "<what>: " written.
  MessageBuilder fail();

private:
  const uint8_t *take(uint64_t bytes, const char *field);

  const uint8_t *data;
  uint64_t size;
  uint64_t position = 0;
  const char *what;
  Status &status;
};

} // namespace facet::core

#endif // FACET_RUNTIME_CORE_BYTECURSOR_H
