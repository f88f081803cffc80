//===- PackageFile.cpp - A validated, memory-mapped .facet file -----------===//
//
// Part of Facet, an ahead-of-time compiler for Gemma 4 language models.
//
//===----------------------------------------------------------------------===//

#include "runtime/package/PackageFile.h"

#include "runtime/core/PackageReader.h"
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

SectionRef sectionRef(const core::SectionView &view) {
  SectionRef section;
  if (view.data) { // an absent Tokenizer section stays the empty default
    section.kind = view.kind;
    section.offset = view.offset;
    section.size = view.size;
    section.data = view.data;
  }
  return section;
}

} // namespace

ParsedPackage parsePackage(const uint8_t *data, uint64_t size,
                           const std::string &name) {
  core::PackageLayout layout;
  core::Status status;
  if (!core::readPackageLayout(data, size, layout, status))
    throw FormatError(name + ": " + status.message);

  ParsedPackage package;
  for (uint32_t i = 0; i < layout.sectionCount; ++i)
    package.sections.push_back(sectionRef(layout.sections[i]));
  package.manifestSection = sectionRef(layout.manifest);
  package.kernels = sectionRef(layout.kernels);
  package.weights = sectionRef(layout.weights);
  package.tokenizer = sectionRef(layout.tokenizer);
  package.viewArena = std::make_shared<HostArena>();
  try {
    package.view = readManifestView(package.manifestSection.data,
                                    package.manifestSection.size,
                                    package.weights.size, *package.viewArena);
  } catch (const FormatError &error) {
    throw FormatError(name + ": " + error.what());
  }
  package.manifest = toManifest(package.view);
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
  file->prepareGatheredWeights();
  return file;
}

void PackageFile::prepareGatheredWeights() {
  // The PLE table is read one row per token (about 5 KB of E2B's 1.2 GB
  // table). Its mapping is marked random so that a row's fault reads only
  // its own pages from disk, not a readahead window, and the resident set
  // grows by what a step gathers. (`facet compile` drops the table from
  // the page cache after writing it, see PackageWriter.cpp: the large
  // folios a write leaves would otherwise be mapped whole around each row.)
  if (!mapping)
    return;
  const uintptr_t page = uintptr_t(sysconf(_SC_PAGESIZE));
  const uintptr_t base = reinterpret_cast<uintptr_t>(mapping);
  for (const WeightInfo &weight : parsed.manifest.weights) {
    if (!isGatheredByRow(weight))
      continue;
    uintptr_t begin =
        reinterpret_cast<uintptr_t>(parsed.weights.data + weight.offset);
    uintptr_t start = std::max(base, begin & ~(page - 1));
    PageRange range;
    range.start = start;
    range.length = begin + weight.bytes - start;
    gatheredRanges.push_back(range);
    madvise(reinterpret_cast<void *>(range.start), range.length, MADV_RANDOM);
  }
}

void PackageFile::releaseGatheredWeights() const {
  // Even in small pages a long prompt gathers many rows; dropping the
  // mappings after each step keeps the resident set to what one step
  // gathers. The pages stay in the page cache, so the next touch is a
  // minor fault, not a read.
  for (const PageRange &range : gatheredRanges)
    madvise(reinterpret_cast<void *>(range.start), range.length, MADV_DONTNEED);
}

PackageFile::~PackageFile() {
  if (mapping)
    munmap(mapping, mappingSize);
}

} // namespace facet::package
