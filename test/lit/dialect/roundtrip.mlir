// RUN: facet-opt %s | FileCheck %s
// RUN: facet-opt %s | facet-opt | FileCheck %s
// RUN: facet-opt %s --mlir-print-op-generic | facet-opt | FileCheck %s

// One sliding layer that owns its cache, one KV-shared layer reading it, a
// k_eq_v full layer, PLE, MoE and the head: every op of the dialect once.

// CHECK-LABEL: module
// CHECK: facet.param @embed_tokens.weight : tensor<64x16xbf16> class "embedding"
// CHECK: facet.param @layers.0.self_attn.q_proj.weight : !facet.qweight<32x16xi4, group 8, scale f16, symmetric>
// CHECK: facet.param @layers.0.mlp.up_proj.weight : !facet.qweight<32x32xi4, group 32, scale f16, symmetric, tiles 16>
// CHECK: facet.param @layers.0.mlp.gate_proj.weight : !facet.qweight<32x32xi4, group 32, scale f16, symmetric, tiles 16 by 4>
// CHECK: facet.param @layers.0.mlp.down_proj.weight : !facet.qweight<32x32xi4, group 32, scale f16, symmetric, tiles 16 by 4 words>
// CHECK: facet.kv_cache @kv.layer0 sliding window 8 heads 1 x 8 layer 0
// CHECK: facet.kv_cache @kv.layer2 full heads 1 x 16 layer 2 k_eq_v
facet.param @embed_tokens.weight : tensor<64x16xbf16> class "embedding"
facet.param @embed_tokens_per_layer.weight : tensor<64x12xbf16> class "ple_table"
facet.param @per_layer_model_projection.weight : tensor<12x16xbf16> class "ple_projection"
facet.param @per_layer_projection_norm.weight : tensor<4xbf16> class "norm"
facet.param @layers.0.self_attn.q_proj.weight : !facet.qweight<32x16xi4, group 8, scale f16, symmetric> class "attention" layer 0
facet.param @layers.0.self_attn.k_proj.weight : !facet.qweight<8x16xi8, group 0, scale f32, asymmetric> class "attention" layer 0
facet.param @layers.0.self_attn.v_proj.weight : tensor<8x16xbf16> class "attention" layer 0
facet.param @layers.0.self_attn.q_norm.weight : tensor<8xf32> class "norm" layer 0
facet.param @layers.0.self_attn.k_norm.weight : tensor<8xf32> class "norm" layer 0
facet.param @layers.0.self_attn.o_proj.weight : tensor<16x32xbf16> class "attention" layer 0
facet.param @layers.0.layer_scalar : tensor<1xbf16> class "layer_scalar" layer 0
facet.param @layers.0.mlp.up_proj.weight : !facet.qweight<32x32xi4, group 32, scale f16, symmetric, tiles 16> class "mlp" layer 0
facet.param @layers.0.mlp.gate_proj.weight : !facet.qweight<32x32xi4, group 32, scale f16, symmetric, tiles 16 by 4> class "mlp" layer 0
facet.param @layers.0.mlp.down_proj.weight : !facet.qweight<32x32xi4, group 32, scale f16, symmetric, tiles 16 by 4 words> class "mlp" layer 0
facet.param @layers.2.self_attn.k_proj.weight : tensor<16x16xbf16> class "attention" layer 2
facet.param @layers.2.router.proj.weight : tensor<4x16xbf16> class "router" layer 2
facet.param @layers.2.router.scale : tensor<16xbf16> class "router" layer 2
facet.param @layers.2.router.per_expert_scale : tensor<4xbf16> class "router" layer 2
facet.param @layers.2.experts.gate_up_proj : tensor<4x12x16xbf16> class "experts" layer 2
facet.param @layers.2.experts.down_proj : tensor<4x16x6xbf16> class "experts" layer 2
facet.kv_cache @kv.layer0 sliding window 8 heads 1 x 8 layer 0
facet.kv_cache @kv.layer2 full heads 1 x 16 layer 2 k_eq_v

// CHECK-LABEL: func.func @prefill
func.func @prefill(%ids: tensor<?xi32>, %pos: tensor<?xi32>) -> tensor<?x64xf32> {
  // CHECK: %[[TABLE:.*]] = facet.weight @embed_tokens.weight : tensor<64x16xbf16>
  %table = facet.weight @embed_tokens.weight : tensor<64x16xbf16>
  // CHECK: facet.embed %[[TABLE]][%{{.*}}] scale 4.000000e+00 : tensor<64x16xbf16>, tensor<?xi32> -> tensor<?x16xf32>
  %x = facet.embed %table[%ids] scale 4.0 : tensor<64x16xbf16>, tensor<?xi32> -> tensor<?x16xf32>
  %ple_table = facet.weight @embed_tokens_per_layer.weight : tensor<64x12xbf16>
  %ple_proj = facet.weight @per_layer_model_projection.weight : tensor<12x16xbf16>
  %ple_norm = facet.weight @per_layer_projection_norm.weight : tensor<4xbf16>
  // CHECK: facet.per_layer_inputs %{{.*}}, %{{.*}} table %{{.*}} projection %{{.*}} norm %{{.*}}
  %pli = facet.per_layer_inputs %ids, %x table %ple_table projection %ple_proj norm %ple_norm {combine_scale = 0.707106769 : f32, epsilon = 9.99999997E-7 : f32, projection_scale = 2.500000e-01 : f32, token_scale = 2.000000e+00 : f32} : (tensor<?xi32>, tensor<?x16xf32>, tensor<64x12xbf16>, tensor<12x16xbf16>, tensor<4xbf16>) -> tensor<?x3x4xf32>
  // CHECK: facet.layer_input %{{.*}}[1] : tensor<?x3x4xf32> -> tensor<?x4xf32>
  %ple1 = facet.layer_input %pli[1] : tensor<?x3x4xf32> -> tensor<?x4xf32>

  // Layer 0: owns a sliding cache.
  %wq = facet.weight @layers.0.self_attn.q_proj.weight : !facet.qweight<32x16xi4, group 8, scale f16, symmetric>
  %wk = facet.weight @layers.0.self_attn.k_proj.weight : !facet.qweight<8x16xi8, group 0, scale f32, asymmetric>
  %wv = facet.weight @layers.0.self_attn.v_proj.weight : tensor<8x16xbf16>
  %qn = facet.weight @layers.0.self_attn.q_norm.weight : tensor<8xf32>
  %kn = facet.weight @layers.0.self_attn.k_norm.weight : tensor<8xf32>
  %wo = facet.weight @layers.0.self_attn.o_proj.weight : tensor<16x32xbf16>
  // CHECK: facet.rms_norm %{{.*}} eps 9.99999997E-7 : tensor<?x16xf32>
  %a = facet.rms_norm %x eps 1.0e-6 : tensor<?x16xf32>
  // CHECK: facet.linear %{{.*}}, %{{.*}} : tensor<?x16xf32>, !facet.qweight<32x16xi4, group 8, scale f16, symmetric> -> tensor<?x32xf32>
  %q = facet.linear %a, %wq : tensor<?x16xf32>, !facet.qweight<32x16xi4, group 8, scale f16, symmetric> -> tensor<?x32xf32>
  // CHECK: facet.split_heads %{{.*}} : tensor<?x32xf32> -> tensor<?x4x8xf32>
  %qh = facet.split_heads %q : tensor<?x32xf32> -> tensor<?x4x8xf32>
  // CHECK: facet.rms_norm %{{.*}}, %{{.*}} eps 9.99999997E-7 : tensor<?x4x8xf32>, tensor<8xf32>
  %qhn = facet.rms_norm %qh, %qn eps 1.0e-6 : tensor<?x4x8xf32>, tensor<8xf32>
  // CHECK: facet.rope %{{.*}}, %{{.*}} theta 1.000000e+04 rotary_dims 8 : tensor<?x4x8xf32>, tensor<?xi32>
  %qr = facet.rope %qhn, %pos theta 10000.0 rotary_dims 8 : tensor<?x4x8xf32>, tensor<?xi32>
  %k = facet.linear %a, %wk : tensor<?x16xf32>, !facet.qweight<8x16xi8, group 0, scale f32, asymmetric> -> tensor<?x8xf32>
  %kh = facet.split_heads %k : tensor<?x8xf32> -> tensor<?x1x8xf32>
  %khn = facet.rms_norm %kh, %kn eps 1.0e-6 : tensor<?x1x8xf32>, tensor<8xf32>
  %kr = facet.rope %khn, %pos theta 10000.0 rotary_dims 8 : tensor<?x1x8xf32>, tensor<?xi32>
  %v = facet.linear %a, %wv : tensor<?x16xf32>, tensor<8x16xbf16> -> tensor<?x8xf32>
  %vh = facet.split_heads %v : tensor<?x8xf32> -> tensor<?x1x8xf32>
  %vhn = facet.rms_norm %vh eps 1.0e-6 : tensor<?x1x8xf32>
  // CHECK: facet.kv_store %{{.*}}, %{{.*}} at %{{.*}} into @kv.layer0 : tensor<?x1x8xf32>, tensor<?x1x8xf32>, tensor<?xi32>
  facet.kv_store %kr, %vhn at %pos into @kv.layer0 : tensor<?x1x8xf32>, tensor<?x1x8xf32>, tensor<?xi32>
  // CHECK: facet.attention %{{.*}}, %{{.*}} cache @kv.layer0 window 8 scale 1.000000e+00 layer 0 : tensor<?x4x8xf32>, tensor<?xi32> -> tensor<?x4x8xf32>
  %att = facet.attention %qr, %pos cache @kv.layer0 window 8 scale 1.0 layer 0 : tensor<?x4x8xf32>, tensor<?xi32> -> tensor<?x4x8xf32>
  // Layer 1 shares layer 0's cache.
  // CHECK: facet.attention %{{.*}}, %{{.*}} cache @kv.layer0 window 8 scale 1.000000e+00 layer 1
  %att1 = facet.attention %qr, %pos cache @kv.layer0 window 8 scale 1.0 layer 1 : tensor<?x4x8xf32>, tensor<?xi32> -> tensor<?x4x8xf32>
  // CHECK: facet.merge_heads %{{.*}} : tensor<?x4x8xf32> -> tensor<?x32xf32>
  %m = facet.merge_heads %att1 : tensor<?x4x8xf32> -> tensor<?x32xf32>
  %o = facet.linear %m, %wo : tensor<?x32xf32>, tensor<16x32xbf16> -> tensor<?x16xf32>
  // CHECK: facet.gelu_tanh %{{.*}} : tensor<?x16xf32>
  %g = facet.gelu_tanh %o : tensor<?x16xf32>
  // CHECK: facet.mul %{{.*}}, %{{.*}} : tensor<?x16xf32>
  %gm = facet.mul %g, %o : tensor<?x16xf32>
  // CHECK: facet.add %{{.*}}, %{{.*}} : tensor<?x16xf32>
  %h = facet.add %x, %gm : tensor<?x16xf32>
  %s = facet.weight @layers.0.layer_scalar : tensor<1xbf16>
  // CHECK: facet.layer_scalar %{{.*}}, %{{.*}} : tensor<?x16xf32>, tensor<1xbf16>
  %h0 = facet.layer_scalar %h, %s : tensor<?x16xf32>, tensor<1xbf16>

  // Layer 2: k_eq_v full layer (values from the raw keys) with MoE.
  %wk2 = facet.weight @layers.2.self_attn.k_proj.weight : tensor<16x16xbf16>
  %k2 = facet.linear %h0, %wk2 : tensor<?x16xf32>, tensor<16x16xbf16> -> tensor<?x16xf32>
  %k2h = facet.split_heads %k2 : tensor<?x16xf32> -> tensor<?x1x16xf32>
  %k2r = facet.rope %k2h, %pos theta 1000000.0 rotary_dims 4 : tensor<?x1x16xf32>, tensor<?xi32>
  %v2 = facet.rms_norm %k2h eps 1.0e-6 : tensor<?x1x16xf32>
  facet.kv_store %k2r, %v2 at %pos into @kv.layer2 : tensor<?x1x16xf32>, tensor<?x1x16xf32>, tensor<?xi32>
  %q2 = facet.split_heads %q : tensor<?x32xf32> -> tensor<?x2x16xf32>
  // CHECK: facet.attention %{{.*}}, %{{.*}} cache @kv.layer2 window 0 scale 1.000000e+00 layer 2
  %att2 = facet.attention %q2, %pos cache @kv.layer2 window 0 scale 1.0 layer 2 : tensor<?x2x16xf32>, tensor<?xi32> -> tensor<?x2x16xf32>
  %rp = facet.weight @layers.2.router.proj.weight : tensor<4x16xbf16>
  %rs = facet.weight @layers.2.router.scale : tensor<16xbf16>
  %re = facet.weight @layers.2.router.per_expert_scale : tensor<4xbf16>
  // CHECK: %{{.*}}, %{{.*}} = facet.moe_router %{{.*}} top_k 2 input_scale 2.500000e-01 eps 9.99999997E-7
  %w, %e = facet.moe_router %h0, %rp, %rs, %re top_k 2 input_scale 0.25 eps 1.0e-6 : (tensor<?x16xf32>, tensor<4x16xbf16>, tensor<16xbf16>, tensor<4xbf16>) -> (tensor<?x2xf32>, tensor<?x2xi32>)
  %gu = facet.weight @layers.2.experts.gate_up_proj : tensor<4x12x16xbf16>
  %dn = facet.weight @layers.2.experts.down_proj : tensor<4x16x6xbf16>
  // CHECK: facet.moe_experts %{{.*}}, %{{.*}}, %{{.*}} gate_up %{{.*}} down %{{.*}}
  %ex = facet.moe_experts %h0, %w, %e gate_up %gu down %dn : (tensor<?x16xf32>, tensor<?x2xf32>, tensor<?x2xi32>, tensor<4x12x16xbf16>, tensor<4x16x6xbf16>) -> tensor<?x16xf32>

  // CHECK: facet.lm_head %{{.*}}, %[[TABLE]] : tensor<?x16xf32>, tensor<64x16xbf16> -> tensor<?x64xf32>
  %logits = facet.lm_head %ex, %table : tensor<?x16xf32>, tensor<64x16xbf16> -> tensor<?x64xf32>
  // CHECK: facet.softcap %{{.*}} cap 3.000000e+01 : tensor<?x64xf32>
  %capped = facet.softcap %logits cap 30.0 : tensor<?x64xf32>
  return %capped : tensor<?x64xf32>
}
