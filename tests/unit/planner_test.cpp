// The static memory planner: plans are valid (no two simultaneously live
// buffers overlap), never worse than no sharing, never better than the live
// peak; and through the C API the plan is what a context really uses,
// including a caller-supplied arena.
#include <gtest/gtest.h>

#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "edgellm.h"
#include "runtime/plan/planner.h"

namespace {

using edgellm::plan::BufferSpec;
using edgellm::plan::plan_buffers;
using edgellm::plan::plan_is_valid;

TEST(Planner, SharesMemoryBetweenDisjointLifetimes) {
  const std::vector<BufferSpec> specs = {
      {"a", 1000, 0, 1}, {"b", 1000, 2, 3}, {"c", 500, 1, 2}};
  const auto p = plan_buffers(specs, 64);
  EXPECT_TRUE(plan_is_valid(specs, p));
  // a and b never live together: they can share; c overlaps both.
  EXPECT_EQ(p.total, 1024u + 512u);
  EXPECT_EQ(p.lower_bound, 1024u + 512u);
}

TEST(Planner, RandomPlansAreValidAndBounded) {
  std::mt19937 rng(1234);
  for (int trial = 0; trial < 300; ++trial) {
    std::vector<BufferSpec> specs;
    const int n = 1 + static_cast<int>(rng() % 24);
    size_t naive = 0;
    for (int i = 0; i < n; ++i) {
      const int32_t first = static_cast<int32_t>(rng() % 20);
      const int32_t last = first + static_cast<int32_t>(rng() % 8);
      const size_t bytes = 1 + rng() % 100000;
      specs.push_back({"buf", bytes, first, last});
      naive += (bytes + 63) / 64 * 64;
    }
    const auto p = plan_buffers(specs, 64);
    ASSERT_TRUE(plan_is_valid(specs, p)) << "trial " << trial;
    EXPECT_GE(p.total, p.lower_bound);
    EXPECT_LE(p.total, naive);
    for (size_t off : p.offsets) EXPECT_EQ(off % 64, 0u);
  }
}

TEST(Planner, DetectsOverlap) {
  const std::vector<BufferSpec> specs = {{"a", 100, 0, 2}, {"b", 100, 1, 3}};
  edgellm::plan::Plan bad;
  bad.offsets = {0, 50};
  bad.total = 200;
  EXPECT_FALSE(plan_is_valid(specs, bad));
}

class ContextPlan : public ::testing::Test {
 protected:
  void SetUp() override {
    std::snprintf(path_, sizeof path_, "/tmp/edgellm-plan-%d.gguf", static_cast<int>(getpid()));
    ASSERT_EQ(edgellm_synthesize_model("tiny", "q8_0", 3, path_), EDGELLM_OK) << edgellm_last_error();
    ASSERT_EQ(edgellm_model_load(path_, nullptr, &model_), EDGELLM_OK) << edgellm_last_error();
    edgellm_context_default_params(&cp_);
    cp_.n_ctx = 64;
    cp_.n_batch = 16;
    cp_.n_threads = 2;
  }
  void TearDown() override {
    edgellm_model_free(model_);
    std::remove(path_);
  }
  std::vector<float> last_logits(edgellm_context* ctx) {
    const edgellm_token toks[] = {1, 300, 301, 302, 303, 304, 305};
    EXPECT_EQ(edgellm_evaluate(ctx, toks, 7, 0), EDGELLM_OK) << edgellm_last_error();
    const float* row = edgellm_get_logits(ctx, -1);
    const int32_t n = edgellm_model_n_vocab(model_);
    return row ? std::vector<float>(row, row + n) : std::vector<float>();
  }
  char path_[64];
  edgellm_model* model_ = nullptr;
  edgellm_context_params cp_;
};

TEST_F(ContextPlan, PlanMatchesTheContextAndBeatsNoSharing) {
  edgellm_plan_info info;
  info.struct_size = sizeof info;
  ASSERT_EQ(edgellm_context_plan(model_, &cp_, &info), EDGELLM_OK) << edgellm_last_error();
  EXPECT_GT(info.kv_bytes, 0u);
  EXPECT_GE(info.activation_bytes, info.lower_bound_bytes);
  EXPECT_GE(info.arena_bytes, info.activation_bytes + info.kv_bytes);
  EXPECT_GT(info.weight_bytes, 0u);
  edgellm_context* ctx = nullptr;
  ASSERT_EQ(edgellm_context_create(model_, &cp_, &ctx), EDGELLM_OK) << edgellm_last_error();
  EXPECT_EQ(edgellm_context_memory_bytes(ctx), info.arena_bytes);
  edgellm_context_free(ctx);
}

TEST_F(ContextPlan, CallerArenaTooSmallNamesTheBytesNeeded) {
  edgellm_plan_info info;
  info.struct_size = sizeof info;
  ASSERT_EQ(edgellm_context_plan(model_, &cp_, &info), EDGELLM_OK);
  std::vector<uint8_t> small(info.arena_bytes / 2 + 64);
  cp_.arena = small.data();
  cp_.arena_size = small.size();
  edgellm_context* ctx = nullptr;
  EXPECT_EQ(edgellm_context_create(model_, &cp_, &ctx), EDGELLM_ERR_OUT_OF_MEMORY);
  EXPECT_EQ(ctx, nullptr);
  EXPECT_NE(std::string(edgellm_last_error()).find(std::to_string(info.arena_bytes)),
            std::string::npos)
      << edgellm_last_error();
}

TEST_F(ContextPlan, CallerArenaGivesTheSameLogits) {
  edgellm_context* own = nullptr;
  ASSERT_EQ(edgellm_context_create(model_, &cp_, &own), EDGELLM_OK);
  const std::vector<float> want = last_logits(own);
  edgellm_context_free(own);

  edgellm_plan_info info;
  info.struct_size = sizeof info;
  ASSERT_EQ(edgellm_context_plan(model_, &cp_, &info), EDGELLM_OK);
  alignas(64) static uint8_t storage[8 << 20];  // a static buffer, as in an appliance
  ASSERT_LE(info.arena_bytes, sizeof storage);
  std::memset(storage, 0xA5, sizeof storage);  // garbage must not matter
  cp_.arena = storage;
  cp_.arena_size = info.arena_bytes;  // exactly the planned size
  edgellm_context* ctx = nullptr;
  ASSERT_EQ(edgellm_context_create(model_, &cp_, &ctx), EDGELLM_OK) << edgellm_last_error();
  EXPECT_EQ(last_logits(ctx), want);
  edgellm_context_free(ctx);
}

TEST_F(ContextPlan, KvCacheTypesAgreeWithF32) {
  cp_.kv_type = EDGELLM_KV_F32;
  edgellm_context* ctx = nullptr;
  ASSERT_EQ(edgellm_context_create(model_, &cp_, &ctx), EDGELLM_OK);
  const std::vector<float> ref = last_logits(ctx);
  edgellm_context_free(ctx);
  double sum2 = 0;
  for (float v : ref) sum2 += static_cast<double>(v) * v;
  const double sigma = std::sqrt(sum2 / ref.size());
  // F16 keeps ~11 bits of each K/V element, Q8_0 ~8 bits per 32-block. On
  // the llama fixture that moves logits by 0.0015 sigma (F16) and 0.04 sigma
  // (Q8_0); this random 4-layer model amplifies perturbations more (measured
  // 0.06 and 0.12 sigma), so the bounds leave 2x headroom — a wrong layout
  // or type mix-up gives errors of order sigma.
  const std::pair<int32_t, double> cases[] = {{EDGELLM_KV_F16, 0.12}, {EDGELLM_KV_Q8_0, 0.25}};
  for (const auto& [type, tol_sigma] : cases) {
    cp_.kv_type = type;
    ASSERT_EQ(edgellm_context_create(model_, &cp_, &ctx), EDGELLM_OK) << edgellm_last_error();
    const std::vector<float> got = last_logits(ctx);
    double max_diff = 0;
    for (size_t i = 0; i < ref.size(); ++i) max_diff = std::max(max_diff, double(std::fabs(got[i] - ref[i])));
    EXPECT_LE(max_diff, tol_sigma * sigma) << "kv type " << type;
    EXPECT_GT(max_diff, 0.0) << "kv type " << type << " should round differently from f32";
    edgellm_context_free(ctx);
  }
  cp_.kv_type = 99;
  EXPECT_EQ(edgellm_context_create(model_, &cp_, &ctx), EDGELLM_ERR_INVALID_ARGUMENT);
}

}  // namespace
