//===- Safetensors.h - Reading .safetensors files ---------------*- C++ -*-===//
//
// Part of Facet, an ahead-of-time compiler for Gemma 4 language models.
//
//===----------------------------------------------------------------------===//
//
// A validating reader for the safetensors format
// (https://github.com/huggingface/safetensors):
//
//   [u64 little-endian N][N bytes of UTF-8 JSON header][data section]
//
// The header maps tensor names to {"dtype", "shape", "data_offsets": [begin,
// end]} (offsets relative to the start of the data section), plus an optional
// "__metadata__" string->string object. Files are untrusted: every structural
// problem is reported as a facet::Error naming the file and the tensor. Gaps
// between tensors are allowed; overlapping tensors are not.
//
//===----------------------------------------------------------------------===//

#ifndef FACET_FRONTEND_SAFETENSORS_SAFETENSORS_H
#define FACET_FRONTEND_SAFETENSORS_SAFETENSORS_H

#include "frontend/safetensors/DType.h"

#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace facet {

/// One tensor of a safetensors file. `data` points into the file image
/// (mapping or caller's buffer) and stays valid as long as the owning
/// SafetensorsFile (or the caller's buffer) lives.
struct TensorView {
  std::string name;
  DType dtype;
  std::vector<int64_t> shape;
  uint64_t fileOffset; ///< absolute byte offset of the data in the file
  uint64_t byteSize;
  const uint8_t *data;

  /// Product of the shape (1 for a scalar). Never overflows: the parser
  /// rejects shapes whose element count does not fit.
  int64_t numElements() const;
};

class SafetensorsFile {
public:
  /// Largest header accepted (the reference implementation's limit).
  static constexpr uint64_t kMaxHeaderSize = 100ull << 20;
  /// Largest accepted tensor rank.
  static constexpr size_t kMaxRank = 8;

  /// Parses and validates an in-memory image. The bytes are not copied and
  /// must outlive the returned object. `origin` names the file in messages.
  static SafetensorsFile parse(const uint8_t *bytes, size_t size,
                               std::string origin);

  /// Maps `path` read-only and parses it. The mapping lives as long as the
  /// returned object.
  static std::unique_ptr<SafetensorsFile> open(const std::string &path);

  SafetensorsFile(SafetensorsFile &&other) noexcept;
  SafetensorsFile &operator=(SafetensorsFile &&other) noexcept;
  SafetensorsFile(const SafetensorsFile &) = delete;
  SafetensorsFile &operator=(const SafetensorsFile &) = delete;
  ~SafetensorsFile();

  /// All tensors, in file order (by data offset, then by name).
  const std::vector<TensorView> &tensors() const { return tensors_; }
  /// The tensor called `name`, or nullptr.
  const TensorView *find(std::string_view name) const;
  /// The "__metadata__" object (empty if absent).
  const std::map<std::string, std::string> &metadata() const {
    return metadata_;
  }
  /// The name used in messages (the path for open()).
  const std::string &origin() const { return origin_; }
  /// Size of the whole image in bytes.
  uint64_t fileSize() const { return size_; }
  /// Length of the JSON header (the u64 at the start of the file).
  uint64_t headerSize() const { return headerSize_; }
  /// Absolute offset of the data section (8 + headerSize()).
  uint64_t dataSectionOffset() const { return 8 + headerSize_; }

private:
  SafetensorsFile() = default;
  void release() noexcept;

  std::string origin_;
  std::vector<TensorView> tensors_;
  std::map<std::string, size_t, std::less<>> byName_; // -> index in tensors_
  std::map<std::string, std::string> metadata_;
  uint64_t size_ = 0;
  uint64_t headerSize_ = 0;
  // The mapping made by open(), unmapped by the destructor.
  void *mapping_ = nullptr;
  size_t mappingSize_ = 0;
};

} // namespace facet

#endif // FACET_FRONTEND_SAFETENSORS_SAFETENSORS_H
