//===- CudaKernels.cpp - The Kernels section of a CUDA package ------------===//
//
// Part of Facet, an ahead-of-time compiler for Gemma 4 language models.
//
//===----------------------------------------------------------------------===//

#include "runtime/package/CudaKernels.h"

#include "runtime/package/ByteIO.h"
#include "runtime/package/FormatError.h"

#include <cstring>

namespace facet::package {
namespace {

constexpr char kCudaMagic[8] = {'F', 'A', 'C', 'E', 'T', 'C', 'U', '1'};
constexpr uint32_t kCudaVersion = 1;
constexpr uint64_t kHeaderBytes = 32;
/// Bounds a hostile table: scratch beyond 1 TiB is a corrupt field.
constexpr uint64_t kMaxScratchBytes = uint64_t(1) << 40;

/// Reads fields in order, failing with the field's name past the end.
class Cursor {
public:
  Cursor(const uint8_t *data, uint64_t size) : data(data), size(size) {}

  uint32_t u32(const std::string &what) {
    need(4, what);
    uint32_t value = loadU32(data + at);
    at += 4;
    return value;
  }
  uint64_t u64(const std::string &what) {
    need(8, what);
    uint64_t value = loadU64(data + at);
    at += 8;
    return value;
  }
  std::string string(const std::string &what) {
    uint64_t length = u64(what + " length");
    if (length > 1024)
      fail(what + " is " + std::to_string(length) +
           " bytes long (at most 1024)");
    need(length, what);
    std::string value(reinterpret_cast<const char *>(data + at), length);
    at += length;
    return value;
  }
  uint64_t offset() const { return at; }

  [[noreturn]] static void fail(const std::string &what) {
    throw FormatError("CUDA kernels section: " + what);
  }

private:
  void need(uint64_t bytes, const std::string &what) {
    if (bytes > size - at)
      fail("truncated at " + what);
  }

  const uint8_t *data;
  uint64_t size;
  uint64_t at = 0;
};

} // namespace

std::vector<uint8_t>
serializeCudaKernels(const std::vector<CudaKernelInfo> &kernels,
                     const std::vector<uint8_t> &fatbin) {
  ByteWriter table;
  for (const CudaKernelInfo &kernel : kernels) {
    table.string(kernel.symbol);
    table.u32(kernel.blockThreads);
    table.u32(kernel.gridBlocks);
    table.i64(kernel.tokensArg);
    table.u64(kernel.scratchFixedBytes);
    table.u64(kernel.scratchPerTokenBytes);
  }
  uint64_t fatbinOffset =
      (kHeaderBytes + table.size() + kSectionAlignment - 1) /
      kSectionAlignment * kSectionAlignment;
  ByteWriter out;
  out.bytes(kCudaMagic, sizeof(kCudaMagic));
  out.u32(kCudaVersion);
  out.u32(static_cast<uint32_t>(kernels.size()));
  out.u64(fatbinOffset);
  out.u64(fatbin.size());
  out.bytes(table.data().data(), table.size());
  out.padTo(kSectionAlignment);
  out.bytes(fatbin.data(), fatbin.size());
  return out.take();
}

CudaKernels parseCudaKernels(const uint8_t *data, uint64_t size,
                             const std::vector<KernelInfo> &manifestKernels) {
  if (size < kHeaderBytes || std::memcmp(data, kCudaMagic, 8) != 0)
    Cursor::fail("no FACETCU1 header (not a CUDA package's kernels?)");
  Cursor in(data + 8, size - 8);
  uint32_t version = in.u32("version");
  if (version != kCudaVersion)
    Cursor::fail("version " + std::to_string(version) +
                 ", this runtime reads " + std::to_string(kCudaVersion));
  uint32_t count = in.u32("kernel count");
  if (count != manifestKernels.size())
    Cursor::fail("holds " + std::to_string(count) +
                 " kernels, the manifest lists " +
                 std::to_string(manifestKernels.size()));
  CudaKernels result;
  uint64_t fatbinOffset = in.u64("fatbin offset");
  result.fatbinSize = in.u64("fatbin size");
  for (uint32_t i = 0; i < count; ++i) {
    const KernelInfo &manifest = manifestKernels[i];
    std::string where =
        "kernel " + std::to_string(i) + " ('" + manifest.name + "')";
    CudaKernelInfo kernel;
    kernel.symbol = in.string(where + " symbol");
    if (kernel.symbol != manifest.symbol)
      Cursor::fail(where + " is '" + kernel.symbol + "', the manifest says '" +
                   manifest.symbol + "'");
    kernel.blockThreads = in.u32(where + " block threads");
    kernel.gridBlocks = in.u32(where + " grid blocks");
    kernel.tokensArg = static_cast<int64_t>(in.u64(where + " tokens argument"));
    kernel.scratchFixedBytes = in.u64(where + " fixed scratch");
    kernel.scratchPerTokenBytes = in.u64(where + " scratch per token");
    if (kernel.blockThreads < 1 || kernel.blockThreads > 1024)
      Cursor::fail(where + " has " + std::to_string(kernel.blockThreads) +
                   " threads per block (1..1024)");
    if (kernel.gridBlocks < 1 || kernel.gridBlocks > 65535)
      Cursor::fail(where + " has " + std::to_string(kernel.gridBlocks) +
                   " blocks (1..65535)");
    if (kernel.tokensArg < -1 ||
        kernel.tokensArg >= static_cast<int64_t>(manifest.numArgs))
      Cursor::fail(where + " takes T from argument " +
                   std::to_string(kernel.tokensArg) + " of " +
                   std::to_string(manifest.numArgs));
    if (kernel.scratchFixedBytes > kMaxScratchBytes ||
        kernel.scratchPerTokenBytes > kMaxScratchBytes)
      Cursor::fail(where + " asks for more than 1 TiB of scratch");
    result.kernels.push_back(std::move(kernel));
  }
  uint64_t tableEnd = 8 + in.offset();
  if (fatbinOffset % kSectionAlignment != 0 || fatbinOffset < tableEnd ||
      fatbinOffset > size || result.fatbinSize != size - fatbinOffset)
    Cursor::fail("the fatbin (offset " + std::to_string(fatbinOffset) + ", " +
                 std::to_string(result.fatbinSize) +
                 " bytes) is not the 64-byte aligned rest of the section (" +
                 std::to_string(size) + " bytes, table ends at " +
                 std::to_string(tableEnd) + ")");
  if (result.fatbinSize == 0)
    Cursor::fail("the fatbin is empty");
  result.fatbin = data + fatbinOffset;
  return result;
}

} // namespace facet::package
