//===- PackageWriter.cpp - Write a .facet package -------------------------===//
//
// Part of Facet, an ahead-of-time compiler for Gemma 4 language models.
//
//===----------------------------------------------------------------------===//

#include "runtime/package/PackageWriter.h"

#include "runtime/package/ByteIO.h"
#include "runtime/package/FormatError.h"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <memory>
#include <vector>

#include <fcntl.h>
#include <unistd.h>

namespace facet::package {

namespace {

uint64_t alignUp(uint64_t value, uint64_t alignment = kSectionAlignment) {
  return (value + alignment - 1) / alignment * alignment;
}

/// A FILE* that removes its temporary file unless committed.
class TempFile {
public:
  explicit TempFile(const std::string &path)
      : path(path + ".tmp." + std::to_string(::getpid())), target(path) {
    file = std::fopen(this->path.c_str(), "wb");
    if (!file)
      throw IoError("cannot write " + this->path + ": " + std::strerror(errno));
  }
  ~TempFile() {
    if (file)
      std::fclose(file);
    if (!committed)
      std::remove(path.c_str());
  }

  void write(const void *data, uint64_t size) {
    if (size > 0 && std::fwrite(data, 1, size, file) != size)
      throw IoError("cannot write " + path + ": " + std::strerror(errno));
  }
  void zeros(uint64_t count) {
    static const uint8_t zero[kSectionAlignment] = {};
    while (count > 0) {
      uint64_t chunk = count < kSectionAlignment ? count : kSectionAlignment;
      write(zero, chunk);
      count -= chunk;
    }
  }

  /// A byte range of the file.
  struct Range {
    uint64_t offset = 0, length = 0;
  };

  /// Flushes and syncs the file, drops `uncached` from the page cache (a
  /// hint: failure only costs memory later), and renames it over the target.
  void commit(const std::vector<Range> &uncached) {
    bool ok = std::fflush(file) == 0 && ::fsync(::fileno(file)) == 0;
    int error = errno;
    if (ok)
      for (const Range &range : uncached)
        posix_fadvise(::fileno(file), off_t(range.offset), off_t(range.length),
                      POSIX_FADV_DONTNEED);
    ok = std::fclose(file) == 0 && ok;
    file = nullptr;
    if (!ok)
      throw IoError("cannot write " + path + ": " + std::strerror(error));
    if (std::rename(path.c_str(), target.c_str()) != 0)
      throw IoError("cannot rename " + path + " to " + target + ": " +
                    std::strerror(errno));
    committed = true;
  }

private:
  std::string path, target;
  std::FILE *file = nullptr;
  bool committed = false;
};

} // namespace

PackageWriter::PackageWriter(Manifest manifest)
    : manifestData(std::move(manifest)),
      weightFills(manifestData.weights.size()) {}

void PackageWriter::setKernels(std::vector<uint8_t> object) {
  kernelObject = std::move(object);
}

void PackageWriter::setTokenizer(std::vector<uint8_t> bytes) {
  tokenizer = std::move(bytes);
  hasTokenizer = true;
}

void PackageWriter::setWeight(uint64_t index, std::vector<uint8_t> bytes) {
  if (index >= manifestData.weights.size())
    throw FormatError("package writer: weight index " + std::to_string(index) +
                      " is out of range");
  const WeightInfo &weight = manifestData.weights[index];
  if (bytes.size() != weight.bytes)
    throw FormatError("package writer: weight '" + weight.name + "' has " +
                      std::to_string(bytes.size()) + " bytes, expected " +
                      std::to_string(weight.bytes));
  auto shared = std::make_shared<std::vector<uint8_t>>(std::move(bytes));
  weightFills[index] = [shared](uint8_t *out, uint64_t size) {
    std::memcpy(out, shared->data(), size);
  };
}

void PackageWriter::setWeight(uint64_t index, WeightFill fill) {
  if (index >= manifestData.weights.size())
    throw FormatError("package writer: weight index " + std::to_string(index) +
                      " is out of range");
  weightFills[index] = std::move(fill);
}

void PackageWriter::write(const std::string &path) {
  // Weights in manifest order, each kWeightAlignment-byte aligned.
  uint64_t weightsSize = 0;
  for (uint64_t i = 0; i < manifestData.weights.size(); ++i) {
    WeightInfo &weight = manifestData.weights[i];
    if (!weightFills[i])
      throw FormatError("package writer: no bytes for weight '" + weight.name +
                        "'");
    weight.offset = alignUp(weightsSize, kWeightAlignment);
    weightsSize = weight.offset + weight.bytes;
  }

  std::vector<uint8_t> manifestBytes = serializeManifest(manifestData);
  try {
    parseManifest(manifestBytes.data(), manifestBytes.size(), weightsSize);
  } catch (const FormatError &error) {
    throw FormatError(
        path + ": refusing to write an invalid package: " + error.what());
  }

  struct Planned {
    SectionKind kind;
    uint64_t size;
    uint64_t offset = 0;
  };
  std::vector<Planned> sections = {
      {SectionKind::Manifest, manifestBytes.size()},
      {SectionKind::Kernels, kernelObject.size()},
      {SectionKind::Weights, weightsSize},
  };
  if (hasTokenizer)
    sections.push_back({SectionKind::Tokenizer, tokenizer.size()});
  uint64_t offset = alignUp(kHeaderSize + sections.size() * kSectionEntrySize);
  for (Planned &section : sections) {
    if (section.kind == SectionKind::Weights)
      offset = alignUp(offset, kWeightAlignment);
    section.offset = offset;
    offset = alignUp(offset + section.size);
  }
  uint64_t fileSize = sections.back().offset + sections.back().size;

  ByteWriter head;
  head.bytes(kMagic, sizeof(kMagic));
  head.u32(kFormatVersion);
  head.u32(static_cast<uint32_t>(sections.size()));
  head.u64(fileSize);
  head.u64(kHeaderSize); // the section table follows the header
  head.padTo(kHeaderSize);
  for (const Planned &section : sections) {
    head.u32(static_cast<uint32_t>(section.kind));
    head.u32(0);
    head.u64(section.offset);
    head.u64(section.size);
  }

  TempFile out(path);
  out.write(head.data().data(), head.size());
  uint64_t written = head.size();
  auto seek = [&](uint64_t to) {
    out.zeros(to - written);
    written = to;
  };
  seek(sections[0].offset);
  out.write(manifestBytes.data(), manifestBytes.size());
  written += manifestBytes.size();
  seek(sections[1].offset);
  out.write(kernelObject.data(), kernelObject.size());
  written += kernelObject.size();
  seek(sections[2].offset);
  std::vector<uint8_t> scratch;
  for (uint64_t i = 0; i < manifestData.weights.size(); ++i) {
    const WeightInfo &weight = manifestData.weights[i];
    seek(sections[2].offset + weight.offset);
    scratch.assign(weight.bytes, 0);
    weightFills[i](scratch.data(), weight.bytes);
    out.write(scratch.data(), scratch.size());
    written += scratch.size();
  }
  if (hasTokenizer) {
    seek(sections[3].offset);
    out.write(tokenizer.data(), tokenizer.size());
    written += tokenizer.size();
  }
  // The PLE table is read a row per token. Written, it sits in the page
  // cache in large folios, and a process that faults in one row maps the
  // whole folio around it: E2B's 512-token prompt mapped about 1.6 MB per
  // row, 175 MB above its other weights. Dropping the table's clean pages
  // once the file is on disk makes runs read each row alone, in small pages.
  std::vector<TempFile::Range> uncached;
  for (const WeightInfo &weight : manifestData.weights)
    if (isGatheredByRow(weight))
      uncached.push_back({sections[2].offset + weight.offset, weight.bytes});
  out.commit(uncached);
}

} // namespace facet::package
