// C API: contexts, evaluation and generation.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstring>
#include <string>
#include <thread>

#include "edgellm.h"
#include "runtime/api/error.h"
#include "runtime/api/handles.h"
#include "runtime/threads/placement.h"

using edgellm::api::fail;
using edgellm::api::guarded;

namespace {

template <typename T>
edgellm_status read_params(const T* in, T* out, const char* what) {
  if (!in) return EDGELLM_OK;
  if (in->struct_size < sizeof(size_t) || in->struct_size > sizeof(T)) {
    return fail(EDGELLM_ERR_INVALID_ARGUMENT, "%s: struct_size %zu is not a known size", what,
                in->struct_size);
  }
  std::memcpy(out, in, in->struct_size);
  return EDGELLM_OK;
}

edgellm::SamplerParams to_sampler(const edgellm_sampling_params& p) {
  edgellm::SamplerParams s;
  s.temperature = p.temperature;
  s.top_k = p.top_k;
  s.top_p = p.top_p;
  s.min_p = p.min_p;
  s.repeat_penalty = p.repeat_penalty;
  s.repeat_last_n = p.repeat_last_n;
  s.seed = p.seed;
  return s;
}

// Evaluates tokens in n_batch chunks, recording them in the history.
edgellm_status evaluate(edgellm_context* ctx, const edgellm_token* tokens, size_t n, bool all) {
  edgellm::Session& s = *ctx->session;
  const int32_t n_batch = s.config().n_batch;
  if (n == 0) return fail(EDGELLM_ERR_INVALID_ARGUMENT, "evaluate: no tokens");
  if (all && n > static_cast<size_t>(n_batch)) {
    return fail(EDGELLM_ERR_INVALID_ARGUMENT,
                "evaluate: logits of all %zu positions need n_tokens <= n_batch (%d)", n, n_batch);
  }
  if (static_cast<size_t>(s.n_past()) + n > static_cast<size_t>(s.config().n_ctx)) {
    return fail(EDGELLM_ERR_CONTEXT_FULL,
                "evaluate: %d tokens in the cache + %zu new exceed the context size n_ctx=%d",
                s.n_past(), n, s.config().n_ctx);
  }
  edgellm::Profile::Activation profiling(ctx->profile.get());
  for (size_t done = 0; done < n;) {
    const int32_t chunk = static_cast<int32_t>(std::min<size_t>(n - done, n_batch));
    const int32_t pos = s.n_past();
    edgellm::Status st = s.forward(tokens + done, chunk, all);
    if (!st.ok()) return fail(st);
    std::copy(tokens + done, tokens + done + chunk, ctx->history.begin() + pos);
    ctx->n_logits = all ? chunk : 1;
    done += static_cast<size_t>(chunk);
  }
  return EDGELLM_OK;
}

// True when every value is finite; an integer OR over the exponent bits,
// so it vectorises (a NaN or infinity has all exponent bits set).
bool all_finite(const float* x, int32_t n) {
  uint32_t bad = 0;
  for (int32_t i = 0; i < n; ++i) {
    uint32_t b;
    std::memcpy(&b, x + i, sizeof b);
    bad |= static_cast<uint32_t>((b & 0x7f800000u) == 0x7f800000u);
  }
  return bad == 0;
}

// Non-finite logits: a broken model (NaN/inf weights, hyper-parameters the
// loader could not rule out). Finds the first op that produced them by
// re-evaluating the cached tokens with the probes on, then fails naming it.
// The cache is empty afterwards.
edgellm_status fail_non_finite(edgellm_context* ctx, const char* what) {
  edgellm::Session& s = *ctx->session;
  const int32_t n_past = s.n_past();
  edgellm::Session::NonFinite nf;
  const edgellm::Status st = s.find_non_finite(ctx->history.data(), n_past, &nf);
  ctx->n_logits = 0;
  const int32_t n_layer = ctx->owner->model->config.n_layer;
  std::string where;
  if (!st.ok()) {
    where = "(" + st.message() + ")";
  } else if (nf.op == nullptr) {
    where = "(not reproduced when re-evaluated)";
  } else if (nf.layer < 0) {
    where = std::string("first in the embedding lookup (") + nf.op + ") at token position " + std::to_string(nf.pos);
  } else if (nf.layer >= n_layer) {
    where = "first in the output head at token position " + std::to_string(nf.pos);
  } else {
    where = "first in layer " + std::to_string(nf.layer) + " (blk." + std::to_string(nf.layer) + "), op " + nf.op +
            ", at token position " + std::to_string(nf.pos);
  }
  return fail(EDGELLM_ERR_INTERNAL,
              "%s: the model produced non-finite logits (NaN or infinity) after %d tokens, %s; the "
              "model's weights or hyper-parameters are broken. The context was reset.",
              what, n_past, where.c_str());
}

edgellm_status busy(const char* what) {
  return fail(EDGELLM_ERR_INVALID_ARGUMENT,
              "%s: the context is in use by another call (a context is for one thread at a time)", what);
}

double ms_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
}

}  // namespace

extern "C" {

void edgellm_context_default_params(edgellm_context_params* p) {
  if (!p) return;
  std::memset(p, 0, sizeof *p);
  p->struct_size = sizeof *p;
  p->n_ctx = 0;
  p->n_batch = 512;
  p->n_threads = 0;
  p->logits_all = 0;
  p->kv_type = EDGELLM_KV_F16;
  p->arena = nullptr;
  p->arena_size = 0;
  p->mlock = 0;
  p->cpus = nullptr;
  p->pin_threads = 1;
}

}  // extern "C"

namespace {

// Resolves caller params (defaults filled) into a SessionConfig.
edgellm_status session_config(const edgellm_model* model, const edgellm_context_params* params,
                              edgellm::SessionConfig* cfg) {
  edgellm_context_params p;
  edgellm_context_default_params(&p);
  if (edgellm_status st = read_params(params, &p, "context"); st != EDGELLM_OK) return st;
  const edgellm::TransformerConfig& c = model->model->config;
  if (p.n_ctx < 0 || p.n_batch < 0 || p.n_threads < 0) {
    return fail(EDGELLM_ERR_INVALID_ARGUMENT,
                "context: n_ctx (%d), n_batch (%d) and n_threads (%d) must not be negative",
                p.n_ctx, p.n_batch, p.n_threads);
  }
  switch (p.kv_type) {
    case EDGELLM_KV_F16: cfg->kv_type = edgellm::KvType::kF16; break;
    case EDGELLM_KV_F32: cfg->kv_type = edgellm::KvType::kF32; break;
    case EDGELLM_KV_Q8_0: cfg->kv_type = edgellm::KvType::kQ8_0; break;
    default:
      return fail(EDGELLM_ERR_INVALID_ARGUMENT, "context: unknown kv_type %d (0 f16, 1 f32, 2 q8_0)",
                  p.kv_type);
  }
  cfg->n_ctx = p.n_ctx == 0 ? c.n_ctx_train : p.n_ctx;
  cfg->n_batch = std::min(p.n_batch == 0 ? 512 : p.n_batch, cfg->n_ctx);
  edgellm::threads::ThreadRequest threads;
  threads.n_threads = p.n_threads;
  threads.cpus = p.cpus;
  edgellm::Status placed = edgellm::threads::resolve_threads(threads, &cfg->placement, nullptr);
  if (!placed.ok()) return fail(placed);
  cfg->n_threads = cfg->placement.n_threads();
  cfg->pin_threads = p.pin_threads != 0;
  cfg->logits_all = p.logits_all != 0;
  cfg->arena = p.arena;
  cfg->arena_size = p.arena_size;
  cfg->mlock = p.mlock != 0;
  return EDGELLM_OK;
}

// Tensors still read from the file plus the owned buffer of repacked
// weights and small-tensor copies (the rest of the file's pages are released).
size_t weight_bytes(const edgellm::Model& m) {
  if (m.gpu) return m.gpu->weight_bytes();
  return m.mapped_bytes + m.repacked_bytes;
}

}  // namespace

extern "C" {

edgellm_status edgellm_context_plan(const edgellm_model* model,
                                    const edgellm_context_params* params,
                                    edgellm_plan_info* out) {
  return guarded([&]() -> edgellm_status {
    if (!model || !out) return fail(EDGELLM_ERR_INVALID_ARGUMENT, "context_plan: model and out must not be NULL");
    if (out->struct_size < sizeof(size_t) || out->struct_size > sizeof(edgellm_plan_info)) {
      return fail(EDGELLM_ERR_INVALID_ARGUMENT, "context_plan: out->struct_size %zu is not a known size",
                  out->struct_size);
    }
    edgellm::SessionConfig cfg;
    if (edgellm_status st = session_config(model, params, &cfg); st != EDGELLM_OK) return st;
    edgellm::PlanSummary ps;
    edgellm::Status st = edgellm::Session::plan(*model->model, cfg, &ps);
    if (!st.ok()) return fail(st);
    edgellm_plan_info info{};
    info.struct_size = out->struct_size;
    info.arena_bytes = ps.arena_bytes;
    info.kv_bytes = ps.kv_bytes;
    info.activation_bytes = ps.activation_bytes;
    info.lower_bound_bytes = ps.lower_bound;
    info.weight_bytes = weight_bytes(*model->model);
    info.n_buffers = ps.n_buffers;
    info.repacked_bytes = model->model->repacked_bytes;
    info.device_bytes = ps.device_bytes;
    std::memcpy(out, &info, out->struct_size);
    return EDGELLM_OK;
  });
}

edgellm_status edgellm_context_create(edgellm_model* model, const edgellm_context_params* params,
                                      edgellm_context** out_ctx) {
  return guarded([&]() -> edgellm_status {
    if (!model || !out_ctx) {
      return fail(EDGELLM_ERR_INVALID_ARGUMENT, "context_create: model and out_ctx must not be NULL");
    }
    *out_ctx = nullptr;
    edgellm::SessionConfig cfg;
    if (edgellm_status st = session_config(model, params, &cfg); st != EDGELLM_OK) return st;
    const edgellm::TransformerConfig& c = model->model->config;
    auto ctx = std::make_unique<edgellm_context>();
    edgellm::Status st = edgellm::Session::create(*model->model, cfg, &ctx->session);
    if (!st.ok()) return fail(st);
    edgellm::SamplerParams sp;
    st = edgellm::Sampler::create(sp, c.n_vocab, &ctx->sampler);
    if (!st.ok()) return fail(st);
    ctx->history.assign(static_cast<size_t>(cfg.n_ctx), 0);
    int32_t longest = 16;
    for (int32_t id = 0; id < c.n_vocab; ++id) {
      longest = std::max(longest, -model->model->tokenizer->token_to_piece(id, nullptr, 0, true));
    }
    ctx->piece.assign(static_cast<size_t>(longest), 0);
    model->refs.fetch_add(1, std::memory_order_relaxed);  // released by context_free
    ctx->owner = model;
    *out_ctx = ctx.release();
    return EDGELLM_OK;
  });
}

void edgellm_context_free(edgellm_context* ctx) {
  if (!ctx) return;
  edgellm_model* owner = ctx->owner;
  delete ctx;  // the session and its threads first, then (maybe) the model
  edgellm::api::release_model(owner);
}

int32_t edgellm_context_n_ctx(const edgellm_context* ctx) {
  return ctx ? ctx->session->config().n_ctx : 0;
}
int32_t edgellm_context_n_past(const edgellm_context* ctx) {
  return ctx ? ctx->session->n_past() : 0;
}
size_t edgellm_context_memory_bytes(const edgellm_context* ctx) {
  return ctx ? ctx->session->arena_bytes() + ctx->session->plan_summary().device_bytes : 0;
}
edgellm_status edgellm_context_truncate(edgellm_context* ctx, int32_t n_keep) {
  return guarded([&]() -> edgellm_status {
    if (!ctx) return fail(EDGELLM_ERR_INVALID_ARGUMENT, "context_truncate: ctx is NULL");
    edgellm::api::ContextUse use(ctx);
    if (!use.ok()) return busy("context_truncate");
    const int32_t n_past = ctx->session->n_past();
    if (n_keep < 0 || n_keep > n_past) {
      return fail(EDGELLM_ERR_INVALID_ARGUMENT, "context_truncate: n_keep %d is outside [0, %d]",
                  n_keep, n_past);
    }
    if (!ctx->session->truncate(n_keep)) {
      return fail(EDGELLM_ERR_UNSUPPORTED,
                  "context_truncate: this model's recurrent state cannot be rewound to %d of %d "
                  "tokens (keep all or none)",
                  n_keep, n_past);
    }
    if (n_keep < n_past) ctx->n_logits = 0;
    return EDGELLM_OK;
  });
}

void edgellm_context_reset(edgellm_context* ctx) {
  if (!ctx) return;
  edgellm::api::ContextUse use(ctx);
  if (!use.ok()) {
    busy("context_reset");  // nothing reset; the error text says why
    return;
  }
  ctx->session->reset();
  ctx->n_logits = 0;
}

edgellm_status edgellm_evaluate(edgellm_context* ctx, const edgellm_token* tokens, size_t n_tokens,
                                int all_logits) {
  return guarded([&]() -> edgellm_status {
    if (!ctx || !tokens) return fail(EDGELLM_ERR_INVALID_ARGUMENT, "evaluate: ctx and tokens must not be NULL");
    edgellm::api::ContextUse use(ctx);
    if (!use.ok()) return busy("evaluate");
    return evaluate(ctx, tokens, n_tokens, all_logits != 0);
  });
}

const float* edgellm_get_logits(edgellm_context* ctx, int32_t i) {
  edgellm::api::clear_error();
  if (!ctx) {
    fail(EDGELLM_ERR_INVALID_ARGUMENT, "get_logits: ctx is NULL");
    return nullptr;
  }
  if (ctx->n_logits == 0) {
    fail(EDGELLM_ERR_INVALID_ARGUMENT, "get_logits: nothing has been evaluated");
    return nullptr;
  }
  if (i == -1) i = ctx->n_logits - 1;
  if (i < 0 || i >= ctx->n_logits) {
    fail(EDGELLM_ERR_INVALID_ARGUMENT, "get_logits: row %d is outside [0, %d)", i, ctx->n_logits);
    return nullptr;
  }
  const int32_t n_vocab = ctx->owner->model->config.n_vocab;
  return ctx->session->acts().logits + static_cast<size_t>(i) * n_vocab;
}

void edgellm_sampling_default_params(edgellm_sampling_params* p) {
  if (!p) return;
  std::memset(p, 0, sizeof *p);
  p->struct_size = sizeof *p;
  p->temperature = 0.8f;
  p->top_k = 40;
  p->top_p = 0.95f;
  p->min_p = 0.05f;
  p->repeat_penalty = 1.0f;
  p->repeat_last_n = 64;
  p->seed = 0;
}

edgellm_status edgellm_sampling_check(const edgellm_sampling_params* params) {
  return guarded([&]() -> edgellm_status {
    if (!params) return fail(EDGELLM_ERR_INVALID_ARGUMENT, "sampling_check: params is NULL");
    edgellm_sampling_params p;
    edgellm_sampling_default_params(&p);
    if (edgellm_status st = read_params(params, &p, "sampling"); st != EDGELLM_OK) return st;
    edgellm::Status st = edgellm::validate_sampler_params(to_sampler(p));
    return st.ok() ? EDGELLM_OK : fail(st);
  });
}

void edgellm_generate_default_params(edgellm_generate_params* p) {
  if (!p) return;
  std::memset(p, 0, sizeof *p);
  p->struct_size = sizeof *p;
  p->max_tokens = 128;
  edgellm_sampling_default_params(&p->sampling);
}

edgellm_status edgellm_generate(edgellm_context* ctx, const edgellm_token* prompt, size_t n_prompt,
                                const edgellm_generate_params* params, edgellm_token* out_tokens,
                                size_t capacity, edgellm_generate_stats* stats) {
  return guarded([&]() -> edgellm_status {
    if (!ctx || (!prompt && n_prompt > 0)) {
      return fail(EDGELLM_ERR_INVALID_ARGUMENT, "generate: ctx and prompt must not be NULL");
    }
    edgellm::api::ContextUse use(ctx);
    if (!use.ok()) return busy("generate");
    edgellm_generate_params p;
    edgellm_generate_default_params(&p);
    if (edgellm_status st = read_params(params, &p, "generate"); st != EDGELLM_OK) return st;
    if (p.max_tokens < 0) return fail(EDGELLM_ERR_INVALID_ARGUMENT, "generate: max_tokens is negative");
    if (n_prompt == 0 && ctx->n_logits == 0) {
      return fail(EDGELLM_ERR_INVALID_ARGUMENT, "generate: empty prompt and nothing evaluated before");
    }
    edgellm::Status st = ctx->sampler->set_params(to_sampler(p.sampling));
    if (!st.ok()) return fail(st);

    edgellm_generate_stats local{};
    local.struct_size = sizeof local;
    local.n_prompt = static_cast<int32_t>(n_prompt);
    auto t0 = std::chrono::steady_clock::now();
    if (n_prompt > 0) {
      if (edgellm_status e = evaluate(ctx, prompt, n_prompt, false); e != EDGELLM_OK) return e;
    }
    local.prompt_ms = ms_since(t0);

    const edgellm::Model& model = *ctx->owner->model;
    edgellm::Session& s = *ctx->session;
    auto t1 = std::chrono::steady_clock::now();
    edgellm_status result = EDGELLM_OK;
    for (int32_t i = 0; i < p.max_tokens; ++i) {
      const float* logits = s.acts().logits + static_cast<size_t>(ctx->n_logits - 1) * model.config.n_vocab;
      if (!all_finite(logits, model.config.n_vocab)) return fail_non_finite(ctx, "generate");
      int32_t tok;
      {
        edgellm::Profile::Activation profiling(ctx->profile.get());
        edgellm::ProfileScope scope(edgellm::OpKind::kSample);
        tok = ctx->sampler->sample(logits, ctx->history.data(), s.n_past());
      }
      if (out_tokens && static_cast<size_t>(local.n_generated) < capacity) out_tokens[local.n_generated] = tok;
      local.n_generated++;
      const int32_t len = model.tokenizer->token_to_piece(
          tok, ctx->piece.data(), static_cast<int32_t>(ctx->piece.size()), false);
      if (p.callback && p.callback(tok, ctx->piece.data(), static_cast<size_t>(std::max(len, 0)), p.user_data)) {
        local.stopped_by = 2;
        break;
      }
      if (!p.ignore_eos && model.tokenizer->is_eog(tok)) {
        local.stopped_by = 1;
        break;
      }
      if (i + 1 == p.max_tokens) break;  // the last token needs no evaluation
      if (s.n_past() >= s.config().n_ctx) {
        local.stopped_by = 3;
        result = fail(EDGELLM_ERR_CONTEXT_FULL, "generate: context full after %d tokens (n_ctx=%d)",
                      s.n_past(), s.config().n_ctx);
        break;
      }
      if (edgellm_status e = evaluate(ctx, &tok, 1, false); e != EDGELLM_OK) return e;
    }
    local.generate_ms = ms_since(t1);
    if (stats) {
      const size_t n = std::min(stats->struct_size, sizeof local);
      if (n >= sizeof(size_t)) {
        const size_t keep = stats->struct_size;
        std::memcpy(stats, &local, n);
        stats->struct_size = keep;
      }
    }
    return result;
  });
}

}  // extern "C"
