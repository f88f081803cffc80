//===- Start.cpp - Process entry of the freestanding Hexagon runner -------===//
//
// Part of Facet, an ahead-of-time compiler for Gemma 4 language models.
//
//===----------------------------------------------------------------------===//
//
// There is no crt1.o: `_start` is ours. Linux (qemu-user) enters it with the
// stack pointer r29 at argc, followed by argv[0..argc-1], a null, the
// environment and the aux vector. The asm passes that pointer to C++ (which
// cannot read r29 reliably once it has a frame), aligns the stack to the 8
// bytes the Hexagon ABI requires and clears the frame pointer so that stack
// walks stop here. main's return value becomes the exit status.
//
//===----------------------------------------------------------------------===//

#include "runtime/hexagon/System.h"

#include <stdint.h>

int main(int argc, char **argv);

extern "C" [[noreturn]] void facetHexagonStart(uint32_t *stack) {
  int argc = static_cast<int>(stack[0]);
  char **argv = reinterpret_cast<char **>(stack + 1);
  facet::hexagon::exitProcess(main(argc, argv));
}

__asm__(".text\n"
        ".globl _start\n"
        ".type _start, @function\n"
        "_start:\n"
        "  { r0 = r29 }\n"
        "  { r29 = and(r29, #-8); r30 = #0 }\n"
        "  { call facetHexagonStart }\n"
        ".size _start, . - _start\n");
