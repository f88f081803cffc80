//===- WeightQuantization.cpp - float weights -> integers + scales --------===//

#include "codegen/driver/WeightQuantization.h"

#include "codegen/driver/WeightConversion.h"
#include "frontend/support/Error.h"

#include <algorithm>
#include <cmath>
#include <cstring>

namespace facet::codegen {
namespace {

/// `scale` rounded to the stored scale type, appended to `out`; returns the
/// value the kernels will multiply by.
float storeScale(float scale, mlir::Type type, std::vector<uint8_t> &out) {
  if (type.isF32()) {
    uint8_t bytes[4];
    std::memcpy(bytes, &scale, 4);
    out.insert(out.end(), bytes, bytes + 4);
    return scale;
  }
  uint16_t bits = type.isF16() ? floatToF16(scale) : floatToBF16(scale);
  out.push_back(uint8_t(bits & 0xff));
  out.push_back(uint8_t(bits >> 8));
  return type.isF16() ? f16ToFloat(bits) : bf16ToFloat(bits);
}

/// round(value) half to even (as nearbyint in the default rounding mode)
/// clamped to [low, high]: clamped first, so the rounding by the 1.5 * 2^23
/// offset is exact, and no libm call per weight.
int32_t roundClamp(float value, int32_t low, int32_t high) {
  const float offset = 0x1.8p23f;
  float bounded = std::clamp(value, float(low) - 1.0f, float(high) + 1.0f);
  float rounded = (bounded + offset) - offset;
  return std::clamp(static_cast<int32_t>(rounded), low, high);
}

} // namespace

QuantizedWeight emptyQuantizedWeight(QuantizedWeightType type) {
  uint64_t count = static_cast<uint64_t>(type.getNumElements());
  QuantizedWeight out;
  out.integers.assign(type.getBits() == 4 ? count / 2 : count, 0);
  int64_t inner = type.getShape().back();
  int64_t group = type.getGroup() > 0 ? type.getGroup() : inner;
  uint64_t groups = count / uint64_t(group);
  out.scales.reserve(groups * (type.getScale().isF32() ? 4 : 2));
  if (type.getBits() == 4 && !type.getSymmetric())
    out.zeros.reserve(groups);
  return out;
}

void quantizeGroups(const float *values, uint64_t first, uint64_t count,
                    QuantizedWeightType type, QuantizedWeight &out) {
  int64_t inner = type.getShape().back();
  int64_t group = type.getGroup() > 0 ? type.getGroup() : inner;
  uint64_t total = static_cast<uint64_t>(type.getNumElements());
  if (inner % group != 0 || (type.getBits() == 4 && inner % 2 != 0) ||
      first % uint64_t(group) != 0 || count % uint64_t(group) != 0 ||
      first + count > total)
    throw Error("internal: quantizing a weight whose data does not match "
                "its type");
  bool int4 = type.getBits() == 4;
  bool symmetric = type.getSymmetric();
  mlir::Type scaleType = type.getScale();
  for (uint64_t offset = 0; offset < count; offset += uint64_t(group)) {
    const float *w = values + offset;
    uint64_t start = first + offset;
    float low = *std::min_element(w, w + group);
    float high = *std::max_element(w, w + group);
    float absMax = std::max(std::fabs(low), std::fabs(high));
    if (!std::isfinite(absMax))
      throw Error("cannot quantize a weight holding inf or nan");

    float scale, zero = 0;
    if (int4 && !symmetric) {
      low = std::min(low, 0.0f); // keep 0 exactly representable
      high = std::max(high, 0.0f);
      scale = storeScale((high - low) / 15.0f, scaleType, out.scales);
      zero = scale > 0 ? float(roundClamp(-low / scale, 0, 15)) : 0.0f;
      out.zeros.push_back(uint8_t(zero));
    } else {
      scale =
          storeScale(absMax / (int4 ? 7.0f : 127.0f), scaleType, out.scales);
    }
    for (int64_t i = 0; i < group; ++i) {
      float ratio = scale > 0 ? w[i] / scale : 0.0f;
      uint64_t index = start + uint64_t(i);
      if (!int4) {
        out.integers[index] = uint8_t(int8_t(roundClamp(ratio, -127, 127)));
        continue;
      }
      int32_t q = symmetric ? roundClamp(ratio, -8, 7) + 8
                            : roundClamp(ratio + zero, 0, 15);
      out.integers[index / 2] |= uint8_t(q << (index % 2 ? 4 : 0));
    }
  }
}

QuantizedWeight quantizeWeight(const std::vector<float> &values,
                               QuantizedWeightType type) {
  if (values.size() != static_cast<uint64_t>(type.getNumElements()))
    throw Error("internal: quantizing a weight whose data does not match "
                "its type");
  QuantizedWeight out = emptyQuantizedWeight(type);
  quantizeGroups(values.data(), 0, values.size(), type, out);
  return out;
}

} // namespace facet::codegen
