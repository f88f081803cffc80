//===- DType.cpp - Safetensors element types ------------------------------===//
//
// Part of Facet, an ahead-of-time compiler for Gemma 4 language models.
//
//===----------------------------------------------------------------------===//

#include "frontend/safetensors/DType.h"

namespace facet {

namespace {

struct DTypeInfo {
  DType dtype;
  std::string_view name;
  size_t size;
  bool floatingPoint;
};

// Indexed by the enum value.
constexpr DTypeInfo kDTypes[] = {
    {DType::Bool, "BOOL", 1, false},     {DType::U8, "U8", 1, false},
    {DType::I8, "I8", 1, false},         {DType::I16, "I16", 2, false},
    {DType::U16, "U16", 2, false},       {DType::F16, "F16", 2, true},
    {DType::BF16, "BF16", 2, true},      {DType::I32, "I32", 4, false},
    {DType::U32, "U32", 4, false},       {DType::F32, "F32", 4, true},
    {DType::F64, "F64", 8, true},        {DType::I64, "I64", 8, false},
    {DType::U64, "U64", 8, false},       {DType::F8E4M3, "F8_E4M3", 1, true},
    {DType::F8E5M2, "F8_E5M2", 1, true},
};

constexpr size_t kNumDTypes = sizeof(kDTypes) / sizeof(kDTypes[0]);

constexpr bool tableMatchesEnum() {
  for (size_t i = 0; i < kNumDTypes; ++i)
    if (static_cast<size_t>(kDTypes[i].dtype) != i)
      return false;
  return true;
}
static_assert(tableMatchesEnum(), "kDTypes must be in enum order");

const DTypeInfo &info(DType dtype) {
  auto index = static_cast<size_t>(dtype);
  // Out-of-range values can only come from a cast; map them to BOOL rather
  // than reading past the table.
  return kDTypes[index < kNumDTypes ? index : 0];
}

} // namespace

std::optional<DType> parseDType(std::string_view safetensorsName) {
  for (const DTypeInfo &entry : kDTypes)
    if (entry.name == safetensorsName)
      return entry.dtype;
  return std::nullopt;
}

std::string_view dtypeName(DType dtype) { return info(dtype).name; }

size_t dtypeSize(DType dtype) { return info(dtype).size; }

bool isFloatingPoint(DType dtype) { return info(dtype).floatingPoint; }

std::string_view supportedDTypeNames() {
  return "BOOL, U8, I8, I16, U16, F16, BF16, I32, U32, F32, F64, I64, U64, "
         "F8_E4M3, F8_E5M2";
}

} // namespace facet
