// Golden model tests against llama.cpp outputs in ../shared/fixtures/golden:
// prompt tokens identical, logits of every position within the fixtures
// README's tolerance, greedy tokens identical up to the first step whose
// margin is below that tolerance. Runs through the public C API.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "edgellm.h"
#include "kernels/dispatch.h"
#include "tests/unit/golden_util.h"
#include "tests/unit/test_util.h"

namespace {

using json = nlohmann::json;
using namespace golden;

class GoldenTest : public ::testing::TestWithParam<const char*> {};

// Every fixture runs on every kernel path this CPU offers (the fast paths
// must meet the same tolerances as the reference), unless EDGELLM_ISA pins
// one path (e.g. a CI job per qemu CPU model).
TEST_P(GoldenTest, MatchesReference) {
  const std::string dir = fixtures_dir();
  if (dir.empty()) {
    std::fprintf(stderr, "\n*** FIXTURES MISSING: golden test %s skipped ***\n\n", GetParam());
    GTEST_SKIP() << "fixtures missing";
  }
  const char* pinned = std::getenv("EDGELLM_ISA");
  if (pinned && *pinned) {
    run_golden(dir, GetParam(), pinned);
    return;
  }
  for (int i = 0; i < edgellm::kernels::kIsaCount; ++i) {
    const auto isa = static_cast<edgellm::kernels::Isa>(i);
    if (!edgellm::kernels::isa_available(isa)) continue;
    setenv("EDGELLM_ISA", edgellm::kernels::isa_name(isa), 1);
    run_golden(dir, GetParam(), edgellm::kernels::isa_name(isa));
    unsetenv("EDGELLM_ISA");
    if (HasFatalFailure()) return;
  }
}

// Logits of one prompt (every position) with the given repack policy.
std::vector<float> prompt_logits(const std::string& model_path, int32_t repack,
                                 size_t* repacked_bytes) {
  std::vector<float> out;
  edgellm_model_params mp;
  edgellm_model_default_params(&mp);
  mp.repack = repack;
  edgellm_model* model = nullptr;
  EXPECT_EQ(edgellm_model_load(model_path.c_str(), &mp, &model), EDGELLM_OK) << edgellm_last_error();
  if (!model) return out;
  const std::string prompt = "Once upon a time there was a little robot";
  std::vector<int32_t> tokens(prompt.size() + 8);
  size_t n = 0;
  EXPECT_EQ(edgellm_tokenize(model, prompt.data(), prompt.size(), 1, 0, tokens.data(),
                             tokens.size(), &n),
            EDGELLM_OK);
  edgellm_context_params cp;
  edgellm_context_default_params(&cp);
  cp.n_ctx = 64;
  cp.n_batch = static_cast<int32_t>(n);
  cp.n_threads = 2;
  cp.logits_all = 1;
  edgellm_plan_info plan;
  plan.struct_size = sizeof plan;
  EXPECT_EQ(edgellm_context_plan(model, &cp, &plan), EDGELLM_OK);
  *repacked_bytes = plan.repacked_bytes;
  edgellm_context* ctx = nullptr;
  EXPECT_EQ(edgellm_context_create(model, &cp, &ctx), EDGELLM_OK) << edgellm_last_error();
  if (ctx && edgellm_evaluate(ctx, tokens.data(), n, 1) == EDGELLM_OK) {
    const int32_t nv = edgellm_model_n_vocab(model);
    for (size_t i = 0; i < n; ++i) {
      const float* row = edgellm_get_logits(ctx, static_cast<int32_t>(i));
      out.insert(out.end(), row, row + nv);
    }
    // One decode step too (the GEMV side of the repacked kernels).
    const int32_t next = tokens[1];
    EXPECT_EQ(edgellm_evaluate(ctx, &next, 1, 0), EDGELLM_OK) << edgellm_last_error();
    const float* row = edgellm_get_logits(ctx, 0);
    if (row) out.insert(out.end(), row, row + nv);
  }
  edgellm_context_free(ctx);
  edgellm_model_free(model);
  return out;
}

// Weights repacked at load give the logits of the zero-copy weights: the
// same integer block dots, summed in another float order (so not bit-exact;
// the difference stays far below the golden tolerance of 0.6 sigma). When
// the two kernels scale the block sums differently (aarch64's zero-copy sdot
// tile keeps 4 lane partials per block, the repacked kernel one exact block
// sum), a last-bit difference in a matmul output can flip the rounding of
// one element when the next matmul quantizes its input to 8 bits, which
// moves the logits by a few hundredths of a sigma (measured up to 4.7e-2
// max, depending on which element flips, under qemu cortex-a76); kernels
// with the same scheme agree to ~1e-6 sigma. The bounds stay well inside the
// golden tolerances (0.6 sigma max, 0.1 sigma rms).
TEST(Repack, OnMatchesOff) {
  const std::string dir = fixtures_dir();
  if (dir.empty()) {
    GTEST_SKIP() << "fixtures missing";
  }
  edgellm::kernels::Isa isa;
  char err[256];
  ASSERT_TRUE(edgellm::kernels::resolve_isa_from_env(&isa, err, sizeof err)) << err;
  for (const char* stem : {"llama-q4_0", "llama-q8_0", "llama-q4_k_m"}) {
    SCOPED_TRACE(stem);
    std::ifstream jf(dir + "/golden/" + stem + ".json");
    ASSERT_TRUE(jf);
    const std::string model_path = dir + "/" + json::parse(jf)["model"].get<std::string>();
    size_t bytes_off = 0, bytes_on = 0;
    const std::vector<float> off = prompt_logits(model_path, EDGELLM_REPACK_OFF, &bytes_off);
    const std::vector<float> on = prompt_logits(model_path, EDGELLM_REPACK_ON, &bytes_on);
    ASSERT_FALSE(off.empty());
    ASSERT_EQ(on.size(), off.size());
    EXPECT_EQ(bytes_off, 0u);
    const std::string s = stem;
    const edgellm::DType main_type = s == "llama-q4_0"   ? edgellm::DType::Q4_0
                                     : s == "llama-q8_0" ? edgellm::DType::Q8_0
                                                         : edgellm::DType::Q4_K;
    if (edgellm::kernels::repacked_kernel(main_type, isa)) {
      EXPECT_GT(bytes_on, 0u);
    }
    const Stats st = compare(on.data(), off.data(), off.size());
    std::printf("[repack] %-12s path %s: repacked %zu bytes, max|on-off|=%.3g (%.2e sigma), "
                "rms %.2e sigma\n",
                stem, edgellm::kernels::isa_name(isa), bytes_on, st.max_abs,
                st.max_abs / st.sigma, st.rms / st.sigma);
    EXPECT_LE(st.max_abs, 0.15 * st.sigma);
    EXPECT_LE(st.rms, 0.02 * st.sigma);
  }
}

INSTANTIATE_TEST_SUITE_P(Llama, GoldenTest,
                         ::testing::Values("llama-f32", "llama-f16", "llama-bf16", "llama-q8_0",
                                           "llama-q4_0", "llama-q4_1", "llama-q5_0", "llama-q5_1",
                                           "llama-q2_k", "llama-q3_k_m", "llama-q4_k_m",
                                           "llama-q5_k_m", "llama-q6_k", "stories260K-f32"),
                         golden::fixture_test_name);

INSTANTIATE_TEST_SUITE_P(Archs, GoldenTest,
                         ::testing::Values("qwen2-f32", "qwen2-q8_0", "qwen2-q4_k_m", "qwen3-f32",
                                           "qwen3-q8_0", "qwen3-q4_k_m", "phi3-f32", "phi3-q8_0",
                                           "phi3-q4_k_m", "gemma2-f32", "gemma2-q8_0",
                                           "gemma2-q4_k_m", "gemma3-f32", "gemma3-q8_0",
                                           "gemma3-q4_k_m", "gptneox-f32", "gptneox-q8_0",
                                           "gptneox-q4_k_m", "lfm2-f32", "lfm2-q8_0", "lfm2-q4_k_m"),
                         golden::fixture_test_name);

}  // namespace
