#include <cmath>

#include "runtime/exec/blocks.h"
#include "runtime/exec/templates.h"

namespace edgellm::templates {

void lfm2_forward(Session& s, const int32_t* tokens, int32_t n, int32_t pos0, bool all_logits) {
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
    // x += operator(RMSNorm(x)), operator = short conv or attention
    blocks::rms_norm(a.x, l.attn_norm, a.xn, n, d, c.norm_eps);
    blocks::check(s, il, "attn_norm", a.xn, n);
    if (c.conv_slot[static_cast<size_t>(il)] >= 0) {
      blocks::short_conv(s, il, a.xn, n, a.proj);
      blocks::check(s, il, "short_conv", a.proj, n);
    } else {
      blocks::self_attention(s, il, a.xn, n, pos0, c.rope_freq_base, attn, a.proj);
      blocks::check(s, il, "attention", a.proj, n);
    }
    blocks::residual_add(a.x, a.proj, n, d);
    // x += SwiGLU FFN(RMSNorm(x))
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
