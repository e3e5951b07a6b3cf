#include <cmath>

#include "kernels/ref/ops.h"
#include "runtime/exec/blocks.h"
#include "runtime/exec/templates.h"

namespace edgellm::templates {

void gemma_forward(Session& s, const int32_t* tokens, int32_t n, int32_t pos0, bool all_logits) {
  const TransformerConfig& c = s.model().config;
  const ModelWeights& w = s.model().weights;
  const Activations& a = s.acts();
  const int32_t d = c.n_embd;

  // x = embed(tokens) · sqrt(n_embd)
  blocks::embed(w.tok_embd, tokens, n, a.x);
  kernels::scale_f32(a.x, static_cast<int64_t>(n) * d, c.embd_scale);
  blocks::check(s, -1, "token_embd", a.x, n);
  for (int32_t il = 0; il < c.n_layer; ++il) {
    const LayerWeights& l = w.layers[static_cast<size_t>(il)];
    blocks::AttentionOptions attn;
    attn.scale = 1.0f / std::sqrt(static_cast<float>(c.head_dim));
    attn.softcap = c.attn_softcap;
    attn.window = c.layer_is_local(il) ? c.sliding_window : 0;
    // x += PostNorm(attention(PreNorm(x)))
    blocks::rms_norm(a.x, l.attn_norm, a.xn, n, d, c.norm_eps);
    blocks::check(s, il, "attn_norm", a.xn, n);
    blocks::self_attention(s, il, a.xn, n, pos0, c.layer_rope_base(il), attn, a.proj);
    blocks::check(s, il, "attention", a.proj, n);
    blocks::rms_norm(a.proj, l.post_attn_norm, a.proj, n, d, c.norm_eps);
    blocks::check(s, il, "post_attention_norm", a.proj, n);
    blocks::residual_add(a.x, a.proj, n, d);
    // x += PostNorm(down(gelu(gate(PreNorm(x))) * up(PreNorm(x))))
    blocks::rms_norm(a.x, l.ffn_norm, a.xn, n, d, c.norm_eps);
    blocks::check(s, il, "ffn_norm", a.xn, n);
    blocks::ffn_gated(s, l.ffn_gate, l.ffn_up, l.ffn_down, blocks::GatedActivation::kGelu, a.xn, n,
                      a.proj);
    blocks::check(s, il, "ffn", a.proj, n);
    blocks::rms_norm(a.proj, l.post_ffn_norm, a.proj, n, d, c.norm_eps);
    blocks::check(s, il, "post_ffn_norm", a.proj, n);
    blocks::residual_add(a.x, a.proj, n, d);
    blocks::check(s, il, "residual", a.x, n);
  }
  // logits = softcap(Wout · RMSNorm(x))
  blocks::output_head(s, n, all_logits);
}

}  // namespace edgellm::templates
