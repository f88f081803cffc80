//===- PackageSummary.h - what a .facet package holds and needs -*- C++ -*-===//
//
// `facet inspect model.facet`: the figures a user sizes a device by, read from
// the package's manifest (never from the IR): weight bytes by class and
// scheme, activation arenas, KV cache bytes (sliding rings, and per token of
// context for full-attention caches), kernel launches per step, and the
// resident total at a given context.
//
//===----------------------------------------------------------------------===//

#ifndef FACET_TOOLS_FACET_PACKAGESUMMARY_H
#define FACET_TOOLS_FACET_PACKAGESUMMARY_H

#include "runtime/package/Manifest.h"

#include <nlohmann/json.hpp>

#include <cstdint>
#include <map>
#include <string>

namespace facet {

struct PackageSummary {
  std::string path;
  uint64_t fileBytes = 0;
  package::Manifest manifest;
  uint64_t kernelBytes = 0, tokenizerBytes = 0;
  uint64_t weightsBytes = 0;
  std::map<std::string, uint64_t> weightBytesByClass;  // "attention", ...
  std::map<std::string, uint64_t> weightBytesByScheme; // "int4-g32", ...
  std::map<std::string, uint64_t> arenaBytes;          // per entry point
  std::map<std::string, uint64_t> launches;            // kernel steps
  uint64_t ringBytes = 0;     // sliding caches: fixed whatever the context
  uint64_t bytesPerToken = 0; // full caches: per position of context
  int64_t fullCaches = 0, slidingCaches = 0;

  /// Weights + arenas + rings + bytesPerToken * context.
  uint64_t residentBytes(int64_t context) const;
};

/// Reads and validates `path`. Throws facet::Error with the loader's message.
PackageSummary summarizePackage(const std::string &path);

nlohmann::ordered_json toJson(const PackageSummary &summary, int64_t context);
std::string toText(const PackageSummary &summary, int64_t context);

/// Whether `path` is a file that starts with the package magic.
bool looksLikePackage(const std::string &path);

} // namespace facet

#endif // FACET_TOOLS_FACET_PACKAGESUMMARY_H
