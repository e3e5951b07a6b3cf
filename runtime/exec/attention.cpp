// Attention blocks: KV-cache writes and causal grouped-query attention.
#include <cmath>
#include <cstring>

#include "kernels/ref/ops.h"
#include "runtime/exec/blocks.h"

namespace edgellm::blocks {
namespace {

struct AttentionTask {
  Session* s;
  int32_t layer;
  const float* q;
  int32_t n;
  int32_t pos0;
  float* out;
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
  const float scale = 1.0f / std::sqrt(static_cast<float>(hd));
  float* scores = t.s->acts().scores + static_cast<size_t>(ti) * Session::scores_stride(t.s->config(), c);
  float* k_scratch = scores + t.s->config().n_ctx;
  float* v_scratch = k_scratch + hd;
  WorkSplit split(t.s->pool(), static_cast<int64_t>(t.n) * c.n_head, 1, ti, nt);
  for (int64_t begin, end; split.next(&begin, &end);) {
    for (int64_t item = begin; item < end; ++item) {
      const int32_t i = static_cast<int32_t>(item / c.n_head);
      const int32_t h = static_cast<int32_t>(item % c.n_head);
      const int32_t kvh = h / group;
      const int32_t n_keys = t.pos0 + i + 1;  // causal: keys 0 .. own position
      const float* qh = t.q + static_cast<size_t>(i) * c.q_dim() + static_cast<size_t>(h) * hd;
      for (int32_t j = 0; j < n_keys; ++j) {
        const float* kj = kv.head(kv.k_row(t.layer, j), kvh, k_scratch);
        float dot = 0.0f;
        for (int32_t d = 0; d < hd; ++d) dot += qh[d] * kj[d];
        scores[j] = dot * scale;
      }
      kernels::softmax_f32(scores, n_keys);
      float* o = t.out + static_cast<size_t>(i) * c.q_dim() + static_cast<size_t>(h) * hd;
      std::memset(o, 0, sizeof(float) * static_cast<size_t>(hd));
      for (int32_t j = 0; j < n_keys; ++j) {
        const float* vj = kv.head(kv.v_row(t.layer, j), kvh, v_scratch);
        const float p = scores[j];
        for (int32_t d = 0; d < hd; ++d) o[d] += p * vj[d];
      }
    }
  }
}

}  // namespace

void kv_store(Session& s, int32_t layer, const float* k, const float* v, int32_t n, int32_t pos0) {
  const KvCache& kv = s.kv();
  for (int32_t t = 0; t < n; ++t) {
    kv.store(kv.k_row(layer, pos0 + t), k + static_cast<size_t>(t) * kv.kv_dim, kv.kv_dim);
    kv.store(kv.v_row(layer, pos0 + t), v + static_cast<size_t>(t) * kv.v_dim, kv.v_dim);
  }
}

void attention(Session& s, int32_t layer, const float* q, int32_t n, int32_t pos0, float* out) {
  AttentionTask task{&s, layer, q, n, pos0, out};
  s.pool().run(attention_task, &task);
}

}  // namespace edgellm::blocks
