//===- FormatError.h - A malformed .facet package ---------------*- C++ -*-===//
//
// Part of Facet, an ahead-of-time compiler for Gemma 4 language models.
//
//===----------------------------------------------------------------------===//
//
// Thrown by the package reader and writer when bytes do not follow the format
// in Manifest.h (IoError: when the file cannot be read or written at
// all). Messages name the file (where known) and the field, and say
// what was expected and what was found.
//
//===----------------------------------------------------------------------===//

#ifndef FACET_RUNTIME_PACKAGE_FORMATERROR_H
#define FACET_RUNTIME_PACKAGE_FORMATERROR_H

#include <stdexcept>
#include <string>

namespace facet::package {

class FormatError : public std::runtime_error {
public:
  using std::runtime_error::runtime_error;
};

/// The file could not be opened, read, mapped or written.
class IoError : public std::runtime_error {
public:
  using std::runtime_error::runtime_error;
};

} // namespace facet::package

#endif // FACET_RUNTIME_PACKAGE_FORMATERROR_H
