//===- make_toy_package.cpp - Write the toy package -----------------------===//
//
// Part of Facet, an ahead-of-time compiler for Gemma 4 language models.
//
//===----------------------------------------------------------------------===//
//
// `make-toy-package OUT.facet`: writes the toy package of ToyModel.h, for the
// tests that run outside GoogleTest (the C programs).
//
//===----------------------------------------------------------------------===//

#include "ToyModel.h"

#include <cstdio>
#include <exception>

int main(int argc, char **argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: %s OUT.facet\n", argv[0]);
    return 2;
  }
  try {
    facet::test::writeToyPackage(argv[1]);
  } catch (const std::exception &error) {
    std::fprintf(stderr, "make-toy-package: %s\n", error.what());
    return 1;
  }
  return 0;
}
