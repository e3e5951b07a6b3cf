#include "runtime/exec/session.h"

#include <algorithm>
#include <cmath>
#include <vector>

#include "kernels/activations.h"
#include "kernels/dispatch.h"
#include "runtime/exec/templates.h"
#include "runtime/plan/planner.h"
#include "runtime/threads/numa.h"

namespace edgellm {
namespace {

// Largest converted-activation row any matmul of the model needs.
size_t max_conv_row_bytes(const Model& m) {
  size_t best = 0;
  auto consider = [&best](const Weight& w) {
    if (!w.present()) return;
    best = std::max(best, kernels::act_row_bytes(*w.kernel, w.ne0));
  };
  consider(m.weights.output);
  for (const LayerWeights& l : m.weights.layers) {
    for (const Weight* w : {&l.wq, &l.wk, &l.wv, &l.wo, &l.ffn_gate, &l.ffn_up, &l.ffn_down,
                            &l.conv_in, &l.conv_out}) {
      consider(*w);
    }
  }
  return best;
}

const char* buf_name(Buf b) {
  static const char* const kNames[] = {"x",    "xn",    "q",     "k",      "v",      "attn",
                                       "proj", "ffn_a", "ffn_b", "logits", "scores", "xconv",
                                       "conv"};
  return kNames[static_cast<int>(b)];
}

size_t buf_bytes(Buf b, const Model& m, const SessionConfig& cfg) {
  const TransformerConfig& c = m.config;
  const size_t B = static_cast<size_t>(cfg.n_batch);
  const size_t f = sizeof(float);
  switch (b) {
    case Buf::kX:
    case Buf::kXn:
    case Buf::kProj: return B * c.n_embd * f;
    case Buf::kQ:
    case Buf::kAttn: return B * c.q_dim() * f;
    case Buf::kK: return B * c.kv_dim() * f;
    case Buf::kV: return B * c.v_dim() * f;
    case Buf::kFfnA:
    case Buf::kFfnB: return B * c.n_ff * f;
    case Buf::kLogits: return (cfg.logits_all ? B : 1) * c.n_vocab * f;
    case Buf::kScores: return static_cast<size_t>(cfg.n_threads) * Session::scores_stride(cfg, c) * f;
    case Buf::kXconv: return B * max_conv_row_bytes(m);
    case Buf::kConv: return m.config.n_conv_layers > 0 ? B * 3 * c.n_embd * f : 0;
    case Buf::kCount: break;
  }
  return 0;
}

struct Layout {
  PlanSummary summary;
  size_t offsets[static_cast<int>(Buf::kCount)] = {};
  size_t kv_k_offset = 0, kv_v_offset = 0, kv_k_bytes = 0, kv_v_bytes = 0;
  size_t conv_state_offset = 0, conv_state_bytes = 0;
};

Status check_config(const Model& m, const SessionConfig& cfg) {
  if (cfg.n_ctx <= 0) {
    return Errorf(StatusCode::kInvalidArgument, "n_ctx must be positive (got %d)", cfg.n_ctx);
  }
  if (cfg.n_batch <= 0) {
    return Errorf(StatusCode::kInvalidArgument, "n_batch must be positive (got %d)", cfg.n_batch);
  }
  if (cfg.n_threads <= 0 || cfg.n_threads > 512) {
    return Errorf(StatusCode::kInvalidArgument, "n_threads must be in 1..512 (got %d)",
                  cfg.n_threads);
  }
  if (cfg.kv_type == KvType::kQ8_0 && m.config.head_dim % 32 != 0) {
    return Errorf(StatusCode::kInvalidArgument,
                  "KV cache type q8_0 needs a head size that is a multiple of 32 (this model's is "
                  "%d); use f16 or f32",
                  m.config.head_dim);
  }
  return Status::Ok();
}

vulkan::SessionShape gpu_shape(const SessionConfig& cfg) {
  vulkan::SessionShape shape;
  shape.n_ctx = cfg.n_ctx;
  shape.n_batch = cfg.n_batch;
  shape.logits_all = cfg.logits_all;
  shape.kv_type = cfg.kv_type;
  return shape;
}

// A model on the Vulkan backend keeps activations and the KV cache on the
// device; the host arena holds only the logits the caller reads.
Status lay_out_gpu(const Model& m, const SessionConfig& cfg, Layout* out) {
  vulkan::SessionPlan gp;
  EDGELLM_TRY(vulkan::plan_session(m, gpu_shape(cfg), &gp));
  const size_t logits = buf_bytes(Buf::kLogits, m, cfg);
  PlanSummary& s = out->summary;
  s.activation_bytes = s.lower_bound = s.naive_bytes = logits;
  s.arena_bytes = align_up(logits, kArenaAlign);
  s.n_buffers = 1;
  s.strategy = "vulkan (host: logits only)";
  s.device_bytes = gp.activation_bytes + gp.kv_bytes + gp.host_bytes;
  s.device_kv_bytes = gp.kv_bytes;
  return Status::Ok();
}

Status lay_out(const Model& m, const SessionConfig& cfg, Layout* out) {
  EDGELLM_TRY(check_config(m, cfg));
  if (m.gpu) return lay_out_gpu(m, cfg, out);
  int32_t n_uses = 0;
  const BufferUse* uses = templates::decoder_buffer_uses(&n_uses);
  std::vector<plan::BufferSpec> specs;
  size_t naive = 0;
  for (int32_t i = 0; i < n_uses; ++i) {
    const size_t bytes = buf_bytes(uses[i].buf, m, cfg);
    specs.push_back({buf_name(uses[i].buf), bytes, uses[i].first, uses[i].last});
    naive += align_up(bytes, kArenaAlign);
  }
  const plan::Plan p = plan::plan_buffers(specs, kArenaAlign);
  for (int32_t i = 0; i < n_uses; ++i) out->offsets[static_cast<int>(uses[i].buf)] = p.offsets[i];

  const TransformerConfig& c = m.config;
  if (!kv_cache_bytes(cfg.kv_type, c.n_kv_layers, cfg.n_ctx, c.kv_dim(), c.v_dim(), c.head_dim,
                      &out->kv_k_bytes, &out->kv_v_bytes)) {
    return Errorf(StatusCode::kInvalidArgument, "KV cache type %s does not fit head size %d",
                  kv_type_name(cfg.kv_type), c.head_dim);
  }
  out->kv_k_offset = align_up(p.total, kArenaAlign);
  out->kv_v_offset = align_up(out->kv_k_offset + out->kv_k_bytes, kArenaAlign);
  PlanSummary& s = out->summary;
  s.activation_bytes = p.total;
  s.lower_bound = p.lower_bound;
  s.naive_bytes = naive;
  s.kv_bytes = out->kv_k_bytes + out->kv_v_bytes;
  // Recurrent state of short-convolution layers lives after the KV cache.
  out->conv_state_offset = align_up(out->kv_v_offset + out->kv_v_bytes, kArenaAlign);
  out->conv_state_bytes = static_cast<size_t>(c.n_conv_layers) *
                          static_cast<size_t>(std::max(c.conv_kernel - 1, 0)) * c.n_embd * sizeof(float);
  s.kv_bytes += out->conv_state_bytes;
  s.arena_bytes = align_up(out->conv_state_offset + out->conv_state_bytes, kArenaAlign);
  s.n_buffers = n_uses;
  s.strategy = p.strategy;
  return Status::Ok();
}

}  // namespace

Status Session::plan(const Model& model, const SessionConfig& cfg, PlanSummary* out) {
  Layout layout;
  EDGELLM_TRY(lay_out(model, cfg, &layout));
  *out = layout.summary;
  return Status::Ok();
}

Status Session::create(const Model& model, const SessionConfig& cfg,
                       std::unique_ptr<Session>* out) {
  Layout layout;
  EDGELLM_TRY(lay_out(model, cfg, &layout));
  std::unique_ptr<Session> s(new Session());
  s->model_ = &model;
  s->cfg_ = cfg;
  s->summary_ = layout.summary;
  if (cfg.arena) {
    EDGELLM_TRY(s->arena_.borrow(cfg.arena, cfg.arena_size, layout.summary.arena_bytes));
  } else {
    EDGELLM_TRY(s->arena_.allocate(layout.summary.arena_bytes, cfg.mlock,
                                   cfg.placement.numa_node));
  }
  uint8_t* base = s->arena_.base();
  auto f32 = [&](Buf b) { return reinterpret_cast<float*>(base + layout.offsets[static_cast<int>(b)]); };
  Activations& a = s->acts_;
  a.x = f32(Buf::kX);
  a.xn = f32(Buf::kXn);
  a.q = f32(Buf::kQ);
  a.k = f32(Buf::kK);
  a.v = f32(Buf::kV);
  a.attn = f32(Buf::kAttn);
  a.proj = f32(Buf::kProj);
  a.ffn_a = f32(Buf::kFfnA);
  a.ffn_b = f32(Buf::kFfnB);
  a.logits = f32(Buf::kLogits);
  a.scores = f32(Buf::kScores);
  a.xconv = base + layout.offsets[static_cast<int>(Buf::kXconv)];
  a.xconv_bytes = buf_bytes(Buf::kXconv, model, cfg);
  a.conv = f32(Buf::kConv);
  s->conv_state_ = reinterpret_cast<float*>(base + layout.conv_state_offset);
  s->conv_state_floats_ = layout.conv_state_bytes / sizeof(float);

  const TransformerConfig& c = model.config;
  KvCache& kv = s->kv_;
  kv.type = cfg.kv_type;
  kv.k = base + layout.kv_k_offset;
  kv.v = base + layout.kv_v_offset;
  kv.n_ctx = cfg.n_ctx;
  kv.kv_dim = c.kv_dim();
  kv.v_dim = c.v_dim();
  kv.head_dim = c.head_dim;
  const DType kvt = kv_dtype(cfg.kv_type);
  dtype_row_bytes(kvt, kv.kv_dim, &kv.k_row_bytes);
  dtype_row_bytes(kvt, kv.v_dim, &kv.v_row_bytes);
  dtype_row_bytes(kvt, kv.head_dim, &kv.head_bytes);
  kv.traits = kernels::ref_traits(kvt);
  // F16 rows through the path's converter (bit-identical to the reference's).
  kv.from_float = cfg.kv_type == KvType::kF16 ? kernels::act_kernels(model.isa)->to_f16
                                              : kv.traits->from_float;
  PoolOptions po;
  po.n_threads = cfg.n_threads;
  po.pus = cfg.placement.pus;
  po.pin = cfg.pin_threads;
  po.heterogeneous = cfg.placement.heterogeneous;
  po.schedule = cfg.schedule;
  po.numa_node = cfg.placement.numa_node;
  s->pool_ = std::make_unique<ThreadPool>(po);
  if (model.gpu) EDGELLM_TRY(vulkan::create_session(model, gpu_shape(cfg), &s->gpu_));
  *out = std::move(s);
  return Status::Ok();
}

void Session::reset() {
  n_past_ = 0;
  std::fill(conv_state_, conv_state_ + conv_state_floats_, 0.0f);
}

bool Session::truncate(int32_t n_keep) {
  if (n_keep < 0 || n_keep > n_past_) return false;
  if (n_keep == 0) {
    reset();
    return true;
  }
  // Attention caches rewind by forgetting positions; a convolution state
  // summarises every input it has seen and cannot.
  if (n_keep != n_past_ && model_->config.n_conv_layers > 0) return false;
  n_past_ = n_keep;
  return true;
}

float* Session::conv_state(int32_t slot) const {
  const TransformerConfig& c = model_->config;
  return conv_state_ + static_cast<size_t>(slot) * (c.conv_kernel - 1) * c.n_embd;
}

Status Session::forward(const int32_t* tokens, int32_t n, bool all_logits) {
  const TransformerConfig& c = model_->config;
  if (n <= 0) return Errorf(StatusCode::kInvalidArgument, "no tokens to evaluate");
  if (n > cfg_.n_batch) {
    return Errorf(StatusCode::kInvalidArgument, "batch of %d tokens exceeds n_batch %d", n,
                  cfg_.n_batch);
  }
  if (all_logits && !cfg_.logits_all && n > 1) {
    return Errorf(StatusCode::kInvalidArgument,
                  "logits for every position were requested but the context was created "
                  "without logits_all");
  }
  if (n_past_ + n > cfg_.n_ctx) {
    return Errorf(StatusCode::kContextFull,
                  "context full: %d tokens in the cache + %d new exceed n_ctx %d", n_past_, n,
                  cfg_.n_ctx);
  }
  for (int32_t i = 0; i < n; ++i) {
    if (tokens[i] < 0 || tokens[i] >= c.n_vocab) {
      return Errorf(StatusCode::kInvalidArgument, "token id %d at batch index %d is outside [0, %d)",
                    tokens[i], i, c.n_vocab);
    }
  }
  if (gpu_) {
    EDGELLM_TRY(gpu_->forward(tokens, n, n_past_, all_logits, acts_.logits));
    n_past_ += n;
    return Status::Ok();
  }
  ThreadPool::CallerScope on_thread0_cpu(*pool_);  // pins the caller for this pass only
  switch (c.family) {
    case Family::kLlama: templates::llama_forward(*this, tokens, n, n_past_, all_logits); break;
    case Family::kGemma: templates::gemma_forward(*this, tokens, n, n_past_, all_logits); break;
    case Family::kGptNeox: templates::gptneox_forward(*this, tokens, n, n_past_, all_logits); break;
    case Family::kLfm2:
      if (n_past_ == 0) reset();  // a new sequence starts from an empty conv state
      templates::lfm2_forward(*this, tokens, n, n_past_, all_logits);
      break;
  }
  n_past_ += n;
  return Status::Ok();
}

void Session::probe_rows(int32_t layer, const char* op, const float* rows, int32_t n, int32_t row_len,
                         int32_t pos0) {
  for (int32_t t = 0; t < n; ++t) {
    const float* r = rows + static_cast<size_t>(t) * static_cast<size_t>(row_len);
    for (int32_t i = 0; i < row_len; ++i) {
      if (!std::isfinite(r[i])) {
        found_ = {layer, op, pos0 + t};
        return;
      }
    }
  }
}

Status Session::find_non_finite(const int32_t* tokens, int32_t n, NonFinite* out) {
  *out = NonFinite{};
  if (gpu_) return Status(StatusCode::kUnsupported, "no per-op search on the Vulkan backend");
  reset();
  found_ = NonFinite{};
  probing_ = true;
  Status st = Status::Ok();
  for (int32_t done = 0; done < n && st.ok() && found_.op == nullptr;) {
    const int32_t chunk = std::min(n - done, cfg_.n_batch);
    st = forward(tokens + done, chunk, false);
    done += chunk;
  }
  probing_ = false;
  *out = found_;
  reset();
  return st;
}

}  // namespace edgellm
