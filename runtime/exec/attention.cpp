// Attention blocks: KV-cache writes and causal grouped-query attention.
#include <algorithm>
#include <cmath>
#include <cstring>

#include "kernels/activations.h"
#include "kernels/attn.h"
#include "kernels/ref/ops.h"
#include "runtime/exec/blocks.h"
#include "runtime/profile/profile.h"

namespace edgellm::blocks {
namespace {

struct AttentionTask {
  Session* s;
  int32_t layer;
  const float* q;
  int32_t n;
  int32_t pos0;
  AttentionOptions opt;
  float* out;
  // Kernels for the cache's type on the model's path; nullptr for Q8_0
  // caches, which take the generic path (rows converted into scratch).
  kernels::AttnScoresFn scores_fn;
  kernels::AttnWsumFn wsum_fn;
  kernels::SoftmaxFn softmax_fn;
};

// One work item = one (query token, head): scores against every visible
// key, softmax, weighted sum of values. Each item is computed by one thread
// in a fixed order, so results do not depend on the thread count.
void attention_task(void* arg, int ti, int nt) {
  const AttentionTask& t = *static_cast<const AttentionTask*>(arg);
  const TransformerConfig& c = t.s->model().config;
  const KvCache& kv = t.s->kv();
  const int32_t hd = c.head_dim;
  const int32_t group = c.n_head / c.n_head_kv;
  float* scores = t.s->acts().scores + static_cast<size_t>(ti) * Session::scores_stride(t.s->config(), c);
  float* k_scratch = scores + t.s->config().n_ctx;
  float* v_scratch = k_scratch + hd;
  WorkSplit split(t.s->pool(), static_cast<int64_t>(t.n) * c.n_head, 1, ti, nt);
  for (int64_t begin, end; split.next(&begin, &end);) {
    for (int64_t item = begin; item < end; ++item) {
      const int32_t i = static_cast<int32_t>(item / c.n_head);
      const int32_t h = static_cast<int32_t>(item % c.n_head);
      const int32_t kvh = h / group;
      // Causal: keys up to the query's own position p; a sliding window
      // keeps only the last `window` of them (p - j < window).
      const int32_t p = t.pos0 + i;
      const int32_t j0 = t.opt.window > 0 ? std::max(0, p - t.opt.window + 1) : 0;
      const int32_t n_keys = p + 1 - j0;
      const float* qh = t.q + static_cast<size_t>(i) * c.q_dim() + static_cast<size_t>(h) * hd;
      float* o = t.out + static_cast<size_t>(i) * c.q_dim() + static_cast<size_t>(h) * hd;
      const size_t head_off = static_cast<size_t>(kvh) * kv.head_bytes;
      if (t.scores_fn != nullptr) {
        t.scores_fn(qh, kv.k_row(t.layer, j0) + head_off, kv.k_row_bytes, n_keys, hd, t.opt.scale,
                    scores);
      } else {
        for (int32_t j = 0; j < n_keys; ++j) {
          const float* kj = kv.head(kv.k_row(t.layer, j0 + j), kvh, k_scratch);
          float dot = 0.0f;
          for (int32_t d = 0; d < hd; ++d) dot += qh[d] * kj[d];
          scores[j] = dot * t.opt.scale;
        }
      }
      if (t.opt.softcap > 0.0f) kernels::softcap_f32(scores, n_keys, t.opt.softcap);
      t.softmax_fn(scores, n_keys);
      if (t.wsum_fn != nullptr) {
        t.wsum_fn(scores, kv.v_row(t.layer, j0) + head_off, kv.v_row_bytes, n_keys, hd, o);
      } else {
        std::memset(o, 0, sizeof(float) * static_cast<size_t>(hd));
        for (int32_t j = 0; j < n_keys; ++j) {
          const float* vj = kv.head(kv.v_row(t.layer, j0 + j), kvh, v_scratch);
          const float pj = scores[j];
          for (int32_t d = 0; d < hd; ++d) o[d] += pj * vj[d];
        }
      }
    }
  }
}

}  // namespace

void kv_store(Session& s, int32_t layer, const float* k, const float* v, int32_t n, int32_t pos0) {
  ProfileScope profile(OpKind::kKvStore);
  const KvCache& kv = s.kv();
  for (int32_t t = 0; t < n; ++t) {
    kv.store(kv.k_row(layer, pos0 + t), k + static_cast<size_t>(t) * kv.kv_dim, kv.kv_dim);
    kv.store(kv.v_row(layer, pos0 + t), v + static_cast<size_t>(t) * kv.v_dim, kv.v_dim);
  }
}

void attention(Session& s, int32_t layer, const float* q, int32_t n, int32_t pos0,
               const AttentionOptions& opt, float* out) {
  ProfileScope profile(OpKind::kAttention);
  const kernels::AttnKernels* ak = kernels::attn_kernels(s.model().isa);
  AttentionTask task{&s, layer, q, n, pos0, opt, out, nullptr, nullptr,
                     kernels::act_kernels(s.model().isa)->softmax};
  if (s.kv().type == KvType::kF16) {
    task.scores_fn = ak->scores_f16;
    task.wsum_fn = ak->wsum_f16;
  } else if (s.kv().type == KvType::kF32) {
    task.scores_fn = ak->scores_f32;
    task.wsum_fn = ak->wsum_f32;
  }
  s.pool().run(attention_task, &task);
}

void self_attention(Session& s, int32_t il, const float* xn, int32_t n, int32_t pos0,
                    float rope_base, const AttentionOptions& opt, float* out) {
  const TransformerConfig& c = s.model().config;
  const LayerWeights& l = s.model().weights.layers[static_cast<size_t>(il)];
  const Activations& a = s.acts();
  const int32_t d = c.n_embd;
  matmul(s, l.wq, xn, d, n, a.q, c.q_dim());
  matmul(s, l.wk, xn, d, n, a.k, c.kv_dim());
  matmul(s, l.wv, xn, d, n, a.v, c.v_dim());
  add_bias(a.q, l.bq, n);
  add_bias(a.k, l.bk, n);
  add_bias(a.v, l.bv, n);
  if (l.q_norm.present()) rms_norm_heads(a.q, n, c.n_head, c.head_dim, l.q_norm, c.norm_eps);
  if (l.k_norm.present()) rms_norm_heads(a.k, n, c.n_head_kv, c.head_dim, l.k_norm, c.norm_eps);
  const Weight& factors = s.model().weights.rope_freqs;  // Llama 3 frequency factors, if any
  const float* ff = factors.present() ? reinterpret_cast<const float*>(factors.data) : nullptr;
  rope(a.q, n, c.n_head, c.head_dim, c.n_rot, pos0, rope_base, c.rope_freq_scale, c.rope_neox, ff);
  rope(a.k, n, c.n_head_kv, c.head_dim, c.n_rot, pos0, rope_base, c.rope_freq_scale, c.rope_neox, ff);
  const int32_t slot = c.kv_slot[static_cast<size_t>(il)];  // this layer's KV cache rows
  kv_store(s, slot, a.k, a.v, n, pos0);
  attention(s, slot, a.q, n, pos0, opt, a.attn);
  matmul(s, l.wo, a.attn, c.q_dim(), n, out, d);
  add_bias(out, l.bo, n);
}

}  // namespace edgellm::blocks
