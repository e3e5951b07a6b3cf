#include "runtime/exec/blocks.h"

#include <cmath>
#include <cstring>

#include "kernels/activations.h"
#include "kernels/dispatch.h"
#include "kernels/ref/ops.h"
#include "runtime/profile/profile.h"

namespace edgellm::blocks {
namespace {

struct MatmulTask {
  const Weight* w;
  const uint8_t* xconv;
  size_t xconv_row_bytes;
  int32_t n;
  float* y;
  int64_t y_stride;
  ThreadPool* pool;
};

// Weight rows are handed out in multiples of kRowGrain (static slices on
// identical cores, stolen chunks when cores differ); each row is computed by
// one thread, so results do not depend on the thread count.
constexpr int64_t kRowGrain = 16;

void matmul_task(void* arg, int ti, int nt) {
  const MatmulTask& t = *static_cast<const MatmulTask*>(arg);
  WorkSplit split(*t.pool, t.w->ne1, kRowGrain, ti, nt);
  for (int64_t begin, end; split.next(&begin, &end);) {
    const kernels::GemmArgs args{t.w->data, t.w->row_bytes, t.w->ne0, t.xconv, t.xconv_row_bytes,
                                t.n, t.y, t.y_stride, begin, end};
    t.w->kernel->gemm(args);
  }
}

}  // namespace

void matmul(Session& s, const Weight& w, const float* x, int64_t x_stride, int32_t n, float* y,
            int64_t y_stride) {
  ProfileScope profile(OpKind::kMatmul, w.type);
  const kernels::MatmulKernel& kern = *w.kernel;
  const size_t row_bytes = kernels::act_row_bytes(kern, w.ne0);
  const Activations& a = s.acts();
  for (int32_t t = 0; t < n; ++t) {
    kern.quantize_act(x + static_cast<size_t>(t) * x_stride,
                      a.xconv + static_cast<size_t>(t) * row_bytes, w.ne0);
  }
  MatmulTask task{&w, a.xconv, row_bytes, n, y, y_stride, &s.pool()};
  s.pool().run(matmul_task, &task);
}

void rms_norm(const float* x, const Weight& w, float* y, int32_t n, int32_t dim, float eps) {
  ProfileScope profile(OpKind::kNorm);
  const float* weight = reinterpret_cast<const float*>(w.data);
  for (int32_t t = 0; t < n; ++t) {
    kernels::rms_norm_f32(x + static_cast<size_t>(t) * dim, weight, y + static_cast<size_t>(t) * dim,
                          dim, eps);
  }
}

void embed(const Weight& table, const int32_t* tokens, int32_t n, float* x) {
  ProfileScope profile(OpKind::kEmbed, table.type);
  const kernels::MatmulKernel* k = table.kernel;
  if (k && k->repack) {
    // A tied output repacked at load: restore the row's file bytes first
    // (the loader only repacks rows that fit this buffer).
    alignas(64) uint8_t row[kMaxRepackedEmbedRowBytes];
    for (int32_t t = 0; t < n; ++t) {
      k->unrepack_row(table.data, table.row_bytes, table.ne0, tokens[t], row);
      table.traits->to_float(row, x + static_cast<size_t>(t) * table.ne0, table.ne0);
    }
    return;
  }
  for (int32_t t = 0; t < n; ++t) {
    table.traits->to_float(table.row(tokens[t]), x + static_cast<size_t>(t) * table.ne0, table.ne0);
  }
}

void rope(float* q, int32_t n, int32_t n_heads, int32_t head_dim, int32_t n_rot, int32_t pos0,
          float freq_base, float freq_scale, bool neox, const float* freq_factors) {
  ProfileScope profile(OpKind::kRope);
  for (int32_t t = 0; t < n; ++t) {
    kernels::rope_f32_heads(q + static_cast<size_t>(t) * n_heads * head_dim, n_heads, head_dim,
                            n_rot, pos0 + t, freq_base, freq_scale, neox, freq_factors);
  }
}

void ffn_swiglu(Session& s, const Weight& gate, const Weight& up, const Weight& down,
                const float* x, int32_t n, float* out) {
  ffn_gated(s, gate, up, down, GatedActivation::kSilu, x, n, out);
}

void ffn_gated(Session& s, const Weight& gate, const Weight& up, const Weight& down,
               GatedActivation act, const float* x, int32_t n, float* out) {
  const Activations& a = s.acts();
  const int64_t d = gate.ne0;
  const int64_t ff = gate.ne1;
  matmul(s, gate, x, d, n, a.ffn_a, ff);
  matmul(s, up, x, d, n, a.ffn_b, ff);
  {
    ProfileScope profile(OpKind::kActivation);
    const kernels::SwigluFn swiglu = kernels::act_kernels(s.model().isa)->swiglu;
    for (int32_t t = 0; t < n; ++t) {
      float* g = a.ffn_a + static_cast<size_t>(t) * ff;
      const float* u = a.ffn_b + static_cast<size_t>(t) * ff;
      if (act == GatedActivation::kSilu) {
        swiglu(g, u, g, ff);
      } else {
        kernels::geglu_f32(g, u, g, ff);
      }
    }
  }
  matmul(s, down, a.ffn_a, ff, n, out, down.ne1);
}

void layer_norm(const float* x, const Weight& w, const Weight& b, float* y, int32_t n, int32_t dim,
                float eps) {
  ProfileScope profile(OpKind::kNorm);
  const float* weight = reinterpret_cast<const float*>(w.data);
  const float* bias = b.present() ? reinterpret_cast<const float*>(b.data) : nullptr;
  for (int32_t t = 0; t < n; ++t) {
    kernels::layer_norm_f32(x + static_cast<size_t>(t) * dim, weight, bias,
                            y + static_cast<size_t>(t) * dim, dim, eps);
  }
}

void norm(const TransformerConfig& c, const float* x, const Weight& w, const Weight& b, float* y,
          int32_t n) {
  if (c.layer_norm) {
    layer_norm(x, w, b, y, n, c.n_embd, c.norm_eps);
  } else {
    rms_norm(x, w, y, n, c.n_embd, c.norm_eps);
  }
}

void ffn_gelu(Session& s, const Weight& up, const Weight& up_b, const Weight& down,
              const Weight& down_b, const float* x, int32_t n, float* out) {
  const Activations& a = s.acts();
  const int64_t ff = up.ne1;
  matmul(s, up, x, up.ne0, n, a.ffn_a, ff);
  add_bias(a.ffn_a, up_b, n);
  {
    ProfileScope profile(OpKind::kActivation);
    for (int64_t i = 0; i < static_cast<int64_t>(n) * ff; ++i) a.ffn_a[i] = kernels::gelu_f32(a.ffn_a[i]);
  }
  matmul(s, down, a.ffn_a, ff, n, out, down.ne1);
  add_bias(out, down_b, n);
}

void add_bias(float* y, const Weight& bias, int32_t n) {
  if (!bias.present()) return;
  ProfileScope profile(OpKind::kAdd);
  const float* b = reinterpret_cast<const float*>(bias.data);
  for (int32_t t = 0; t < n; ++t) kernels::add_f32(y + static_cast<size_t>(t) * bias.ne0, b, bias.ne0);
}

void rms_norm_heads(float* x, int32_t n, int32_t n_heads, int32_t head_dim, const Weight& w,
                    float eps) {
  ProfileScope profile(OpKind::kNorm);
  const float* weight = reinterpret_cast<const float*>(w.data);
  const size_t rows = static_cast<size_t>(n) * n_heads;
  for (size_t r = 0; r < rows; ++r) {
    float* v = x + r * head_dim;
    kernels::rms_norm_f32(v, weight, v, head_dim, eps);
  }
}

void residual_add(float* x, const float* y, int32_t n, int32_t dim) {
  ProfileScope profile(OpKind::kAdd);
  kernels::add_f32(x, y, static_cast<int64_t>(n) * dim);
}

void output_head(Session& s, int32_t n, bool all_logits) {
  const TransformerConfig& c = s.model().config;
  const ModelWeights& w = s.model().weights;
  const Activations& a = s.acts();
  const int32_t d = c.n_embd;
  const int32_t first = all_logits ? 0 : n - 1;
  const int32_t rows = n - first;
  norm(c, a.x + static_cast<size_t>(first) * d, w.output_norm, w.output_norm_b, a.xn, rows);
  matmul(s, w.output, a.xn, d, rows, a.logits, c.n_vocab);
  if (c.final_softcap > 0.0f) {
    ProfileScope profile(OpKind::kOutput);
    kernels::softcap_f32(a.logits, static_cast<int64_t>(rows) * c.n_vocab, c.final_softcap);
  }
  s.probe(c.n_layer, "output", a.logits, rows, c.n_vocab, s.n_past() + first);
}

}  // namespace edgellm::blocks
