//===- MathSample.cpp - Math results on Hexagon, for the host to compare --===//
//
// Part of Facet, an ahead-of-time compiler for Gemma 4 language models.
//
//===----------------------------------------------------------------------===//
//
//   hexagon-math-sample <output file>
//
// Writes MathSample.h's results as computed on Hexagon; hexagon-math-test
// --compare reads them on the host.
//
//===----------------------------------------------------------------------===//

#include "MathSample.h"

#include "runtime/hexagon/Memory.h"
#include "runtime/hexagon/System.h"

using namespace facet::hexagon;

int main(int argc, char **argv) {
  if (argc != 2) {
    writeErr("usage: hexagon-math-sample <output file>\n");
    return 2;
  }
  size_t bytes = sizeof(uint64_t) * test::kSampleFunctions * test::kSampleCount;
  uint64_t *results = static_cast<uint64_t *>(allocate(bytes));
  if (!results)
    return 2;
  test::computeSample(results);
  ErrorMessage error;
  if (!writeFile(argv[1], results, bytes, error)) {
    writeErr(error.text());
    writeErr("\n");
    return 2;
  }
  return 0;
}
