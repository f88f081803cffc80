//===- PackageFile.cpp - A validated, memory-mapped .facet file -----------===//
//
// Part of Facet, an ahead-of-time compiler for Gemma 4 language models.
//
//===----------------------------------------------------------------------===//

#include "runtime/package/PackageFile.h"

#include "runtime/package/ByteIO.h"
#include "runtime/package/FormatError.h"

#include <algorithm>
#include <cerrno>
#include <cstring>

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

namespace facet::package {

namespace {

constexpr uint64_t kMaxSections = 16;

std::string str(uint64_t value) { return std::to_string(value); }

std::string printable(const uint8_t *bytes, size_t count) {
  std::string text;
  for (size_t i = 0; i < count; ++i) {
    char c = static_cast<char>(bytes[i]);
    if (c >= 0x20 && c < 0x7f && c != '\\' && c != '"') {
      text += c;
    } else {
      static const char hex[] = "0123456789abcdef";
      text += "\\x";
      text += hex[bytes[i] >> 4];
      text += hex[bytes[i] & 15];
    }
  }
  return text;
}

std::string sectionText(uint64_t index, SectionKind kind) {
  return "section " + str(index) + " (" + sectionKindName(kind) + ")";
}

} // namespace

const char *sectionKindName(SectionKind kind) {
  switch (kind) {
  case SectionKind::Manifest:
    return "Manifest";
  case SectionKind::Kernels:
    return "Kernels";
  case SectionKind::Weights:
    return "Weights";
  case SectionKind::Tokenizer:
    return "Tokenizer";
  }
  return "unknown";
}

ParsedPackage parsePackage(const uint8_t *data, uint64_t size,
                           const std::string &name) {
  auto fail = [&](const std::string &message) -> void {
    throw FormatError(name + ": " + message);
  };

  if (size >= sizeof(kMagic) && std::memcmp(data, kMagic, sizeof(kMagic)) != 0)
    fail("not a Facet package: magic is \"" + printable(data, sizeof(kMagic)) +
         "\", expected \"FACETPKG\"");
  if (size < kHeaderSize)
    fail("truncated: the file has " + str(size) +
         " bytes, less than the 64-byte header");

  uint32_t version = loadU32(data + 8);
  uint32_t sectionCount = loadU32(data + 12);
  uint64_t fileSize = loadU64(data + 16);
  uint64_t tableOffset = loadU64(data + 24);
  if (version != kFormatVersion)
    fail("unsupported format version: expected " + str(kFormatVersion) +
         ", found " + str(version));
  if (fileSize != size)
    fail(size < fileSize ? "truncated: the header says the file has " +
                               str(fileSize) + " bytes, found " + str(size)
                         : "the header says the file has " + str(fileSize) +
                               " bytes, found " + str(size));
  for (uint64_t i = 32; i < kHeaderSize; ++i)
    if (data[i] != 0)
      fail("header reserved byte " + str(i) + " is not zero");
  if (sectionCount == 0 || sectionCount > kMaxSections)
    fail("section count is " + str(sectionCount) + ", expected 1 to " +
         str(kMaxSections));
  uint64_t tableBytes = uint64_t(sectionCount) * kSectionEntrySize;
  if (tableOffset < kHeaderSize || tableOffset > size ||
      tableBytes > size - tableOffset)
    fail("section table [" + str(tableOffset) + ", " +
         str(tableOffset + tableBytes) + ") lies outside the file (" +
         str(size) + " bytes) or inside the header");

  ParsedPackage package;
  for (uint64_t i = 0; i < sectionCount; ++i) {
    const uint8_t *entry = data + tableOffset + i * kSectionEntrySize;
    uint32_t kind = loadU32(entry);
    uint32_t reserved = loadU32(entry + 4);
    SectionRef section;
    section.offset = loadU64(entry + 8);
    section.size = loadU64(entry + 16);
    if (kind < uint32_t(SectionKind::Manifest) ||
        kind > uint32_t(SectionKind::Tokenizer))
      fail("section " + str(i) + " has unknown kind " + str(kind));
    section.kind = static_cast<SectionKind>(kind);
    std::string where = sectionText(i, section.kind);
    if (reserved != 0)
      fail(where + ": reserved field is not zero");
    if (section.offset % kSectionAlignment != 0)
      fail(where + ": offset " + str(section.offset) +
           " is not 64-byte aligned");
    if (section.offset < kHeaderSize || section.offset > size ||
        section.size > size - section.offset)
      fail(where + ": bytes [" + str(section.offset) + ", " +
           str(section.offset + section.size) +
           ") lie past the end of the file (" + str(size) +
           " bytes) or inside the header");
    section.data = data + section.offset;
    for (const SectionRef &other : package.sections)
      if (other.kind == section.kind)
        fail("two " + std::string(sectionKindName(section.kind)) + " sections");
    package.sections.push_back(section);
  }

  // No section may overlap the section table or another section.
  auto overlap = [](uint64_t aBegin, uint64_t aSize, uint64_t bBegin,
                    uint64_t bSize) {
    return aSize > 0 && bSize > 0 && aBegin < bBegin + bSize &&
           bBegin < aBegin + aSize;
  };
  for (uint64_t i = 0; i < package.sections.size(); ++i) {
    const SectionRef &a = package.sections[i];
    if (overlap(a.offset, a.size, tableOffset, tableBytes))
      fail(sectionText(i, a.kind) + " overlaps the section table");
  }
  for (uint64_t i = 0; i < package.sections.size(); ++i)
    for (uint64_t j = i + 1; j < package.sections.size(); ++j) {
      const SectionRef &a = package.sections[i], &b = package.sections[j];
      if (overlap(a.offset, a.size, b.offset, b.size))
        fail(sectionText(i, a.kind) + " and " + sectionText(j, b.kind) +
             " overlap");
    }

  bool haveManifest = false, haveKernels = false, haveWeights = false;
  for (const SectionRef &section : package.sections) {
    switch (section.kind) {
    case SectionKind::Manifest:
      package.manifestSection = section;
      haveManifest = true;
      break;
    case SectionKind::Kernels:
      package.kernels = section;
      haveKernels = true;
      break;
    case SectionKind::Weights:
      package.weights = section;
      haveWeights = true;
      break;
    case SectionKind::Tokenizer:
      package.tokenizer = section;
      break;
    }
  }
  if (!haveManifest)
    fail("no Manifest section");
  if (!haveKernels)
    fail("no Kernels section");
  if (!haveWeights)
    fail("no Weights section");

  try {
    package.manifest =
        parseManifest(package.manifestSection.data,
                      package.manifestSection.size, package.weights.size);
  } catch (const FormatError &error) {
    throw FormatError(name + ": " + error.what());
  }
  return package;
}

std::unique_ptr<PackageFile> PackageFile::open(const std::string &path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    throw IoError("cannot open " + path + ": " + std::strerror(errno));
  struct stat info;
  if (fstat(fd, &info) != 0) {
    int error = errno;
    ::close(fd);
    throw IoError("cannot stat " + path + ": " + std::strerror(error));
  }
  if (!S_ISREG(info.st_mode)) {
    ::close(fd);
    throw IoError("cannot open " + path + ": not a regular file");
  }
  std::unique_ptr<PackageFile> file(new PackageFile());
  file->filePath = path;
  file->mappingSize = static_cast<uint64_t>(info.st_size);
  // mmap cannot map zero bytes; an empty file is still a truncated package.
  static const uint8_t empty[1] = {0};
  const uint8_t *bytes = empty;
  if (file->mappingSize > 0) {
    void *mapping =
        mmap(nullptr, file->mappingSize, PROT_READ, MAP_PRIVATE, fd, 0);
    if (mapping == MAP_FAILED) {
      int error = errno;
      ::close(fd);
      throw IoError("cannot map " + path + ": " + std::strerror(error));
    }
    file->mapping = mapping;
    bytes = static_cast<const uint8_t *>(mapping);
  }
  ::close(fd); // the mapping keeps the file's pages reachable
  file->parsed = parsePackage(bytes, file->mappingSize, path);
  return file;
}

PackageFile::~PackageFile() {
  if (mapping)
    munmap(mapping, mappingSize);
}

} // namespace facet::package
