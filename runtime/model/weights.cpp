#include "runtime/model/weights.h"

#include <cstdio>
#include <string>

namespace edgellm {
namespace {

// Binds tensor `name` expecting shape [ne0, ne1] (ne1 = 0 for a vector).
Status bind(const gguf::File& f, const std::string& name, int64_t ne0, int64_t ne1,
            bool matmul, kernels::Isa isa, Weight* w) {
  const gguf::TensorInfo* t = f.tensor(name);
  if (!t) {
    return Errorf(StatusCode::kFormat, "%s: missing required tensor '%s'", f.path().c_str(),
                  name.c_str());
  }
  const bool is_vector = ne1 == 0;
  const bool shape_ok = is_vector ? (t->n_dims == 1 && t->ne[0] == ne0)
                                  : (t->n_dims == 2 && t->ne[0] == ne0 && t->ne[1] == ne1);
  if (!shape_ok) {
    char expected[64];
    if (is_vector) {
      std::snprintf(expected, sizeof expected, "[%lld]", static_cast<long long>(ne0));
    } else {
      std::snprintf(expected, sizeof expected, "[%lld, %lld]", static_cast<long long>(ne0),
                    static_cast<long long>(ne1));
    }
    return Errorf(StatusCode::kFormat, "%s: tensor '%s' has shape %s, expected %s", f.path().c_str(),
                  name.c_str(), gguf::shape_string(*t).c_str(), expected);
  }
  w->name = t->name.c_str();
  w->type = t->type;
  w->ne0 = t->ne[0];
  w->ne1 = is_vector ? 1 : t->ne[1];
  w->data = t->data;
  w->traits = kernels::ref_traits(t->type);
  if (!dtype_row_bytes(t->type, t->ne[0], &w->row_bytes)) {
    return Errorf(StatusCode::kFormat, "%s: tensor '%s' row of %lld is not whole blocks of %s",
                  f.path().c_str(), name.c_str(), static_cast<long long>(t->ne[0]),
                  dtype_name(t->type));
  }
  if (is_vector && t->type != DType::F32) {
    return Errorf(StatusCode::kUnsupported, "%s: tensor '%s' has type %s; norm weights must be F32",
                  f.path().c_str(), name.c_str(), dtype_name(t->type));
  }
  if (matmul) w->kernel = kernels::matmul_kernel(t->type, isa);
  if (!w->traits || !w->traits->to_float || (matmul && !w->kernel)) {
    return Errorf(StatusCode::kUnsupported, "%s: tensor '%s' has type %s, which has no kernels",
                  f.path().c_str(), name.c_str(), dtype_name(t->type));
  }
  return Status::Ok();
}

// Binds `name` when the file has it; leaves w empty otherwise.
Status bind_optional(const gguf::File& f, const std::string& name, int64_t ne0, int64_t ne1,
                     bool matmul, kernels::Isa isa, Weight* w) {
  if (!f.tensor(name)) return Status::Ok();
  return bind(f, name, ne0, ne1, matmul, isa, w);
}

// Binds the attention projections, fused (attn_qkv) or separate.
Status bind_attention(const gguf::File& f, const TransformerConfig& c, int il, kernels::Isa isa,
                      LayerWeights* l) {
  auto name = [il](const char* s) { return layer_tensor_name(il, s); };
  const int64_t d = c.n_embd;
  if (f.tensor(name("attn_qkv.weight"))) {
    Weight qkv;
    EDGELLM_TRY(bind(f, name("attn_qkv.weight"), d, c.q_dim() + c.kv_dim() + c.v_dim(), true, isa, &qkv));
    l->wq = row_view(qkv, 0, c.q_dim());
    l->wk = row_view(qkv, c.q_dim(), c.kv_dim());
    l->wv = row_view(qkv, c.q_dim() + c.kv_dim(), c.v_dim());
    Weight qkv_b;
    EDGELLM_TRY(bind_optional(f, name("attn_qkv.bias"), c.q_dim() + c.kv_dim() + c.v_dim(), 0,
                              false, isa, &qkv_b));
    if (qkv_b.present()) {
      l->bq = vector_view(qkv_b, 0, c.q_dim());
      l->bk = vector_view(qkv_b, c.q_dim(), c.kv_dim());
      l->bv = vector_view(qkv_b, c.q_dim() + c.kv_dim(), c.v_dim());
    }
  } else {
    EDGELLM_TRY(bind(f, name("attn_q.weight"), d, c.q_dim(), true, isa, &l->wq));
    EDGELLM_TRY(bind(f, name("attn_k.weight"), d, c.kv_dim(), true, isa, &l->wk));
    EDGELLM_TRY(bind(f, name("attn_v.weight"), d, c.v_dim(), true, isa, &l->wv));
  }
  EDGELLM_TRY(bind(f, name("attn_output.weight"), c.q_dim(), d, true, isa, &l->wo));
  EDGELLM_TRY(bind_optional(f, name("attn_output.bias"), d, 0, false, isa, &l->bo));
  EDGELLM_TRY(bind_optional(f, name("attn_q.bias"), c.q_dim(), 0, false, isa, &l->bq));
  EDGELLM_TRY(bind_optional(f, name("attn_k.bias"), c.kv_dim(), 0, false, isa, &l->bk));
  EDGELLM_TRY(bind_optional(f, name("attn_v.bias"), c.v_dim(), 0, false, isa, &l->bv));
  EDGELLM_TRY(bind_optional(f, name("attn_q_norm.weight"), c.head_dim, 0, false, isa, &l->q_norm));
  EDGELLM_TRY(bind_optional(f, name("attn_k_norm.weight"), c.head_dim, 0, false, isa, &l->k_norm));
  return Status::Ok();
}

// Binds the feed-forward projections: gate and up separate, or fused as one
// ffn_up of 2·n_ff rows [gate; up] (Phi-3).
Status bind_ffn(const gguf::File& f, const TransformerConfig& c, int il, kernels::Isa isa,
                LayerWeights* l) {
  auto name = [il](const char* s) { return layer_tensor_name(il, s); };
  const int64_t d = c.n_embd;
  if (c.family == Family::kGptNeox) {  // plain (ungated) FFN with biases
    EDGELLM_TRY(bind(f, name("ffn_up.weight"), d, c.n_ff, true, isa, &l->ffn_up));
    EDGELLM_TRY(bind_optional(f, name("ffn_up.bias"), c.n_ff, 0, false, isa, &l->ffn_up_b));
    EDGELLM_TRY(bind_optional(f, name("ffn_down.bias"), d, 0, false, isa, &l->ffn_down_b));
  } else if (!f.tensor(name("ffn_gate.weight"))) {
    Weight up;
    EDGELLM_TRY(bind(f, name("ffn_up.weight"), d, 2 * static_cast<int64_t>(c.n_ff), true, isa, &up));
    l->ffn_gate = row_view(up, 0, c.n_ff);
    l->ffn_up = row_view(up, c.n_ff, c.n_ff);
  } else {
    EDGELLM_TRY(bind(f, name("ffn_gate.weight"), d, c.n_ff, true, isa, &l->ffn_gate));
    EDGELLM_TRY(bind(f, name("ffn_up.weight"), d, c.n_ff, true, isa, &l->ffn_up));
  }
  EDGELLM_TRY(bind(f, name("ffn_down.weight"), c.n_ff, d, true, isa, &l->ffn_down));
  return Status::Ok();
}

}  // namespace

Weight vector_view(const Weight& w, int64_t first, int64_t count) {
  Weight v = w;
  v.data = w.data + static_cast<size_t>(first) * sizeof(float);
  v.ne0 = count;
  v.row_bytes = static_cast<size_t>(count) * sizeof(float);
  return v;
}

Weight row_view(const Weight& w, int64_t first, int64_t rows) {
  Weight v = w;
  v.data = w.row(first);
  v.ne1 = rows;
  return v;
}

std::string layer_tensor_name(int il, const char* suffix) {
  char buf[96];
  std::snprintf(buf, sizeof buf, "blk.%d.%s", il, suffix);
  return buf;
}

Status bind_weights(const gguf::File& f, const TransformerConfig& c, kernels::Isa isa,
                    ModelWeights* w) {
  const int64_t d = c.n_embd;
  EDGELLM_TRY(bind(f, "token_embd.weight", d, c.n_vocab, /*matmul=*/c.tied_output, isa, &w->tok_embd));
  // LFM2 names its final norm token_embd_norm.
  const char* final_norm = c.family == Family::kLfm2 ? "token_embd_norm.weight" : "output_norm.weight";
  EDGELLM_TRY(bind(f, final_norm, d, 0, false, isa, &w->output_norm));
  EDGELLM_TRY(bind_optional(f, "output_norm.bias", d, 0, false, isa, &w->output_norm_b));
  EDGELLM_TRY(bind_optional(f, "rope_freqs.weight", c.n_rot / 2, 0, false, isa, &w->rope_freqs));
  if (c.tied_output) {
    w->output = w->tok_embd;
  } else {
    EDGELLM_TRY(bind(f, "output.weight", d, c.n_vocab, true, isa, &w->output));
  }
  w->layers.assign(static_cast<size_t>(c.n_layer), LayerWeights{});
  for (int il = 0; il < c.n_layer; ++il) {
    LayerWeights& l = w->layers[static_cast<size_t>(il)];
    auto name = [il](const char* s) { return layer_tensor_name(il, s); };
    EDGELLM_TRY(bind(f, name("attn_norm.weight"), d, 0, false, isa, &l.attn_norm));
    if (c.conv_slot[static_cast<size_t>(il)] >= 0) {
      EDGELLM_TRY(bind(f, name("shortconv.in_proj.weight"), d, 3 * d, true, isa, &l.conv_in));
      EDGELLM_TRY(bind(f, name("shortconv.conv.weight"), c.conv_kernel, d, false, isa, &l.conv_kernel));
      EDGELLM_TRY(bind(f, name("shortconv.out_proj.weight"), d, d, true, isa, &l.conv_out));
      if (l.conv_kernel.type != DType::F32) {
        return Errorf(StatusCode::kUnsupported, "%s: tensor '%s' must be F32",
                      f.path().c_str(), name("shortconv.conv.weight").c_str());
      }
    } else {
      EDGELLM_TRY(bind_attention(f, c, il, isa, &l));
    }
    EDGELLM_TRY(bind(f, name("ffn_norm.weight"), d, 0, false, isa, &l.ffn_norm));
    if (c.layer_norm) {
      EDGELLM_TRY(bind(f, name("attn_norm.bias"), d, 0, false, isa, &l.attn_norm_b));
      EDGELLM_TRY(bind(f, name("ffn_norm.bias"), d, 0, false, isa, &l.ffn_norm_b));
    }
    EDGELLM_TRY(bind_ffn(f, c, il, isa, &l));
    const bool is_attention = c.kv_slot[static_cast<size_t>(il)] >= 0;
    const bool needs_qk_norm =
        is_attention && (c.arch == Arch::kQwen3 || c.arch == Arch::kGemma3 || c.arch == Arch::kLfm2);
    if (needs_qk_norm && (!l.q_norm.present() || !l.k_norm.present())) {
      return Errorf(StatusCode::kFormat, "%s: missing required tensor '%s'", f.path().c_str(),
                    name(l.q_norm.present() ? "attn_k_norm.weight" : "attn_q_norm.weight").c_str());
    }
    if (c.arch == Arch::kQwen2 && (!l.bq.present() || !l.bk.present() || !l.bv.present())) {
      return Errorf(StatusCode::kFormat, "%s: missing required tensor '%s'", f.path().c_str(),
                    name(!l.bq.present() ? "attn_q.bias" : !l.bk.present() ? "attn_k.bias" : "attn_v.bias").c_str());
    }
    if (c.family == Family::kGemma) {
      EDGELLM_TRY(bind(f, name("post_attention_norm.weight"), d, 0, false, isa, &l.post_attn_norm));
      EDGELLM_TRY(bind(f, name("post_ffw_norm.weight"), d, 0, false, isa, &l.post_ffn_norm));
    }
  }
  return Status::Ok();
}

}  // namespace edgellm
