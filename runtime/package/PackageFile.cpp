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
  try {
    file->parsed = parsePackage(bytes, file->mappingSize, path);
  } catch (...) {
    ::close(fd);
    throw;
  }
  file->prepareGatheredWeights(fd);
  ::close(fd); // the mapping keeps the file's pages reachable
  return file;
}

void PackageFile::prepareGatheredWeights(int fd) {
  // The PLE table is read one row per token (about 5 KB of E2B's 1.2 GB
  // table), but Linux maps the whole page-cache folio around each row it
  // touches, and a package just written by `facet compile` (or read
  // sequentially) sits in the cache in large folios: a 512-token prompt
  // made E2B's process map about 1.6 MB per row, 175 MB more than its
  // other weights. So the table's clean cached pages are dropped once here
  // (pages some process maps stay) and its mapping is marked random, so
  // each row is faulted in alone, in small pages, from the page cache or
  // the disk.
  if (!mapping)
    return;
  const uintptr_t page = uintptr_t(sysconf(_SC_PAGESIZE));
  const uintptr_t base = reinterpret_cast<uintptr_t>(mapping);
  for (const WeightInfo &weight : parsed.manifest.weights) {
    if (weight.weightClass != "ple_table" || weight.bytes == 0)
      continue;
    uintptr_t begin =
        reinterpret_cast<uintptr_t>(parsed.weights.data + weight.offset);
    uintptr_t start = std::max(base, begin & ~(page - 1));
    PageRange range;
    range.start = start;
    range.length = begin + weight.bytes - start;
    gatheredRanges.push_back(range);
    posix_fadvise(fd, off_t(start - base), off_t(range.length),
                  POSIX_FADV_DONTNEED);
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
