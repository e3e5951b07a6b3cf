#include "runtime/synth/synth.h"

#include <cmath>
#include <cstring>
#include <memory>
#include <numbers>
#include <vector>

#include "kernels/kernels.h"
#include "runtime/gguf/gguf.h"
#include "runtime/quantize/quantize.h"
#include "runtime/synth/synth_vocab.h"

namespace edgellm {
namespace {

enum class VocabStyle { kTiny, kSpm, kGpt2 };
enum class Special { kNone, kLlama2, kLlama3, kQwen2, kQwen3, kSmolLM2, kGemma3, kLfm2 };

// Shapes and hyper-parameters as in the models' config.json / llama.cpp GGUFs.
struct Preset {
  const char* name;
  const char* arch;
  int64_t n_embd, n_layer, n_head, n_head_kv, head_dim, n_ff, n_vocab, n_vocab_real;
  uint32_t n_ctx;
  float rope_base, rms_eps;
  bool tied;
  VocabStyle vocab;
  const char* pre;
  Special special;
  bool qkv_bias = false, qk_norm = false, post_norms = false, llama3_rope = false;
  uint32_t sliding_window = 0, swa_pattern = 0;
  float rope_base_swa = 0;
  uint32_t conv_l_cache = 0;
  uint32_t attn_layer_mask = 0;  // lfm2: bit i set = layer i is attention (else short conv)
};

// clang-format off
const Preset kPresets[] = {
    {"tiny", "llama", 128, 4, 4, 2, 32, 256, 0, 0, 512, 1e4f, 1e-5f, false, VocabStyle::kTiny, "default", Special::kLlama2},
    {"tinyllama-1.1b", "llama", 2048, 22, 32, 4, 64, 5632, 32000, 32000, 2048, 1e4f, 1e-5f, false,
     VocabStyle::kSpm, "default", Special::kLlama2},
    {"llama-3.2-1b", "llama", 2048, 16, 32, 8, 64, 8192, 128256, 128256, 131072, 5e5f, 1e-5f, true,
     VocabStyle::kGpt2, "llama-bpe", Special::kLlama3, false, false, false, true},
    {"qwen2.5-0.5b", "qwen2", 896, 24, 14, 2, 64, 4864, 151936, 151665, 32768, 1e6f, 1e-6f, true,
     VocabStyle::kGpt2, "qwen2", Special::kQwen2, true},
    {"qwen3-0.6b", "qwen3", 1024, 28, 16, 8, 128, 3072, 151936, 151669, 40960, 1e6f, 1e-6f, true,
     VocabStyle::kGpt2, "qwen2", Special::kQwen3, false, true},
    {"smollm2-135m", "llama", 576, 30, 9, 3, 64, 1536, 49152, 49152, 8192, 1e5f, 1e-5f, true,
     VocabStyle::kGpt2, "smollm", Special::kSmolLM2},
    // SmolLM2-135M's layers with a 32000-token SPM vocabulary (124.6 M
    // parameters): the model behind arm-insn's llama.cpp instruction counts.
    {"smollm2-135m-32k", "llama", 576, 30, 9, 3, 64, 1536, 32000, 32000, 8192, 1e5f, 1e-5f, true,
     VocabStyle::kSpm, "default", Special::kLlama2},
    {"gemma-3-1b", "gemma3", 1152, 26, 4, 1, 256, 6912, 262144, 262144, 32768, 1e6f, 1e-6f, true,
     VocabStyle::kSpm, "default", Special::kGemma3, false, true, true, false, 512, 6, 1e4f},
    {"lfm2-350m", "lfm2", 1024, 16, 16, 8, 64, 4608, 65536, 65536, 128000, 1e6f, 1e-5f, true,
     VocabStyle::kGpt2, "lfm2", Special::kLfm2, false, true, false, false, 0, 0, 0, 3,
     (1u << 2) | (1u << 5) | (1u << 8) | (1u << 10) | (1u << 12) | (1u << 14)},
    // Small versions of the real-shape presets' architectures, for tests.
    {"tiny-llama3", "llama", 256, 2, 4, 2, 64, 512, 2048, 2048, 1024, 5e5f, 1e-5f, true,
     VocabStyle::kGpt2, "llama-bpe", Special::kLlama3, false, false, false, true},
    {"tiny-qwen2", "qwen2", 256, 2, 4, 2, 64, 512, 2048, 2000, 1024, 1e6f, 1e-6f, true,
     VocabStyle::kGpt2, "qwen2", Special::kQwen2, true},
    {"tiny-qwen3", "qwen3", 256, 2, 4, 2, 64, 512, 2048, 2000, 1024, 1e6f, 1e-6f, true,
     VocabStyle::kGpt2, "qwen2", Special::kQwen3, false, true},
    {"tiny-gemma3", "gemma3", 256, 3, 4, 2, 64, 512, 2048, 2048, 1024, 1e6f, 1e-6f, true,
     VocabStyle::kSpm, "default", Special::kGemma3, false, true, true, false, 8, 3, 1e4f},
    {"tiny-lfm2", "lfm2", 256, 4, 4, 2, 64, 512, 2048, 2048, 1024, 1e6f, 1e-5f, true,
     VocabStyle::kGpt2, "lfm2", Special::kLfm2, false, true, false, false, 0, 0, 0, 3,
     (1u << 1) | (1u << 3)},
};
// clang-format on

// Deterministic normal variates: splitmix64 + Box-Muller, seeded per row so
// tensors can be generated in any order and rows in parallel.
class Rng {
 public:
  explicit Rng(uint64_t seed) : state_(seed) {}
  double uniform() { return (static_cast<double>(next() >> 11) + 0.5) * 0x1.0p-53; }
  float normal() {
    const double u1 = uniform(), u2 = uniform();
    return static_cast<float>(std::sqrt(-2.0 * std::log(u1)) * std::cos(6.283185307179586 * u2));
  }
  uint64_t next() {
    uint64_t z = (state_ += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
  }

 private:
  uint64_t state_;
};

// splitmix64's finalizer: decorrelates nearby seeds (row r and r+1 must not
// start one step apart on the same sequence).
uint64_t mix64(uint64_t z) {
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return z ^ (z >> 31);
}

uint64_t hash_name(const std::string& s) {
  uint64_t h = 1469598103934665603ull;  // FNV-1a
  for (unsigned char c : s) h = (h ^ c) * 1099511628211ull;
  return h;
}

std::vector<SpecialToken> specials_of(Special s, int64_t n_real) {
  std::vector<SpecialToken> v;
  switch (s) {
    case Special::kNone: break;
    case Special::kLlama2: v = {{0, "<unk>", 2}, {1, "<s>", 3}, {2, "</s>", 3}}; break;
    case Special::kGemma3:
      v = {{0, "<pad>", 3}, {1, "<eos>", 3}, {2, "<bos>", 3}, {3, "<unk>", 2},
           {4, "<mask>", 4}, {5, "<start_of_turn>", 3}, {6, "<end_of_turn>", 3}};
      break;
    case Special::kLlama3: {
      const int64_t b = n_real - 256;
      const char* named[] = {"<|begin_of_text|>", "<|end_of_text|>", nullptr, nullptr,
                             "<|finetune_right_pad_id|>", nullptr, "<|start_header_id|>",
                             "<|end_header_id|>", "<|eom_id|>", "<|eot_id|>", "<|python_tag|>"};
      int reserved = 0;
      for (int i = 0; i < 256; ++i) {
        std::string t = i < 11 && named[i] ? named[i]
                                           : "<|reserved_special_token_" + std::to_string(reserved++) + "|>";
        v.push_back({static_cast<int32_t>(b + i), t, 3});
      }
      break;
    }
    case Special::kQwen2:
    case Special::kQwen3: {
      const char* names[] = {"<|endoftext|>", "<|im_start|>", "<|im_end|>", "<|object_ref_start|>",
                             "<|object_ref_end|>", "<|box_start|>", "<|box_end|>", "<|quad_start|>",
                             "<|quad_end|>", "<|vision_start|>", "<|vision_end|>", "<|vision_pad|>",
                             "<|image_pad|>", "<|video_pad|>", "<tool_call>", "</tool_call>",
                             "<|fim_prefix|>", "<|fim_middle|>", "<|fim_suffix|>", "<|fim_pad|>",
                             "<|repo_name|>", "<|file_sep|>", "<tool_response>", "</tool_response>",
                             "<think>", "</think>"};
      const int count = s == Special::kQwen3 ? 26 : 22;
      const int64_t b = n_real - count;
      for (int i = 0; i < count; ++i) {
        const bool user = i >= 14 && (i < 16 || i >= 22);  // tool/think tags are user-defined
        v.push_back({static_cast<int32_t>(b + i), names[i], user ? 4 : 3});
      }
      break;
    }
    case Special::kSmolLM2: {
      const char* names[] = {"<|endoftext|>", "<|im_start|>", "<|im_end|>", "<repo_name>",
                             "<reponame>", "<file_sep>", "<filename>", "<gh_stars>",
                             "<issue_start>", "<issue_comment>", "<issue_closed>",
                             "<jupyter_start>", "<jupyter_text>", "<jupyter_code>",
                             "<jupyter_output>", "<jupyter_script>", "<empty_output>"};
      for (int i = 0; i < 17; ++i) v.push_back({i, names[i], 3});
      break;
    }
    case Special::kLfm2: {
      const char* names[] = {"<|pad|>", "<|startoftext|>", "<|endoftext|>", "<|fim_pre|>",
                             "<|fim_mid|>", "<|fim_suf|>", "<|im_start|>", "<|im_end|>",
                             "<|tool_list_start|>", "<|tool_list_end|>", "<|tool_call_start|>",
                             "<|tool_call_end|>", "<|tool_response_start|>", "<|tool_response_end|>"};
      for (int i = 0; i < 14; ++i) v.push_back({i, names[i], 3});
      break;
    }
  }
  return v;
}

struct TokenIds {
  int64_t bos = -1, eos = -1, unk = -1, pad = -1;
  bool add_bos = false;
};

TokenIds token_ids(Special s, int64_t n_real) {
  switch (s) {
    case Special::kLlama2: return {1, 2, 0, -1, true};
    case Special::kGemma3: return {2, 1, 3, 0, true};
    case Special::kLlama3: return {n_real - 256, n_real - 256 + 9, -1, -1, true};
    case Special::kQwen2: return {n_real - 22, n_real - 20, -1, n_real - 22, false};
    case Special::kQwen3: return {n_real - 26, n_real - 24, -1, n_real - 26, false};
    case Special::kSmolLM2: return {1, 2, 0, 2, false};
    case Special::kLfm2: return {1, 7, -1, 0, true};
    case Special::kNone: break;
  }
  return {};
}

// One tensor to generate: values N(mean, std^2) (or a fixed function).
struct TensorSpec {
  std::string name;
  std::vector<int64_t> ne;
  float mean = 0, std_dev = 1;
  std::vector<float> fixed;  // exact values (rope_freqs), if non-empty
};

// llama3 rope scaling factors (factor 32, low 1, high 4, original 8192), as
// llama.cpp's converter writes them into rope_freqs.weight.
std::vector<float> llama3_rope_factors(int64_t head_dim, float base) {
  const double factor = 32, low = 1, high = 4, orig = 8192;
  const double low_wavelen = orig / low, high_wavelen = orig / high;
  std::vector<float> f;
  for (int64_t i = 0; i < head_dim; i += 2) {
    const double freq = 1.0 / std::pow(static_cast<double>(base), static_cast<double>(i) / head_dim);
    const double wavelen = 2 * std::numbers::pi / freq;
    if (wavelen < high_wavelen) {
      f.push_back(1.0f);
    } else if (wavelen > low_wavelen) {
      f.push_back(static_cast<float>(factor));
    } else {
      const double smooth = (orig / wavelen - low) / (high - low);
      f.push_back(static_cast<float>(1.0 / ((1 - smooth) / factor + smooth)));
    }
  }
  return f;
}

std::vector<TensorSpec> tensor_specs(const Preset& p, int64_t n_vocab) {
  std::vector<TensorSpec> t;
  const int64_t d = p.n_embd, ff = p.n_ff, hd = p.head_dim;
  const int64_t q_dim = p.n_head * hd, kv_dim = p.n_head_kv * hd;
  const float s_d = 1.0f / std::sqrt(static_cast<float>(d));
  const float s_ff = 1.0f / std::sqrt(static_cast<float>(ff));
  const float s_q = 1.0f / std::sqrt(static_cast<float>(q_dim));
  const bool gemma = std::strcmp(p.arch, "gemma3") == 0;
  const bool lfm2 = std::strcmp(p.arch, "lfm2") == 0;
  // Logits with std ~4.5. Tied heads: a small embedding (the current token
  // does not dominate its own logit) and a large final-norm weight.
  const float embd_std = p.tied ? (gemma ? 1.0f / d : s_d) : 1.0f;
  const float final_norm = p.tied ? (gemma ? 4.5f * std::sqrt(static_cast<float>(d)) : 4.5f) : 1.0f;
  const float qk = p.qk_norm ? 1.0f : 1.7f;  // q/k norms carry the 1.7 instead
  t.push_back({"token_embd.weight", {d, n_vocab}, 0, embd_std, {}});
  if (p.llama3_rope) t.push_back({"rope_freqs.weight", {hd / 2}, 0, 0, llama3_rope_factors(hd, p.rope_base)});
  if (lfm2) {
    t.push_back({"token_embd_norm.weight", {d}, final_norm, 0.1f * final_norm, {}});
  } else {
    t.push_back({"output_norm.weight", {d}, final_norm, 0.1f * final_norm, {}});
  }
  const float out_std = (p.vocab == VocabStyle::kTiny ? 4.0f : 4.5f) * s_d;
  if (!p.tied) t.push_back({"output.weight", {d, n_vocab}, 0, out_std, {}});
  for (int64_t il = 0; il < p.n_layer; ++il) {
    const std::string b = "blk." + std::to_string(il) + ".";
    t.push_back({b + "attn_norm.weight", {d}, 1.0f, 0.1f, {}});
    const bool attn = !lfm2 || ((p.attn_layer_mask >> il) & 1u);
    if (attn) {
      t.push_back({b + "attn_q.weight", {d, q_dim}, 0, qk * s_d, {}});
      t.push_back({b + "attn_k.weight", {d, kv_dim}, 0, qk * s_d, {}});
      t.push_back({b + "attn_v.weight", {d, kv_dim}, 0, s_d, {}});
      if (p.qkv_bias) {
        t.push_back({b + "attn_q.bias", {q_dim}, 0, 0.1f, {}});
        t.push_back({b + "attn_k.bias", {kv_dim}, 0, 0.1f, {}});
        t.push_back({b + "attn_v.bias", {kv_dim}, 0, 0.1f, {}});
      }
      t.push_back({b + "attn_output.weight", {q_dim, d}, 0, s_q, {}});
      if (p.qk_norm) {
        t.push_back({b + "attn_q_norm.weight", {hd}, 1.7f, 0.17f, {}});
        t.push_back({b + "attn_k_norm.weight", {hd}, 1.7f, 0.17f, {}});
      }
    } else {
      t.push_back({b + "shortconv.conv.weight", {static_cast<int64_t>(p.conv_l_cache), d}, 0,
                   1.0f / std::sqrt(static_cast<float>(p.conv_l_cache)), {}});
      t.push_back({b + "shortconv.in_proj.weight", {d, 3 * d}, 0, s_d, {}});
      t.push_back({b + "shortconv.out_proj.weight", {d, d}, 0, s_d, {}});
    }
    if (p.post_norms) t.push_back({b + "post_attention_norm.weight", {d}, 1.0f, 0.1f, {}});
    t.push_back({b + "ffn_norm.weight", {d}, 1.0f, 0.1f, {}});
    t.push_back({b + "ffn_gate.weight", {d, ff}, 0, s_d, {}});
    t.push_back({b + "ffn_up.weight", {d, ff}, 0, s_d, {}});
    t.push_back({b + "ffn_down.weight", {ff, d}, 0, s_ff, {}});
    if (p.post_norms) t.push_back({b + "post_ffw_norm.weight", {d}, 1.0f, 0.1f, {}});
  }
  return t;
}

void add_metadata(gguf::Writer& w, const Preset& p, const quant::Target& target,
                  const SynthVocab& vocab) {
  const std::string a = p.arch;
  const int64_t n_vocab = static_cast<int64_t>(vocab.tokens.size());
  w.add_string("general.architecture", a);
  w.add_string("general.name", std::string("edgellm-synth-") + p.name);
  w.add_u32("general.file_type", target.file_type);
  if (target.base != DType::F32 && target.base != DType::F16 && target.base != DType::BF16) {
    w.add_u32("general.quantization_version", 2);
  }
  w.add_u32(a + ".vocab_size", static_cast<uint32_t>(n_vocab));
  w.add_u32(a + ".context_length", p.n_ctx);
  w.add_u32(a + ".embedding_length", static_cast<uint32_t>(p.n_embd));
  w.add_u32(a + ".block_count", static_cast<uint32_t>(p.n_layer));
  w.add_u32(a + ".feed_forward_length", static_cast<uint32_t>(p.n_ff));
  w.add_u32(a + ".attention.head_count", static_cast<uint32_t>(p.n_head));
  if (p.attn_layer_mask) {
    std::vector<int32_t> kv;
    for (int64_t il = 0; il < p.n_layer; ++il) {
      kv.push_back(((p.attn_layer_mask >> il) & 1u) ? static_cast<int32_t>(p.n_head_kv) : 0);
    }
    w.add_array_i32(a + ".attention.head_count_kv", kv);
    w.add_u32(a + ".shortconv.l_cache", p.conv_l_cache);
  } else {
    w.add_u32(a + ".attention.head_count_kv", static_cast<uint32_t>(p.n_head_kv));
  }
  w.add_u32(a + ".attention.key_length", static_cast<uint32_t>(p.head_dim));
  w.add_u32(a + ".attention.value_length", static_cast<uint32_t>(p.head_dim));
  w.add_u32(a + ".rope.dimension_count", static_cast<uint32_t>(p.head_dim));
  w.add_f32(a + ".rope.freq_base", p.rope_base);
  w.add_f32(a + ".attention.layer_norm_rms_epsilon", p.rms_eps);
  if (p.sliding_window) {
    w.add_u32(a + ".attention.sliding_window", p.sliding_window);
    w.add_u32(a + ".attention.sliding_window_pattern", p.swa_pattern);
    w.add_f32(a + ".rope.freq_base_swa", p.rope_base_swa);
  }
  const bool bpe = p.vocab == VocabStyle::kGpt2;
  w.add_string("tokenizer.ggml.model", bpe ? "gpt2" : "llama");
  w.add_string("tokenizer.ggml.pre", p.pre);
  w.add_array_string("tokenizer.ggml.tokens", vocab.tokens);
  if (!bpe) w.add_array_f32("tokenizer.ggml.scores", vocab.scores);
  w.add_array_i32("tokenizer.ggml.token_type", vocab.types);
  if (bpe) w.add_array_string("tokenizer.ggml.merges", vocab.merges);
  const TokenIds ids = token_ids(p.special, p.vocab == VocabStyle::kTiny ? 0 : p.n_vocab_real);
  if (ids.bos >= 0) w.add_u32("tokenizer.ggml.bos_token_id", static_cast<uint32_t>(ids.bos));
  if (ids.eos >= 0) w.add_u32("tokenizer.ggml.eos_token_id", static_cast<uint32_t>(ids.eos));
  if (ids.unk >= 0) w.add_u32("tokenizer.ggml.unknown_token_id", static_cast<uint32_t>(ids.unk));
  if (ids.pad >= 0) w.add_u32("tokenizer.ggml.padding_token_id", static_cast<uint32_t>(ids.pad));
  w.add_bool("tokenizer.ggml.add_bos_token", ids.add_bos);
  w.add_bool("tokenizer.ggml.add_eos_token", false);
  if (std::strcmp(p.arch, "gemma3") == 0) w.add_bool("tokenizer.ggml.add_space_prefix", false);
}

}  // namespace

const char* synth_preset_names() {
  return "tiny, tinyllama-1.1b, llama-3.2-1b, qwen2.5-0.5b, qwen3-0.6b, smollm2-135m, "
         "smollm2-135m-32k, gemma-3-1b, lfm2-350m (and tiny-llama3, tiny-qwen2, tiny-qwen3, tiny-gemma3, tiny-lfm2 for tests)";
}

Status synthesize_model(const std::string& preset_name, const std::string& type_name,
                        uint64_t seed, const std::string& path, const SynthProgress& progress) {
  const Preset* p = nullptr;
  for (const Preset& candidate : kPresets) {
    if (preset_name == candidate.name) p = &candidate;
  }
  if (!p) {
    return Errorf(StatusCode::kInvalidArgument, "synth: unknown preset '%s' (presets: %s)",
                  preset_name.c_str(), synth_preset_names());
  }
  quant::Target target{};
  {
    const Status st = quant::parse_target(type_name, &target);
    if (!st.ok()) return Errorf(StatusCode::kInvalidArgument, "synth: %s", st.message().c_str());
  }
  SynthVocab vocab;
  switch (p->vocab) {
    case VocabStyle::kTiny: vocab = make_synth_vocab(); break;
    case VocabStyle::kSpm: vocab = make_spm_vocab(p->n_vocab, specials_of(p->special, p->n_vocab_real)); break;
    case VocabStyle::kGpt2:
      vocab = make_bpe_vocab(p->n_vocab, p->n_vocab_real, specials_of(p->special, p->n_vocab_real));
      break;
  }
  const int64_t n_vocab = static_cast<int64_t>(vocab.tokens.size());

  gguf::Writer w;
  add_metadata(w, *p, target, vocab);
  const std::vector<TensorSpec> specs = tensor_specs(*p, n_vocab);
  std::vector<std::string> names;
  for (const TensorSpec& s : specs) names.push_back(s.name);
  quant::TypeChooser chooser(target, names, static_cast<int>(p->n_head / p->n_head_kv));
  const uint64_t base_seed = seed * 0x2545F4914F6CDD1Dull + 1;
  // "tiny" draws every value from one stream in file order, as the original
  // tiny models did (tests depend on them); the other presets seed each row.
  const bool sequential = p->vocab == VocabStyle::kTiny;
  Rng stream(base_seed);
  std::deque<quant::Fill> fills;
  for (const TensorSpec& spec : specs) {
    const DType type = chooser.choose(spec.name, static_cast<int>(spec.ne.size()), spec.ne.data(),
                                      DType::F32);
    const TensorSpec* s = &spec;
    const uint64_t tseed = base_seed ^ hash_name(spec.name);
    EDGELLM_TRY(quant::add_lazy(w, &fills, spec.name, type, spec.ne, [s, type, tseed, sequential, stream_ptr = &stream](uint8_t* dst, size_t) {
      const int64_t ne0 = s->ne[0];
      int64_t nrows = 1;
      for (size_t i = 1; i < s->ne.size(); ++i) nrows *= s->ne[i];
      size_t row_bytes = 0;
      if (!dtype_row_bytes(type, ne0, &row_bytes)) {
        return Errorf(StatusCode::kInternal, "synth: bad row for '%s'", s->name.c_str());
      }
      const kernels::TypeTraits* tt = kernels::ref_traits(type);
      if (!tt || !tt->from_float) {
        return Errorf(StatusCode::kUnsupported, "synth: no quantizer for %s", dtype_name(type));
      }
      if (!s->fixed.empty()) {
        tt->from_float(s->fixed.data(), dst, static_cast<int64_t>(s->fixed.size()));
        return Status::Ok();
      }
      if (sequential) {
        std::vector<float> row(static_cast<size_t>(ne0));
        for (int64_t r = 0; r < nrows; ++r) {
          for (float& v : row) v = s->mean + s->std_dev * stream_ptr->normal();
          tt->from_float(row.data(), dst + r * row_bytes, ne0);
        }
        return Status::Ok();
      }
      quant::parallel_rows(nrows, 0, [&](int64_t b, int64_t e) {
        std::vector<float> row(static_cast<size_t>(ne0));
        for (int64_t r = b; r < e; ++r) {
          Rng rng(mix64(tseed ^ mix64(static_cast<uint64_t>(r) + 0x632BE59BD9B4E019ull)));
          for (float& v : row) v = s->mean + s->std_dev * rng.normal();
          tt->from_float(row.data(), dst + r * row_bytes, ne0);
        }
      });
      return Status::Ok();
    }));
  }
  if (progress) {
    w.set_progress(
        [](void* ctx, uint64_t done, uint64_t total, const char* name) {
          (*static_cast<decltype(&progress)>(ctx))(done, total, name);
        },
        const_cast<void*>(static_cast<const void*>(&progress)));
  }
  return w.write(path);
}

}  // namespace edgellm
