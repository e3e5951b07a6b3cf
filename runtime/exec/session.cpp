#include "runtime/exec/session.h"

#include <algorithm>

#include "kernels/kernels.h"
#include "runtime/exec/templates.h"

namespace edgellm {
namespace {

// Largest converted-activation row any matmul of the model needs.
size_t max_conv_row_bytes(const Model& m) {
  size_t best = 0;
  auto consider = [&best](const Weight& w) {
    if (!w.present()) return;
    size_t bytes = 0;
    if (dtype_row_bytes(w.traits->vec_dot_type, w.ne0, &bytes)) best = std::max(best, bytes);
  };
  consider(m.weights.output);
  for (const LayerWeights& l : m.weights.layers) {
    for (const Weight* w : {&l.wq, &l.wk, &l.wv, &l.wo, &l.ffn_gate, &l.ffn_up, &l.ffn_down}) {
      consider(*w);
    }
  }
  return best;
}

struct Slots {
  size_t x, xn, q, k, v, attn, proj, ffn_a, ffn_b, logits, scores, xconv, kv_k, kv_v;
};

Slots lay_out(const Model& m, const SessionConfig& cfg, ArenaPlan* p) {
  const TransformerConfig& c = m.config;
  const size_t B = static_cast<size_t>(cfg.n_batch);
  const size_t f = sizeof(float);
  Slots s{};
  s.x = p->add("x", B * c.n_embd * f);
  s.xn = p->add("xn", B * c.n_embd * f);
  s.q = p->add("q", B * c.q_dim() * f);
  s.k = p->add("k", B * c.kv_dim() * f);
  s.v = p->add("v", B * c.v_dim() * f);
  s.attn = p->add("attn", B * c.q_dim() * f);
  s.proj = p->add("proj", B * c.n_embd * f);
  s.ffn_a = p->add("ffn_a", B * c.n_ff * f);
  s.ffn_b = p->add("ffn_b", B * c.n_ff * f);
  s.logits = p->add("logits", (cfg.logits_all ? B : 1) * c.n_vocab * f);
  s.scores = p->add("scores", static_cast<size_t>(cfg.n_threads) * cfg.n_ctx * f);
  s.xconv = p->add("xconv", B * max_conv_row_bytes(m));
  const size_t cells = static_cast<size_t>(c.n_layer) * cfg.n_ctx;
  s.kv_k = p->add("kv_k", cells * c.kv_dim() * f);
  s.kv_v = p->add("kv_v", cells * c.v_dim() * f);
  return s;
}

Status check_config(const SessionConfig& cfg) {
  if (cfg.n_ctx <= 0) return Errorf(StatusCode::kInvalidArgument, "n_ctx must be positive (got %d)", cfg.n_ctx);
  if (cfg.n_batch <= 0) {
    return Errorf(StatusCode::kInvalidArgument, "n_batch must be positive (got %d)", cfg.n_batch);
  }
  if (cfg.n_threads <= 0 || cfg.n_threads > 512) {
    return Errorf(StatusCode::kInvalidArgument, "n_threads must be in 1..512 (got %d)",
                  cfg.n_threads);
  }
  return Status::Ok();
}

}  // namespace

Status Session::plan(const Model& model, const SessionConfig& cfg, ArenaPlan* plan) {
  EDGELLM_TRY(check_config(cfg));
  lay_out(model, cfg, plan);
  return Status::Ok();
}

Status Session::create(const Model& model, const SessionConfig& cfg,
                       std::unique_ptr<Session>* out) {
  EDGELLM_TRY(check_config(cfg));
  std::unique_ptr<Session> s(new Session());
  s->model_ = &model;
  s->cfg_ = cfg;
  ArenaPlan plan;
  const Slots slot = lay_out(model, cfg, &plan);
  EDGELLM_TRY(s->arena_.allocate(plan.total_bytes()));
  uint8_t* base = s->arena_.base();
  auto f32 = [&](size_t i) { return reinterpret_cast<float*>(base + plan.offset(i)); };
  Activations& a = s->acts_;
  a.x = f32(slot.x);
  a.xn = f32(slot.xn);
  a.q = f32(slot.q);
  a.k = f32(slot.k);
  a.v = f32(slot.v);
  a.attn = f32(slot.attn);
  a.proj = f32(slot.proj);
  a.ffn_a = f32(slot.ffn_a);
  a.ffn_b = f32(slot.ffn_b);
  a.logits = f32(slot.logits);
  a.scores = f32(slot.scores);
  a.xconv = base + plan.offset(slot.xconv);
  a.xconv_bytes = plan.bytes(slot.xconv);
  s->kv_.k = f32(slot.kv_k);
  s->kv_.v = f32(slot.kv_v);
  s->kv_.n_ctx = cfg.n_ctx;
  s->kv_.kv_dim = model.config.kv_dim();
  s->kv_.v_dim = model.config.v_dim();
  s->pool_ = std::make_unique<ThreadPool>(cfg.n_threads);
  *out = std::move(s);
  return Status::Ok();
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
  switch (c.arch) {
    case Arch::kLlama: templates::llama_forward(*this, tokens, n, n_past_, all_logits); break;
  }
  n_past_ += n;
  return Status::Ok();
}

}  // namespace edgellm
