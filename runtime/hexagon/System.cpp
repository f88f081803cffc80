//===- System.cpp - Output, files and exit for the Hexagon runner ---------===//
//
// Part of Facet, an ahead-of-time compiler for Gemma 4 language models.
//
//===----------------------------------------------------------------------===//

#include "runtime/hexagon/System.h"

#include "runtime/hexagon/Memory.h"
#include "runtime/hexagon/Syscall.h"

extern "C" size_t strlen(const char *text);

namespace facet::hexagon {

namespace {

void writeNumber(int fd, int64_t value) {
  ErrorMessage text;
  if (value < 0) {
    text.append("-");
    text.appendUnsigned(0 - static_cast<uint64_t>(value));
  } else {
    text.appendUnsigned(static_cast<uint64_t>(value));
  }
  writeAll(fd, text.text(), strlen(text.text()));
}

void describeFailure(ErrorMessage &error, const char *what, const char *path,
                     long result) {
  error.append(what).append(" '").append(path).append("' failed (errno ");
  error.appendUnsigned(static_cast<uint64_t>(-result)).append(")");
}

/// Opens `path` and finds its size with fstat (struct stat64 of
/// asm-generic: st_size is the 64-bit field at offset 48).
long openForReading(const char *path, uint64_t &size, ErrorMessage &error) {
  long fd = sys::call3(sys::kOpenat, sys::kAtFdCwd,
                       reinterpret_cast<long>(path), sys::kOpenReadOnly);
  if (sys::failed(fd)) {
    describeFailure(error, "open", path, fd);
    return -1;
  }
  alignas(8) uint8_t stat[128];
  long result = sys::call3(sys::kFstat, fd, reinterpret_cast<long>(stat), 0);
  if (sys::failed(result)) {
    describeFailure(error, "fstat", path, result);
    sys::call3(sys::kClose, fd, 0, 0);
    return -1;
  }
  size = 0;
  for (int i = 7; i >= 0; --i)
    size = (size << 8) | stat[48 + i];
  // The whole file must fit the 32-bit address space with room to spare.
  if (size > 0x7fffffffu) {
    error.append("file '").append(path).append("' is too large (");
    error.appendUnsigned(size).append(" bytes)");
    sys::call3(sys::kClose, fd, 0, 0);
    return -1;
  }
  return fd;
}

} // namespace

bool writeAll(int fd, const void *data, size_t size) {
  const char *bytes = static_cast<const char *>(data);
  while (size > 0) {
    long written = sys::call3(sys::kWrite, fd, reinterpret_cast<long>(bytes),
                              static_cast<long>(size));
    if (sys::failed(written) || written == 0)
      return false;
    bytes += written;
    size -= static_cast<size_t>(written);
  }
  return true;
}

void writeOut(const char *text) { writeAll(1, text, strlen(text)); }
void writeErr(const char *text) { writeAll(2, text, strlen(text)); }
void writeOutNumber(int64_t value) { writeNumber(1, value); }
void writeErrNumber(int64_t value) { writeNumber(2, value); }

bool readFile(const char *path, FileData &file, ErrorMessage &error) {
  uint64_t size = 0;
  long fd = openForReading(path, size, error);
  if (fd < 0)
    return false;
  // One spare byte so that an empty file still gets a valid buffer.
  uint8_t *data = static_cast<uint8_t *>(allocate(size + 1));
  if (!data) {
    error.append("out of memory reading '").append(path).append("'");
    sys::call3(sys::kClose, fd, 0, 0);
    return false;
  }
  size_t done = 0;
  while (done < size) {
    long got = sys::call3(sys::kRead, fd, reinterpret_cast<long>(data + done),
                          static_cast<long>(size - done));
    if (sys::failed(got) || got == 0) {
      if (got == 0)
        error.append("'").append(path).append("' shrank while being read");
      else
        describeFailure(error, "read", path, got);
      deallocate(data);
      sys::call3(sys::kClose, fd, 0, 0);
      return false;
    }
    done += static_cast<size_t>(got);
  }
  sys::call3(sys::kClose, fd, 0, 0);
  file.data = data;
  file.size = size;
  file.mapped = false;
  return true;
}

bool mapFile(const char *path, FileData &file, ErrorMessage &error) {
  uint64_t size = 0;
  long fd = openForReading(path, size, error);
  if (fd < 0)
    return false;
  // mmap2 cannot map zero bytes; an empty file maps one zero page.
  long length = size == 0 ? 1 : static_cast<long>(size);
  long address = sys::call6(sys::kMmap2, 0, length, sys::kProtRead,
                            sys::kMapPrivate, fd, 0);
  sys::call3(sys::kClose, fd, 0, 0);
  if (sys::failed(address)) {
    describeFailure(error, "mmap2 of", path, address);
    return false;
  }
  file.data = reinterpret_cast<uint8_t *>(address);
  file.size = size;
  file.mapped = true;
  return true;
}

void releaseFile(FileData &file) {
  if (file.mapped)
    sys::call3(sys::kMunmap, reinterpret_cast<long>(file.data),
               file.size == 0 ? 1 : static_cast<long>(file.size), 0);
  else
    deallocate(file.data);
  file = FileData();
}

bool writeFile(const char *path, const void *data, size_t size,
               ErrorMessage &error) {
  long fd =
      sys::call6(sys::kOpenat, sys::kAtFdCwd, reinterpret_cast<long>(path),
                 sys::kOpenWriteCreateTruncate, 0644, 0, 0);
  if (sys::failed(fd)) {
    describeFailure(error, "open for writing", path, fd);
    return false;
  }
  bool ok = writeAll(static_cast<int>(fd), data, size);
  long closed = sys::call3(sys::kClose, fd, 0, 0);
  if (!ok || sys::failed(closed)) {
    error.append("writing '").append(path).append("' failed");
    return false;
  }
  return true;
}

void exitProcess(int status) {
  for (;;)
    sys::call3(sys::kExitGroup, status, 0, 0);
}

} // namespace facet::hexagon
