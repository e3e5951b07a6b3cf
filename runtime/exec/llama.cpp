#include "runtime/exec/blocks.h"
#include "runtime/exec/templates.h"

namespace edgellm::templates {

const BufferUse* llama_buffer_uses(int32_t* n) {
  // Steps: 0 embed | 1 attn norm | 2 q,k,v | 3 rope, kv store | 4 attention |
  // 5 wo | 6 residual | 7 ffn norm | 8 gate, up | 9 swiglu | 10 down |
  // 11 residual | 12 output norm | 13 output head | 14 caller reads logits.
  static const BufferUse kUses[] = {
      {Buf::kX, 0, 12},     {Buf::kXn, 1, 13},   {Buf::kXconv, 2, 13}, {Buf::kQ, 2, 4},
      {Buf::kK, 2, 3},      {Buf::kV, 2, 3},     {Buf::kScores, 4, 4}, {Buf::kAttn, 4, 5},
      {Buf::kProj, 5, 11},  {Buf::kFfnA, 8, 10}, {Buf::kFfnB, 8, 9},   {Buf::kLogits, 13, 14},
  };
  *n = static_cast<int32_t>(sizeof kUses / sizeof kUses[0]);
  return kUses;
}

void llama_forward(Session& s, const int32_t* tokens, int32_t n, int32_t pos0, bool all_logits) {
  const TransformerConfig& c = s.model().config;
  const ModelWeights& w = s.model().weights;
  const Activations& a = s.acts();
  const int32_t d = c.n_embd;
  const bool neox = false;  // LLaMA rotates adjacent pairs

  blocks::embed(w.tok_embd, tokens, n, a.x);
  for (int32_t il = 0; il < c.n_layer; ++il) {
    const LayerWeights& l = w.layers[static_cast<size_t>(il)];

    // Attention block.
    blocks::rms_norm(a.x, l.attn_norm, a.xn, n, d, c.norm_eps);
    blocks::matmul(s, l.wq, a.xn, d, n, a.q, c.q_dim());
    blocks::matmul(s, l.wk, a.xn, d, n, a.k, c.kv_dim());
    blocks::matmul(s, l.wv, a.xn, d, n, a.v, c.v_dim());
    blocks::rope(a.q, n, c.n_head, c.head_dim, c.n_rot, pos0, c.rope_freq_base,
                 c.rope_freq_scale, neox);
    blocks::rope(a.k, n, c.n_head_kv, c.head_dim, c.n_rot, pos0, c.rope_freq_base,
                 c.rope_freq_scale, neox);
    blocks::kv_store(s, il, a.k, a.v, n, pos0);
    blocks::attention(s, il, a.q, n, pos0, a.attn);
    blocks::matmul(s, l.wo, a.attn, c.q_dim(), n, a.proj, d);
    blocks::residual_add(a.x, a.proj, n, d);

    // Feed-forward block.
    blocks::rms_norm(a.x, l.ffn_norm, a.xn, n, d, c.norm_eps);
    blocks::ffn_swiglu(s, l.ffn_gate, l.ffn_up, l.ffn_down, a.xn, n, a.proj);
    blocks::residual_add(a.x, a.proj, n, d);
  }

  // Output head: every position, or only the last one.
  const int32_t first = all_logits ? 0 : n - 1;
  const int32_t rows = n - first;
  blocks::rms_norm(a.x + static_cast<size_t>(first) * d, w.output_norm, a.xn, rows, d, c.norm_eps);
  blocks::matmul(s, w.output, a.xn, d, rows, a.logits, c.n_vocab);
}

}  // namespace edgellm::templates
