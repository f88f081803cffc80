//===- SupportTest.cpp - The Hexagon support layer under qemu-hexagon -----===//
//
// Part of Facet, an ahead-of-time compiler for Gemma 4 language models.
//
//===----------------------------------------------------------------------===//
//
//   hexagon-support-test <scratch file path> <argument checked as argv[2]>
//
// Startup (argc/argv), the allocator, the C functions, the integer division
// helpers and file input/output, on the target. Exits with the number of
// failed checks.
//
//===----------------------------------------------------------------------===//

#include "Check.h"

#include "runtime/hexagon/CLibrary.h"
#include "runtime/hexagon/Memory.h"

#include <stdint.h>

using namespace facet::hexagon;

namespace {

void checkAllocator() {
  size_t before = bytesInUse();
  void *blocks[64];
  for (int i = 0; i < 64; ++i) {
    blocks[i] = allocate(static_cast<size_t>(i) * 1000 + 1);
    CHECK(blocks[i] != nullptr);
    CHECK((reinterpret_cast<uintptr_t>(blocks[i]) & 127) == 0);
    memset(blocks[i], i, static_cast<size_t>(i) * 1000 + 1);
  }
  for (int i = 0; i < 64; ++i) {
    const uint8_t *bytes = static_cast<const uint8_t *>(blocks[i]);
    CHECK(bytes[0] == i && bytes[static_cast<size_t>(i) * 1000] == i);
  }
  for (int i = 0; i < 64; i += 2)
    deallocate(blocks[i]);
  // Freed space is reused first-fit.
  void *again = allocate(1000);
  CHECK(again == blocks[2]);
  deallocate(again);
  for (int i = 1; i < 64; i += 2)
    deallocate(blocks[i]);
  CHECK(bytesInUse() == before);

  // A large block gets its own mapping and goes back on free.
  uint8_t *large = static_cast<uint8_t *>(allocate(64u << 20));
  CHECK(large && (reinterpret_cast<uintptr_t>(large) & 127) == 0);
  if (large) {
    large[0] = 1;
    large[(64u << 20) - 1] = 2;
  }
  deallocate(large);
  CHECK(bytesInUse() == before);

  // Far more than a 32-bit process can map: a message and nullptr.
  CHECK(allocate(0xf0000000u) == nullptr);

  int *zeros = static_cast<int *>(calloc(1000, sizeof(int)));
  bool allZero = zeros != nullptr;
  for (int i = 0; zeros && i < 1000; ++i)
    allZero = allZero && zeros[i] == 0;
  CHECK(allZero);
  zeros[999] = 7;
  int *grown = static_cast<int *>(realloc(zeros, 100000 * sizeof(int)));
  CHECK(grown && grown[999] == 7);
  free(grown);
  CHECK(calloc(0x10000, 0x10000) == nullptr); // size overflows
  int *object = new int[10];
  object[9] = 3;
  delete[] object;
}

void checkCFunctions() {
  char text[32] = "hello, hexagon";
  CHECK(strlen(text) == 14);
  CHECK(strcmp(text, "hello, hexagon") == 0);
  CHECK(strcmp("a", "b") < 0 && strcmp("b", "a") > 0);
  memmove(text + 2, text, 5); // overlapping, forward
  CHECK(memcmp(text, "hehellohexagon", 14) == 0);
  memmove(text, text + 2, 5); // overlapping, backward
  CHECK(memcmp(text, "hellolohexagon", 14) == 0);
  uint8_t source[100], dest[100];
  for (int i = 0; i < 100; ++i)
    source[i] = static_cast<uint8_t>(i * 7);
  memcpy(dest + 1, source + 3, 90); // unaligned
  CHECK(dest[1] == source[3] && dest[90] == source[92]);
  CHECK(atoi("  -1234x") == -1234 && atoi("+77") == 77 && atoi("z") == 0);
  CHECK(getenv("HOME") == nullptr);
}

void checkDivision() {
  // volatile: the compiler must call the helpers, not fold the results.
  volatile int32_t a = -2147483647 - 1, b = 7, c = -7, zero = 0;
  CHECK(a / b == -306783378 && a % b == -2);
  CHECK(1000 / c == -142 && 1000 % c == 6);
  CHECK(-1000 / c == 142 && -1000 % c == -6);
  volatile uint32_t u = 4000000000u, v = 3;
  CHECK(u / v == 1333333333u && u % v == 1u);
  volatile int64_t big = -9000000000000000007ll, d = 1000000007;
  CHECK(big / d == -8999999937ll && big % d == -448ll);
  volatile uint64_t ubig = 18000000000000000000ull, ud = 12345678901ull;
  CHECK(ubig / ud == 1458000013ull && ubig % ud == 1848174287ull);
  CHECK(static_cast<uint32_t>(b) / static_cast<uint32_t>(zero) ==
        0xffffffffu); // defined here: no trap
}

void checkFiles(const char *path) {
  ErrorMessage error;
  uint8_t data[5000];
  for (int i = 0; i < 5000; ++i)
    data[i] = static_cast<uint8_t>(i * 13);
  CHECK(writeFile(path, data, sizeof(data), error));
  FileData read, mapped;
  CHECK(readFile(path, read, error));
  CHECK(read.size == 5000 && memcmp(read.data, data, 5000) == 0);
  CHECK((reinterpret_cast<uintptr_t>(read.data) & 127) == 0);
  CHECK(mapFile(path, mapped, error));
  CHECK(mapped.size == 5000 && memcmp(mapped.data, data, 5000) == 0);
  releaseFile(read);
  releaseFile(mapped);
  CHECK(read.data == nullptr && mapped.data == nullptr);

  ErrorMessage missing;
  CHECK(!readFile("/nonexistent/facet-file", read, missing));
  CHECK(memcmp(missing.text(),
               "open '/nonexistent/facet-file' failed (errno 2)", 48) == 0);
}

} // namespace

int main(int argc, char **argv) {
  CHECK(argc == 3);
  if (argc != 3)
    return test::failures;
  CHECK(strcmp(argv[2], "argument-two") == 0);
  checkAllocator();
  checkCFunctions();
  checkDivision();
  checkFiles(argv[1]);
  writeOut(test::failures == 0 ? "support test passed\n"
                               : "support test FAILED\n");
  return test::failures;
}
