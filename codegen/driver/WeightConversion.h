//===- WeightConversion.h - checkpoint floats -> package floats -*- C++ -*-===//
//
// The package stores each weight in the type the (possibly cast) IR declares;
// the checkpoint may hold another float type. Conversion goes through f32
// and rounds to nearest even, as torch's .to(dtype) does.
//
//===----------------------------------------------------------------------===//

#ifndef FACET_CODEGEN_DRIVER_WEIGHTCONVERSION_H
#define FACET_CODEGEN_DRIVER_WEIGHTCONVERSION_H

#include "frontend/safetensors/DType.h"
#include "runtime/package/Manifest.h"

#include <cstdint>

namespace facet::codegen {

float bf16ToFloat(uint16_t bits);
float f16ToFloat(uint16_t bits);
uint16_t floatToBF16(float value);
uint16_t floatToF16(float value);

/// Converts `count` elements of `from` at `source` to `to` at `destination`.
/// Only f32, f16 and bf16 on either side; throws facet::Error otherwise.
void convertFloats(const uint8_t *source, DType from, uint8_t *destination,
                   package::ElementType to, uint64_t count);

} // namespace facet::codegen

#endif // FACET_CODEGEN_DRIVER_WEIGHTCONVERSION_H
