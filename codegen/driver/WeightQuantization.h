//===- WeightQuantization.h - float weights -> integers + scales -*- C++ -*-===//
//
// The data side of --facet-quantize: what the package stores for a
// `!facet.qweight`, in the layout the generated kernels dequantize (see
// KernelBuilder's addQuantizedInput and PlanBuilder's weightParts).
//
//===----------------------------------------------------------------------===//

#ifndef FACET_CODEGEN_DRIVER_WEIGHTQUANTIZATION_H
#define FACET_CODEGEN_DRIVER_WEIGHTQUANTIZATION_H

#include "dialects/FacetDialect.h"

#include <cstdint>
#include <vector>

namespace facet::codegen {

struct QuantizedWeight {
  std::vector<uint8_t> integers; ///< i8, or two int4 per byte (low first)
  std::vector<uint8_t> scales;   ///< one per group, of the type's scale type
  std::vector<uint8_t> zeros;    ///< asymmetric only: u8 per group
};

/// Quantizes `values` (the logical tensor, row-major) to `type`:
/// - group 0 (int8): per row, scale = max|w| / 127, q in [-127, 127];
/// - int4 symmetric: scale = max|w| / 7 per group, stored q + 8 in [0, 15];
/// - int4 asymmetric: scale = (max - min) / 15, zero = round(-min / scale).
/// Each q is rounded to nearest with the scale as stored (after rounding the
/// scale to its type), so dequantization reproduces what was measured.
/// Deterministic: the same input gives the same bytes.
QuantizedWeight quantizeWeight(const std::vector<float> &values,
                               QuantizedWeightType type);

/// The same in pieces, so a caller can convert a large tensor a slice at a
/// time: emptyQuantizedWeight sizes the integers for the whole tensor, and
/// quantizeGroups quantizes `count` values starting at element `first`
/// (both whole groups), appending their scales (and zero points) in order.
/// Called on consecutive slices, it gives quantizeWeight's bytes.
QuantizedWeight emptyQuantizedWeight(QuantizedWeightType type);
void quantizeGroups(const float *values, uint64_t first, uint64_t count,
                    QuantizedWeightType type, QuantizedWeight &out);

} // namespace facet::codegen

#endif // FACET_CODEGEN_DRIVER_WEIGHTQUANTIZATION_H
