//===- HalideHooks.cpp - What Halide's noos Hexagon runtime calls ---------===//
//
// Part of Facet, an ahead-of-time compiler for Gemma 4 language models.
//
//===----------------------------------------------------------------------===//
//
// Halide's runtime for `hexagon-32-noos-hvx-hvx_128` expects the embedding
// program to provide printing, the HVX context lock of QuRT, and a
// memcpy variant its codegen emits for aligned copies. The runner is
// single-threaded and owns the one HVX context QEMU models, so locking
// succeeds at once; the memcpy variant's preconditions only allow a faster
// copy, which plain memcpy satisfies.
//
//===----------------------------------------------------------------------===//

#include "runtime/hexagon/System.h"

#include <stddef.h>

extern "C" void *memcpy(void *dest, const void *src, size_t size);

extern "C" {

void halide_print(void *, const char *text) { facet::hexagon::writeErr(text); }

void halide_error(void *, const char *text) {
  facet::hexagon::writeErr("halide error: ");
  facet::hexagon::writeErr(text);
  facet::hexagon::writeErr("\n");
}

/// 0 is QURT_EOK.
int qurt_hvx_lock(int) { return 0; }
int qurt_hvx_unlock(void) { return 0; }

void *__hexagon_memcpy_likely_aligned_min32bytes_mult8bytes(void *dest,
                                                            const void *src,
                                                            size_t size) {
  return memcpy(dest, src, size);
}

} // extern "C"
