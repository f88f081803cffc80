//===- TestUtil.cpp - Helpers for Facet's parser unit tests ---------------===//
//
// Part of Facet, an ahead-of-time compiler for Gemma 4 language models.
//
//===----------------------------------------------------------------------===//

#include "test/unit/TestUtil.h"
#include "frontend/support/Error.h"

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>

#ifndef FACET_SOURCE_DIR
#error "FACET_SOURCE_DIR must name the repository root"
#endif

namespace fs = std::filesystem;

namespace facet::test {

Bytes makeSafetensorsWithLength(uint64_t headerLength, std::string_view header,
                                const Bytes &data) {
  Bytes bytes;
  for (int i = 0; i < 8; ++i)
    bytes.push_back(static_cast<uint8_t>(headerLength >> (8 * i)));
  bytes.insert(bytes.end(), header.begin(), header.end());
  bytes.insert(bytes.end(), data.begin(), data.end());
  return bytes;
}

Bytes makeSafetensors(std::string_view header, const Bytes &data) {
  return makeSafetensorsWithLength(header.size(), header, data);
}

Bytes iota(size_t count) {
  Bytes bytes(count);
  for (size_t i = 0; i < count; ++i)
    bytes[i] = static_cast<uint8_t>(i);
  return bytes;
}

TempDir::TempDir() {
  std::string pattern =
      (fs::temp_directory_path() / "facet-unit-XXXXXX").string();
  if (!::mkdtemp(pattern.data()))
    throw std::runtime_error("mkdtemp failed");
  path_ = pattern;
}

TempDir::~TempDir() {
  std::error_code ignored;
  fs::remove_all(path_, ignored);
}

std::string TempDir::write(const std::string &name, const Bytes &bytes) const {
  fs::path full = fs::path(path_) / name;
  fs::create_directories(full.parent_path());
  std::ofstream out(full, std::ios::binary);
  out.write(reinterpret_cast<const char *>(bytes.data()),
            static_cast<std::streamsize>(bytes.size()));
  if (!out)
    throw std::runtime_error("cannot write " + full.string());
  return full.string();
}

std::string TempDir::write(const std::string &name,
                           std::string_view text) const {
  return write(name, Bytes(text.begin(), text.end()));
}

std::string sourcePath(const std::string &relative) {
  return (fs::path(FACET_SOURCE_DIR) / relative).string();
}

bool fileExists(const std::string &path) { return fs::is_regular_file(path); }

std::string readText(const std::string &path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream contents;
  contents << in.rdbuf();
  return contents.str();
}

::testing::AssertionResult
throwsFacetError(const std::function<void()> &body,
                 std::initializer_list<std::string_view> needles) {
  try {
    body();
  } catch (const facet::Error &e) {
    std::string message = e.what();
    for (std::string_view needle : needles)
      if (message.find(needle) == std::string::npos)
        return ::testing::AssertionFailure() << "facet::Error message lacks \""
                                             << needle << "\": " << message;
    return ::testing::AssertionSuccess() << message;
  } catch (const std::exception &e) {
    return ::testing::AssertionFailure()
           << "threw a non-facet exception: " << e.what();
  } catch (...) {
    return ::testing::AssertionFailure() << "threw a non-std exception";
  }
  return ::testing::AssertionFailure() << "did not throw";
}

} // namespace facet::test
