#include "runtime/exec/blocks.h"

#include <cmath>
#include <cstring>

#include "kernels/ref/matmul.h"
#include "kernels/ref/ops.h"

namespace edgellm::blocks {
namespace {

struct MatmulTask {
  const Weight* w;
  const uint8_t* xconv;
  size_t xconv_row_bytes;
  int32_t n;
  float* y;
  int64_t y_stride;
};

void matmul_task(void* arg, int ti, int nt) {
  const MatmulTask& t = *static_cast<const MatmulTask*>(arg);
  int64_t begin, end;
  split_range(t.w->ne1, ti, nt, &begin, &end);
  if (begin == end) return;
  kernels::matmul_ref(*t.w->traits, t.w->data, t.w->ne1, t.w->ne0, t.xconv, t.xconv_row_bytes,
                      t.n, t.y, t.y_stride, begin, end);
}

struct AttentionTask {
  Session* s;
  int32_t layer;
  const float* q;
  int32_t n;
  int32_t pos0;
  float* out;
};

void attention_task(void* arg, int ti, int nt) {
  const AttentionTask& t = *static_cast<const AttentionTask*>(arg);
  const TransformerConfig& c = t.s->model().config;
  const KvCache& kv = t.s->kv();
  const int32_t hd = c.head_dim;
  const int32_t group = c.n_head / c.n_head_kv;
  const float scale = 1.0f / std::sqrt(static_cast<float>(hd));
  float* scores = t.s->acts().scores + static_cast<size_t>(ti) * t.s->config().n_ctx;
  int64_t begin, end;
  split_range(static_cast<int64_t>(t.n) * c.n_head, ti, nt, &begin, &end);
  for (int64_t item = begin; item < end; ++item) {
    const int32_t i = static_cast<int32_t>(item / c.n_head);
    const int32_t h = static_cast<int32_t>(item % c.n_head);
    const int32_t kvh = h / group;
    const int32_t n_keys = t.pos0 + i + 1;  // causal: keys 0 .. own position
    const float* qh = t.q + static_cast<size_t>(i) * c.q_dim() + static_cast<size_t>(h) * hd;
    for (int32_t j = 0; j < n_keys; ++j) {
      const float* kj = kv.k_at(t.layer, j) + static_cast<size_t>(kvh) * hd;
      float dot = 0.0f;
      for (int32_t d = 0; d < hd; ++d) dot += qh[d] * kj[d];
      scores[j] = dot * scale;
    }
    kernels::softmax_f32(scores, n_keys);
    float* o = t.out + static_cast<size_t>(i) * c.q_dim() + static_cast<size_t>(h) * hd;
    std::memset(o, 0, sizeof(float) * static_cast<size_t>(hd));
    for (int32_t j = 0; j < n_keys; ++j) {
      const float* vj = kv.v_at(t.layer, j) + static_cast<size_t>(kvh) * hd;
      const float p = scores[j];
      for (int32_t d = 0; d < hd; ++d) o[d] += p * vj[d];
    }
  }
}

}  // namespace

void matmul(Session& s, const Weight& w, const float* x, int64_t x_stride, int32_t n, float* y,
            int64_t y_stride) {
  const kernels::TypeTraits& tt = *w.traits;
  const kernels::TypeTraits& conv = *kernels::ref_traits(tt.vec_dot_type);
  size_t row_bytes = 0;
  dtype_row_bytes(tt.vec_dot_type, w.ne0, &row_bytes);
  const Activations& a = s.acts();
  for (int32_t t = 0; t < n; ++t) {
    uint8_t* dst = a.xconv + static_cast<size_t>(t) * row_bytes;
    const float* src = x + static_cast<size_t>(t) * x_stride;
    if (tt.vec_dot_type == DType::F32) {
      std::memcpy(dst, src, row_bytes);
    } else {
      conv.from_float(src, dst, w.ne0);
    }
  }
  MatmulTask task{&w, a.xconv, row_bytes, n, y, y_stride};
  s.pool().run(matmul_task, &task);
}

void rms_norm(const float* x, const Weight& w, float* y, int32_t n, int32_t dim, float eps) {
  const float* weight = reinterpret_cast<const float*>(w.data);
  for (int32_t t = 0; t < n; ++t) {
    kernels::rms_norm_f32(x + static_cast<size_t>(t) * dim, weight, y + static_cast<size_t>(t) * dim,
                          dim, eps);
  }
}

void embed(const Weight& table, const int32_t* tokens, int32_t n, float* x) {
  for (int32_t t = 0; t < n; ++t) {
    table.traits->to_float(table.row(tokens[t]), x + static_cast<size_t>(t) * table.ne0, table.ne0);
  }
}

void rope(float* q, int32_t n, int32_t n_heads, int32_t head_dim, int32_t n_rot, int32_t pos0,
          float freq_base, float freq_scale, bool neox) {
  for (int32_t t = 0; t < n; ++t) {
    for (int32_t h = 0; h < n_heads; ++h) {
      float* v = q + (static_cast<size_t>(t) * n_heads + h) * head_dim;
      kernels::rope_f32(v, head_dim, n_rot, pos0 + t, freq_base, freq_scale, neox);
    }
  }
}

void kv_store(Session& s, int32_t layer, const float* k, const float* v, int32_t n, int32_t pos0) {
  const KvCache& kv = s.kv();
  for (int32_t t = 0; t < n; ++t) {
    std::memcpy(kv.k_at(layer, pos0 + t), k + static_cast<size_t>(t) * kv.kv_dim,
                sizeof(float) * static_cast<size_t>(kv.kv_dim));
    std::memcpy(kv.v_at(layer, pos0 + t), v + static_cast<size_t>(t) * kv.v_dim,
                sizeof(float) * static_cast<size_t>(kv.v_dim));
  }
}

void attention(Session& s, int32_t layer, const float* q, int32_t n, int32_t pos0, float* out) {
  AttentionTask task{&s, layer, q, n, pos0, out};
  s.pool().run(attention_task, &task);
}

void ffn_swiglu(Session& s, const Weight& gate, const Weight& up, const Weight& down,
                const float* x, int32_t n, float* out) {
  const Activations& a = s.acts();
  const int64_t d = gate.ne0;
  const int64_t ff = gate.ne1;
  matmul(s, gate, x, d, n, a.ffn_a, ff);
  matmul(s, up, x, d, n, a.ffn_b, ff);
  for (int32_t t = 0; t < n; ++t) {
    float* g = a.ffn_a + static_cast<size_t>(t) * ff;
    kernels::swiglu_f32(g, a.ffn_b + static_cast<size_t>(t) * ff, g, ff);
  }
  matmul(s, down, a.ffn_a, ff, n, out, down.ne1);
}

void residual_add(float* x, const float* y, int32_t n, int32_t dim) {
  kernels::add_f32(x, y, static_cast<int64_t>(n) * dim);
}

}  // namespace edgellm::blocks
