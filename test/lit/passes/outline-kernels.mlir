// RUN: facet-opt %s --facet-outline-kernels | FileCheck %s
// RUN: facet-opt %s --facet-outline-kernels | facet-opt --verify-diagnostics

// Every compute op becomes its own kernel; weights and cache writes stay in
// the entry point, and a multi-result op yields all its results.

facet.param @norm : tensor<16xf32> class "norm"
facet.param @wk : tensor<8x16xf32> class "attention"
facet.param @router : tensor<4x16xf32> class "router"
facet.param @scale : tensor<16xf32> class "router"
facet.param @per_expert : tensor<4xf32> class "router"
facet.kv_cache @kv.layer0 sliding window 8 heads 1 x 8 layer 0

// CHECK-LABEL: func.func @decode
func.func @decode(%x: tensor<1x16xf32>, %pos: tensor<1xi32>) -> tensor<1x2xf32> {
  // CHECK: %[[N:.*]] = facet.weight @norm
  // CHECK: %[[A:.*]] = facet.kernel "decode.0.rms_norm"(%{{.*}}, %[[N]]) : (tensor<1x16xf32>, tensor<16xf32>) -> tensor<1x16xf32> {
  // CHECK-NEXT: ^bb0(%[[X:.*]]: tensor<1x16xf32>, %[[W:.*]]: tensor<16xf32>):
  // CHECK-NEXT: %[[R:.*]] = facet.rms_norm %[[X]], %[[W]] eps
  // CHECK-NEXT: facet.yield %[[R]] : tensor<1x16xf32>
  // CHECK-NEXT: }
  %n = facet.weight @norm : tensor<16xf32>
  %a = facet.rms_norm %x, %n eps 1.0e-6 : tensor<1x16xf32>, tensor<16xf32>
  // CHECK: facet.weight @wk
  // CHECK: %[[K:.*]] = facet.kernel "decode.1.linear"(%[[A]], %{{.*}})
  %wk = facet.weight @wk : tensor<8x16xf32>
  %k = facet.linear %a, %wk : tensor<1x16xf32>, tensor<8x16xf32> -> tensor<1x8xf32>
  // CHECK: %[[KH:.*]] = facet.kernel "decode.2.split_heads"(%[[K]])
  %kh = facet.split_heads %k : tensor<1x8xf32> -> tensor<1x1x8xf32>
  // The cache write stays outside any kernel.
  // CHECK: facet.kv_store %[[KH]], %[[KH]] at %{{.*}} into @kv.layer0
  facet.kv_store %kh, %kh at %pos into @kv.layer0 : tensor<1x1x8xf32>, tensor<1x1x8xf32>, tensor<1xi32>
  %r = facet.weight @router : tensor<4x16xf32>
  %s = facet.weight @scale : tensor<16xf32>
  %e = facet.weight @per_expert : tensor<4xf32>
  // CHECK: %[[ROUTED:.*]]:2 = facet.kernel "decode.3.moe_router"
  // CHECK: %[[RW:.*]], %[[RI:.*]] = facet.moe_router
  // CHECK-NEXT: facet.yield %[[RW]], %[[RI]] : tensor<1x2xf32>, tensor<1x2xi32>
  %w, %i = facet.moe_router %a, %r, %s, %e top_k 2 input_scale 0.25 eps 1.0e-6 : (tensor<1x16xf32>, tensor<4x16xf32>, tensor<16xf32>, tensor<4xf32>) -> (tensor<1x2xf32>, tensor<1x2xi32>)
  // CHECK: return %[[ROUTED]]#0 : tensor<1x2xf32>
  return %w : tensor<1x2xf32>
}
