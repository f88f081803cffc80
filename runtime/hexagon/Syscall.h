//===- Syscall.h - Raw Linux system calls on Hexagon ------------*- C++ -*-===//
//
// Part of Facet, an ahead-of-time compiler for Gemma 4 language models.
//
//===----------------------------------------------------------------------===//
//
// The Hexagon runner has no C library, so it talks to the kernel (qemu-user's
// Linux emulation) directly: `trap0(#1)` with the call number in r6 and the
// arguments in r0-r5; the result (or -errno) comes back in r0. Hexagon uses
// the generic Linux numbers (asm-generic/unistd.h); each one used here was
// checked under `qemu-hexagon -strace`.
//
//===----------------------------------------------------------------------===//

#ifndef FACET_RUNTIME_HEXAGON_SYSCALL_H
#define FACET_RUNTIME_HEXAGON_SYSCALL_H

#include <stdint.h>

namespace facet::hexagon::sys {

enum Number : long {
  kOpenat = 56,
  kClose = 57,
  kRead = 63,
  kWrite = 64,
  kFstat = 80,
  kExitGroup = 94,
  kMunmap = 215,
  kMmap2 = 222,
};

inline long call6(long number, long a, long b, long c, long d, long e, long f) {
  register long r0 __asm__("r0") = a;
  register long r1 __asm__("r1") = b;
  register long r2 __asm__("r2") = c;
  register long r3 __asm__("r3") = d;
  register long r4 __asm__("r4") = e;
  register long r5 __asm__("r5") = f;
  register long r6 __asm__("r6") = number;
  __asm__ volatile("trap0(#1)"
                   : "+r"(r0)
                   : "r"(r1), "r"(r2), "r"(r3), "r"(r4), "r"(r5), "r"(r6)
                   : "memory");
  return r0;
}

inline long call3(long number, long a, long b, long c) {
  return call6(number, a, b, c, 0, 0, 0);
}

/// A result in [-4095, -1] is -errno, as everywhere on Linux.
inline bool failed(long result) { return result < 0 && result >= -4095; }

// Flags and constants of the calls above (asm-generic values).
constexpr long kAtFdCwd = -100;
constexpr long kOpenReadOnly = 0;
constexpr long kOpenWriteCreateTruncate = 01 | 0100 | 01000;
constexpr long kProtRead = 1, kProtWrite = 2, kProtExec = 4;
constexpr long kMapPrivate = 2, kMapAnonymous = 0x20;

} // namespace facet::hexagon::sys

#endif // FACET_RUNTIME_HEXAGON_SYSCALL_H
