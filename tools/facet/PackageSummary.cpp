//===- PackageSummary.cpp - what a .facet package holds and needs ---------===//

#include "tools/facet/PackageSummary.h"

#include "frontend/support/Error.h"
#include "runtime/package/FormatError.h"
#include "runtime/package/PackageFile.h"

#include <fmt/format.h>

#include <cstring>
#include <fstream>

namespace facet {
namespace {

std::string mib(uint64_t bytes) {
  return fmt::format("{:.2f} MiB", bytes / 1048576.0);
}

} // namespace

uint64_t PackageSummary::residentBytes(int64_t context) const {
  uint64_t arenas = 0;
  for (const auto &[name, bytes] : arenaBytes)
    arenas += bytes;
  return weightsBytes + kernelBytes + arenas + ringBytes +
         bytesPerToken * static_cast<uint64_t>(context);
}

bool looksLikePackage(const std::string &path) {
  std::ifstream in(path, std::ios::binary);
  char magic[8] = {};
  return in.read(magic, sizeof magic) &&
         std::memcmp(magic, package::kMagic, sizeof magic) == 0;
}

PackageSummary summarizePackage(const std::string &path) {
  std::unique_ptr<package::PackageFile> file;
  try {
    file = package::PackageFile::open(path);
  } catch (const std::runtime_error &error) { // FormatError or IoError
    throw Error(error.what());
  }
  PackageSummary summary;
  summary.path = path;
  summary.fileBytes = file->fileSize();
  summary.manifest = file->manifest();
  summary.kernelBytes = file->package().kernels.size;
  summary.tokenizerBytes = file->package().tokenizer.size;
  for (const package::WeightInfo &weight : summary.manifest.weights) {
    summary.weightsBytes += weight.bytes;
    summary.weightBytesByClass[weight.weightClass] += weight.bytes;
    // "-tilesR" names the stored layout (codegen/target/RowTiles.h), not
    // the quantization: the figures group by the scheme alone.
    std::string scheme = weight.scheme.substr(0, weight.scheme.find("-tiles"));
    summary.weightBytesByScheme[scheme] += weight.bytes;
  }
  for (const package::EntryPoint &entry : summary.manifest.entryPoints) {
    summary.arenaBytes[entry.name] = entry.arenaBytes;
    uint64_t launches = 0;
    for (const package::Step &step : entry.steps)
      launches += step.kind == package::StepKind::Kernel;
    summary.launches[entry.name] = launches;
  }
  for (const package::CacheInfo &cache : summary.manifest.caches) {
    uint64_t row = package::cacheEntryBytes(cache);
    if (cache.window > 0) {
      summary.ringBytes += row * uint64_t(cache.capacity);
      ++summary.slidingCaches;
    } else {
      summary.bytesPerToken += row;
      ++summary.fullCaches;
    }
  }
  return summary;
}

nlohmann::ordered_json toJson(const PackageSummary &summary, int64_t context) {
  const package::Manifest &m = summary.manifest;
  nlohmann::ordered_json out;
  out["path"] = summary.path;
  out["file_bytes"] = summary.fileBytes;
  out["model"] = {{"name", m.model.name},
                  {"vocab_size", m.model.vocabSize},
                  {"hidden_size", m.model.hiddenSize},
                  {"num_layers", m.model.numLayers},
                  {"max_context", m.model.maxContext}};
  out["target"] = {{"name", m.target.name},
                   {"arch", m.target.arch},
                   {"cpu_features", m.target.cpuFeatures}};
  out["weights_bytes"] = summary.weightsBytes;
  out["weights_bytes_by_class"] = summary.weightBytesByClass;
  out["weights_bytes_by_scheme"] = summary.weightBytesByScheme;
  out["kernel_bytes"] = summary.kernelBytes;
  out["distinct_kernels"] = m.kernels.size();
  out["tokenizer_bytes"] = summary.tokenizerBytes;
  out["arena_bytes"] = summary.arenaBytes;
  out["kv"] = {{"full_caches", summary.fullCaches},
               {"sliding_caches", summary.slidingCaches},
               {"ring_bytes", summary.ringBytes},
               {"bytes_per_token", summary.bytesPerToken}};
  out["launches_per_decode_step"] = summary.launches.count("decode")
                                        ? summary.launches.at("decode")
                                        : 0;
  out["launches_per_prefill_chunk"] = summary.launches.count("prefill")
                                          ? summary.launches.at("prefill")
                                          : 0;
  out["context"] = context;
  out["resident_bytes"] = summary.residentBytes(context);
  return out;
}

std::string toText(const PackageSummary &summary, int64_t context) {
  const package::Manifest &m = summary.manifest;
  std::string out;
  auto line = [&](const std::string &text) { out += text + "\n"; };
  line(fmt::format("package: {} ({})", summary.path, mib(summary.fileBytes)));
  line(fmt::format("model: {}, {} layers, d={}, vocab={}, context up to {}",
                   m.model.name, m.model.numLayers, m.model.hiddenSize,
                   m.model.vocabSize, m.model.maxContext));
  line(fmt::format("target: {} ({})", m.target.name, m.target.arch));
  line(fmt::format("weights: {}", mib(summary.weightsBytes)));
  for (const auto &[scheme, bytes] : summary.weightBytesByScheme)
    line(fmt::format("  scheme {:<16} {:>12}", scheme, mib(bytes)));
  for (const auto &[weightClass, bytes] : summary.weightBytesByClass)
    line(fmt::format("  class  {:<16} {:>12}", weightClass, mib(bytes)));
  line(fmt::format("kernels: {} distinct, {}", m.kernels.size(),
                   mib(summary.kernelBytes)));
  for (const auto &[entry, launches] : summary.launches)
    line(fmt::format("  {}: {} launches per call, arena {}", entry, launches,
                     mib(summary.arenaBytes.at(entry))));
  line(fmt::format("kv cache: {} full ({} per token of context), {} sliding "
                   "rings ({})",
                   summary.fullCaches, fmt::format("{:.1f} KiB",
                                                   summary.bytesPerToken /
                                                       1024.0),
                   summary.slidingCaches, mib(summary.ringBytes)));
  line(fmt::format("resident at context {}: {}", context,
                   mib(summary.residentBytes(context))));
  return out;
}

} // namespace facet
