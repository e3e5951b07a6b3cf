// The Vulkan backend against llama.cpp's golden outputs: every llama and
// qwen fixture whose weight types the shaders cover, whole model offloaded,
// on whatever Vulkan device exists (lavapipe in CI). Skipped loudly only
// when the build has no Vulkan or no Vulkan device exists at all.
#include <gtest/gtest.h>

#include <cstdio>
#include <string>

#include "edgellm.h"
#include "tests/unit/golden_util.h"
#include "tests/unit/test_util.h"
#include "tests/unit/vulkan_test_util.h"

namespace {

class VulkanGoldenTest : public ::testing::TestWithParam<const char*> {};

TEST_P(VulkanGoldenTest, MatchesReference) {
  if (!vulkan_device_present("golden test")) GTEST_SKIP() << "no Vulkan device";
  const std::string dir = fixtures_dir();
  if (dir.empty()) {
    std::fprintf(stderr, "\n*** FIXTURES MISSING: Vulkan golden test %s skipped ***\n\n", GetParam());
    GTEST_SKIP() << "fixtures missing";
  }
  golden::run_golden(dir, GetParam(), "vulkan", EDGELLM_BACKEND_VULKAN);
}

INSTANTIATE_TEST_SUITE_P(Fixtures, VulkanGoldenTest,
                         ::testing::Values("llama-f32", "llama-f16", "llama-q8_0", "llama-q4_0",
                                           "llama-q4_k_m", "llama-q6_k", "qwen2-f32", "qwen2-q8_0",
                                           "qwen2-q4_k_m", "qwen3-f32", "qwen3-q8_0",
                                           "qwen3-q4_k_m", "phi3-f32", "phi3-q8_0"),
                         golden::fixture_test_name);

}  // namespace
