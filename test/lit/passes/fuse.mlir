// RUN: facet-opt %s --facet-outline-kernels --facet-fuse | FileCheck %s
// RUN: facet-opt %s --facet-outline-kernels --facet-fuse | facet-opt --verify-diagnostics
// RUN: facet import %models/tiny-edge -o - --quiet | facet-opt --facet-outline-kernels --facet-fuse | grep -c "facet.kernel \"decode" | FileCheck %s --check-prefix=EDGE

// A decode step of one layer: norm, q/k/v projections, the cache write,
// attention, output projection and residual. Fusion merges everything on
// each side of the kv_store (the cache must be written between the kernel
// computing keys/values and the attention reading them), and hoists the
// weight references so that later kernels can join earlier ones.

facet.param @norm : tensor<16xf32> class "norm"
facet.param @wq : tensor<16x16xf32> class "attention"
facet.param @wk : tensor<8x16xf32> class "attention"
facet.param @wv : tensor<8x16xf32> class "attention"
facet.param @wo : tensor<16x16xf32> class "attention"
facet.kv_cache @kv.layer0 sliding window 8 heads 1 x 8 layer 0

// CHECK-LABEL: func.func @decode
// CHECK-COUNT-5: facet.weight
// CHECK:      %[[K1:.*]]:3 = facet.kernel "decode.0.rms_norm"
// CHECK:        facet.rms_norm
// CHECK-NEXT:   facet.linear
// CHECK-NEXT:   facet.split_heads
// CHECK-NEXT:   facet.linear
// CHECK-NEXT:   facet.split_heads
// CHECK-NEXT:   facet.linear
// CHECK-NEXT:   facet.split_heads
// CHECK-NEXT:   facet.yield
// CHECK:      facet.kv_store %[[K1]]#1, %[[K1]]#2 at %{{.*}} into @kv.layer0
// CHECK:      %[[K2:.*]] = facet.kernel "decode.7.attention"(%[[K1]]#0
// CHECK:        facet.attention
// CHECK-NEXT:   facet.merge_heads
// CHECK-NEXT:   facet.linear
// CHECK-NEXT:   facet.add
// CHECK-NEXT:   facet.yield
// CHECK:      return %[[K2]]
// CHECK-NOT:  facet.kernel
func.func @decode(%x: tensor<1x16xf32>, %pos: tensor<1xi32>) -> tensor<1x16xf32> {
  %n = facet.weight @norm : tensor<16xf32>
  %a = facet.rms_norm %x, %n eps 1.0e-6 : tensor<1x16xf32>, tensor<16xf32>
  %wq = facet.weight @wq : tensor<16x16xf32>
  %q = facet.linear %a, %wq : tensor<1x16xf32>, tensor<16x16xf32> -> tensor<1x16xf32>
  %qh = facet.split_heads %q : tensor<1x16xf32> -> tensor<1x2x8xf32>
  %wk = facet.weight @wk : tensor<8x16xf32>
  %k = facet.linear %a, %wk : tensor<1x16xf32>, tensor<8x16xf32> -> tensor<1x8xf32>
  %kh = facet.split_heads %k : tensor<1x8xf32> -> tensor<1x1x8xf32>
  %wv = facet.weight @wv : tensor<8x16xf32>
  %v = facet.linear %a, %wv : tensor<1x16xf32>, tensor<8x16xf32> -> tensor<1x8xf32>
  %vh = facet.split_heads %v : tensor<1x8xf32> -> tensor<1x1x8xf32>
  facet.kv_store %kh, %vh at %pos into @kv.layer0 : tensor<1x1x8xf32>, tensor<1x1x8xf32>, tensor<1xi32>
  %o = facet.attention %qh, %pos cache @kv.layer0 window 8 scale 1.0 layer 0 : tensor<1x2x8xf32>, tensor<1xi32> -> tensor<1x2x8xf32>
  %m = facet.merge_heads %o : tensor<1x2x8xf32> -> tensor<1x16xf32>
  %wo = facet.weight @wo : tensor<16x16xf32>
  %p = facet.linear %m, %wo : tensor<1x16xf32>, tensor<16x16xf32> -> tensor<1x16xf32>
  %r = facet.add %x, %p : tensor<1x16xf32>
  return %r : tensor<1x16xf32>
}

// tiny-edge's decode: 307 kernels unfused, 17 fused (10 layers; kv_store
// boundaries and the PLE slices).
// EDGE: 17
