//===- DType.h - Safetensors element types ----------------------*- C++ -*-===//
//
// Part of Facet, an ahead-of-time compiler for Gemma 4 language models.
//
//===----------------------------------------------------------------------===//

#ifndef FACET_FRONTEND_SAFETENSORS_DTYPE_H
#define FACET_FRONTEND_SAFETENSORS_DTYPE_H

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>

namespace facet {

/// The element types of the safetensors format that Facet understands.
enum class DType : uint8_t {
  Bool,
  U8,
  I8,
  I16,
  U16,
  F16,
  BF16,
  I32,
  U32,
  F32,
  F64,
  I64,
  U64,
  F8E4M3,
  F8E5M2,
};

/// Maps the safetensors spelling ("BF16", "F8_E4M3", "BOOL") to a DType;
/// std::nullopt for anything else (the match is case-sensitive, as in the
/// format).
std::optional<DType> parseDType(std::string_view safetensorsName);

/// The safetensors spelling of `dtype` ("BF16", "F8_E4M3", ...).
std::string_view dtypeName(DType dtype);

/// Bytes per element.
size_t dtypeSize(DType dtype);

/// True for F16, BF16, F32, F64, F8E4M3 and F8E5M2.
bool isFloatingPoint(DType dtype);

/// A comma-separated list of every supported spelling, for error messages.
std::string_view supportedDTypeNames();

} // namespace facet

#endif // FACET_FRONTEND_SAFETENSORS_DTYPE_H
