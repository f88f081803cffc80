//===- KernelBuilderTest.cpp - fused kernels, schedules, errors, AOT ------===//
//
// Part of Facet, an ahead-of-time compiler for Gemma 4 language models.
//
//===----------------------------------------------------------------------===//
//
// - A whole fused MLP block (rms_norm, two projections, gelu, product, down
//   projection, residual add) as one kernel under several schedules gives
//   the same result (1e-5 of the largest value; schedules only reorder
//   float reassociation-free loops, except reduction_split).
// - Ops that cannot be kernel code are rejected with errors that name them.
// - A facet.kernel region compiles ahead of time into an object that
//   exports <symbol>_argv; linked with the separately built Halide runtime
//   into a shared object, it computes the same attention as the reference
//   when called through argv in the documented order.
//
//===----------------------------------------------------------------------===//

#include "CodegenTestUtil.h"

#include "codegen/halide/OpEmitters.h"
#include "frontend/support/Error.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/Parser/Parser.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Program.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <dlfcn.h>

namespace facet::codegen::testing {
namespace {

const char *kMLP = R"mlir(
facet.param @norm : tensor<32xf32> class "norm"
facet.param @gate : tensor<64x32xbf16> class "mlp"
facet.param @up : tensor<64x32xbf16> class "mlp"
facet.param @down : tensor<32x64xbf16> class "mlp"
func.func @mlp(%x: tensor<?x32xf32>) -> tensor<?x32xf32> {
  %nw = facet.weight @norm : tensor<32xf32>
  %n = facet.rms_norm %x, %nw eps 1.0e-6 : tensor<?x32xf32>, tensor<32xf32>
  %wg = facet.weight @gate : tensor<64x32xbf16>
  %g = facet.linear %n, %wg : tensor<?x32xf32>, tensor<64x32xbf16> -> tensor<?x64xf32>
  %a = facet.gelu_tanh %g : tensor<?x64xf32>
  %wu = facet.weight @up : tensor<64x32xbf16>
  %u = facet.linear %n, %wu : tensor<?x32xf32>, tensor<64x32xbf16> -> tensor<?x64xf32>
  %h = facet.mul %a, %u : tensor<?x64xf32>
  %wd = facet.weight @down : tensor<32x64xbf16>
  %d = facet.linear %h, %wd : tensor<?x64xf32>, tensor<32x64xbf16> -> tensor<?x32xf32>
  %y = facet.add %x, %d : tensor<?x32xf32>
  return %y : tensor<?x32xf32>
}
)mlir";

std::vector<float> mlpRef(const Tensor &x, const Tensor &norm,
                          const Tensor &gate, const Tensor &up,
                          const Tensor &down) {
  int64_t tokens = x.shape[0];
  std::vector<float> out(x.size()), n(32), h(64);
  for (int64_t t = 0; t < tokens; ++t) {
    rmsNormRowRef(&x.data[t * 32], 32, 1e-6f, norm.data.data(), n.data());
    for (int64_t f = 0; f < 64; ++f)
      h[f] = geluTanhRef(dotRef(n.data(), &gate.data[f * 32], 32)) *
             dotRef(n.data(), &up.data[f * 32], 32);
    for (int64_t o = 0; o < 32; ++o)
      out[t * 32 + o] =
          x.data[t * 32 + o] + dotRef(h.data(), &down.data[o * 64], 64);
  }
  return out;
}

TEST(KernelBuilder, FusedMLPBlockUnderSeveralSchedules) {
  Tensor norm = randomTensor({32}, 1, 0.5f, 1.5f);
  Tensor gate = randomTensor({64, 32}, 2), up = randomTensor({64, 32}, 3),
         down = randomTensor({32, 64}, 4);
  Tensor x = randomTensor({5, 32}, 5, -2, 2);
  std::vector<float> want =
      mlpRef(x, norm, rounded(gate, Storage::BF16), rounded(up, Storage::BF16),
             rounded(down, Storage::BF16));

  KernelSchedule host = defaultSchedule(hostTarget());
  KernelSchedule inlined = host;
  inlined.inlinePointwise = true;
  KernelSchedule serialSplit = host;
  serialSplit.vectorLanes = 8;
  serialSplit.unroll = 2;
  serialSplit.parallel = false;
  serialSplit.reductionSplit = 8;
  for (const KernelSchedule &schedule : {host, inlined, serialSplit}) {
    SCOPED_TRACE(schedule.describe());
    KernelFixture fixture(kMLP);
    fixture.build("mlp", schedule);
    fixture.setWeight("norm", norm);
    fixture.setWeight("gate", gate, Storage::BF16);
    fixture.setWeight("up", up, Storage::BF16);
    fixture.setWeight("down", down, Storage::BF16);
    fixture.setInput(0, x);
    std::vector<Tensor> out = fixture.run({{5, 32}});
    EXPECT_LE(relativeError(out[0].data, want), 1e-5);
  }
}

/// The facet::Error message of building func @name of `source`.
std::string buildError(const std::string &source, const std::string &name) {
  mlir::MLIRContext context;
  context.allowUnregisteredDialects();
  context.loadDialect<FacetDialect, mlir::func::FuncDialect>();
  auto module = mlir::parseSourceString<mlir::ModuleOp>(source, &context);
  if (!module)
    return "<parse error>";
  try {
    buildKernel(module->lookupSymbol<mlir::func::FuncOp>(name),
                defaultSchedule(hostTarget()));
  } catch (const Error &error) {
    return error.what();
  }
  return "<no error>";
}

TEST(KernelBuilder, RejectsKVStoreUnknownOpsAndQuantizedWeights) {
  std::string store = buildError(R"mlir(
facet.kv_cache @kv sliding window 4 heads 1 x 8 layer 0
func.func @f(%k: tensor<?x1x8xf32>, %pos: tensor<?xi32>) {
  facet.kv_store %k, %k at %pos into @kv : tensor<?x1x8xf32>, tensor<?x1x8xf32>, tensor<?xi32>
  return
}
)mlir",
                                 "f");
  EXPECT_NE(store.find("'facet.kv_store'"), std::string::npos) << store;
  EXPECT_NE(store.find("runtime"), std::string::npos) << store;

  std::string unknown = buildError(R"mlir(
func.func @f(%x: tensor<?x8xf32>) -> tensor<?x8xf32> {
  %y = "test.mystery"(%x) : (tensor<?x8xf32>) -> tensor<?x8xf32>
  return %y : tensor<?x8xf32>
}
)mlir",
                                   "f");
  EXPECT_NE(unknown.find("'test.mystery'"), std::string::npos) << unknown;
  EXPECT_NE(unknown.find("no Halide emitter"), std::string::npos) << unknown;

  std::string quantized = buildError(R"mlir(
facet.param @w : !facet.qweight<16x8xi4, group 8, scale f16, symmetric> class "mlp"
func.func @f(%x: tensor<?x8xf32>) -> tensor<?x16xf32> {
  %w = facet.weight @w : !facet.qweight<16x8xi4, group 8, scale f16, symmetric>
  %y = facet.linear %x, %w : tensor<?x8xf32>, !facet.qweight<16x8xi4, group 8, scale f16, symmetric> -> tensor<?x16xf32>
  return %y : tensor<?x16xf32>
}
)mlir",
                                     "f");
  EXPECT_NE(quantized.find("quantized"), std::string::npos) << quantized;
}

const char *kOutlined = R"mlir(
facet.kv_cache @kv.f full heads 1 x 8 layer 0
func.func @decode(%q: tensor<?x2x8xf32>, %pos: tensor<?xi32>) -> tensor<?x2x8xf32> {
  %y = facet.kernel "decode.0.attention" (%q, %pos) : (tensor<?x2x8xf32>, tensor<?xi32>) -> tensor<?x2x8xf32> {
  ^bb0(%a: tensor<?x2x8xf32>, %b: tensor<?xi32>):
    %0 = facet.attention %a, %b cache @kv.f window 0 scale 1.0 layer 0 : tensor<?x2x8xf32>, tensor<?xi32> -> tensor<?x2x8xf32>
    facet.yield %0 : tensor<?x2x8xf32>
  }
  return %y : tensor<?x2x8xf32>
}
)mlir";

/// Whether `object` defines `symbol` (T, or W: the Halide runtime is weak),
/// by llvm-nm.
bool definesSymbol(const std::string &object, const std::string &symbol) {
  std::string command =
      std::string(FACET_LLVM_NM) + " --defined-only " + object;
  FILE *pipe = popen(command.c_str(), "r");
  if (!pipe)
    return false;
  char line[512];
  bool found = false;
  while (fgets(line, sizeof(line), pipe)) {
    std::string text(line);
    if (text.find(" T " + symbol + "\n") != std::string::npos ||
        text.find(" W " + symbol + "\n") != std::string::npos)
      found = true;
  }
  pclose(pipe);
  return found;
}

TEST(KernelBuilder, OutlinedKernelCompilesAheadOfTimeAndRunsThroughArgv) {
  KernelFixture fixture(kOutlined);
  KernelOp kernelOp;
  fixture.module().walk([&](KernelOp op) { kernelOp = op; });
  ASSERT_TRUE(kernelOp);

  llvm::SmallString<128> dir;
  ASSERT_FALSE(llvm::sys::fs::createUniqueDirectory("facet-codegen-test", dir));
  std::string object = (dir + "/kernel.o").str();
  std::string runtime = (dir + "/runtime.o").str();
  std::string library = (dir + "/kernels.so").str();
  TargetInfo target = hostTarget();
  KernelSignature signature =
      generateKernel(kernelOp, target, "facet_kernel_0", object);
  generateHalideRuntime(target, runtime);

  EXPECT_EQ(signature.symbol, "facet_kernel_0_argv");
  ASSERT_EQ(signature.params.size(), 6u);
  EXPECT_EQ(signature.params[0].kind, KernelParam::Kind::Input);
  EXPECT_EQ(signature.params[1].kind, KernelParam::Kind::Input);
  EXPECT_EQ(signature.params[1].index, 1u);
  EXPECT_EQ(signature.params[2].kind, KernelParam::Kind::CacheKeys);
  EXPECT_EQ(signature.params[2].cache, "kv.f");
  EXPECT_EQ(signature.params[3].kind, KernelParam::Kind::CacheValues);
  EXPECT_EQ(signature.params[4].kind, KernelParam::Kind::Scalar);
  EXPECT_EQ(signature.params[4].scalar, package::ScalarKind::ContextLength);
  EXPECT_EQ(signature.params[5].kind, KernelParam::Kind::Output);
  EXPECT_TRUE(definesSymbol(object, "facet_kernel_0_argv"));
  EXPECT_TRUE(definesSymbol(object, "facet_kernel_0"));
  EXPECT_FALSE(definesSymbol(object, "halide_malloc")); // no runtime inside
  EXPECT_TRUE(definesSymbol(runtime, "halide_malloc"));

  // Link kernel + runtime into a shared object, as the package does, and
  // call it through argv.
  auto compiler = llvm::sys::findProgramByName("c++");
  if (!compiler)
    GTEST_SKIP() << "no c++ to link the kernel library";
  llvm::StringRef args[] = {*compiler, "-shared",   "-o",   library, object,
                            runtime,   "-lpthread", "-ldl", "-lm"};
  ASSERT_EQ(llvm::sys::ExecuteAndWait(*compiler, args), 0);
  void *handle = dlopen(library.c_str(), RTLD_NOW | RTLD_LOCAL | RTLD_DEEPBIND);
  ASSERT_NE(handle, nullptr) << dlerror();
  using Entry = int (*)(void **);
  auto entry = reinterpret_cast<Entry>(dlsym(handle, "facet_kernel_0_argv"));
  ASSERT_NE(entry, nullptr);

  // Positions 3 and 4 over a full cache of 8 slots holding positions 0..4.
  Halide::Runtime::Buffer<float> q(8, 2, 2), keys(8, 1, 8), values(8, 1, 8),
      out(8, 2, 2);
  Halide::Runtime::Buffer<int32_t> pos(2);
  pos(0) = 3;
  pos(1) = 4;
  int32_t contextLength = 5;
  Tensor qt = randomTensor({2, 2, 8}, 7), kt = randomTensor({8, 1, 8}, 8),
         vt = randomTensor({8, 1, 8}, 9);
  std::copy(qt.data.begin(), qt.data.end(), q.data());
  std::copy(kt.data.begin(), kt.data.end(), keys.data());
  std::copy(vt.data.begin(), vt.data.end(), values.data());
  void *argv[] = {q.raw_buffer(),      pos.raw_buffer(), keys.raw_buffer(),
                  values.raw_buffer(), &contextLength,   out.raw_buffer()};
  ASSERT_EQ(entry(argv), 0);

  // The same kernel through the JIT (checked against the reference in
  // AttentionTest) gives the same values.
  fixture.buildFirstKernelRegion(defaultSchedule(target));
  fixture.setInput(0, qt);
  fixture.setInput(1, intTensor({2}, {3, 4}));
  fixture.setCache("kv.f", kt, vt);
  fixture.setContextLength(contextLength);
  std::vector<Tensor> want = fixture.run({{2, 2, 8}});
  std::vector<float> got(out.data(), out.data() + out.number_of_elements());
  EXPECT_EQ(got, want[0].data);
  dlclose(handle);
  llvm::sys::fs::remove_directories(dir);
}

// An int8 cache passes its key and value scales after its keys and values;
// the plan binds them by these parameter kinds.
TEST(KernelBuilder, Int8CacheScalesAreParameters) {
  std::string source = kOutlined;
  std::string from = "layer 0\nfunc.func";
  source.replace(source.find(from), from.size(),
                 "layer 0 capacity 8 dtype i8\nfunc.func");
  KernelFixture fixture(source);
  KernelOp kernelOp;
  fixture.module().walk([&](KernelOp op) { kernelOp = op; });
  ASSERT_TRUE(kernelOp);
  llvm::SmallString<128> dir;
  ASSERT_FALSE(llvm::sys::fs::createUniqueDirectory("facet-codegen-test", dir));
  KernelSignature signature = generateKernel(
      kernelOp, hostTarget(), "facet_kernel_0", (dir + "/kernel.o").str());
  using Kind = KernelParam::Kind;
  std::vector<Kind> kinds;
  for (const KernelParam &param : signature.params)
    kinds.push_back(param.kind);
  EXPECT_EQ(kinds, (std::vector<Kind>{Kind::Input, Kind::Input, Kind::CacheKeys,
                                      Kind::CacheValues, Kind::CacheKeyScales,
                                      Kind::CacheValueScales, Kind::Scalar,
                                      Kind::Output}));
  EXPECT_EQ(signature.params[4].cache, "kv.f");
  EXPECT_EQ(signature.params[5].cache, "kv.f");
  llvm::sys::fs::remove_directories(dir);
}

const char *kRoPE = R"mlir(
func.func @rope(%q: tensor<?x2x32xf32>, %pos: tensor<?xi32>) -> tensor<?x2x32xf32> {
  %r = facet.rope %q, %pos theta 1000000.0 rotary_dims 8 : tensor<?x2x32xf32>, tensor<?xi32>
  return %r : tensor<?x2x32xf32>
}
)mlir";

TEST(KernelBuilder, EveryRegisteredX86TargetCompilesAheadOfTime) {
  // The MLP block, and RoPE, whose frequency table is a constant buffer
  // embedded in the object.
  KernelFixture mlp(kMLP), rope(kRoPE);
  mlp.build("mlp");
  rope.build("rope");
  llvm::SmallString<128> dir;
  ASSERT_FALSE(llvm::sys::fs::createUniqueDirectory("facet-codegen-test", dir));
  for (const std::string &name : targetNames()) {
    if (name == "host")
      continue;
    SCOPED_TRACE(name);
    const TargetInfo &target = resolveTarget(name);
    if (target.isCuda())
      continue; // CUDA C++ from codegen/cuda, not Halide: test/cuda
    if (!target.vectorizeFloat)
      continue; // float vectors: see EveryIntegerTargetCompilesItsSchedule
    std::string object = (dir + "/" + name + ".o").str();
    mlp.kernel().compileToObject(object, "mlp_kernel", target);
    EXPECT_TRUE(definesSymbol(object, "mlp_kernel_argv"));
    EXPECT_TRUE(definesSymbol(object, "mlp_kernel_metadata"));
    std::string ropeObject = (dir + "/rope-" + name + ".o").str();
    rope.kernel().compileToObject(ropeObject, "rope_kernel", target);
    EXPECT_TRUE(definesSymbol(ropeObject, "rope_kernel_argv"));
  }
  llvm::sys::fs::remove_directories(dir);
}

TEST(KernelBuilder, EveryIntegerTargetCompilesItsSchedule) {
  // A target without float vectors (Hexagon HVX v66) rejects a float stage
  // vectorized for x86 (Halide: "Unsupported HVX type: float32x16"): built
  // with the target's own default schedule, float stays scalar and the
  // kernel compiles.
  llvm::SmallString<128> dir;
  ASSERT_FALSE(llvm::sys::fs::createUniqueDirectory("facet-codegen-test", dir));
  int checked = 0;
  for (const std::string &name : targetNames()) {
    const TargetInfo *target = findTarget(name);
    if (!target || target->vectorizeFloat)
      continue;
    SCOPED_TRACE(name);
    KernelFixture mlp(kMLP);
    mlp.build("mlp", defaultSchedule(*target));
    std::string object = (dir + "/" + name + ".o").str();
    mlp.kernel().compileToObject(object, "mlp_kernel", *target);
    EXPECT_TRUE(definesSymbol(object, "mlp_kernel_argv"));
    ++checked;
  }
  EXPECT_GE(checked, 1); // hexagon-v66-hvx128
  llvm::sys::fs::remove_directories(dir);
}

TEST(KernelBuilder, ArgumentsFollowTheDocumentedOrder) {
  KernelFixture fixture(R"mlir(
facet.param @w : tensor<8x4xbf16> class "mlp"
facet.kv_cache @kv full heads 1 x 8 layer 0
func.func @f(%x: tensor<?x4xf32> {facet.name = "hidden"}, %pos: tensor<?xi32>)
    -> (tensor<?x8xf32>, tensor<?x1x8xf32>) {
  %w = facet.weight @w : tensor<8x4xbf16>
  %y = facet.linear %x, %w : tensor<?x4xf32>, tensor<8x4xbf16> -> tensor<?x8xf32>
  %h = facet.split_heads %y : tensor<?x8xf32> -> tensor<?x1x8xf32>
  %a = facet.attention %h, %pos cache @kv window 0 scale 1.0 layer 0 : tensor<?x1x8xf32>, tensor<?xi32> -> tensor<?x1x8xf32>
  return %y, %a : tensor<?x8xf32>, tensor<?x1x8xf32>
}
)mlir");
  BuiltKernel &kernel = fixture.build("f");
  using Kind = KernelArgInfo::Kind;
  std::vector<Kind> kinds;
  for (const KernelArgInfo &info : kernel.argInfo)
    kinds.push_back(info.kind);
  EXPECT_EQ(kinds, (std::vector<Kind>{Kind::Input, Kind::Input, Kind::Weight,
                                      Kind::CacheKeys, Kind::CacheValues,
                                      Kind::ContextLength, Kind::Output,
                                      Kind::Output}));
  ASSERT_EQ(kernel.arguments.size(), kinds.size());
  EXPECT_EQ(kernel.arguments[0].name, "hidden");
  EXPECT_EQ(kernel.arguments[0].type, Halide::Float(32));
  EXPECT_EQ(kernel.arguments[1].type, Halide::Int(32));
  EXPECT_EQ(kernel.arguments[2].type, Halide::BFloat(16));
  EXPECT_EQ(kernel.arguments[2].dimensions, 2);
  EXPECT_EQ(kernel.arguments[3].dimensions, 3);
  EXPECT_TRUE(kernel.arguments[5].is_scalar());
  EXPECT_TRUE(kernel.arguments[6].is_output());
  EXPECT_EQ(kernel.argInfo[7].index, 1u);
  EXPECT_EQ(kernel.inputArguments().size(), 6u);
}

} // namespace
} // namespace facet::codegen::testing
