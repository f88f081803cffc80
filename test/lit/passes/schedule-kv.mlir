// RUN: facet-opt %s --facet-schedule-kv=prefill-chunk=4 | FileCheck %s
// RUN: facet-opt %s --facet-schedule-kv=prefill-chunk=4 | facet-opt --verify-diagnostics
// RUN: facet-opt %s --facet-schedule-kv="prefill-chunk=4 max-context=20 kv-dtype=bf16 all-logits=true" | FileCheck %s --check-prefix=ALL
// RUN: not facet-opt %s --facet-schedule-kv=kv-dtype=f64 2>&1 | FileCheck %s --check-prefix=BAD
// RUN: facet import %models/tiny-edge -o - --quiet | facet-opt --facet-schedule-kv="prefill-chunk=16 max-context=256" | FileCheck %s --check-prefix=EDGE

// Two layers: layer 0 owns a sliding cache, layer 1 reads it (KV-shared,
// no cache of its own). The sliding ring holds window 8 + chunk 4 - 1 = 11
// entries, the full cache the model's 32 positions (or --max-context).
// Everything after the last kv_store in @prefill runs for the last position
// only: the values crossing that point (the query, the positions, the
// residual) are cut to their last row and the tail is re-typed to 1 token;
// decode, which has one token anyway, only records its token count.

// CHECK: facet.kv_cache @kv.layer0 sliding window 8 heads 1 x 8 layer 0 capacity 11 dtype f32
// CHECK: facet.kv_cache @kv.full full heads 1 x 8 layer 2 capacity 32 dtype f32
// ALL: facet.kv_cache @kv.layer0 sliding window 8 heads 1 x 8 layer 0 capacity 11 dtype bf16
// ALL: facet.kv_cache @kv.full full heads 1 x 8 layer 2 capacity 20 dtype bf16
// BAD: error: facet-schedule-kv: kv-dtype must be f32, bf16, f16 or int8, got 'f64'
module attributes {facet.model = {max_positions = 32 : i64}} {
facet.param @wq : tensor<16x16xf32> class "attention"
facet.param @wk : tensor<8x16xf32> class "attention"
facet.param @wo : tensor<16x16xf32> class "attention"
facet.kv_cache @kv.layer0 sliding window 8 heads 1 x 8 layer 0
facet.kv_cache @kv.full full heads 1 x 8 layer 2

// CHECK-LABEL: func.func @prefill
// CHECK-SAME: -> tensor<1x16xf32> attributes {facet.max_tokens = 4 : i64}
// CHECK: facet.kv_store {{.*}} : tensor<?x1x8xf32>, tensor<?x1x8xf32>, tensor<?xi32>
// CHECK-DAG: %[[Q:.*]] = facet.last_row %{{.*}} : tensor<?x2x8xf32> -> tensor<1x2x8xf32>
// CHECK-DAG: %[[P:.*]] = facet.last_row %{{.*}} : tensor<?xi32> -> tensor<1xi32>
// CHECK-DAG: %[[X:.*]] = facet.last_row %{{.*}} : tensor<?x16xf32> -> tensor<1x16xf32>
// CHECK: %[[O:.*]] = facet.attention %[[Q]], %[[P]] cache @kv.layer0 {{.*}} -> tensor<1x2x8xf32>
// CHECK: facet.merge_heads %[[O]] : tensor<1x2x8xf32> -> tensor<1x16xf32>
// CHECK: facet.add %[[X]], %{{.*}} : tensor<1x16xf32>
// The shared layer reads layer 0's cache with the last query only.
// CHECK: facet.attention {{.*}} cache @kv.layer0 {{.*}} : tensor<1x2x8xf32>, tensor<1xi32> -> tensor<1x2x8xf32>
// CHECK: return {{.*}} : tensor<1x16xf32>
// ALL-LABEL: func.func @prefill
// ALL-SAME: -> tensor<?x16xf32> attributes {facet.max_tokens = 4 : i64}
// ALL-NOT: facet.last_row
func.func @prefill(%x: tensor<?x16xf32>, %pos: tensor<?xi32>) -> tensor<?x16xf32> {
  %wq = facet.weight @wq : tensor<16x16xf32>
  %q = facet.linear %x, %wq : tensor<?x16xf32>, tensor<16x16xf32> -> tensor<?x16xf32>
  %qh = facet.split_heads %q : tensor<?x16xf32> -> tensor<?x2x8xf32>
  %wk = facet.weight @wk : tensor<8x16xf32>
  %k = facet.linear %x, %wk : tensor<?x16xf32>, tensor<8x16xf32> -> tensor<?x8xf32>
  %kh = facet.split_heads %k : tensor<?x8xf32> -> tensor<?x1x8xf32>
  facet.kv_store %kh, %kh at %pos into @kv.layer0 : tensor<?x1x8xf32>, tensor<?x1x8xf32>, tensor<?xi32>
  %o = facet.attention %qh, %pos cache @kv.layer0 window 8 scale 1.0 layer 0 : tensor<?x2x8xf32>, tensor<?xi32> -> tensor<?x2x8xf32>
  %m = facet.merge_heads %o : tensor<?x2x8xf32> -> tensor<?x16xf32>
  %wo = facet.weight @wo : tensor<16x16xf32>
  %p = facet.linear %m, %wo : tensor<?x16xf32>, tensor<16x16xf32> -> tensor<?x16xf32>
  %r = facet.add %x, %p : tensor<?x16xf32>
  %q1 = facet.linear %r, %wq : tensor<?x16xf32>, tensor<16x16xf32> -> tensor<?x16xf32>
  %q1h = facet.split_heads %q1 : tensor<?x16xf32> -> tensor<?x2x8xf32>
  %o1 = facet.attention %q1h, %pos cache @kv.layer0 window 8 scale 1.0 layer 1 : tensor<?x2x8xf32>, tensor<?xi32> -> tensor<?x2x8xf32>
  %m1 = facet.merge_heads %o1 : tensor<?x2x8xf32> -> tensor<?x16xf32>
  return %m1 : tensor<?x16xf32>
}

// CHECK-LABEL: func.func @decode
// CHECK-SAME: attributes {facet.max_tokens = 1 : i64}
// CHECK-NOT: facet.last_row
func.func @decode(%x: tensor<1x16xf32>, %pos: tensor<1xi32>) -> tensor<1x16xf32> {
  %wq = facet.weight @wq : tensor<16x16xf32>
  %q = facet.linear %x, %wq : tensor<1x16xf32>, tensor<16x16xf32> -> tensor<1x16xf32>
  %qh = facet.split_heads %q : tensor<1x16xf32> -> tensor<1x2x8xf32>
  %o = facet.attention %qh, %pos cache @kv.layer0 window 8 scale 1.0 layer 0 : tensor<1x2x8xf32>, tensor<1xi32> -> tensor<1x2x8xf32>
  %m = facet.merge_heads %o : tensor<1x2x8xf32> -> tensor<1x16xf32>
  return %m : tensor<1x16xf32>
}
}

// tiny-edge (layers 6-9 share the caches of 4 and 5): after layer 5's cache
// write, everything runs for one token, down to the logits.
// EDGE: facet.kv_cache @kv.layer0 sliding window 8 heads 1 x 16 layer 0 capacity 23 dtype f32
// EDGE: facet.kv_cache @kv.layer4 full heads 1 x 32 layer 4 capacity 256 dtype f32
// EDGE-LABEL: func.func @prefill
// EDGE-SAME: -> tensor<1x512xf32> attributes {facet.max_tokens = 16 : i64}
// EDGE: facet.kv_store {{.*}} into @kv.layer5
// EDGE-NOT: facet.kv_store
// EDGE: facet.attention {{.*}} layer 9 : tensor<1x4x32xf32>, tensor<1xi32> -> tensor<1x4x32xf32>
// EDGE: facet.lm_head {{.*}} -> tensor<1x512xf32>
// EDGE-LABEL: func.func @decode
