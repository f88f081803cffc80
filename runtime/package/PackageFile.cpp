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
  return file;
}

void PackageFile::releaseGatheredWeights() const {
  // The PLE table is read one row per token, but the kernel maps the whole
  // large page-cache folio around each row it touches (about 1.6 MB a row
  // here, MADV_RANDOM or not): a 512-token prompt made E2B's process map
  // 0.8 GB of its 1.3 GB table. Dropping those mappings after each step
  // keeps the resident set to what one step gathers; the pages stay in the
  // page cache, so the next touch is a minor fault, not a read.
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
    madvise(reinterpret_cast<void *>(start), begin + weight.bytes - start,
            MADV_DONTNEED);
  }
}

PackageFile::~PackageFile() {
  if (mapping)
    munmap(mapping, mappingSize);
}

} // namespace facet::package
