//===- TestUtil.h - Helpers for Facet's parser unit tests -------*- C++ -*-===//
//
// Part of Facet, an ahead-of-time compiler for Gemma 4 language models.
//
//===----------------------------------------------------------------------===//

#ifndef FACET_TEST_UNIT_TESTUTIL_H
#define FACET_TEST_UNIT_TESTUTIL_H

#include <gtest/gtest.h>

#include <cstdint>
#include <functional>
#include <initializer_list>
#include <string>
#include <string_view>
#include <vector>

namespace facet::test {

using Bytes = std::vector<uint8_t>;

/// A safetensors image: u64 LE header length, `header`, then `data`.
Bytes makeSafetensors(std::string_view header, const Bytes &data = {});
/// Same, but with an explicit (possibly lying) header length field.
Bytes makeSafetensorsWithLength(uint64_t headerLength, std::string_view header,
                                const Bytes &data = {});

/// `count` bytes 0, 1, 2, ... (mod 256).
Bytes iota(size_t count);

/// A fresh directory under the system temp dir, removed with its contents
/// when the object dies.
class TempDir {
public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir &) = delete;
  TempDir &operator=(const TempDir &) = delete;
  const std::string &path() const { return path_; }
  /// Writes `name` (relative) and returns its full path.
  std::string write(const std::string &name, const Bytes &bytes) const;
  std::string write(const std::string &name, std::string_view text) const;

private:
  std::string path_;
};

/// The repository root (FACET_SOURCE_DIR) joined with `relative`.
std::string sourcePath(const std::string &relative);
bool fileExists(const std::string &path);
std::string readText(const std::string &path);

/// Succeeds iff `body` throws facet::Error whose message contains every one
/// of `needles`; any other exception or none at all is a failure.
::testing::AssertionResult
throwsFacetError(const std::function<void()> &body,
                 std::initializer_list<std::string_view> needles);

} // namespace facet::test

#define EXPECT_FACET_ERROR(statement, ...)                                     \
  EXPECT_TRUE(::facet::test::throwsFacetError([&] { (void)(statement); },      \
                                              {__VA_ARGS__}))

#endif // FACET_TEST_UNIT_TESTUTIL_H
