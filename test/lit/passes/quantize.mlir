// RUN: facet-opt %s --facet-quantize=scheme=int4-g32 | FileCheck %s
// RUN: facet-opt %s '--facet-quantize=scheme=int8 overrides=lm_head=bf16,mlp=int4-g64-asym' | FileCheck %s --check-prefix=OVR
// RUN: not facet-opt %s --facet-quantize=scheme=int3 2>&1 | FileCheck %s --check-prefix=BADSCHEME
// RUN: not facet-opt %s '--facet-quantize=overrides=norm=int8' 2>&1 | FileCheck %s --check-prefix=BADCLASS
// RUN: facet-opt %s '--facet-quantize=scheme=int8 activations=int8' | FileCheck %s --check-prefix=ACT
// RUN: facet-opt %s '--facet-quantize=scheme=int4-g32 activations=int8' | FileCheck %s --check-prefix=ACT4
// RUN: not facet-opt %s '--facet-quantize=activations=int4' 2>&1 | FileCheck %s --check-prefix=BADACT
// RUN: facet-opt %s '--facet-quantize=scheme=int4-g32 tile-rows=64' | FileCheck %s --check-prefix=TILES
// RUN: facet-opt %s '--facet-quantize=scheme=int4-g32 tile-rows=16' | FileCheck %s --check-prefix=TILES16
// RUN: not facet-opt %s '--facet-quantize=tile-rows=-1' 2>&1 | FileCheck %s --check-prefix=BADTILES
// RUN: facet-opt %s '--facet-quantize=scheme=int4-g32 tile-rows=16 int4-tile-depth=4 int4-tile-words=true' | FileCheck %s --check-prefix=WORDS
// RUN: not facet-opt %s '--facet-quantize=scheme=int4-g32 tile-rows=16 int4-tile-words=true' 2>&1 | FileCheck %s --check-prefix=BADWORDS

// tile-rows stores the weights of projections and the LM head in row tiles
// where their shape holds whole tiles (64 rows: only @embed); the PLE table,
// only ever gathered, stays row-major.
// TILES: facet.param @embed : !facet.qweight<64x32xi4, group 32, scale f16, symmetric, tiles 64> class "embedding"
// TILES: facet.param @up : !facet.qweight<48x32xi4, group 32, scale f16, symmetric> class "mlp"
// TILES: facet.param @down : !facet.qweight<32x48xi8, group 0, scale f32, symmetric> class "mlp"
// TILES: facet.param @ple : !facet.qweight<64x32xi4, group 32, scale f16, symmetric> class "ple_table"
// TILES16: facet.param @up : !facet.qweight<48x32xi4, group 32, scale f16, symmetric, tiles 16> class "mlp"
// TILES16: facet.param @down : !facet.qweight<32x48xi8, group 0, scale f32, symmetric, tiles 16> class "mlp"
// TILES16: facet.param @ple : !facet.qweight<64x32xi4, group 32, scale f16, symmetric> class "ple_table"
// BADTILES: error: facet-quantize: tile-rows must be >= 0, got -1

// int4-tile-words (x86_64-avx2) stores depth-4 int4 tiles as 16-bit words;
// int8 tiles keep their bytes.
// WORDS: facet.param @up : !facet.qweight<48x32xi4, group 32, scale f16, symmetric, tiles 16 by 4 words> class "mlp"
// WORDS: facet.param @down : !facet.qweight<32x48xi8, group 0, scale f32, symmetric, tiles 16> class "mlp"
// WORDS: facet.param @ple : !facet.qweight<64x32xi4, group 32, scale f16, symmetric> class "ple_table"
// BADWORDS: error: facet-quantize: int4-tile-words needs int4-tile-depth=4, got 1

// activations=int8 marks the projections and the LM head whose weight is
// int8 per row: all three here with --quant int8; with int4-g32 only @down,
// which fell back to int8.
// ACT: facet.linear %{{.*}}, %{{.*}} {int8_activations} : tensor<1x32xf32>, !facet.qweight<48x32xi8
// ACT: facet.linear %{{.*}}, %{{.*}} {int8_activations} : tensor<1x48xf32>, !facet.qweight<32x48xi8
// ACT: facet.lm_head %{{.*}}, %{{.*}} {int8_activations} : tensor<1x32xf32>, !facet.qweight<64x32xi8
// ACT4: facet.linear %{{.*}}, %{{.*}} : tensor<1x32xf32>, !facet.qweight<48x32xi4
// ACT4: facet.linear %{{.*}}, %{{.*}} {int8_activations} : tensor<1x48xf32>, !facet.qweight<32x48xi8
// ACT4: facet.lm_head %{{.*}}, %{{.*}} : tensor<1x32xf32>, !facet.qweight<64x32xi4
// BADACT: facet-quantize: activations must be f32 or int8, got 'int4'

// Matrices of quantizable classes change type; norms never do. An int4
// group that does not divide the input dimension (48) falls back to int8.

// CHECK: facet.param @embed : !facet.qweight<64x32xi4, group 32, scale f16, symmetric> class "embedding"
// CHECK: facet.param @norm : tensor<32xf32> class "norm"
// CHECK: facet.param @up : !facet.qweight<48x32xi4, group 32, scale f16, symmetric> class "mlp"
// CHECK: facet.param @down : !facet.qweight<32x48xi8, group 0, scale f32, symmetric> class "mlp"
// OVR: facet.param @embed : tensor<64x32xbf16> class "embedding"
// OVR: facet.param @norm : tensor<32xf32> class "norm"
// OVR: facet.param @up : !facet.qweight<48x32xi8, group 0, scale f32, symmetric> class "mlp"
// OVR: facet.param @down : !facet.qweight<32x48xi8, group 0, scale f32, symmetric> class "mlp"
// BADSCHEME: error: facet-quantize: unknown scheme 'int3' (int8, int4-g32, int4-g64, int4-g128 (optionally -asym), bf16, f16, f32 or none)
// BADCLASS: error: facet-quantize: cannot override class 'norm'
facet.param @embed : tensor<64x32xf32> class "embedding"
facet.param @norm : tensor<32xf32> class "norm"
facet.param @up : tensor<48x32xf32> class "mlp"
facet.param @down : tensor<32x48xf32> class "mlp"
facet.param @ple : tensor<64x32xf32> class "ple_table"

// CHECK-LABEL: func.func @decode
func.func @decode(%x: tensor<1x32xf32>) -> tensor<1x64xf32> {
  // CHECK: %[[U:.*]] = facet.weight @up : !facet.qweight<48x32xi4, group 32, scale f16, symmetric>
  // CHECK: facet.linear %{{.*}}, %[[U]] : tensor<1x32xf32>, !facet.qweight<48x32xi4, group 32, scale f16, symmetric> -> tensor<1x48xf32>
  %u = facet.weight @up : tensor<48x32xf32>
  %h = facet.linear %x, %u : tensor<1x32xf32>, tensor<48x32xf32> -> tensor<1x48xf32>
  %d = facet.weight @down : tensor<32x48xf32>
  %y = facet.linear %h, %d : tensor<1x48xf32>, tensor<32x48xf32> -> tensor<1x32xf32>
  // CHECK: %[[E:.*]] = facet.weight @embed : !facet.qweight<64x32xi4
  // CHECK: facet.lm_head %{{.*}}, %[[E]]
  %e = facet.weight @embed : tensor<64x32xf32>
  %l = facet.lm_head %y, %e : tensor<1x32xf32>, tensor<64x32xf32> -> tensor<1x64xf32>
  return %l : tensor<1x64xf32>
}
