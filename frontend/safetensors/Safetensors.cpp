//===- Safetensors.cpp - Reading .safetensors files -----------------------===//
//
// Part of Facet, an ahead-of-time compiler for Gemma 4 language models.
//
//===----------------------------------------------------------------------===//

#include "frontend/safetensors/Safetensors.h"
#include "frontend/support/Error.h"
#include "frontend/support/Json.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <limits>

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

using nlohmann::json;

namespace facet {

namespace {

constexpr uint64_t kInt64Max =
    static_cast<uint64_t>(std::numeric_limits<int64_t>::max());

/// Reads a JSON integer that must be >= 0 and fit in int64. Returns false
/// and fills `problem` otherwise.
bool readNonNegativeInteger(const json &value, uint64_t &out,
                            std::string &problem) {
  if (value.is_number_unsigned()) {
    out = value.get<uint64_t>();
    if (out > kInt64Max) {
      problem = fmt::format("is {}, which is too large", out);
      return false;
    }
    return true;
  }
  if (value.is_number_integer()) {
    int64_t signedValue = value.get<int64_t>();
    if (signedValue < 0) {
      problem =
          fmt::format("is {}, expected a non-negative integer", signedValue);
      return false;
    }
    out = static_cast<uint64_t>(signedValue); // "-0"
    return true;
  }
  if (value.is_number_float())
    problem = fmt::format("is {} (a non-integral or out-of-range number), "
                          "expected a non-negative integer",
                          value.dump());
  else
    problem = fmt::format("is a {}, expected a non-negative integer",
                          jsonTypeName(value));
  return false;
}

std::string formatShape(const std::vector<int64_t> &shape) {
  return fmt::format("[{}]", fmt::join(shape, ", "));
}

/// A tensor entry in header order, before sorting.
struct Entry {
  TensorView view;
  uint64_t begin; // relative to the data section
  uint64_t end;
};

} // namespace

int64_t TensorView::numElements() const {
  uint64_t count = 1;
  for (int64_t dim : shape) {
    if (dim < 0 ||
        __builtin_mul_overflow(count, static_cast<uint64_t>(dim), &count) ||
        count > kInt64Max)
      throw Error(fmt::format("tensor {}: shape {} has no valid element count",
                              quoteForMessage(name), formatShape(shape)));
  }
  return static_cast<int64_t>(count);
}

SafetensorsFile SafetensorsFile::parse(const uint8_t *bytes, size_t size,
                                       std::string origin) {
  SafetensorsFile file;
  file.origin_ = std::move(origin);
  file.size_ = size;
  const std::string &name = file.origin_;

  if (bytes == nullptr && size > 0)
    throw Error(
        fmt::format("{}: no data (null buffer of {} bytes)", name, size));
  if (size < 8)
    throw Error(fmt::format(
        "{}: file is {} bytes, too short for a safetensors file (expected at "
        "least the 8-byte header length)",
        name, size));

  uint64_t headerSize = 0;
  for (int i = 7; i >= 0; --i)
    headerSize = (headerSize << 8) | bytes[i];
  uint64_t afterPrefix = static_cast<uint64_t>(size) - 8;
  if (headerSize > afterPrefix)
    throw Error(fmt::format(
        "{}: header length {} is larger than the {} bytes that follow the "
        "8-byte length prefix (file is {} bytes; truncated, or not a "
        "safetensors file?)",
        name, headerSize, afterPrefix, size));
  if (headerSize > kMaxHeaderSize)
    throw Error(fmt::format("{}: header length {} exceeds the limit of {} "
                            "bytes (100 MiB)",
                            name, headerSize, kMaxHeaderSize));
  file.headerSize_ = headerSize;
  const uint64_t dataSize = afterPrefix - headerSize;
  const uint8_t *dataSection = bytes + 8 + headerSize;

  std::string_view headerText(reinterpret_cast<const char *>(bytes + 8),
                              static_cast<size_t>(headerSize));
  JsonParseOptions options;
  options.rejectDuplicateKeys = true;
  // A valid header nests three levels (root, entry, shape); allow a little
  // slack and keep garbage from building deep trees.
  options.maxDepth = 16;
  // Arrays are only shapes (rank <= 8) and offset pairs; without a bound a
  // 100 MiB header of one long array would make the DOM take gigabytes.
  options.maxArrayLength = 64;
  options.topLevelKeyNoun = "tensor name";
  json header = parseJson(headerText, fmt::format("{}: header", name), options);
  if (!header.is_object())
    throw Error(fmt::format("{}: header is a JSON {}, expected an object", name,
                            jsonTypeName(header)));

  std::vector<Entry> entries;
  entries.reserve(header.size());
  for (const auto &item : header.items()) {
    const std::string &key = item.key();
    const json &value = item.value();

    if (key == "__metadata__") {
      if (!value.is_object())
        throw Error(fmt::format("{}: __metadata__ is a JSON {}, expected an "
                                "object of string values",
                                name, jsonTypeName(value)));
      for (const auto &meta : value.items()) {
        if (!meta.value().is_string())
          throw Error(fmt::format("{}: __metadata__ entry {} is a JSON {}, "
                                  "expected a string",
                                  name, quoteForMessage(meta.key()),
                                  jsonTypeName(meta.value())));
        file.metadata_.emplace(meta.key(), meta.value().get<std::string>());
      }
      continue;
    }

    std::string where =
        fmt::format("{}: tensor {}", name, quoteForMessage(key));
    if (!value.is_object())
      throw Error(fmt::format("{}: entry is a JSON {}, expected an object "
                              "with dtype, shape and data_offsets",
                              where, jsonTypeName(value)));

    auto field = [&](const char *fieldName) -> const json & {
      auto it = value.find(fieldName);
      if (it == value.end())
        throw Error(
            fmt::format("{}: missing required field '{}'", where, fieldName));
      return *it;
    };

    // dtype
    const json &dtypeJson = field("dtype");
    if (!dtypeJson.is_string())
      throw Error(fmt::format("{}: 'dtype' is a JSON {}, expected a string",
                              where, jsonTypeName(dtypeJson)));
    const auto &dtypeString = dtypeJson.get_ref<const std::string &>();
    std::optional<DType> dtype = parseDType(dtypeString);
    if (!dtype)
      throw Error(fmt::format("{}: unknown dtype {} (supported: {})", where,
                              quoteForMessage(dtypeString),
                              supportedDTypeNames()));

    // shape
    const json &shapeJson = field("shape");
    if (!shapeJson.is_array())
      throw Error(fmt::format("{}: 'shape' is a JSON {}, expected an array of "
                              "non-negative integers",
                              where, jsonTypeName(shapeJson)));
    if (shapeJson.size() > kMaxRank)
      throw Error(fmt::format("{}: shape has rank {}, more than the supported "
                              "maximum of {}",
                              where, shapeJson.size(), kMaxRank));
    std::vector<int64_t> shape;
    shape.reserve(shapeJson.size());
    uint64_t numElements = 1;
    bool countOverflows = false;
    for (size_t i = 0; i < shapeJson.size(); ++i) {
      uint64_t dim = 0;
      std::string problem;
      if (!readNonNegativeInteger(shapeJson[i], dim, problem))
        throw Error(fmt::format("{}: shape[{}] {}", where, i, problem));
      shape.push_back(static_cast<int64_t>(dim));
      if (__builtin_mul_overflow(numElements, dim, &numElements) ||
          numElements > kInt64Max)
        countOverflows = true;
    }
    // A zero dimension makes the count 0 even if an earlier product
    // overflowed; the format (and numpy) still reject such a shape.
    if (countOverflows)
      throw Error(fmt::format("{}: shape {} has more elements than fit in a "
                              "64-bit count",
                              where, formatShape(shape)));

    // data_offsets
    const json &offsetsJson = field("data_offsets");
    if (!offsetsJson.is_array() || offsetsJson.size() != 2)
      throw Error(fmt::format(
          "{}: 'data_offsets' is {}, expected an array of two non-negative "
          "integers [begin, end]",
          where,
          offsetsJson.is_array()
              ? fmt::format("an array of {} elements", offsetsJson.size())
              : fmt::format("a JSON {}", jsonTypeName(offsetsJson))));
    uint64_t begin = 0, end = 0;
    {
      std::string problem;
      if (!readNonNegativeInteger(offsetsJson[0], begin, problem))
        throw Error(
            fmt::format("{}: data_offsets[0] (begin) {}", where, problem));
      if (!readNonNegativeInteger(offsetsJson[1], end, problem))
        throw Error(
            fmt::format("{}: data_offsets[1] (end) {}", where, problem));
    }
    if (begin > end)
      throw Error(fmt::format("{}: data_offsets [{}, {}] has begin > end",
                              where, begin, end));
    if (end > dataSize)
      throw Error(fmt::format(
          "{}: data_offsets [{}, {}] end past the data section, which is {} "
          "bytes (file is {} bytes, header {} bytes; truncated?)",
          where, begin, end, dataSize, size, headerSize));

    uint64_t expectedBytes = 0;
    if (__builtin_mul_overflow(numElements,
                               static_cast<uint64_t>(dtypeSize(*dtype)),
                               &expectedBytes))
      throw Error(fmt::format("{}: shape {} of {} has a byte size that does "
                              "not fit in 64 bits",
                              where, formatShape(shape), dtypeString));
    if (expectedBytes != end - begin)
      throw Error(fmt::format(
          "{}: byte size mismatch: shape {} of {} needs {} bytes ({} elements "
          "x {}), but data_offsets [{}, {}] span {} bytes",
          where, formatShape(shape), dtypeString, expectedBytes, numElements,
          dtypeSize(*dtype), begin, end, end - begin));

    Entry entry;
    entry.view.name = key;
    entry.view.dtype = *dtype;
    entry.view.shape = std::move(shape);
    entry.view.fileOffset = 8 + headerSize + begin;
    entry.view.byteSize = end - begin;
    entry.view.data = dataSection + begin;
    entry.begin = begin;
    entry.end = end;
    entries.push_back(std::move(entry));
  }

  // File order; empty tensors sort before a non-empty one at the same offset.
  std::sort(entries.begin(), entries.end(), [](const Entry &a, const Entry &b) {
    if (a.begin != b.begin)
      return a.begin < b.begin;
    if (a.end != b.end)
      return a.end < b.end;
    return a.view.name < b.view.name;
  });

  // Overlaps among non-empty byte ranges. Sorted by begin, a range overlaps
  // an earlier one iff it starts before the furthest end seen so far.
  const Entry *furthest = nullptr;
  for (const Entry &entry : entries) {
    if (entry.begin == entry.end)
      continue;
    if (furthest && entry.begin < furthest->end)
      throw Error(fmt::format(
          "{}: tensors {} (data_offsets [{}, {}]) and {} (data_offsets [{}, "
          "{}]) overlap",
          name, quoteForMessage(furthest->view.name), furthest->begin,
          furthest->end, quoteForMessage(entry.view.name), entry.begin,
          entry.end));
    if (!furthest || entry.end > furthest->end)
      furthest = &entry;
  }

  file.tensors_.reserve(entries.size());
  for (Entry &entry : entries) {
    file.byName_.emplace(entry.view.name, file.tensors_.size());
    file.tensors_.push_back(std::move(entry.view));
  }
  return file;
}

std::unique_ptr<SafetensorsFile>
SafetensorsFile::open(const std::string &path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    throw Error(fmt::format("{}: cannot open: {}", path, std::strerror(errno)));
  struct stat st;
  if (::fstat(fd, &st) != 0) {
    int error = errno;
    ::close(fd);
    throw Error(fmt::format("{}: cannot stat: {}", path, std::strerror(error)));
  }
  if (!S_ISREG(st.st_mode)) {
    ::close(fd);
    throw Error(fmt::format("{}: not a regular file", path));
  }
  auto size = static_cast<uint64_t>(st.st_size);
  if (size < 8) {
    // Too small to map usefully (and mmap rejects length 0): read it so that
    // parse() reports the problem in the usual words.
    uint8_t small[8] = {};
    ssize_t got = ::pread(fd, small, sizeof(small), 0);
    ::close(fd);
    size_t length = got > 0 ? static_cast<size_t>(got) : 0;
    (void)parse(small, length, path); // throws
    throw Error(fmt::format("{}: file is too short", path));
  }
  if (size > std::numeric_limits<size_t>::max()) {
    ::close(fd);
    throw Error(
        fmt::format("{}: file of {} bytes cannot be mapped", path, size));
  }
  void *mapping =
      ::mmap(nullptr, static_cast<size_t>(size), PROT_READ, MAP_PRIVATE, fd, 0);
  int mapError = errno;
  ::close(fd);
  if (mapping == MAP_FAILED)
    throw Error(fmt::format("{}: cannot map {} bytes: {}", path, size,
                            std::strerror(mapError)));
  try {
    SafetensorsFile file = parse(static_cast<const uint8_t *>(mapping),
                                 static_cast<size_t>(size), path);
    file.mapping_ = mapping;
    file.mappingSize_ = static_cast<size_t>(size);
    return std::make_unique<SafetensorsFile>(std::move(file));
  } catch (...) {
    ::munmap(mapping, static_cast<size_t>(size));
    throw;
  }
}

SafetensorsFile::SafetensorsFile(SafetensorsFile &&other) noexcept
    : origin_(std::move(other.origin_)), tensors_(std::move(other.tensors_)),
      byName_(std::move(other.byName_)), metadata_(std::move(other.metadata_)),
      size_(other.size_), headerSize_(other.headerSize_),
      mapping_(other.mapping_), mappingSize_(other.mappingSize_) {
  other.mapping_ = nullptr;
  other.mappingSize_ = 0;
}

SafetensorsFile &SafetensorsFile::operator=(SafetensorsFile &&other) noexcept {
  if (this != &other) {
    release();
    origin_ = std::move(other.origin_);
    tensors_ = std::move(other.tensors_);
    byName_ = std::move(other.byName_);
    metadata_ = std::move(other.metadata_);
    size_ = other.size_;
    headerSize_ = other.headerSize_;
    mapping_ = other.mapping_;
    mappingSize_ = other.mappingSize_;
    other.mapping_ = nullptr;
    other.mappingSize_ = 0;
  }
  return *this;
}

SafetensorsFile::~SafetensorsFile() { release(); }

void SafetensorsFile::release() noexcept {
  if (mapping_)
    ::munmap(mapping_, mappingSize_);
  mapping_ = nullptr;
  mappingSize_ = 0;
}

const TensorView *SafetensorsFile::find(std::string_view name) const {
  auto it = byName_.find(name);
  return it == byName_.end() ? nullptr : &tensors_[it->second];
}

} // namespace facet
