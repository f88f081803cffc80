//===- System.h - Output, files and exit for the Hexagon runner -*- C++ -*-===//
//
// Part of Facet, an ahead-of-time compiler for Gemma 4 language models.
//
//===----------------------------------------------------------------------===//
//
// What a runner without a C library needs from the operating system: text to
// stdout/stderr, whole files in and out (the package, dumped logits), and the
// process exit. Built on the raw system calls of Syscall.h. Failures are
// returned with a message naming the path and the errno, never thrown.
//
// The program's entry point is `int main(int argc, char **argv)`, called by
// Start.cpp's `_start`; its return value is the exit status.
//
//===----------------------------------------------------------------------===//

#ifndef FACET_RUNTIME_HEXAGON_SYSTEM_H
#define FACET_RUNTIME_HEXAGON_SYSTEM_H

#include "runtime/hexagon/ErrorMessage.h"

#include <stddef.h>
#include <stdint.h>

namespace facet::hexagon {

/// Writes all `size` bytes to file descriptor `fd`; false on an error.
bool writeAll(int fd, const void *data, size_t size);

/// NUL-terminated text to stdout (fd 1) or stderr (fd 2).
void writeOut(const char *text);
void writeErr(const char *text);
/// A decimal number to stdout or stderr.
void writeOutNumber(int64_t value);
void writeErrNumber(int64_t value);

/// A file's bytes in memory. `data` is 128-byte aligned; release it with
/// releaseFile. A mapped file is read-only.
struct FileData {
  uint8_t *data = nullptr;
  size_t size = 0;
  bool mapped = false;
};

/// Reads the whole file into memory from the allocator (writable copy).
bool readFile(const char *path, FileData &file, ErrorMessage &error);
/// Maps the whole file read-only (mmap2): no copy, for large packages.
bool mapFile(const char *path, FileData &file, ErrorMessage &error);
void releaseFile(FileData &file);

/// Creates or truncates `path` and writes `size` bytes to it.
bool writeFile(const char *path, const void *data, size_t size,
               ErrorMessage &error);

/// Ends the process (all threads) with `status`.
[[noreturn]] void exitProcess(int status);

} // namespace facet::hexagon

#endif // FACET_RUNTIME_HEXAGON_SYSTEM_H
