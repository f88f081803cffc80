//===- CLibrary.cpp - The C library subset generated code calls -----------===//
//
// Part of Facet, an ahead-of-time compiler for Gemma 4 language models.
//
//===----------------------------------------------------------------------===//
//
// Halide's runtime, Halide kernels and clang's own lowering (struct copies,
// zero-initialisation) call these C functions; there is no libc on the
// Hexagon runner, so they are defined here, with C linkage, and exported to
// loaded kernels (Exports.cpp). Built with -ffreestanding, which keeps clang
// from turning the loops below back into calls to themselves.
//
//===----------------------------------------------------------------------===//

#include "runtime/hexagon/CLibrary.h"
#include "runtime/hexagon/Memory.h"
#include "runtime/hexagon/System.h"

#include <stddef.h>
#include <stdint.h>

namespace {

typedef uint32_t __attribute__((may_alias)) Word;

bool wordAligned(const void *a, const void *b) {
  return ((reinterpret_cast<uintptr_t>(a) | reinterpret_cast<uintptr_t>(b)) &
          3) == 0;
}

} // namespace

extern "C" {

void *memcpy(void *dest, const void *src, size_t size) {
  uint8_t *d = static_cast<uint8_t *>(dest);
  const uint8_t *s = static_cast<const uint8_t *>(src);
  if (wordAligned(d, s)) {
    for (; size >= 16; size -= 16, d += 16, s += 16) {
      Word w0 = reinterpret_cast<const Word *>(s)[0];
      Word w1 = reinterpret_cast<const Word *>(s)[1];
      Word w2 = reinterpret_cast<const Word *>(s)[2];
      Word w3 = reinterpret_cast<const Word *>(s)[3];
      reinterpret_cast<Word *>(d)[0] = w0;
      reinterpret_cast<Word *>(d)[1] = w1;
      reinterpret_cast<Word *>(d)[2] = w2;
      reinterpret_cast<Word *>(d)[3] = w3;
    }
  }
  while (size--)
    *d++ = *s++;
  return dest;
}

void *memmove(void *dest, const void *src, size_t size) {
  uint8_t *d = static_cast<uint8_t *>(dest);
  const uint8_t *s = static_cast<const uint8_t *>(src);
  if (d <= s || d >= s + size)
    return memcpy(dest, src, size);
  // Overlapping with dest above src: copy from the end.
  while (size--)
    d[size] = s[size];
  return dest;
}

void *memset(void *dest, int value, size_t size) {
  uint8_t *d = static_cast<uint8_t *>(dest);
  uint8_t byte = static_cast<uint8_t>(value);
  for (; size > 0 && (reinterpret_cast<uintptr_t>(d) & 3) != 0; --size)
    *d++ = byte;
  Word word = byte * 0x01010101u;
  for (; size >= 4; size -= 4, d += 4)
    *reinterpret_cast<Word *>(d) = word;
  while (size--)
    *d++ = byte;
  return dest;
}

int memcmp(const void *a, const void *b, size_t size) {
  const uint8_t *x = static_cast<const uint8_t *>(a);
  const uint8_t *y = static_cast<const uint8_t *>(b);
  for (size_t i = 0; i < size; ++i)
    if (x[i] != y[i])
      return x[i] < y[i] ? -1 : 1;
  return 0;
}

size_t strlen(const char *text) {
  size_t length = 0;
  while (text[length])
    ++length;
  return length;
}

int strcmp(const char *a, const char *b) {
  const unsigned char *x = reinterpret_cast<const unsigned char *>(a);
  const unsigned char *y = reinterpret_cast<const unsigned char *>(b);
  while (*x && *x == *y)
    ++x, ++y;
  return *x < *y ? -1 : (*x > *y ? 1 : 0);
}

/// Decimal with optional sign and leading spaces; stops at the first
/// non-digit (Halide's runtime parses environment variables with it).
int atoi(const char *text) {
  while (*text == ' ' || (*text >= '\t' && *text <= '\r'))
    ++text;
  bool negative = *text == '-';
  if (*text == '-' || *text == '+')
    ++text;
  unsigned value = 0;
  for (; *text >= '0' && *text <= '9'; ++text)
    value = value * 10 + static_cast<unsigned>(*text - '0');
  return static_cast<int>(negative ? 0u - value : value);
}

/// The runner has no environment to offer: every variable is unset.
char *getenv(const char *) { return nullptr; }

void abort(void) {
  facet::hexagon::writeErr("facet-hexagon: abort() called\n");
  facet::hexagon::exitProcess(134);
}

void *malloc(size_t size) { return facet::hexagon::allocate(size); }

void free(void *pointer) { facet::hexagon::deallocate(pointer); }

void *calloc(size_t count, size_t size) {
  size_t total = 0;
  if (__builtin_mul_overflow(count, size, &total)) {
    facet::hexagon::writeErr("facet-hexagon: calloc size overflows\n");
    return nullptr;
  }
  void *pointer = facet::hexagon::allocate(total);
  return pointer ? memset(pointer, 0, total) : nullptr;
}

void *realloc(void *pointer, size_t size) {
  if (!pointer)
    return facet::hexagon::allocate(size);
  size_t old = facet::hexagon::allocationSize(pointer);
  if (size <= old)
    return pointer;
  void *fresh = facet::hexagon::allocate(size);
  if (fresh) {
    memcpy(fresh, pointer, old);
    facet::hexagon::deallocate(pointer);
  }
  return fresh;
}

} // extern "C"
