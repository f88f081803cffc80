//===- ByteIO.cpp - Little-endian serialisation of package data -----------===//
//
// Part of Facet, an ahead-of-time compiler for Gemma 4 language models.
//
//===----------------------------------------------------------------------===//

#include "runtime/package/ByteIO.h"

#include <cstring>

namespace facet::package {

void ByteWriter::u32(uint32_t value) {
  uint8_t bytes[4];
  storeU32(bytes, value);
  buffer.insert(buffer.end(), bytes, bytes + 4);
}

void ByteWriter::u64(uint64_t value) {
  uint8_t bytes[8];
  storeU64(bytes, value);
  buffer.insert(buffer.end(), bytes, bytes + 8);
}

void ByteWriter::f64(double value) {
  uint64_t bits;
  static_assert(sizeof(bits) == sizeof(value));
  std::memcpy(&bits, &value, sizeof(bits));
  u64(bits);
}

void ByteWriter::string(const std::string &value) {
  u64(value.size());
  bytes(value.data(), value.size());
}

void ByteWriter::bytes(const void *data, uint64_t size) {
  const auto *begin = static_cast<const uint8_t *>(data);
  buffer.insert(buffer.end(), begin, begin + size);
}

void ByteWriter::padTo(uint64_t alignment) {
  while (buffer.size() % alignment != 0)
    buffer.push_back(0);
}

} // namespace facet::package
