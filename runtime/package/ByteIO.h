//===- ByteIO.h - Little-endian serialisation of package data ---*- C++ -*-===//
//
// Part of Facet, an ahead-of-time compiler for Gemma 4 language models.
//
//===----------------------------------------------------------------------===//
//
// ByteWriter appends little-endian integers, float64 reals and
// length-prefixed strings to a byte vector. ByteReader reads them back and
// checks every read against the end of its input, so a malformed package
// becomes a FormatError naming the field, never a read out of bounds.
//
//===----------------------------------------------------------------------===//

#ifndef FACET_RUNTIME_PACKAGE_BYTEIO_H
#define FACET_RUNTIME_PACKAGE_BYTEIO_H

#include <cstdint>
#include <string>
#include <vector>

namespace facet::package {

class ByteWriter {
public:
  void u32(uint32_t value);
  void u64(uint64_t value);
  void i64(int64_t value) { u64(static_cast<uint64_t>(value)); }
  void f64(double value);
  /// uint64 length, then the bytes (no terminator).
  void string(const std::string &value);
  void bytes(const void *data, uint64_t size);
  /// Appends zero bytes until the size is a multiple of `alignment`.
  void padTo(uint64_t alignment);

  const std::vector<uint8_t> &data() const { return buffer; }
  std::vector<uint8_t> take() { return std::move(buffer); }
  uint64_t size() const { return buffer.size(); }

private:
  std::vector<uint8_t> buffer;
};

class ByteReader {
public:
  /// `what` prefixes every error message, e.g. "model.facet: manifest".
  ByteReader(const uint8_t *data, uint64_t size, std::string what)
      : data(data), size(size), what(std::move(what)) {}

  uint32_t u32(const char *field);
  uint64_t u64(const char *field);
  int64_t i64(const char *field) { return static_cast<int64_t>(u64(field)); }
  double f64(const char *field);
  /// A length-prefixed string of at most `maxLength` bytes.
  std::string string(const char *field, uint64_t maxLength = 4096);
  /// A uint64 element count: at most `max`, and small enough that `count`
  /// elements of at least `minElementBytes` each fit in the remaining input
  /// (so a corrupt count cannot make the reader allocate gigabytes).
  uint64_t count(const char *field, uint64_t max, uint64_t minElementBytes);

  uint64_t offset() const { return position; }
  uint64_t remaining() const { return size - position; }
  bool atEnd() const { return position == size; }

  /// Throws FormatError("<what>: <message>").
  [[noreturn]] void fail(const std::string &message) const;

private:
  const uint8_t *take(uint64_t bytes, const char *field);

  const uint8_t *data;
  uint64_t size;
  uint64_t position = 0;
  std::string what;
};

/// Little-endian loads and stores on raw bytes (no alignment needed).
uint32_t loadU32(const uint8_t *bytes);
uint64_t loadU64(const uint8_t *bytes);
void storeU32(uint8_t *bytes, uint32_t value);
void storeU64(uint8_t *bytes, uint64_t value);

} // namespace facet::package

#endif // FACET_RUNTIME_PACKAGE_BYTEIO_H
