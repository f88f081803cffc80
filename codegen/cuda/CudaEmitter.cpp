//===- CudaEmitter.cpp - Writing one CUDA kernel from facet ops -----------===//
//
// Part of Facet, an ahead-of-time compiler for Gemma 4 language models.
//
//===----------------------------------------------------------------------===//

#include "codegen/cuda/CudaEmitter.h"

#include "frontend/support/Error.h"

#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/SymbolTable.h"
#include "llvm/Support/raw_ostream.h"

#include <cmath>
#include <fmt/format.h>

namespace facet::codegen::cuda {
namespace {

/// Scratch regions start 16-byte aligned (float4 loads may come later).
constexpr uint64_t kScratchAlign = 16;

uint64_t alignUp(uint64_t value) {
  return (value + kScratchAlign - 1) / kScratchAlign * kScratchAlign;
}

std::string typeText(mlir::Type type) {
  std::string text;
  llvm::raw_string_ostream os(text);
  os << type;
  return text;
}

/// The C type of a parameter holding `element`, and the load that widens
/// one element at index `i` of pointer `p` to what kernels compute with.
struct Storage {
  std::string cType;
  std::string (*load)(const std::string &p, const std::string &i);
  bool integer;
};

Storage storageOf(mlir::Type element, mlir::Operation *op) {
  auto plain = [](const std::string &p, const std::string &i) {
    return fmt::format("{}[{}]", p, i);
  };
  if (element.isF32())
    return {"float", plain, false};
  if (element.isF16())
    return {"unsigned short",
            [](const std::string &p, const std::string &i) {
              return fmt::format("f16_to_f32({}[{}])", p, i);
            },
            false};
  if (element.isBF16())
    return {"unsigned short",
            [](const std::string &p, const std::string &i) {
              return fmt::format("bf16_to_f32({}[{}])", p, i);
            },
            false};
  if (element.isInteger(32))
    return {"int", plain, true};
  if (element.isSignlessInteger(8) || element.isSignedInteger(8))
    return {"signed char", plain, true};
  if (element.isUnsignedInteger(8))
    return {"unsigned char", plain, true};
  fail(op, "the CUDA target does not support element type " +
               typeText(element) + " yet (f32, f16, bf16, i32, i8, ui8)");
}

} // namespace

void fail(mlir::Operation *op, const std::string &what) {
  std::string location;
  llvm::raw_string_ostream os(location);
  os << op->getLoc();
  throw Error(fmt::format("codegen (cuda): '{}' at {}: {}",
                          op->getName().getStringRef().str(), os.str(), what));
}

std::string floatLiteral(float value) {
  if (!std::isfinite(value))
    throw Error(
        fmt::format("codegen (cuda): constant {} is not finite", value));
  return fmt::format("({:a}f)", value);
}

std::string dimText(int64_t size) {
  return size == kT ? "T" : std::to_string(size);
}

std::string countText(const std::vector<int64_t> &shape) {
  std::string text;
  int64_t product = 1;
  bool tokens = false;
  for (int64_t size : shape) {
    if (size == kT)
      tokens = true;
    else
      product *= size;
  }
  return tokens ? fmt::format("(T * {})", product) : std::to_string(product);
}

std::string linearIndex(const std::vector<int64_t> &shape, const Index &index) {
  std::string text;
  int64_t stride = 1;
  for (size_t d = shape.size(); d-- > 0;) {
    std::string term =
        stride == 1 ? fmt::format("(long long)({})", index[d])
                    : fmt::format("(long long)({}) * {}LL", index[d], stride);
    text = text.empty() ? term : term + " + " + text;
    if (shape[d] != kT)
      stride *= shape[d];
  }
  return "(" + (text.empty() ? std::string("0") : text) + ")";
}

std::vector<int64_t> shapeOf(mlir::Operation *op, mlir::Value value) {
  llvm::ArrayRef<int64_t> dims;
  if (auto quantized = mlir::dyn_cast<QuantizedWeightType>(value.getType()))
    dims = quantized.getShape();
  else if (auto tensor =
               mlir::dyn_cast<mlir::RankedTensorType>(value.getType()))
    dims = tensor.getShape();
  else
    fail(op, "expects ranked tensors");
  std::vector<int64_t> shape;
  for (size_t d = 0; d < dims.size(); ++d) {
    if (mlir::ShapedType::isDynamic(dims[d])) {
      require(d == 0, op, "only the leading (token) dimension may be dynamic");
      shape.push_back(kT);
    } else {
      shape.push_back(dims[d]);
    }
  }
  return shape;
}

std::string inverseRms(const std::string &sumSquares, int64_t n,
                       float epsilon) {
  // As Gemma4RMSNorm and the reference: pow(mean + eps, -0.5), not rsqrt.
  return fmt::format("powf({} / {} + {}, -0.5f)", sumSquares,
                     floatLiteral(static_cast<float>(n)),
                     floatLiteral(epsilon));
}

KernelWriter::KernelWriter(std::string symbol, mlir::Operation *kernel)
    : symbol(std::move(symbol)), kernelOp(kernel) {
  sig.symbol = this->symbol;
}

std::string KernelWriter::fresh(const std::string &base) {
  std::string name;
  for (char c : base)
    name += std::isalnum(static_cast<unsigned char>(c)) ? c : '_';
  return fmt::format("{}_{}", name, nextId++);
}

void KernelWriter::addParam(const std::string &declaration, KernelParam param,
                            bool tokenLeading) {
  if (tokenLeading && tokensArg < 0)
    tokensArg = static_cast<int64_t>(sig.params.size());
  params.push_back(declaration);
  sig.params.push_back(std::move(param));
}

CTensor KernelWriter::addInput(mlir::Value value, unsigned index) {
  std::vector<int64_t> shape = shapeOf(kernelOp, value);
  CTensor tensor;
  tensor.shape = shape;
  if (auto quantized = mlir::dyn_cast<QuantizedWeightType>(value.getType())) {
    // value(.., k) = (q - zero) * scale(.., k / group), read in registers
    // (as codegen/halide/KernelBuilder.cpp). In the row-major order of the
    // full shape element L has its integer at L (int4: nibble L % 2 of byte
    // L / 2, low first) and its scale and zero point at L / group, since
    // the inner dimension is a multiple of the group.
    int64_t inner = shape.back();
    int64_t group = quantized.getGroup() > 0 ? quantized.getGroup() : inner;
    bool int4 = quantized.getBits() == 4;
    if (!int4 && quantized.getBits() != 8)
      fail(kernelOp, fmt::format("the CUDA target does not support {}-bit "
                                 "weights yet (int8, int4)",
                                 quantized.getBits()));
    if (!int4 && !quantized.getSymmetric())
      fail(kernelOp, "the CUDA target does not support asymmetric int8 "
                     "weights yet");
    Storage scale = storageOf(quantized.getScale(), kernelOp);
    require(!scale.integer, kernelOp, "quantized scales must be float");
    std::string q = fresh("q"), s = fresh("scales"), z;
    KernelParam part;
    part.kind = KernelParam::Kind::Input;
    part.index = index;
    part.part = 0;
    addParam(fmt::format("const {} *__restrict__ {}",
                         int4 ? "unsigned char" : "signed char", q),
             part, false);
    part.part = 1;
    addParam(fmt::format("const {} *__restrict__ {}", scale.cType, s), part,
             false);
    if (!quantized.getSymmetric()) {
      z = fresh("zeros");
      part.part = 2;
      addParam(fmt::format("const unsigned char *__restrict__ {}", z), part,
               false);
    }
    std::vector<int64_t> fullShape = shape;
    auto scaleLoad = scale.load;
    tensor.at = [=](const Index &at) {
      std::string element = linearIndex(fullShape, at);
      std::string groupIndex = fmt::format("{} / {}LL", element, group);
      std::string scaleValue = scaleLoad(s, groupIndex);
      if (!int4)
        return fmt::format("((float){}[{}] * {})", q, element, scaleValue);
      std::string zero = z.empty()
                             ? std::string("8.0f")
                             : fmt::format("(float){}[{}]", z, groupIndex);
      return fmt::format("(((float)int4_at({}, {}) - {}) * {})", q, element,
                         zero, scaleValue);
    };
    if (!int4 && group == inner && shape.size() == 2) {
      tensor.int8At = [=](const Index &at) {
        return fmt::format("(int){}[{}]", q, linearIndex(fullShape, at));
      };
      tensor.rowScaleAt = [=](const std::string &row) {
        return scaleLoad(s, fmt::format("(long long)({})", row));
      };
    }
    return tensor;
  }
  auto type = mlir::dyn_cast<mlir::RankedTensorType>(value.getType());
  require(static_cast<bool>(type), kernelOp, "inputs must be ranked tensors");
  Storage storage = storageOf(type.getElementType(), kernelOp);
  std::string name = fresh("in");
  KernelParam param;
  param.kind = KernelParam::Kind::Input;
  param.index = index;
  addParam(fmt::format("const {} *__restrict__ {}", storage.cType, name), param,
           !shape.empty() && shape[0] == kT);
  tensor.integer = storage.integer;
  auto load = storage.load;
  tensor.at = [=](const Index &at) {
    return load(name, linearIndex(shape, at));
  };
  return tensor;
}

CacheRef KernelWriter::cache(mlir::Operation *user, llvm::StringRef symbol) {
  auto found = caches.find(symbol.str());
  if (found != caches.end())
    return found->second;
  auto decl = mlir::SymbolTable::lookupNearestSymbolFrom<KVCacheOp>(
      user, mlir::StringAttr::get(user->getContext(), symbol));
  if (!decl)
    fail(user, "names @" + symbol.str() + ", which is not a facet.kv_cache");
  if (decl.getDtype() && !decl.getDtype()->isF32())
    fail(user, "the CUDA target does not support KV caches of type " +
                   typeText(*decl.getDtype()) +
                   " yet (the runtime converts narrow cache rows on the "
                   "host); compile with --kv-dtype f32");
  if (!decl.getCapacity())
    fail(user, "cache @" + symbol.str() +
                   " has no capacity: run --facet-schedule-kv first");
  CacheRef ref;
  ref.keys = fresh("keys");
  ref.values = fresh("values");
  ref.capacity = *decl.getCapacity();
  ref.kvHeads = decl.getKvHeads();
  ref.headDim = decl.getHeadDim();
  ref.window = decl.getKind() == CacheKind::sliding ? decl.getWindow() : 0;
  KernelParam keys;
  keys.kind = KernelParam::Kind::CacheKeys;
  keys.cache = symbol.str();
  KernelParam values = keys;
  values.kind = KernelParam::Kind::CacheValues;
  pendingCaches.push_back(
      {fmt::format("const float *__restrict__ {}", ref.keys), keys});
  pendingCaches.push_back(
      {fmt::format("const float *__restrict__ {}", ref.values), values});
  caches.emplace(symbol.str(), ref);
  return ref;
}

std::string KernelWriter::contextLength() {
  needsContext = true;
  return "context_length";
}

void KernelWriter::finishInputs() {
  for (auto &[declaration, param] : pendingCaches)
    addParam(declaration, param, false);
  if (needsContext) {
    KernelParam param;
    param.kind = KernelParam::Kind::Scalar;
    param.scalar = package::ScalarKind::ContextLength;
    addParam("const int context_length", param, false);
  }
}

void KernelWriter::addOutput(mlir::Value value, unsigned index,
                             const CTensor &tensor) {
  auto type = mlir::dyn_cast<mlir::RankedTensorType>(value.getType());
  require(static_cast<bool>(type), kernelOp, "results must be ranked tensors");
  std::vector<int64_t> shape = shapeOf(kernelOp, value);
  mlir::Type element = type.getElementType();
  Storage storage = storageOf(element, kernelOp);
  std::string name = fresh("out");
  KernelParam param;
  param.kind = KernelParam::Kind::Output;
  param.index = index;
  addParam(fmt::format("{} *__restrict__ {}", storage.cType, name), param,
           !shape.empty() && shape[0] == kT);
  forEach(shape, [&](const Index &at) {
    std::string value = tensor.at(at);
    if (element.isF16())
      value = fmt::format("f32_to_f16({})", value);
    else if (element.isBF16())
      value = fmt::format("f32_to_bf16({})", value);
    return fmt::format("{}[{}] = {};", name, linearIndex(shape, at), value);
  });
}

std::string KernelWriter::allocate(const std::string &role,
                                   const std::vector<int64_t> &shape,
                                   bool integer) {
  Scratch entry;
  entry.pointer = fresh(role);
  entry.integer = integer;
  entry.perToken = !shape.empty() && shape[0] == kT;
  uint64_t bytes = 4;
  for (int64_t size : shape)
    if (size != kT)
      bytes *= static_cast<uint64_t>(size);
  bytes = alignUp(bytes);
  uint64_t &total = entry.perToken ? perTokenBytes : fixedBytes;
  entry.offset = total;
  total += bytes;
  scratch.push_back(entry);
  return entry.pointer;
}

std::string KernelWriter::constantTable(const std::string &role,
                                        const std::vector<float> &values) {
  std::string name = fmt::format("{}_{}", fresh(role), symbol);
  std::string text =
      fmt::format("__device__ const float {}[{}] = {{", name, values.size());
  for (size_t i = 0; i < values.size(); ++i)
    text += (i % 4 == 0 ? "\n    " : " ") + floatLiteral(values[i]) + ",";
  globals += text + "\n};\n";
  return name;
}

void KernelWriter::line(const std::string &text) { body += "  " + text + "\n"; }

void KernelWriter::forEach(
    const std::vector<int64_t> &shape,
    const std::function<std::string(const Index &)> &body) {
  Index index;
  for (size_t d = 0; d < shape.size(); ++d)
    index.push_back(fmt::format("i{}", d));
  std::string text =
      fmt::format("for (int e_ = threadIdx.x; e_ < {}; e_ += blockDim.x) {{\n",
                  countText(shape));
  text += "    int r_ = e_;\n";
  for (size_t d = shape.size(); d-- > 0;) {
    if (d == 0)
      text += "    const int i0 = r_;\n";
    else
      text += fmt::format("    const int i{} = r_ % {}; r_ /= {};\n", d,
                          shape[d], shape[d]);
  }
  text += "    " + body(index) + "\n  }";
  line(text);
}

CTensor KernelWriter::scratchTensor(const std::string &pointer,
                                    const std::vector<int64_t> &shape,
                                    bool integer) {
  CTensor tensor;
  tensor.shape = shape;
  tensor.integer = integer;
  tensor.at = [=](const Index &at) {
    return fmt::format("{}[{}]", pointer, linearIndex(shape, at));
  };
  return tensor;
}

CTensor KernelWriter::materialize(
    mlir::Value result, const std::string &role,
    const std::function<std::string(const Index &)> &formula, bool integer) {
  std::vector<int64_t> shape = shapeOf(kernelOp, result);
  auto type = mlir::cast<mlir::RankedTensorType>(result.getType());
  mlir::Type element = type.getElementType();
  std::string pointer = allocate(role, shape, integer);
  forEach(shape, [&](const Index &at) {
    std::string value = formula(at);
    // A result typed f16/bf16 holds what that type can (makeResult).
    if (element.isF16())
      value = fmt::format("f16_to_f32(f32_to_f16({}))", value);
    else if (element.isBF16())
      value = fmt::format("bf16_to_f32(f32_to_bf16({}))", value);
    return fmt::format("{}[{}] = {};", pointer, linearIndex(shape, at), value);
  });
  sync();
  return scratchTensor(pointer, shape, integer);
}

std::string KernelWriter::source() const {
  std::string text = globals;
  text += fmt::format(
      "extern \"C\" __global__ void __launch_bounds__(kBlockThreads)\n{}(",
      symbol);
  for (const std::string &param : params)
    text += "\n    " + param + ",";
  text += "\n    const int T, unsigned char *__restrict__ scratch) {\n";
  for (const Scratch &entry : scratch) {
    std::string offset =
        entry.perToken
            ? fmt::format("(size_t)T * {}", entry.offset)
            : fmt::format("(size_t)T * {} + {}", perTokenBytes, entry.offset);
    text += fmt::format("  {} *const {} = ({} *)(scratch + {});\n",
                        entry.integer ? "int" : "float", entry.pointer,
                        entry.integer ? "int" : "float", offset);
  }
  text += body;
  text += "}\n";
  // Outside nvcc the same source builds as host C++ (with a header that
  // runs the block as one thread, test/cuda/HostCudaShim.h), so tests can
  // run every generated kernel on the CPU; this wrapper takes the
  // arguments as an argv array, the way cuLaunchKernel does.
  text += fmt::format("#ifndef __CUDACC__\nextern \"C\" void {}_host(void "
                      "**args) {{\n  {}(",
                      symbol, symbol);
  for (size_t i = 0; i < params.size(); ++i) {
    std::string type = params[i].substr(0, params[i].rfind(' '));
    size_t restrict = type.find("__restrict__");
    if (restrict != std::string::npos)
      type.erase(restrict);
    text += fmt::format("*({} *)args[{}], ", type, i);
  }
  text += fmt::format("*(const int *)args[{}], *(unsigned char **)args[{}]);"
                      "\n}}\n#endif\n",
                      params.size(), params.size() + 1);
  return text;
}

} // namespace facet::codegen::cuda
