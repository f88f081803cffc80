//===- ByteIO.h - Little-endian serialisation of package data ---*- C++ -*-===//
//
// Part of Facet, an ahead-of-time compiler for Gemma 4 language models.
//
//===----------------------------------------------------------------------===//
//
// ByteWriter appends little-endian integers, float64 reals and
// length-prefixed strings to a byte vector: how the compiler writes a
// package. Reading is the libc-free core's job (core/ByteCursor.h), shared
// with the freestanding Hexagon runner.
//
//===----------------------------------------------------------------------===//

#ifndef FACET_RUNTIME_PACKAGE_BYTEIO_H
#define FACET_RUNTIME_PACKAGE_BYTEIO_H

#include "runtime/core/Format.h"

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

/// Little-endian loads and stores on raw bytes (no alignment needed): the
/// core's, which reads packages.
using core::loadU32;
using core::loadU64;
using core::storeU32;
using core::storeU64;

} // namespace facet::package

#endif // FACET_RUNTIME_PACKAGE_BYTEIO_H
