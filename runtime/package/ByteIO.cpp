//===- ByteIO.cpp - Little-endian serialisation of package data -----------===//
//
// Part of Facet, an ahead-of-time compiler for Gemma 4 language models.
//
//===----------------------------------------------------------------------===//

#include "runtime/package/ByteIO.h"

#include "runtime/package/FormatError.h"

#include <cstring>

namespace facet::package {

uint32_t loadU32(const uint8_t *bytes) {
  uint32_t value = 0;
  for (int i = 3; i >= 0; --i)
    value = (value << 8) | bytes[i];
  return value;
}

uint64_t loadU64(const uint8_t *bytes) {
  uint64_t value = 0;
  for (int i = 7; i >= 0; --i)
    value = (value << 8) | bytes[i];
  return value;
}

void storeU32(uint8_t *bytes, uint32_t value) {
  for (int i = 0; i < 4; ++i)
    bytes[i] = static_cast<uint8_t>(value >> (8 * i));
}

void storeU64(uint8_t *bytes, uint64_t value) {
  for (int i = 0; i < 8; ++i)
    bytes[i] = static_cast<uint8_t>(value >> (8 * i));
}

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

void ByteReader::fail(const std::string &message) const {
  throw FormatError(what + ": " + message);
}

const uint8_t *ByteReader::take(uint64_t bytes, const char *field) {
  if (bytes > remaining())
    fail(std::string("truncated: ") + field + " needs " +
         std::to_string(bytes) + " bytes at offset " +
         std::to_string(position) + ", only " + std::to_string(remaining()) +
         " remain");
  const uint8_t *result = data + position;
  position += bytes;
  return result;
}

uint32_t ByteReader::u32(const char *field) { return loadU32(take(4, field)); }

uint64_t ByteReader::u64(const char *field) { return loadU64(take(8, field)); }

double ByteReader::f64(const char *field) {
  uint64_t bits = u64(field);
  double value;
  std::memcpy(&value, &bits, sizeof(value));
  return value;
}

std::string ByteReader::string(const char *field, uint64_t maxLength) {
  uint64_t length = u64(field);
  if (length > maxLength)
    fail(std::string(field) + " is " + std::to_string(length) +
         " bytes long, more than the limit of " + std::to_string(maxLength));
  const uint8_t *bytes = take(length, field);
  return std::string(reinterpret_cast<const char *>(bytes), length);
}

uint64_t ByteReader::count(const char *field, uint64_t max,
                           uint64_t minElementBytes) {
  uint64_t value = u64(field);
  if (value > max)
    fail(std::string(field) + " is " + std::to_string(value) +
         ", more than the limit of " + std::to_string(max));
  if (minElementBytes > 0 && value > remaining() / minElementBytes)
    fail(std::string("truncated: ") + field + " is " + std::to_string(value) +
         " but only " + std::to_string(remaining()) + " bytes remain");
  return value;
}

} // namespace facet::package
