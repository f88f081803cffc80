//===- StandaloneFuzzMain.cpp - Run fuzz targets without libFuzzer --------===//
//
// Part of Facet, an ahead-of-time compiler for Gemma 4 language models.
//
//===----------------------------------------------------------------------===//
//
// A main() for the fuzz targets in builds without libFuzzer (gcc, or clang
// without FACET_FUZZ): runs every file named on the command line, and every
// regular file below every directory named, through LLVMFuzzerTestOneInput.
// ctest uses it to replay the committed seed corpora (regression inputs) on
// every build. Arguments starting with '-' (libFuzzer flags) are ignored.
//
//===----------------------------------------------------------------------===//

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

namespace fs = std::filesystem;

static bool runFile(const fs::path &path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    std::fprintf(stderr, "error: cannot read %s\n", path.c_str());
    return false;
  }
  std::vector<uint8_t> bytes((std::istreambuf_iterator<char>(in)),
                             std::istreambuf_iterator<char>());
  // Copy into an exactly-sized heap buffer so that ASan (if enabled) catches
  // reads past the end, as under libFuzzer.
  auto *buffer = new uint8_t[bytes.empty() ? 1 : bytes.size()];
  std::copy(bytes.begin(), bytes.end(), buffer);
  LLVMFuzzerTestOneInput(buffer, bytes.size());
  delete[] buffer;
  return true;
}

int main(int argc, char **argv) {
  std::vector<fs::path> files;
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    if (!arg.empty() && arg[0] == '-')
      continue;
    std::error_code error;
    if (fs::is_directory(arg, error)) {
      for (const auto &entry : fs::recursive_directory_iterator(arg))
        if (entry.is_regular_file())
          files.push_back(entry.path());
    } else if (fs::is_regular_file(arg, error)) {
      files.push_back(arg);
    } else {
      std::fprintf(stderr, "error: %s is neither a file nor a directory\n",
                   arg.c_str());
      return 2;
    }
  }
  if (files.empty()) {
    std::fprintf(stderr, "error: no inputs (usage: %s FILE_OR_DIR...)\n",
                 argc > 0 ? argv[0] : "fuzz-target");
    return 2;
  }
  std::sort(files.begin(), files.end());
  for (const fs::path &file : files) {
    std::fprintf(stderr, "running %s\n", file.c_str());
    if (!runFile(file))
      return 1;
  }
  std::fprintf(stderr, "ran %zu inputs\n", files.size());
  return 0;
}
