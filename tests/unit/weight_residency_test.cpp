// What stays resident after load with repacking: repacked matmul weights and
// copies of the small tensors in the owned buffer, only large tensors still
// read from the file, and the same logits whether the file is mapped or read.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "edgellm.h"
#include "runtime/model/model.h"

namespace edgellm {
namespace {

class WeightResidency : public ::testing::TestWithParam<const char*> {
 protected:
  void SetUp() override {
    path_ = "/tmp/edgellm-resident-" + std::to_string(getpid()) + "-" + GetParam() + ".gguf";
    ASSERT_EQ(edgellm_synthesize_model(GetParam(), "q4_0", 5, path_.c_str()), EDGELLM_OK)
        << edgellm_last_error();
  }
  void TearDown() override { std::remove(path_.c_str()); }

  std::vector<float> logits(bool use_mmap, int32_t repack, bool interleave = false) {
    edgellm_model_params mp;
    edgellm_model_default_params(&mp);
    mp.use_mmap = use_mmap ? 1 : 0;
    mp.repack = repack;
    mp.numa_interleave = interleave ? 1 : 0;
    edgellm_model* model = nullptr;
    EXPECT_EQ(edgellm_model_load(path_.c_str(), &mp, &model), EDGELLM_OK) << edgellm_last_error();
    if (model == nullptr) return {};
    // Metadata strings stay readable after the file's pages are released.
    char name[128];
    EXPECT_GT(edgellm_model_meta(model, "general.architecture", name, sizeof name), 0);
    edgellm_context_params cp;
    edgellm_context_default_params(&cp);
    cp.n_ctx = 32;
    cp.n_batch = 8;
    cp.n_threads = 1;
    edgellm_context* ctx = nullptr;
    EXPECT_EQ(edgellm_context_create(model, &cp, &ctx), EDGELLM_OK) << edgellm_last_error();
    std::vector<float> out;
    if (ctx != nullptr) {
      const edgellm_token toks[] = {1, 40, 41, 42, 43, 44};
      EXPECT_EQ(edgellm_evaluate(ctx, toks, 6, 0), EDGELLM_OK) << edgellm_last_error();
      const float* row = edgellm_get_logits(ctx, -1);
      if (row) out.assign(row, row + edgellm_model_n_vocab(model));
    }
    edgellm_context_free(ctx);
    edgellm_model_free(model);
    return out;
  }
  std::string path_;
};

TEST_P(WeightResidency, SmallTensorsAreCopiedAndOnlyLargeOnesStayMapped) {
  for (bool use_mmap : {true, false}) {
    ModelLoadOptions opts;
    opts.use_mmap = use_mmap;
    opts.repack = RepackPolicy::On;
    std::unique_ptr<Model> m;
    ASSERT_TRUE(load_model(path_, opts, &m).ok());
    const uint8_t* file_begin = m->file->bytes();
    if (m->repacked_tensors == 0) {
      // No repacked kernel on this path (e.g. aarch64 today): every weight
      // stays zero-copy in the file and the plan counts all tensor bytes.
      size_t all = 0;
      for (const gguf::TensorInfo& t : m->file->tensors()) all += t.n_bytes;
      EXPECT_EQ(m->repacked_bytes, 0u);
      EXPECT_EQ(m->mapped_bytes, all);
      for_each_weight(m->weights, [&](Weight& w) {
        if (w.present()) {
          EXPECT_TRUE(w.data >= file_begin && w.data < file_begin + m->file->file_size()) << w.name;
        }
      });
      continue;
    }
    const uint8_t* owned = m->repacked.get();
    const uint8_t* file_lo = m->file->bytes();
    const uint8_t* file_hi = file_lo + m->file->file_size();
    size_t in_file = 0, in_owned = 0;
    for_each_weight(m->weights, [&](Weight& w) {
      if (!w.present()) return;
      if (w.data >= owned && w.data < owned + m->repacked_bytes) {
        ++in_owned;
        return;
      }
      ASSERT_TRUE(w.data >= file_lo && w.data < file_hi) << w.name;
      ++in_file;
      // Still read from the file: only tensors too large to copy.
      const gguf::TensorInfo* t = m->file->tensor(w.name);
      ASSERT_NE(t, nullptr);
      EXPECT_GE(t->n_bytes, size_t{1} << 20) << w.name << " should have been copied";
    });
    EXPECT_GT(in_owned, 0u);
    // The plan's weight bytes: the owned buffer plus the still-mapped tensors.
    size_t mapped = 0;
    // token_embd stays mapped unless it is a tied output that was repacked
    // (its embedding rows are then restored from the repacked copy).
    const Weight& embd = m->weights.tok_embd;
    const bool embd_in_file = embd.data >= file_lo && embd.data < file_hi;
    if (embd.kernel && embd.kernel->repack) {
      ASSERT_TRUE(m->config.tied_output);
      EXPECT_EQ(embd.data, m->weights.output.data);
      EXPECT_EQ(embd.kernel, m->weights.output.kernel);
      EXPECT_NE(embd.kernel->unrepack_row, nullptr);
      EXPECT_FALSE(embd_in_file);
    }
    for (const gguf::TensorInfo& t : m->file->tensors()) {
      if (t.name == "token_embd.weight" && t.n_bytes >= (size_t{1} << 20) && embd_in_file) {
        mapped += t.n_bytes;
      }
    }
    EXPECT_EQ(m->mapped_bytes, mapped);
  }
}

TEST_P(WeightResidency, LogitsIdenticalMappedOrRead) {
  const std::vector<float> mapped = logits(true, EDGELLM_REPACK_ON);
  const std::vector<float> read = logits(false, EDGELLM_REPACK_ON);
  ASSERT_FALSE(mapped.empty());
  EXPECT_EQ(mapped, read);
  // Interleaving the owned weights over NUMA nodes changes placement only.
  EXPECT_EQ(logits(true, EDGELLM_REPACK_ON, true), mapped);
  const std::vector<float> plain = logits(true, EDGELLM_REPACK_OFF);
  ASSERT_EQ(plain.size(), mapped.size());
  double max_diff = 0, max_abs = 0;
  for (size_t i = 0; i < plain.size(); ++i) {
    max_diff = std::max(max_diff, static_cast<double>(std::abs(plain[i] - mapped[i])));
    max_abs = std::max(max_abs, static_cast<double>(std::abs(plain[i])));
  }
  EXPECT_LE(max_diff, 1e-3 * std::max(1.0, max_abs));
}

INSTANTIATE_TEST_SUITE_P(Presets, WeightResidency,
                         ::testing::Values("tiny", "tiny-qwen2", "tiny-gemma3", "tiny-lfm2"));

}  // namespace
}  // namespace edgellm
