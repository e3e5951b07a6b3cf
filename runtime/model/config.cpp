#include "runtime/model/config.h"

#include <cmath>
#include <cstdlib>
#include <string>
#include <vector>

namespace edgellm {
namespace {

struct ArchEntry {
  const char* name;
  Arch arch;
};
constexpr ArchEntry kArchs[] = {
    {"llama", Arch::kLlama}, {"qwen2", Arch::kQwen2},   {"qwen3", Arch::kQwen3},
    {"phi3", Arch::kPhi3},   {"gemma2", Arch::kGemma2}, {"gemma3", Arch::kGemma3},
    {"gptneox", Arch::kGptNeox}, {"lfm2", Arch::kLfm2},
};

// Reads "<arch>.<suffix>" as a positive int32.
Status get_dim(const gguf::File& f, const std::string& arch, const char* suffix, int32_t* out,
               bool required, int32_t fallback) {
  const std::string key = arch + "." + suffix;
  if (!f.find(key)) {
    if (required) {
      return Errorf(StatusCode::kFormat, "%s: missing required key '%s'", f.path().c_str(),
                    key.c_str());
    }
    *out = fallback;
    return Status::Ok();
  }
  uint32_t v = 0;
  EDGELLM_TRY(f.get_u32(key, &v));
  if (v == 0 || v > (1u << 30)) {
    return Errorf(StatusCode::kFormat, "%s: key '%s' has invalid value %u", f.path().c_str(),
                  key.c_str(), v);
  }
  *out = static_cast<int32_t>(v);
  return Status::Ok();
}

Status get_float(const gguf::File& f, const std::string& key, float* out, float fallback) {
  if (!f.find(key)) {
    *out = fallback;
    return Status::Ok();
  }
  EDGELLM_TRY(f.get_f32(key, out));
  if (!std::isfinite(*out)) {
    return Errorf(StatusCode::kFormat, "%s: key '%s' is not finite", f.path().c_str(), key.c_str());
  }
  return Status::Ok();
}

Status resolve_rope(const gguf::File& f, const std::string& a, TransformerConfig* c) {
  EDGELLM_TRY(get_float(f, a + ".rope.freq_base", &c->rope_freq_base, 10000.0f));
  if (c->rope_freq_base <= 0) {
    return Errorf(StatusCode::kFormat, "%s: %s.rope.freq_base must be positive", f.path().c_str(),
                  a.c_str());
  }
  std::string scaling = "none";
  if (f.find(a + ".rope.scaling.type")) EDGELLM_TRY(f.get_string(a + ".rope.scaling.type", &scaling));
  float factor = 1.0f;
  EDGELLM_TRY(get_float(f, a + ".rope.scaling.factor", &factor, 1.0f));
  if (f.find(a + ".rope.scale_linear")) {  // older spelling of the linear factor
    EDGELLM_TRY(get_float(f, a + ".rope.scale_linear", &factor, 1.0f));
    if (scaling == "none" && factor != 1.0f) scaling = "linear";
  }
  if (scaling == "none") {
    c->rope_scaling = RopeScaling::kNone;
  } else if (scaling == "linear") {
    if (!(factor > 0) || !std::isfinite(1.0f / factor)) {
      return Errorf(StatusCode::kFormat,
                    "%s: %s.rope.scaling.factor %g must be positive with a finite reciprocal",
                    f.path().c_str(), a.c_str(), static_cast<double>(factor));
    }
    c->rope_scaling = RopeScaling::kLinear;
    c->rope_freq_scale = 1.0f / factor;
  } else {
    return Errorf(StatusCode::kUnsupported,
                  "%s: rope scaling type '%s' is not supported (supported: none, linear)",
                  f.path().c_str(), scaling.c_str());
  }
  return Status::Ok();
}

}  // namespace

const char* supported_architectures() {
  return "llama, qwen2, qwen3, phi3, gemma2, gemma3, gptneox, lfm2";
}

namespace {

// Architecture-specific settings beyond the common hyper-parameters.
Status resolve_family(const gguf::File& f, TransformerConfig* c) {
  const std::string& a = c->arch_name;
  switch (c->arch) {
    case Arch::kLlama: break;
    case Arch::kQwen2:
    case Arch::kQwen3:
    case Arch::kPhi3: c->rope_neox = true; break;
    case Arch::kGptNeox: {
      c->family = Family::kGptNeox;
      c->rope_neox = true;
      c->layer_norm = true;
      c->parallel_residual = false;
      if (f.find(a + ".use_parallel_residual")) {
        EDGELLM_TRY(f.get_bool(a + ".use_parallel_residual", &c->parallel_residual));
      }
      break;
    }
    case Arch::kLfm2: {
      c->family = Family::kLfm2;
      c->rope_neox = true;
      if (c->n_conv_layers > 0) {
        EDGELLM_TRY(get_dim(f, a, "shortconv.l_cache", &c->conv_kernel, true, 0));
        if (c->conv_kernel < 2 || c->conv_kernel > 16) {
          return Errorf(StatusCode::kFormat, "%s: %s.shortconv.l_cache %d is out of range",
                        f.path().c_str(), a.c_str(), c->conv_kernel);
        }
      }
      break;
    }
    case Arch::kGemma2:
    case Arch::kGemma3: {
      c->family = Family::kGemma;
      c->rope_neox = true;
      c->embd_scale = std::sqrt(static_cast<float>(c->n_embd));
      EDGELLM_TRY(get_float(f, a + ".attn_logit_softcapping", &c->attn_softcap, 0.0f));
      EDGELLM_TRY(get_float(f, a + ".final_logit_softcapping", &c->final_softcap, 0.0f));
      EDGELLM_TRY(get_float(f, a + ".rope.freq_base_swa", &c->rope_freq_base_swa, 0.0f));
      if (f.find(a + ".attention.sliding_window")) {
        EDGELLM_TRY(get_dim(f, a, "attention.sliding_window", &c->sliding_window, true, 0));
        // Gemma 2 alternates local/global; Gemma 3 has five local per global.
        const int32_t dflt = c->arch == Arch::kGemma2 ? 2 : 6;
        EDGELLM_TRY(get_dim(f, a, "attention.sliding_window_pattern", &c->swa_pattern, false, dflt));
      }
      break;
    }
  }
  return Status::Ok();
}

// The hyper-parameters that size per-layer tables must agree with the
// tensors the file has: block_count with the layers named blk.N.*, and
// embedding_length with token_embd.weight. Without this, a small file that
// claims 2^30 blocks would make the loader allocate gigabytes before it
// fails on a missing tensor.
Status check_against_tensors(const gguf::File& f, const std::string& a, const TransformerConfig& c) {
  std::vector<bool> seen;  // layer indices that have a tensor, bounded by the tensor count
  const size_t max_layers = f.tensors().size();
  for (const gguf::TensorInfo& t : f.tensors()) {
    if (t.name.compare(0, 4, "blk.") != 0) continue;
    const char* p = t.name.c_str() + 4;
    char* end = nullptr;
    const unsigned long il = std::strtoul(p, &end, 10);
    if (end == p || *end != '.' || il >= max_layers) continue;
    if (seen.size() <= il) seen.resize(il + 1, false);
    seen[il] = true;
  }
  size_t n_present = 0;
  for (bool b : seen) n_present += b;
  const size_t n_layer = static_cast<size_t>(c.n_layer);
  if (n_layer > seen.size() || n_present < n_layer) {
    size_t first_missing = 0;
    while (first_missing < seen.size() && seen[first_missing]) ++first_missing;
    return Errorf(StatusCode::kFormat,
                  "%s: %s.block_count is %d but the file has tensors for %zu blocks (no tensor "
                  "'blk.%zu.*')",
                  f.path().c_str(), a.c_str(), c.n_layer, n_present, first_missing);
  }
  const gguf::TensorInfo* embd = f.tensor("token_embd.weight");
  if (!embd) {
    return Errorf(StatusCode::kFormat, "%s: missing required tensor 'token_embd.weight'",
                  f.path().c_str());
  }
  if (embd->n_dims != 2 || embd->ne[0] != c.n_embd) {
    return Errorf(StatusCode::kFormat,
                  "%s: tensor 'token_embd.weight' has shape %s, expected [%d, n_vocab] "
                  "(%s.embedding_length = %d)",
                  f.path().c_str(), gguf::shape_string(*embd).c_str(), c.n_embd, a.c_str(), c.n_embd);
  }
  return Status::Ok();
}

}  // namespace


Status resolve_config(const gguf::File& f, TransformerConfig* c) {
  *c = TransformerConfig{};
  if (!f.find("general.architecture")) {
    return Errorf(StatusCode::kFormat, "%s: missing required key 'general.architecture'",
                  f.path().c_str());
  }
  EDGELLM_TRY(f.get_string("general.architecture", &c->arch_name));
  const ArchEntry* entry = nullptr;
  for (const ArchEntry& e : kArchs) {
    if (c->arch_name == e.name) entry = &e;
  }
  if (!entry) {
    return Errorf(StatusCode::kUnsupported,
                  "%s: unknown architecture '%s' (supported: %s)", f.path().c_str(),
                  c->arch_name.c_str(), supported_architectures());
  }
  c->arch = entry->arch;
  if (f.find("general.name")) EDGELLM_TRY(f.get_string("general.name", &c->name));

  const std::string& a = c->arch_name;
  EDGELLM_TRY(get_dim(f, a, "embedding_length", &c->n_embd, true, 0));
  EDGELLM_TRY(get_dim(f, a, "block_count", &c->n_layer, true, 0));
  // Checked against the tensor table before anything is sized by them.
  EDGELLM_TRY(check_against_tensors(f, a, *c));
  EDGELLM_TRY(get_dim(f, a, "attention.head_count", &c->n_head, true, 0));
  std::vector<int32_t> kv_heads;  // per layer; 0 marks a convolution layer (LFM2)
  const gguf::Value* kv_value = f.find(a + ".attention.head_count_kv");
  if (kv_value && kv_value->type == gguf::ValueType::ARRAY) {
    if (kv_value->array.size() != static_cast<size_t>(c->n_layer)) {
      return Errorf(StatusCode::kFormat, "%s: %s.attention.head_count_kv has %zu entries for %d layers",
                    f.path().c_str(), a.c_str(), kv_value->array.size(), c->n_layer);
    }
    for (const gguf::Value& v : kv_value->array) {
      if (!v.is_integer() || v.i64 < 0 || v.i64 > c->n_head) {
        return Errorf(StatusCode::kFormat, "%s: %s.attention.head_count_kv has an invalid entry",
                      f.path().c_str(), a.c_str());
      }
      kv_heads.push_back(static_cast<int32_t>(v.i64));
      if (v.i64 > 0) c->n_head_kv = static_cast<int32_t>(v.i64);
    }
    if (c->n_head_kv == 0) c->n_head_kv = c->n_head;
  } else {
    EDGELLM_TRY(get_dim(f, a, "attention.head_count_kv", &c->n_head_kv, false, c->n_head));
    kv_heads.assign(static_cast<size_t>(c->n_layer), c->n_head_kv);
  }
  for (int32_t il = 0; il < c->n_layer; ++il) {
    const bool conv = kv_heads[static_cast<size_t>(il)] == 0;
    if (!conv && kv_heads[static_cast<size_t>(il)] != c->n_head_kv) {
      return Errorf(StatusCode::kUnsupported, "%s: layers with different KV head counts are not supported",
                    f.path().c_str());
    }
    c->kv_slot.push_back(conv ? -1 : c->n_kv_layers++);
    c->conv_slot.push_back(conv ? c->n_conv_layers++ : -1);
  }
  EDGELLM_TRY(get_dim(f, a, "feed_forward_length", &c->n_ff, true, 0));
  EDGELLM_TRY(get_dim(f, a, "context_length", &c->n_ctx_train, true, 0));
  if (c->n_embd % c->n_head != 0 && !f.find(a + ".attention.key_length")) {
    return Errorf(StatusCode::kFormat,
                  "%s: embedding_length %d is not divisible by head_count %d and no "
                  "attention.key_length is given",
                  f.path().c_str(), c->n_embd, c->n_head);
  }
  EDGELLM_TRY(get_dim(f, a, "attention.key_length", &c->head_dim, false, c->n_embd / c->n_head));
  EDGELLM_TRY(get_dim(f, a, "attention.value_length", &c->head_dim_v, false, c->head_dim));
  EDGELLM_TRY(get_dim(f, a, "rope.dimension_count", &c->n_rot, false, c->head_dim));
  if (c->n_head % c->n_head_kv != 0) {
    return Errorf(StatusCode::kFormat, "%s: head_count %d is not a multiple of head_count_kv %d",
                  f.path().c_str(), c->n_head, c->n_head_kv);
  }
  if (c->n_rot > c->head_dim || c->n_rot % 2 != 0) {
    return Errorf(StatusCode::kFormat,
                  "%s: rope.dimension_count %d must be even and at most the head size %d",
                  f.path().c_str(), c->n_rot, c->head_dim);
  }
  if (c->head_dim_v != c->head_dim) {
    return Errorf(StatusCode::kUnsupported,
                  "%s: attention.value_length %d differs from key_length %d (not supported)",
                  f.path().c_str(), c->head_dim_v, c->head_dim);
  }
  // GPT-NeoX normalises with LayerNorm, the others with RMSNorm.
  const std::string eps_key = a + (c->arch == Arch::kGptNeox ? ".attention.layer_norm_epsilon"
                                                             : ".attention.layer_norm_rms_epsilon");
  if (!f.find(eps_key)) {
    return Errorf(StatusCode::kFormat, "%s: missing required key '%s'", f.path().c_str(),
                  eps_key.c_str());
  }
  EDGELLM_TRY(get_float(f, eps_key, &c->norm_eps, 1e-5f));
  // A norm divides by sqrt(mean + eps): eps <= 0 lets an all-zero row (and
  // rounding below zero) produce inf/NaN; real models use 1e-12 .. 1e-3.
  if (!(c->norm_eps > 0) || c->norm_eps > 1.0f) {
    return Errorf(StatusCode::kFormat, "%s: %s is %g; it must be in (0, 1]", f.path().c_str(),
                  eps_key.c_str(), static_cast<double>(c->norm_eps));
  }
  EDGELLM_TRY(resolve_rope(f, a, c));

  const gguf::TensorInfo* embd = f.tensor("token_embd.weight");  // checked above
  c->n_vocab = static_cast<int32_t>(embd->ne[1]);
  c->tied_output = f.tensor("output.weight") == nullptr;
  return resolve_family(f, c);
}

}  // namespace edgellm
