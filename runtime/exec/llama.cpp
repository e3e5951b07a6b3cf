#include <cmath>

#include "runtime/exec/blocks.h"
#include "runtime/exec/templates.h"

namespace edgellm::templates {

const BufferUse* decoder_buffer_uses(int32_t* n) {
  // Steps: 0 embed | 1 attn norm | 2 q,k,v | 3 rope, kv store | 4 attention |
  // 5 wo | 6 residual | 7 ffn norm | 8 gate, up | 9 activation | 10 down |
  // 11 residual | 12 output norm | 13 output head | 14 caller reads logits.
  static const BufferUse kUses[] = {
      {Buf::kX, 0, 12},     {Buf::kXn, 1, 13},   {Buf::kXconv, 2, 13}, {Buf::kQ, 2, 4},
      {Buf::kK, 2, 3},      {Buf::kV, 2, 3},     {Buf::kScores, 4, 4}, {Buf::kAttn, 4, 5},
      {Buf::kProj, 5, 11},  {Buf::kFfnA, 8, 10}, {Buf::kFfnB, 8, 9},   {Buf::kLogits, 13, 14},
      {Buf::kConv, 2, 5},  // short-conv layers (LFM2) take the attention steps
  };
  *n = static_cast<int32_t>(sizeof kUses / sizeof kUses[0]);
  return kUses;
}

void llama_forward(Session& s, const int32_t* tokens, int32_t n, int32_t pos0, bool all_logits) {
  const TransformerConfig& c = s.model().config;
  const ModelWeights& w = s.model().weights;
  const Activations& a = s.acts();
  const int32_t d = c.n_embd;
  blocks::AttentionOptions attn;
  attn.scale = 1.0f / std::sqrt(static_cast<float>(c.head_dim));

  blocks::embed(w.tok_embd, tokens, n, a.x);
  blocks::check(s, -1, "token_embd", a.x, n);
  for (int32_t il = 0; il < c.n_layer; ++il) {
    const LayerWeights& l = w.layers[static_cast<size_t>(il)];
    // x += attention(RMSNorm(x))
    blocks::rms_norm(a.x, l.attn_norm, a.xn, n, d, c.norm_eps);
    blocks::check(s, il, "attn_norm", a.xn, n);
    blocks::self_attention(s, il, a.xn, n, pos0, c.rope_freq_base, attn, a.proj);
    blocks::check(s, il, "attention", a.proj, n);
    blocks::residual_add(a.x, a.proj, n, d);
    // x += down(silu(gate(RMSNorm(x))) * up(RMSNorm(x)))
    blocks::rms_norm(a.x, l.ffn_norm, a.xn, n, d, c.norm_eps);
    blocks::check(s, il, "ffn_norm", a.xn, n);
    blocks::ffn_gated(s, l.ffn_gate, l.ffn_up, l.ffn_down, blocks::GatedActivation::kSilu, a.xn, n,
                      a.proj);
    blocks::check(s, il, "ffn", a.proj, n);
    blocks::residual_add(a.x, a.proj, n, d);
    blocks::check(s, il, "residual", a.x, n);
  }
  blocks::output_head(s, n, all_logits);
}

}  // namespace edgellm::templates
