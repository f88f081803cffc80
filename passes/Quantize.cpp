//===- Quantize.cpp - storage scheme per weight class ---------------------===//
//
// The scheme of each weight is a property of its type (`!facet.qweight<...>`),
// so codegen, the planner and the packer all read it from one place. This pass
// only decides; the data is quantized when the package is written.
//
//===----------------------------------------------------------------------===//

#include "passes/Passes.h"

#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/Diagnostics.h"

#include "llvm/ADT/StringMap.h"
#include "llvm/ADT/StringSwitch.h"

namespace facet {
#define GEN_PASS_DEF_QUANTIZE
#include "passes/Passes.h.inc"
} // namespace facet

using namespace mlir;

namespace facet {
namespace {

/// A parsed scheme name.
struct Scheme {
  enum class Kind { None, Float, Int8, Int4 } kind = Kind::None;
  Type floatType;        // Kind::Float
  int64_t group = 0;     // Kind::Int4
  bool symmetric = true; // Kind::Int4
};

FailureOr<Scheme> parseScheme(MLIRContext *context, StringRef name) {
  Scheme scheme;
  if (name == "none")
    return scheme;
  if (name == "f32" || name == "f16" || name == "bf16") {
    scheme.kind = Scheme::Kind::Float;
    scheme.floatType = name == "f32"   ? Type(Float32Type::get(context))
                       : name == "f16" ? Type(Float16Type::get(context))
                                       : Type(BFloat16Type::get(context));
    return scheme;
  }
  if (name == "int8") {
    scheme.kind = Scheme::Kind::Int8;
    return scheme;
  }
  if (name.consume_front("int4-g")) {
    scheme.kind = Scheme::Kind::Int4;
    scheme.symmetric = !name.consume_back("-asym");
    if (name.getAsInteger(10, scheme.group) ||
        (scheme.group != 32 && scheme.group != 64 && scheme.group != 128))
      return failure();
    return scheme;
  }
  return failure();
}

/// Classes a user names in overrides, mapped to the importer's classes.
StringRef canonicalClass(StringRef name) {
  return llvm::StringSwitch<StringRef>(name)
      .Case("lm_head", "embedding")
      .Case("ple", "ple_table")
      .Default(name);
}

bool isQuantizableClass(StringRef weightClass) {
  return llvm::is_contained(
      ArrayRef<StringRef>{"attention", "mlp", "experts", "ple_layer",
                          "ple_projection", "embedding", "ple_table"},
      weightClass);
}

struct QuantizePass : impl::QuantizeBase<QuantizePass> {
  using QuantizeBase::QuantizeBase;

  void runOnOperation() override {
    ModuleOp module = getOperation();
    MLIRContext *context = &getContext();
    auto fail = [&](const Twine &message) {
      // Not module.emitError(): that would print the whole module after it.
      mlir::emitError(module.getLoc()) << "facet-quantize: " << message;
      signalPassFailure();
    };

    if (tileRows < 0)
      return fail("tile-rows must be >= 0, got " + Twine(tileRows));
    if (int4TileDepth != 1 && int4TileDepth != 4)
      return fail("int4-tile-depth must be 1 or 4, got " +
                  Twine(int4TileDepth));
    if (int4TileWords && int4TileDepth != 4)
      return fail("int4-tile-words needs int4-tile-depth=4, got " +
                  Twine(int4TileDepth));
    FailureOr<Scheme> defaultScheme = parseScheme(context, scheme);
    if (failed(defaultScheme))
      return fail("unknown scheme '" + scheme + "' (" + kSchemes + ")");
    llvm::StringMap<Scheme> byClass;
    SmallVector<StringRef> items;
    StringRef(overrides).split(items, ',', -1, /*KeepEmpty=*/false);
    for (StringRef item : items) {
      auto [name, value] = item.trim().split('=');
      StringRef weightClass = canonicalClass(name.trim());
      if (!isQuantizableClass(weightClass))
        return fail("cannot override class '" + name.trim() +
                    "' (classes: attention, mlp, experts, ple_layer, "
                    "ple_projection, embedding or lm_head, ple_table or ple)");
      FailureOr<Scheme> parsed = parseScheme(context, value.trim());
      if (failed(parsed))
        return fail("unknown scheme '" + value.trim() + "' for class '" +
                    name.trim() + "' (" + kSchemes + ")");
      byClass[weightClass] = *parsed;
    }

    llvm::StringMap<Type> newTypes;
    for (ParamOp param : module.getOps<ParamOp>()) {
      auto tensor = dyn_cast<RankedTensorType>(param.getType());
      StringRef weightClass = param.getWeightClass();
      if (!tensor || !isa<FloatType>(tensor.getElementType()) ||
          !isQuantizableClass(weightClass) || tensor.getRank() < 2)
        continue;
      auto found = byClass.find(weightClass);
      const Scheme &chosen =
          found != byClass.end() ? found->second : *defaultScheme;
      // The PLE table is only gathered, one row per token: tiles would
      // scatter each row over R times as many cache lines.
      Type type = typeFor(tensor, chosen,
                          weightClass == "ple_table" ? 0 : int64_t(tileRows));
      if (type == tensor)
        continue;
      param.setType(type);
      newTypes[param.getSymName()] = type;
    }
    module.walk([&](WeightOp weight) {
      auto found = newTypes.find(weight.getName());
      if (found != newTypes.end())
        weight.getResult().setType(found->second);
    });

    if (activations != "f32" && activations != "int8")
      return fail("activations must be f32 or int8, got '" + activations +
                  "'");
    if (activations == "int8") {
      // The int8 dot instructions sum 4 bytes per lane.
      auto takesInt8 = [](Type type) {
        auto weight = dyn_cast<QuantizedWeightType>(type);
        return weight && weight.getBits() == 8 && weight.getSymmetric() &&
               weight.getShape().back() % 4 == 0;
      };
      module.walk([&](Operation *op) {
        if (auto linear = dyn_cast<LinearOp>(op)) {
          if (takesInt8(linear.getWeight().getType())) {
            linear.setInt8Activations(true);
            ++numInt8Activations;
          }
        } else if (auto head = dyn_cast<LMHeadOp>(op)) {
          if (takesInt8(head.getTable().getType())) {
            head.setInt8Activations(true);
            ++numInt8Activations;
          }
        }
      });
    }
  }

  Type typeFor(RankedTensorType tensor, const Scheme &chosen,
               int64_t rows) {
    MLIRContext *context = tensor.getContext();
    auto tiles = [&](int64_t bits, int64_t group) -> int64_t {
      return QuantizedWeightType::canTile(tensor.getShape(), bits, group,
                                          /*symmetric=*/true, rows)
                 ? rows
                 : 0;
    };
    switch (chosen.kind) {
    case Scheme::Kind::None:
      return tensor;
    case Scheme::Kind::Float:
      return RankedTensorType::get(tensor.getShape(), chosen.floatType);
    case Scheme::Kind::Int4:
      if (tensor.getShape().back() % chosen.group == 0) {
        ++numQuantized;
        int64_t tileRows = chosen.symmetric ? tiles(4, chosen.group) : 0;
        return QuantizedWeightType::get(
            context, tensor.getShape(), IntegerType::get(context, 4),
            chosen.group, Float16Type::get(context), chosen.symmetric, tileRows,
            tileRows > 0 ? int64_t(int4TileDepth) : 1,
            tileRows > 0 && int4TileWords);
      }
      ++numFallbacks;
      [[fallthrough]];
    case Scheme::Kind::Int8:
      ++numQuantized;
      return QuantizedWeightType::get(
          context, tensor.getShape(), IntegerType::get(context, 8), 0,
          Float32Type::get(context), true, tiles(8, 0), /*tileDepth=*/1,
          /*tileWords=*/false);
    }
    return tensor;
  }

  static constexpr const char *kSchemes =
      "int8, int4-g32, int4-g64, int4-g128 (optionally -asym), bf16, f16, "
      "f32 or none";
};

} // namespace
} // namespace facet
