// RUN: facet-opt %s --facet-schedule-kv --facet-outline-kernels --facet-plan-memory | FileCheck %s
// RUN: facet-opt %s --facet-schedule-kv --facet-outline-kernels --facet-plan-memory | facet-opt --verify-diagnostics
// RUN: not facet-opt %s --facet-outline-kernels --facet-plan-memory 2>&1 | FileCheck %s --check-prefix=UNSCHEDULED
// RUN: facet import %models/tiny-edge -o - --quiet | facet-opt --facet-schedule-kv="prefill-chunk=16 max-context=256" --facet-outline-kernels --facet-fuse --facet-plan-memory | FileCheck %s --check-prefix=EDGE

// A chain of four kernels over 64-byte rows. The inputs sit at 0 and 64 and
// live for the whole call; %a dies after %b is computed, so %c takes its
// bytes, and %d takes %b's. A result never shares bytes with an input of
// its own kernel (%b is still live while %c is written). Four 64-byte
// buffers fit in 256 bytes of arena instead of 384.

// CHECK-LABEL: func.func @decode
// CHECK-SAME: {facet.arena_offset = 0 : i64
// CHECK-SAME: {facet.arena_offset = 64 : i64
// CHECK-SAME: facet.arena_bytes = 256 : i64
// CHECK: facet.kernel "decode.0.rms_norm"{{.*}} {facet.arena_offsets = array<i64: 128>}
// CHECK: facet.kernel "decode.1.linear"{{.*}} {facet.arena_offsets = array<i64: 192>}
// CHECK: facet.kernel "decode.2.gelu_tanh"{{.*}} {facet.arena_offsets = array<i64: 128>}
// CHECK: facet.kernel "decode.3.add"{{.*}} {facet.arena_offsets = array<i64: 192>}
// UNSCHEDULED: error: facet-plan-memory: @decode has no facet.max_tokens (run --facet-schedule-kv first)

module attributes {facet.model = {max_positions = 32 : i64}} {
facet.param @norm : tensor<16xf32> class "norm"
facet.param @w : tensor<16x16xf32> class "mlp"
func.func @decode(%x: tensor<1x16xf32>, %pos: tensor<1xi32>) -> tensor<1x16xf32> {
  %n = facet.weight @norm : tensor<16xf32>
  %a = facet.rms_norm %x, %n eps 1.0e-6 : tensor<1x16xf32>, tensor<16xf32>
  %w = facet.weight @w : tensor<16x16xf32>
  %b = facet.linear %a, %w : tensor<1x16xf32>, tensor<16x16xf32> -> tensor<1x16xf32>
  %c = facet.gelu_tanh %b : tensor<1x16xf32>
  %d = facet.add %c, %x : tensor<1x16xf32>
  return %d : tensor<1x16xf32>
}
}

// tiny-edge: the prefill arena of 16 tokens, fused, reuses bytes.
// EDGE-LABEL: func.func @prefill
// EDGE-SAME: facet.arena_bytes = {{[0-9]+}} : i64
// EDGE-LABEL: func.func @decode
// EDGE-SAME: facet.arena_bytes = {{[0-9]+}} : i64
