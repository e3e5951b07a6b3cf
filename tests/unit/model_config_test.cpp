// The model config resolver and tensor binding: hyper-parameters from the
// arch-prefixed keys, and clear errors naming what is missing or wrong.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "kernels/dispatch.h"
#include "runtime/gguf/gguf.h"
#include "runtime/model/config.h"
#include "runtime/model/weights.h"

namespace {

using edgellm::DType;
using edgellm::Status;
using edgellm::StatusCode;
using edgellm::TransformerConfig;
namespace gguf = edgellm::gguf;

struct Shape {
  int embd = 64, layers = 1, heads = 4, kv_heads = 2, ff = 128, vocab = 32, ctx = 64;
};

// A minimal llama-arch file; `skip_key` / `skip_tensor` leave one out.
std::vector<uint8_t> make_file(const Shape& s, const std::string& arch = "llama",
                               const std::string& skip_key = "", const std::string& skip_tensor = "",
                               void (*extra)(gguf::Writer&) = nullptr) {
  gguf::Writer w;
  auto u32 = [&](const std::string& k, uint32_t v) {
    if (k != skip_key) w.add_u32(k, v);
  };
  if (skip_key != "general.architecture") w.add_string("general.architecture", arch);
  u32(arch + ".embedding_length", s.embd);
  u32(arch + ".block_count", s.layers);
  u32(arch + ".attention.head_count", s.heads);
  u32(arch + ".attention.head_count_kv", s.kv_heads);
  u32(arch + ".feed_forward_length", s.ff);
  u32(arch + ".context_length", s.ctx);
  if (skip_key != arch + ".attention.layer_norm_rms_epsilon") {
    w.add_f32(arch + ".attention.layer_norm_rms_epsilon", 1e-5f);
  }
  if (extra) extra(w);
  const int hd = s.embd / s.heads;
  auto tensor = [&](const std::string& name, std::vector<int64_t> ne) {
    if (name == skip_tensor) return;
    size_t n = 1;
    for (int64_t d : ne) n *= static_cast<size_t>(d);
    std::vector<float> data(n, 0.01f);
    EXPECT_TRUE(w.add_tensor(name, DType::F32, ne, data.data(), n * sizeof(float)).ok());
  };
  tensor("token_embd.weight", {s.embd, s.vocab});
  tensor("output_norm.weight", {s.embd});
  for (int il = 0; il < s.layers; ++il) {
    const std::string b = "blk." + std::to_string(il) + ".";
    tensor(b + "attn_norm.weight", {s.embd});
    tensor(b + "attn_q.weight", {s.embd, s.heads * hd});
    tensor(b + "attn_k.weight", {s.embd, s.kv_heads * hd});
    tensor(b + "attn_v.weight", {s.embd, s.kv_heads * hd});
    tensor(b + "attn_output.weight", {s.heads * hd, s.embd});
    tensor(b + "ffn_norm.weight", {s.embd});
    tensor(b + "ffn_gate.weight", {s.embd, s.ff});
    tensor(b + "ffn_up.weight", {s.embd, s.ff});
    tensor(b + "ffn_down.weight", {s.ff, s.embd});
  }
  return w.to_bytes();
}

Status resolve(const std::vector<uint8_t>& bytes, TransformerConfig* c,
               edgellm::ModelWeights* w = nullptr) {
  std::unique_ptr<gguf::File> f;
  EDGELLM_TRY(gguf::File::parse_memory(bytes.data(), bytes.size(), "m.gguf", &f));
  EDGELLM_TRY(edgellm::resolve_config(*f, c));
  if (w) EDGELLM_TRY(edgellm::bind_weights(*f, *c, edgellm::kernels::Isa::Ref, w));
  return Status::Ok();
}

TEST(ModelConfig, ResolvesHyperParameters) {
  const auto bytes = make_file(Shape{});
  TransformerConfig c;
  edgellm::ModelWeights w;
  ASSERT_TRUE(resolve(bytes, &c, &w).ok());
  EXPECT_EQ(c.n_embd, 64);
  EXPECT_EQ(c.n_head_kv, 2);
  EXPECT_EQ(c.head_dim, 16);
  EXPECT_EQ(c.n_rot, 16);
  EXPECT_EQ(c.n_vocab, 32);
  EXPECT_TRUE(c.tied_output);  // no output.weight
  EXPECT_EQ(c.rope_scaling, edgellm::RopeScaling::kNone);
  EXPECT_FLOAT_EQ(c.rope_freq_base, 10000.0f);
  ASSERT_EQ(w.layers.size(), 1u);
  EXPECT_EQ(w.output.data, w.tok_embd.data);
}

TEST(ModelConfig, LinearRopeScaling) {
  const auto bytes = make_file(Shape{}, "llama", "", "", [](gguf::Writer& w) {
    w.add_string("llama.rope.scaling.type", "linear");
    w.add_f32("llama.rope.scaling.factor", 4.0f);
    w.add_f32("llama.rope.freq_base", 500000.0f);
  });
  TransformerConfig c;
  ASSERT_TRUE(resolve(bytes, &c).ok());
  EXPECT_EQ(c.rope_scaling, edgellm::RopeScaling::kLinear);
  EXPECT_FLOAT_EQ(c.rope_freq_scale, 0.25f);
  EXPECT_FLOAT_EQ(c.rope_freq_base, 500000.0f);
}

TEST(ModelConfig, UnsupportedRopeScalingIsNamed) {
  const auto bytes = make_file(Shape{}, "llama", "", "", [](gguf::Writer& w) {
    w.add_string("llama.rope.scaling.type", "yarn");
  });
  TransformerConfig c;
  const Status st = resolve(bytes, &c);
  EXPECT_EQ(st.code(), StatusCode::kUnsupported);
  EXPECT_NE(st.message().find("yarn"), std::string::npos) << st.message();
}

TEST(ModelConfig, UnknownArchitectureListsSupported) {
  const auto bytes = make_file(Shape{}, "mamba9");
  TransformerConfig c;
  const Status st = resolve(bytes, &c);
  EXPECT_EQ(st.code(), StatusCode::kUnsupported);
  EXPECT_NE(st.message().find("unknown architecture 'mamba9'"), std::string::npos) << st.message();
  EXPECT_NE(st.message().find(std::string("supported: ") + edgellm::supported_architectures()),
            std::string::npos)
      << st.message();
}

TEST(ModelConfig, MissingKeysAreNamed) {
  for (const std::string key : {"general.architecture", "llama.embedding_length", "llama.block_count",
                                "llama.attention.head_count", "llama.feed_forward_length",
                                "llama.context_length", "llama.attention.layer_norm_rms_epsilon"}) {
    const auto bytes = make_file(Shape{}, "llama", key);
    TransformerConfig c;
    const Status st = resolve(bytes, &c);
    EXPECT_EQ(st.code(), StatusCode::kFormat) << key;
    EXPECT_NE(st.message().find("m.gguf"), std::string::npos) << st.message();
    EXPECT_NE(st.message().find(key), std::string::npos) << st.message();
  }
}

TEST(ModelConfig, MissingTensorsAreNamed) {
  for (const std::string name : {"token_embd.weight", "output_norm.weight", "blk.0.attn_k.weight",
                                 "blk.0.ffn_down.weight", "blk.0.ffn_norm.weight"}) {
    const auto bytes = make_file(Shape{}, "llama", "", name);
    TransformerConfig c;
    edgellm::ModelWeights w;
    const Status st = resolve(bytes, &c, &w);
    EXPECT_EQ(st.code(), StatusCode::kFormat) << name;
    EXPECT_NE(st.message().find("'" + name + "'"), std::string::npos) << st.message();
  }
}

TEST(ModelConfig, InconsistentHeadsRejected) {
  Shape s;
  s.kv_heads = 3;  // 4 heads are not a multiple of 3 kv heads
  TransformerConfig c;
  const Status st = resolve(make_file(s), &c);
  EXPECT_EQ(st.code(), StatusCode::kFormat);
  EXPECT_NE(st.message().find("head_count_kv"), std::string::npos) << st.message();
}

TEST(ModelConfig, WrongTensorShapeIsNamed) {
  // The metadata claims a larger feed-forward size than the tensors have.
  auto wrong = make_file(Shape{}, "llama", "llama.feed_forward_length", "", [](gguf::Writer& w) {
    w.add_u32("llama.feed_forward_length", 256);
  });
  TransformerConfig c;
  edgellm::ModelWeights w;
  const Status st = resolve(wrong, &c, &w);
  EXPECT_EQ(st.code(), StatusCode::kFormat);
  EXPECT_NE(st.message().find("blk.0.ffn_gate.weight"), std::string::npos) << st.message();
  EXPECT_NE(st.message().find("expected [64, 256]"), std::string::npos) << st.message();
}

// A small file that claims 2^22 or 2^30 blocks fails at once, naming the
// key and the blocks the file has, before anything sized by block_count is
// allocated (it used to take 6.3 GB and 23 s, or end in a bare "out of
// memory").
TEST(ModelConfig, BlockCountIsCheckedAgainstTheTensors) {
  for (uint32_t claimed : {2u, 1u << 22, 1u << 30}) {
    static uint32_t g_claimed;
    g_claimed = claimed;
    auto bytes = make_file(Shape{}, "llama", "llama.block_count", "", [](gguf::Writer& w) {
      w.add_u32("llama.block_count", g_claimed);
    });
    TransformerConfig c;
    const Status st = resolve(bytes, &c);
    EXPECT_EQ(st.code(), StatusCode::kFormat) << claimed;
    EXPECT_NE(st.message().find("llama.block_count is " + std::to_string(claimed)), std::string::npos)
        << st.message();
    EXPECT_NE(st.message().find("tensors for 1 blocks (no tensor 'blk.1.*')"), std::string::npos)
        << st.message();
  }
}

// Hyper-parameters that can only give NaN/inf are refused at load, naming
// the key.
TEST(ModelConfig, NonsensicalHyperParametersAreRefused) {
  using Extra = void (*)(gguf::Writer&);
  const struct {
    const char* key;
    Extra extra;
  } cases[] = {
      {"llama.attention.layer_norm_rms_epsilon",
       [](gguf::Writer& w) { w.add_f32("llama.attention.layer_norm_rms_epsilon", -1e-5f); }},
      {"llama.attention.layer_norm_rms_epsilon",
       [](gguf::Writer& w) { w.add_f32("llama.attention.layer_norm_rms_epsilon", 0.0f); }},
      {"llama.rope.scaling.factor",
       [](gguf::Writer& w) {
         w.add_string("llama.rope.scaling.type", "linear");
         w.add_f32("llama.rope.scaling.factor", 1e-39f);  // 1/factor overflows
       }},
      {"llama.rope.scaling.factor",
       [](gguf::Writer& w) {
         w.add_string("llama.rope.scaling.type", "linear");
         w.add_f32("llama.rope.scaling.factor", -2.0f);
       }},
  };
  for (const auto& k : cases) {
    const bool eps = std::string(k.key).find("epsilon") != std::string::npos;
    auto bytes = make_file(Shape{}, "llama", eps ? k.key : "", "", k.extra);
    TransformerConfig c;
    const Status st = resolve(bytes, &c);
    EXPECT_EQ(st.code(), StatusCode::kFormat) << k.key;
    EXPECT_NE(st.message().find(k.key), std::string::npos) << st.message();
  }
}

// A tensor with more dimensions than expected is reported with all of them
// (it used to read "has shape [256, 256], expected [256, 256]").
TEST(ModelConfig, ShapeMessageShowsEveryDimension) {
  Shape s;
  auto bytes = make_file(s, "llama", "", "blk.0.attn_q.weight", [](gguf::Writer& x) {
    std::vector<float> data(64 * 64 * 2, 0.01f);
    EXPECT_TRUE(x.add_tensor("blk.0.attn_q.weight", DType::F32, {64, 64, 2}, data.data(),
                             data.size() * sizeof(float))
                    .ok());
  });
  TransformerConfig c;
  edgellm::ModelWeights wts;
  const Status st = resolve(bytes, &c, &wts);
  EXPECT_EQ(st.code(), StatusCode::kFormat);
  EXPECT_NE(st.message().find("has shape [64, 64, 2], expected [64, 64]"), std::string::npos) << st.message();
}

}  // namespace

#include "kernels/ref/ops.h"

namespace {

// Linear RoPE scaling divides positions by the factor: rotating at position
// p with freq_scale 1/4 equals rotating at p/4 unscaled (bit-exact, since
// the factor is a power of two).
TEST(Rope, LinearScalingScalesPositions) {
  for (bool neox : {false, true}) {
    std::vector<float> a(64), b(64);
    for (int i = 0; i < 64; ++i) a[i] = b[i] = 0.01f * static_cast<float>(i * 7 % 13) - 0.05f;
    edgellm::kernels::rope_f32(a.data(), 64, 64, 40, 10000.0f, 0.25f, neox);
    edgellm::kernels::rope_f32(b.data(), 64, 64, 10, 10000.0f, 1.0f, neox);
    EXPECT_EQ(a, b);
  }
}

}  // namespace

namespace {

// Llama 3 frequency factors divide each pair's angle: factors of 2 at
// position p equal no factors at position p/2 (exact: powers of two).
TEST(Rope, FrequencyFactorsDivideAngles) {
  std::vector<float> a(64), b(64), factors(32, 2.0f);
  for (int i = 0; i < 64; ++i) a[i] = b[i] = 0.02f * static_cast<float>(i % 11) - 0.1f;
  edgellm::kernels::rope_f32(a.data(), 64, 64, 24, 500000.0f, 1.0f, false, factors.data());
  edgellm::kernels::rope_f32(b.data(), 64, 64, 12, 500000.0f, 1.0f, false, nullptr);
  EXPECT_EQ(a, b);
}

}  // namespace
