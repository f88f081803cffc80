//===- BackgroundQuantizer.cpp - Package weights quantized ahead ----------===//
//
// Part of Facet, an ahead-of-time compiler for Gemma 4 language models.
//
//===----------------------------------------------------------------------===//

#include "codegen/driver/BackgroundQuantizer.h"

#include "codegen/driver/WeightConversion.h"
#include "frontend/support/Error.h"

#include <algorithm>
#include <exception>

namespace facet::codegen {

QuantizedWeight quantizeForPackage(const QuantizationJob &job) {
  // Converted to f32 a slice of whole rows at a time (about 4 MiB), not
  // the whole tensor: E2B's PLE table alone would be 9.4 GB of floats.
  uint64_t count = static_cast<uint64_t>(job.tensor->numElements());
  uint64_t rowLength = static_cast<uint64_t>(job.type.getShape().back());
  uint64_t sliceLength =
      std::max<uint64_t>(1, (1u << 20) / rowLength) * rowLength;
  std::vector<float> values(std::min(count, sliceLength));
  uint64_t sourceElementBytes = dtypeSize(job.tensor->dtype);
  QuantizedWeight result = emptyQuantizedWeight(job.type);
  for (uint64_t first = 0; first < count; first += sliceLength) {
    uint64_t length = std::min(sliceLength, count - first);
    convertFloats(job.tensor->data + first * sourceElementBytes,
                  job.tensor->dtype, reinterpret_cast<uint8_t *>(values.data()),
                  package::ElementType::F32, length);
    quantizeGroups(values.data(), first, length, job.type, result);
  }
  if (job.int8Tiles)
    result.integers = tileInt8Weight(result.integers, *job.int8Tiles);
  if (job.rowTiles) {
    const RowTiling &tiles = *job.rowTiles;
    int64_t scaleBytes =
        int64_t(result.scales.size()) / (tiles.outputs * tiles.groups());
    result.integers = tileRowIntegers(result.integers, tiles);
    result.scales = tileRowScales(result.scales, scaleBytes, tiles);
  }
  return result;
}

BackgroundQuantizer::BackgroundQuantizer(std::vector<QuantizationJob> list)
    : jobs(std::move(list)), promises(jobs.size()) {
  for (std::promise<QuantizedWeight> &promise : promises)
    futures.push_back(promise.get_future());
  worker = std::thread([this] {
    for (size_t i = 0; i < jobs.size(); ++i) {
      if (stopping.load())
        return; // the destructor runs; nobody takes the rest
      try {
        promises[i].set_value(quantizeForPackage(jobs[i]));
      } catch (...) {
        promises[i].set_exception(std::current_exception());
      }
    }
  });
}

BackgroundQuantizer::~BackgroundQuantizer() {
  stopping.store(true);
  worker.join();
}

QuantizedWeight BackgroundQuantizer::take(size_t index) {
  if (index >= futures.size() || !futures[index].valid())
    throw Error("internal: quantized weight " + std::to_string(index) +
                " taken twice or never queued");
  return futures[index].get();
}

} // namespace facet::codegen
