// Streaming GGUF writer (lazy tensors), synthetic real-shape presets, and the
// GGUF quantizer: bit-exact with llama-quantize on the llama fixtures, error
// bounds per type, and quantized synthetic models that load and agree with
// their F32 original.
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <map>
#include <memory>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "edgellm.h"
#include "kernels/kernels.h"
#include "runtime/gguf/gguf.h"
#include "runtime/quantize/quantize.h"
#include "runtime/synth/synth.h"
#include "test_util.h"

namespace edgellm {
namespace {

std::string tmp_path(const std::string& name) {
  return "/tmp/edgellm_sq_" + std::to_string(getpid()) + "_" + name;
}

struct TmpFile {
  explicit TmpFile(const std::string& n) : path(tmp_path(n)) {}
  ~TmpFile() { std::remove(path.c_str()); }
  std::string path;
};

// ---- writer

TEST(GgufWriterLazy, StreamedFileEqualsInMemoryImage) {
  gguf::Writer eager, lazy;
  std::vector<float> a(64), b(256 * 3);
  for (size_t i = 0; i < a.size(); ++i) a[i] = float(i);
  for (size_t i = 0; i < b.size(); ++i) b[i] = 0.5f * float(i);
  for (gguf::Writer* w : {&eager, &lazy}) w->add_string("general.architecture", "llama");
  ASSERT_TRUE(eager.add_tensor("a", DType::F32, {64}, a.data(), a.size() * 4).ok());
  ASSERT_TRUE(eager.add_tensor("b", DType::F32, {256, 3}, b.data(), b.size() * 4).ok());
  std::deque<quant::Fill> fills;
  ASSERT_TRUE(quant::add_lazy(lazy, &fills, "a", DType::F32, {64}, [&](uint8_t* d, size_t n) {
                std::memcpy(d, a.data(), n);
                return Status::Ok();
              }).ok());
  ASSERT_TRUE(quant::add_lazy(lazy, &fills, "b", DType::F32, {256, 3}, [&](uint8_t* d, size_t n) {
                std::memcpy(d, b.data(), n);
                return Status::Ok();
              }).ok());
  EXPECT_EQ(eager.to_bytes(), lazy.to_bytes());
  TmpFile f("lazy.gguf");
  int calls = 0;
  uint64_t last = 0, total = 0;
  auto cb = [&](uint64_t done, uint64_t tot, const std::string&) {
    ++calls;
    last = done;
    total = tot;
  };
  using Cb = decltype(cb);
  lazy.set_progress(
      [](void* ctx, uint64_t done, uint64_t tot, const char* n) { (*static_cast<Cb*>(ctx))(done, tot, n); },
      &cb);
  ASSERT_TRUE(lazy.write(f.path).ok());
  EXPECT_EQ(calls, 2);
  EXPECT_EQ(last, total);
  std::unique_ptr<gguf::File> g;
  ASSERT_TRUE(gguf::File::open(f.path, &g).ok());
  ASSERT_NE(g->tensor("b"), nullptr);
  EXPECT_EQ(std::memcmp(g->tensor("b")->data, b.data(), b.size() * 4), 0);
}

TEST(GgufWriterLazy, FailingFillAbortsAndRemovesFile) {
  gguf::Writer w;
  std::deque<quant::Fill> fills;
  ASSERT_TRUE(quant::add_lazy(w, &fills, "x", DType::F32, {32}, [](uint8_t*, size_t) {
                return Errorf(StatusCode::kInternal, "boom");
              }).ok());
  TmpFile f("fail.gguf");
  const Status st = w.write(f.path);
  EXPECT_FALSE(st.ok());
  EXPECT_NE(st.message().find("boom"), std::string::npos);
  EXPECT_NE(access(f.path.c_str(), F_OK), 0);
  EXPECT_FALSE(quant::add_lazy(w, &fills, "x", DType::Q4_0, {33}, fills.back()).ok());
}

// ---- type choice

TEST(QuantTypeChooser, LlamaQ4KMRules) {
  quant::Target t{};
  ASSERT_TRUE(quant::parse_target("Q4_K_M", &t).ok());
  std::vector<std::string> names = {"token_embd.weight", "output.weight"};
  for (int i = 0; i < 8; ++i) {
    names.push_back("blk." + std::to_string(i) + ".attn_v.weight");
    names.push_back("blk." + std::to_string(i) + ".ffn_down.weight");
  }
  quant::TypeChooser c(t, names, 4);
  const int64_t ne[2] = {512, 512};
  EXPECT_EQ(c.choose("token_embd.weight", 2, ne, DType::F32), DType::Q4_K);
  EXPECT_EQ(c.choose("output.weight", 2, ne, DType::F32), DType::Q6_K);
  std::string v_types, d_types;
  for (int i = 0; i < 8; ++i) {
    v_types += c.choose("blk." + std::to_string(i) + ".attn_v.weight", 2, ne, DType::F32) == DType::Q6_K ? '6' : '4';
    d_types += c.choose("blk." + std::to_string(i) + ".ffn_down.weight", 2, ne, DType::F32) == DType::Q6_K ? '6' : '4';
  }
  EXPECT_EQ(v_types, "64464466");  // use_more_bits: first/last eighth, every third
  EXPECT_EQ(d_types, v_types);
  const int64_t odd[2] = {896, 64};  // not a multiple of 256: Q4_K -> Q5_0
  EXPECT_EQ(c.choose("blk.0.attn_q.weight", 2, odd, DType::F32), DType::Q5_0);
  const int64_t norm[1] = {512};
  EXPECT_EQ(c.choose("blk.0.attn_norm.weight", 1, norm, DType::F32), DType::F32);
  const int64_t conv[2] = {3, 512};
  EXPECT_EQ(c.choose("blk.0.shortconv.conv.weight", 2, conv, DType::F32), DType::F32);
  EXPECT_FALSE(quant::parse_target("q7_x", &t).ok());
}

// ---- quantizer vs llama-quantize

TEST(QuantizeFile, MatchesLlamaQuantizeOnFixtures) {
  const std::string dir = fixtures_dir();
  if (dir.empty()) GTEST_SKIP() << "shared fixtures not found (set EDGELLM_FIXTURES)";
  for (const char* type : {"q4_0", "q4_1", "q5_0", "q5_1", "q8_0", "q2_k", "q3_k_m", "q4_k_m",
                           "q5_k_m", "q6_k", "f16", "bf16"}) {
    TmpFile out(std::string("fx_") + type + ".gguf");
    quant::FileStats stats;
    ASSERT_TRUE(quant::quantize_file(dir + "/models/llama-f32.gguf", out.path, type, 2, nullptr,
                                     &stats).ok()) << type;
    std::unique_ptr<gguf::File> mine, ref;
    ASSERT_TRUE(gguf::File::open(out.path, &mine).ok());
    ASSERT_TRUE(gguf::File::open(dir + "/models/llama-" + type + ".gguf", &ref).ok());
    ASSERT_EQ(mine->tensors().size(), ref->tensors().size()) << type;
    for (const gguf::TensorInfo& r : ref->tensors()) {
      const gguf::TensorInfo* m = mine->tensor(r.name);
      ASSERT_NE(m, nullptr) << type << " " << r.name;
      EXPECT_EQ(m->type, r.type) << type << " " << r.name;
      ASSERT_EQ(m->n_bytes, r.n_bytes) << type << " " << r.name;
      EXPECT_EQ(std::memcmp(m->data, r.data, r.n_bytes), 0) << type << " " << r.name;
    }
    uint32_t ft = 0, ref_ft = 1;
    ASSERT_TRUE(mine->get_u32("general.file_type", &ft).ok());
    ASSERT_TRUE(ref->get_u32("general.file_type", &ref_ft).ok());
    EXPECT_EQ(ft, ref_ft) << type;
    std::string tok;
    EXPECT_TRUE(mine->get_string("tokenizer.ggml.model", &tok).ok());
    EXPECT_EQ(tok, "llama");
  }
}

TEST(QuantizeFile, RejectsQuantizedInputAndBadType) {
  const std::string dir = fixtures_dir();
  if (dir.empty()) GTEST_SKIP() << "shared fixtures not found";
  TmpFile out("bad.gguf");
  EXPECT_FALSE(quant::quantize_file(dir + "/models/llama-q4_0.gguf", out.path, "q8_0", 1, nullptr,
                                    nullptr).ok());
  EXPECT_FALSE(quant::quantize_file(dir + "/models/llama-f32.gguf", out.path, "q9", 1, nullptr,
                                    nullptr).ok());
  EXPECT_EQ(edgellm_quantize_model(nullptr, out.path.c_str(), "q8_0", 1, nullptr, nullptr),
            EDGELLM_ERR_INVALID_ARGUMENT);
}

// Round-trip error per type through the file quantizer (a 2-D Gaussian tensor).
TEST(QuantizeFile, RoundTripErrorBoundPerType) {
  TmpFile in("rt_in.gguf");
  gguf::Writer w;
  w.add_string("general.architecture", "llama");
  std::mt19937 rng(5);
  std::normal_distribution<float> nd(0.f, 0.05f);
  std::vector<float> x(512 * 64);
  for (float& v : x) v = nd(rng);
  ASSERT_TRUE(w.add_tensor("blk.0.ffn_up.weight", DType::F32, {512, 64}, x.data(), x.size() * 4).ok());
  ASSERT_TRUE(w.write(in.path).ok());
  const std::map<std::string, double> bound = {
      {"f16", 1e-3}, {"bf16", 6e-3}, {"q8_0", 0.006}, {"q6_k", 0.025}, {"q5_1", 0.05},
      {"q5_0", 0.05}, {"q5_k", 0.05}, {"q4_1", 0.11}, {"q4_0", 0.11}, {"q4_k", 0.10},
      {"q3_k", 0.21}, {"q2_k", 0.40}};
  for (const auto& [type, b] : bound) {
    TmpFile out("rt_" + type + ".gguf");
    ASSERT_EQ(edgellm_quantize_model(in.path.c_str(), out.path.c_str(), type.c_str(), 2, nullptr,
                                     nullptr), EDGELLM_OK) << edgellm_last_error();
    std::unique_ptr<gguf::File> g;
    ASSERT_TRUE(gguf::File::open(out.path, &g).ok());
    const gguf::TensorInfo* t = g->tensor("blk.0.ffn_up.weight");
    ASSERT_NE(t, nullptr);
    std::vector<float> y(x.size());
    kernels::ref_traits(t->type)->to_float(t->data, y.data(), static_cast<int64_t>(y.size()));
    double num = 0, den = 0;
    for (size_t i = 0; i < x.size(); ++i) {
      num += (double(y[i]) - x[i]) * (double(y[i]) - x[i]);
      den += double(x[i]) * x[i];
    }
    EXPECT_LT(std::sqrt(num / den), b) << type;
  }
}

// ---- synthetic presets

struct Expect {
  const char* preset;
  const char* arch;
  int64_t n_vocab;
  std::vector<std::string> must_have;
  std::vector<std::string> must_not_have;
};

TEST(Synth, SmallPresetsFollowLlamaCppConventions) {
  const std::vector<Expect> cases = {
      {"tiny-llama3", "llama", 2048, {"rope_freqs.weight", "blk.1.ffn_down.weight"}, {"output.weight"}},
      {"tiny-qwen2", "qwen2", 2048, {"blk.0.attn_q.bias", "blk.0.attn_v.bias"}, {"output.weight"}},
      {"tiny-qwen3", "qwen3", 2048, {"blk.0.attn_q_norm.weight", "blk.1.attn_k_norm.weight"}, {"blk.0.attn_q.bias"}},
      {"tiny-gemma3", "gemma3", 2048, {"blk.2.post_attention_norm.weight", "blk.2.post_ffw_norm.weight", "blk.0.attn_k_norm.weight"}, {"output.weight"}},
      {"tiny-lfm2", "lfm2", 2048, {"token_embd_norm.weight", "blk.0.shortconv.conv.weight", "blk.0.shortconv.in_proj.weight", "blk.1.attn_q_norm.weight"}, {"blk.0.attn_q.weight", "output_norm.weight"}},
  };
  for (const Expect& e : cases) {
    TmpFile f(std::string(e.preset) + ".gguf");
    ASSERT_EQ(edgellm_synthesize_model(e.preset, "q4_k_m", 1, f.path.c_str()), EDGELLM_OK)
        << edgellm_last_error();
    std::unique_ptr<gguf::File> g;
    ASSERT_TRUE(gguf::File::open(f.path, &g).ok());
    std::string arch;
    ASSERT_TRUE(g->get_string("general.architecture", &arch).ok());
    EXPECT_EQ(arch, e.arch);
    const gguf::Value* toks = g->find("tokenizer.ggml.tokens");
    ASSERT_NE(toks, nullptr);
    EXPECT_EQ(static_cast<int64_t>(toks->array.size()), e.n_vocab) << e.preset;
    EXPECT_EQ(g->tensor("token_embd.weight")->ne[1], e.n_vocab);
    for (const std::string& n : e.must_have) EXPECT_NE(g->tensor(n), nullptr) << e.preset << " " << n;
    for (const std::string& n : e.must_not_have) EXPECT_EQ(g->tensor(n), nullptr) << e.preset << " " << n;
    // Tied output head: token_embd takes the output rule (Q6_K, or Q8_0 when rows don't fit).
    EXPECT_EQ(g->tensor("token_embd.weight")->type, DType::Q6_K) << e.preset;
    // BPE merges: both parts and the result are tokens, no duplicates.
    std::string model;
    ASSERT_TRUE(g->get_string("tokenizer.ggml.model", &model).ok());
    if (model == "gpt2") {
      std::set<std::string_view> vocab;
      for (const gguf::Value& v : toks->array) vocab.insert(v.str);
      EXPECT_EQ(vocab.size(), toks->array.size()) << e.preset;
      const gguf::Value* merges = g->find("tokenizer.ggml.merges");
      ASSERT_NE(merges, nullptr);
      EXPECT_GT(merges->array.size(), 1000u);
      for (const gguf::Value& m : merges->array) {
        const std::string s(m.str);
        const size_t sp = s.find(' ');
        ASSERT_NE(sp, std::string::npos);
        ASSERT_TRUE(vocab.count(s.substr(0, sp)) && vocab.count(s.substr(sp + 1)) &&
                    vocab.count(s.substr(0, sp) + s.substr(sp + 1))) << s;
      }
    }
    // lfm2: per-layer kv head counts, 0 on conv layers.
    if (arch == "lfm2") {
      const gguf::Value* kv = g->find("lfm2.attention.head_count_kv");
      ASSERT_NE(kv, nullptr);
      ASSERT_EQ(kv->array.size(), 4u);
      EXPECT_EQ(kv->array[0].u64, 0u);
      EXPECT_EQ(kv->array[1].u64, 2u);
      EXPECT_EQ(g->tensor("blk.0.shortconv.conv.weight")->type, DType::F32);
    }
  }
}

TEST(Synth, DeterministicAndSeedDependent) {
  TmpFile a("det_a.gguf"), b("det_b.gguf"), c("det_c.gguf");
  ASSERT_EQ(edgellm_synthesize_model("tiny-qwen3", "q8_0", 9, a.path.c_str()), EDGELLM_OK);
  ASSERT_EQ(edgellm_synthesize_model("tiny-qwen3", "q8_0", 9, b.path.c_str()), EDGELLM_OK);
  ASSERT_EQ(edgellm_synthesize_model("tiny-qwen3", "q8_0", 10, c.path.c_str()), EDGELLM_OK);
  std::unique_ptr<gguf::File> ga, gb, gc;
  ASSERT_TRUE(gguf::File::open(a.path, &ga).ok());
  ASSERT_TRUE(gguf::File::open(b.path, &gb).ok());
  ASSERT_TRUE(gguf::File::open(c.path, &gc).ok());
  ASSERT_EQ(ga->file_size(), gb->file_size());
  EXPECT_EQ(std::memcmp(ga->bytes(), gb->bytes(), ga->file_size()), 0);
  EXPECT_NE(std::memcmp(ga->tensor("blk.0.attn_q.weight")->data, gc->tensor("blk.0.attn_q.weight")->data,
                        ga->tensor("blk.0.attn_q.weight")->n_bytes), 0);
}

TEST(Synth, EveryTypeWritesAndBadArgumentsFail) {
  for (const char* type : {"f32", "f16", "bf16", "q8_0", "q4_0", "q4_1", "q5_0", "q5_1", "q2_k",
                           "q3_k", "q3_k_m", "q4_k", "q4_k_m", "q5_k", "q5_k_m", "q6_k"}) {
    TmpFile f(std::string("every_") + type + ".gguf");
    EXPECT_EQ(edgellm_synthesize_model("tiny-llama3", type, 1, f.path.c_str()), EDGELLM_OK)
        << type << ": " << edgellm_last_error();
  }
  TmpFile f("bad.gguf");
  EXPECT_EQ(edgellm_synthesize_model("nope", "f32", 1, f.path.c_str()), EDGELLM_ERR_INVALID_ARGUMENT);
  EXPECT_EQ(edgellm_synthesize_model("tiny", "q9_9", 1, f.path.c_str()), EDGELLM_ERR_INVALID_ARGUMENT);
}

// Logits of the last prompt position.
std::vector<float> last_logits(const std::string& path, const std::vector<edgellm_token>& toks) {
  edgellm_model* m = nullptr;
  edgellm_model_params mp;
  edgellm_model_default_params(&mp);
  EXPECT_EQ(edgellm_model_load(path.c_str(), &mp, &m), EDGELLM_OK) << edgellm_last_error();
  if (!m) return {};
  edgellm_context_params cp;
  edgellm_context_default_params(&cp);
  cp.n_ctx = 128;
  cp.n_threads = 2;
  edgellm_context* ctx = nullptr;
  EXPECT_EQ(edgellm_context_create(m, &cp, &ctx), EDGELLM_OK) << edgellm_last_error();
  std::vector<float> out;
  if (ctx && edgellm_evaluate(ctx, toks.data(), toks.size(), 0) == EDGELLM_OK) {
    const float* l = edgellm_get_logits(ctx, -1);
    out.assign(l, l + edgellm_model_n_vocab(m));
  }
  edgellm_context_free(ctx);
  edgellm_model_free(m);
  return out;
}

std::vector<int> top_k(const std::vector<float>& l, int k) {
  std::vector<int> idx(l.size());
  for (size_t i = 0; i < idx.size(); ++i) idx[i] = static_cast<int>(i);
  std::partial_sort(idx.begin(), idx.begin() + k, idx.end(), [&](int a, int b) { return l[a] > l[b]; });
  idx.resize(k);
  return idx;
}

// Quantized synthetic llama models (from the F32 one through the quantizer)
// load and give finite logits whose top-10 overlaps the F32 model's.
TEST(QuantizeFile, QuantizedSyntheticModelsAgreeWithF32) {
  TmpFile f32("agree_f32.gguf");
  ASSERT_EQ(edgellm_synthesize_model("tiny-llama3", "f32", 4, f32.path.c_str()), EDGELLM_OK);
  const std::vector<edgellm_token> toks = {2000, 17, 300, 1500, 42, 999, 640, 1234};
  const std::vector<float> ref = last_logits(f32.path, toks);
  ASSERT_EQ(ref.size(), 2048u);
  double sd = 0, mean = 0;
  for (float v : ref) mean += v;
  mean /= ref.size();
  for (float v : ref) sd += (v - mean) * (v - mean);
  sd = std::sqrt(sd / ref.size());
  EXPECT_GT(sd, 1.0);  // non-degenerate logits
  const std::vector<int> ref_top = top_k(ref, 10);
  const std::map<std::string, int> min_overlap = {
      {"f16", 9}, {"bf16", 8}, {"q8_0", 8}, {"q6_k", 6}, {"q5_k_m", 5}, {"q5_0", 5},
      {"q4_k_m", 4}, {"q4_0", 4}, {"q3_k_m", 2}, {"q2_k", 1}};
  for (const auto& [type, need] : min_overlap) {
    TmpFile q("agree_" + type + ".gguf");
    ASSERT_EQ(edgellm_quantize_model(f32.path.c_str(), q.path.c_str(), type.c_str(), 2, nullptr,
                                     nullptr), EDGELLM_OK) << edgellm_last_error();
    const std::vector<float> l = last_logits(q.path, toks);
    ASSERT_EQ(l.size(), ref.size()) << type;
    for (float v : l) ASSERT_TRUE(std::isfinite(v)) << type;
    const std::vector<int> top = top_k(l, 10);
    int overlap = 0;
    for (int t : top) overlap += std::count(ref_top.begin(), ref_top.end(), t) > 0;
    EXPECT_GE(overlap, need) << type;
  }
}

}  // namespace
}  // namespace edgellm

namespace edgellm {
namespace {

// Weight bytes a decode step reads: every matrix; the embedding only when tied.
TEST(BenchApi, WeightBytesPerToken) {
  for (const char* preset : {"tiny", "tiny-llama3"}) {
    TmpFile f(std::string("wb_") + preset + ".gguf");
    ASSERT_EQ(edgellm_synthesize_model(preset, "q8_0", 1, f.path.c_str()), EDGELLM_OK);
    std::unique_ptr<gguf::File> g;
    ASSERT_TRUE(gguf::File::open(f.path, &g).ok());
    const bool tied = g->tensor("output.weight") == nullptr;
    uint64_t expect = 0;
    for (const gguf::TensorInfo& t : g->tensors()) {
      if (t.n_dims >= 2 && (tied || t.name != "token_embd.weight")) expect += t.n_bytes;
    }
    edgellm_model* m = nullptr;
    ASSERT_EQ(edgellm_model_load(f.path.c_str(), nullptr, &m), EDGELLM_OK) << edgellm_last_error();
    EXPECT_EQ(edgellm_model_weight_bytes_per_token(m), expect) << preset;
    edgellm_model_free(m);
  }
  EXPECT_EQ(edgellm_model_weight_bytes_per_token(nullptr), 0u);
}

}  // namespace
}  // namespace edgellm
