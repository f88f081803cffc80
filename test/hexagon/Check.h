//===- Check.h - Assertions for freestanding Hexagon tests ------*- C++ -*-===//
//
// Part of Facet, an ahead-of-time compiler for Gemma 4 language models.
//
//===----------------------------------------------------------------------===//
//
// The Hexagon test programs run under qemu-hexagon without a C library or
// GoogleTest: CHECK prints the failing condition and its line, and the
// program's exit status is the number of failures.
//
//===----------------------------------------------------------------------===//

#ifndef FACET_TEST_HEXAGON_CHECK_H
#define FACET_TEST_HEXAGON_CHECK_H

#include "runtime/hexagon/System.h"

namespace facet::hexagon::test {

inline int failures = 0;

inline void reportFailure(const char *condition, int line) {
  writeErr("CHECK failed (line ");
  writeErrNumber(line);
  writeErr("): ");
  writeErr(condition);
  writeErr("\n");
  ++failures;
}

} // namespace facet::hexagon::test

#define CHECK(condition)                                                       \
  ((condition) ? (void)0                                                       \
               : facet::hexagon::test::reportFailure(#condition, __LINE__))

#endif // FACET_TEST_HEXAGON_CHECK_H
