//===- BackgroundQuantizer.h - Package weights quantized ahead -*- C++ -*-===//
//
// Part of Facet, an ahead-of-time compiler for Gemma 4 language models.
//
//===----------------------------------------------------------------------===//
//
// Quantizing and tiling a full-size checkpoint (E2B: 4.6 B weights) takes
// about as long on one core as generating its kernels, and kernel
// generation uses one core. So `facet compile` hands the weights to a
// worker thread as soon as their types are known and generates the
// kernels meanwhile; the package writer then takes each result in order,
// waiting only for what is not done yet. The results are the same bytes as
// quantizing in the writer (each weight is a pure function of its values
// and type).
//
//===----------------------------------------------------------------------===//

#ifndef FACET_CODEGEN_DRIVER_BACKGROUNDQUANTIZER_H
#define FACET_CODEGEN_DRIVER_BACKGROUNDQUANTIZER_H

#include "codegen/driver/WeightQuantization.h"
#include "codegen/target/RowTiles.h"
#include "codegen/target/WeightTiles.h"
#include "frontend/safetensors/Safetensors.h"

#include <atomic>
#include <future>
#include <optional>
#include <thread>
#include <vector>

namespace facet::codegen {

/// One weight to quantize: its checkpoint tensor, its type, and the tiles
/// its kernels read it in.
struct QuantizationJob {
  const TensorView *tensor = nullptr;
  QuantizedWeightType type;
  std::optional<WeightTiling> int8Tiles;
  std::optional<RowTiling> rowTiles;
};

/// Quantizes `job`'s tensor and permutes it into its tiles: the bytes the
/// package stores.
QuantizedWeight quantizeForPackage(const QuantizationJob &job);

class BackgroundQuantizer {
public:
  /// Starts quantizing `jobs` in order on one worker thread.
  explicit BackgroundQuantizer(std::vector<QuantizationJob> jobs);
  /// Stops the worker after its current job (a failed compile does not wait
  /// for the rest) and joins it.
  ~BackgroundQuantizer();
  BackgroundQuantizer(const BackgroundQuantizer &) = delete;
  BackgroundQuantizer &operator=(const BackgroundQuantizer &) = delete;

  /// The result of job `index`, waiting for it; rethrows the worker's error
  /// for that job. Each job is taken once (the worker keeps nothing).
  QuantizedWeight take(size_t index);

private:
  std::vector<QuantizationJob> jobs;
  std::vector<std::promise<QuantizedWeight>> promises;
  std::vector<std::future<QuantizedWeight>> futures;
  std::atomic<bool> stopping{false};
  std::thread worker;
};

} // namespace facet::codegen

#endif // FACET_CODEGEN_DRIVER_BACKGROUNDQUANTIZER_H
