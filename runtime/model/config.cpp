#include "runtime/model/config.h"

#include <cmath>
#include <string>

namespace edgellm {
namespace {

struct ArchEntry {
  const char* name;
  Arch arch;
};
constexpr ArchEntry kArchs[] = {{"llama", Arch::kLlama}};

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
    if (factor <= 0) {
      return Errorf(StatusCode::kFormat, "%s: rope scaling factor must be positive",
                    f.path().c_str());
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

const char* supported_architectures() { return "llama"; }


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
  EDGELLM_TRY(get_dim(f, a, "attention.head_count", &c->n_head, true, 0));
  EDGELLM_TRY(get_dim(f, a, "attention.head_count_kv", &c->n_head_kv, false, c->n_head));
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
  const std::string eps_key = a + ".attention.layer_norm_rms_epsilon";
  if (!f.find(eps_key)) {
    return Errorf(StatusCode::kFormat, "%s: missing required key '%s'", f.path().c_str(),
                  eps_key.c_str());
  }
  EDGELLM_TRY(get_float(f, eps_key, &c->norm_eps, 1e-5f));
  EDGELLM_TRY(resolve_rope(f, a, c));

  const gguf::TensorInfo* embd = f.tensor("token_embd.weight");
  if (!embd) {
    return Errorf(StatusCode::kFormat, "%s: missing required tensor 'token_embd.weight'",
                  f.path().c_str());
  }
  if (embd->n_dims != 2 || embd->ne[0] != c->n_embd) {
    return Errorf(StatusCode::kFormat,
                  "%s: tensor 'token_embd.weight' has shape [%lld, %lld], expected [%d, n_vocab]",
                  f.path().c_str(), static_cast<long long>(embd->ne[0]),
                  static_cast<long long>(embd->ne[1]), c->n_embd);
  }
  c->n_vocab = static_cast<int32_t>(embd->ne[1]);
  c->tied_output = f.tensor("output.weight") == nullptr;
  return Status::Ok();
}

}  // namespace edgellm
