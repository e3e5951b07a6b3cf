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
  int32_t per_item;  // query heads per work item (<= Session::attn_max_queries)
  // Kernels for the cache's type on the model's path; nullptr for Q8_0
  // caches, which take the generic path (rows converted into scratch).
  kernels::AttnScoresFn scores_fn;
  kernels::AttnWsumFn wsum_fn;
  kernels::SoftmaxFn softmax_fn;
};

// Generic path (Q8_0 cache): each K / V row converted once into scratch and
// used by every query of the item, each query's sums in the kernels' order
// (dimension order for scores, key order for outputs).
void attention_generic(const AttentionTask& t, const float* q, int32_t nq, int32_t kvh, int32_t j0,
                       int32_t n_keys, float* scores, float* k_scratch, float* v_scratch, float* o) {
  const KvCache& kv = t.s->kv();
  const int32_t hd = t.s->model().config.head_dim;
  const size_t s_stride = static_cast<size_t>(n_keys);
  for (int32_t j = 0; j < n_keys; ++j) {
    const float* kj = kv.head(kv.k_row(t.layer, j0 + j), kvh, k_scratch);
    for (int32_t qi = 0; qi < nq; ++qi) {
      const float* qh = q + static_cast<size_t>(qi) * hd;
      float dot = 0.0f;
      for (int32_t d = 0; d < hd; ++d) dot += qh[d] * kj[d];
      scores[qi * s_stride + j] = dot * t.opt.scale;
    }
  }
  for (int32_t qi = 0; qi < nq; ++qi) {
    float* s = scores + qi * s_stride;
    if (t.opt.softcap > 0.0f) kernels::softcap_f32(s, n_keys, t.opt.softcap);
    t.softmax_fn(s, n_keys);
  }
  std::memset(o, 0, sizeof(float) * static_cast<size_t>(nq) * hd);
  for (int32_t j = 0; j < n_keys; ++j) {
    const float* vj = kv.head(kv.v_row(t.layer, j0 + j), kvh, v_scratch);
    for (int32_t qi = 0; qi < nq; ++qi) {
      float* oq = o + static_cast<size_t>(qi) * hd;
      const float pj = scores[qi * s_stride + j];
      for (int32_t d = 0; d < hd; ++d) oq[d] += pj * vj[d];
    }
  }
}

// One work item = one query token and per_item consecutive heads of one GQA
// group (fewer in the group's last item): they read the same keys, so the
// kernels load each K / V row once for all of them. Per head: scores against
// every visible key, softmax, weighted sum of values. Each head's results
// depend only on its own inputs (the kernels are exact per query), and each
// item is computed by one thread in a fixed order, so results depend on
// neither the thread count nor per_item.
void attention_task(void* arg, int ti, int nt) {
  const AttentionTask& t = *static_cast<const AttentionTask*>(arg);
  const TransformerConfig& c = t.s->model().config;
  const KvCache& kv = t.s->kv();
  const int32_t hd = c.head_dim;
  const int32_t group = c.n_head / c.n_head_kv;
  const int32_t chunks = (group + t.per_item - 1) / t.per_item;  // items per (token, KV head)
  float* scores = t.s->acts().scores + static_cast<size_t>(ti) * Session::scores_stride(t.s->config(), c);
  float* k_scratch =
      scores + static_cast<size_t>(Session::attn_max_queries(c)) * t.s->config().n_ctx;
  float* v_scratch = k_scratch + hd;
  const int64_t per_token = static_cast<int64_t>(c.n_head_kv) * chunks;
  WorkSplit split(t.s->pool(), static_cast<int64_t>(t.n) * per_token, 1, ti, nt);
  for (int64_t begin, end; split.next(&begin, &end);) {
    for (int64_t item = begin; item < end; ++item) {
      const int32_t i = static_cast<int32_t>(item / per_token);
      const int32_t kvh = static_cast<int32_t>(item % per_token) / chunks;
      const int32_t first = static_cast<int32_t>(item % per_token) % chunks * t.per_item;
      const int32_t h0 = kvh * group + first;
      const int32_t nq = std::min(t.per_item, group - first);
      // Causal: keys up to the query's own position p; a sliding window
      // keeps only the last `window` of them (p - j < window). All heads of
      // the item share the token, so the same keys.
      const int32_t p = t.pos0 + i;
      const int32_t j0 = t.opt.window > 0 ? std::max(0, p - t.opt.window + 1) : 0;
      const int32_t n_keys = p + 1 - j0;
      const float* qh = t.q + static_cast<size_t>(i) * c.q_dim() + static_cast<size_t>(h0) * hd;
      float* o = t.out + static_cast<size_t>(i) * c.q_dim() + static_cast<size_t>(h0) * hd;
      if (t.scores_fn == nullptr) {
        attention_generic(t, qh, nq, kvh, j0, n_keys, scores, k_scratch, v_scratch, o);
        continue;
      }
      const size_t head_off = static_cast<size_t>(kvh) * kv.head_bytes;
      const size_t s_stride = static_cast<size_t>(n_keys);
      t.scores_fn(qh, hd, nq, kv.k_row(t.layer, j0) + head_off, kv.k_row_bytes, n_keys, hd,
                  t.opt.scale, scores, s_stride);
      for (int32_t qi = 0; qi < nq; ++qi) {
        float* s = scores + qi * s_stride;
        if (t.opt.softcap > 0.0f) kernels::softcap_f32(s, n_keys, t.opt.softcap);
        t.softmax_fn(s, n_keys);
      }
      t.wsum_fn(scores, s_stride, nq, kv.v_row(t.layer, j0) + head_off, kv.v_row_bytes, n_keys,
                hd, o, hd);
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
  const TransformerConfig& c = s.model().config;
  // Heads per item: as many of a group as the kernels share a pass between,
  // fewer when that would leave threads without an item.
  const int32_t cap = std::min(ak->max_queries, Session::attn_max_queries(c));
  const int64_t per_thread = static_cast<int64_t>(n) * c.n_head / s.pool().size();
  const int32_t per_item = static_cast<int32_t>(std::clamp<int64_t>(per_thread, 1, cap));
  AttentionTask task{&s,      layer,   q,       n,
                     pos0,    opt,     out,     per_item,
                     nullptr, nullptr, kernels::act_kernels(s.model().isa)->softmax};
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
