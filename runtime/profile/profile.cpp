#include "runtime/profile/profile.h"

#include <algorithm>

namespace edgellm {
namespace {
thread_local Profile* g_active = nullptr;
}  // namespace

const char* op_kind_name(OpKind k) {
  switch (k) {
    case OpKind::kEmbed: return "embed";
    case OpKind::kNorm: return "norm";
    case OpKind::kMatmul: return "matmul";
    case OpKind::kRope: return "rope";
    case OpKind::kAttention: return "attention";
    case OpKind::kKvStore: return "kv_store";
    case OpKind::kActivation: return "activation";
    case OpKind::kAdd: return "add";
    case OpKind::kConv: return "short_conv";
    case OpKind::kOutput: return "output_softcap";
    case OpKind::kSample: return "sample";
    case OpKind::kCount: break;
  }
  return "?";
}

void Profile::reset() {
  std::fill(std::begin(table_), std::end(table_), Entry{});
  n_counters_ = 0;
}

size_t Profile::read(double* values) const {
  if (reader_ == nullptr) return 0;
  return std::min(reader_(values, kMaxCounters, user_), kMaxCounters);
}

Profile::Activation::Activation(Profile* p) : prev_(g_active) { g_active = p; }
Profile::Activation::~Activation() { g_active = prev_; }
Profile* Profile::active() { return g_active; }

ProfileScope::ProfileScope(OpKind k, DType t) : p_(g_active) {
  if (p_ == nullptr) return;
  slot_ = Profile::index(k, t);
  p_->read(c0_);
  t0_ = std::chrono::steady_clock::now();
}

ProfileScope::~ProfileScope() {
  if (p_ == nullptr) return;
  const auto t1 = std::chrono::steady_clock::now();
  double c1[Profile::kMaxCounters];
  const size_t n = p_->read(c1);
  Profile::Entry& e = p_->table_[slot_];
  ++e.calls;
  e.ns += std::chrono::duration<double, std::nano>(t1 - t0_).count();
  for (size_t i = 0; i < n; ++i) e.counters[i] += c1[i] - c0_[i];
  p_->n_counters_ = std::max(p_->n_counters_, n);
}

}  // namespace edgellm
