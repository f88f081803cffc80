//===- LoaderTest.cpp - The shared-object loader under qemu-hexagon -------===//
//
// Part of Facet, an ahead-of-time compiler for Gemma 4 language models.
//
//===----------------------------------------------------------------------===//
//
//   hexagon-loader-test <test_library.so>
//       loads the library, calls its functions, exits with the failures;
//   hexagon-loader-test <library.so> truncate|wrong-machine|load
//       damages the bytes as named (or not) and loads them: prints the
//       loader's message and exits 1 when loading fails, 0 when it works.
//
//===----------------------------------------------------------------------===//

#include "Check.h"

#include "runtime/hexagon/Memory.h"
#include "runtime/hexagon/SharedObject.h"

using namespace facet::hexagon;

extern "C" int strcmp(const char *a, const char *b);

namespace {

template <typename F>
F function(const SharedObject &library, const char *name) {
  void *address = library.lookup(name);
  if (!address) {
    writeErr("symbol not found: ");
    writeErr(name);
    writeErr("\n");
    exitProcess(3);
  }
  return reinterpret_cast<F>(address);
}

int checkLibrary(const SharedObject &library) {
  CHECK(function<int (*)()>(library, "wasInitialized")() == 1234);
  auto increment = function<int (*)()>(library, "increment");
  CHECK(increment() == 42);
  CHECK(increment() == 43);
  CHECK(*function<int *>(library, "counter") == 43);
  auto apply = function<int (*)(int, int)>(library, "applyOperation");
  CHECK(apply(0, 21) == 42);
  CHECK(apply(1, 12) == 144);
  auto divide = function<int (*)(int, int)>(library, "divide");
  CHECK(divide(100, 7) == 14 + 2);
  CHECK(divide(-100, 7) == -14 - 2);
  auto divide64 =
      function<unsigned long long (*)(unsigned long long, unsigned long long)>(
          library, "divide64");
  CHECK(divide64(0x123456789abcdefull, 1000) == 81985529216486ull);
  auto exponential = function<float (*)(float)>(library, "exponential");
  CHECK(exponential(0.0f) == 1.0f);
  float e = exponential(1.0f);
  CHECK(e > 2.7182815f && e < 2.7182822f);
  auto copyAndSum = function<int (*)(const int *, int)>(library, "copyAndSum");
  int values[100];
  for (int i = 0; i < 100; ++i)
    values[i] = i;
  CHECK(copyAndSum(values, 100) == 4950);
  CHECK(library.lookup("twice") == nullptr); // local symbols stay hidden
  CHECK(library.lookup("no_such_symbol") == nullptr);
  return test::failures;
}

} // namespace

int main(int argc, char **argv) {
  if (argc < 2) {
    writeErr("usage: hexagon-loader-test <library.so> "
             "[truncate|wrong-machine|load]\n");
    return 2;
  }
  ErrorMessage error;
  FileData file;
  if (!readFile(argv[1], file, error)) {
    writeErr(error.text());
    writeErr("\n");
    return 2;
  }
  size_t size = file.size;
  const char *mode = argc > 2 ? argv[2] : "check";
  if (strcmp(mode, "truncate") == 0)
    size /= 2; // the headers stay, the later segments are cut off
  else if (strcmp(mode, "wrong-machine") == 0 && size > 19)
    file.data[18] = 62; // EM_X86_64

  SharedObject library;
  if (!library.load(file.data, size, error)) {
    writeErr("loading failed: ");
    writeErr(error.text());
    writeErr("\n");
    return 1;
  }
  releaseFile(file); // the loaded image no longer needs the input
  if (strcmp(mode, "check") != 0) {
    writeOut("loaded\n");
    return 0;
  }
  int failed = checkLibrary(library);
  library.unload();
  CHECK(!library.loaded() && library.lookup("increment") == nullptr);
  failed = test::failures;
  writeOut(failed == 0 ? "loader test passed\n" : "loader test FAILED\n");
  return failed;
}
