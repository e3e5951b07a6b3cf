#include "runtime/synth/synth.h"

#include <cmath>
#include <cstring>
#include <vector>

#include "kernels/kernels.h"
#include "runtime/gguf/gguf.h"
#include "runtime/synth/synth_vocab.h"

namespace edgellm {
namespace {

struct Preset {
  const char* name;
  int32_t n_embd, n_layer, n_head, n_head_kv, n_ff, n_ctx;
};
constexpr Preset kPresets[] = {
    {"tiny", 128, 4, 4, 2, 256, 512},
};

// Deterministic normal variates: splitmix64 + Box-Muller.
class Rng {
 public:
  explicit Rng(uint64_t seed) : state_(seed) {}
  double uniform() { return (static_cast<double>(next() >> 11) + 0.5) * 0x1.0p-53; }
  float normal() {
    const double u1 = uniform(), u2 = uniform();
    return static_cast<float>(std::sqrt(-2.0 * std::log(u1)) * std::cos(6.283185307179586 * u2));
  }

 private:
  uint64_t next() {
    uint64_t z = (state_ += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
  }
  uint64_t state_;
};

Status parse_type(const std::string& type, DType* out) {
  if (type == "f32") *out = DType::F32;
  else if (type == "f16") *out = DType::F16;
  else if (type == "q8_0") *out = DType::Q8_0;
  else if (type == "q4_0") *out = DType::Q4_0;
  else {
    return Errorf(StatusCode::kInvalidArgument,
                  "synth: type '%s' is not supported (supported: f32, f16, q8_0, q4_0)", type.c_str());
  }
  return Status::Ok();
}

// Adds a [ne0, ne1] matrix of N(0, std^2) values stored as `type`.
Status add_matrix(gguf::Writer& w, Rng& rng, const std::string& name, int64_t ne0, int64_t ne1,
                  float std_dev, DType type) {
  std::vector<float> values(static_cast<size_t>(ne0 * ne1));
  for (float& v : values) v = rng.normal() * std_dev;
  size_t row_bytes = 0;
  if (!dtype_row_bytes(type, ne0, &row_bytes)) {
    return Errorf(StatusCode::kInvalidArgument, "synth: rows of %lld do not fit type %s",
                  static_cast<long long>(ne0), dtype_name(type));
  }
  std::vector<uint8_t> data(row_bytes * static_cast<size_t>(ne1));
  if (type == DType::F32) {
    std::memcpy(data.data(), values.data(), data.size());
  } else {
    const kernels::TypeTraits* tt = kernels::ref_traits(type);
    if (!tt || !tt->from_float) {
      return Errorf(StatusCode::kUnsupported, "synth: no quantizer for %s", dtype_name(type));
    }
    for (int64_t r = 0; r < ne1; ++r) {
      tt->from_float(values.data() + r * ne0, data.data() + r * row_bytes, ne0);
    }
  }
  return w.add_tensor(name, type, {ne0, ne1}, data.data(), data.size());
}

Status add_norm(gguf::Writer& w, Rng& rng, const std::string& name, int64_t n) {
  std::vector<float> values(static_cast<size_t>(n));
  for (float& v : values) v = 1.0f + 0.1f * rng.normal();
  return w.add_tensor(name, DType::F32, {n}, values.data(), values.size() * sizeof(float));
}

}  // namespace

Status synthesize_model(const std::string& preset_name, const std::string& type_name,
                        uint64_t seed, const std::string& path) {
  const Preset* p = nullptr;
  for (const Preset& candidate : kPresets) {
    if (preset_name == candidate.name) p = &candidate;
  }
  if (!p) {
    return Errorf(StatusCode::kInvalidArgument, "synth: unknown preset '%s' (presets: tiny)",
                  preset_name.c_str());
  }
  DType type = DType::F32;
  EDGELLM_TRY(parse_type(type_name, &type));
  const SynthVocab vocab = make_synth_vocab();
  const int64_t n_vocab = static_cast<int64_t>(vocab.tokens.size());
  const int32_t head_dim = p->n_embd / p->n_head;

  gguf::Writer w;
  w.add_string("general.architecture", "llama");
  w.add_string("general.name", std::string("edgellm-synth-") + p->name);
  w.add_u32("general.file_type", type == DType::F32 ? 0 : type == DType::F16 ? 1 : type == DType::Q4_0 ? 2 : 7);
  w.add_u32("llama.context_length", static_cast<uint32_t>(p->n_ctx));
  w.add_u32("llama.embedding_length", static_cast<uint32_t>(p->n_embd));
  w.add_u32("llama.block_count", static_cast<uint32_t>(p->n_layer));
  w.add_u32("llama.feed_forward_length", static_cast<uint32_t>(p->n_ff));
  w.add_u32("llama.attention.head_count", static_cast<uint32_t>(p->n_head));
  w.add_u32("llama.attention.head_count_kv", static_cast<uint32_t>(p->n_head_kv));
  w.add_u32("llama.rope.dimension_count", static_cast<uint32_t>(head_dim));
  w.add_f32("llama.rope.freq_base", 10000.0f);
  w.add_f32("llama.attention.layer_norm_rms_epsilon", 1e-5f);
  w.add_string("tokenizer.ggml.model", "llama");
  w.add_string("tokenizer.ggml.pre", "default");
  w.add_array_string("tokenizer.ggml.tokens", vocab.tokens);
  w.add_array_f32("tokenizer.ggml.scores", vocab.scores);
  w.add_array_i32("tokenizer.ggml.token_type", vocab.types);
  w.add_u32("tokenizer.ggml.unknown_token_id", 0);
  w.add_u32("tokenizer.ggml.bos_token_id", 1);
  w.add_u32("tokenizer.ggml.eos_token_id", 2);
  w.add_bool("tokenizer.ggml.add_bos_token", true);
  w.add_bool("tokenizer.ggml.add_eos_token", false);

  Rng rng(seed * 0x2545F4914F6CDD1Dull + 1);
  const int64_t d = p->n_embd, ff = p->n_ff;
  const int64_t q_dim = static_cast<int64_t>(p->n_head) * head_dim;
  const int64_t kv_dim = static_cast<int64_t>(p->n_head_kv) * head_dim;
  const float s_d = 1.0f / std::sqrt(static_cast<float>(d));
  const float s_ff = 1.0f / std::sqrt(static_cast<float>(ff));
  EDGELLM_TRY(add_matrix(w, rng, "token_embd.weight", d, n_vocab, 1.0f, type));
  EDGELLM_TRY(add_norm(w, rng, "output_norm.weight", d));
  // Logits with std ≈ 4 so sampling is far from uniform.
  EDGELLM_TRY(add_matrix(w, rng, "output.weight", d, n_vocab, 4.0f * s_d, type));
  for (int il = 0; il < p->n_layer; ++il) {
    const std::string b = "blk." + std::to_string(il) + ".";
    EDGELLM_TRY(add_norm(w, rng, b + "attn_norm.weight", d));
    EDGELLM_TRY(add_matrix(w, rng, b + "attn_q.weight", d, q_dim, 1.7f * s_d, type));
    EDGELLM_TRY(add_matrix(w, rng, b + "attn_k.weight", d, kv_dim, 1.7f * s_d, type));
    EDGELLM_TRY(add_matrix(w, rng, b + "attn_v.weight", d, kv_dim, s_d, type));
    EDGELLM_TRY(add_matrix(w, rng, b + "attn_output.weight", q_dim, d, s_d, type));
    EDGELLM_TRY(add_norm(w, rng, b + "ffn_norm.weight", d));
    EDGELLM_TRY(add_matrix(w, rng, b + "ffn_gate.weight", d, ff, s_d, type));
    EDGELLM_TRY(add_matrix(w, rng, b + "ffn_up.weight", d, ff, s_d, type));
    EDGELLM_TRY(add_matrix(w, rng, b + "ffn_down.weight", ff, d, s_ff, type));
  }
  return w.write(path);
}

}  // namespace edgellm
