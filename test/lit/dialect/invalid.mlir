// RUN: facet-opt %s -split-input-file -verify-diagnostics

// Every verifier of the facet dialect, one malformed case each.

// expected-error @+1 {{must have a static shape}}
facet.param @w : tensor<?x4xf32> class "mlp"

// -----

// expected-error @+1 {{must be f32, f16 or bf16}}
facet.param @w : tensor<4x4xi32> class "mlp"

// -----

// expected-error @+1 {{quantized storage must be i4 or i8}}
facet.param @w : !facet.qweight<4x8xi2, group 4, scale f16, symmetric> class "mlp"

// -----

// expected-error @+1 {{group size 3 does not divide the input dimension 8}}
facet.param @w : !facet.qweight<4x8xi4, group 3, scale f16, symmetric> class "mlp"

// -----

// expected-error @+1 {{scale type must be f16, bf16 or f32}}
facet.param @w : !facet.qweight<4x8xi4, group 4, scale i8, symmetric> class "mlp"

// -----

// expected-error @+1 {{expected 'symmetric' or 'asymmetric'}}
facet.param @w : !facet.qweight<4x8xi4, group 4, scale f16, lopsided> class "mlp"

// -----

// expected-error @+1 {{tiles of 64 rows need a symmetric rank-2 weight whose rows divide into them}}
facet.param @w : !facet.qweight<48x32xi4, group 32, scale f16, symmetric, tiles 64> class "mlp"

// -----

// expected-error @+1 {{tiles of 16 rows need}}
facet.param @w : !facet.qweight<16x32xi4, group 32, scale f16, asymmetric, tiles 16> class "mlp"

// -----

// expected-error @+1 {{tile depth must be 1 or 4, got 2}}
facet.param @w : !facet.qweight<16x32xi4, group 32, scale f16, symmetric, tiles 16 by 2> class "mlp"

// -----

// expected-error @+1 {{16-bit words need tiles of depth 4, got depth 1}}
facet.param @w : !facet.qweight<16x32xi4, group 32, scale f16, symmetric, tiles 16 words> class "mlp"

// -----

// expected-error @+1 {{a sliding cache needs a window > 0}}
facet.kv_cache @kv sliding heads 1 x 8 layer 0

// -----

// expected-error @+1 {{a full cache has no window}}
facet.kv_cache @kv full window 8 heads 1 x 8 layer 0

// -----

// expected-error @+1 {{k_eq_v applies to full-attention layers only}}
facet.kv_cache @kv sliding window 8 heads 1 x 8 layer 0 k_eq_v

// -----

// expected-error @+1 {{needs positive kv_heads and head_dim}}
facet.kv_cache @kv full heads 0 x 8 layer 0

// -----

func.func @f() {
  // expected-error @+1 {{refers to 'missing', which is not a declared facet.param}}
  %w = facet.weight @missing : tensor<4xf32>
  return
}

// -----

facet.param @w : tensor<4xbf16> class "norm"
func.func @f() {
  // expected-error @+1 {{differs from the declared type}}
  %w = facet.weight @w : tensor<4xf32>
  return
}

// -----

func.func @f(%t: tensor<8x4xf32>, %ids: tensor<?xi32>) {
  // expected-error @+1 {{result dimension 1 is 5 but the table width requires 4}}
  %x = facet.embed %t[%ids] scale 2.0 : tensor<8x4xf32>, tensor<?xi32> -> tensor<?x5xf32>
  return
}

// -----

func.func @f(%t: tensor<8x4xf32>, %ids: tensor<3xi32>) {
  // expected-error @+1 {{result dimension 0 is 2 but the number of token ids requires 3}}
  %x = facet.embed %t[%ids] scale 2.0 : tensor<8x4xf32>, tensor<3xi32> -> tensor<2x4xf32>
  return
}

// -----

func.func @f(%ids: tensor<?xi32>, %x: tensor<?x16xf32>, %t: tensor<64x12xf32>, %p: tensor<12x16xf32>, %n: tensor<4xf32>) {
  // expected-error @+1 {{table dimension 1 is 12 but layers x per-layer width requires 16}}
  %pli = facet.per_layer_inputs %ids, %x table %t projection %p norm %n {combine_scale = 1.0 : f32, epsilon = 1.0e-6 : f32, projection_scale = 1.0 : f32, token_scale = 1.0 : f32} : (tensor<?xi32>, tensor<?x16xf32>, tensor<64x12xf32>, tensor<12x16xf32>, tensor<4xf32>) -> tensor<?x4x4xf32>
  return
}

// -----

func.func @f(%pli: tensor<?x3x4xf32>) {
  // expected-error @+1 {{layer 3 is outside [0, 3)}}
  %x = facet.layer_input %pli[3] : tensor<?x3x4xf32> -> tensor<?x4xf32>
  return
}

// -----

func.func @f(%x: tensor<?x16xf32>, %w: tensor<8xf32>) {
  // expected-error @+1 {{weight dimension 0 is 8 but the normalised (last) input dimension requires 16}}
  %y = facet.rms_norm %x, %w eps 1.0e-6 : tensor<?x16xf32>, tensor<8xf32>
  return
}

// -----

func.func @f(%x: tensor<?x16xf32>) {
  // expected-error @+1 {{epsilon must be positive}}
  %y = facet.rms_norm %x eps 0.0 : tensor<?x16xf32>
  return
}

// -----

func.func @f(%x: tensor<?x16xf32>, %w: tensor<32x8xbf16>) {
  // expected-error @+1 {{weight [32, 8] ([out, in]) does not take input [?, 16]: in must be 16}}
  %y = facet.linear %x, %w : tensor<?x16xf32>, tensor<32x8xbf16> -> tensor<?x32xf32>
  return
}

// -----

func.func @f(%x: tensor<?x16xf32>, %w: tensor<32x16xbf16>) {
  // expected-error @+1 {{result dimension 1 is 16 but the weight's output dimension requires 32}}
  %y = facet.linear %x, %w : tensor<?x16xf32>, tensor<32x16xbf16> -> tensor<?x16xf32>
  return
}

// -----

func.func @f(%x: tensor<?x16xf32>, %w: !facet.qweight<8x16xi4, group 16, scale f16, symmetric>) {
  // expected-error @+1 {{int8_activations needs an int8 symmetric weight, got '!facet.qweight<8x16xi4, group 16, scale f16, symmetric>'}}
  %y = facet.linear %x, %w {int8_activations} : tensor<?x16xf32>, !facet.qweight<8x16xi4, group 16, scale f16, symmetric> -> tensor<?x8xf32>
  return
}

// -----

func.func @f(%x: tensor<?x16xf32>, %w: !facet.qweight<4x8x16xi4, group 16, scale f16, symmetric>) {
  // expected-error @+1 {{weight must have rank 2, got shape [4, 8, 16]}}
  %y = facet.linear %x, %w : tensor<?x16xf32>, !facet.qweight<4x8x16xi4, group 16, scale f16, symmetric> -> tensor<?x8xf32>
  return
}

// -----

func.func @f(%x: tensor<?x30xf32>) {
  // expected-error @+1 {{cannot split width 30 into 4 heads of 8}}
  %y = facet.split_heads %x : tensor<?x30xf32> -> tensor<?x4x8xf32>
  return
}

// -----

func.func @f(%x: tensor<?x4x8xf32>) {
  // expected-error @+1 {{4 heads of 8 do not merge into width 16}}
  %y = facet.merge_heads %x : tensor<?x4x8xf32> -> tensor<?x16xf32>
  return
}

// -----

func.func @f(%x: tensor<?x4x8xf32>, %p: tensor<?xi32>) {
  // expected-error @+1 {{rotary_dims must be even and in (0, 8], got 10}}
  %y = facet.rope %x, %p theta 10000.0 rotary_dims 10 : tensor<?x4x8xf32>, tensor<?xi32>
  return
}

// -----

func.func @f(%x: tensor<?x4x8xf32>, %p: tensor<?xi32>) {
  // expected-error @+1 {{theta must be positive}}
  %y = facet.rope %x, %p theta -1.0 rotary_dims 8 : tensor<?x4x8xf32>, tensor<?xi32>
  return
}

// -----

func.func @f(%x: tensor<3x4x8xf32>, %p: tensor<2xi32>) {
  // expected-error @+1 {{input dimension 0 is 3 but the number of positions requires 2}}
  %y = facet.rope %x, %p theta 10000.0 rotary_dims 8 : tensor<3x4x8xf32>, tensor<2xi32>
  return
}

// -----

facet.kv_cache @kv sliding window 8 heads 2 x 8 layer 0
func.func @f(%k: tensor<?x1x8xf32>, %p: tensor<?xi32>) {
  // expected-error @+1 {{stores 1 heads x 8 into 'kv', which holds 2 heads x 8}}
  facet.kv_store %k, %k at %p into @kv : tensor<?x1x8xf32>, tensor<?x1x8xf32>, tensor<?xi32>
  return
}

// -----

func.func @f(%k: tensor<?x1x8xf32>, %v: tensor<?x2x8xf32>, %p: tensor<?xi32>) {
  // expected-error @+1 {{keys [?, 1, 8] and values [?, 2, 8] must have one shape}}
  facet.kv_store %k, %v at %p into @kv : tensor<?x1x8xf32>, tensor<?x2x8xf32>, tensor<?xi32>
  return
}

// -----

func.func @f(%q: tensor<?x4x8xf32>, %p: tensor<?xi32>) {
  // expected-error @+1 {{refers to 'nowhere', which is not a facet.kv_cache}}
  %y = facet.attention %q, %p cache @nowhere window 8 scale 1.0 layer 0 : tensor<?x4x8xf32>, tensor<?xi32> -> tensor<?x4x8xf32>
  return
}

// -----

facet.kv_cache @kv sliding window 8 heads 1 x 16 layer 0
func.func @f(%q: tensor<?x4x8xf32>, %p: tensor<?xi32>) {
  // expected-error @+1 {{query head dim 8 differs from the head dim 16 of 'kv'}}
  %y = facet.attention %q, %p cache @kv window 8 scale 1.0 layer 0 : tensor<?x4x8xf32>, tensor<?xi32> -> tensor<?x4x8xf32>
  return
}

// -----

facet.kv_cache @kv sliding window 8 heads 3 x 8 layer 0
func.func @f(%q: tensor<?x4x8xf32>, %p: tensor<?xi32>) {
  // expected-error @+1 {{4 query heads cannot share 3 KV heads of 'kv' (not a multiple)}}
  %y = facet.attention %q, %p cache @kv window 8 scale 1.0 layer 0 : tensor<?x4x8xf32>, tensor<?xi32> -> tensor<?x4x8xf32>
  return
}

// -----

facet.kv_cache @kv sliding window 8 heads 1 x 8 layer 0
func.func @f(%q: tensor<?x4x8xf32>, %p: tensor<?xi32>) {
  // expected-error @+1 {{window 16 differs from the sliding cache 'kv' (window 8)}}
  %y = facet.attention %q, %p cache @kv window 16 scale 1.0 layer 0 : tensor<?x4x8xf32>, tensor<?xi32> -> tensor<?x4x8xf32>
  return
}

// -----

facet.kv_cache @kv sliding window 8 heads 1 x 8 layer 5
func.func @f(%q: tensor<?x4x8xf32>, %p: tensor<?xi32>) {
  // expected-error @+1 {{layer 2 reads the cache of later layer 5}}
  %y = facet.attention %q, %p cache @kv window 8 scale 1.0 layer 2 : tensor<?x4x8xf32>, tensor<?xi32> -> tensor<?x4x8xf32>
  return
}

// -----

func.func @f(%q: tensor<?x4x8xf32>, %p: tensor<?xi32>) {
  // expected-error @+1 {{result type 'tensor<?x4x4xf32>' must equal the queries' type}}
  %y = facet.attention %q, %p cache @kv window 8 scale 1.0 layer 0 : tensor<?x4x8xf32>, tensor<?xi32> -> tensor<?x4x4xf32>
  return
}

// -----

func.func @f(%x: tensor<?x16xf32>, %s: tensor<2xf32>) {
  // expected-error @+1 {{scalar must hold exactly one element}}
  %y = facet.layer_scalar %x, %s : tensor<?x16xf32>, tensor<2xf32>
  return
}

// -----

func.func @f(%x: tensor<?x16xf32>, %p: tensor<4x16xf32>, %s: tensor<16xf32>, %e: tensor<4xf32>) {
  // expected-error @+1 {{top_k must be in [1, 4], got 5}}
  %w, %i = facet.moe_router %x, %p, %s, %e top_k 5 input_scale 0.25 eps 1.0e-6 : (tensor<?x16xf32>, tensor<4x16xf32>, tensor<16xf32>, tensor<4xf32>) -> (tensor<?x5xf32>, tensor<?x5xi32>)
  return
}

// -----

func.func @f(%x: tensor<?x16xf32>, %p: tensor<4x16xf32>, %s: tensor<16xf32>, %e: tensor<3xf32>) {
  // expected-error @+1 {{per-expert scale dimension 0 is 3 but the number of experts requires 4}}
  %w, %i = facet.moe_router %x, %p, %s, %e top_k 2 input_scale 0.25 eps 1.0e-6 : (tensor<?x16xf32>, tensor<4x16xf32>, tensor<16xf32>, tensor<3xf32>) -> (tensor<?x2xf32>, tensor<?x2xi32>)
  return
}

// -----

func.func @f(%x: tensor<?x16xf32>, %w: tensor<?x2xf32>, %i: tensor<?x2xi32>, %gu: tensor<4x12x16xf32>, %d: tensor<4x16x5xf32>) {
  // expected-error @+1 {{down dimension 2 is 5 but half the gate_up rows (expert FFN width) requires 6}}
  %y = facet.moe_experts %x, %w, %i gate_up %gu down %d : (tensor<?x16xf32>, tensor<?x2xf32>, tensor<?x2xi32>, tensor<4x12x16xf32>, tensor<4x16x5xf32>) -> tensor<?x16xf32>
  return
}

// -----

func.func @f(%x: tensor<?x16xf32>, %t: tensor<64x8xf32>) {
  // expected-error @+1 {{table dimension 1 is 8 but the input width requires 16}}
  %y = facet.lm_head %x, %t : tensor<?x16xf32>, tensor<64x8xf32> -> tensor<?x64xf32>
  return
}

// -----

func.func @f(%x: tensor<?x16xf32>, %t: tensor<64x16xbf16>) {
  // expected-error @+1 {{int8_activations needs an int8 symmetric weight, got 'tensor<64x16xbf16>'}}
  %y = facet.lm_head %x, %t {int8_activations} : tensor<?x16xf32>, tensor<64x16xbf16> -> tensor<?x64xf32>
  return
}

// -----

func.func @f(%x: tensor<?x64xf32>) {
  // expected-error @+1 {{cap must be positive}}
  %y = facet.softcap %x cap 0.0 : tensor<?x64xf32>
  return
}

// -----

func.func @f(%x: tensor<?x64xf32>, %y: tensor<?x32xf32>) {
  // expected-error @+1 {{requires the same type for all operands and results}}
  %z = "facet.add"(%x, %y) : (tensor<?x64xf32>, tensor<?x32xf32>) -> tensor<?x64xf32>
  return
}

// -----

func.func @f(%x: tensor<4xf32>) {
  // expected-error @+1 {{body argument 0 has type 'tensor<8xf32>' but input 0 is 'tensor<4xf32>'}}
  %y = facet.kernel "k"(%x) : (tensor<4xf32>) -> tensor<4xf32> {
  ^bb0(%a: tensor<8xf32>):
    facet.yield %x : tensor<4xf32>
  }
  return
}

// -----

func.func @f(%x: tensor<4xf32>) {
  // expected-error @+1 {{yields 1 values whose types differ from the kernel's 1 results}}
  %y = facet.kernel "k"(%x) : (tensor<4xf32>) -> tensor<8xf32> {
  ^bb0(%a: tensor<4xf32>):
    facet.yield %a : tensor<4xf32>
  }
  return
}

// -----

func.func @f(%x: tensor<4xf32>) {
  // expected-error @+1 {{needs a non-empty name}}
  %y = facet.kernel ""(%x) : (tensor<4xf32>) -> tensor<4xf32> {
  ^bb0(%a: tensor<4xf32>):
    facet.yield %a : tensor<4xf32>
  }
  return
}
