//===- Format.cpp - The .facet format's enums and limits ------------------===//
//
// Part of Facet, an ahead-of-time compiler for Gemma 4 language models.
//
//===----------------------------------------------------------------------===//

#include "runtime/core/Format.h"

namespace facet::core {

uint64_t elementSize(ElementType type) {
  switch (type) {
  case ElementType::F32:
  case ElementType::I32:
    return 4;
  case ElementType::F16:
  case ElementType::BF16:
  case ElementType::U16:
    return 2;
  case ElementType::I8:
  case ElementType::U8:
    return 1;
  }
  return 0;
}

const char *elementTypeName(ElementType type) {
  switch (type) {
  case ElementType::F32:
    return "f32";
  case ElementType::F16:
    return "f16";
  case ElementType::BF16:
    return "bf16";
  case ElementType::I32:
    return "i32";
  case ElementType::I8:
    return "i8";
  case ElementType::U8:
    return "u8";
  case ElementType::U16:
    return "u16";
  }
  return "unknown";
}

const char *sectionKindName(SectionKind kind) {
  switch (kind) {
  case SectionKind::Manifest:
    return "Manifest";
  case SectionKind::Kernels:
    return "Kernels";
  case SectionKind::Weights:
    return "Weights";
  case SectionKind::Tokenizer:
    return "Tokenizer";
  }
  return "unknown";
}

} // namespace facet::core
