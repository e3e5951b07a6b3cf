// The run-time state of one context: its planned buffers (activations, KV
// cache, scratch) carved from one arena, and the thread pool. Templates
// (runtime/exec/<arch>.cpp) read and write only this state.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>

#include "runtime/core/status.h"
#include "runtime/exec/arena.h"
#include "runtime/exec/thread_pool.h"
#include "runtime/model/model.h"

namespace edgellm {

struct SessionConfig {
  int32_t n_ctx = 0;
  int32_t n_batch = 0;
  int32_t n_threads = 1;
  bool logits_all = true;  // plan logits for every batch position
};

struct KvCache {
  float* k = nullptr;  // [n_layer][n_ctx][kv_dim]
  float* v = nullptr;  // [n_layer][n_ctx][v_dim]
  int32_t n_ctx = 0;
  int32_t kv_dim = 0;
  int32_t v_dim = 0;

  float* k_at(int32_t layer, int32_t pos) const {
    return k + (static_cast<size_t>(layer) * n_ctx + pos) * kv_dim;
  }
  float* v_at(int32_t layer, int32_t pos) const {
    return v + (static_cast<size_t>(layer) * n_ctx + pos) * v_dim;
  }
};

// Activation buffers, each sized for n_batch tokens.
struct Activations {
  float* x = nullptr;      // residual stream [n_batch][n_embd]
  float* xn = nullptr;     // normed input of a block [n_batch][n_embd]
  float* q = nullptr;      // [n_batch][q_dim]
  float* k = nullptr;      // [n_batch][kv_dim]
  float* v = nullptr;      // [n_batch][v_dim]
  float* attn = nullptr;   // attention output before wo [n_batch][q_dim]
  float* proj = nullptr;   // block output before the residual add [n_batch][n_embd]
  float* ffn_a = nullptr;  // gate / hidden [n_batch][n_ff]
  float* ffn_b = nullptr;  // up [n_batch][n_ff]
  float* logits = nullptr; // [n_batch or 1][n_vocab]
  float* scores = nullptr; // attention scores, [n_threads][n_ctx]
  uint8_t* xconv = nullptr; // activations converted for a matmul's vec_dot
  size_t xconv_bytes = 0;
};

class Session {
 public:
  // Lays out every buffer for cfg; no memory is touched.
  static Status plan(const Model& model, const SessionConfig& cfg, ArenaPlan* plan);
  static Status create(const Model& model, const SessionConfig& cfg,
                       std::unique_ptr<Session>* out);

  // Runs tokens at positions n_past .. n_past+n-1 (n <= n_batch,
  // n_past + n <= n_ctx) and appends them to the KV cache. Logits of every
  // position (all_logits) or of the last one land in acts().logits.
  Status forward(const int32_t* tokens, int32_t n, bool all_logits);

  const Model& model() const { return *model_; }
  const SessionConfig& config() const { return cfg_; }
  const Activations& acts() const { return acts_; }
  const KvCache& kv() const { return kv_; }
  ThreadPool& pool() { return *pool_; }
  int32_t n_past() const { return n_past_; }
  void reset() { n_past_ = 0; }
  size_t arena_bytes() const { return arena_.size(); }

 private:
  Session() = default;
  const Model* model_ = nullptr;
  SessionConfig cfg_;
  Arena arena_;
  Activations acts_;
  KvCache kv_;
  std::unique_ptr<ThreadPool> pool_;
  int32_t n_past_ = 0;
};

}  // namespace edgellm
