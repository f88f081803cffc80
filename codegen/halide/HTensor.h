//===- HTensor.h - A tensor value inside a Halide kernel -------*- C++ -*-===//
//
// Part of Facet, an ahead-of-time compiler for Gemma 4 language models.
//
//===----------------------------------------------------------------------===//
//
// The value an op emitter consumes and produces: a Halide Func plus the shape
// of the MLIR tensor it stands for.
//
// Conventions shared by every emitter:
// - `shape` is outermost-first like the MLIR type ([T, H, hd]); `func` takes
//   its arguments innermost-first (func(j, h, t)), so argument 0 walks
//   memory contiguously.
// - The token extent T is a runtime Expr (an input buffer's extent); every
//   other extent is a constant from the type.
// - Float tensors yield f32 whatever their storage type: f16/bf16 inputs are
//   widened where they are read, and results typed f16/bf16 are rounded to
//   that type (ops compute in f32, storage is narrower). Integer tensors
//   (token ids, positions, expert indices) yield i32.
//
//===----------------------------------------------------------------------===//

#ifndef FACET_CODEGEN_HALIDE_HTENSOR_H
#define FACET_CODEGEN_HALIDE_HTENSOR_H

#include "codegen/target/RowTiles.h"

#include "Halide.h"

#include "mlir/IR/Types.h"

#include <cstdint>
#include <optional>
#include <vector>

namespace facet::codegen {

/// The stored form of an int8 weight, for emitters that compute on the
/// integers themselves (int8 activations) instead of the dequantized view.
struct QuantizedView {
  Halide::Func integers; ///< (k, n...): the stored Int(8) values
  Halide::Func scales;   ///< (n...): the f32 scale of each output row
  /// Set when the weight is stored in the target's dot-instruction tiles
  /// (WeightTiles.h), where 4 consecutive k of 32 neighbouring rows are
  /// adjacent: (k, n...) yields the stored UInt(8) q + 128.
  std::optional<Halide::Func> tiledOffsetIntegers;
  int64_t tileRows = 0; ///< rows per tile when tiled
};

/// A quantized [out, in] weight stored in row tiles (codegen/target/
/// RowTiles.h), as a GEMV vectorized over rows reads it.
struct RowTiledView {
  /// (j, c, n): stored byte j (0..15) of chunk c of row n: UInt(8) holding
  /// two int4 (q + 8; input 32c + j low, 32c + 16 + j high) or Int(8).
  Halide::Func bytes;
  /// (j, c, ni, no): the same byte of row ni (0..R-1) of block no; its
  /// address is affine in ni, where `bytes` has n % R.
  Halide::Func blockBytes;
  /// (i, c, ni, no): word i (0..7: stored bytes 2i, 2i + 1) of chunk c of
  /// row ni of block no, UInt(16); set where the tiling stores words.
  std::optional<Halide::Func> blockWords;
  Halide::Func scales; ///< (b, n): the f32 scale of group b of row n
  /// (b, n): the scale as stored, of type `scaleStorage`; `scales` widens
  /// it (widenToF32), and readers may widen it their own way.
  Halide::Func storedScales;
  Halide::Type scaleStorage;
  RowTiling tiling;    ///< the layout, as the weight's type gives it
};

struct HTensor {
  Halide::Func func;
  std::vector<Halide::Expr> shape; ///< outermost-first
  /// Set for an int8 per-row weight: `func` is its dequantized view.
  std::optional<QuantizedView> quantized;
  /// Set for a weight stored in row tiles.
  std::optional<RowTiledView> rowTiled;

  size_t rank() const { return shape.size(); }
  /// Extent of dimension `dim`, counted outermost-first as in the MLIR type.
  const Halide::Expr &extent(size_t dim) const { return shape.at(dim); }
  /// The innermost extent (the last MLIR dimension).
  const Halide::Expr &innerExtent() const { return shape.back(); }
  /// A constant extent, or nullopt for a runtime one.
  std::optional<int64_t> staticExtent(size_t dim) const;
};

/// The Halide type of a tensor element type as stored in memory: f32, f16,
/// bf16, i32, i8, ui8. Throws facet::Error for anything else.
Halide::Type storageType(mlir::Type elementType);

/// The type an emitter computes a tensor of `elementType` in: Int(32) for
/// integers, Float(32) for floats.
Halide::Type computeType(mlir::Type elementType);

/// `value` (stored as `storage`) widened to f32. f16 goes through integer
/// bit manipulation instead of Halide 14's software Float(16) conversion
/// (shared/kernel-lab/RESULTS.md); exact for every finite value, subnormals
/// included.
Halide::Expr widenToF32(Halide::Expr value, Halide::Type storage);

/// An f32 `value` rounded to `storage` (f16/bf16) and back, so that a
/// narrow-typed result carries exactly the values its storage can hold.
/// Identity for f32.
Halide::Expr roundThrough(Halide::Expr value, Halide::Type storage);

} // namespace facet::codegen

#endif // FACET_CODEGEN_HALIDE_HTENSOR_H
