#include <cmath>

#include "runtime/exec/blocks.h"
#include "runtime/exec/templates.h"

namespace edgellm::templates {

void gptneox_forward(Session& s, const int32_t* tokens, int32_t n, int32_t pos0, bool all_logits) {
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
    // h = attention(LayerNorm1(x))  (fused QKV with bias, partial NeoX RoPE)
    blocks::norm(c, a.x, l.attn_norm, l.attn_norm_b, a.xn, n);
    blocks::check(s, il, "attn_norm", a.xn, n);
    blocks::self_attention(s, il, a.xn, n, pos0, c.rope_freq_base, attn, a.proj);
    blocks::check(s, il, "attention", a.proj, n);
    if (c.parallel_residual) {
      // x = x + h + ffn(LayerNorm2(x)): both branches read the same x.
      blocks::norm(c, a.x, l.ffn_norm, l.ffn_norm_b, a.xn, n);
      blocks::residual_add(a.x, a.proj, n, d);
    } else {
      // x = x + h;  x = x + ffn(LayerNorm2(x))
      blocks::residual_add(a.x, a.proj, n, d);
      blocks::norm(c, a.x, l.ffn_norm, l.ffn_norm_b, a.xn, n);
    }
    blocks::check(s, il, "ffn_norm", a.xn, n);
    blocks::ffn_gelu(s, l.ffn_up, l.ffn_up_b, l.ffn_down, l.ffn_down_b, a.xn, n, a.proj);
    blocks::check(s, il, "ffn", a.proj, n);
    blocks::residual_add(a.x, a.proj, n, d);
    blocks::check(s, il, "residual", a.x, n);
  }
  blocks::output_head(s, n, all_logits);
}

}  // namespace edgellm::templates
