// C API: profile mode (per-op time and counters; runtime/profile).
#include <algorithm>
#include <new>

#include "edgellm.h"
#include "kernels/dtype.h"
#include "runtime/api/error.h"
#include "runtime/api/handles.h"

using edgellm::api::fail;
using edgellm::api::guarded;

static_assert(EDGELLM_PROFILE_MAX_COUNTERS == edgellm::Profile::kMaxCounters);

extern "C" {

edgellm_status edgellm_context_set_profiling(edgellm_context* ctx, int enable,
                                             edgellm_counter_reader reader, void* user_data) {
  return guarded([&]() -> edgellm_status {
    if (!ctx) return fail(EDGELLM_ERR_INVALID_ARGUMENT, "set_profiling: ctx is NULL");
    edgellm::api::ContextUse use(ctx);
    if (!use.ok()) {
      return fail(EDGELLM_ERR_INVALID_ARGUMENT, "set_profiling: the context is in use by another call");
    }
    if (!enable) {
      ctx->profile.reset();
      return EDGELLM_OK;
    }
    if (!ctx->profile) ctx->profile = std::make_unique<edgellm::Profile>();
    ctx->profile->reset();
    ctx->profile->set_counter_reader(reader, user_data);
    return EDGELLM_OK;
  });
}

size_t edgellm_context_profile(const edgellm_context* ctx, edgellm_profile_entry* out,
                               size_t capacity) {
  if (!ctx || !ctx->profile) return 0;
  const edgellm::Profile& p = *ctx->profile;
  size_t n = 0;
  auto visit = [&](auto&& fn) {
    for (size_t k = 0; k < static_cast<size_t>(edgellm::OpKind::kCount); ++k) {
      for (size_t t = 0; t < edgellm::Profile::kTypes; ++t) {
        const auto kind = static_cast<edgellm::OpKind>(k);
        const auto type = static_cast<edgellm::DType>(t);
        const edgellm::Profile::Entry& e = p.entry(kind, type);
        if (e.calls > 0) fn(kind, type, e);
      }
    }
  };
  visit([&](edgellm::OpKind kind, edgellm::DType type, const edgellm::Profile::Entry& e) {
    if (out && n < capacity) {
      edgellm_profile_entry& o = out[n];
      o.op = edgellm::op_kind_name(kind);
      o.type = edgellm::dtype_name(type);
      o.calls = e.calls;
      o.ms = e.ns / 1e6;
      o.n_counters = p.n_counters();
      std::copy(e.counters, e.counters + EDGELLM_PROFILE_MAX_COUNTERS, o.counters);
    }
    ++n;
  });
  if (out) {
    std::sort(out, out + std::min(n, capacity),
              [](const edgellm_profile_entry& a, const edgellm_profile_entry& b) { return a.ms > b.ms; });
  }
  return n;
}

void edgellm_context_profile_reset(edgellm_context* ctx) {
  edgellm::api::ContextUse use(ctx);
  if (use.ok() && ctx->profile) ctx->profile->reset();
}

}  // extern "C"
