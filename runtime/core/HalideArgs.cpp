//===- HalideArgs.cpp - Kernel arguments in Halide's argv convention ------===//
//
// Part of Facet, an ahead-of-time compiler for Gemma 4 language models.
//
//===----------------------------------------------------------------------===//

#include "runtime/core/HalideArgs.h"

namespace facet::core::halide {

halide_type_t typeOf(ElementType type) {
  switch (type) {
  case ElementType::F32:
    return {kTypeFloat, 32, 1};
  case ElementType::F16:
    return {kTypeFloat, 16, 1};
  case ElementType::BF16:
    return {kTypeBFloat, 16, 1};
  case ElementType::I32:
    return {kTypeInt, 32, 1};
  case ElementType::I8:
    return {kTypeInt, 8, 1};
  case ElementType::U8:
    return {kTypeUInt, 8, 1};
  case ElementType::U16:
    return {kTypeUInt, 16, 1};
  }
  return {kTypeUInt, 8, 1}; // the manifest reader admits no other type
}

void **ArgvBuilder::build(const KernelArg *args, uint64_t count) {
  for (uint64_t i = 0; i < count && i < kMaxKernelArgs; ++i) {
    const KernelArg &arg = args[i];
    if (arg.kind == KernelArg::Kind::Scalar) {
      scalars[i] = arg.scalar;
      argv[i] = &scalars[i];
      continue;
    }
    const TensorRef &tensor = arg.tensor;
    halide_buffer_t &buffer = buffers[i];
    halide_dimension_t *dim = &dims[i * kMaxRank];
    buffer = halide_buffer_t();
    buffer.host = static_cast<uint8_t *>(tensor.memory->host) + tensor.offset;
    buffer.type = typeOf(tensor.type);
    buffer.dimensions = static_cast<int32_t>(tensor.rank);
    buffer.dim = dim;
    // Innermost first; strides in elements.
    int64_t stride = 1;
    for (uint32_t d = 0; d < tensor.rank; ++d) {
      int64_t extent = tensor.shape[tensor.rank - 1 - d];
      dim[d] = {0, static_cast<int32_t>(extent), static_cast<int32_t>(stride),
                0};
      stride *= extent;
    }
    argv[i] = &buffer;
  }
  return argv;
}

} // namespace facet::core::halide
