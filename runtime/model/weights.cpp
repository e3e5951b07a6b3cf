#include "runtime/model/weights.h"

#include <cstdio>

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
    return Errorf(StatusCode::kFormat,
                  "%s: tensor '%s' has shape [%lld, %lld], expected [%lld, %lld]",
                  f.path().c_str(), name.c_str(), static_cast<long long>(t->ne[0]),
                  static_cast<long long>(t->ne[1]), static_cast<long long>(ne0),
                  static_cast<long long>(is_vector ? 1 : ne1));
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

}  // namespace

std::string layer_tensor_name(int il, const char* suffix) {
  char buf[96];
  std::snprintf(buf, sizeof buf, "blk.%d.%s", il, suffix);
  return buf;
}

Status bind_weights(const gguf::File& f, const TransformerConfig& c, kernels::Isa isa,
                    ModelWeights* w) {
  const int64_t d = c.n_embd;
  EDGELLM_TRY(bind(f, "token_embd.weight", d, c.n_vocab, /*matmul=*/c.tied_output, isa, &w->tok_embd));
  EDGELLM_TRY(bind(f, "output_norm.weight", d, 0, false, isa, &w->output_norm));
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
    EDGELLM_TRY(bind(f, name("attn_q.weight"), d, c.q_dim(), true, isa, &l.wq));
    EDGELLM_TRY(bind(f, name("attn_k.weight"), d, c.kv_dim(), true, isa, &l.wk));
    EDGELLM_TRY(bind(f, name("attn_v.weight"), d, c.v_dim(), true, isa, &l.wv));
    EDGELLM_TRY(bind(f, name("attn_output.weight"), c.q_dim(), d, true, isa, &l.wo));
    EDGELLM_TRY(bind(f, name("ffn_norm.weight"), d, 0, false, isa, &l.ffn_norm));
    EDGELLM_TRY(bind(f, name("ffn_gate.weight"), d, c.n_ff, true, isa, &l.ffn_gate));
    EDGELLM_TRY(bind(f, name("ffn_up.weight"), d, c.n_ff, true, isa, &l.ffn_up));
    EDGELLM_TRY(bind(f, name("ffn_down.weight"), c.n_ff, d, true, isa, &l.ffn_down));
  }
  return Status::Ok();
}

}  // namespace edgellm
