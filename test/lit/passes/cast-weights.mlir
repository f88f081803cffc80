// RUN: facet-opt %s --facet-cast-weights=dtype=bf16 | FileCheck %s
// RUN: facet-opt %s --facet-cast-weights=dtype=f16 | FileCheck %s --check-prefix=F16
// RUN: facet-opt %s --facet-cast-weights=dtype=f32 | FileCheck %s --check-prefix=F32
// RUN: not facet-opt %s --facet-cast-weights=dtype=f64 2>&1 | FileCheck %s --check-prefix=BAD

// Float weights change their stored type (declaration and every reference);
// activations, caches and already-narrow weights are untouched.

// CHECK: facet.param @norm : tensor<16xbf16> class "norm"
// CHECK: facet.param @wq : tensor<8x16xbf16> class "attention"
// CHECK: facet.param @half : tensor<8x16xbf16> class "attention"
// F16: facet.param @norm : tensor<16xf16>
// F16: facet.param @half : tensor<8x16xf16>
// F32: facet.param @half : tensor<8x16xf32>
// BAD: error: facet-cast-weights: dtype must be f32, f16 or bf16, got 'f64'
facet.param @norm : tensor<16xf32> class "norm"
facet.param @wq : tensor<8x16xf32> class "attention"
facet.param @half : tensor<8x16xf16> class "attention"

// CHECK-LABEL: func.func @decode
func.func @decode(%x: tensor<1x16xf32>) -> tensor<1x8xf32> {
  // CHECK: %[[N:.*]] = facet.weight @norm : tensor<16xbf16>
  // CHECK: facet.rms_norm %{{.*}}, %[[N]] eps {{.*}} : tensor<1x16xf32>, tensor<16xbf16>
  %n = facet.weight @norm : tensor<16xf32>
  %a = facet.rms_norm %x, %n eps 1.0e-6 : tensor<1x16xf32>, tensor<16xf32>
  // CHECK: %[[W:.*]] = facet.weight @wq : tensor<8x16xbf16>
  // CHECK: facet.linear %{{.*}}, %[[W]] : tensor<1x16xf32>, tensor<8x16xbf16> -> tensor<1x8xf32>
  %wq = facet.weight @wq : tensor<8x16xf32>
  %q = facet.linear %a, %wq : tensor<1x16xf32>, tensor<8x16xf32> -> tensor<1x8xf32>
  return %q : tensor<1x8xf32>
}
