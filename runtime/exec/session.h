// The run-time state of one context: its planned buffers (activations, KV
// cache, scratch) carved from one arena, and the thread pool. Templates
// (runtime/exec/<arch>.cpp) read and write only this state.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <memory>

#include "kernels/attn.h"
#include "runtime/core/status.h"
#include "runtime/exec/arena.h"
#include "runtime/exec/kv_cache.h"
#include "runtime/exec/thread_pool.h"
#include "runtime/threads/topology.h"
#include "runtime/model/model.h"
#include "runtime/vulkan/backend.h"

namespace edgellm {

struct SessionConfig {
  int32_t n_ctx = 0;
  int32_t n_batch = 0;
  int32_t n_threads = 1;
  bool logits_all = true;  // plan logits for every batch position
  KvType kv_type = KvType::kF16;
  void* arena = nullptr;   // caller-supplied memory (nullptr: allocate)
  size_t arena_size = 0;
  bool mlock = false;      // lock a runtime-allocated arena in RAM
  // Thread placement (runtime/threads): the CPU of each of the n_threads
  // threads (empty: none pinned), pinning on/off, work-splitting schedule.
  threads::CpuPlan placement;
  bool pin_threads = true;
  Schedule schedule = Schedule::kAuto;
};

// Activation buffers of the templates. Each template states, per buffer,
// the first and last step of its forward pass that uses it; the planner
// lets buffers with disjoint lifetimes share memory.
enum class Buf : int {
  kX, kXn, kQ, kK, kV, kAttn, kProj, kFfnA, kFfnB, kLogits, kScores, kXconv, kConv, kCount
};
struct BufferUse {
  Buf buf;
  int32_t first;
  int32_t last;
};

// What a context needs, known before any memory is touched.
struct PlanSummary {
  size_t arena_bytes = 0;       // total, including KV and alignment slack
  size_t activation_bytes = 0;  // planned activation region
  size_t lower_bound = 0;       // peak of simultaneously live activation bytes
  size_t naive_bytes = 0;       // activations without sharing (sum of all buffers)
  size_t kv_bytes = 0;
  int32_t n_buffers = 0;
  const char* strategy = "";
  // Vulkan backend: device memory of the session (activations, KV cache and
  // the host-visible tokens/logits buffers); the arena then holds only the
  // logits the caller reads.
  size_t device_bytes = 0;
  size_t device_kv_bytes = 0;
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
  float* scores = nullptr; // attention scratch, [n_threads][scores_stride]
  uint8_t* xconv = nullptr; // activations converted for a matmul's vec_dot
  float* conv = nullptr;    // short-conv projections B, C, x [n_batch][3 n_embd] (LFM2)
  size_t xconv_bytes = 0;
};

class Session {
 public:
  // Lays out every buffer for cfg; no memory is touched.
  static Status plan(const Model& model, const SessionConfig& cfg, PlanSummary* out);
  // Query heads one attention work item handles at most: those of one GQA
  // group sharing their keys, at most kernels::kAttnMaxQueries.
  static int32_t attn_max_queries(const TransformerConfig& c) {
    const int32_t group = c.n_head_kv > 0 ? c.n_head / c.n_head_kv : 1;
    return std::clamp(group, 1, kernels::kAttnMaxQueries);
  }
  // Floats of attention scratch per thread: scores over n_ctx keys for each
  // query of an item plus one K and one V head converted from the cache.
  static size_t scores_stride(const SessionConfig& cfg, const TransformerConfig& c) {
    return static_cast<size_t>(attn_max_queries(c)) * static_cast<size_t>(cfg.n_ctx) +
           2 * static_cast<size_t>(c.head_dim);
  }
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
  void reset();
  // Keeps the first n_keep cached positions; false when recurrent state
  // cannot be rewound to that point.
  bool truncate(int32_t n_keep);
  // Rolling state of short-convolution layer slot `slot`: the last
  // conv_kernel - 1 inputs, [conv_kernel - 1][n_embd] (LFM2).
  float* conv_state(int32_t slot) const;
  size_t arena_bytes() const { return arena_.size(); }

  // Where a forward pass first produced a NaN or an infinity.
  struct NonFinite {
    int32_t layer = -1;      // -1: before the first layer; n_layer: the output head
    const char* op = nullptr;  // "token_embd", "attn_norm", "attention", ...; null: none found
    int32_t pos = -1;        // token position
  };
  // Templates call this after each op with the rows it wrote (n rows of
  // row_len floats, positions pos0..). Off (the normal case) it is one
  // branch; while a search runs it records the first non-finite value.
  void probe(int32_t layer, const char* op, const float* rows, int32_t n, int32_t row_len, int32_t pos0) {
    if (probing_ && found_.op == nullptr) probe_rows(layer, op, rows, n, row_len, pos0);
  }
  // Re-evaluates tokens[0..n) from an empty cache with the probes on and
  // returns the first op whose output is not finite (op null: none). Uses
  // only planned memory; the cache is empty afterwards. Not available on
  // the Vulkan backend (kUnsupported).
  Status find_non_finite(const int32_t* tokens, int32_t n, NonFinite* out);
  const PlanSummary& plan_summary() const { return summary_; }

 private:
  Session() = default;
  const Model* model_ = nullptr;
  SessionConfig cfg_;
  Arena arena_;
  PlanSummary summary_;
  Activations acts_;
  KvCache kv_;
  std::unique_ptr<ThreadPool> pool_;
  std::unique_ptr<vulkan::GpuSession> gpu_;  // set when the model runs on Vulkan
  int32_t n_past_ = 0;
  bool probing_ = false;
  NonFinite found_;
  void probe_rows(int32_t layer, const char* op, const float* rows, int32_t n, int32_t row_len, int32_t pos0);
  float* conv_state_ = nullptr;
  size_t conv_state_floats_ = 0;
};

}  // namespace edgellm
