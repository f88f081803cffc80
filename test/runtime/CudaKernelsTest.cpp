//===- CudaKernelsTest.cpp - A CUDA package's Kernels section, devices ----===//
//
// Part of Facet, an ahead-of-time compiler for Gemma 4 language models.
//
//===----------------------------------------------------------------------===//
//
// The FACETCU1 launch table (runtime/package/CudaKernels.h) round-trips and
// every lying field is a FormatError naming it; Model::open picks the
// device from Options::device and the package's target, and a CUDA package
// on a machine without a loadable driver is a clear TargetMismatch.
//
//===----------------------------------------------------------------------===//

#include "ToyModel.h"

#include "facet/Runtime.h"
#include "runtime/package/ByteIO.h"
#include "runtime/package/CudaKernels.h"
#include "runtime/package/FormatError.h"

#include <gtest/gtest.h>

#include <cstdlib>

namespace facet {
namespace {

using package::CudaKernelInfo;
using package::KernelInfo;

std::vector<KernelInfo> manifestKernels() {
  return {{"decode.0.embed", "facet_kernel_0", 4},
          {"decode.1.linear", "facet_kernel_1", 3}};
}

std::vector<CudaKernelInfo> launchTable() {
  return {{"facet_kernel_0", 256, 1, 2, 64, 1024},
          {"facet_kernel_1", 128, 1, -1, 16, 0}};
}

const std::vector<uint8_t> kFatbin = {0x50, 0xed, 0x55, 0xba, 1, 2, 3, 4};

std::string parseError(const std::vector<uint8_t> &bytes,
                       const std::vector<KernelInfo> &kernels) {
  try {
    package::parseCudaKernels(bytes.data(), bytes.size(), kernels);
  } catch (const package::FormatError &error) {
    return error.what();
  }
  return "";
}

TEST(CudaKernels, RoundTrips) {
  std::vector<uint8_t> bytes =
      package::serializeCudaKernels(launchTable(), kFatbin);
  package::CudaKernels parsed =
      package::parseCudaKernels(bytes.data(), bytes.size(), manifestKernels());
  ASSERT_EQ(parsed.kernels.size(), 2u);
  EXPECT_EQ(parsed.kernels[0].symbol, "facet_kernel_0");
  EXPECT_EQ(parsed.kernels[0].blockThreads, 256u);
  EXPECT_EQ(parsed.kernels[0].tokensArg, 2);
  EXPECT_EQ(parsed.kernels[0].scratchFixedBytes, 64u);
  EXPECT_EQ(parsed.kernels[0].scratchPerTokenBytes, 1024u);
  EXPECT_EQ(parsed.kernels[1].tokensArg, -1);
  ASSERT_EQ(parsed.fatbinSize, kFatbin.size());
  EXPECT_EQ((parsed.fatbin - bytes.data()) % 64, 0);
  EXPECT_TRUE(std::equal(kFatbin.begin(), kFatbin.end(), parsed.fatbin));
}

TEST(CudaKernels, RejectsWhatDoesNotMatchTheManifest) {
  std::vector<uint8_t> good =
      package::serializeCudaKernels(launchTable(), kFatbin);

  std::vector<uint8_t> magic = good;
  magic[0] = 'X';
  EXPECT_NE(parseError(magic, manifestKernels()).find("no FACETCU1 header"),
            std::string::npos);

  std::vector<KernelInfo> fewer = manifestKernels();
  fewer.pop_back();
  EXPECT_NE(parseError(good, fewer)
                .find("holds 2 kernels, the manifest "
                      "lists 1"),
            std::string::npos);

  std::vector<KernelInfo> renamed = manifestKernels();
  renamed[1].symbol = "other";
  EXPECT_NE(parseError(good, renamed)
                .find("kernel 1 ('decode.1.linear') is "
                      "'facet_kernel_1', the manifest "
                      "says 'other'"),
            std::string::npos);

  std::vector<CudaKernelInfo> table = launchTable();
  table[0].tokensArg = 4; // numArgs is 4
  EXPECT_NE(parseError(package::serializeCudaKernels(table, kFatbin),
                       manifestKernels())
                .find("takes T from argument 4 of 4"),
            std::string::npos);
  table = launchTable();
  table[1].blockThreads = 2048;
  EXPECT_NE(parseError(package::serializeCudaKernels(table, kFatbin),
                       manifestKernels())
                .find("2048 threads per block"),
            std::string::npos);

  std::vector<uint8_t> truncated(good.begin(), good.begin() + 40);
  EXPECT_NE(parseError(truncated, manifestKernels()).find("truncated at"),
            std::string::npos);

  std::vector<uint8_t> lying = good;
  package::storeU64(lying.data() + 16, 8); // fatbin offset inside the table
  EXPECT_NE(parseError(lying, manifestKernels()).find("is not the 64-byte"),
            std::string::npos);

  EXPECT_NE(parseError(package::serializeCudaKernels(launchTable(), {}),
                       manifestKernels())
                .find("the fatbin is empty"),
            std::string::npos);
}

class DeviceChoiceTest : public ::testing::Test {
protected:
  runtime::Error openError(const test::ToyOptions &toy,
                           const std::string &device) {
    std::string path = dir.path() + "/toy.facet";
    test::writeToyPackage(path, toy);
    runtime::Options options;
    options.device = device;
    try {
      runtime::Model::open(path, options);
    } catch (const runtime::Error &error) {
      return error;
    }
    ADD_FAILURE() << "opened";
    return runtime::Error(runtime::Status::Ok, "");
  }

  test::TempDir dir;
};

TEST_F(DeviceChoiceTest, CudaPackagesNeedADriver) {
  // A name no machine has, so that the test means the same with a GPU.
  setenv("FACET_CUDA_DRIVER", "libcuda-facet-absent.so.1", 1);
  test::ToyOptions toy;
  toy.arch = "cuda";
  toy.targetName = "cuda-sm90";
  runtime::Error automatic = openError(toy, "");
  EXPECT_EQ(automatic.status(), runtime::Status::TargetMismatch);
  EXPECT_NE(std::string(automatic.what())
                .find("(built for cuda-sm90): no CUDA driver "
                      "(libcuda-facet-absent.so.1 not found): "),
            std::string::npos)
      << automatic.what();
  runtime::Error chosen = openError(toy, "cuda");
  EXPECT_EQ(
      std::string(chosen.what()).rfind("--device cuda: no CUDA driver", 0), 0u)
      << chosen.what();
  runtime::Error cpu = openError(toy, "cpu");
  EXPECT_EQ(cpu.status(), runtime::Status::TargetMismatch);
  EXPECT_NE(std::string(cpu.what())
                .find("package built for cuda-sm90 (a "
                      "GPU); run it on the cuda device"),
            std::string::npos)
      << cpu.what();
  unsetenv("FACET_CUDA_DRIVER");
}

TEST_F(DeviceChoiceTest, CpuPackagesRejectTheCudaDeviceAndUnknownDevices) {
  test::ToyOptions toy;
  runtime::Error cuda = openError(toy, "cuda");
  EXPECT_EQ(cuda.status(), runtime::Status::TargetMismatch);
  EXPECT_NE(std::string(cuda.what())
                .find("a CPU target; the cuda device runs "
                      "packages compiled with --target "
                      "cuda-sm90 or cuda-sm80"),
            std::string::npos)
      << cuda.what();
  runtime::Error unknown = openError(toy, "tpu");
  EXPECT_EQ(unknown.status(), runtime::Status::InvalidArgument);
  EXPECT_NE(std::string(unknown.what()).find("unknown device 'tpu'"),
            std::string::npos);
}

} // namespace
} // namespace facet
