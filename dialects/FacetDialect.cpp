//===- FacetDialect.cpp - facet dialect registration and types ------------===//

#include "dialects/FacetDialect.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/DialectImplementation.h"
#include "llvm/ADT/TypeSwitch.h"

using namespace mlir;
using namespace facet;

#include "dialects/FacetDialect.cpp.inc"
#include "dialects/FacetEnums.cpp.inc"

#define GET_TYPEDEF_CLASSES
#include "dialects/FacetTypes.cpp.inc"

void FacetDialect::initialize() {
  registerTypes();
  addOperations<
#define GET_OP_LIST
#include "dialects/FacetOps.cpp.inc"
      >();
}

void FacetDialect::registerTypes() {
  addTypes<
#define GET_TYPEDEF_LIST
#include "dialects/FacetTypes.cpp.inc"
      >();
}

//===----------------------------------------------------------------------===//
// QuantizedWeightType
//===----------------------------------------------------------------------===//

LogicalResult QuantizedWeightType::verify(
    function_ref<InFlightDiagnostic()> emitError, ArrayRef<int64_t> shape,
    Type storage, int64_t group, Type scale, bool symmetric, int64_t tileRows,
    int64_t tileDepth, bool tileWords) {
  if (shape.size() < 2 || shape.size() > 3)
    return emitError() << "quantized weight must have rank 2 or 3, got rank "
                       << shape.size();
  for (int64_t dim : shape)
    if (dim <= 0)
      return emitError() << "quantized weight dimensions must be positive";
  auto storageInt = llvm::dyn_cast<IntegerType>(storage);
  if (!storageInt || !storageInt.isSignless() ||
      (storageInt.getWidth() != 4 && storageInt.getWidth() != 8))
    return emitError() << "quantized storage must be i4 or i8, got " << storage;
  if (group < 0)
    return emitError() << "group size must be >= 0 (0 = per output row), got "
                       << group;
  if (group > 0 && shape.back() % group != 0)
    return emitError() << "group size " << group
                       << " does not divide the input dimension "
                       << shape.back();
  if (!scale.isF16() && !scale.isBF16() && !scale.isF32())
    return emitError() << "scale type must be f16, bf16 or f32, got " << scale;
  if (tileRows < 0)
    return emitError() << "tile rows must be >= 0, got " << tileRows;
  if (tileRows > 0 && !canTile(shape, storageInt.getWidth(), group, symmetric,
                               tileRows))
    return emitError() << "tiles of " << tileRows
                       << " rows need a symmetric rank-2 weight whose rows "
                          "divide into them, a multiple of 16 stored bytes "
                          "per row and a group that is 0 or a multiple of 32";
  if (tileDepth != 1 && tileDepth != 4)
    return emitError() << "tile depth must be 1 or 4, got " << tileDepth;
  if (tileDepth != 1 && tileRows == 0)
    return emitError() << "a tile depth of " << tileDepth
                       << " needs tiles of rows";
  if (tileWords && tileDepth != 4)
    return emitError() << "16-bit words need tiles of depth 4, got depth "
                       << tileDepth;
  return success();
}

Type QuantizedWeightType::parse(AsmParser &parser) {
  SmallVector<int64_t> shape;
  Type storage, scale;
  int64_t group = 0;
  StringRef symmetry;
  if (parser.parseLess() ||
      parser.parseDimensionList(shape, /*allowDynamic=*/false,
                                /*withTrailingX=*/true) ||
      parser.parseType(storage) || parser.parseComma() ||
      parser.parseKeyword("group") || parser.parseInteger(group) ||
      parser.parseComma() || parser.parseKeyword("scale") ||
      parser.parseType(scale) || parser.parseComma() ||
      parser.parseKeyword(&symmetry))
    return {};
  int64_t tileRows = 0, tileDepth = 1;
  bool tileWords = false;
  if (succeeded(parser.parseOptionalComma()) &&
      (parser.parseKeyword("tiles") || parser.parseInteger(tileRows) ||
       (succeeded(parser.parseOptionalKeyword("by")) &&
        parser.parseInteger(tileDepth))))
    return {};
  if (tileRows > 0 && succeeded(parser.parseOptionalKeyword("words")))
    tileWords = true;
  if (parser.parseGreater())
    return {};
  if (symmetry != "symmetric" && symmetry != "asymmetric") {
    parser.emitError(parser.getCurrentLocation(),
                     "expected 'symmetric' or 'asymmetric', got '")
        << symmetry << "'";
    return {};
  }
  return getChecked([&] { return parser.emitError(parser.getNameLoc()); },
                    parser.getContext(), shape, storage, group, scale,
                    symmetry == "symmetric", tileRows, tileDepth, tileWords);
}

void QuantizedWeightType::print(AsmPrinter &printer) const {
  printer << "<";
  for (int64_t dim : getShape())
    printer << dim << "x";
  printer << getStorage() << ", group " << getGroup() << ", scale "
          << getScale() << ", " << (getSymmetric() ? "symmetric" : "asymmetric");
  if (getTileRows() > 0)
    printer << ", tiles " << getTileRows();
  if (getTileDepth() != 1)
    printer << " by " << getTileDepth();
  if (getTileWords())
    printer << " words";
  printer << ">";
}

bool QuantizedWeightType::canTile(ArrayRef<int64_t> shape, int64_t bits,
                                  int64_t group, bool symmetric,
                                  int64_t tileRows) {
  // One tile is tileRows rows x 16 stored bytes (WeightTiles.h).
  int64_t bytesPerRow = bits == 4 ? shape.back() / 2 : shape.back();
  return tileRows > 0 && shape.size() == 2 && symmetric &&
         shape[0] % tileRows == 0 && bytesPerRow % 16 == 0 &&
         (group == 0 || group % 32 == 0);
}

int64_t QuantizedWeightType::getBits() const {
  return llvm::cast<IntegerType>(getStorage()).getWidth();
}

int64_t QuantizedWeightType::getNumElements() const {
  int64_t n = 1;
  for (int64_t dim : getShape())
    n *= dim;
  return n;
}

//===----------------------------------------------------------------------===//
// Weight helpers
//===----------------------------------------------------------------------===//

std::optional<ArrayRef<int64_t>> facet::getWeightShape(Type type) {
  if (auto tensor = dyn_cast<RankedTensorType>(type))
    return tensor.getShape();
  if (auto quant = dyn_cast<QuantizedWeightType>(type))
    return quant.getShape();
  return std::nullopt;
}

int64_t facet::getWeightNumElements(Type type) {
  if (auto tensor = dyn_cast<RankedTensorType>(type))
    return tensor.hasStaticShape() ? tensor.getNumElements() : 0;
  if (auto quant = dyn_cast<QuantizedWeightType>(type))
    return quant.getNumElements();
  return 0;
}

int64_t facet::getWeightStorageBytes(Type type) {
  if (auto tensor = dyn_cast<RankedTensorType>(type)) {
    if (!tensor.hasStaticShape())
      return 0;
    return tensor.getNumElements() *
           ((tensor.getElementTypeBitWidth() + 7) / 8);
  }
  if (auto quant = dyn_cast<QuantizedWeightType>(type)) {
    int64_t elements = quant.getNumElements();
    int64_t rowLength = quant.getShape().back();
    int64_t rows = elements / rowLength;
    int64_t groupsPerRow = quant.getGroup() ? rowLength / quant.getGroup() : 1;
    int64_t scaleBytes = (quant.getScale().getIntOrFloatBitWidth() + 7) / 8;
    int64_t perGroup = scaleBytes + (quant.getSymmetric() ? 0 : scaleBytes);
    return (elements * quant.getBits() + 7) / 8 + rows * groupsPerRow * perGroup;
  }
  return 0;
}
