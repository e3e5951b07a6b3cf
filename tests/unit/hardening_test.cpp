// Hostile-input regressions (issue #17) that need a whole model: non-finite
// logits are detected and traced to the op that produced them, and the
// model description cannot be spoofed by the file's name string.
#include <gtest/gtest.h>

#include <unistd.h>

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <limits>
#include <string>
#include <vector>

#include "edgellm.h"
#include "runtime/gguf/gguf.h"
#include "tests/unit/gguf_test_util.h"

namespace {

using edgellm::gguf::File;

// Overwrites `n_bytes` of the file at the data of tensor `name`, offset `at`.
void patch_tensor(const std::string& path, const std::string& name, size_t at, const void* bytes,
                  size_t n_bytes) {
  size_t offset = 0;
  {
    std::unique_ptr<File> f;
    ASSERT_TRUE(File::open(path, &f).ok());
    const edgellm::gguf::TensorInfo* t = f->tensor(name);
    ASSERT_NE(t, nullptr) << name;
    ASSERT_LE(at + n_bytes, t->n_bytes);
    offset = static_cast<size_t>(t->data - f->bytes()) + at;
  }
  std::fstream io(path, std::ios::in | std::ios::out | std::ios::binary);
  io.seekp(static_cast<std::streamoff>(offset));
  io.write(static_cast<const char*>(bytes), static_cast<std::streamsize>(n_bytes));
  ASSERT_TRUE(io.good());
}

struct Loaded {
  edgellm_model* model = nullptr;
  edgellm_context* ctx = nullptr;
  ~Loaded() {
    edgellm_context_free(ctx);
    edgellm_model_free(model);
  }
};

void load(const std::string& path, Loaded* l) {
  edgellm_model_params mp;
  edgellm_model_default_params(&mp);
  mp.repack = EDGELLM_REPACK_OFF;  // the weights are read where the file has them
  ASSERT_EQ(edgellm_model_load(path.c_str(), &mp, &l->model), EDGELLM_OK) << edgellm_last_error();
  edgellm_context_params cp;
  edgellm_context_default_params(&cp);
  cp.n_ctx = 64;
  cp.n_threads = 1;
  ASSERT_EQ(edgellm_context_create(l->model, &cp, &l->ctx), EDGELLM_OK) << edgellm_last_error();
}

// Greedy generation from a fixed 4-token prompt.
edgellm_status generate4(edgellm_context* ctx, int32_t max_tokens, edgellm_generate_stats* stats) {
  const edgellm_token prompt[] = {1, 5, 9, 12};
  edgellm_generate_params gp;
  edgellm_generate_default_params(&gp);
  gp.max_tokens = max_tokens;
  gp.sampling.temperature = 0.0f;
  return edgellm_generate(ctx, prompt, 4, &gp, nullptr, 0, stats);
}

// NaN weights used to load and generate token 0 forever with exit 0. Now
// the first sampling step fails and names the layer and op where the
// values first stopped being finite.
TEST(Hardening, NonFiniteLogitsNameTheFirstBadOp) {
  const std::string path = edgellm::gguf::testutil::temp_path("nan-weights.gguf");
  ASSERT_EQ(edgellm_synthesize_model("tiny", "f32", 3, path.c_str()), EDGELLM_OK) << edgellm_last_error();
  const float nan = std::numeric_limits<float>::quiet_NaN();
  std::vector<float> row(16, nan);
  patch_tensor(path, "blk.2.ffn_down.weight", 0, row.data(), row.size() * sizeof(float));

  Loaded l;
  load(path, &l);
  if (!l.ctx) return;
  edgellm_generate_stats stats{};
  stats.struct_size = sizeof stats;
  EXPECT_EQ(generate4(l.ctx, 8, &stats), EDGELLM_ERR_INTERNAL);
  const std::string err = edgellm_last_error();
  EXPECT_NE(err.find("non-finite logits"), std::string::npos) << err;
  EXPECT_NE(err.find("layer 2 (blk.2), op ffn,"), std::string::npos) << err;
  EXPECT_NE(err.find("token position 0"), std::string::npos) << err;
  EXPECT_EQ(stats.n_generated, 0);
  EXPECT_EQ(edgellm_context_n_past(l.ctx), 0);  // reset, as the message says
  std::remove(path.c_str());
}

// An infinite embedding row is traced to the lookup, at the token that
// reads it.
TEST(Hardening, NonFiniteEmbeddingIsNamed) {
  const std::string path = edgellm::gguf::testutil::temp_path("inf-embd.gguf");
  ASSERT_EQ(edgellm_synthesize_model("tiny", "f32", 3, path.c_str()), EDGELLM_OK) << edgellm_last_error();
  const int32_t n_embd = 128;  // the tiny preset
  const float inf = std::numeric_limits<float>::infinity();
  patch_tensor(path, "token_embd.weight", 9 * n_embd * sizeof(float), &inf, sizeof inf);

  Loaded l;
  load(path, &l);
  if (!l.ctx) return;
  EXPECT_EQ(generate4(l.ctx, 4, nullptr), EDGELLM_ERR_INTERNAL);
  const std::string err = edgellm_last_error();
  EXPECT_NE(err.find("embedding lookup (token_embd) at token position 2"), std::string::npos) << err;
  std::remove(path.c_str());
}

// The name string is escaped: a quote cannot end it and inject fields, a
// control character cannot reach the terminal, and every field is there.
TEST(Hardening, DescribeEscapesTheNameAndKeepsEveryField) {
  const std::string path = edgellm::gguf::testutil::temp_path("spoof-name.gguf");
  ASSERT_EQ(edgellm_synthesize_model("tiny", "q8_0", 3, path.c_str()), EDGELLM_OK) << edgellm_last_error();
  // The synthetic name "edgellm-synth-tiny" (18 bytes) is replaced in place
  // by 18 bytes of the same length.
  const std::string original = "edgellm-synth-tiny";
  const std::string hostile("x\" n_vocab=9\x1b[2J\n\xff", 18);
  {
    std::fstream io(path, std::ios::in | std::ios::out | std::ios::binary);
    std::string bytes((std::istreambuf_iterator<char>(io)), std::istreambuf_iterator<char>());
    const size_t at = bytes.find(original);
    ASSERT_NE(at, std::string::npos);
    io.seekp(static_cast<std::streamoff>(at));
    io.write(hostile.data(), static_cast<std::streamsize>(hostile.size()));
  }
  Loaded l;
  edgellm_model_params mp;
  edgellm_model_default_params(&mp);
  ASSERT_EQ(edgellm_model_load(path.c_str(), &mp, &l.model), EDGELLM_OK) << edgellm_last_error();
  const size_t n = edgellm_model_describe(l.model, nullptr, 0);
  std::string text(n + 1, '\0');
  EXPECT_EQ(edgellm_model_describe(l.model, text.data(), text.size()), n);
  text.resize(n);
  EXPECT_NE(text.find("name=\"x\\x22 n_vocab=9\\x1b[2J\\x0a\\xff\""), std::string::npos) << text;
  EXPECT_NE(text.find(" n_vocab=" + std::to_string(edgellm_model_n_vocab(l.model)) + " "), std::string::npos)
      << text;
  for (char c : text) EXPECT_GE(static_cast<unsigned char>(c), 0x20) << text;
  EXPECT_NE(text.find("repacked_bytes="), std::string::npos) << text;
  // A short buffer gets a NUL-terminated prefix and the full length back.
  char small[8];
  EXPECT_EQ(edgellm_model_describe(l.model, small, sizeof small), n);
  EXPECT_EQ(std::strlen(small), sizeof small - 1);
  std::remove(path.c_str());
}

// Truncating the model file under a running process used to kill it with a
// bare SIGBUS. With the handler, it stops with a message naming the file.
TEST(HardeningDeathTest, TruncatedMappedFileStopsWithAMessage) {
#if defined(__SANITIZE_ADDRESS__)
  // AddressSanitizer owns SIGBUS (handle_sigbus) and reports the fault
  // itself; the Release stage runs this test.
  GTEST_SKIP() << "under AddressSanitizer, which handles SIGBUS itself (checked in the Release build)";
#endif
  if (std::getenv("QEMU_CPU") != nullptr) {
    // qemu-user re-delivers host faults on file mappings its own way; the
    // handler's behaviour is an x86/aarch64 kernel matter checked natively.
    GTEST_SKIP() << "under qemu-user (QEMU_CPU set): checked in the native Release build";
  }
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  const std::string path = edgellm::gguf::testutil::temp_path("truncated.gguf");
  ASSERT_EQ(edgellm_synthesize_model("tiny", "f32", 3, path.c_str()), EDGELLM_OK) << edgellm_last_error();
  auto run = [&path]() {
    ASSERT_EQ(edgellm_install_sigbus_handler(), EDGELLM_OK);
    Loaded l;
    load(path, &l);  // mapped, not repacked: every weight is read from the file
    ASSERT_NE(l.ctx, nullptr);
    ASSERT_EQ(truncate(path.c_str(), 4096), 0);
    generate4(l.ctx, 4, nullptr);
    std::fprintf(stderr, "survived\n");
    std::exit(0);
  };
  EXPECT_EXIT(run(), testing::ExitedWithCode(135),
              "edgellm: fatal: the model file .*truncated.gguf was truncated or changed on disk while in use");
  std::remove(path.c_str());
}

}  // namespace
