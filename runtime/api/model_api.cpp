// C API: library, model and tokenizer entry points.
#include <climits>
#include <cstdio>
#include <cstring>
#include <map>
#include <string>

#include "edgellm.h"
#include "runtime/api/error.h"
#include "runtime/api/handles.h"
#include "runtime/gguf/gguf.h"
#include "runtime/tokenizer/unicode.h"

using edgellm::api::fail;
using edgellm::api::guarded;

namespace edgellm::api {

std::string escape_text(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size();) {
    size_t next = i;
    const uint32_t cp = utf8_decode(s, &next);  // U+FFFD and one byte when malformed
    const std::string_view seq = s.substr(i, next - i);
    const bool well_formed = (cp != 0xFFFD || seq == "\xEF\xBF\xBD") && (cp >= 0x80) == (seq.size() > 1);
    const bool printable = cp >= 0xA0 ? !(cp >= 0xD800 && cp <= 0xDFFF)
                                      : cp >= 0x20 && cp < 0x7F && cp != '"' && cp != '\\';
    if (well_formed && printable) {
      out.append(seq);
    } else {
      for (char c : seq) {
        char b[5];
        std::snprintf(b, sizeof b, "\\x%02x", static_cast<unsigned char>(c));
        out += b;
      }
    }
    i = next;
  }
  return out;
}

void release_model(edgellm_model* m) {
  if (m && m->refs.fetch_sub(1, std::memory_order_acq_rel) == 1) delete m;
}
}  // namespace edgellm::api

extern "C" {

const char* edgellm_version(void) { return "0.1.0"; }

const char* edgellm_status_string(edgellm_status status) {
  return edgellm::status_code_name(static_cast<edgellm::StatusCode>(status));
}

const char* edgellm_last_error(void) { return edgellm::api::last_error(); }

void edgellm_model_default_params(edgellm_model_params* p) {
  if (!p) return;
  std::memset(p, 0, sizeof *p);
  p->struct_size = sizeof *p;
  p->use_mmap = 1;
  p->repack = EDGELLM_REPACK_AUTO;
  p->backend = EDGELLM_BACKEND_CPU;
  p->vulkan_device = -1;
}

edgellm_status edgellm_model_load(const char* path, const edgellm_model_params* params,
                                  edgellm_model** out_model) {
  return guarded([&]() -> edgellm_status {
    if (!path || !out_model) return fail(EDGELLM_ERR_INVALID_ARGUMENT, "model_load: path and out_model must not be NULL");
    *out_model = nullptr;
    edgellm_model_params p;
    edgellm_model_default_params(&p);
    if (params) {
      if (params->struct_size < sizeof(size_t) || params->struct_size > sizeof p) {
        return fail(EDGELLM_ERR_INVALID_ARGUMENT, "model_load: params->struct_size %zu is not a known size",
                    params->struct_size);
      }
      std::memcpy(&p, params, params->struct_size);
    }
    edgellm::ModelLoadOptions opts;
    opts.use_mmap = p.use_mmap != 0;
    opts.numa_interleave = p.numa_interleave != 0;
    switch (p.repack) {
      case EDGELLM_REPACK_AUTO: opts.repack = edgellm::RepackPolicy::Auto; break;
      case EDGELLM_REPACK_ON: opts.repack = edgellm::RepackPolicy::On; break;
      case EDGELLM_REPACK_OFF: opts.repack = edgellm::RepackPolicy::Off; break;
      default:
        return fail(EDGELLM_ERR_INVALID_ARGUMENT, "model_load: repack %d is not an edgellm_repack",
                    p.repack);
    }
    switch (p.backend) {
      case EDGELLM_BACKEND_CPU: opts.backend = edgellm::Backend::Cpu; break;
      case EDGELLM_BACKEND_VULKAN: opts.backend = edgellm::Backend::Vulkan; break;
      case EDGELLM_BACKEND_AUTO: opts.backend = edgellm::Backend::Auto; break;
      default:
        return fail(EDGELLM_ERR_INVALID_ARGUMENT, "model_load: backend %d is not an edgellm_backend",
                    p.backend);
    }
    opts.vulkan_device = p.vulkan_device;
    auto handle = std::make_unique<edgellm_model>();
    edgellm::Status st = edgellm::load_model(path, opts, &handle->model);
    if (!st.ok()) return fail(st);
    *out_model = handle.release();
    return EDGELLM_OK;
  });
}

void edgellm_model_free(edgellm_model* model) { edgellm::api::release_model(model); }

edgellm_status edgellm_install_sigbus_handler(void) {
  edgellm::api::clear_error();
  if (edgellm::gguf::install_sigbus_handler()) return EDGELLM_OK;
  return fail(EDGELLM_ERR_INTERNAL, "install_sigbus_handler: sigaction failed");
}

int32_t edgellm_model_n_vocab(const edgellm_model* m) { return m ? m->model->config.n_vocab : 0; }
int32_t edgellm_model_n_ctx_train(const edgellm_model* m) {
  return m ? m->model->config.n_ctx_train : 0;
}
edgellm_token edgellm_model_bos(const edgellm_model* m) {
  return m ? m->model->tokenizer->vocab().bos : -1;
}
edgellm_token edgellm_model_eos(const edgellm_model* m) {
  return m ? m->model->tokenizer->vocab().eos : -1;
}
int edgellm_model_is_eog(const edgellm_model* m, edgellm_token t) {
  return m && m->model->tokenizer->is_eog(t) ? 1 : 0;
}

size_t edgellm_model_describe(const edgellm_model* m, char* buf, size_t size) {
  if (!m) return 0;
  try {
    const edgellm::TransformerConfig& c = m->model->config;
    std::map<std::string, int> by_type;
    for (const auto& t : m->model->file->tensors()) by_type[edgellm::dtype_name(t.type)]++;
    std::string types;
    for (const auto& [name, count] : by_type) {
      if (!types.empty()) types += ", ";
      types += name + " x" + std::to_string(count);
    }
    // Sized from the content (no fixed buffer that a long name could fill),
    // the file's name string escaped so it can neither end the quotes nor
    // reach a terminal as control characters.
    char numbers[1024];
    std::snprintf(numbers, sizeof numbers,
                  "n_vocab=%d n_ctx_train=%d n_embd=%d n_layer=%d n_head=%d n_head_kv=%d head_dim=%d "
                  "n_ff=%d n_rot=%d rope_base=%g rope_scale=%g norm_eps=%g tied_output=%d tensors=%zu",
                  c.n_vocab, c.n_ctx_train, c.n_embd, c.n_layer, c.n_head, c.n_head_kv, c.head_dim,
                  c.n_ff, c.n_rot, c.rope_freq_base, c.rope_freq_scale, c.norm_eps,
                  c.tied_output ? 1 : 0, m->model->file->tensors().size());
    char tail[256];
    std::snprintf(tail, sizeof tail, "file_bytes=%zu gguf_version=%u repacked_tensors=%zu repacked_bytes=%zu",
                  m->model->file->file_size(), m->model->file->version(), m->model->repacked_tensors,
                  m->model->repacked_bytes);
    const std::string text = "arch=" + c.arch_name + " name=\"" + edgellm::api::escape_text(c.name) + "\" " +
                             numbers + " [" + types + "] " + tail;
    return edgellm::api::copy_out(text, buf, size);
  } catch (...) {
    return 0;
  }
}

int64_t edgellm_model_meta(const edgellm_model* m, const char* key, char* buf, size_t size) {
  if (!m || !key) return -1;
  const edgellm::gguf::Value* v = m->model->file->find(key);
  if (!v) return -1;
  std::string text;
  using VT = edgellm::gguf::ValueType;
  switch (v->type) {
    case VT::STRING: text.assign(v->str); break;
    case VT::BOOL: text = v->u64 ? "true" : "false"; break;
    case VT::F32:
    case VT::F64: text = std::to_string(v->f64); break;
    case VT::ARRAY:
      text = "[array of " + std::to_string(v->array.empty() ? v->released_count : v->array.size()) + "]";
      break;
    case VT::I8: case VT::I16: case VT::I32: case VT::I64: text = std::to_string(v->i64); break;
    default: text = std::to_string(v->u64); break;
  }
  if (buf && size > 0) std::snprintf(buf, size, "%s", text.c_str());
  return static_cast<int64_t>(text.size());
}

edgellm_status edgellm_tokenize(const edgellm_model* m, const char* text, size_t text_len,
                                int add_special, int parse_special, edgellm_token* tokens,
                                size_t capacity, size_t* n_tokens) {
  return guarded([&]() -> edgellm_status {
    if (!m || (!text && text_len > 0) || !n_tokens) {
      return fail(EDGELLM_ERR_INVALID_ARGUMENT, "tokenize: model, text and n_tokens must not be NULL");
    }
    if (!tokens && capacity > 0) return fail(EDGELLM_ERR_INVALID_ARGUMENT, "tokenize: tokens is NULL");
    std::vector<int32_t> ids;
    edgellm::Status st = m->model->tokenizer->encode(std::string_view(text ? text : "", text_len),
                                                      add_special != 0, parse_special != 0, &ids);
    if (!st.ok()) return fail(st);
    *n_tokens = ids.size();
    if (ids.size() > capacity) {
      return fail(EDGELLM_ERR_INVALID_ARGUMENT, "tokenize: %zu tokens do not fit the buffer of %zu",
                  ids.size(), capacity);
    }
    if (!ids.empty()) std::memcpy(tokens, ids.data(), ids.size() * sizeof(int32_t));
    return EDGELLM_OK;
  });
}

int32_t edgellm_token_to_piece(const edgellm_model* m, edgellm_token token, char* buf,
                               int32_t size, int render_special) {
  if (!m || token < 0 || token >= m->model->config.n_vocab || (size > 0 && !buf) || size < 0) {
    fail(EDGELLM_ERR_INVALID_ARGUMENT, "token_to_piece: invalid model, token %d or buffer", token);
    return INT32_MIN;
  }
  return m->model->tokenizer->token_to_piece(token, buf, size, render_special != 0);
}

edgellm_status edgellm_detokenize(const edgellm_model* m, const edgellm_token* tokens,
                                  size_t n_tokens, int render_special, char* text, size_t capacity,
                                  size_t* length) {
  return guarded([&]() -> edgellm_status {
    if (!m || (!tokens && n_tokens > 0) || !length) {
      return fail(EDGELLM_ERR_INVALID_ARGUMENT, "detokenize: model, tokens and length must not be NULL");
    }
    std::vector<int32_t> ids(tokens, tokens + n_tokens);
    for (int32_t id : ids) {
      if (id < 0 || id >= m->model->config.n_vocab) {
        return fail(EDGELLM_ERR_INVALID_ARGUMENT, "detokenize: token id %d is outside [0, %d)", id,
                    m->model->config.n_vocab);
      }
    }
    std::string out;
    edgellm::Status st = m->model->tokenizer->decode(ids, render_special != 0, false, &out);
    if (!st.ok()) return fail(st);
    *length = out.size();
    if (!text || capacity < out.size() + 1) {
      return fail(EDGELLM_ERR_INVALID_ARGUMENT, "detokenize: %zu bytes do not fit the buffer of %zu",
                  out.size() + 1, capacity);
    }
    std::memcpy(text, out.c_str(), out.size() + 1);
    return EDGELLM_OK;
  });
}

}  // extern "C"
